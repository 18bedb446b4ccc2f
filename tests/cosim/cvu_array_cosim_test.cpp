// Layer 3 for `cvu_array`: GEMMs and convolutions (im2col) in every mode through small arrays,
// non-square, unsigned, narrow accumulators; column results and cycles against the golden model,
// reassembled outputs against direct references; plus a mutation.
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

VerifyResult run_case(const std::vector<std::string>& sets, uint64_t seed, int64_t jobs = 0,
                      const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block("cvu_array");
  ParamSet params = resolve_params(info, "", sets, true);
  GeneratedDesign design = generate_design(info, params);
  if (mutate) mutate(design);
  auto model = build_model(design, TraceKind::kNone);
  return run_testbench(info, params, *model, VerifyOptions{seed, jobs, "", {}});
}

class CvuArrayCosim : public ::testing::TestWithParam<Case> {};

TEST_P(CvuArrayCosim, MatchesGoldenBitAndCycleExact) {
  const Case& c = GetParam();
  VerifyResult r = run_case(c.sets, c.seed);
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles);
  EXPECT_GT(r.outputs_checked, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, CvuArrayCosim,
    ::testing::Values(Case{"r2c2_L4_every_mode_gemm_and_conv", {}, 51},
                      Case{"r1c1_L1", {"rows=1", "cols=1", "lanes=1"}, 52},
                      Case{"r3c2_b1_unsigned", {"rows=3", "cols=2", "slice_bits=1", "lanes=2", "signed=false"}, 53},
                      Case{"r2c3_conv_only", {"rows=2", "cols=3", "workload=conv"}, 54},
                      Case{"r2c2_min_acc20", {"acc_bits=20", "operands=min"}, 55}),
    [](const auto& info) { return info.param.name; });

TEST(CvuArrayCosimMutation, LostPartialSumIsCaught) {
  // Drop the partial sum from above: only the bottom row would count.
  VerifyResult r = run_case({"rows=2", "cols=1", "lanes=1"}, 56, 4, [](GeneratedDesign& d) {
    for (auto& f : d.files) {
      auto pos = f.contents.find("psum_q <= psum_i + ");
      if (pos != std::string::npos) f.contents.replace(pos, 19, "psum_q <= 0 + ");
    }
  });
  EXPECT_GT(r.mismatches, 0);
}

}  // namespace
}  // namespace accelgen::sim
