// Layer 3 for `bihiwe`: exhaustive int8 x int8 through n = 1, m = 1; every 4-bit two-element
// vector pair through n = 2, m = 1, B = 4; the thesis's n = 8, m = 32 with vectors inside one
// batch, exactly one batch and across several; ADC saturation; driver gaps; plus a mutation.
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"

namespace accelgen::sim {
namespace {

class BihiweCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(BihiweCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  expect_exact(run_cosim("bihiwe", c.sets, c.seed, trace_path_for("BihiweCosim_" + c.name)), c.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, BihiweCosim,
    ::testing::Values(
        CosimCase{"n1_m1_all_int8_pairs", {"lanes=1", "acc_cycles=1", "operands=exhaustive"}, 1},
        CosimCase{"n2_m1_B4_all_vector_pairs", {"lanes=2", "acc_cycles=1", "max_bits=4", "operands=exhaustive"}, 1},
        CosimCase{"n8_m32", {}, 41},
        CosimCase{"n8_m32_gaps", {"gap_percent=25"}, 42},
        CosimCase{"n3_m5_long_vectors", {"lanes=3", "acc_cycles=5", "length=100"}, 43},
        CosimCase{"n8_m32_all_min", {"operands=min"}, 44}),
    [](const auto& info) { return info.param.name; });

TEST(BihiweCosimAdc, SaturationMatchesAndActuallyClips) {
  VerifyResult r = run_cosim("bihiwe", {"adc_bits=10", "operands=min", "length=256"}, 45);
  expect_exact(r, 45);
  EXPECT_GT(r.details["saturated_values"].get<int64_t>(), 0);
}

TEST(BihiweCosimMutation, WrongProductSignIsCaught) {
  const std::string vcd = traced_vcd("bihiwe_wrong_product_sign");
  VerifyResult r = run_cosim("bihiwe", {"lanes=2", "acc_cycles=2"}, 46, vcd, 0,
                             mutation("x_el[7] ^ w_el[7]", "x_el[7] | w_el[7]"));
  EXPECT_GT(r.mismatches, 0);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

}  // namespace
}  // namespace accelgen::sim
