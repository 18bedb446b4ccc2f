// The `npu` golden model on hand-computed cases (golden_model/README.md, `npu`): every expected
// cycle and value below is worked out by hand from the specification in the comments.
#include <gtest/gtest.h>

#include <random>

#include "common/error.hpp"
#include "compiler/tandem/program.hpp"
#include "golden_model/npu/npu_model.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::golden::npu {
namespace {

using isa::tandem::Assemble;
using isa::tandem::Namespace;

// 2x2 array, 2 lanes. W = [[1, 2], [3, -4]]; input rows x give y = (x0 + 3 x1, 2 x0 - 4 x1).
NpuSim TwoByTwo() {
  NpuSim sim(NpuConfig{2, 2, 2, 8, 16, 256, 0});
  const int w[2][2] = {{1, 2}, {3, -4}};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) sim.WriteWbuf(c, r, w[r][c]);
  const int x[6][2] = {{1, 1}, {2, -1}, {-5, 0}, {0, 3}, {7, 1}, {-1, -1}};
  for (int i = 0; i < 6; ++i)
    for (int l = 0; l < 2; ++l) sim.Tandem().Write(Namespace::kIbuf, l, i, x[i][l]);
  return sim;
}

NpuBlock Block(int m_tiles, const std::string& tandem) {
  NpuBlock b;
  b.gemm = GemmDesc{2, m_tiles, 1, 1, 0, 0};
  b.tandem = Assemble(tandem);
  b.name = "test";
  return b;
}

TEST(NpuGolden, TwoTilesCyclesAndValues) {
  NpuSim sim = TwoByTwo();
  // relu vmem1[0] <- obuf row 0, then release.
  sim.Run({Block(2, "relu vmem1[0], obuf[0]\nsync.tandem.end.buf 0\n")});
  // Dispatch: 1 block.end + 9 GEMM words + 2 brackets + 2 region words = 14 cycles from cycle 2,
  // so GEMM_TANDEM from cycle 16. Tile 0: weight beats 16, 17; vectors 18, 19; outputs 23, 24
  // (+R+C+1 = 5). Tile 1: beats 18, 19, vectors 20, 21, outputs 25, 26.
  ASSERT_EQ(sim.GemmOut().size(), 4u);
  EXPECT_EQ(sim.GemmOut()[0].cycle, 23);
  EXPECT_EQ(sim.GemmOut()[1].cycle, 24);
  EXPECT_EQ(sim.GemmOut()[2].cycle, 25);
  EXPECT_EQ(sim.GemmOut()[3].cycle, 26);
  EXPECT_EQ(sim.GemmOut()[0].data, (std::vector<int32_t>{4, -2}));
  EXPECT_EQ(sim.GemmOut()[1].data, (std::vector<int32_t>{-1, 8}));
  EXPECT_EQ(sim.GemmOut()[2].data, (std::vector<int32_t>{-5, -10}));
  EXPECT_EQ(sim.GemmOut()[2].half, 1);
  // Pass 0 takes half 0 at 25 (READY from 25): relu in F 26, W 31; sync W 32 -> GEMM from 33;
  // done = max(3, 2 + 6) = 8 pass cycles -> 33. Pass 1 takes half 1 at 33: relu W 39, sync W 40,
  // release 41, done 41. BLOCK_DONE 41, IDLE (done) 42.
  ASSERT_EQ(sim.Passes().size(), 2u);
  EXPECT_EQ(sim.Passes()[0].take, 25);
  EXPECT_EQ(sim.Passes()[0].release, 33);
  EXPECT_EQ(sim.Passes()[1].take, 33);
  EXPECT_EQ(sim.Passes()[1].release, 41);
  EXPECT_EQ(sim.DoneCycle(), 42);
  ASSERT_EQ(sim.Commits().size(), 2u);
  EXPECT_EQ(sim.Commits()[0].cycle, 31);
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{4, 0}));
  EXPECT_EQ(sim.Commits()[1].cycle, 39);
  EXPECT_EQ(sim.Commits()[1].data, (std::vector<int32_t>{0, 0}));
  ASSERT_EQ(sim.Syncs().size(), 2u);
  EXPECT_EQ(sim.Syncs()[1].cycle, 40);
  // Ownership: READY 0 @25, TANDEM 0 @25, READY 1 @27, GEMM 0 @33, TANDEM 1 @33, GEMM 1 @41.
  const std::vector<std::tuple<int64_t, int, HalfState>> own = {
      {25, 0, HalfState::kReady}, {25, 0, HalfState::kTandem}, {27, 1, HalfState::kReady},
      {33, 0, HalfState::kGemm},  {33, 1, HalfState::kTandem}, {41, 1, HalfState::kGemm}};
  ASSERT_EQ(sim.Ownership().size(), own.size());
  for (size_t i = 0; i < own.size(); ++i) {
    EXPECT_EQ(sim.Ownership()[i].cycle, std::get<0>(own[i])) << i;
    EXPECT_EQ(sim.Ownership()[i].half, std::get<1>(own[i])) << i;
    EXPECT_EQ(sim.Ownership()[i].state, std::get<2>(own[i])) << i;
  }
  const std::vector<std::pair<int64_t, FsmState>> fsm = {{1, FsmState::kBlockStart},
                                                         {2, FsmState::kDispatch},
                                                         {16, FsmState::kGemmTandem},
                                                         {41, FsmState::kBlockDone},
                                                         {42, FsmState::kIdle}};
  ASSERT_EQ(sim.Fsm().size(), fsm.size());
  for (size_t i = 0; i < fsm.size(); ++i) {
    EXPECT_EQ(sim.Fsm()[i].cycle, fsm[i].first);
    EXPECT_EQ(sim.Fsm()[i].state, fsm[i].second);
  }
  EXPECT_EQ(sim.ReadObuf(1, 1, 1), -12);  // tile 1 row 1: x = (0, 3) -> (9, -12)
  EXPECT_EQ(sim.GemmVectorCycles(), 4);
}

TEST(NpuGolden, EarlyReleaseLetsTileTwoStartBeforeThePassEnds) {
  NpuSim sim = TwoByTwo();
  // relu, release, then six nops: the pass is done 14 cycles after its take (last slot in F at
  // 8, + 6), the release takes effect 8 cycles after it (sync W at 7, + 1).
  sim.Run(
      {Block(3, "relu vmem1[0], obuf[0]\nsync.tandem.end.buf 0\nnop\nnop\nnop\nnop\nnop\nnop\n")});
  // The region is 8 words: dispatch 1 + 9 + 2 + 8 = 20 cycles from 2, GEMM_TANDEM from 22.
  // Tile 0: beats 22, 23, vectors 24, 25, outputs 29, 30, READY 31. Tile 1: beats 24, 25,
  // vectors 26, 27, outputs 31, 32, READY 33. Pass 0: take 31, release 39, done 45. Tile 2 (half
  // 0, array bank 0): beats 26, 27 (bank 0 reusable from 25 + 1); its first vector waits for
  // half 0 (GEMM from 39): vectors 39, 40, outputs 44, 45, READY 46. Pass 1: take max(33, 45) =
  // 45, release 53, done 59. Pass 2: take max(46, 59) = 59, done 73; BLOCK_DONE 73, done 74.
  ASSERT_EQ(sim.Passes().size(), 3u);
  EXPECT_EQ(sim.Passes()[0].take, 31);
  EXPECT_EQ(sim.Passes()[0].release, 39);
  EXPECT_EQ(sim.Passes()[0].done, 45);
  EXPECT_EQ(sim.GemmOut()[4].cycle, 44);
  EXPECT_EQ(sim.GemmOut()[4].data, (std::vector<int32_t>{7 + 3, 14 - 4}));
  EXPECT_EQ(sim.Passes()[1].take, 45);
  EXPECT_EQ(sim.Passes()[2].take, 59);
  EXPECT_EQ(sim.DoneCycle(), 74);
  // Pass 2 read half 0 after tile 2 overwrote it: relu(10, 10).
  EXPECT_EQ(sim.Commits().back().data, (std::vector<int32_t>{10, 10}));
  // Without the early release (the same 8 words, released at the end of the pass) tile 2's first
  // vector waits until 45 and its first output is at 50.
  NpuSim late = TwoByTwo();
  late.Run({Block(3, "relu vmem1[0], obuf[0]\nnop\nnop\nnop\nnop\nnop\nnop\nnop\n")});
  EXPECT_EQ(late.Passes()[0].release, 45);
  EXPECT_EQ(late.GemmOut()[4].cycle, 50);
}

TEST(NpuGolden, KBlocksAccumulateAndInputsAreInt8) {
  NpuSim sim(NpuConfig{2, 2, 2, 8, 16, 256, 0});
  // Two K blocks: weight rows 0..1 (block 0) and 2..3 (block 1).
  const int w[4][2] = {{1, 0}, {0, 1}, {2, 0}, {0, -3}};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 2; ++c) sim.WriteWbuf(c, r, w[r][c]);
  // Input row 0 (K block 0) = (200, 5): 200 is read as the INT8 -56; row 1 (K block 1) = (1, 2).
  sim.Tandem().Write(Namespace::kIbuf, 0, 0, 200);
  sim.Tandem().Write(Namespace::kIbuf, 1, 0, 5);
  sim.Tandem().Write(Namespace::kIbuf, 0, 1, 1);
  sim.Tandem().Write(Namespace::kIbuf, 1, 1, 2);
  NpuBlock b;
  b.gemm = GemmDesc{1, 1, 2, 1, 0, 0};
  b.tandem = Assemble("move vmem2[0], obuf[0]\nsync.tandem.end.buf 0\n");
  sim.Run({b});
  // y = (-56, 5) + (2, -6) = (-54, -1); block 0's row appears first, then the accumulated one.
  ASSERT_EQ(sim.GemmOut().size(), 2u);
  EXPECT_EQ(sim.GemmOut()[0].data, (std::vector<int32_t>{-56, 5}));
  EXPECT_EQ(sim.GemmOut()[1].data, (std::vector<int32_t>{-54, -1}));
  EXPECT_EQ(sim.Tandem().Read(Namespace::kVmem2, 0, 0), -54);
  EXPECT_EQ(sim.Tandem().Read(Namespace::kVmem2, 1, 0), -1);
  // Vectors 18 (block 0: beats 16, 17) and 20 (block 1: beats 18, 19): outputs 23 and 25.
  EXPECT_EQ(sim.GemmOut()[1].cycle, 25);
}

TEST(NpuGolden, ReleaseOneInstructionEarlyIsCaught) {
  const std::string good =
      "move vmem1[0], obuf[0]\nrelu vmem2[0], obuf[0]\nsync.tandem.end.buf 0\n";
  const std::string early =
      "move vmem1[0], obuf[0]\nsync.tandem.end.buf 0\nrelu vmem2[0], obuf[0]\n";
  NpuSim ok = TwoByTwo();
  EXPECT_NO_THROW(ok.Run({Block(2, good)}));
  NpuSim bad = TwoByTwo();
  try {
    bad.Run({Block(2, early)});
    FAIL() << "an early release was not caught";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("touches obuf after the Output BUF was released"),
              std::string::npos)
        << e.what();
  }
}

TEST(NpuGolden, IllFormedRegionsAreRejected) {
  const auto rejects = [](NpuBlock b, const char* what) {
    NpuSim sim = TwoByTwo();
    try {
      sim.Run({b});
      ADD_FAILURE() << "accepted: " << what;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  rejects(Block(1, "loop.set_iter 0, 2\nloop.set_num_inst 1\nsync.tandem.end.buf 0\n"),
          "loop body");
  rejects(Block(1, "sync.tandem.end.buf 0\nsync.tandem.start.buf 0\n"), "both release");
  rejects(Block(1, "sync.gemm.end.buf 0\n"), "holds only sync.tandem");
  // The region writes an ibuf row that the same block's GEMM reads (rows 0..1).
  rejects(Block(1, "move ibuf[0], obuf[0]\nsync.tandem.end.buf 0\n"), "which this block's GEMM");
  NpuBlock tandem_only;
  tandem_only.tandem = Assemble("move vmem1[0], obuf[0]\n");
  rejects(tandem_only, "owns no Output BUF");
  NpuBlock too_big = Block(1, "sync.tandem.end.buf 0\n");
  too_big.gemm->m_tiles = 5;  // 5 tiles x 2 vectors = 10 input rows > 8
  rejects(too_big, "does not fit the scratchpads");
}

TEST(NpuGolden, TandemOnlyBlockRunsItsTilesBackToBack) {
  NpuSim sim = TwoByTwo();
  NpuBlock b;
  b.tandem = Assemble("add vmem1[0], vmem1[0], imm[0]\n");  // imm[0] = 0 after reset: a copy
  b.tiles = 3;
  sim.Run({b});
  // Dispatch 1 + 2 + 1 = 4 words from cycle 2: TANDEM from 6. Each pass: one slot, done 7 cycles
  // after its start. Passes at 6, 13, 20; BLOCK_DONE 27; done 28.
  ASSERT_EQ(sim.Passes().size(), 3u);
  EXPECT_EQ(sim.Passes()[2].take, 20);
  EXPECT_EQ(sim.DoneCycle(), 28);
}

// Seeded random blocks: every tile's result equals a plain GEMM of the scratchpad contents laid out
// as the specification says, and the ownership protocol holds in the event streams: a pass takes
// its half only after the tile's last output, reads it before releasing it, and tile t + 2 writes
// the half only after pass t released it.
TEST(NpuGolden, RandomBlocksKeepValuesAndOwnership) {
  std::mt19937_64 rng(2026);
  const auto draw = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 150; ++trial) {
    const int lanes = 4, depth = 64;
    const int R = draw(1, lanes), C = draw(1, lanes);
    GemmDesc g{draw(1, 4), draw(1, 4), draw(1, 3), draw(1, 2), draw(0, 3), draw(0, 5)};
    NpuSim sim(NpuConfig{R, C, lanes, depth, 64, 256, 0});
    const int T = g.Tiles(), K = g.k_blocks * R, Mtot = g.m * g.m_tiles, N = g.n_blocks * C;
    // X (Mtot x K) and W (K x N) through the scratchpad layout of the specification.
    std::vector<int64_t> x(static_cast<size_t>(Mtot) * K), w(static_cast<size_t>(K) * N);
    for (int mt = 0; mt < g.m_tiles; ++mt)
      for (int kb = 0; kb < g.k_blocks; ++kb)
        for (int m = 0; m < g.m; ++m)
          for (int r = 0; r < R; ++r) {
            const int v = draw(-300, 300);  // stored as a word; the array reads the low 8 bits
            sim.Tandem().Write(isa::tandem::Namespace::kIbuf, r,
                               g.in_base + (mt * g.k_blocks + kb) * g.m + m, v);
            x[(mt * g.m + m) * K + kb * R + r] = static_cast<int8_t>(v & 0xff);
          }
    for (int nb = 0; nb < g.n_blocks; ++nb)
      for (int kb = 0; kb < g.k_blocks; ++kb)
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < C; ++c) {
            const int v = draw(-128, 127);
            sim.WriteWbuf(c, g.w_base + (nb * g.k_blocks + kb) * R + r, v);
            w[(kb * R + r) * N + nb * C + c] = v;
          }
    const std::vector<int64_t> y = gemm_reference(Mtot, K, N, x, w, 32);
    compiler::tandem::ProgramBuilder pb(lanes, depth);
    using compiler::tandem::Operand;
    pb.Rows("move", g.m, Operand::Buf(isa::tandem::Namespace::kVmem1, 0),
            Operand::Buf(isa::tandem::Namespace::kObuf, 0));
    pb.Emit("sync.tandem.end.buf", {{0}});
    for (int i = draw(0, 12); i > 0; --i) pb.Emit("nop", {});
    NpuBlock b;
    b.gemm = g;
    b.tandem = pb.words();
    sim.Run({b});
    ASSERT_EQ(sim.Passes().size(), static_cast<size_t>(T));
    ASSERT_EQ(sim.GemmOut().size(), static_cast<size_t>(T) * g.k_blocks * g.m);
    ASSERT_EQ(sim.Commits().size(), static_cast<size_t>(T) * g.m);
    const size_t per_tile = static_cast<size_t>(g.k_blocks) * g.m;
    for (int t = 0; t < T; ++t) {
      const int mt = t / g.n_blocks, nb = t % g.n_blocks;
      const PassInfo& p = sim.Passes()[t];
      const auto& last = sim.GemmOut()[(t + 1) * per_tile - 1];
      EXPECT_EQ(p.half, t % 2);
      EXPECT_GT(p.take, last.cycle) << "trial " << trial << " tile " << t;
      if (t >= 2) {
        EXPECT_GT(sim.GemmOut()[t * per_tile].cycle, sim.Passes()[t - 2].release)
            << "trial " << trial << " tile " << t;
      }
      for (int m = 0; m < g.m; ++m) {
        const auto& out = sim.GemmOut()[t * per_tile + (g.k_blocks - 1) * g.m + m];
        const auto& commit = sim.Commits()[t * g.m + m];
        EXPECT_LT(commit.cycle, p.release);  // written back (read 2 cycles earlier) before release
        EXPECT_GT(commit.cycle, p.take);
        for (int c = 0; c < C; ++c) {
          const int64_t want = y[(mt * g.m + m) * N + nb * C + c];
          EXPECT_EQ(out.data[c], want) << "trial " << trial << " tile " << t << " row " << m;
          EXPECT_EQ(commit.data[c], want) << "trial " << trial << " tile " << t << " row " << m;
        }
      }
    }
    EXPECT_GE(sim.DoneCycle(), sim.Passes().back().done + 1);
  }
}

}  // namespace
}  // namespace accelgen::golden::npu
