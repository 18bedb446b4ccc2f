// Layer 2: every emitted configuration of the scan is `verilator --lint-only -Wall` clean with no
// waivers, and Yosys 0.23 reads and elaborates it; the hand-written templates are linted alone too.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/block_info.hpp"
#include "common/process.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

struct Config {
  std::string name;
  std::vector<std::string> sets;
};

// gtest prints this instead of the struct's bytes in test listings.
void PrintTo(const Config& c, std::ostream* os) { *os << c.name; }

std::vector<Config> systolic_scan() {
  std::vector<Config> out;
  for (int r : {1, 2, 3, 5, 8, 16})
    for (int c : {1, 2, 3, 5, 8, 16})
      out.push_back({fmt::format("r{}c{}", r, c), {fmt::format("rows={}", r), fmt::format("cols={}", c)}});
  out.push_back({"narrow_i2a4", {"rows=3", "cols=2", "in_bits=2", "acc_bits=4"}});
  out.push_back({"wide_i16a64", {"rows=2", "cols=3", "in_bits=16", "acc_bits=64"}});
  out.push_back({"tight_i8a16", {"rows=4", "cols=4", "in_bits=8", "acc_bits=16"}});
  out.push_back({"odd_i5a11", {"rows=3", "cols=3", "in_bits=5", "acc_bits=11"}});
  return out;
}

// noc: rows, cols sampled over 2..16 (square, thin, odd, the extremes) for mesh and AMP, plus
// single-slot and odd-depth buffers, 1-bit and wide payloads, yx routing and express overrides.
std::vector<Config> noc_scan() {
  std::vector<Config> out;
  for (const char* topo : {"mesh", "amp"})
    for (auto [r, c] : {std::pair{2, 2}, {2, 16}, {16, 2}, {3, 5}, {5, 3}, {7, 7}, {8, 8}, {11, 6}, {16, 16}})
      out.push_back({fmt::format("noc_{}_r{}c{}", topo, r, c),
                     {"block=noc", fmt::format("topology={}", topo), fmt::format("rows={}", r), fmt::format("cols={}", c)}});
  out.push_back({"noc_mesh_depth1_flit1", {"block=noc", "rows=3", "cols=3", "buffer_depth=1", "flit_bits=1"}});
  out.push_back({"noc_amp_depth3_yx", {"block=noc", "topology=amp", "rows=6", "cols=5", "buffer_depth=3", "routing=yx"}});
  out.push_back({"noc_amp_express2_wide", {"block=noc", "topology=amp", "rows=4", "cols=4", "express_len=2", "flit_bits=200"}});
  out.push_back({"noc_amp_express5", {"block=noc", "topology=amp", "rows=12", "cols=9", "express_len=5"}});
  return out;
}

class SystolicRtl : public ::testing::TestWithParam<Config> {
 protected:
  DesignDir emit() {
    std::vector<std::string> sets = GetParam().sets;
    std::string block = "systolic";
    if (!sets.empty() && sets.front().rfind("block=", 0) == 0) {
      block = sets.front().substr(6);
      sets.erase(sets.begin());
    }
    const BlockInfo& info = find_block(block);
    dir_ = fs::temp_directory_path() / ("accelgen_rtl_" + GetParam().name + "_" + std::to_string(getpid()));
    write_design(generate_design(info, resolve_params(info, "", sets, false)), dir_.string());
    return read_design_dir(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(SystolicRtl, LintCleanWithWall) {
  LintResult r = lint_design(emit());
  EXPECT_TRUE(r.clean) << r.log;
  EXPECT_EQ(r.warnings, 0);
}

TEST_P(SystolicRtl, YosysReadsAndElaborates) {
  DesignDir d = emit();
  std::string script = "read_verilog -sv";
  for (const auto& f : d.files) script += " " + f;
  script += "; hierarchy -check -top " + d.top + "; proc; check -assert";
  ProcessResult r = run_process({"yosys", "-q", "-p", script});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Scan, SystolicRtl, ::testing::ValuesIn(systolic_scan()),
                         [](const auto& info) { return info.param.name; });

// The same checks (same fixture) over the noc scan.
class NocRtl : public SystolicRtl {};
TEST_P(NocRtl, LintCleanWithWall) {
  LintResult r = lint_design(emit());
  EXPECT_TRUE(r.clean) << r.log;
  EXPECT_EQ(r.warnings, 0);
}
TEST_P(NocRtl, YosysReadsAndElaborates) {
  DesignDir d = emit();
  std::string script = "read_verilog -sv";
  for (const auto& f : d.files) script += " " + f;
  script += "; hierarchy -check -top " + d.top + "; proc; check -assert";
  ProcessResult r = run_process({"yosys", "-q", "-p", script});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}
INSTANTIATE_TEST_SUITE_P(Scan, NocRtl, ::testing::ValuesIn(noc_scan()),
                         [](const auto& info) { return info.param.name; });

TEST(RtlTemplates, DelayLineLintCleanForSeveralSizes) {
  const fs::path tpl = fs::path(ACCELGEN_SOURCE_DIR_FOR_TESTS) / "rtl_templates" / "accelgen_delay_line.sv";
  for (const char* g : {"-GDepth=1", "-GDepth=2", "-GDepth=7"}) {
    ProcessResult r = run_process({"verilator", "--lint-only", "-Wall", "-GWidth=5", g, tpl.string()});
    EXPECT_EQ(r.exit_code, 0) << g << "\n" << r.output;
  }
}

}  // namespace
}  // namespace accelgen
