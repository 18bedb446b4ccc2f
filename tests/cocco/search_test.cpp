// Partition search: exact DP over down-sets against brute-force set-partition enumeration on
// every test DAG up to 12 layers; the GA (and the baselines) against the exact optimum; genome
// operators keep validity; monotonicity in buffer size; shared <= separate; determinism.
#include "flows/cocco/search.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen::flows::cocco {
namespace {

// Random DAG: one or two image inputs, n layers each reading one or two earlier tensors with a
// random window; random channels and weights, so that capacities bind.
LayerGraph random_dag(std::mt19937_64& rng, int n) {
  std::vector<LayerSpec> specs;
  const int sources = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < sources; ++i)
    specs.push_back({fmt::format("in{}", i), {}, 32, 32, 8 << (rng() % 3)});
  for (int i = 0; i < n; ++i) {
    const int me = static_cast<int>(specs.size());
    std::vector<int> preds{
        static_cast<int>(sources + (i == 0 ? -1 : 0) + rng() % (me - sources + (i == 0 ? 1 : 0)))};
    if (i == 0) preds = {static_cast<int>(rng() % sources)};
    if (me > 1 && rng() % 3 == 0) {
      const int q = static_cast<int>(rng() % me);
      if (q != preds[0]) preds.push_back(q);
    }
    const int64_t f = 1 + 2 * static_cast<int64_t>(rng() % 2);
    const int64_t ch = 8 << (rng() % 3);
    LayerSpec s{fmt::format("l{}", i), preds, 32, 32, ch, f, 1, f, 1, (f - 1) / 2, (f - 1) / 2};
    s.weight_bytes = (rng() % 4 == 0) ? 0 : f * f * 8 * ch * static_cast<int64_t>(1 + rng() % 8);
    s.macs = 32 * 32 * s.weight_bytes;
    specs.push_back(s);
  }
  return from_specs("rand", specs);
}

Problem problem_for(const LayerGraph& g, bool shared, Metric m, int64_t cap_kib) {
  Problem p;
  p.graph = &g;
  p.energy = energy_from_tech(tech_preset("cocco_12nm"), 32);
  p.metric = m;
  p.coexplore = false;
  p.hw.shared = shared;
  p.hw.shared_bytes = cap_kib * 1024;
  p.hw.gb_bytes = cap_kib * 1024 / 2;
  p.hw.wb_bytes = cap_kib * 1024 / 2;
  p.scheme.tile_h = p.scheme.tile_w = 4;
  return p;
}

TEST(CoccoSearch, ExactDpEqualsBruteForceUpTo12Layers) {
  std::mt19937_64 rng(2024);
  int graphs = 0;
  for (int n = 1; n <= 12; ++n) {
    const int count = n <= 9 ? 25 : (n <= 11 ? 3 : 2);
    for (int t = 0; t < count; ++t) {
      const LayerGraph g = random_dag(rng, n);
      const bool shared = rng() % 2;
      const Metric m = rng() % 2 ? Metric::kEma : Metric::kEnergy;
      const int64_t cap = int64_t{8} << (rng() % 5);  // 8..128 KiB: fusion limited
      const Problem p = problem_for(g, shared, m, cap);
      Evaluator e(p);
      const SearchResult dp = exact_dp(e, Genome{});
      const SearchResult bf = brute_force(e, Genome{});
      ASSERT_TRUE(dp.finished);
      EXPECT_NEAR(dp.cost.objective, bf.cost.objective, 1e-9 * bf.cost.objective)
          << "n " << n << " t " << t;
      EXPECT_TRUE(partition_valid(e, dp.best.label));
      EXPECT_TRUE(dp.cost.feasible);
      // The baselines are never better than the optimum.
      EXPECT_GE(greedy(e, Genome{}).cost.objective, bf.cost.objective * (1 - 1e-12));
      EXPECT_GE(depth_dp(e, Genome{}).cost.objective, bf.cost.objective * (1 - 1e-12));
      ++graphs;
    }
  }
  EXPECT_EQ(graphs, 25 * 9 + 3 * 2 + 2);
}

TEST(CoccoSearch, ExactDpHandCases) {
  // Diamond in -> a -> {b, c} -> d (element-wise, no weights): one subgraph is optimal for EMA
  // when it fits: EMA = |in| + |d| = 2 x 32x32x8.
  const LayerGraph g = from_specs("diamond", {{"in", {}, 32, 32, 8},
                                              {"a", {0}, 32, 32, 8},
                                              {"b", {1}, 32, 32, 8},
                                              {"c", {1}, 32, 32, 8},
                                              {"d", {2, 3}, 32, 32, 8}});
  Problem p = problem_for(g, true, Metric::kEma, 1024);
  Evaluator e(p);
  const SearchResult r = exact_dp(e, Genome{});
  EXPECT_EQ(r.cost.ema_bytes, 2 * 32 * 32 * 8);
  EXPECT_EQ(r.cost.blocks, 1);
  // {a, d} without b and c is not connected-and-acyclic: the quotient would have a cycle.
  EXPECT_FALSE(partition_valid(e, {0, 1, 1, 0}));
  EXPECT_TRUE(partition_valid(e, {0, 1, 2, 3}));
  // Singletons: every layer loads its inputs and stores its output.
  EXPECT_EQ(e.evaluate(singletons(e, Genome{})).ema_bytes, 8192 * (2 + 2 + 2 + 3));
}

TEST(CoccoSearch, GaReachesTheExactOptimum) {
  std::mt19937_64 rng(7);
  for (int t = 0; t < 24; ++t) {
    const int n = 6 + static_cast<int>(rng() % 7);
    const LayerGraph g = random_dag(rng, n);
    const Problem p = problem_for(g, t % 2, t % 3 ? Metric::kEnergy : Metric::kEma, 32);
    Evaluator e(p);
    const SearchResult dp = exact_dp(e, Genome{});
    GaParams gp;
    gp.samples = 4000;
    gp.population = 40;
    gp.seed = 100 + t;
    const SearchResult r = ga(e, gp);
    EXPECT_NEAR(r.cost.objective, dp.cost.objective, 1e-9 * dp.cost.objective)
        << "graph " << t << " n " << n;
    EXPECT_GE(simulated_annealing(e, {.samples = 2000, .seed = 3}).cost.objective,
              dp.cost.objective * (1 - 1e-12));
  }
}

TEST(CoccoSearch, GaCoExplorationReachesTheExactOptimum) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 8; ++t) {
    const LayerGraph g = random_dag(rng, 7 + t % 4);
    Problem p = problem_for(g, true, Metric::kEnergy, 64);
    p.coexplore = true;
    p.alpha = 0.002;
    p.grids.shared.clear();
    for (int64_t k = 8; k <= 256; k += 8) p.grids.shared.push_back(k * 1024);
    Evaluator e(p);
    const SearchResult ex = exact_coexplore(e);
    ASSERT_TRUE(ex.finished);
    GaParams gp;
    gp.samples = 40000;
    gp.population = 50;
    gp.seed = t;
    const SearchResult r = ga(e, gp);
    EXPECT_NEAR(r.cost.objective, ex.cost.objective, 1e-9 * ex.cost.objective) << t;
    EXPECT_EQ(r.cost.buffer_bytes, ex.cost.buffer_bytes) << t;
  }
}

// The paper: on its first four models (VGG16, ResNet50, ResNet152, GoogleNet) the GA finds the
// optimum enumeration finds. Here: partition only (Eq. 1), 1 MB + 1.125 MB, M = EMA, as Fig. 11.
// ResNet-50 with the paper's 400,000 samples runs in seconds; with ACCELGEN_SLOW_TESTS=1 all four
// models, three seeds each.
TEST(CoccoSearch, GaReachesTheExactOptimumOnZooModels) {
  const bool slow = std::getenv("ACCELGEN_SLOW_TESTS") != nullptr;
  std::vector<std::string> models = {"resnet50"};
  if (slow) models = {"vgg16", "resnet50", "resnet152", "googlenet"};
  for (const std::string& m : models) {
    const LayerGraph g = from_ir(graph::build_zoo_model(m));
    Problem p;
    p.graph = &g;
    p.energy = energy_from_tech(tech_preset("cocco_12nm"), 32);
    p.metric = Metric::kEma;
    p.coexplore = false;
    Evaluator e(p);
    const SearchResult ex = exact_dp(e, Genome{});
    ASSERT_TRUE(ex.finished) << m;
    for (uint64_t seed : slow ? std::vector<uint64_t>{1, 2, 3} : std::vector<uint64_t>{1}) {
      GaParams gp;
      gp.samples = 400000;
      gp.seed = seed;
      const SearchResult r = ga(e, gp);
      EXPECT_NEAR(r.cost.objective, ex.cost.objective, 1e-9 * ex.cost.objective)
          << m << " seed " << seed;
    }
  }
}

TEST(CoccoSearch, OperatorsKeepGenomesValid) {
  std::mt19937_64 rng(5);
  const LayerGraph g = random_dag(rng, 12);
  const Problem p = problem_for(g, false, Metric::kEma, 64);
  Evaluator e(p);
  Genome a = random_genome(e, rng), b = random_genome(e, rng);
  for (int i = 0; i < 20000; ++i) {
    switch (i % 6) {
      case 5:
        mutate_window(e, a, rng, 1 + i % 4);
        break;
      case 0:
        mutate_modify(e, a, rng);
        break;
      case 1:
        mutate_split(e, a, rng);
        break;
      case 2:
        mutate_merge(e, a, rng);
        break;
      case 3:
        a = crossover(e, a, b, rng, 0.5);
        break;
      default:
        b = random_genome(e, rng);
        repair(e, b, rng);
    }
    ASSERT_TRUE(partition_valid(e, a.label)) << i;
    ASSERT_TRUE(partition_valid(e, b.label)) << i;
  }
  repair(e, a, rng);
  EXPECT_TRUE(e.evaluate(a).feasible);
}

TEST(CoccoSearch, MonotoneInBufferSizeAndSharedNotWorse) {
  std::mt19937_64 rng(9);
  for (int t = 0; t < 6; ++t) {
    const LayerGraph g = random_dag(rng, 9);
    double prev_ema = 1e300, prev_energy = 1e300;
    for (int64_t cap = 8; cap <= 512; cap *= 2) {
      Evaluator ee(problem_for(g, false, Metric::kEma, cap));
      const double ema = exact_dp(ee, Genome{}).cost.objective;
      EXPECT_LE(ema, prev_ema) << t << " " << cap;
      prev_ema = ema;
      // Energy-optimal partition on fixed hardware, SRAM read at a 4 KiB bank (so every buffer
      // here costs the same per access): falls with the buffer. (With a monolithic SRAM curve a
      // bigger buffer costs more per access and this need not hold: that is the trade-off.)
      Problem pe = problem_for(g, false, Metric::kEnergy, cap);
      pe.energy = energy_from_tech(tech_preset("cocco_12nm"), 4);
      Evaluator es(pe);
      const double energy = exact_dp(es, Genome{}).cost.objective;
      EXPECT_LE(energy, prev_energy * (1 + 1e-12)) << t << " " << cap;
      prev_energy = energy;
      // A shared buffer of the same total never does worse than the split into halves.
      Problem ps = problem_for(g, true, Metric::kEnergy, cap);
      ps.energy = pe.energy;
      Evaluator sh(ps);
      EXPECT_LE(exact_dp(sh, Genome{}).cost.objective, energy * (1 + 1e-12)) << t << " " << cap;
    }
  }
}

TEST(CoccoSearch, SameSeedSameResult) {
  std::mt19937_64 rng(3);
  const LayerGraph g = random_dag(rng, 12);
  Problem p = problem_for(g, false, Metric::kEnergy, 64);
  p.coexplore = true;
  Evaluator e1(p), e2(p);
  GaParams gp;
  gp.samples = 3000;
  gp.seed = 42;
  const SearchResult a = ga(e1, gp), b = ga(e2, gp);
  EXPECT_EQ(a.best.label, b.best.label);
  EXPECT_EQ(a.best.cap_a, b.best.cap_a);
  EXPECT_EQ(a.trace, b.trace);
  gp.seed = 43;
  EXPECT_EQ(ga(e1, gp).samples, 3000);
}

TEST(CoccoSearch, RejectsBadInput) {
  std::mt19937_64 rng(1);
  const LayerGraph g = random_dag(rng, 15);
  Evaluator e(problem_for(g, true, Metric::kEma, 64));
  EXPECT_THROW(brute_force(e, Genome{}), UserError);
  GaParams gp;
  gp.population = 1;
  EXPECT_THROW(ga(e, gp), UserError);
  Problem bad = problem_for(g, true, Metric::kEma, 64);
  bad.alpha = -1;
  EXPECT_THROW(Evaluator{bad}, UserError);
  EXPECT_THROW(two_step(e, true, 1000, 5000, 1), UserError);
}

}  // namespace
}  // namespace accelgen::flows::cocco
