// `flow npu`'s runtime split on the hand-computed two-tile case of npu_golden_test.cpp.
#include "flows/npu/npu_flow.hpp"

#include <gtest/gtest.h>

#include <iomanip>
#include <sstream>

#include "isa/tandem/asm.hpp"

namespace accelgen::flows {
namespace {

using golden::npu::NpuSim;
using isa::tandem::Namespace;

TEST(NpuFlow, RuntimeSplitOfTheTwoTileCase) {
  NpuSim sim(golden::npu::NpuConfig{2, 2, 2, 8, 16, 256, 0});
  for (int i = 0; i < 4; ++i) sim.Tandem().Write(Namespace::kIbuf, i % 2, i / 2, i);
  golden::npu::NpuBlock b;
  b.gemm = golden::npu::GemmDesc{2, 2, 1, 1, 0, 0};
  b.tandem = isa::tandem::Assemble("relu vmem1[0], obuf[0]\nsync.tandem.end.buf 0\n");
  sim.Run({b});
  // GEMM tiles: vectors from 18 and 20, last outputs 24 and 26 -> [18, 26], 9 cycles. Tandem
  // passes: take 25 .. done 33 and 33 .. 41 -> 16 cycles. Both: 25, 26. Done at 42.
  const RuntimeSplit s = runtime_split(sim, 0, sim.DoneCycle());
  EXPECT_EQ(s.cycles, 42);
  EXPECT_EQ(s.gemm, 9);
  EXPECT_EQ(s.tandem, 16);
  EXPECT_EQ(s.overlap, 2);
  EXPECT_EQ(s.GemmOnly(), 7);
  EXPECT_EQ(s.TandemOnly(), 14);
  EXPECT_EQ(s.Idle(), 19);
  // A window: cycles 20 .. 29 hold GEMM 20..26 (7), Tandem 25..29 (5), both 25, 26 (2).
  const RuntimeSplit w = runtime_split(sim, 20, 30);
  EXPECT_EQ(w.gemm, 7);
  EXPECT_EQ(w.tandem, 5);
  EXPECT_EQ(w.overlap, 2);
}

TEST(NpuFlow, BlocksAddUpToTheTotal) {
  NpuFlowOptions o;
  o.tile_m = 4;
  const NpuFlowResult r = run_npu_flow(o);
  ASSERT_EQ(r.blocks.size(), 3u);  // conv1, the DAE setup of conv2, conv2 (+ add)
  int64_t cycles = 0, gemm = 0, tandem = 0, overlap = 0;
  for (const auto& b : r.blocks) {
    cycles += b.split.cycles;
    gemm += b.split.gemm;
    tandem += b.split.tandem;
    overlap += b.split.overlap;
  }
  EXPECT_EQ(cycles + 1, r.total.cycles);  // + cycle 0 (start_i)
  EXPECT_EQ(gemm, r.total.gemm);
  EXPECT_EQ(tandem, r.total.tandem);
  EXPECT_EQ(overlap, r.total.overlap);
  EXPECT_GT(r.blocks[2].split.overlap, 0);  // conv2's tiles overlap with Tandem passes
  EXPECT_EQ(r.macs, 2 * 16 * 8 * 8 * 9);
  EXPECT_EQ(npu_block_table(r).size(), 4u);
}

TEST(NpuFlow, PlotDataStacksEachBlocksCycles) {
  NpuFlowOptions o;
  o.tile_m = 4;
  const NpuFlowResult r = run_npu_flow(o);
  const std::string gp = npu_runtime_gnuplot(r, "t", "p.png");
  const size_t begin = gp.find("$blocks << EOD\n"), end = gp.find("EOD\n", begin + 15);
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::istringstream data(gp.substr(begin + 15, end - begin - 15));
  std::string name;
  int64_t gemm_only = 0, both = 0, tandem_only = 0, idle = 0;
  size_t n = 0;
  // The four stacked series of a block add up to its cycles, whatever the split.
  while (data >> std::quoted(name) >> gemm_only >> both >> tandem_only >> idle) {
    ASSERT_LT(n, r.blocks.size());
    EXPECT_EQ(name, r.blocks[n].name);
    EXPECT_EQ(gemm_only + both + tandem_only + idle, r.blocks[n].split.cycles) << name;
    ++n;
  }
  EXPECT_EQ(n, r.blocks.size());
  EXPECT_NE(gp.find("set output 'p.png'"), std::string::npos);
}

}  // namespace
}  // namespace accelgen::flows
