// Layer 3 for `systolic`: RTL against the golden model over a deliberate scan — degenerate and
// non-square arrays, narrow/wide/overflowing arithmetic, random and corner operands, GEMM shapes
// that are not multiples of the array, driver stalls, and exhaustive products. Every output
// vector's value and cycle must match; whole GEMMs are reassembled and checked too.
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"

namespace accelgen::sim {
namespace {

class SystolicCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(SystolicCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  expect_exact(run_cosim("systolic", c.sets, c.seed, trace_path_for("SystolicCosim_" + c.name)), c.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, SystolicCosim,
    ::testing::Values(
        CosimCase{"r1c1_exhaustive", {"rows=1", "cols=1", "operands=exhaustive"}, 1},
        CosimCase{"r4c3_exhaustive_i4", {"rows=4", "cols=3", "in_bits=4", "acc_bits=8", "operands=exhaustive"}, 1},
        CosimCase{"r1c8", {"rows=1", "cols=8"}, 11},
        CosimCase{"r8c1", {"rows=8", "cols=1"}, 12},
        CosimCase{"r3c5", {"rows=3", "cols=5"}, 13},
        CosimCase{"r3c5_gaps", {"rows=3", "cols=5", "gap_percent=40"}, 14},
        CosimCase{"r5c3_wide_i16a64", {"rows=5", "cols=3", "in_bits=16", "acc_bits=64"}, 15},
        CosimCase{"r4c4_overflow_a16", {"rows=4", "cols=4", "acc_bits=16", "operands=min", "k=37"}, 16},
        CosimCase{"r2c2_i2a4", {"rows=2", "cols=2", "in_bits=2", "acc_bits=4"}, 17},
        CosimCase{"r8c8", {"rows=8", "cols=8"}, 18},
        CosimCase{"r8c8_gaps", {"rows=8", "cols=8", "gap_percent=20"}, 19},
        CosimCase{"r16c16", {"rows=16", "cols=16"}, 20},
        CosimCase{"r16c16_large_gemm", {"rows=16", "cols=16", "m=300", "k=50", "n=40", "operands=random"}, 21}),
    [](const auto& info) { return info.param.name; });

// The checker must be able to fail: break the RTL on purpose and expect it to be caught.
TEST(SystolicCosimMutation, WrongArithmeticIsCaught) {
  const std::string vcd = traced_vcd("systolic_wrong_arithmetic");
  VerifyResult r = run_cosim("systolic", {"rows=3", "cols=2"}, 5, vcd, 0,
                             mutation("assign psum_d = psum_i + ", "assign psum_d = psum_i - "));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(SystolicCosimMutation, WrongTimingIsCaught) {
  // One more cycle of output latency: values still right, cycles wrong.
  VerifyResult r = run_cosim("systolic", {"rows=3", "cols=2"}, 5, "", 0,
                             mutation(".Depth (6)\n  ) u_y_valid", ".Depth (7)\n  ) u_y_valid"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_NE(r.rtl_cycles, r.golden_cycles);
}

TEST(SystolicCosimTrace, WritesAnFstWaveform) {
  const auto trace = std::filesystem::temp_directory_path() / ("accelgen_trace_" + std::to_string(::getpid()) + ".fst");
  VerifyResult r = run_cosim("systolic", {"rows=2", "cols=2"}, 3, trace.string());
  EXPECT_TRUE(r.passed());
  ASSERT_TRUE(std::filesystem::exists(trace));
  EXPECT_GT(std::filesystem::file_size(trace), 200u);
  std::filesystem::remove(trace);
}

}  // namespace
}  // namespace accelgen::sim
