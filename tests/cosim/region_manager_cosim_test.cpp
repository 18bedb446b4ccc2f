// Layer 3 for `region_manager`: the corner sequence plus seeded random command streams (every kind
// of illegal command) at the paper's size (N = 64, 17-bit addresses), a non-power-of-two buffer
// with driver gaps and a one-region table; the region traces of flows/cocco partitions of
// ResNet-50 and GoogleNet; and an off-by-one in the translation bound that must be caught.
#include <gtest/gtest.h>

#include "compiler/graph/model_source.hpp"
#include "flows/cocco/model.hpp"
#include "flows/cocco/region_trace.hpp"
#include "flows/cocco/search.hpp"
#include "flows/common/tech_table.hpp"
#include "tests/cosim/cosim_case.hpp"
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
  const VerifyResult r =
      run_cosim("region_manager", {"regions=5", "addr_bits=4", "capacity_words=11"}, 4, "", 0,
                mutation("cmd_arg_i <= rel_last", "cmd_arg_i < rel_last"));
  EXPECT_GT(r.mismatches, 0);
}

// A flows/cocco partition of a zoo model, as region_manager commands at the paper's size.
struct CoccoTrace {
  std::vector<golden::RegionCommand> commands;
  int64_t subgraphs = 0;
};

CoccoTrace cocco_commands(const std::string& model, bool greedy_partition,
                          const RegionManagerParams& p) {
  using namespace flows::cocco;
  const LayerGraph g = from_ir(graph::load_model(model));
  Problem prob;
  prob.graph = &g;
  prob.energy = energy_from_tech(flows::tech_preset("cocco_12nm"), 32);
  prob.metric = Metric::kEma;
  prob.coexplore = false;  // 1 MB global + 1.125 MB weight buffer, the paper's partition study
  Evaluator e(prob);
  const SearchResult best = greedy_partition ? greedy(e, Genome{}) : depth_dp(e, Genome{});
  std::vector<std::vector<int>> blocks;
  for (const auto& b : e.blocks(best.best.label)) {
    blocks.emplace_back();
    for (int m : b) blocks.back().push_back(g.compute[m]);
  }
  CoccoTrace t;
  t.subgraphs = static_cast<int64_t>(blocks.size());
  for (const RegionStep& s : region_trace(g, blocks, prob.scheme, p.word_bits / 8)) {
    EXPECT_LT(s.region, p.regions) << model << ": a subgraph needs more regions than the table has";
    const RegionOp op = s.kind == RegionStep::Kind::kAlloc  ? RegionOp::kAlloc
                        : s.kind == RegionStep::Kind::kFree ? RegionOp::kFree
                                                            : RegionOp::kTranslate;
    t.commands.push_back({op, s.region, s.words, 0});
  }
  return t;
}

class RegionManagerCoccoTrace : public ::testing::TestWithParam<std::pair<std::string, bool>> {};

TEST_P(RegionManagerCoccoTrace, MatchesGoldenOnTheSchemesRegions) {
  const BlockInfo& info = find_block("region_manager");
  const ParamSet params = resolve_params(info, "", {}, true);
  const RegionManagerParams p = RegionManagerParams::from(params);
  CoccoTrace t = cocco_commands(GetParam().first, GetParam().second, p);
  ASSERT_GT(t.subgraphs, 1);
  stamp_arrivals(t.commands, 5, 0);
  auto model = build_model(generate_design(info, params), trace_kind_for(""));
  const VerifyResult r =
      run_region_manager_commands(p, *model, t.commands, VerifyOptions{5, 0, "", {}});
  expect_exact(r, 5);
  // Every translation of a region the manager placed is legal; the placement runs round the ring.
  const auto want = golden::predict_region_manager(p, t.commands);
  int64_t placed = 0, allocs = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (t.commands[i].op == RegionOp::kAlloc) ++allocs, placed += !want[i].error;
  }
  EXPECT_GT(placed, 0);
  RecordProperty("allocations", static_cast<int>(allocs));
  RecordProperty("placed", static_cast<int>(placed));
  std::cout << GetParam().first << ": " << t.subgraphs << " subgraphs, " << t.commands.size()
            << " commands, " << allocs << " allocations (" << allocs - placed
            << " over capacity: streamed single layers), " << r.details["translations_wrapped"]
            << " wrapped translations\n";
}

INSTANTIATE_TEST_SUITE_P(Zoo, RegionManagerCoccoTrace,
                         ::testing::Values(std::pair<std::string, bool>{"resnet50", false},
                                           std::pair<std::string, bool>{"googlenet", true}),
                         [](const auto& info) { return info.param.first; });

}  // namespace
}  // namespace accelgen::sim
