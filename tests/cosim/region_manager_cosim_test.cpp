// Layer 3 for `region_manager`: the corner sequence plus seeded random command streams (every kind
// of illegal command) at the paper's size (N = 64, 17-bit addresses), a non-power-of-two buffer
// with driver gaps and a one-region table; the region traces of flows/cocco partitions of
// ResNet-50 and GoogleNet; and an off-by-one in the translation bound that must be caught.
#include <gtest/gtest.h>

#include <iostream>

#include "common/error.hpp"
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"
#include "verilator_tb/region_manager/region_manager_tb.hpp"

namespace accelgen::sim {
namespace {

class RegionManagerCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(RegionManagerCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  const VerifyResult r =
      run_cosim("region_manager", c.sets, c.seed, trace_path_for("RegionManagerCosim_" + c.name));
  expect_exact(r, c.seed);
  // The stream reached what it is meant to reach: errors, a full table, wrapped translations.
  EXPECT_GT(r.details["errors"].get<int64_t>(), 0);
  EXPECT_GT(r.details["responses_with_full_table"].get<int64_t>(), 0);
  EXPECT_GT(r.details["translations_wrapped"].get<int64_t>(), 0);
}

INSTANTIATE_TEST_SUITE_P(Scan, RegionManagerCosim,
                         ::testing::Values(CosimCase{"paper_n64_a17", {}, 1},
                                           CosimCase{"n5_a4_c11_gaps",
                                                     {"regions=5", "addr_bits=4",
                                                      "capacity_words=11", "gap_percent=30"},
                                                     2},
                                           CosimCase{"n1_a2", {"regions=1", "addr_bits=2"}, 3}),
                         [](const auto& info) { return info.param.name; });

TEST(RegionManagerCosimMutation, OffByOneInTheBoundCheckIsCaught) {
  const std::string vcd = traced_vcd("region_manager_bound_check");
  const VerifyResult r =
      run_cosim("region_manager", {"regions=5", "addr_bits=4", "capacity_words=11"}, 4, vcd, 0,
                mutation("cmd_arg_i <= rel_last", "cmd_arg_i < rel_last"));
  EXPECT_GT(r.mismatches, 0);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(RegionManagerCosimMutation, OverCapacityCheckOffByOneIsCaught) {
  // Refusing an allocation that exactly fills the buffer (used + n = C).
  const VerifyResult r =
      run_cosim("region_manager", {"regions=5", "addr_bits=4", "capacity_words=11"}, 6, "", 0,
                mutation("} <= 6'd11", "} < 6'd11"));
  EXPECT_GT(r.mismatches, 0);
}

// The region traces of flows/cocco partitions (stream=cocco) at the paper's size.
class RegionManagerCoccoTrace
    : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(RegionManagerCoccoTrace, MatchesGoldenOnTheSchemesRegions) {
  const auto& [model, partition] = GetParam();
  const VerifyResult r =
      run_cosim("region_manager", {"stream=cocco", "model=" + model, "partition=" + partition}, 5);
  expect_exact(r, 5);
  EXPECT_GT(r.details["subgraphs"].get<int64_t>(), 1);
  EXPECT_GT(r.details["alloc"].get<int64_t>(), r.details["subgraphs"].get<int64_t>());
  // The ring placement carries regions past the end of the buffer in the real traces too.
  EXPECT_GT(r.details["translations_wrapped"].get<int64_t>(), 0);
  std::cout << model << " (" << partition << "): " << r.details.dump() << "\n";
}

// RandWire-A's depth-DP partition has a 64-layer subgraph whose inputs make 72 regions: the flow
// limits layers (--max-nodes) while the table holds layers and their inputs. One line, no crash.
TEST(RegionManagerCoccoTraceLimits, TooManyRegionsIsOneLine) {
  RegionManagerParams p;
  try {
    cocco_region_commands(p, "randwire_a", "dp");
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("needs 72 regions"), std::string::npos) << e.what();
  }
  p.regions = 128;
  EXPECT_GT(cocco_region_commands(p, "randwire_a", "dp").commands.size(), 1000u);
  p.regions = 64;
  p.addr_bits = 8;  // a region longer than the 9-bit argument port carries
  EXPECT_THROW(cocco_region_commands(p, "resnet50", "dp"), UserError);
}

INSTANTIATE_TEST_SUITE_P(Zoo, RegionManagerCoccoTrace,
                         ::testing::Values(std::pair<std::string, std::string>{"resnet50", "dp"},
                                           std::pair<std::string, std::string>{"googlenet",
                                                                               "greedy"}),
                         [](const auto& info) { return info.param.first; });

}  // namespace
}  // namespace accelgen::sim
