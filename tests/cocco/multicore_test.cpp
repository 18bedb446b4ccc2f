// Multi-core and batch (paper §5.4.2–5.4.3) against hand counts: on C cores a subgraph's weights
// are split into C subsets (each core buffers ceil(W / C)), every elementary operation fetches the
// other C - 1 subsets over the crossbar, compute and DRAM traffic spread over the cores; a batch
// multiplies activations and elementary operations but loads weights once.
#include <gtest/gtest.h>

#include "compiler/graph/builder.hpp"
#include "flows/cocco/model.hpp"

namespace accelgen::flows::cocco {
namespace {

// in 32x32x8 -> a (1x1, 100 B of weights) -> b (1x1, 200 B), output tile 4x4: 64 elementary
// operations per sample, fused or not.
LayerGraph chain() {
  return from_specs("chain", {{"in", {}, 32, 32, 8},
                              {"a", {0}, 32, 32, 8, 1, 1, 1, 1, 0, 0, 100, 4096 * 100},
                              {"b", {1}, 32, 32, 8, 1, 1, 1, 1, 0, 0, 200, 4096 * 200}});
}

Problem problem(const LayerGraph& g, int cores) {
  Problem p;
  p.graph = &g;
  p.energy = energy_from_tech(tech_preset("cocco_12nm"), 32);
  p.coexplore = false;
  p.hw.gb_bytes = 64 * 1024;
  p.hw.wb_bytes = 200;  // the fused block's 300 B fit only when split over cores
  p.hw.cores = cores;
  p.scheme.tile_h = p.scheme.tile_w = 4;
  return p;
}

TEST(CoccoMultiCore, CostsFollowTheHandCount) {
  const LayerGraph g = chain();
  const Genome fused{{0, 0}}, apart{{0, 1}};
  const double hop = tech_preset("cocco_12nm").hop_pj_per_bit.value;
  ASSERT_GT(hop, 0);
  Evaluator one(problem(g, 1));
  const PartitionCost f1 = one.evaluate(fused), a1 = one.evaluate(apart);
  EXPECT_FALSE(f1.feasible);  // 300 B of weights > 200 B on one core
  EXPECT_TRUE(a1.feasible);
  EXPECT_EQ(a1.xbar_bytes, 0);
  EXPECT_EQ(a1.buffer_bytes, 64 * 1024 + 200);
  for (int cores : {2, 3, 4}) {
    Evaluator e(problem(g, cores));
    const PartitionCost f = e.evaluate(fused), a = e.evaluate(apart);
    EXPECT_TRUE(f.feasible) << cores;  // ceil(300 / cores) <= 200
    EXPECT_EQ(f.buffer_bytes, cores * (64 * 1024 + 200));
    // 64 elementary operations, each fetching (cores - 1) / cores of the weights.
    EXPECT_DOUBLE_EQ(f.xbar_bytes, 64.0 * 300 * (cores - 1) / cores);
    EXPECT_DOUBLE_EQ(a.xbar_bytes,
                     64.0 * 100 * (cores - 1) / cores + 64.0 * 200 * (cores - 1) / cores);
    // Same DRAM traffic; energy grows by exactly the crossbar bits.
    EXPECT_EQ(a.ema_bytes, a1.ema_bytes);
    EXPECT_NEAR(a.energy_pj - a1.energy_pj, 8 * a.xbar_bytes * hop, 1e-9 * a1.energy_pj);
    // Compute spread over the cores: b alone is 4096 * 200 / 1024 = 800 cycles, and so on.
    EXPECT_LE(a.latency_cycles, a1.latency_cycles);
  }
  // Latency on 4 cores, by hand: block a: max(ceil(400 / 4), (8192 in + 8192 out + 200 next
  // weights) / 64 B per cycle) = 259.125 cycles; block b: max(200, 16384 / 64 = 256); plus the
  // first weights 100 / 64.
  Evaluator four(problem(g, 4));
  EXPECT_DOUBLE_EQ(four.evaluate(apart).latency_cycles, 100.0 / 64 + 16584.0 / 64 + 256);
}

TEST(CoccoMultiCore, BatchLoadsWeightsOnceAndScalesActivations) {
  // A 3x3 convolution chain built at batch 1 and 3 through the graph IR.
  auto build = [](int64_t batch) {
    graph::Builder b("conv2");
    std::string x = b.input("x", {batch, 8, 16, 16});
    x = b.conv("c1", x, 16, 3, {.batch_norm = false, .activation = ""});
    b.conv("c2", x, 8, 3, {.batch_norm = false, .activation = ""});
    return from_ir(b.graph());
  };
  const LayerGraph g1 = build(1), g3 = build(3);
  const SchemeParams p;
  const BlockCost c1 = block_cost(g1, {1, 2}, p, 1024), c3 = block_cost(g3, {1, 2}, p, 1024);
  const int64_t weights = 9 * 8 * 16 + 9 * 16 * 8;
  const int64_t act = 16 * 16 * 8;  // input and output are both 16x16x8
  EXPECT_EQ(c1.ema_bytes, act + act + weights);
  EXPECT_EQ(c3.ema_bytes, 3 * (act + act) + weights);
  EXPECT_EQ(c3.act_bytes, c1.act_bytes);  // samples run one after another
  EXPECT_EQ(c3.weight_bytes, c1.weight_bytes);
  EXPECT_EQ(c3.elementary_ops, 3 * c1.elementary_ops);
  EXPECT_EQ(c3.macs, 3 * c1.macs);
  EXPECT_EQ(c1.macs, 16 * 16 * 9 * 8 * 16 + 16 * 16 * 9 * 16 * 8);
}

}  // namespace
}  // namespace accelgen::flows::cocco
