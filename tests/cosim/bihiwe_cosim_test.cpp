// Layer 3 for `bihiwe`: exhaustive int8 x int8 through n = 1, m = 1; every 4-bit two-element
// vector pair through n = 2, m = 1, B = 4; the thesis's n = 8, m = 32 with vectors inside one
// batch, exactly one batch and across several; ADC saturation; driver gaps; plus a mutation.
#include <gtest/gtest.h>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {
namespace {

struct Case {
  std::string name;
  std::vector<std::string> sets;
  uint64_t seed;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

VerifyResult run_case(const std::vector<std::string>& sets, uint64_t seed,
                      const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block("bihiwe");
  ParamSet params = resolve_params(info, "", sets, true);
  GeneratedDesign design = generate_design(info, params);
  if (mutate) mutate(design);
  const char* dir = std::getenv("ACCELGEN_TRACE_DIR");
  const std::string trace = dir && *dir ? std::string(dir) + "/BihiweCosim_" + design.top + ".fst" : "";
  auto model = build_model(design, trace_kind_for(trace));
  return run_testbench(info, params, *model, VerifyOptions{seed, 0, trace, {}});
}

class BihiweCosim : public ::testing::TestWithParam<Case> {};

TEST_P(BihiweCosim, MatchesGoldenBitAndCycleExact) {
  const Case& c = GetParam();
  VerifyResult r = run_case(c.sets, c.seed);
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles);
  EXPECT_GT(r.outputs_checked, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, BihiweCosim,
    ::testing::Values(Case{"n1_m1_all_int8_pairs", {"lanes=1", "acc_cycles=1", "operands=exhaustive"}, 1},
                      Case{"n2_m1_B4_all_vector_pairs", {"lanes=2", "acc_cycles=1", "max_bits=4", "operands=exhaustive"}, 1},
                      Case{"n8_m32", {}, 41},
                      Case{"n8_m32_gaps", {"gap_percent=25"}, 42},
                      Case{"n3_m5_long_vectors", {"lanes=3", "acc_cycles=5", "length=100"}, 43},
                      Case{"n8_m32_all_min", {"operands=min"}, 44}),
    [](const auto& info) { return info.param.name; });

TEST(BihiweCosimAdc, SaturationMatchesAndActuallyClips) {
  VerifyResult r = run_case({"adc_bits=10", "operands=min", "length=256"}, 45);
  EXPECT_EQ(r.mismatches, 0);
  EXPECT_GT(r.details["saturated_values"].get<int64_t>(), 0);
}

TEST(BihiweCosimMutation, SwappedPolaritiesAreCaught) {
  VerifyResult r = run_case({"lanes=2", "acc_cycles=2"}, 46, [](GeneratedDesign& d) {
    for (auto& f : d.files) {
      auto pos = f.contents.find("x_el[7] ^ w_el[7]");
      if (pos != std::string::npos) f.contents.replace(pos, 17, "x_el[7] | w_el[7]");
    }
  });
  EXPECT_GT(r.mismatches, 0);
}

}  // namespace
}  // namespace accelgen::sim
