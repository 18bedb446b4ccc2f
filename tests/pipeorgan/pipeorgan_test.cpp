// PipeOrgan flow: stage 1 on hand-worked graphs (expected values derived by hand in the comments),
// and the exact checks of stage 2's cost pieces (golden NoC, waterfall vs an interval-stepped
// simulation, allocation, compute cycles, DRAM bytes).
#include "flows/pipeorgan/pipeorgan.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/error.hpp"
#include "common/noc_params.hpp"
#include "compiler/graph/model_source.hpp"
#include "compiler/graph/xrbench_import.hpp"
#include "compiler/graph/xrbench_models.hpp"
#include "golden_model/noc/noc_model.hpp"

namespace accelgen::flows::pipeorgan {
namespace {

using nlohmann::json;

// XRBench-form layers (the importer re-derives shapes, MACs and weights and checks them).
json conv(const std::string& name, const std::string& in_name, std::vector<int64_t> in, int64_t k,
          int64_t r, int64_t stride, int64_t groups = 1) {
  const int64_t pad = r / 2;
  const int64_t p = (in[1] + 2 * pad - r) / stride + 1, q = (in[2] + 2 * pad - r) / stride + 1;
  const int64_t weights = k * (in[0] / groups) * r * r;
  return {{"name", name},
          {"op", groups > 1 ? "dwconv" : "conv"},
          {"in", in},
          {"out", {k, p, q}},
          {"kernel", {r, r}},
          {"stride", {stride, stride}},
          {"groups", groups},
          {"padding", {pad, pad}},
          {"inputs", {in_name}},
          {"macs", weights * p * q},
          {"weights", weights}};
}
json add(const std::string& name, const std::string& a, const std::string& b,
         std::vector<int64_t> shape) {
  return {{"name", name},     {"op", "add"}, {"in", shape}, {"out", shape},
          {"inputs", {a, b}}, {"macs", 0},   {"weights", 0}};
}
Workload workload(std::vector<int64_t> input, const json& layers) {
  const json j = {{"model", "hand"}, {"input", input}, {"layers", layers}};
  return make_workload(graph::graph_from_xrbench(j));
}

// ---- Chain: c1 3x3 4->8, c2 1x1 8->8, c3 3x3/2 8->16, c4 1x1 16->64, c5 1x1 64->256 at 16x16/8x8.
//   sizes: input 4x16x16 = 1024; c1 out 8x16x16 = 2048, W 288; c2 out 2048, W 64;
//   c3 out 16x8x8 = 1024, W 1152; c4 out 64x8x8 = 4096, W 1024; c5 out 256x8x8 = 16384, W 16384.
//   grow from c1: +c2: A 1024 + 2048 = 3072 >= W 352; +c3: 1024 + 1024 = 2048 >= 1504;
//   +c4: 1024 + 4096 = 5120 >= 2528; +c5: 1024 + 16384 = 17408 < 18912 -> stop. Segments [c1..c4],
//   [c5]. A/W: c1 1024/288 = 3.6 -> NHKCWRS; c2 2048/64 = 32 -> NHWKCRS; c3 2048/1152 = 1.8 ->
//   NHKCWRS; c4 1024/1024 = 1 -> NHKCWRS; c5 4096/16384 = 0.25 -> KCRSNHW (weight stationary).
//   Algorithm 1: c1 -> c2: (N,N) 2048/1, (H,H) tiles 1/1: 2048/16 = 128, (K,W) stops: 128.
//   c2 -> c3: (N,N), (H,H) consumer tile = stride 2: 2048/16 x lcm(1,2) = 256, unequal tiles stop:
//   256. c3 -> c4: (N,N), (H,H): 1024/8 = 128, (K,K) not a fusable pair: 128. c4, c5: their
//   outputs.
json chain_layers() {
  return json::array(
      {conv("c1", "input", {4, 16, 16}, 8, 3, 1), conv("c2", "c1", {8, 16, 16}, 8, 1, 1),
       conv("c3", "c2", {8, 16, 16}, 16, 3, 2), conv("c4", "c3", {16, 8, 8}, 64, 1, 1),
       conv("c5", "c4", {64, 8, 8}, 256, 1, 1)});
}

TEST(PipeorganStage1, ChainSegmentsDataflowsAndGranularity) {
  const Workload w = workload({1, 4, 16, 16}, chain_layers());
  EXPECT_EQ(boundary_activations(w, 0, 1), 3072);
  EXPECT_EQ(boundary_activations(w, 0, 4), 1024 + 16384);
  const Stage1 s = run_stage1(w);
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[0].first, 0u);
  EXPECT_EQ(s.segments[0].last, 3u);
  EXPECT_EQ(s.segments[1].first, 4u);
  EXPECT_EQ(s.dataflow,
            (std::vector<std::string>{"NHKCWRS", "NHWKCRS", "NHKCWRS", "NHKCWRS", "KCRSNHW"}));
  EXPECT_EQ(s.depth, (std::vector<int>{4, 4, 4, 4, 1}));
  EXPECT_EQ(s.granularity, (std::vector<int64_t>{128, 256, 128, 4096, 16384}));
  ASSERT_EQ(s.pairs.size(), 3u);
  EXPECT_EQ(s.pairs[0].fused, 2);
  EXPECT_EQ(s.pairs[1].fused, 2);
}

TEST(PipeorganStage1, DepthCapCutsTheChain) {
  const Workload w = workload({1, 4, 16, 16}, chain_layers());
  Stage1Options o;
  o.max_depth = 2;
  const Stage1 s = run_stage1(w, o);
  ASSERT_EQ(s.segments.size(), 3u);  // [c1 c2] [c3 c4] [c5]: c3 + c4: A 2048 + 4096 >= W 2176
  EXPECT_EQ(s.segments[1].first, 2u);
  EXPECT_EQ(s.segments[1].last, 3u);
}

// ---- Diamond with a skip: a, b, c 1x1 4->4 at 16x16 (A/W 1024/16 = 64: NHWKCRS), add(a, c).
//   One segment of depth 4 (A is at least 2048, W at most 48). Algorithm 1: a -> b and b -> c fuse
//   N, H (1024/16 = 64), W (64/16 = 4), then (K,K) stops: 4 (one pixel's channels). c -> add and
//   a -> add (NHWK, channel preserving) also fuse (K,C): 4/4 = 1. Per layer the coarsest consumer:
//   a 4, b 4, c 1, add its output 1024.
TEST(PipeorganStage1, DiamondWithSkipIsOneFineSegment) {
  const Workload w = workload(
      {1, 4, 16, 16},
      json::array({conv("a", "input", {4, 16, 16}, 4, 1, 1), conv("b", "a", {4, 16, 16}, 4, 1, 1),
                   conv("c", "b", {4, 16, 16}, 4, 1, 1), add("sum", "a", "c", {4, 16, 16})}));
  const Stage1 s = run_stage1(w);
  ASSERT_EQ(s.segments.size(), 1u);
  EXPECT_EQ(s.segments[0].depth(), 4u);
  EXPECT_EQ(s.granularity, (std::vector<int64_t>{4, 4, 1, 1024}));
  ASSERT_EQ(s.pairs.size(), 4u);  // a->b, b->c, c->sum, a->sum (sum's inputs in order a, c)
  EXPECT_EQ(s.pairs[2].producer, 0u);
  EXPECT_EQ(s.pairs[2].granularity, 1);
  EXPECT_EQ(s.pairs[2].fused, 4);
}

// ---- Diamond where the skip decides the depth: a, b, c 3x3 8->8 at 8x8 (A 512, W 576 each).
//   from a: +b: inputs 512, a leaves (skip to sum) 512, b leaves 512 = 1536 >= 1152: take b
//   (without the skip term it would be 1024 < 1152); +c: 512 + 512 (a) + 512 (c) = 1536 < 1728:
//   stop. from c: +sum: inputs b 512 and a 512 (the skip), sum's output 512 = 1536 >= 576: take it.
TEST(PipeorganStage1, SkipActivationsPullTheSegmentDeeper) {
  const Workload w = workload(
      {1, 8, 8, 8},
      json::array({conv("a", "input", {8, 8, 8}, 8, 3, 1), conv("b", "a", {8, 8, 8}, 8, 3, 1),
                   conv("c", "b", {8, 8, 8}, 8, 3, 1), add("sum", "a", "c", {8, 8, 8})}));
  EXPECT_EQ(boundary_activations(w, 0, 1), 1536);
  EXPECT_EQ(boundary_activations(w, 0, 2), 1536);
  EXPECT_EQ(boundary_activations(w, 2, 3), 1536);
  const Stage1 s = run_stage1(w);
  ASSERT_EQ(s.segments.size(), 2u);
  EXPECT_EQ(s.segments[0].last, 1u);
  EXPECT_EQ(s.segments[1].first, 2u);
  EXPECT_EQ(s.segments[1].last, 3u);
  EXPECT_EQ(s.dataflow[0], "KCRSNHW");  // A/W 512/576 < 1: weight stationary
  EXPECT_EQ(s.granularity[0], 512);     // (K, K) never fuses: the whole output
}

// ---- Depthwise block: e 1x1 16->64 at 16x16 (A 4096, W 1024: 4 -> NHKCWRS, out 16384),
//   d 3x3/2 depthwise 64 (A 16384, W 576: 28 -> NHWKRS, out 64x8x8 = 4096),
//   p 1x1 64->24 (A 4096, W 1536: 2.7 -> NHKCWRS, out 1536).
//   from e: +d: 4096 + 4096 = 8192 >= 1600; +p: 4096 + 1536 = 5632 >= 3136: one segment.
//   e -> d: (N,N) 16384, (H,H) tile 2: 16384/16 x 2 = 2048, stop. d -> p: (N,N) 4096, (H,H)
//   4096/8 = 512, (W,K) stops: 512. p: its output 1536.
TEST(PipeorganStage1, DepthwiseBlock) {
  const Workload w =
      workload({1, 16, 16, 16}, json::array({conv("e", "input", {16, 16, 16}, 64, 1, 1),
                                             conv("d", "e", {64, 16, 16}, 64, 3, 2, 64),
                                             conv("p", "d", {64, 8, 8}, 24, 1, 1)}));
  EXPECT_TRUE(w.layers[1].channel_preserving);
  const Stage1 s = run_stage1(w);
  ASSERT_EQ(s.segments.size(), 1u);
  EXPECT_EQ(s.dataflow, (std::vector<std::string>{"NHKCWRS", "NHWKRS", "NHKCWRS"}));
  EXPECT_EQ(s.granularity, (std::vector<int64_t>{2048, 512, 1536}));
}

// ---- Stage 2 pieces.
TEST(PipeorganStage2, AllocationAndComputeCycles) {
  // spare 6 split 1:3 -> 1.5 and 4.5 -> 1 and 4, the last PE to the first largest remainder.
  EXPECT_EQ(allocate_pes({1, 3}, 8), (std::vector<int>{3, 5}));
  EXPECT_EQ(allocate_pes({0, 0, 0}, 3), (std::vector<int>{1, 1, 1}));
  EXPECT_THROW(allocate_pes({1, 1, 1}, 2), UserError);
  const Workload w = workload({1, 4, 16, 16}, chain_layers());
  const Layer& c1 = w.layers[0];  // 2048 outputs, 36 MACs each
  EXPECT_EQ(compute_cycles(c1, 16, 8), 128 * 5);
  // SIMBA-like: K = 8 on 8 PEs, C = 4 in one dot product of 8: 9 x 16 x 16 cycles.
  EXPECT_EQ(simba_compute_cycles(c1, 16, 8), 9 * 256);
  EXPECT_EQ(flit_interval(c1, 8, 8), 8 * 5);
}

TEST(PipeorganStage2, FineStripedPlacementAndItsTrafficByHand) {
  // Equal shares alternate along column-major order: layer 0 on rows 0 and 2, layer 1 on rows 1
  // and 3 of a 4x4 mesh; each producer's consumer is the PE just south: one hop, no sharing of
  // links, so every flit created at 4r is delivered at 4r + 1 + 1.
  const std::vector<int> placement = place(4, 4, "fine_striped", {8, 8});
  for (int node = 0; node < 16; ++node) EXPECT_EQ(placement[node], (node / 4) % 2) << node;
  Arch a;
  a.rows = a.cols = 4;
  a.rounds = 2;
  const NocRun run = run_segment_noc(a, "mesh", placement, {{0, 1, 4}});
  EXPECT_EQ(run.round_done[0], (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(run.max_hops[0], 1);
  EXPECT_EQ(run.flit_hops_per_round, 8);
}

// Drives packets (creation cycle, src, dst, flow, round), in the given order, straight into the
// golden NocSim on a 4x4 mesh; returns per flow and round the cycle its last flit was delivered.
struct DirectPacket {
  int64_t t;
  int src, dst, flow, round;
};
std::vector<std::vector<int64_t>> direct_golden_run(const Arch& a,
                                                    const std::vector<DirectPacket>& packets,
                                                    int64_t& last) {
  NocParams p;
  p.rows = p.cols = 4;
  p.flit_bits = a.flit_bits;
  p.buffer_depth = a.buffer_depth;
  golden::NocSim sim(p);
  std::vector<std::deque<golden::NocFlit>> q(16);
  std::vector<std::vector<int64_t>> done;
  for (const auto& pk : packets) {
    if (static_cast<int>(done.size()) <= pk.flow) done.resize(pk.flow + 1);
    if (static_cast<int>(done[pk.flow].size()) <= pk.round) done[pk.flow].resize(pk.round + 1, 0);
  }
  size_t next = 0;
  int64_t delivered = 0;
  for (int64_t t = 0; delivered < static_cast<int64_t>(packets.size()); ++t) {
    for (; next < packets.size() && packets[next].t == t; ++next)
      q[packets[next].src].push_back(
          {static_cast<int64_t>(next), packets[next].src, packets[next].dst});
    std::vector<const golden::NocFlit*> offers(16, nullptr);
    for (int n = 0; n < 16; ++n)
      if (!q[n].empty()) offers[n] = &q[n].front();
    sim.step(offers);
    for (const auto& e : sim.injected()) q[e.node].pop_front();
    for (const auto& e : sim.ejected()) {
      ++delivered;
      last = t;
      const DirectPacket& pk = packets[e.id];
      done[pk.flow][pk.round] = std::max(done[pk.flow][pk.round], t);
    }
    if (t > 10000) throw std::logic_error("direct_golden_run: no progress");
  }
  return done;
}

TEST(PipeorganStage2, CongestedSegmentEqualsADirectGoldenNocRun) {
  // 15 producers (blocked, column-major) all feeding the one consumer PE (node 15), one flit per
  // cycle each, 3 rounds: the same packets driven straight into the golden NocSim.
  Arch a;
  a.rows = a.cols = 4;
  a.rounds = 3;
  const std::vector<int> placement = place(4, 4, "blocked_1d", {15, 1});
  EXPECT_EQ(placement[15], 1);
  const NocRun run = run_segment_noc(a, "mesh", placement, {{0, 1, 1}});
  // Producers in column-major order (the flow's order), ids in creation order.
  const int producers[] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11};
  std::vector<DirectPacket> packets;
  for (int t = 0; t < 3; ++t)
    for (int src : producers) packets.push_back({t, src, 15, 0, t});
  int64_t last = 0;
  EXPECT_EQ(run.round_done, direct_golden_run(a, packets, last));
  EXPECT_EQ(run.cycles, last);
  EXPECT_GE(last, 45);  // one ejection port: at least one cycle per flit
}

TEST(PipeorganStage2, FlowsOfASegmentShareOneHorizon) {
  // Layers of 7, 1 and 8 PEs blocked in column-major order on a 4x4 mesh: layer 0 on nodes 0, 4,
  // 8, 12, 1, 5, 9; layer 1 on node 13; layer 2 on 2, 6, 10, 14, 3, 7, 11, 15. Flow 0 -> 1 every
  // 4 cycles, flow 1 -> 2 every cycle (its consumer: floor(0 x 8 / 1) = the first, node 2).
  // 8 rounds of the slowest flow: horizon 7 x 4 = 28 cycles, so flow 0 sends 28/4 + 1 = 8 rounds
  // and flow 1 28/1 + 1 = 29 (not 8: its slowdown would measure only the first 8 cycles, when
  // all seven producers of flow 0 inject at once).
  Arch a;
  a.rows = a.cols = 4;
  const std::vector<int> placement = place(4, 4, "blocked_1d", {7, 1, 8});
  const std::vector<NocFlow> flows = {{0, 1, 4}, {1, 2, 1}};
  const std::vector<NocPacket> got = segment_packets(a, "mesh", placement, flows, 8);
  std::vector<DirectPacket> want;
  for (int r = 0; r < 8; ++r)
    for (int src : {0, 4, 8, 12, 1, 5, 9}) want.push_back({4 * r, src, 13, 0, r});
  for (int r = 0; r < 29; ++r) want.push_back({r, 13, 2, 1, r});
  std::stable_sort(want.begin(), want.end(), [](auto& x, auto& y) { return x.t < y.t; });
  ASSERT_EQ(got.size(), 7u * 8 + 29);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(got[i].src, want[i].src) << i;
    EXPECT_EQ(got[i].dst, want[i].dst) << i;
    EXPECT_EQ(got[i].flow, want[i].flow) << i;
    EXPECT_EQ(got[i].round, want[i].round) << i;
  }
  EXPECT_EQ(got[0].hops, 4);  // node 0 -> node 13 = (3, 1): 1 east + 3 south
  const NocRun run = run_segment_noc(a, "mesh", placement, flows);
  int64_t last = 0;
  EXPECT_EQ(run.round_done, direct_golden_run(a, want, last));
  EXPECT_EQ(run.cycles, last);
  ASSERT_EQ(run.round_done[1].size(), 29u);
}

TEST(PipeorganStage2, WaterfallEqualsTheSteppedSimulation) {
  // Chain by hand: C = 2, 5, 3 over S = 4 intervals: sum 10 + 3 x max 5 = 25; stepping: layer 1
  // ends 2, 4, 6, 8; layer 2 7, 12, 17, 22; layer 3 10, 15, 20, 25.
  const std::vector<std::pair<int, int>> chain = {{0, 1}, {1, 2}};
  EXPECT_DOUBLE_EQ(waterfall({2, 5, 3}, chain, 4), 25);
  EXPECT_DOUBLE_EQ(waterfall_event_sim({2, 5, 3}, chain, 4), 25);
  // Random DAGs (edges forward only), fixed seed.
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int d = 1 + static_cast<int>(rng() % 7);
    std::vector<double> c(d);
    for (double& x : c) x = static_cast<double>(rng() % 50);
    std::vector<std::pair<int, int>> edges;
    for (int q = 1; q < d; ++q)
      for (int p = 0; p < q; ++p)
        if (rng() % 3 == 0) edges.push_back({p, q});
    const int64_t s = 1 + static_cast<int64_t>(rng() % 20);
    EXPECT_DOUBLE_EQ(waterfall(c, edges, s), waterfall_event_sim(c, edges, s)) << "trial " << trial;
  }
}

TEST(PipeorganStage2, DramBytesOfOneLayerByHand) {
  // c1 alone: read the input (1024) and the weights (288), write the graph output (2048).
  const Workload w =
      workload({1, 4, 16, 16}, json::array({conv("c1", "input", {4, 16, 16}, 8, 3, 1)}));
  const TechTable tech = tech_preset("pipeorgan");
  for (Scheme s : {Scheme::kPipeOrgan, Scheme::kTangram, Scheme::kSimba}) {
    const Evaluation e = evaluate(w, s, "mesh", Arch{}, tech);
    EXPECT_EQ(e.dram_bytes, 1024 + 288 + 2048) << scheme_name(s);
    // 256 GB/s at 1 GHz: 256 bytes per cycle.
    EXPECT_DOUBLE_EQ(e.segments[0].dram_cycles, (1024 + 288 + 2048) / 256.0);
    // Energy: the DRAM part is 8 bits x 12.5 pJ per byte.
    EXPECT_DOUBLE_EQ(e.energy_parts.at("dram"), 3360 * 8 * tech.dram_pj_per_bit.value);
    EXPECT_DOUBLE_EQ(e.energy_parts.at("mac"), 73728 * tech.mac_pj.value);
  }
}

TEST(PipeorganStage2, BigActivationCrossingSegmentsGoesToDram) {
  // c5's input (c4's 4096-byte output) stays on chip; shrinking the SRAM to 4 KiB (2 KiB for
  // activations) sends it through DRAM: written once, read once.
  const Workload w = workload({1, 4, 16, 16}, chain_layers());
  const TechTable tech = tech_preset("pipeorgan");
  Arch big, small;
  small.sram_bytes = 4096;
  const Evaluation e1 = evaluate(w, Scheme::kSimba, "mesh", big, tech);
  const Evaluation e2 = evaluate(w, Scheme::kSimba, "mesh", small, tech);
  EXPECT_GT(e2.dram_bytes, e1.dram_bytes);
}

TEST(PipeorganStage2, BreakdownByHandAndItAddsUp) {
  // Two segments by hand: layers of 10 and 30 compute cycles, waterfall 50 without and 70 with NoC
  // slowdowns, latency 90 -> compute 30, fill/drain 20, NoC 20, memory 20; a single layer of 7
  // cycles at latency 7 -> compute 7, nothing else.
  Evaluation e;
  SegmentPlan a, b;
  a.compute = {10, 30};
  a.waterfall_ideal = 50;
  a.waterfall = 70;
  a.latency = 90;
  b.compute = {7};
  b.waterfall_ideal = b.waterfall = b.latency = 7;
  e.segments = {a, b};
  const Breakdown bd = breakdown(e);
  EXPECT_DOUBLE_EQ(bd.compute, 37);
  EXPECT_DOUBLE_EQ(bd.fill_drain, 20);
  EXPECT_DOUBLE_EQ(bd.noc, 20);
  EXPECT_DOUBLE_EQ(bd.memory, 20);
  // On a real model the parts add up to the scheme's cycles, none negative.
  const ModelResult r =
      run_model(graph::build_xrbench_model("res8_narrow"), Arch{}, tech_preset("pipeorgan"));
  for (const Evaluation* ev : {&r.pipeorgan, &r.pipeorgan_mesh, &r.tangram, &r.simba}) {
    const Breakdown x = breakdown(*ev);
    EXPECT_NEAR(x.compute + x.fill_drain + x.noc + x.memory, ev->cycles, 1e-6 * ev->cycles);
    for (double part : {x.compute, x.fill_drain, x.noc, x.memory}) EXPECT_GE(part, -1e-9);
  }
}

// ---- The flow end to end.
TEST(PipeorganFlow, EveryXrbenchModelRunsAndTheGeomeanIsTheGeomean) {
  const TechTable tech = tech_preset("pipeorgan");
  std::vector<ModelResult> all;
  for (const auto& m : graph::xrbench_models()) {
    const graph::Graph g = graph::build_xrbench_model(m.name);
    ModelResult r = run_model(g, Arch{}, tech);
    size_t layers = 0;
    for (const Segment& s : r.stage1.segments) {
      layers += s.depth();
      EXPECT_LE(s.depth(), 32u) << m.name;
    }
    EXPECT_EQ(layers, r.stage1.dataflow.size()) << m.name;
    EXPECT_GT(r.pipeorgan.cycles, 0) << m.name;
    EXPECT_DOUBLE_EQ(r.speedup_vs_tangram, r.tangram.cycles / r.pipeorgan.cycles);
    // Every scheme reads every weight at least once.
    int64_t weights = 0;
    for (const Layer& l : make_workload(g).layers) weights += l.weights;
    for (const Evaluation* e : {&r.pipeorgan, &r.tangram, &r.simba})
      EXPECT_GE(e->dram_bytes, weights) << m.name;
    all.push_back(std::move(r));
  }
  const FlowResult f = summarize(all);
  double log_sum = 0;
  for (const auto& r : all) log_sum += std::log(r.tangram.cycles / r.pipeorgan.cycles);
  EXPECT_NEAR(f.geomean_speedup_vs_tangram, std::exp(log_sum / 9), 1e-9);
  const json j = flow_json(f, tech, Arch{});
  ASSERT_EQ(j["models"].size(), 9u);
  for (const char* key : {"name", "speedup_vs_tangram", "speedup_vs_simba", "dram_vs_tangram",
                          "dram_vs_simba", "energy_pj", "segments"})
    EXPECT_TRUE(j["models"][0].contains(key)) << key;
  EXPECT_TRUE(j.contains("geomean"));
}

TEST(PipeorganFlow, ZooCnnsRun) {
  const TechTable tech = tech_preset("pipeorgan");
  // Every CNN of the zoo (`accelgen model list`); BERT, ViT and GNMT are refused below.
  for (const char* name :
       {"alexnet", "vgg16", "googlenet", "resnet18", "resnet50", "resnet152", "randwire_a",
        "randwire_b", "mobilenet_v1", "mobilenet_v2", "efficientnet_b0", "ssd_mobilenet_v1",
        "ssd_resnet34", "tiny_yolo_v2", "yolo_v3", "darknet19"}) {
    const ModelResult r = run_model(graph::load_model(name), Arch{}, tech);
    EXPECT_GT(r.speedup_vs_simba, 0) << name;
    EXPECT_TRUE(std::isfinite(r.pipeorgan.energy_pj)) << name;
  }
}

TEST(PipeorganFlow, GraphsTheFlowCannotHandleAreUserErrors) {
  const TechTable tech = tech_preset("pipeorgan");
  EXPECT_THROW(run_model(graph::load_model("gnmt"), Arch{}, tech), UserError);       // LSTM
  EXPECT_THROW(run_model(graph::load_model("bert_base"), Arch{}, tech), UserError);  // embedding
  EXPECT_THROW(run_model(graph::load_model("vit_b16"), Arch{}, tech), UserError);    // QK^T
  Arch bad;
  bad.flit_bits = 12;
  EXPECT_THROW(run_model(graph::load_model("alexnet"), bad, tech), UserError);
}

// ---- The command line: JSON last line, CSV, one-line errors with exit 2.
namespace cli {

struct Result {
  int status;
  std::string out;
};
Result run(const std::string& args) {
  const std::string cmd = std::string(ACCELGEN_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

TEST(PipeorganCli, JsonLastLineAndCsv) {
  const std::string csv =
      (std::filesystem::temp_directory_path() / "accelgen_pipeorgan.csv").string();
  const Result r = run("flow pipeorgan --model res8_narrow --model ed_tcn --json --csv " + csv);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string text = r.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const json j = json::parse(text.substr(text.rfind('\n') + 1));
  ASSERT_EQ(j["models"].size(), 2u);
  EXPECT_EQ(j["models"][0]["name"], "res8_narrow");
  EXPECT_EQ(j["models"][1]["name"], "ed_tcn");
  const double a = j["models"][0]["speedup_vs_tangram"], b = j["models"][1]["speedup_vs_tangram"];
  EXPECT_NEAR(j["geomean"]["speedup_vs_tangram"].get<double>(), std::sqrt(a * b), 1e-9);
  std::ifstream f(csv);
  std::string header;
  std::getline(f, header);
  EXPECT_EQ(header.rfind("name,segments,", 0), 0u) << header;
  std::filesystem::remove(csv);
}

TEST(PipeorganCli, GraphsItCannotHandleAreOneLineAndExit2) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string cyc = (dir / "accelgen_pipeorgan_cycle.json").string();
  std::ofstream(cyc) << R"({"format": "accelgen-graph", "version": 1, "nodes": [
      {"name": "a", "op": "activation", "inputs": ["b"], "attrs": {"mode": "relu"}},
      {"name": "b", "op": "activation", "inputs": ["a"], "attrs": {"mode": "relu"}}]})";
  const std::string unknown = (dir / "accelgen_pipeorgan_unknown.json").string();
  std::ofstream(unknown)
      << R"({"model": "m", "input": [1, 3, 8, 8], "layers": [{"name": "c", "op": "warp",
      "in": [3, 8, 8], "out": [3, 8, 8], "inputs": ["input"], "macs": 0, "weights": 0}]})";
  const std::string shapeless = (dir / "accelgen_pipeorgan_shapeless.json").string();
  std::ofstream(shapeless)
      << R"({"model": "m", "input": [1, 3, 8, 8], "layers": [{"name": "c", "op": "conv",
      "inputs": ["input"], "kernel": [3, 3], "stride": [1, 1], "groups": 1, "macs": 1, "weights": 1}]})";
  const std::vector<std::string> cases = {"--model gnmt",
                                          "--model " + cyc,
                                          "--model " + unknown,
                                          "--model " + shapeless,
                                          "--model res8_narrow --tech nope",
                                          ""};
  for (const std::string& args : cases) {
    const Result r = run("flow pipeorgan " + args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << ": " << r.out;
  }
  for (const auto& f : {cyc, unknown, shapeless}) std::filesystem::remove(f);
}

}  // namespace cli

}  // namespace
}  // namespace accelgen::flows::pipeorgan
