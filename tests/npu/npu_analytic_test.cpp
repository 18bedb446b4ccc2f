// The analytical NPU model (flows/npu/npu_analytic): its schedule against hand-computed cycles and,
// on every reduced block the compiler maps, exactly against the cycle-exact `npu` golden model
// running the compiled program; the thesis-size analysis's bookkeeping and its errors.
#include "flows/npu/npu_analytic.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/quant.hpp"

namespace accelgen::flows {
namespace {

using compiler::npu::compile;
using compiler::npu::quantize;
using compiler::npu::random_float_model;
using golden::npu::GemmDesc;
using golden::npu::NpuConfig;

TEST(NpuAnalytic, ScheduleOfTheHandComputedTwoTileCase) {
  // npu_golden_test's two-tile case on a 2x2 array: one block of a GEMM region (9 words) and a
  // two-word Tandem region (+ 2 brackets, + block.end): 14 dispatch words, run state from 16.
  // Tile 0: weight beats 16, 17, vectors 18, 19, outputs 18 + 5 = 23, 24: READY 25. Tile 1: beats
  // 18, 19 (bank 1 free), vectors 20, 21, outputs 25, 26: READY 27. Pass 0 takes 25, lasts 8
  // (relu in F at 26, the sync at 27, its W at 32, done 33) and releases at 33; pass 1 takes 33,
  // done 41. BLOCK_DONE 41, done 42. GEMM busy [18, 24] and [20, 26]: 18..26 = 9 cycles.
  SchedBlock b;
  b.dispatch_words = 14;
  b.gemm = GemmDesc{2, 2, 1, 1, 0, 0};
  b.pass_cycles = {8};
  b.release_offset = {8};
  const ScheduleResult r = schedule({b}, 2, 2);
  EXPECT_EQ(r.done, 42);
  ASSERT_EQ(r.gemm.size(), 2u);
  EXPECT_EQ(r.gemm[0], (std::pair<int64_t, int64_t>{18, 24}));
  EXPECT_EQ(r.gemm[1], (std::pair<int64_t, int64_t>{20, 26}));
  EXPECT_EQ(r.split.gemm, 9);
  EXPECT_EQ(r.split.tandem, 16);
  EXPECT_EQ(r.split.overlap, 2);
  EXPECT_EQ(r.starts.at(0), (std::pair<int64_t, int64_t>{1, 42}));
}

TEST(NpuAnalytic, DoubleBufferingWaitsForTheRelease) {
  // Three tiles of M = 4 on a 2x2 array, one K block, dispatch 0 (run from 2): tile 2 reuses
  // half 0 and waits for pass 0's release. Tile 0: beats 2, 3, vectors 4..7, outputs to 12, READY
  // 13; tile 1: beats 4, 5 (bank 1), vectors 8..11, last output 16, READY 17. Pass 0 takes 13 and
  // releases at 13 + 3 = 16 (done 13 + 20 = 33). Tile 2: bank 0 free at 7 + 1 = 8, beats 8, 9;
  // vectors from max(16, 12, 10) = 16 .. 19, last output 24, READY 25. Pass 1: 33 .. 53, pass 2:
  // 53 .. 73; done 74.
  SchedBlock b;
  b.dispatch_words = 0;
  b.gemm = GemmDesc{4, 3, 1, 1, 0, 0};
  b.pass_cycles = {20};
  b.release_offset = {3};
  const ScheduleResult r = schedule({b}, 2, 2);
  ASSERT_EQ(r.gemm.size(), 3u);
  EXPECT_EQ(r.gemm[0], (std::pair<int64_t, int64_t>{4, 12}));
  EXPECT_EQ(r.gemm[1], (std::pair<int64_t, int64_t>{8, 16}));
  EXPECT_EQ(r.gemm[2], (std::pair<int64_t, int64_t>{16, 24}));
  EXPECT_EQ(r.tandem.back(), (std::pair<int64_t, int64_t>{53, 72}));
  EXPECT_EQ(r.done, 74);
  // Released at the end of the pass instead: tile 2 waits until 33.
  b.release_offset = {20};
  EXPECT_EQ(schedule({b}, 2, 2).gemm[2].first, 33);
}

// The analytical schedule of a compiled program against the golden model running it: the done
// cycle, every block's start and end, and the GEMM / Tandem / overlap split, all exact.
void ExpectExact(const graph::Graph& g, const NpuConfig& cfg, int tile_m, uint64_t seed) {
  const auto q = quantize(g, random_float_model(g, seed));
  const auto p = compile(q, cfg, {tile_m});
  golden::npu::NpuSim sim(cfg);
  compiler::npu::run_on_golden(p, sim);
  const auto blocks = measured_schedule(p);
  const ScheduleResult a = schedule(blocks, cfg.rows, cfg.cols);
  SCOPED_TRACE(g.name() + " tile_m " + std::to_string(tile_m));
  EXPECT_EQ(a.done, sim.DoneCycle());
  const RuntimeSplit s = runtime_split(sim, 0, sim.DoneCycle());
  EXPECT_EQ(a.split.gemm, s.gemm);
  EXPECT_EQ(a.split.tandem, s.tandem);
  EXPECT_EQ(a.split.overlap, s.overlap);
  // Block boundaries from the golden FSM.
  std::vector<std::pair<int64_t, int64_t>> fsm;
  for (const auto& e : sim.Fsm()) {
    if (e.state == golden::npu::FsmState::kBlockStart) fsm.push_back({e.cycle, 0});
    if (e.state == golden::npu::FsmState::kBlockDone) fsm.back().second = e.cycle + 1;
  }
  EXPECT_EQ(a.starts, fsm);
  // Every GEMM tile interval and every pass, in order.
  EXPECT_EQ(a.gemm, sim.GemmIntervals());
  EXPECT_EQ(a.tandem, sim.TandemIntervals());
}

NpuConfig Small(int rows, int cols, int lanes, int depth = 512) {
  NpuConfig c;
  c.rows = rows;
  c.cols = cols;
  c.lanes = lanes;
  c.depth = depth;
  c.dram_words = 1 << 16;
  return c;
}

TEST(NpuAnalytic, EqualsTheGoldenModelOnResnetBasicBlocks) {
  ExpectExact(compiler::npu::resnet_basic_block(8, 4, 4), Small(8, 8, 8), 0, 1);
  ExpectExact(compiler::npu::resnet_basic_block(8, 4, 4), Small(8, 8, 8), 4, 2);
  ExpectExact(compiler::npu::resnet_basic_block(16, 4, 4), Small(8, 8, 8), 8, 3);
  ExpectExact(compiler::npu::resnet_basic_block(8, 6, 3), Small(4, 8, 8), 3, 4);
  ExpectExact(compiler::npu::resnet_basic_block(4, 4, 4), Small(4, 4, 4), 4, 5);
}

TEST(NpuAnalytic, EqualsTheGoldenModelOnTheZoosResnet18BlockAtTable44) {
  // ResNet-18 layer1.0 (64 channels) at a 16 x 16 input (4 x 4 pixels) on the Table 4.4 NPU
  // (32 x 32 array, 32 lanes, 512 rows): 2 K groups x 2 N blocks, conv2 in 4 tiles.
  const graph::Graph net = graph::build_zoo_model("resnet18", {.resolution = 16});
  std::vector<std::string> keep;
  for (const auto& n : net.nodes())
    if (n.name.rfind("layer1.0.", 0) == 0) keep.push_back(n.name);
  graph::Graph g = graph::subgraph(net, keep);
  g.set_name("resnet18.layer1.0");
  ExpectExact(g, Small(32, 32, 32), 4, 10);
}

TEST(NpuAnalytic, EqualsTheGoldenModelOnMobilenetV2InvertedResiduals) {
  ExpectExact(compiler::npu::mobilenet_v2_block(4, 8, 4, 4), Small(8, 8, 8), 0, 6);
  ExpectExact(compiler::npu::mobilenet_v2_block(4, 8, 6, 5), Small(8, 8, 8), 0, 7);
  ExpectExact(compiler::npu::mobilenet_v2_block(8, 16, 4, 4), Small(16, 16, 16), 0, 8);
}

TEST(NpuAnalytic, EqualsTheGoldenModelOnResidualMlps) {
  for (int features : {8, 16}) {
    graph::Builder b("mlp");
    const std::string x = b.input("x", {12, features});
    std::string y = b.fc("fc1", x, 24, "relu");
    y = b.fc("fc2", y, features);
    b.add("add", {y, x}, "relu");
    ExpectExact(b.take(), Small(8, 8, 8), 4, 9);
  }
}

TEST(NpuAnalytic, ThesisSizeBookkeeping) {
  AnalyticOptions o;  // Table 4.4
  TandemCosts costs(o.lanes, o.depth);
  const AnalyticResult r = analyze_model("resnet50", o, costs);
  // Every conv and the FC is one GEMM block; the MACs are the zoo's (4.09 G for ResNet-50).
  int64_t macs = 0, cycles = 0, gemm = 0;
  for (const auto& b : r.blocks) {
    macs += b.macs;
    cycles += b.cycles;
    gemm += b.split.gemm;
  }
  EXPECT_NEAR(static_cast<double>(macs), 4.09e9, 0.01e9);
  EXPECT_EQ(cycles + 1, r.total.cycles);  // + cycle 0
  EXPECT_EQ(gemm, r.total.gemm);
  // The GEMM unit cannot beat its peak: 1024 MACs per cycle.
  EXPECT_GE(r.total.gemm, macs / (o.rows * o.cols));
  EXPECT_GE(r.gemm_alone, macs / (o.rows * o.cols));
  // Baselines: GEMM alone plus non-GEMM time, so each is at least the GEMM time.
  EXPECT_GT(r.baseline1_ns, static_cast<double>(r.gemm_alone));
  EXPECT_NEAR(r.baseline1_ns - r.cpu1_ns, static_cast<double>(r.gemm_alone), 1e-6);
  EXPECT_NEAR(r.baseline2_ns - r.cpu2_ns, static_cast<double>(r.gemm_alone), 1e-6);
  // A dearer CPU raises only the baselines.
  AnalyticOptions slow = o;
  slow.cpu.cpu_op_us *= 2;
  const AnalyticResult s = analyze_model("resnet50", slow, costs);
  EXPECT_EQ(s.total.cycles, r.total.cycles);
  EXPECT_GT(s.baseline1_ns, r.baseline1_ns);
}

TEST(NpuAnalytic, OneConvolutionByHand) {
  // 1x1 convolution 32 -> 32 channels + ReLU on 16 x 16 pixels, Table 4.4 NPU: one GEMM block of
  // one tile (M = 256 rows, one K block, one N block).
  graph::Builder b("one_conv");
  b.conv("conv", b.input("x", {1, 32, 16, 16}), 32, 1);
  const graph::Graph g = b.take();
  AnalyticOptions o;
  TandemCosts costs(o.lanes, o.depth);
  const AnalyticResult r = analyze_graph(g, o, costs);
  ASSERT_EQ(r.blocks.size(), 1u);
  EXPECT_EQ(r.blocks[0].tiles, 1);
  EXPECT_EQ(r.blocks[0].m, 256);
  EXPECT_EQ(r.blocks[0].macs, 256 * 32 * 32);
  // GEMM alone: BLOCK_START 1, 10 dispatch words, run from 12: weight beats 12..43, vectors
  // 44..299, last output 299 + 65 = 364, READY 365 = BLOCK_DONE, block = cycles 1..365.
  EXPECT_EQ(r.gemm_alone, 365);
  // NPU-Tandem: the epilogue's words and pass instead: run from 2 + words, READY 353 later.
  const auto epi = costs.GemmEpilogue(256);
  EXPECT_EQ(r.total.cycles, 2 + epi.words + 353 + epi.pass + 1);
  EXPECT_EQ(r.total.gemm, 256 + 65);  // first vector .. last output
  EXPECT_EQ(r.total.tandem, epi.pass);
  EXPECT_EQ(r.total.overlap, 0);
  // Baseline (1): the 8,192 INT32 accumulators to the host and the INT8 result back, then the
  // requantization (a Cast) and the ReLU as two ONNX Runtime operators (CpuFallback defaults).
  const double e = 8192;
  const double pcie = (5e3 + 4 * e / 7.88) + (5e3 + e / 7.88);
  const double cpu = (1e4 + 8 * e / 20 + costs.PerElement("Cast.ops") * e / 100) +
                     (1e4 + 8 * e / 20 + costs.PerElement("Relu.ops") * e / 100);
  EXPECT_NEAR(r.cpu1_ns, pcie + cpu, 1e-6);
  EXPECT_NEAR(r.baseline1_ns, 365 + pcie + cpu, 1e-6);
  // Baseline (2): scale & shift and ReLU on the GEMM output path, nothing else.
  EXPECT_EQ(r.cpu2_ns, 0.0);
  EXPECT_EQ(r.baseline2_ns, 365.0);
  EXPECT_NEAR(r.Speedup1(), (365 + pcie + cpu) / static_cast<double>(r.total.cycles), 1e-12);
}

TEST(NpuAnalytic, UnmappableLayersAreUserErrors) {
  AnalyticOptions o;
  TandemCosts costs(o.lanes, o.depth);
  try {
    analyze_model("gnmt", o, costs);
    FAIL() << "gnmt's LSTMs have no NPU mapping";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("has no NPU mapping"), std::string::npos) << e.what();
  }
  EXPECT_THROW(analyze_model("no_such_model", o, costs), UserError);
}

}  // namespace
}  // namespace accelgen::flows
