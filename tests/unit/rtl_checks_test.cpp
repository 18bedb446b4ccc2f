// Layer 2: every emitted configuration of the scan is `verilator --lint-only -Wall` clean with no
// waivers, and Yosys 0.23 reads and elaborates it; the hand-written templates are linted alone too.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "common/block_info.hpp"
#include "common/process.hpp"
#include "generator/cvu/dot_baseline_gen.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

struct Config {
  std::string name;
  std::vector<std::string> sets;
  std::string block = "systolic";
};

// gtest prints this instead of the struct's bytes in test listings.
void PrintTo(const Config& c, std::ostream* os) { *os << c.name; }

std::vector<Config> systolic_scan() {
  std::vector<Config> out;
  for (int r : {1, 2, 3, 5, 8, 16})
    for (int c : {1, 2, 3, 5, 8, 16})
      out.push_back(
          {fmt::format("r{}c{}", r, c), {fmt::format("rows={}", r), fmt::format("cols={}", c)}});
  out.push_back({"narrow_i2a4", {"rows=3", "cols=2", "in_bits=2", "acc_bits=4"}});
  out.push_back({"wide_i16a64", {"rows=2", "cols=3", "in_bits=16", "acc_bits=64"}});
  out.push_back({"tight_i8a16", {"rows=4", "cols=4", "in_bits=8", "acc_bits=16"}});
  out.push_back({"odd_i5a11", {"rows=3", "cols=3", "in_bits=5", "acc_bits=11"}});
  return out;
}

std::vector<Config> cvu_scan() {
  std::vector<Config> out;
  for (auto [b, B, L, sgn] : std::vector<std::tuple<int, int, int, bool>>{{1, 8, 1, true},
                                                                          {1, 2, 3, false},
                                                                          {2, 4, 2, true},
                                                                          {2, 8, 1, true},
                                                                          {2, 8, 16, true},
                                                                          {2, 8, 16, false},
                                                                          {2, 16, 1, true},
                                                                          {4, 8, 4, true},
                                                                          {4, 16, 2, false},
                                                                          {4, 4, 5, true}})
    out.push_back({fmt::format("cvu_b{}_B{}_L{}_{}", b, B, L, sgn ? "s" : "u"),
                   {fmt::format("slice_bits={}", b), fmt::format("max_bits={}", B),
                    fmt::format("lanes={}", L), fmt::format("signed={}", sgn)},
                   "cvu"});
  return out;
}

// leopard_qk: both encodings, every B dividing 12 (and 1-bit, 4-bit K), 1 to 8 units, taps from
// 1 to 64, key counts that do not divide evenly, and the thesis's two design points at small taps.
std::vector<Config> leopard_qk_scan() {
  std::vector<Config> out;
  for (const char* enc : {"twos", "signmag"}) {
    const std::string e = std::string("k_encoding=") + enc;
    const std::string tag = std::string(enc) == "twos" ? "tc" : "sm";
    for (int b : {1, 2, 3, 4, 6, 12})
      out.push_back({fmt::format("{}_b{}_d4_n3_s7", tag, b),
                     {e, fmt::format("bits_per_cycle={}", b), "taps=4", "n_dpu=3", "seq_len=7"}});
    out.push_back({tag + "_d1_n1_s1", {e, "taps=1", "n_dpu=1", "seq_len=1"}});
    out.push_back(
        {tag + "_d1_b1_n2_s5", {e, "taps=1", "bits_per_cycle=1", "n_dpu=2", "seq_len=5"}});
    out.push_back(
        {tag + "_k4_b1_d2_n1",
         {e, "taps=2", "q_bits=4", "k_bits=4", "bits_per_cycle=1", "n_dpu=1", "seq_len=3"}});
    out.push_back(
        {tag + "_k4_b4_d2",
         {e, "taps=2", "q_bits=4", "k_bits=4", "bits_per_cycle=4", "n_dpu=2", "seq_len=2"}});
    out.push_back(
        {tag + "_wide_q16k16_d5",
         {e, "taps=5", "q_bits=16", "k_bits=16", "bits_per_cycle=4", "n_dpu=2", "seq_len=5"}});
  }
  out.push_back({"tc_ae_d8_n6_s48", {"taps=8", "n_dpu=6", "seq_len=48"}});
  out.push_back({"tc_hp_d8_n8_s64", {"taps=8", "n_dpu=8", "seq_len=64"}});
  out.push_back({"tc_d64_n2_s8", {"taps=64", "n_dpu=2", "seq_len=8"}});
  return out;
}

std::vector<Config> leopard_vpu_scan() {
  return {
      {"d1_n1_s1_x0", {"taps=1", "n_dpu=1", "seq_len=1", "exp_shift=0"}},
      {"d4_n3_s7", {"taps=4", "n_dpu=3", "seq_len=7"}},
      {"d3_n2_s8_v5_x20", {"taps=3", "n_dpu=2", "seq_len=8", "v_bits=5", "exp_shift=20"}},
      {"d8_n8_s64_x15", {"taps=8", "n_dpu=8", "seq_len=64", "exp_shift=15"}},
      {"d64_n6_s16", {"taps=64", "n_dpu=6", "seq_len=16"}},
  };
}

std::vector<Config> leopard_tile_scan() {
  return {
      {"d1_n1_s1", {"taps=1", "n_dpu=1", "seq_len=1"}},
      {"d4_n3_s7", {"taps=4", "n_dpu=3", "seq_len=7"}},
      {"d2_n12_s24", {"taps=2", "n_dpu=12", "seq_len=24"}},
      {"d16_n8_s64_v8", {"taps=16", "n_dpu=8", "seq_len=64", "v_bits=8"}},
      {"d4_n3_s7_sm_b3",
       {"taps=4", "n_dpu=3", "seq_len=7", "k_encoding=signmag", "bits_per_cycle=3"}},
  };
}

// noc: rows, cols sampled over 2..16 (square, thin, odd, the extremes) for mesh and AMP, plus
// single-slot and odd-depth buffers, 1-bit and wide payloads, yx routing and express overrides.
std::vector<Config> noc_scan() {
  std::vector<Config> out;
  for (const char* topo : {"mesh", "amp"})
    for (auto [r, c] :
         {std::pair{2, 2}, {2, 16}, {16, 2}, {3, 5}, {5, 3}, {7, 7}, {8, 8}, {11, 6}, {16, 16}})
      out.push_back({fmt::format("noc_{}_r{}c{}", topo, r, c),
                     {fmt::format("topology={}", topo), fmt::format("rows={}", r),
                      fmt::format("cols={}", c)}});
  out.push_back({"noc_mesh_depth1_flit1", {"rows=3", "cols=3", "buffer_depth=1", "flit_bits=1"}});
  out.push_back(
      {"noc_amp_depth3_yx", {"topology=amp", "rows=6", "cols=5", "buffer_depth=3", "routing=yx"}});
  out.push_back({"noc_amp_express2_wide",
                 {"topology=amp", "rows=4", "cols=4", "express_len=2", "flit_bits=200"}});
  out.push_back({"noc_amp_express5", {"topology=amp", "rows=12", "cols=9", "express_len=5"}});
  // The VC/wormhole router: 1..8 VCs (3, 7: not a power of two), one-slot and deep VC buffers,
  // one-flit and long packets, 1-bit and wide payloads, yx routing, AMP express links, 8x8.
  out.push_back(
      {"noc_vc_mesh_v2k4", {"rows=3", "cols=3", "vcs=2", "vc_depth=2", "packet_flits=4"}});
  out.push_back({"noc_vc_mesh_v1k2_flit1",
                 {"rows=2", "cols=3", "vcs=1", "vc_depth=1", "packet_flits=2", "flit_bits=1"}});
  out.push_back({"noc_vc_mesh_v3_yx",
                 {"rows=4", "cols=5", "vcs=3", "vc_depth=3", "packet_flits=8", "routing=yx"}});
  out.push_back({"noc_vc_amp_v4d1",
                 {"topology=amp", "rows=5", "cols=4", "express_len=2", "vcs=4", "vc_depth=1"}});
  out.push_back({"noc_vc_amp_v2_wide",
                 {"topology=amp", "rows=4", "cols=4", "express_len=2", "vcs=2", "flit_bits=200",
                  "packet_flits=3"}});
  out.push_back({"noc_vc_mesh_8x8_v2", {"rows=8", "cols=8", "vcs=2", "vc_depth=4"}});
  out.push_back({"noc_vc_amp_8x8_v4k8",
                 {"topology=amp", "rows=8", "cols=8", "vcs=4", "vc_depth=8", "packet_flits=8"}});
  // The largest VC counts: 8 on the mesh (the saturation benchmark's router), 7 on AMP (P * V <=
  // 64).
  out.push_back({"noc_vc_mesh_v8", {"rows=3", "cols=3", "vcs=8", "vc_depth=4"}});
  out.push_back({"noc_vc_amp_v7",
                 {"topology=amp", "rows=5", "cols=5", "express_len=2", "vcs=7", "vc_depth=3",
                  "packet_flits=2"}});
  return out;
}

class EmittedRtl : public ::testing::TestWithParam<Config> {
 protected:
  DesignDir emit() {
    const BlockInfo& info = find_block(GetParam().block);
    dir_ = fs::temp_directory_path() / ("accelgen_rtl_" + GetParam().block + "_" + GetParam().name +
                                        "_" + std::to_string(getpid()));
    write_design(generate_design(info, resolve_params(info, "", GetParam().sets, false)),
                 dir_.string());
    return read_design_dir(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(EmittedRtl, LintCleanWithWall) {
  LintResult r = lint_design(emit());
  EXPECT_TRUE(r.clean) << r.log;
  EXPECT_EQ(r.warnings, 0);
}

TEST_P(EmittedRtl, YosysReadsAndElaborates) {
  DesignDir d = emit();
  std::string script = "read_verilog -sv";
  for (const auto& f : d.files) script += " " + f;
  script += "; hierarchy -check -top " + d.top + "; proc; check -assert";
  ProcessResult r = run_process({"yosys", "-q", "-p", script});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

std::vector<Config> bihiwe_scan() {
  std::vector<Config> out;
  for (auto [n, m, adc, B] : std::vector<std::tuple<int, int, int, int>>{{1, 1, 0, 8},
                                                                         {8, 32, 0, 8},
                                                                         {8, 32, 10, 8},
                                                                         {2, 1, 0, 4},
                                                                         {3, 5, 4, 4},
                                                                         {32, 64, 0, 8},
                                                                         {5, 2, 0, 8}})
    out.push_back({fmt::format("bihiwe_n{}_m{}_adc{}_B{}", n, m, adc, B),
                   {fmt::format("lanes={}", n), fmt::format("acc_cycles={}", m),
                    fmt::format("adc_bits={}", adc), fmt::format("max_bits={}", B)},
                   "bihiwe"});
  return out;
}

std::vector<Config> cvu_array_scan() {
  std::vector<Config> out;
  for (auto [r, c, b, L, d] : std::vector<std::tuple<int, int, int, int, int>>{
           {1, 1, 2, 1, 2}, {2, 2, 2, 4, 8}, {3, 2, 1, 2, 5}, {1, 4, 4, 2, 16}, {4, 1, 2, 1, 3}})
    out.push_back(
        {fmt::format("cvu_array_{}x{}_b{}_L{}_d{}", r, c, b, L, d),
         {fmt::format("rows={}", r), fmt::format("cols={}", c), fmt::format("slice_bits={}", b),
          fmt::format("lanes={}", L), fmt::format("wbuf_depth={}", d)},
         "cvu_array"});
  return out;
}

// planaria: the co-simulated sizes, odd subarray shapes, 1 x 1 subarrays, 2 to 8 subarrays per
// pod, and 32 subarrays; the thesis's default size (16 of 32 x 32) is linted on its own below.
std::vector<Config> planaria_scan() {
  std::vector<Config> out;
  for (auto [r, c, s, pods, in, acc] :
       std::vector<std::tuple<int, int, int, int, int, int>>{{4, 4, 16, 4, 8, 32},
                                                             {1, 1, 4, 2, 8, 32},
                                                             {3, 5, 8, 2, 4, 12},
                                                             {2, 2, 2, 1, 8, 16},
                                                             {2, 2, 16, 8, 8, 32},
                                                             {2, 3, 8, 4, 8, 32},
                                                             {2, 2, 32, 4, 8, 32},
                                                             {5, 3, 16, 2, 16, 64}})
    out.push_back({fmt::format("planaria_s{}p{}_{}x{}_i{}a{}", s, pods, r, c, in, acc),
                   {fmt::format("sub_rows={}", r), fmt::format("sub_cols={}", c),
                    fmt::format("subarrays={}", s), fmt::format("pods={}", pods),
                    fmt::format("in_bits={}", in), fmt::format("acc_bits={}", acc)},
                   "planaria"});
  return out;
}

// region_manager: the paper's size, one region, a non-power-of-two buffer and table, a one-word
// buffer, the largest table and addresses.
std::vector<Config> region_manager_scan() {
  std::vector<Config> out;
  for (auto [n, a, c] : std::vector<std::tuple<int, int, int>>{
           {64, 17, 0}, {1, 2, 0}, {5, 4, 11}, {3, 2, 1}, {256, 24, 0}})
    out.push_back({fmt::format("region_manager_n{}_a{}_c{}", n, a, c),
                   {fmt::format("regions={}", n), fmt::format("addr_bits={}", a),
                    fmt::format("capacity_words={}", c)},
                   "region_manager"});
  return out;
}

// The scans above name their configurations only; tag them with their block.
std::vector<Config> with_block(std::vector<Config> configs, const std::string& block) {
  for (auto& c : configs) c.block = block;
  return configs;
}

INSTANTIATE_TEST_SUITE_P(LeopardQk, EmittedRtl,
                         ::testing::ValuesIn(with_block(leopard_qk_scan(), "leopard_qk")),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(LeopardVpu, EmittedRtl,
                         ::testing::ValuesIn(with_block(leopard_vpu_scan(), "leopard_vpu")),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(LeopardTile, EmittedRtl,
                         ::testing::ValuesIn(with_block(leopard_tile_scan(), "leopard_tile")),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Noc, EmittedRtl, ::testing::ValuesIn(with_block(noc_scan(), "noc")),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(CvuArray, EmittedRtl, ::testing::ValuesIn(cvu_array_scan()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Bihiwe, EmittedRtl, ::testing::ValuesIn(bihiwe_scan()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Planaria, EmittedRtl, ::testing::ValuesIn(planaria_scan()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(RegionManager, EmittedRtl, ::testing::ValuesIn(region_manager_scan()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Systolic, EmittedRtl, ::testing::ValuesIn(systolic_scan()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Cvu, EmittedRtl, ::testing::ValuesIn(cvu_scan()),
                         [](const auto& info) { return info.param.name; });

// tandem: small configurations are linted and read by Yosys (odd lane counts take the divider
// path of the permute engine; depth 17 and 9 are not powers of two); the large ones, where a
// Yosys read costs minutes, are linted only.
std::vector<Config> tandem_scan(bool large) {
  const std::vector<std::tuple<int, int, int>> small = {
      {1, 8, 16}, {4, 16, 64}, {3, 9, 17}, {8, 8, 16}};
  const std::vector<std::tuple<int, int, int>> big = {{8, 512, 1024},     {32, 512, 1024},
                                                      {128, 4096, 65536}, {128, 8, 16},
                                                      {1, 4096, 65536},   {5, 100, 10000}};
  std::vector<Config> out;
  for (auto [l, d, i] : large ? big : small)
    out.push_back({fmt::format("tandem_l{}_d{}_i{}", l, d, i),
                   {fmt::format("lanes={}", l), fmt::format("interim_depth={}", d),
                    fmt::format("imem_depth={}", i)},
                   "tandem"});
  // Engine widths (isa/README.md items 11, 12): a narrow bus and permute width, the one-word
  // engines, a bus wider than the lanes.
  if (!large) {
    out.push_back(
        {"tandem_l4_d16_i64_b64_p3",
         {"lanes=4", "interim_depth=16", "imem_depth=64", "dram_bus_bits=64", "permute_width=3"},
         "tandem"});
    out.push_back(
        {"tandem_l3_d9_i17_b32_p1",
         {"lanes=3", "interim_depth=9", "imem_depth=17", "dram_bus_bits=32", "permute_width=1"},
         "tandem"});
    out.push_back({"tandem_l4_d16_i64_b512",
                   {"lanes=4", "interim_depth=16", "imem_depth=64", "dram_bus_bits=512"},
                   "tandem"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Tandem, EmittedRtl, ::testing::ValuesIn(tandem_scan(false)),
                         [](const auto& info) { return info.param.name; });

class EmittedRtlLintOnly : public EmittedRtl {};

TEST_P(EmittedRtlLintOnly, LintCleanWithWall) {
  LintResult r = lint_design(emit());
  EXPECT_TRUE(r.clean) << r.log;
  EXPECT_EQ(r.warnings, 0);
}

INSTANTIATE_TEST_SUITE_P(TandemLarge, EmittedRtlLintOnly, ::testing::ValuesIn(tandem_scan(true)),
                         [](const auto& info) { return info.param.name; });

// npu (issue 13): small configurations are linted and read by Yosys (array smaller than the
// lanes, non-square arrays, depths and table sizes that are not powers of two, a one-word DRAM
// bus); the Table 4.4 default (32x32 array, 32 lanes) and an 8x8 one are linted only.
std::vector<Config> npu_scan(bool large) {
  std::vector<Config> out;
  const auto add = [&](std::vector<std::string> sets) {
    std::string name = sets.empty() ? "npu_table_4_4" : "npu";
    for (const auto& s : sets) name += fmt::format("_{}{}", s[0], s.substr(s.find('=') + 1));
    out.push_back({name, std::move(sets), "npu"});
  };
  if (large) {
    add({});
    add({"rows=8", "cols=8", "lanes=8"});
    return out;
  }
  add({"rows=2", "cols=2", "lanes=2", "depth=8", "wbuf_depth=8", "imem_depth=16", "max_blocks=1"});
  add({"rows=4", "cols=4", "lanes=4", "depth=320", "wbuf_depth=256", "imem_depth=512", "max_blocks=8"});
  add({"rows=3", "cols=2", "lanes=5", "depth=9", "wbuf_depth=7", "imem_depth=17", "max_blocks=3", "dram_bus_bits=32"});
  // A weight scratchpad beyond 65,536 rows: the block-table entry carries the weight base's
  // high bits.
  add({"rows=2", "cols=2", "lanes=2", "depth=8", "wbuf_depth=70000", "imem_depth=16",
       "max_blocks=1"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Npu, EmittedRtl, ::testing::ValuesIn(npu_scan(false)),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(NpuLarge, EmittedRtlLintOnly, ::testing::ValuesIn(npu_scan(true)),
                         [](const auto& info) { return info.param.name; });

// The thesis-size Planaria (16 subarrays of 32x32) lints clean but takes about 12 minutes: a
// soak, not a per-commit check. Run it with ACCELGEN_SLOW_TESTS=1 (README, Tests).
class SlowEmittedRtlLintOnly : public EmittedRtl {};

TEST_P(SlowEmittedRtlLintOnly, LintCleanWithWall) {
  if (std::getenv("ACCELGEN_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "soak: set ACCELGEN_SLOW_TESTS=1 to run";
  LintResult r = lint_design(emit());
  EXPECT_TRUE(r.clean) << r.log;
  EXPECT_EQ(r.warnings, 0);
}

INSTANTIATE_TEST_SUITE_P(PlanariaDefault, SlowEmittedRtlLintOnly,
                         ::testing::Values(Config{"planaria_thesis_s16p4_32x32", {}, "planaria"}),
                         [](const auto& info) { return info.param.name; });

TEST(RtlTemplates, DelayLineLintCleanForSeveralSizes) {
  const fs::path tpl =
      fs::path(ACCELGEN_SOURCE_DIR_FOR_TESTS) / "rtl_templates" / "accelgen_delay_line.sv";
  for (const char* g : {"-GDepth=1", "-GDepth=2", "-GDepth=7"}) {
    ProcessResult r =
        run_process({"verilator", "--lint-only", "-Wall", "-GWidth=5", g, tpl.string()});
    EXPECT_EQ(r.exit_code, 0) << g << "\n" << r.output;
  }
}

// ---- cvu-dse reference designs (issue 17): the conventional dot product and scalar MAC
// ------------

class CvuDseReference : public ::testing::TestWithParam<int> {
 protected:
  DesignDir emit() {
    const int lanes = GetParam();
    GeneratedDesign g = lanes == 0 ? generate_scalar_mac(8, 32) : generate_dot_baseline(lanes, 8);
    dir_ = fs::temp_directory_path() / (g.top + "_" + std::to_string(getpid()));
    write_design(g, dir_.string());
    return read_design_dir(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(CvuDseReference, LintCleanAndYosysElaborates) {
  DesignDir d = emit();
  LintResult lint = lint_design(d);
  EXPECT_TRUE(lint.clean) << lint.log;
  std::string script = "read_verilog -sv";
  for (const auto& f : d.files) script += " " + f;
  script += "; hierarchy -check -top " + d.top + "; proc; check -assert";
  ProcessResult r = run_process({"yosys", "-q", "-p", script});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// 0 = the scalar MAC; otherwise the dot product of that many lanes.
INSTANTIATE_TEST_SUITE_P(Designs, CvuDseReference, ::testing::Values(0, 1, 3, 16),
                         [](const auto& info) {
                           return info.param == 0 ? std::string("scalar_mac")
                                                  : fmt::format("dot_L{}", info.param);
                         });

// The dot product's Baugh-Wooley array equals the plain sum of signed products (written here with
// `$signed`, independently of the generator), at every step from zero-initialized registers: a
// Yosys SAT proof over all operand values.
TEST(CvuDseReferenceArithmetic, DotProductEqualsSumOfSignedProducts) {
  for (auto [lanes, bits] : {std::pair{1, 4}, {2, 3}}) {
    GeneratedDesign g = generate_dot_baseline(lanes, bits);
    const fs::path dir =
        fs::temp_directory_path() / fmt::format("{}_sat_{}", g.top, static_cast<int>(getpid()));
    write_design(g, dir.string());
    const int S = 2 * bits + static_cast<int>(std::bit_width(static_cast<unsigned>(lanes)));
    std::string products;
    for (int l = 0; l < lanes; ++l)
      products += fmt::format(" + {0}'($signed(x_i[{1}+:{2}]) * $signed(w_i[{1}+:{2}]))", S,
                              l * bits, bits);
    const std::string miter = fmt::format(
        "module miter(input clk_i, input [{0}:0] x_i, input [{0}:0] w_i, output [{1}:0] dut_o,\n"
        "             output [{1}:0] ref_o);\n"
        "  logic unused_valid;\n"
        "  {2} u_dut(.clk_i(clk_i), .rst_ni(1'b1), .in_valid_i(1'b0), .x_i(x_i), .w_i(w_i),\n"
        "            .out_valid_o(unused_valid), .out_o(dut_o));\n"
        "  logic [{1}:0] r1, r2, r3;\n"
        "  always_ff @(posedge clk_i) begin r1 <= {1}'d0{3}; r2 <= r1; r3 <= r2; end\n"
        "  assign ref_o = r3;\nendmodule\n",
        lanes * bits - 1, S - 1, g.top, products);
    std::ofstream(dir / "miter.sv") << miter;
    ProcessResult r = run_process(
        {"yosys", "-q", "-p",
         fmt::format("read_verilog -sv {} {}; hierarchy -top miter; proc; flatten; opt -fast; "
                     "sat -seq 4 -set-init-zero -prove dut_o ref_o -verify",
                     (dir / (g.top + ".sv")).string(), (dir / "miter.sv").string())});
    EXPECT_EQ(r.exit_code, 0) << lanes << " lanes of " << bits << " bits\n" << r.output;
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace accelgen
