// Layer 3 for `cvu`: RTL against the golden model — exhaustive where the space allows (every
// 8b x 8b pair through an L = 1 unit in every mode; every 4-bit two-element vector pair through a
// B = 4, b = 2, L = 2 unit), seeded random and corner operands for full-size units with the mode
// changing every cycle, unsigned and other slice widths, driver gaps; plus a mutation.
#include "tests/cosim/cosim_case.hpp"

namespace accelgen::sim {
namespace {

class CvuCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(CvuCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  expect_exact(run_cosim("cvu", c.sets, c.seed, trace_path_for("CvuCosim_" + c.name)), c.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, CvuCosim,
    ::testing::Values(
        CosimCase{"L1_all_8bit_pairs_every_mode", {"lanes=1", "operands=exhaustive"}, 1},
        CosimCase{"B4_L2_all_4bit_vector_pairs", {"max_bits=4", "lanes=2", "operands=exhaustive"}, 1},
        CosimCase{"B4_L2_unsigned_exhaustive", {"max_bits=4", "lanes=2", "signed=false", "operands=exhaustive"}, 1},
        CosimCase{"L16_mixed_modes", {"lanes=16"}, 31},
        CosimCase{"L16_all_min", {"lanes=16", "operands=min"}, 32},
        CosimCase{"L16_all_max", {"lanes=16", "operands=max"}, 33},
        CosimCase{"L16_unsigned", {"lanes=16", "signed=false"}, 34},
        CosimCase{"b1_B8_L4_gaps", {"slice_bits=1", "lanes=4", "gap_percent=30"}, 35},
        CosimCase{"b4_B16_L3", {"slice_bits=4", "max_bits=16", "lanes=3"}, 36},
        CosimCase{"L16_8x2_only", {"lanes=16", "bx=8", "bw=2", "operands=extremes"}, 37}),
    [](const auto& info) { return info.param.name; });

TEST(CvuCosimMutation, WrongShiftIsCaught) {
  // Shift every NBVE by b(j+k)/2 instead of b(j+k): only multi-slice modes can catch it, and must.
  VerifyResult r = run_cosim("cvu", {"lanes=2"}, 9, "", 0, mutation("<< (2*(", "<< (1*("));
  EXPECT_GT(r.mismatches, 0);
}

}  // namespace
}  // namespace accelgen::sim
