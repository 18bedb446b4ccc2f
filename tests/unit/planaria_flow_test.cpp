// Planaria's flows: the fission configuration space (Table 5.2), the per-layer cycle model checked
// against the cycle-exact `systolic` golden model, layer lowering worked by hand, and the
// scheduler's allocation rule and invariants.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "flows/planaria/fission.hpp"
#include "flows/planaria/scheduler.hpp"
#include "flows/planaria/workload.hpp"
#include "golden_model/systolic/systolic_model.hpp"

namespace accelgen::flows::planaria {
namespace {

TEST(PlanariaFission, SixteenSubarraysGiveTableFivePointTwo) {
  const auto c = fission_candidates(16);
  ASSERT_EQ(c.size(), 15u);
  std::map<std::string, int> seen;
  for (const auto& f : c) {
    EXPECT_EQ(f.i * f.j * f.k, 16);
    ++seen[f.name(32)];
  }
  // Table 5.2 as the digest reconstructs it (P = k, IAR = C/32, PSR = R/32).
  for (const char* name : {"(128x128)-1", "(32x512)-1", "(512x32)-1", "(64x256)-1", "(256x64)-1",
                           "(32x256)-2", "(256x32)-2", "(64x128)-2", "(128x64)-2", "(32x128)-4",
                           "(128x32)-4", "(64x64)-4", "(64x32)-8", "(32x64)-8", "(32x32)-16"})
    EXPECT_EQ(seen[name], 1) << name;
}

TEST(PlanariaFission, OddCountsUseTheirPowerOfTwoDivisor) {
  // 6 = 2 * 3: shapes of 1 or 2 subarrays, in 6 or 3 clusters.
  const auto c = fission_candidates(6);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], (Fission{2, 1, 3}));
  EXPECT_EQ(c[1], (Fission{1, 2, 3}));
  EXPECT_EQ(c[2], (Fission{1, 1, 6}));
  EXPECT_EQ(fission_candidates(1).size(), 1u);
  EXPECT_THROW(fission_candidates(0), UserError);
}

TEST(PlanariaFission, ParsesTheThesisNotation) {
  EXPECT_EQ(parse_fission("(256x64)-1", 32, 16), (Fission{8, 2, 1}));
  EXPECT_EQ(parse_fission("64x128x2", 32, 16), (Fission{2, 4, 2}));
  EXPECT_THROW(parse_fission("64x100x2", 32, 16), UserError);
  EXPECT_THROW(parse_fission("128x128x2", 32, 16), UserError);  // needs 32 subarrays
  EXPECT_THROW(parse_fission("big", 32, 16), UserError);
}

// The cycle model's stream rule against the cycle-exact golden model of the `systolic` block, on
// every small shape: equality, not a tolerance.
TEST(PlanariaCycleModel, StreamCyclesEqualTheSystolicGoldenModel) {
  std::mt19937 rng(7);
  for (int r = 1; r <= 5; ++r)
    for (int c = 1; c <= 3; ++c)
      for (int m = 1; m <= 12; ++m)
        for (int tiles = 1; tiles <= 5; ++tiles) {
          SystolicParams p;
          p.rows = r;
          p.cols = c;
          std::vector<golden::SystolicTile> ts(tiles);
          for (auto& t : ts) {
            t.weights.assign(r * c, 1);
            t.vectors.assign(m, std::vector<int64_t>(r, static_cast<int64_t>(rng() % 5)));
            t.w_arrival.assign(r, 0);
            t.x_arrival.assign(m, 0);
          }
          const auto pred = golden::predict_systolic(p, ts);
          ASSERT_EQ(stream_cycles(r, c, m, tiles), pred.cycles)
              << "R " << r << " C " << c << " M " << m << " T " << tiles;
        }
}

TEST(PlanariaCycleModel, LongStreamsCostMCyclesPerTile) {
  // README (systolic): with M >= 2R - 2 a GEMM of T tiles takes R + T*M + R + C + 1 cycles.
  EXPECT_EQ(stream_cycles(32, 32, 1000, 7), 32 + 7 * 1000 + 32 + 32 + 1);
  EXPECT_EQ(stream_cycles(32, 32, 1000, 7, 5), 32 + 7 * 1000 + 32 + 32 + 1 + 5);
  EXPECT_EQ(stream_cycles(32, 32, 0, 7), 0);
  EXPECT_EQ(stream_cycles(32, 32, 5, 0), 0);
}

TEST(PlanariaCycleModel, DepthwiseGainsSixteenfoldOnSixteenClusters) {
  ArrayConfig a;
  a.dram_gbps = 1e9;  // compute-bound: the check is on the array
  // 64 channels of a 3x3 depthwise convolution on a 56x56 output: one GEMM per channel, K = 9, N
  // = 1.
  const std::vector<GemmWork> dw{{64, 56 * 56, 9, 1}};
  const LayerCost mono = layer_cost(dw, {4, 4, 1}, a);
  const LayerCost split = layer_cost(dw, {1, 1, 16}, a);
  // Monolithic: 64 tiles of 3136 vectors (+ 6 ring registers: 3 + 3 subarray boundaries);
  // 16 clusters of 32x32: 4 tiles each, no boundary.
  EXPECT_EQ(mono.compute_cycles, 128 + 64 * 3136 + 128 + 128 + 1 + 6);
  EXPECT_EQ(split.compute_cycles, 32 + 4 * 3136 + 32 + 32 + 1 + 0);
  EXPECT_EQ(mono.tiles, 64);
  EXPECT_EQ(split.tiles, 4);
  // "Up to 16x" (thesis): the fill and drain of each array keep it just below.
  const double gain = static_cast<double>(mono.compute_cycles) / split.compute_cycles;
  EXPECT_GT(gain, 15.9);
  EXPECT_LT(gain, 16.0);
}

TEST(PlanariaCycleModel, ChainedSubarraysPayTheirRingRegisters) {
  ArrayConfig a;
  a.dram_gbps = 1e9;
  a.ring_regs = 2;
  const std::vector<GemmWork> g{{1, 500, 256, 64}};
  // (256x64)-1: i = 8, j = 2: (8-1) + (2-1) boundaries of 2 registers each; 1 tile.
  EXPECT_EQ(layer_cost(g, {8, 2, 1}, a).compute_cycles, 256 + 500 + 256 + 64 + 1 + 16);
}

TEST(PlanariaLowering, ConvolutionsBecomeImToColGemms) {
  graph::Builder b("t");
  const auto x = b.input("x", {1, 16, 10, 10});
  const auto conv = b.conv("conv", x, 32, 3);
  graph::ConvOptions s2;
  s2.stride = 2;
  const auto dw = b.dwconv("dw", conv, 3, s2);
  b.fc("fc", b.flatten("flat", dw), 10);
  b.lstm("lstm", b.input("seq", {7, 2, 24}), 16);
  const graph::Graph g = b.take();
  const auto c = lower_node(g, g.node("conv"));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].count, 1);
  EXPECT_EQ(c[0].m, 100);     // 10x10 outputs
  EXPECT_EQ(c[0].k, 16 * 9);  // C·R·S
  EXPECT_EQ(c[0].n, 32);
  const auto d = lower_node(g, g.node("dw"));
  EXPECT_EQ(d[0].count, 32);  // one GEMM per channel
  EXPECT_EQ(d[0].m, 25);      // 5x5 outputs
  EXPECT_EQ(d[0].k, 9);
  EXPECT_EQ(d[0].n, 1);
  const auto f = lower_node(g, g.node("fc"));
  EXPECT_EQ(f[0].m, 1);
  EXPECT_EQ(f[0].k, 32 * 25);
  EXPECT_EQ(f[0].n, 10);
  EXPECT_TRUE(lower_node(g, g.node("flat")).empty());
  // LSTM [S=7, N=2, I=24], H=16: input projection over all 14 step-samples, then 7 recurrent GEMMs.
  const auto l = lower_node(g, g.node("lstm"));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].count, 1);
  EXPECT_EQ(l[0].m, 14);
  EXPECT_EQ(l[0].k, 24);
  EXPECT_EQ(l[0].n, 64);
  EXPECT_EQ(l[1].count, 7);
  EXPECT_EQ(l[1].m, 2);
  EXPECT_EQ(l[1].k, 16);
  EXPECT_EQ(l[1].n, 64);
}

// --- scheduler ---

QueueEntry entry(int min, int prio, int64_t rem_min, int64_t slack, int64_t rem_all = 100) {
  QueueEntry e;
  e.min_subarrays = min;
  e.priority = prio;
  e.remaining_at_min = rem_min;
  e.remaining_at_all = rem_all;
  e.slack = slack;
  return e;
}

TEST(PlanariaAllocate, FitCaseSharesTheSpareByScore) {
  uint64_t rng = 1;
  // Minimums 2 + 4 = 6 of 16, spare 10. Scores 4/100 = 0.04 and 1/100 = 0.01: 8 and 2 extra.
  const auto a = allocate({entry(2, 4, 100, 1000), entry(4, 1, 100, 1000)}, 16, rng);
  EXPECT_EQ(a, (std::vector<int>{10, 6}));
}

TEST(PlanariaAllocate, FitCaseRoundsHalfToEvenAndFixesTheTotal) {
  uint64_t rng = 1;
  // Three equal scores share spare 13: 13/3 = 4.33 each -> 4 + 4 + 4 = 12; the one left goes to
  // the highest priority (the third task).
  const auto a = allocate({entry(1, 2, 20, 99), entry(1, 2, 20, 99), entry(1, 4, 40, 99)}, 16, rng);
  EXPECT_EQ(a, (std::vector<int>{5, 5, 6}));
  // Spare 1 over two equal scores: round(0.5) = 0 each (half to even), so it goes to the top
  // priority.
  rng = 1;
  const auto b = allocate({entry(7, 1, 10, 99), entry(8, 3, 30, 99)}, 16, rng);
  EXPECT_EQ(b, (std::vector<int>{7, 9}));
  // Over-allocation: spare 2 over scores 1.5/2 and 0.5/2 -> round(1.5)=2, round(0.5)=0 -> fits;
  // then spare 3 over equal scores: round(1.5) = 2 each = 4 > 3: one is taken back from the lower
  // priority.
  rng = 1;
  const auto c = allocate({entry(6, 1, 10, 99), entry(7, 1, 10, 99)}, 16, rng);
  EXPECT_EQ(std::accumulate(c.begin(), c.end(), 0), 16);
  EXPECT_GE(c[0], 6);
  EXPECT_GE(c[1], 7);
}

TEST(PlanariaAllocate, UnfitCaseServesScoresInOrderAndWaitsTheRest) {
  uint64_t rng = 1;
  // Minimums 8 + 8 + 4 = 20 > 16. Scores p/(slack*min): 1/(10*8)=0.0125, 8/(10*8)=0.1,
  // 2/(10*4)=0.05. Order: task 1 (8), task 2 (4), task 0 gets the 4 left (partial).
  const auto a = allocate({entry(8, 1, 9, 10), entry(8, 8, 9, 10), entry(4, 2, 9, 10)}, 16, rng);
  EXPECT_EQ(a, (std::vector<int>{4, 8, 4}));
  // An infeasible task (min 0) ranks below every feasible one and takes what is left.
  rng = 1;
  const auto b = allocate({entry(0, 11, 0, -5, 50), entry(10, 1, 9, 10)}, 16, rng);
  EXPECT_EQ(b, (std::vector<int>{6, 10}));
  // A fifth task after the array is full gets nothing and waits.
  rng = 1;
  const auto c = allocate({entry(16, 5, 9, 10), entry(4, 1, 9, 10)}, 16, rng);
  EXPECT_EQ(c, (std::vector<int>{16, 0}));
}

TEST(PlanariaAllocate, AllInfeasibleSharesByUrgency) {
  uint64_t rng = 1;
  // Scores -1/100 and -3/100: shares 4 and 12 of 16.
  const auto a = allocate({entry(0, 1, 1, -1, 100), entry(0, 3, 1, -1, 100)}, 16, rng);
  EXPECT_EQ(a, (std::vector<int>{4, 12}));
}

// A toy network: 3 layers; with n subarrays a layer of W work tiles runs in ceil(W/n) tiles of 100
// cycles. Table n-1 for n = 1..16, then the monolithic table (as n = 16 here).
TaskModel toy(const std::string& name, std::vector<int64_t> work, int64_t qos) {
  TaskModel m;
  m.name = name;
  for (int n = 1; n <= 17; ++n) {
    std::vector<LayerSteps> t;
    for (int64_t w : work) t.push_back({(w + std::min(n, 16) - 1) / std::min(n, 16), 100});
    m.tables.push_back(t);
  }
  m.qos_cycles = qos;
  return m;
}

TEST(PlanariaScheduler, ALoneTaskRunsAtItsIsolatedTime) {
  const std::vector<TaskModel> models{toy("a", {32, 16, 64}, 1000000)};
  const std::vector<Task> tasks{{0, 0, 5, 1000}};
  const RunResult p = run_planaria(models, tasks, {});
  // Alone: fit case gives it every subarray: 2 + 1 + 4 tiles of 100 cycles.
  EXPECT_EQ(p.tasks[0].isolated, 700);
  EXPECT_EQ(p.tasks[0].finish, 1700);
  EXPECT_TRUE(p.tasks[0].met_qos);
  const RunResult q = run_prema(models, tasks, {});
  EXPECT_EQ(q.tasks[0].finish, 1700);
  EXPECT_DOUBLE_EQ(p.fairness, 1.0);
}

TEST(PlanariaScheduler, InvariantsHoldOnSeededWorkloads) {
  std::vector<TaskModel> models{toy("a", {320, 160, 640}, 9000), toy("b", {48, 48}, 2000),
                                toy("c", {1600, 32, 32, 32}, 40000)};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto tasks = poisson_tasks(40, 400, 3, seed);
    SchedOptions o;
    o.keep_trace = true;
    o.seed = seed;
    const RunResult r = run_planaria(models, tasks, o);
    std::map<int, int> last_alloc;
    for (const Allocation& a : r.trace) {
      int sum = 0;
      for (size_t i = 0; i < a.task_ids.size(); ++i) {
        sum += a.subarrays[i];
        ASSERT_GE(a.done_tiles[i], 0);
      }
      ASSERT_LE(sum, 16);
      ASSERT_EQ(sum, 16) << "a non-empty queue leaves no subarray idle";
    }
    for (const Task& t : tasks) {
      ASSERT_GE(r.tasks[t.id].finish, t.arrival + r.tasks[t.id].isolated)
          << "no task beats its isolated time";
    }
    // Same seed, same schedule.
    const RunResult again = run_planaria(models, tasks, o);
    ASSERT_EQ(again.trace.size(), r.trace.size());
    for (size_t i = 0; i < r.trace.size(); ++i) {
      ASSERT_EQ(again.trace[i].time, r.trace[i].time);
      ASSERT_EQ(again.trace[i].subarrays, r.trace[i].subarrays);
    }
    const RunResult p = run_prema(models, tasks, o);
    for (const Allocation& a : p.trace) {
      int running = 0;
      for (int s : a.subarrays) running += s > 0;
      ASSERT_EQ(running, 1) << "PREMA runs one task at a time";
    }
  }
}

TEST(PlanariaScheduler, MinimumsAreMetWhenTheyFit) {
  // 64 tiles within 1000 cycles needs ceil(64/n) <= 10 -> n >= 7 for both: 14 of 16 fit; the
  // spare 2 goes one each (equal scores), and both meet their bounds.
  std::vector<TaskModel> models{toy("a", {64}, 1000), toy("b", {64}, 1000)};
  const std::vector<Task> tasks{{0, 0, 1, 0}, {1, 1, 1, 0}};
  SchedOptions o;
  o.keep_trace = true;
  const RunResult r = run_planaria(models, tasks, o);
  ASSERT_FALSE(r.trace.empty());
  EXPECT_EQ(r.trace[0].subarrays, (std::vector<int>{8, 8}));
  EXPECT_TRUE(r.tasks[0].met_qos);
  EXPECT_TRUE(r.tasks[1].met_qos);
  EXPECT_EQ(r.tasks[0].finish, 800);  // 8 tiles of 100
}

TEST(PlanariaScheduler, UnfitQueueServesTheHigherScoreFirst) {
  // a needs n >= 13 (ceil(64/n) <= 5), b n >= 8 (<= 9): 21 > 16. Scores 1/(500*13) > 1/(900*8):
  // a gets 13, b the 3 left; when a ends at 500, b (5 of 22 tiles done) moves to all 16:
  // ceil(17 * 4 / 22) = 4 tiles more, ending at 900, exactly its bound.
  std::vector<TaskModel> models{toy("a", {64}, 500), toy("b", {64}, 900)};
  const std::vector<Task> tasks{{0, 0, 1, 0}, {1, 1, 1, 0}};
  SchedOptions o;
  o.keep_trace = true;
  const RunResult r = run_planaria(models, tasks, o);
  ASSERT_GE(r.trace.size(), 2u);
  EXPECT_EQ(r.trace[0].subarrays, (std::vector<int>{13, 3}));
  EXPECT_EQ(r.tasks[0].finish, 500);
  EXPECT_EQ(r.tasks[1].finish, 900);
  EXPECT_TRUE(r.tasks[0].met_qos);
  EXPECT_TRUE(r.tasks[1].met_qos);
}

TEST(PlanariaScheduler, ReallocationHappensOnlyAtTileBoundaries) {
  // Task b arrives mid-tile of task a; a's next allocation starts after its tile: a runs whole
  // tiles of 100 cycles, so every recorded time of a change is a multiple of 100 from a's start.
  std::vector<TaskModel> models{toy("a", {1600}, 100000), toy("b", {160}, 100000)};
  const std::vector<Task> tasks{{0, 0, 1, 0}, {1, 1, 1, 250}};
  SchedOptions o;
  o.keep_trace = true;
  const RunResult r = run_planaria(models, tasks, o);
  ASSERT_GE(r.trace.size(), 2u);
  EXPECT_EQ(r.trace[1].time % 100, 0);
  EXPECT_EQ(r.trace[1].time, 300);  // b waits for a's tile (200..300) to end
}

TEST(PlanariaMetrics, FairnessIsMinOverMaxOfWeightedProgress) {
  // PP = (iso/multi) / (prio/sum): (1/2)/(1/3) = 1.5 and (1/1)/(2/3) = 1.5 -> fair.
  EXPECT_DOUBLE_EQ(fairness({10, 10}, {20, 10}, {1, 2}), 1.0);
  // (1/4)/(1/2) = 0.5 and (1/1)/(1/2) = 2 -> 0.25.
  EXPECT_DOUBLE_EQ(fairness({10, 10}, {40, 10}, {1, 1}), 0.25);
}

// Workload files (`flow planaria-sched --workload`): explicit arrivals converted at 700 MHz by
// hand, QoS levels resolved from the MLPerf bounds, and every malformed document one line.
TEST(PlanariaWorkload, ExplicitArrivalsAreConvertedSortedAndResolved) {
  const WorkloadFile w = parse_workload(nlohmann::json::parse(R"({"name": "t", "tasks": [
      {"network": "resnet50", "priority": 7, "qos": "M", "arrivals_ms": [2, 0.5]},
      {"network": "gnmt", "priority": 2, "arrivals_ms": [1, 0.5]},
      {"network": "bert_base", "priority": 11, "qos_ms": 3, "sla": 0.5, "arrivals_ms": [0]}]})"),
                                        "w");
  ASSERT_EQ(w.streams.size(), 3u);
  EXPECT_DOUBLE_EQ(w.streams[0].qos_ms, 3.75);  // 15 ms / 4
  EXPECT_DOUBLE_EQ(w.streams[0].sla, 0.99);
  EXPECT_DOUBLE_EQ(w.streams[1].qos_ms, 250);  // QoS-S by default
  EXPECT_DOUBLE_EQ(w.streams[1].sla, 0.97);    // translation
  EXPECT_DOUBLE_EQ(w.streams[2].qos_ms, 3);
  EXPECT_DOUBLE_EQ(w.streams[2].sla, 0.5);
  const std::vector<Task> t = workload_tasks(w, 700, 1);
  // (arrival cycles, stream, priority): 0 ms; 0.5 ms = 350000 (stream 0 before stream 1);
  // 1 ms = 700000; 2 ms = 1400000.
  const std::vector<std::array<int64_t, 3>> want{
      {0, 2, 11}, {350000, 0, 7}, {350000, 1, 2}, {700000, 1, 2}, {1400000, 0, 7}};
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].id, static_cast<int>(i));
    EXPECT_EQ(t[i].arrival, want[i][0]) << i;
    EXPECT_EQ(t[i].model, want[i][1]) << i;
    EXPECT_EQ(t[i].priority, want[i][2]) << i;
  }
}

TEST(PlanariaWorkload, PoissonStreamsAreSeededAndKeepTheirPriority) {
  const WorkloadFile w = parse_workload(nlohmann::json::parse(R"({"tasks": [
      {"network": "mobilenet_v1", "priority": 4, "rate_qps": 1000, "count": 50},
      {"network": "resnet50", "priority": 9, "rate_qps": 10, "count": 3}]})"),
                                        "w");
  const std::vector<Task> a = workload_tasks(w, 700, 3), b = workload_tasks(w, 700, 3),
                          c = workload_tasks(w, 700, 4);
  ASSERT_EQ(a.size(), 53u);
  int n0 = 0;
  double sum_gap = 0;
  int64_t last = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].arrival, b[i].arrival);
    EXPECT_EQ(a[i].model, b[i].model);
    EXPECT_EQ(a[i].priority, a[i].model == 0 ? 4 : 9);
    if (i > 0) {
      EXPECT_GE(a[i].arrival, a[i - 1].arrival);
    }
    if (a[i].model == 0) {
      ++n0;
      sum_gap += static_cast<double>(a[i].arrival - last);
      last = a[i].arrival;
    }
  }
  EXPECT_EQ(n0, 50);
  // Mean gap of 50 exponential draws of mean 700000 cycles: within 50% (the sample's sd is 14%).
  EXPECT_NEAR(sum_gap / 50, 700000, 350000);
  bool differs = false;
  for (size_t i = 0; i < a.size(); ++i) differs = differs || a[i].arrival != c[i].arrival;
  EXPECT_TRUE(differs) << "another seed, other arrivals";
}

std::string workload_error(const std::string& text) {
  try {
    parse_workload(nlohmann::json::parse(text), "w");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(PlanariaWorkload, MalformedDocumentsAreOneLineErrors) {
  const std::vector<std::pair<const char*, const char*>> bad{
      {"[]", "JSON object"},
      {R"({"tasks": []})", "non-empty list"},
      {R"({"streams": []})", "unknown field 'streams'"},
      {R"({"name": 3, "tasks": []})", "name"},
      {R"({"tasks": [3]})", "tasks[0] must be an object"},
      {R"({"tasks": [{"priority": 1, "arrivals_ms": [0]}]})", "'network'"},
      {R"({"tasks": [{"network": "nonet", "priority": 1, "arrivals_ms": [0]}]})",
       "unknown model 'nonet'"},
      {R"({"tasks": [{"network": "gnmt", "arrivals_ms": [0]}]})", "'priority'"},
      {R"({"tasks": [{"network": "gnmt", "priority": 12, "arrivals_ms": [0]}]})", "1 to 11"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1.5, "arrivals_ms": [0]}]})", "1 to 11"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "qos": "X", "arrivals_ms": [0]}]})",
       "qos must be"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "qos": "S", "qos_ms": 3,
          "arrivals_ms": [0]}]})",
       "not both"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "qos_ms": -3, "arrivals_ms": [0]}]})",
       "qos_ms must be"},
      {R"({"tasks": [{"network": "bert_base", "priority": 1, "arrivals_ms": [0]}]})",
       "give qos_ms"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "sla": 1.5, "arrivals_ms": [0]}]})",
       "sla must be"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1}]})", "either"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "rate_qps": 5, "count": 2,
          "arrivals_ms": [0]}]})",
       "either"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "rate_qps": 5}]})", "both"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "rate_qps": 0, "count": 2}]})",
       "rate_qps must be"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "rate_qps": 1e-9, "count": 2}]})",
       "at least 0.001"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "rate_qps": 5, "count": 0}]})",
       "count must be"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "arrivals_ms": []}]})", "arrivals_ms"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "arrivals_ms": [1, "2"]}]})",
       "arrivals_ms[1] must be a number"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "arrivals_ms": [1e300]}]})",
       "arrivals_ms[0] must be"},
      {R"({"tasks": [{"network": "gnmt", "priority": 1, "arrivals_ms": [0], "prio": 2}]})",
       "unknown field 'prio'"},
      {R"({"tasks": [{"network": "gnmt\nx", "priority": 1, "arrivals_ms": [0]}]})",
       "gnmt\\nx"},
  };
  for (const auto& [text, fragment] : bad) {
    const std::string e = workload_error(text);
    EXPECT_NE(e.find(fragment), std::string::npos) << text << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

TEST(PlanariaWorkload, SeededMutationsOfAValidFileParseOrFailInOneLine) {
  // Replace one field of a valid document by a value of another type or range, or drop it: the
  // parser either accepts the result or throws a one-line UserError, never anything else.
  const nlohmann::json good = nlohmann::json::parse(R"({"name": "f", "tasks": [
      {"network": "resnet50", "priority": 3, "qos": "H", "rate_qps": 50, "count": 4},
      {"network": "gnmt", "priority": 8, "qos_ms": 40, "sla": 0.9, "arrivals_ms": [0, 3]}]})");
  ASSERT_EQ(workload_error(good.dump()), "");
  const std::vector<nlohmann::json> values{nullptr, true, -1, 0, 1, 11, 12, 0.25, 1e308, -1e308,
                                           "", "S", "x\ty", nlohmann::json::array(),
                                           nlohmann::json::array({1, 2}),
                                           nlohmann::json::object()};
  const std::vector<std::string> keys{"network", "priority", "qos", "qos_ms", "sla",
                                      "rate_qps", "count",    "arrivals_ms"};
  std::mt19937_64 rng(12);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    nlohmann::json doc = good;
    auto& stream = doc["tasks"][rng() % 2];
    const std::string& key = keys[rng() % keys.size()];
    if (rng() % 4 == 0)
      stream.erase(key);
    else
      stream[key] = values[rng() % values.size()];
    try {
      parse_workload(doc, "w");
      ++accepted;
    } catch (const UserError& e) {
      ++rejected;
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace accelgen::flows::planaria
