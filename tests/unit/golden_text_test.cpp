// Layer 1: the emitted RTL of a few configurations is compared byte for byte with files checked in
// under tests/golden/. After an intended generator change, refresh them with
//   ACCELGEN_UPDATE_GOLDEN=1 ctest -R GoldenText
// and review the diff like any other code change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/block_info.hpp"
#include "generator/design.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string name;
  std::string block;
  std::vector<std::string> sets;
};

// gtest prints this instead of the struct's bytes in test listings.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

class GoldenText : public ::testing::TestWithParam<GoldenCase> {};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_P(GoldenText, MatchesCheckedInFiles) {
  const GoldenCase& c = GetParam();
  const BlockInfo& info = find_block(c.block);
  GeneratedDesign d = generate_design(info, resolve_params(info, "", c.sets, false));
  const fs::path dir = fs::path(ACCELGEN_TEST_DATA) / c.name;
  const bool update = std::getenv("ACCELGEN_UPDATE_GOLDEN") != nullptr;
  if (update) fs::create_directories(dir);
  for (const auto& f : d.files) {
    if (f.name.rfind("accelgen_", 0) == 0) continue;  // rtl_templates/ copies: checked there
    if (update) std::ofstream(dir / f.name, std::ios::binary) << f.contents;
    ASSERT_TRUE(fs::exists(dir / f.name)) << "missing golden file " << (dir / f.name) << "; run with ACCELGEN_UPDATE_GOLDEN=1";
    EXPECT_EQ(read(dir / f.name), f.contents) << "emitted " << f.name << " differs from " << (dir / f.name);
  }
}

TEST_P(GoldenText, GenerationIsReproducible) {
  const GoldenCase& c = GetParam();
  const BlockInfo& info = find_block(c.block);
  ParamSet p = resolve_params(info, "", c.sets, false);
  GeneratedDesign a = generate_design(info, p), b = generate_design(info, p);
  EXPECT_EQ(a.content_hash(), b.content_hash());
  EXPECT_EQ(a.manifest().dump(), b.manifest().dump());
}

INSTANTIATE_TEST_SUITE_P(
    Systolic, GoldenText,
    ::testing::Values(GoldenCase{"systolic_1x1_i8a32", "systolic", {"rows=1", "cols=1"}},
                      GoldenCase{"systolic_2x3_i4a12", "systolic", {"rows=2", "cols=3", "in_bits=4", "acc_bits=12"}},
                      GoldenCase{"systolic_4x4_i8a32", "systolic", {"rows=4", "cols=4"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Planaria, GoldenText,
    ::testing::Values(GoldenCase{"planaria_s2p1_2x2_i4a12", "planaria",
                                 {"sub_rows=2", "sub_cols=2", "subarrays=2", "pods=1", "in_bits=4", "acc_bits=12"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Cvu, GoldenText,
    ::testing::Values(GoldenCase{"cvu_b2_B4_L2_s", "cvu", {"slice_bits=2", "max_bits=4", "lanes=2"}},
                      GoldenCase{"cvu_b1_B2_L3_u", "cvu", {"slice_bits=1", "max_bits=2", "lanes=3", "signed=false"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    CvuArray, GoldenText,
    ::testing::Values(GoldenCase{"cvu_array_2x1_b2_B4_L1", "cvu_array", {"rows=2", "cols=1", "max_bits=4", "lanes=1", "wbuf_depth=2"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Bihiwe, GoldenText,
    ::testing::Values(GoldenCase{"bihiwe_n2_m3_B4_adc4", "bihiwe", {"lanes=2", "acc_cycles=3", "max_bits=4", "adc_bits=4"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    RegionManager, GoldenText,
    ::testing::Values(GoldenCase{"region_manager_n5_a4_c11", "region_manager",
                                 {"regions=5", "addr_bits=4", "capacity_words=11"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    LeopardQk, GoldenText,
    ::testing::Values(GoldenCase{"leopard_qk_n3_d4_s7_q12k12b2_tc", "leopard_qk", {"taps=4", "n_dpu=3", "seq_len=7"}},
                      GoldenCase{"leopard_qk_n1_d2_s3_q4k4b1_sm", "leopard_qk",
                                 {"taps=2", "q_bits=4", "k_bits=4", "bits_per_cycle=1", "n_dpu=1", "seq_len=3",
                                  "k_encoding=signmag"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    LeopardVpu, GoldenText,
    ::testing::Values(GoldenCase{"leopard_vpu_d4_n3_s7_v16_x8", "leopard_vpu", {"taps=4", "n_dpu=3", "seq_len=7"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    LeopardTile, GoldenText,
    ::testing::Values(GoldenCase{"leopard_tile_d4_n3_s7_v16_x8_b2tc", "leopard_tile", {"taps=4", "n_dpu=3", "seq_len=7"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Noc, GoldenText,
    ::testing::Values(GoldenCase{"noc_mesh_2x2_f32d4", "noc", {"rows=2", "cols=2"}},
                      GoldenCase{"noc_amp_5x3_f8d2", "noc", {"rows=5", "cols=3", "topology=amp", "flit_bits=8", "buffer_depth=2"}},
                      GoldenCase{"noc_mesh_3x2_f4d1_yx", "noc", {"rows=3", "cols=2", "flit_bits=4", "buffer_depth=1", "routing=yx"}},
                      GoldenCase{"noc_mesh_2x2_f8v2d2k3", "noc",
                                 {"rows=2", "cols=2", "flit_bits=8", "vcs=2", "vc_depth=2", "packet_flits=3"}}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Tandem, GoldenText,
    ::testing::Values(GoldenCase{"tandem_l4_d16_i64", "tandem", {"lanes=4", "interim_depth=16", "imem_depth=64"}}),
    [](const auto& info) { return info.param.name; });

// npu (issue 13): a 2x2 array beside 3 Tandem lanes, small buffers and block table.
INSTANTIATE_TEST_SUITE_P(
    Npu, GoldenText,
    ::testing::Values(GoldenCase{"npu_r2c2_l3_d8_w8_i16_b2", "npu",
                                 {"rows=2", "cols=2", "lanes=3", "depth=8", "wbuf_depth=8", "imem_depth=16", "max_blocks=2"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace accelgen
