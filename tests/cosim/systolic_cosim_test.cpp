// Layer 3: RTL against the golden model over a deliberate scan of systolic configurations —
// degenerate and non-square arrays, narrow/wide/overflowing arithmetic, random and corner operands,
// GEMM shapes that are not multiples of the array, driver stalls, and exhaustive 8-bit products.
// Every output vector's value and cycle must match; whole GEMMs are reassembled and checked too.
//
// Waveforms: ACCELGEN_TRACE_DIR=/some/dir ctest -R Cosim writes one FST per test, named after it.
// Seeds are fixed here and printed on failure; `accelgen verify` replays any of them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::vector<std::string> sets;
  uint64_t seed;
};

// gtest prints this instead of the struct's bytes in test listings.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string trace_path_for(const std::string& test) {
  const char* dir = std::getenv("ACCELGEN_TRACE_DIR");
  if (!dir || !*dir) return "";
  fs::create_directories(dir);
  return (fs::path(dir) / (test + ".fst")).string();
}

VerifyResult run_case(const std::vector<std::string>& sets, uint64_t seed, const std::string& trace,
                      const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block("systolic");
  ParamSet params = resolve_params(info, "", sets, true);
  GeneratedDesign design = generate_design(info, params);
  if (mutate) mutate(design);
  auto model = build_model(design, trace_kind_for(trace));
  return run_testbench(info, params, *model, VerifyOptions{seed, 0, trace, {}});
}

class SystolicCosim : public ::testing::TestWithParam<Case> {};

TEST_P(SystolicCosim, MatchesGoldenBitAndCycleExact) {
  const Case& c = GetParam();
  const std::string test = std::string("SystolicCosim_") + c.name;
  VerifyResult r = run_case(c.sets, c.seed, trace_path_for(test));
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_TRUE(r.passed());
}

std::vector<Case> scan() {
  return {
      {"r1c1_exhaustive", {"rows=1", "cols=1", "operands=exhaustive"}, 1},
      {"r4c3_exhaustive_i4", {"rows=4", "cols=3", "in_bits=4", "acc_bits=8", "operands=exhaustive"}, 1},
      {"r1c8", {"rows=1", "cols=8"}, 11},
      {"r8c1", {"rows=8", "cols=1"}, 12},
      {"r3c5", {"rows=3", "cols=5"}, 13},
      {"r3c5_gaps", {"rows=3", "cols=5", "gap_percent=40"}, 14},
      {"r5c3_wide_i16a64", {"rows=5", "cols=3", "in_bits=16", "acc_bits=64"}, 15},
      {"r4c4_overflow_a16", {"rows=4", "cols=4", "acc_bits=16", "operands=min", "k=37"}, 16},
      {"r2c2_i2a4", {"rows=2", "cols=2", "in_bits=2", "acc_bits=4"}, 17},
      {"r8c8", {"rows=8", "cols=8"}, 18},
      {"r8c8_gaps", {"rows=8", "cols=8", "gap_percent=20"}, 19},
      {"r16c16", {"rows=16", "cols=16"}, 20},
      {"r16c16_large_gemm", {"rows=16", "cols=16", "m=300", "k=50", "n=40", "operands=random"}, 21},
  };
}

INSTANTIATE_TEST_SUITE_P(Scan, SystolicCosim, ::testing::ValuesIn(scan()),
                         [](const auto& info) { return info.param.name; });

// The checker must be able to fail: break the RTL on purpose and expect it to be caught.
TEST(SystolicCosimMutation, WrongArithmeticIsCaught) {
  VerifyResult r = run_case({"rows=3", "cols=2"}, 5, "", [](GeneratedDesign& d) {
    for (auto& f : d.files) {
      auto pos = f.contents.find("assign psum_d = psum_i + ");
      if (pos != std::string::npos) f.contents.replace(pos, 25, "assign psum_d = psum_i - ");
    }
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(SystolicCosimMutation, WrongTimingIsCaught) {
  // One more cycle of output latency: values still right, cycles wrong.
  VerifyResult r = run_case({"rows=3", "cols=2"}, 5, "", [](GeneratedDesign& d) {
    for (auto& f : d.files) {
      auto pos = f.contents.find(".Depth (6)\n  ) u_y_valid");
      if (pos != std::string::npos) f.contents.replace(pos, 10, ".Depth (7)");
    }
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_NE(r.rtl_cycles, r.golden_cycles);
}

TEST(SystolicCosimTrace, WritesAnFstWaveform) {
  const fs::path trace = fs::temp_directory_path() / ("accelgen_trace_" + std::to_string(::getpid()) + ".fst");
  VerifyResult r = run_case({"rows=2", "cols=2"}, 3, trace.string());
  EXPECT_TRUE(r.passed());
  ASSERT_TRUE(fs::exists(trace));
  EXPECT_GT(fs::file_size(trace), 200u);
  fs::remove(trace);
}

}  // namespace
}  // namespace accelgen::sim
