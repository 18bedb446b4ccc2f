// The Tandem golden simulator's program rules and cycle model: where instructions may stand
// (isa/README.md item 13), the spacing rule (item 14) and the exact timing of
// golden_model/README.md
// (`tandem`, "Timing"). Every expected cycle is worked out by hand from that text in a comment.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "isa/tandem/asm.hpp"
#include "tests/isa/tandem_sim_test_util.hpp"

namespace accelgen::golden::tandem {
namespace {

using isa::tandem::Namespace;
constexpr int kObuf = 0, kVmem2 = 3;

// Runs `text` on a fresh simulator and expects a UserError naming every needle.
void ExpectError(const std::string& text, const std::vector<std::string>& needles,
                 TandemSimConfig cfg = {2, 16, 256}) {
  ExpectSimError(text, needles, cfg);
}

void ExpectRuns(const std::string& text, TandemSimConfig cfg = {2, 16, 256}) {
  TandemSim sim(cfg);
  EXPECT_NO_THROW(RunText(sim, text)) << text;
}

std::string Nops(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "nop\n";
  return s;
}

// --- placement (item 13) ---

TEST(TandemPlacement, RejectsEngineStartsInALoopBody) {
  ExpectError("loop.set_iter 0, 2\nloop.set_num_inst 2\nnop\nld.start vmem1, 5, 2",
              {"instruction 3: 'ld.start' may not stand in a loop body", "instruction 1"});
  ExpectError("loop.set_iter 0, 2\nloop.set_num_inst 1\nst.start vmem2, 5, 2",
              {"instruction 2: 'st.start' may not stand in a loop body"});
  ExpectError("loop.set_iter 0, 2\nloop.set_num_inst 1\nperm.start vmem2, vmem1, 0",
              {"instruction 2: 'perm.start' may not stand in a loop body"});
  // The rule is about the program text: a body that never runs is rejected too.
  ExpectError("loop.set_iter 0, 0\nloop.set_num_inst 1\nperm.start vmem2, vmem1, 0",
              {"'perm.start' may not stand in a loop body"});
}

TEST(TandemPlacement, RejectsLoopInstructionsInALoopBody) {
  ExpectError("loop.set_iter 0, 2\nloop.set_num_inst 2\nnop\nloop.set_num_inst 1",
              {"instruction 3: 'loop.set_num_inst' may not stand in a loop body"});
  ExpectError("loop.set_iter 0, 2\nloop.set_num_inst 1\nloop.set_index vmem2[0], imm[0], imm[0]",
              {"instruction 2: 'loop.set_index' may not stand in a loop body"});
}

TEST(TandemPlacement, ABodyMayHoldConfigurationAndSync) {
  TandemSim sim({2, 16, 256});
  sim.WriteDram(0, 42);
  RunText(sim, R"(
loop.set_iter 0, 3
loop.set_num_inst 4
sync.tandem.start.exec 3
ld.tile_addr lo, vmem1, 5
perm.set_base src, 2
imm.sext imm[1], -4
ld.start vmem1, 5, 1
)");
  // The body's configuration took effect: the load (one element, DRAM word 0) went to row 5.
  EXPECT_EQ(sim.Read(Namespace::kVmem1, 0, 5), 42);
  EXPECT_EQ(sim.Imm(1), -4);
  // Slots: set_iter F1, set_num_inst F2, iteration j's sync in F 3 + 4 j, W 5 cycles later:
  // 8, 12, 16.
  ASSERT_EQ(sim.Syncs().size(), 3u);
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(sim.Syncs()[j].cycle, 8 + 4 * j);
    EXPECT_EQ(sim.Syncs()[j].func, 0x8);
    EXPECT_EQ(sim.Syncs()[j].group, 3);
  }
  // 2 + 12 body slots, then ld.start in F15 with E = 1: done = 15 + 1 + 7 = 23.
  EXPECT_EQ(sim.Slots(), 15);
  EXPECT_EQ(sim.DoneCycle(), 23);
}

// --- spacing rule (item 14) ---

// A writer of vmem2 row 0 (instruction 0), `gap` nops, then `reader` (instruction gap + 1), which
// is issued gap + 1 cycles after the writer.
std::string Spaced(const std::string& reader, int gap,
                   const std::string& writer = "add vmem2[0], vmem1[0], vmem1[0]") {
  return writer + "\n" + Nops(gap) + reader + "\n";
}

void ExpectDistanceRule(const std::string& reader, const std::string& role) {
  ExpectError(Spaced(reader, 0), {"instruction 1: " + role +
                                  " reads vmem2 row 0, which instruction 0 writes only 1 "
                                  "cycle earlier"});
  ExpectError(Spaced(reader, 1), {"instruction 2: " + role +
                                  " reads vmem2 row 0, which instruction 0 writes only 2 "
                                  "cycles earlier"});
  ExpectRuns(Spaced(reader, 2));
}

TEST(TandemSpacing, Src1NeedsThreeCycles) {
  ExpectDistanceRule("add obuf[0], vmem2[0], imm[0]", "src1");
}

TEST(TandemSpacing, Src2NeedsThreeCycles) {
  ExpectDistanceRule("sub obuf[0], imm[0], vmem2[0]", "src2");
}

TEST(TandemSpacing, MaccReadsItsDestination) {
  ExpectDistanceRule("macc vmem2[0], vmem1[0], vmem1[0]", "dst");
}

TEST(TandemSpacing, CmovReadsItsDestination) {
  ExpectDistanceRule("cmov.t vmem2[0], vmem1[0], imm[0]", "dst");
  ExpectDistanceRule("cmov.f vmem2[0], vmem1[0], imm[0]", "dst");
}

TEST(TandemSpacing, ACmovThatWritesNoLaneStillCountsAsAWrite) {
  // imm[0] = 0: cmov.t passes in no lane, yet the row is written as far as the rule goes.
  ExpectError(Spaced("add obuf[0], vmem2[0], imm[0]", 0, "cmov.t vmem2[0], vmem1[0], imm[0]"),
              {"instruction 1: src1 reads vmem2 row 0, which instruction 0 writes only 1 cycle"});
}

TEST(TandemSpacing, OnlyReadsOfTheSameRowAndNamespaceCount) {
  // Write after write (mul does not read its destination).
  TandemSim sim({2, 16, 256});
  sim.Write(Namespace::kVmem1, 0, 0, 3);
  sim.Write(Namespace::kVmem1, 1, 0, -5);
  RunText(sim, Spaced("mul vmem2[0], vmem1[0], vmem1[0]", 0));
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 0), 9);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 1, 0), 25);
  // The same row of another buffer, and another row of the same buffer.
  ExpectRuns(Spaced("add vmem1[0], obuf[0], imm[0]", 0));
  ExpectRuns("iter.base_zext vmem2[1], 1\n" + Spaced("add obuf[0], vmem2[1], imm[0]", 0));
}

TEST(TandemSpacing, ConfigurationAndEnginesNeedNoSpacing) {
  TandemSim sim({2, 16, 256});
  sim.WriteDram(0, 40);
  sim.WriteDram(1, 41);
  RunText(sim, R"(
imm.sext imm[3], 7
add vmem2[0], vmem1[0], imm[3]
st.tile_iter vmem2, 7, 2
st.tile_stride lo, vmem2, 7, 1
st.base_addr lo, vmem2, 10
add vmem2[0], imm[3], imm[3]
st.start vmem2, 5, 2
ld.tile_iter vmem1, 7, 2
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 5, 2
add obuf[0], vmem1[0], imm[3]
)");
  // The IMM write is seen by the next instruction; the store sees the add right before it
  // (7 + 7 = 14 in both lanes); the add right after the load sees the loaded 40, 41 (+ 7).
  EXPECT_EQ(sim.ReadDram(10), 14);
  EXPECT_EQ(sim.ReadDram(11), 14);
  EXPECT_EQ(sim.Read(Namespace::kObuf, 0, 0), 47);
  EXPECT_EQ(sim.Read(Namespace::kObuf, 1, 0), 48);
}

TEST(TandemSpacing, MaccIntoOneRowInConsecutiveIterationsIsRejected) {
  ExpectError("loop.set_iter 0, 4\nloop.set_num_inst 1\nmacc vmem2[0], vmem1[0], vmem1[0]",
              {"instruction 2: dst reads vmem2 row 0, which instruction 2 writes only 1 cycle "
               "earlier"});
}

TEST(TandemSpacing, AReadAtTheTopOfABodySeesTheWriteAtItsBottom) {
  // Iteration 2's first instruction (pc 2) reads the row that iteration 1's last (pc 4) wrote
  // one cycle before.
  ExpectError(
      "loop.set_iter 0, 2\nloop.set_num_inst 3\nadd obuf[0], vmem2[0], imm[0]\nnop\n"
      "add vmem2[0], vmem1[0], imm[0]",
      {"instruction 2: src1 reads vmem2 row 0, which instruction 4 writes only 1 cycle earlier"});
}

TEST(TandemSpacing, AccumulatorRowsThatRotateWithTheInnerLoop) {
  // Inner level: dst row = i1 (vmem2[1] has stride 1), sources fixed. With 3 inner iterations a
  // row is written again 3 cycles later: legal.
  const std::string head = "iter.stride_sext vmem2[1], 1\nloop.set_iter 0, 4\n";
  const std::string tail =
      "loop.set_index vmem2[1], vmem1[2], vmem1[2]\nloop.set_num_inst 1\n"
      "macc vmem2[0], vmem1[0], vmem1[0]\n";
  TandemSim sim({2, 16, 256});
  sim.Write(Namespace::kVmem1, 0, 0, 2);
  sim.Write(Namespace::kVmem1, 1, 0, 3);
  RunText(sim, head + "loop.set_iter 1, 3\n" + tail);
  for (int row = 0; row < 3; ++row) {
    EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, row), 4 * 2 * 2);  // 4 outer iterations of 2 * 2
    EXPECT_EQ(sim.Read(Namespace::kVmem2, 1, row), 4 * 3 * 3);
  }
  // With 2 inner iterations the rows go 0, 1, 0: the third macc is 2 cycles after the first.
  ExpectError(head + "loop.set_iter 1, 2\n" + tail,
              {"instruction 5: dst reads vmem2 row 0, which instruction 5 writes only 2 cycles "
               "earlier"});
}

TEST(TandemSpacing, ADivWritesInItsLastSlot) {
  // A div takes 34 slots (isa/README.md item 14): its write is dated at its last slot, F1 + 33
  // = F34. The next instruction is in F35 (1 cycle after), a nop makes it F36 (2), two nops F37.
  const std::string div = "div vmem2[0], vmem1[0], vmem1[0]";
  ExpectError(Spaced("add obuf[0], vmem2[0], imm[0]", 0, div),
              {"instruction 1: src1 reads vmem2 row 0, which instruction 0 writes only 1 cycle"});
  ExpectError(Spaced("add obuf[0], vmem2[0], imm[0]", 1, div),
              {"instruction 2: src1 reads vmem2 row 0, which instruction 0 writes only 2 cycles"});
  ExpectRuns(Spaced("add obuf[0], vmem2[0], imm[0]", 2, div));
  // As a reader a div is an ordinary instruction: it reads in its first slot.
  ExpectError(Spaced("div obuf[0], vmem2[0], imm[0]", 1),
              {"instruction 2: src1 reads vmem2 row 0, which instruction 0 writes only 2 cycles"});
  ExpectRuns(Spaced("div obuf[0], vmem2[0], imm[0]", 2));
}

// --- cycle model (golden_model/README.md, tandem, Timing) ---

TEST(TandemTiming, EmptyProgramIsDoneInCycleOne) {
  TandemSim sim({2, 16, 256});
  sim.Run({});
  EXPECT_EQ(sim.DoneCycle(), 1);
  EXPECT_EQ(sim.Slots(), 0);
  EXPECT_TRUE(sim.Commits().empty());
}

TEST(TandemTiming, OneInstructionTakesSixCycles) {
  TandemSim sim({2, 16, 256});
  RunText(sim, "nop");
  // F1, L + 6 = 7 beats the next F (2).
  EXPECT_EQ(sim.DoneCycle(), 7);
  EXPECT_EQ(sim.Slots(), 1);
  EXPECT_TRUE(sim.Commits().empty());  // nop writes nothing
}

TEST(TandemTiming, ADivTakesThirtyFourSlots) {
  TandemSim sim({2, 16, 256});
  sim.Write(Namespace::kVmem1, 0, 0, -7);
  sim.Write(Namespace::kVmem1, 1, 0, 100);
  sim.Write(Namespace::kVmem1, 0, 1, 2);
  sim.Write(Namespace::kVmem1, 1, 1, -3);
  RunText(sim,
          "iter.base_zext vmem1[1], 1\ndiv vmem2[0], vmem1[0], vmem1[1]\nadd obuf[0], vmem1[0], "
          "imm[0]\n");
  // iter F1; div F2 .. F35 (34 slots), W = 35 + 5 = 40; add F36, W41; done = max(37, 36 + 6) = 42.
  EXPECT_EQ(sim.Slots(), 36);
  EXPECT_EQ(sim.DoneCycle(), 42);
  ASSERT_EQ(sim.Commits().size(), 2u);
  EXPECT_EQ(sim.Commits()[0].cycle, 40);
  EXPECT_EQ(sim.Commits()[1].cycle, 41);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 0), -3);   // -7 / 2 toward zero
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 1, 0), -33);  // 100 / -3
  // In a loop body: 3 iterations of one div issue 102 slots after set_iter (F1) and set_num_inst
  // (F2): the last div's last slot is F104, W109; done = max(105, 104 + 6) = 110.
  TandemSim loop({2, 16, 256});
  RunText(loop, "loop.set_iter 0, 3\nloop.set_num_inst 1\ndiv vmem2[0], vmem1[0], vmem1[0]\n");
  EXPECT_EQ(loop.Slots(), 104);
  EXPECT_EQ(loop.DoneCycle(), 110);
  ASSERT_EQ(loop.Commits().size(), 3u);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(loop.Commits()[j].cycle, 3 + 34 * j + 33 + 5);
}

const char* kStraightLine = R"(
imm.sext imm[0], 1
add vmem2[0], vmem1[0], imm[0]
nop
sync.tandem.end.exec 4
sub obuf[0], vmem1[0], imm[0]
)";

TEST(TandemTiming, StraightLineCode) {
  TandemSim sim({2, 16, 256});
  sim.Write(Namespace::kVmem1, 0, 0, 10);
  sim.Write(Namespace::kVmem1, 1, 0, -20);
  RunText(sim, kStraightLine);
  // Slot n in F 1 + n: add F2 -> W7, sync F4 -> W9, sub F5 -> W10; done = max(6, 5 + 6) = 11.
  EXPECT_EQ(sim.Slots(), 5);
  EXPECT_EQ(sim.DoneCycle(), 11);
  ASSERT_EQ(sim.Commits().size(), 2u);
  const Commit& a = sim.Commits()[0];
  EXPECT_EQ(a.cycle, 7);
  EXPECT_EQ(a.pc, 1);
  EXPECT_EQ(a.ns, kVmem2);
  EXPECT_EQ(a.addr, 0);
  EXPECT_EQ(a.written, (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(a.data, (std::vector<int32_t>{11, -19}));
  const Commit& s = sim.Commits()[1];
  EXPECT_EQ(s.cycle, 10);
  EXPECT_EQ(s.pc, 4);
  EXPECT_EQ(s.ns, kObuf);
  EXPECT_EQ(s.data, (std::vector<int32_t>{9, -21}));
  ASSERT_EQ(sim.Syncs().size(), 1u);
  EXPECT_EQ(sim.Syncs()[0].cycle, 9);
  EXPECT_EQ(sim.Syncs()[0].func, 0xC);
  EXPECT_EQ(sim.Syncs()[0].group, 4);

  // A second run starts a fresh count and fresh logs.
  sim.Run({});
  EXPECT_EQ(sim.DoneCycle(), 1);
  EXPECT_TRUE(sim.Commits().empty());
  EXPECT_TRUE(sim.Syncs().empty());
}

TEST(TandemTiming, CommitRecordingCanBeSwitchedOff) {
  TandemSimConfig cfg{2, 16, 256};
  cfg.record_commits = false;
  TandemSim sim(cfg);
  sim.Write(Namespace::kVmem1, 0, 0, 10);
  RunText(sim, kStraightLine);
  EXPECT_TRUE(sim.Commits().empty());
  EXPECT_EQ(sim.DoneCycle(), 11);  // as in StraightLineCode
  EXPECT_EQ(sim.Read(Namespace::kObuf, 0, 0), 9);
  EXPECT_EQ(sim.Syncs().size(), 1u);
}

TEST(TandemTiming, LoopBodySlotsFollowTheSetNumInstSlot) {
  TandemSim sim({2, 16, 256});
  RunText(sim, R"(
loop.set_iter 0, 3
loop.set_num_inst 2
add vmem2[0], vmem1[0], imm[0]
add obuf[0], vmem1[0], imm[0]
sync.gemm.start.buf 2
)");
  // set_iter F1, set_num_inst F2, body F3..F8 (pc 2 in F3, F5, F7; pc 3 in F4, F6, F8), sync F9.
  // Commits in W = F + 5: 8..13; sync W 14; done = 9 + 6 = 15.
  EXPECT_EQ(sim.Slots(), 9);
  EXPECT_EQ(sim.DoneCycle(), 15);
  ASSERT_EQ(sim.Commits().size(), 6u);
  for (int j = 0; j < 6; ++j) {
    EXPECT_EQ(sim.Commits()[j].cycle, 8 + j);
    EXPECT_EQ(sim.Commits()[j].pc, 2 + j % 2);
    EXPECT_EQ(sim.Commits()[j].ns, j % 2 == 0 ? kVmem2 : kObuf);
  }
  ASSERT_EQ(sim.Syncs().size(), 1u);
  EXPECT_EQ(sim.Syncs()[0].cycle, 14);
  EXPECT_EQ(sim.Syncs()[0].func, 0x2);
}

TEST(TandemTiming, CountZeroCountOneAndEmptyBody) {
  struct Case {
    const char* program;
    int64_t slots, sync_cycle, done;
    size_t commits;
  };
  const Case cases[] = {
      // Count 0: set_iter F1, set_num_inst F2, the body issues nothing, sync F3 -> W8, done 9.
      {"loop.set_iter 0, 0\nloop.set_num_inst 2\nadd vmem2[0], vmem1[0], imm[0]\n"
       "add obuf[0], vmem1[0], imm[0]\nsync.gemm.end.exec 1",
       3, 8, 9, 0},
      // A zero count at an inner level skips the whole nest too.
      {"loop.set_iter 0, 4\nloop.set_iter 1, 0\nloop.set_num_inst 1\n"
       "add vmem2[0], vmem1[0], imm[0]\nsync.gemm.end.exec 1",
       4, 9, 10, 0},
      // Count 1: body once in F3 (W8), sync F4 -> W9, done 10.
      {"loop.set_iter 0, 1\nloop.set_num_inst 1\nadd vmem2[0], vmem1[0], imm[0]\n"
       "sync.gemm.end.exec 1",
       4, 9, 10, 1},
      // n = 0: sync right after set_num_inst: F3 -> W8, done 9.
      {"loop.set_iter 0, 5\nloop.set_num_inst 0\nsync.gemm.end.exec 1", 3, 8, 9, 0},
  };
  for (const Case& c : cases) {
    TandemSim sim({2, 16, 256});
    RunText(sim, c.program);
    EXPECT_EQ(sim.Slots(), c.slots) << c.program;
    EXPECT_EQ(sim.DoneCycle(), c.done) << c.program;
    ASSERT_EQ(sim.Syncs().size(), 1u) << c.program;
    EXPECT_EQ(sim.Syncs()[0].cycle, c.sync_cycle) << c.program;
    EXPECT_EQ(sim.Commits().size(), c.commits) << c.program;
  }
}

TEST(TandemTiming, NestedLoopsIssueInnermostFastest) {
  TandemSim sim({2, 16, 256});
  RunText(sim, R"(
iter.stride_sext vmem2[1], 3
iter.stride_sext vmem2[2], 1
loop.set_iter 0, 2
loop.set_index vmem2[1], vmem1[0], vmem1[0]
loop.set_iter 1, 3
loop.set_index vmem2[2], vmem1[0], vmem1[0]
loop.set_num_inst 1
move vmem2[0], vmem1[0]
)");
  // 7 static slots F1..F7, then 6 dynamic moves F8..F13 (W13..W18) to rows 3 i0 + i1 =
  // 0, 1, 2, 3, 4, 5; done = 13 + 6 = 19.
  EXPECT_EQ(sim.Slots(), 13);
  EXPECT_EQ(sim.DoneCycle(), 19);
  ASSERT_EQ(sim.Commits().size(), 6u);
  for (int j = 0; j < 6; ++j) {
    EXPECT_EQ(sim.Commits()[j].cycle, 13 + j);
    EXPECT_EQ(sim.Commits()[j].addr, j);
    EXPECT_EQ(sim.Commits()[j].pc, 7);
  }
}

// The one-word engines (dram_bus_words 1, permute_width 1): a start costs one cycle per element.
TandemSimConfig OneWord(int lanes = 2) {
  TandemSimConfig cfg{lanes, 16, 256};
  cfg.dram_bus_words = 1;
  cfg.permute_width = 1;
  return cfg;
}

TEST(TandemTiming, LoadStallsFetchForItsElements) {
  TandemSim sim(OneWord());
  for (int a = 0; a < 256; ++a) sim.WriteDram(a, 1000 + a);
  RunText(sim, R"(
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 5, 2
add vmem2[0], vmem1[0], imm[0]
)");
  // ld.start in F3 with E = 4: next F = 3 + 4 + 7 = 14; the add is in F14, W19; done =
  // max(15, 14 + 6) = 20. It reads row 0 = DRAM 0, 1.
  EXPECT_EQ(sim.Slots(), 4);
  EXPECT_EQ(sim.DoneCycle(), 20);
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].cycle, 19);
  EXPECT_EQ(sim.Commits()[0].pc, 3);
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{1000, 1001}));
}

TEST(TandemTiming, ALineWideLoadStallsFetchForItsBeats) {
  TandemSim sim({2, 16, 256});  // default: a lanes-wide line, W = 2
  for (int a = 0; a < 256; ++a) sim.WriteDram(a, 1000 + a);
  RunText(sim, R"(
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 5, 2
add vmem2[0], vmem1[0], imm[0]
)");
  // Words 0..3 from base 0, two per row, W = 2: beats {0, 1}, {2, 3}, B = 2. ld.start in F3:
  // next F = 3 + 2 + 7 = 12; the add is in F12, W17; done = max(13, 12 + 6) = 18.
  EXPECT_EQ(sim.EngineBeats(), 2);
  EXPECT_EQ(sim.EngineElements(), 4);
  EXPECT_EQ(sim.DoneCycle(), 18);
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].cycle, 17);
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{1000, 1001}));
}

TEST(TandemTiming, AnEngineWithNoElementsStillDrainsThePipeline) {
  TandemSim sim({2, 16, 256});
  RunText(sim, "ld.tile_iter vmem1, 7, 0\nld.start vmem1, 5, 2\nsync.tandem.start.exec 1");
  // ld.start in F2 with E = 0: next F = 2 + 0 + 7 = 9; sync F9 -> W14; done = 9 + 6 = 15.
  EXPECT_EQ(sim.Slots(), 3);
  EXPECT_EQ(sim.DoneCycle(), 15);
  ASSERT_EQ(sim.Syncs().size(), 1u);
  EXPECT_EQ(sim.Syncs()[0].cycle, 14);
}

TEST(TandemTiming, AStoreAsTheLastInstruction) {
  TandemSim sim({2, 16, 256});
  RunText(sim, "st.tile_iter vmem2, 6, 3\nst.start vmem2, 5, 2");
  // st.start in F2 with E = 3: done = max(2 + 3 + 7, 2 + 6) = 12.
  EXPECT_EQ(sim.Slots(), 2);
  EXPECT_EQ(sim.DoneCycle(), 12);
}

constexpr const char* kPermSix = R"(
perm.set_iter src, 7, 6
perm.set_stride src, 7, 1
perm.set_iter dst, 7, 6
perm.set_stride dst, 7, 1
perm.start vmem2, vmem1, 0
move obuf[0], vmem2[0]
)";

TEST(TandemTiming, PermutationStallsFetchForItsElements) {
  TandemSim sim(OneWord());
  sim.Write(Namespace::kVmem1, 0, 0, 5);
  sim.Write(Namespace::kVmem1, 1, 0, 6);
  RunText(sim, kPermSix);
  // perm.start in F5 with E = 6: next F = 5 + 6 + 7 = 18; move F18 -> W23; done = 24.
  EXPECT_EQ(sim.Slots(), 6);
  EXPECT_EQ(sim.DoneCycle(), 24);
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].cycle, 23);
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{5, 6}));
  // Two starts in a row with the reset shape (E = 1): F1 -> next F 9, F9 -> next F 17 = done.
  TandemSim fresh(OneWord());
  RunText(fresh, "perm.start vmem2, vmem1, 0\nperm.start obuf, vmem1, 0");
  EXPECT_EQ(fresh.DoneCycle(), 17);
}

TEST(TandemTiming, ARowWidePermutationStallsFetchForItsBeats) {
  TandemSim sim({2, 16, 256});  // default: P = lanes = 2
  sim.Write(Namespace::kVmem1, 0, 0, 5);
  sim.Write(Namespace::kVmem1, 1, 0, 6);
  RunText(sim, kPermSix);
  // Flat 0..5 to flat 0..5, two lanes a row: beats {0, 1}, {2, 3}, {4, 5}, B = 3. perm.start in
  // F5: next F = 5 + 3 + 7 = 15; move F15 -> W20; done = 21.
  EXPECT_EQ(sim.EngineBeats(), 3);
  EXPECT_EQ(sim.DoneCycle(), 21);
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].cycle, 20);
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{5, 6}));
  // One element per start (the reset shape) is one beat whatever the width: as above, 17.
  TandemSim fresh({2, 16, 256});
  RunText(fresh, "perm.start vmem2, vmem1, 0\nperm.start obuf, vmem1, 0");
  EXPECT_EQ(fresh.DoneCycle(), 17);
}

TEST(TandemTiming, CmovCommitsShowTheLanesWritten) {
  TandemSim sim({4, 16, 256});
  const int32_t x[4] = {11, 12, 13, 14}, test[4] = {1, 0, 3, 2};
  for (int l = 0; l < 4; ++l) {
    sim.Write(Namespace::kVmem1, l, 0, x[l]);
    sim.Write(Namespace::kObuf, l, 0, test[l]);
    sim.Write(Namespace::kVmem2, l, 0, -1 - l);
  }
  RunText(sim, "cmov.t vmem2[0], vmem1[0], obuf[0]");
  // Bit 0 of the test: 1, 0, 1, 0.
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].cycle, 6);
  EXPECT_EQ(sim.Commits()[0].written, (std::vector<uint8_t>{1, 0, 1, 0}));
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{11, 0, 13, 0}));
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 1, 0), -2);
  RunText(sim, "cmov.f vmem2[0], vmem1[0], obuf[0]");
  EXPECT_EQ(sim.Commits()[0].written, (std::vector<uint8_t>{0, 1, 0, 1}));
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{0, 12, 0, 14}));
  // A cmov that passes nowhere is still a write-back, with no lane written.
  RunText(sim, "cmov.t vmem2[0], vmem1[0], imm[0]");
  ASSERT_EQ(sim.Commits().size(), 1u);
  EXPECT_EQ(sim.Commits()[0].written, (std::vector<uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(sim.Commits()[0].data, (std::vector<int32_t>{0, 0, 0, 0}));
}

TEST(TandemTiming, TheSlotBoundTurnsAHugeNestIntoAnError) {
  TandemSimConfig cfg{2, 16, 256};
  cfg.max_slots = 5;
  TandemSim sim(cfg);
  EXPECT_NO_THROW(RunText(sim, Nops(5)));
  EXPECT_EQ(sim.Slots(), 5);
  ExpectError(Nops(6), {"more than 5 issue slots"}, cfg);
  cfg.max_slots = 1000;
  std::string nest;
  for (int l = 0; l < 8; ++l) nest += fmt::format("loop.set_iter {}, 65535\n", l);
  ExpectError(nest + "loop.set_num_inst 1\nnop", {"more than 1000 issue slots (config max_slots)"},
              cfg);
}

}  // namespace
}  // namespace accelgen::golden::tandem
