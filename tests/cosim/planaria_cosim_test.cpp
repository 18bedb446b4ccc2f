// Layer 3 for `planaria`: RTL against the golden model at a scaled size (16 subarrays of 4 x 4 in
// 4 pods): all 15 homogeneous fission configurations of Table 5.2 (each computing the monolithic
// 16 x 16 array's GEMM and a random one), co-located tenants on different shapes with
// reconfiguration between tiles, odd sizes, and mutations at 8 subarrays of 2 x 2 (a ring register
// dropped, a crossbar select ignored, the configuration taking effect early) that must be caught.
#include <cstdlib>

#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"

namespace accelgen::sim {
namespace {

const std::vector<std::string> kScaled = {"sub_rows=4", "sub_cols=4", "subarrays=16", "pods=4"};

// Mutations use a smaller array (8 subarrays of 2 x 2 in 2 pods) so that each mutated model
// builds quickly.
std::vector<std::string> small(std::vector<std::string> more) {
  std::vector<std::string> out = {"sub_rows=2", "sub_cols=2", "subarrays=8", "pods=2"};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::vector<std::string> scaled(std::vector<std::string> more) {
  std::vector<std::string> out = kScaled;
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

class PlanariaCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(PlanariaCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  expect_exact(run_cosim("planaria", c.sets, c.seed, trace_path_for("PlanariaCosim_" + c.name),
                         c.transactions),
               c.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, PlanariaCosim,
    ::testing::Values(
        CosimCase{"all_15_shapes_s16_4x4", scaled({"fission=all"}), 1},
        CosimCase{"mixed_colocation_s16_4x4", scaled({"fission=mixed"}), 2},
        CosimCase{"mixed_colocation_s16_4x4_seed3", scaled({"fission=mixed", "operands=random"}),
                  3},
        CosimCase{"shape_8x16x2_s16", scaled({"fission=8x16x2"}), 4, 3},
        CosimCase{"shape_64x4x1_s16_extremes", scaled({"fission=64x4x1", "operands=extremes"}), 5},
        CosimCase{"all_s8_p2_3x5_i4a12",
                  {"sub_rows=3", "sub_cols=5", "subarrays=8", "pods=2", "in_bits=4", "acc_bits=12"},
                  6},
        CosimCase{"mixed_s8_p4_2x3",
                  {"sub_rows=2", "sub_cols=3", "subarrays=8", "pods=4", "fission=mixed"},
                  7},
        CosimCase{"all_s4_p2_1x1", {"sub_rows=1", "sub_cols=1", "subarrays=4", "pods=2"}, 8},
        CosimCase{"all_s2_p1_2x2_overflow_a16",
                  {"sub_rows=2", "sub_cols=2", "subarrays=2", "pods=1", "acc_bits=16",
                   "operands=min", "m=9"},
                  9}),
    [](const auto& info) { return info.param.name; });

// The checker must be able to fail: break the RTL on purpose and expect it to be caught.
TEST(PlanariaCosimMutation, DroppedPartialSumRingRegisterIsCaught) {
  // A tall 16 x 2 chain: every partial sum crosses the forward ring one cycle early.
  VerifyResult r = run_cosim("planaria", small({"fission=16x2x1"}), 5, "", 1,
                             mutation("= psum_fwd_q;", "= psum_edge[s*64 +: 64];"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(PlanariaCosimMutation, DroppedActivationRingRegisterIsCaught) {
  // fission=mixed runs an activation chain reversed, over the backward ring.
  VerifyResult rev = run_cosim("planaria", small({"fission=mixed"}), 5, "", 0,
                               mutation("= act_bwd_q;", "= act_out;"));
  EXPECT_GT(rev.mismatches, 0);  // mixed reverses an activation chain
}

TEST(PlanariaCosimMutation, IgnoredCrossbarSelectIsCaught) {
  // The activation crossbar always reads buffer 0: multicast shapes still work, the others not.
  const std::string vcd = traced_vcd("planaria_crossbar_select");
  VerifyResult r = run_cosim("planaria", small({"fission=8x4x1"}), 5, vcd, 1,
                             mutation("x_sel == 2'd1 ?", "1'b0 ?"));
  EXPECT_GT(r.mismatches, 0);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(PlanariaCosimMutation, ConfigurationTakingEffectBeforeTheTileBoundaryIsCaught) {
  // The next tile's configuration is written while the current tile runs; applying it at once
  // (no double buffering) corrupts the running tile.
  VerifyResult r = run_cosim("planaria", small({"fission=mixed"}), 5, "", 0,
                             mutation("cfg_active_q <= cfg_shadow_q;",
                                      "cfg_active_q <= cfg_valid_i ? cfg_i : cfg_active_q;"));
  EXPECT_GT(r.mismatches, 0);
}

// The thesis size (16 subarrays of 32 x 32 in 4 pods, 16,384 PEs), Verilated hierarchically (the
// subarray compiled once): every shape of Table 5.2. A soak, not a per-commit check (its model
// takes minutes to build; README, "planaria"): run it with ACCELGEN_SLOW_TESTS=1.
TEST(PlanariaCosimDefault, ThesisSizeAllShapes) {
  if (std::getenv("ACCELGEN_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "soak: set ACCELGEN_SLOW_TESTS=1 to run";
  expect_exact(run_cosim("planaria", {}, 1), 1);
}

}  // namespace
}  // namespace accelgen::sim
