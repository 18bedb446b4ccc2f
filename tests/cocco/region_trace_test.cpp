// The region trace of a partition (region_trace): regions, lengths in words and the addresses a
// subgraph touches, worked out by hand on two small graphs; every command of a zoo partition's
// trace is legal on the paper's region manager (N = 64, 2^17 words) when its subgraphs fit.
#include "flows/cocco/region_trace.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "compiler/graph/model_source.hpp"
#include "flows/cocco/model.hpp"
#include "flows/cocco/search.hpp"
#include "golden_model/region_manager/region_manager_model.hpp"

namespace accelgen::flows::cocco {
namespace {

using K = RegionStep::Kind;

struct Want {
  K kind;
  int block, region, layer;
  int64_t words;
};

void expect_trace(const std::vector<RegionStep>& got, const std::vector<Want>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].kind, want[i].kind) << i;
    EXPECT_EQ(got[i].block, want[i].block) << i;
    EXPECT_EQ(got[i].region, want[i].region) << i;
    EXPECT_EQ(got[i].layer, want[i].layer) << i;
    EXPECT_EQ(got[i].words, want[i].words) << i;
  }
}

// in (16 x 16 x 8) -> 1x1 conv (8 ch) -> 1x1 conv (16 ch), output tile 4 x 4: every node holds a
// 4 x 4 tile and no SIDE rows (x = delta = 4): 4*4*8 = 128 B = 16 words, 4*4*16 = 256 B = 32 words.
TEST(CoccoRegionTrace, PointwiseChainByHand) {
  const LayerGraph g =
      from_specs("chain", {{"in", {}, 16, 16, 8}, {"a", {0}, 16, 16, 8}, {"b", {1}, 16, 16, 16}});
  SchemeParams p;
  p.tile_h = p.tile_w = 4;
  expect_trace(region_trace(g, {{1, 2}}, p, 8), {{K::kAlloc, 0, 0, 0, 16},
                                                 {K::kAlloc, 0, 1, 1, 16},
                                                 {K::kAlloc, 0, 2, 2, 32},
                                                 {K::kTranslate, 0, 0, 0, 0},
                                                 {K::kTranslate, 0, 0, 0, 15},
                                                 {K::kTranslate, 0, 1, 1, 0},
                                                 {K::kTranslate, 0, 1, 1, 15},
                                                 {K::kTranslate, 0, 2, 2, 0},
                                                 {K::kTranslate, 0, 2, 2, 31},
                                                 {K::kFree, 0, 0, 0, 0},
                                                 {K::kFree, 0, 1, 1, 0},
                                                 {K::kFree, 0, 2, 2, 0}});
  // Two subgraphs: the second reads a's output from DRAM as its input region.
  expect_trace(region_trace(g, {{1}, {2}}, p, 8), {{K::kAlloc, 0, 0, 0, 16},
                                                   {K::kAlloc, 0, 1, 1, 16},
                                                   {K::kTranslate, 0, 0, 0, 0},
                                                   {K::kTranslate, 0, 0, 0, 15},
                                                   {K::kTranslate, 0, 1, 1, 0},
                                                   {K::kTranslate, 0, 1, 1, 15},
                                                   {K::kFree, 0, 0, 0, 0},
                                                   {K::kFree, 0, 1, 1, 0},
                                                   {K::kAlloc, 1, 0, 1, 16},
                                                   {K::kAlloc, 1, 1, 2, 32},
                                                   {K::kTranslate, 1, 0, 1, 0},
                                                   {K::kTranslate, 1, 0, 1, 15},
                                                   {K::kTranslate, 1, 1, 2, 0},
                                                   {K::kTranslate, 1, 1, 2, 31},
                                                   {K::kFree, 1, 0, 1, 0},
                                                   {K::kFree, 1, 1, 2, 0}});
}

// in (16 x 16 x 8) -> 3x3 conv, stride 1, no padding (14 x 14 x 8), output tile 4 x 4: the input
// needs x = 3 + (4 - 1) = 6 rows and columns, MAIN 6*6*8 = 288 B = 36 words and SIDE
// (6 - 4)*16*8 = 256 B = 32 words; the output holds one 4 x 4 tile (128 B = 16 words). With
// 32-byte words: MAIN 9, SIDE 8, output 4.
TEST(CoccoRegionTrace, HaloRegionsByHand) {
  const LayerGraph g =
      from_specs("halo", {{"in", {}, 16, 16, 8}, {"c", {0}, 14, 14, 8, 3, 1, 3, 1, 0, 0, 576, 0}});
  SchemeParams p;
  p.tile_h = p.tile_w = 4;
  expect_trace(region_trace(g, {{1}}, p, 8), {{K::kAlloc, 0, 0, 0, 68},
                                              {K::kAlloc, 0, 1, 1, 16},
                                              {K::kTranslate, 0, 0, 0, 0},
                                              {K::kTranslate, 0, 0, 0, 35},
                                              {K::kTranslate, 0, 0, 0, 36},
                                              {K::kTranslate, 0, 0, 0, 67},
                                              {K::kTranslate, 0, 1, 1, 0},
                                              {K::kTranslate, 0, 1, 1, 15},
                                              {K::kFree, 0, 0, 0, 0},
                                              {K::kFree, 0, 1, 1, 0}});
  const auto wide = region_trace(g, {{1}}, p, 32);
  EXPECT_EQ(wide[0].words, 9 + 8);
  EXPECT_EQ(wide[1].words, 4);
  EXPECT_THROW(region_trace(g, {{1}}, p, 0), UserError);
}

// ResNet-50 under the depth-ordered DP at 1 MB + 1.125 MB: every subgraph fits, so on the paper's
// region manager every command of the trace succeeds.
TEST(CoccoRegionTrace, ResNet50TraceIsLegalOnThePapersManager) {
  const LayerGraph g = from_ir(graph::load_model("resnet50"));
  Problem prob;
  prob.graph = &g;
  prob.energy = energy_from_tech(tech_preset("cocco_12nm"), 32);
  prob.metric = Metric::kEma;
  prob.coexplore = false;
  Evaluator e(prob);
  const SearchResult r = depth_dp(e, Genome{});
  const std::vector<std::vector<int>> blocks = block_layers(e, r.best.label);
  RegionManagerParams hw;  // N = 64, 17-bit addresses, 64-bit words
  golden::RegionManagerModel m(hw);
  int64_t commands = 0;
  for (const RegionStep& s : region_trace(g, blocks, prob.scheme, 8)) {
    const RegionOp op = s.kind == K::kAlloc  ? RegionOp::kAlloc
                        : s.kind == K::kFree ? RegionOp::kFree
                                             : RegionOp::kTranslate;
    ASSERT_FALSE(m.apply(op, s.region, s.words).first)
        << "block " << s.block << " region " << s.region;
    ++commands;
  }
  EXPECT_EQ(m.live(), 0);
  EXPECT_GT(commands, 100);
}

}  // namespace
}  // namespace accelgen::flows::cocco
