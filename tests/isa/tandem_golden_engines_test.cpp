// The Tandem golden simulator's engines: the Data Access Engine against the DRAM model
// (isa/README.md item 11) and the permute engine (item 12). Expected values are worked out from the
// spec's formulas in the tests, never taken from the simulator.
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

// Runs `text` on a fresh simulator and expects a UserError naming every needle.
void ExpectError(const std::string& text, const std::vector<std::string>& needles,
                 TandemSimConfig cfg = {4, 16, 256}) {
  ExpectSimError(text, needles, cfg);
}

// DRAM word a holds 1000 + a.
TandemSim WithRampDram(TandemSimConfig cfg = {4, 16, 256}) {
  TandemSim sim(cfg);
  for (int64_t a = 0; a < cfg.dram_words; ++a) sim.WriteDram(a, static_cast<int32_t>(1000 + a));
  return sim;
}

// --- Data Access Engine ---

TEST(TandemDae, LoadWalksTwoTileLoopsIntoRows) {
  TandemSim sim = WithRampDram();
  RunText(sim, R"(
ld.base_addr lo, vmem1, 10
ld.tile_iter vmem1, 6, 3
ld.tile_stride lo, vmem1, 6, 16
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.tile_addr lo, vmem1, 2
ld.start vmem1, 5, 4
)");
  // Element k = 4 t6 + t7 is DRAM word 10 + 16 t6 + t7 and lands in lane k mod 4 = t7, row
  // 2 + k div 4 = 2 + t6.
  for (int t6 = 0; t6 < 3; ++t6) {
    for (int t7 = 0; t7 < 4; ++t7) {
      EXPECT_EQ(sim.Read(Namespace::kVmem1, t7, 2 + t6), 1000 + 10 + 16 * t6 + t7);
    }
  }
  EXPECT_EQ(sim.Read(Namespace::kVmem1, 0, 1), 0);  // rows around the tile untouched
  EXPECT_EQ(sim.Read(Namespace::kVmem1, 0, 5), 0);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 2), 0);  // the other buffer too
}

TEST(TandemDae, NegativeStridesThreeLevelsAndPartialRows) {
  TandemSim sim = WithRampDram();
  for (int r = 0; r < 16; ++r) sim.Write(Namespace::kVmem2, 3, r, -7);
  // Strides -32 and -1 are written as two 16-bit halves: 0xFFFF'FFE0 and 0xFFFF'FFFF.
  RunText(sim, R"(
ld.base_addr lo, vmem2, 100
ld.tile_iter vmem2, 5, 2
ld.tile_stride lo, vmem2, 5, 0xFFE0
ld.tile_stride hi, vmem2, 5, 0xFFFF
ld.tile_iter vmem2, 6, 2
ld.tile_stride lo, vmem2, 6, 8
ld.tile_iter vmem2, 7, 3
ld.tile_stride lo, vmem2, 7, 0xFFFF
ld.tile_stride hi, vmem2, 7, 0xFFFF
ld.start vmem2, 5, 3
)");
  // k = 6 t5 + 3 t6 + t7 (level 7 fastest), DRAM word 100 - 32 t5 + 8 t6 - t7, lane k mod 3, row
  // k div 3. Spot checks: k = 0 is word 100 at (row 0, lane 0); k = 11 (1, 1, 2) is word 74 at
  // (row 3, lane 2).
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 0), 1100);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 2, 3), 1074);
  for (int t5 = 0; t5 < 2; ++t5) {
    for (int t6 = 0; t6 < 2; ++t6) {
      for (int t7 = 0; t7 < 3; ++t7) {
        const int k = 6 * t5 + 3 * t6 + t7;
        EXPECT_EQ(sim.Read(Namespace::kVmem2, k % 3, k / 3), 1000 + 100 - 32 * t5 + 8 * t6 - t7)
            << "k=" << k;
      }
    }
  }
  for (int r = 0; r < 16; ++r) EXPECT_EQ(sim.Read(Namespace::kVmem2, 3, r), -7);  // lane >= size
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 4), 0);
}

TEST(TandemDae, BaseLoopsAdvanceAfterEachStartWrapAndReset) {
  TandemSim sim = WithRampDram({4, 16, 512});
  // Base loops: level 6 count 2 stride 100, level 7 count 3 stride 10; a tile is 4 words.
  RunText(sim, R"(
ld.base_iter vmem1, 6, 2
ld.base_stride lo, vmem1, 6, 100
ld.base_iter vmem1, 7, 3
ld.base_stride lo, vmem1, 7, 10
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 1
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 2
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 3
ld.start vmem1, 5, 4
)");
  // The indices persist across runs with the rest of the configuration.
  RunText(sim, R"(
ld.tile_addr lo, vmem1, 4
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 5
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 6
ld.start vmem1, 5, 4
ld.tile_addr lo, vmem1, 7
ld.start vmem1, 5, 4
ld.base_iter vmem1, 7, 3
ld.tile_addr lo, vmem1, 8
ld.start vmem1, 5, 4
ld.start vmem2, 5, 1
)");
  // Base indices (b6, b7) per start: (0,0) (0,1) (0,2) (1,0) (1,1) (1,2), then the wrap to (0,0),
  // then (0,1); rewriting base_iter resets them, so the ninth start is at (0,0) again.
  const int base[9] = {0, 10, 20, 100, 110, 120, 0, 10, 0};
  for (int row = 0; row < 9; ++row) {
    for (int lane = 0; lane < 4; ++lane) {
      EXPECT_EQ(sim.Read(Namespace::kVmem1, lane, row), 1000 + base[row] + lane) << "row " << row;
    }
  }
  // The (ld, vmem2) configuration is separate and still at reset: one element, DRAM word 0, to
  // row 0 lane 0.
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 0), 1000);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 1, 0), 0);
}

TEST(TandemDae, LoadWidthsSignExtend) {
  TandemSim sim({4, 16, 256});
  const uint32_t words[4] = {0x000000F7u, 0x12348001u, 0xFFFFFF7Fu, 0x0000000Cu};
  for (int a = 0; a < 4; ++a) sim.WriteDram(a, static_cast<int32_t>(words[a]));
  RunText(sim, R"(
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 3, 4
ld.tile_addr lo, vmem1, 1
ld.start vmem1, 4, 4
ld.tile_addr lo, vmem1, 2
ld.start vmem1, 2, 4
ld.tile_addr lo, vmem1, 3
ld.start vmem1, 5, 4
)");
  // 8-bit: F7 -> -9, 01 -> 1, 7F -> 127, 0C -> 12.
  const int32_t w8[4] = {-9, 1, 127, 12};
  // 16-bit: 00F7 -> 247, 8001 -> -32767, FF7F -> -129, 000C -> 12.
  const int32_t w16[4] = {247, -32767, -129, 12};
  // 4-bit: 7 -> 7, 1 -> 1, F -> -1, C -> -4.
  const int32_t w4[4] = {7, 1, -1, -4};
  for (int l = 0; l < 4; ++l) {
    EXPECT_EQ(sim.Read(Namespace::kVmem1, l, 0), w8[l]) << l;
    EXPECT_EQ(sim.Read(Namespace::kVmem1, l, 1), w16[l]) << l;
    EXPECT_EQ(sim.Read(Namespace::kVmem1, l, 2), w4[l]) << l;
    EXPECT_EQ(sim.Read(Namespace::kVmem1, l, 3), static_cast<int32_t>(words[l])) << l;
  }
}

TEST(TandemDae, StoreWidthsSignExtendIntoDramWords) {
  TandemSim sim({4, 16, 256});
  const int32_t lane_values[4] = {-9, 0x12345680, 300, -129};
  for (int l = 0; l < 4; ++l) sim.Write(Namespace::kVmem2, l, 0, lane_values[l]);
  for (int a = 0; a < 256; ++a) sim.WriteDram(a, 77);
  RunText(sim, R"(
st.tile_iter vmem2, 7, 4
st.tile_stride lo, vmem2, 7, 1
st.base_addr lo, vmem2, 100
st.start vmem2, 3, 4
st.base_addr lo, vmem2, 104
st.start vmem2, 4, 4
st.base_addr lo, vmem2, 108
st.start vmem2, 2, 4
st.base_addr lo, vmem2, 112
st.start vmem2, 5, 4
)");
  // Low 8 bits FFFFFFF7 -> F7 = -9, 12345680 -> 80 = -128, 0000012C -> 2C = 44, FFFFFF7F -> 127.
  const int32_t w8[4] = {-9, -128, 44, 127};
  // Low 16 bits: FFF7 = -9, 5680 = 22144, 012C = 300, FF7F = -129.
  const int32_t w16[4] = {-9, 22144, 300, -129};
  // Low 4 bits: 7 = 7, 0 = 0, C = -4, F = -1.
  const int32_t w4[4] = {7, 0, -4, -1};
  for (int l = 0; l < 4; ++l) {
    EXPECT_EQ(sim.ReadDram(100 + l), w8[l]) << l;
    EXPECT_EQ(sim.ReadDram(104 + l), w16[l]) << l;
    EXPECT_EQ(sim.ReadDram(108 + l), w4[l]) << l;
    EXPECT_EQ(sim.ReadDram(112 + l), lane_values[l]) << l;
  }
  EXPECT_EQ(sim.ReadDram(99), 77);
  EXPECT_EQ(sim.ReadDram(116), 77);
}

TEST(TandemDae, StoreTransposesWithTwoLevelsAndPartialRows) {
  TandemSim sim({4, 16, 512});
  for (int r = 0; r < 8; ++r) {
    for (int l = 0; l < 4; ++l) sim.Write(Namespace::kVmem1, l, r, 10 * r + l);
  }
  RunText(sim, R"(
st.base_addr lo, vmem1, 200
st.tile_iter vmem1, 6, 2
st.tile_stride lo, vmem1, 6, 1
st.tile_iter vmem1, 7, 4
st.tile_stride lo, vmem1, 7, 2
st.start vmem1, 5, 4
st.base_addr lo, vmem1, 300
st.tile_iter vmem1, 6, 1
st.tile_iter vmem1, 7, 6
st.tile_stride lo, vmem1, 7, 1
st.tile_addr lo, vmem1, 4
st.start vmem1, 5, 2
)");
  // First store: element (t6, t7) is row t6, lane t7 -> DRAM 200 + t6 + 2 t7 (column-major).
  for (int r = 0; r < 2; ++r) {
    for (int l = 0; l < 4; ++l) EXPECT_EQ(sim.ReadDram(200 + r + 2 * l), 10 * r + l);
  }
  // Second store, size 2: element k is row 4 + k div 2, lane k mod 2 -> DRAM 300 + k.
  for (int k = 0; k < 6; ++k) EXPECT_EQ(sim.ReadDram(300 + k), 10 * (4 + k / 2) + k % 2) << k;
  EXPECT_EQ(sim.ReadDram(306), 0);
}

TEST(TandemDae, RejectsADramAddressPastTheEnd) {
  ExpectError(
      "ld.base_addr lo, vmem1, 60\nld.tile_iter vmem1, 7, 8\nld.tile_stride lo, vmem1, 7, 1\n"
      "ld.start vmem1, 5, 4",
      {"instruction 3: ld.start element 4 reads DRAM word 64, outside 0..63"}, {4, 16, 64});
}

TEST(TandemDae, RejectsANegativeDramAddress) {
  ExpectError(
      "st.tile_iter vmem2, 7, 2\nst.tile_stride lo, vmem2, 7, 0xFFFF\n"
      "st.tile_stride hi, vmem2, 7, 0xFFFF\nst.start vmem2, 5, 4",
      {"instruction 3: st.start element 1 writes DRAM word -1"});
}

TEST(TandemDae, RejectsARowOutsideTheBuffer) {
  // 12 elements, 4 per row, from row 14: rows 14, 15, 16.
  ExpectError("ld.tile_iter vmem1, 7, 12\nld.tile_addr lo, vmem1, 14\nld.start vmem1, 5, 4",
              {"instruction 2:", "reaches row 16 of vmem1, outside 0..15"});
  // tile_addr is a 32-bit row: 0x10000 is far outside.
  ExpectError("st.tile_addr hi, vmem2, 1\nst.start vmem2, 5, 4", {"row 65536 of vmem2"});
}

TEST(TandemDae, RejectsLoopIndicesEightToThirtyOne) {
  ExpectError("ld.tile_iter vmem1, 8, 2", {"instruction 0: ld.tile_iter loop 8 is illegal"});
  ExpectError("st.base_iter vmem2, 31, 2", {"st.base_iter loop 31 is illegal"});
  ExpectError("ld.base_stride hi, vmem1, 9, 1", {"ld.base_stride loop 9 is illegal"});
  ExpectError("nop\nst.tile_stride lo, vmem1, 16, 1",
              {"instruction 1: st.tile_stride loop 16 is illegal"});
}

TEST(TandemDae, RejectsIllegalWidthCodes) {
  for (int w : {0, 1, 6, 31}) {
    ExpectError(fmt::format("ld.start vmem1, {}, 4", w),
                {fmt::format("instruction 0: ld.start width code {} is illegal", w)});
  }
  ExpectError("st.start vmem2, 6, 4", {"st.start width code 6 is illegal"});
}

TEST(TandemDae, RejectsSizeZeroAndSizeAboveLanes) {
  ExpectError("ld.start vmem1, 5, 0", {"instruction 0: ld.start size 0 is outside 1..4"});
  ExpectError("st.start vmem1, 5, 5", {"st.start size 5 is outside 1..4"});
}

// --- permute engine ---

// vmem1 flat position f = row * lanes + lane holds 1000 + f.
TandemSim WithRampVmem1(TandemSimConfig cfg = {4, 16, 256}) {
  TandemSim sim(cfg);
  for (int r = 0; r < cfg.depth; ++r) {
    for (int l = 0; l < cfg.lanes; ++l)
      sim.Write(Namespace::kVmem1, l, r, 1000 + r * cfg.lanes + l);
  }
  return sim;
}

TEST(TandemPermute, TransposesA4x4Matrix) {
  TandemSim sim = WithRampVmem1();
  // Read (i, j) at flat 4 i + j; write it at flat 16 + 4 j + i of vmem2.
  RunText(sim, R"(
perm.set_iter src, 6, 4
perm.set_stride src, 6, 4
perm.set_iter src, 7, 4
perm.set_stride src, 7, 1
perm.set_base dst, 16
perm.set_iter dst, 6, 4
perm.set_stride dst, 6, 1
perm.set_iter dst, 7, 4
perm.set_stride dst, 7, 4
perm.start vmem2, vmem1, 0
)");
  // Flat 16 + 4 j + i is row 4 + j, lane i.
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(sim.Read(Namespace::kVmem2, i, 4 + j), 1000 + 4 * i + j);
  }
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 3), 0);
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 8), 0);
}

TEST(TandemPermute, PermutesFourDimensions) {
  TandemSim sim({4, 16, 256});
  for (int f = 0; f < 24; ++f) sim.Write(Namespace::kObuf, f % 4, f / 4, 500 + f);
  // Tensor (a, b, c, d) of shape (2, 3, 2, 2), row-major in obuf: flat 12 a + 4 b + 2 c + d.
  // Output axes (d, b, a, c), row-major in ibuf from flat 4: 4 + 12 d + 4 b + 2 a + c.
  RunText(sim, R"(
perm.set_iter src, 4, 2
perm.set_stride src, 4, 12
perm.set_iter src, 5, 3
perm.set_stride src, 5, 4
perm.set_iter src, 6, 2
perm.set_stride src, 6, 2
perm.set_iter src, 7, 2
perm.set_stride src, 7, 1
perm.set_base dst, 4
perm.set_iter dst, 4, 2
perm.set_stride dst, 4, 2
perm.set_iter dst, 5, 3
perm.set_stride dst, 5, 4
perm.set_iter dst, 6, 2
perm.set_stride dst, 6, 1
perm.set_iter dst, 7, 2
perm.set_stride dst, 7, 12
perm.start ibuf, obuf, 0
)");
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (int c = 0; c < 2; ++c) {
        for (int d = 0; d < 2; ++d) {
          const int f = 4 + 12 * d + 4 * b + 2 * a + c;
          EXPECT_EQ(sim.Read(Namespace::kIbuf, f % 4, f / 4), 500 + 12 * a + 4 * b + 2 * c + d);
        }
      }
    }
  }
  for (int l = 0; l < 4; ++l) EXPECT_EQ(sim.Read(Namespace::kIbuf, l, 0), 0);  // flat 0..3
}

TEST(TandemPermute, ReshapesTwoBySixIntoThreeByFour) {
  TandemSim sim = WithRampVmem1();
  // Source 2 x 6 with row pitch 8 (flat 8 r + c); destination 3 x 4 contiguous in obuf.
  RunText(sim, R"(
perm.set_iter src, 6, 2
perm.set_stride src, 6, 8
perm.set_iter src, 7, 6
perm.set_stride src, 7, 1
perm.set_iter dst, 6, 3
perm.set_stride dst, 6, 4
perm.set_iter dst, 7, 4
perm.set_stride dst, 7, 1
perm.start obuf, vmem1, 0
)");
  // Element k: source flat 8 (k div 6) + k mod 6, destination flat k (row k div 4, lane k mod 4).
  for (int k = 0; k < 12; ++k) {
    EXPECT_EQ(sim.Read(Namespace::kObuf, k % 4, k / 4), 1000 + 8 * (k / 6) + k % 6) << k;
  }
}

TEST(TandemPermute, ConcatenatesTwoMatricesWithinOneBuffer) {
  TandemSim sim = WithRampVmem1();
  // A = 2 x 4 at flat 0, B = 2 x 4 at flat 16, both in vmem1; [A B] as 2 x 8 at flat 32 of vmem1.
  RunText(sim, R"(
perm.set_iter src, 6, 2
perm.set_stride src, 6, 4
perm.set_iter src, 7, 4
perm.set_stride src, 7, 1
perm.set_base dst, 32
perm.set_iter dst, 6, 2
perm.set_stride dst, 6, 8
perm.set_iter dst, 7, 4
perm.set_stride dst, 7, 1
perm.start vmem1, vmem1, 0
perm.set_base src, 16
perm.set_base dst, 36
perm.start vmem1, vmem1, 0
)");
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 8; ++c) {
      const int f = 32 + 8 * r + c;
      const int expect = c < 4 ? 1000 + 4 * r + c : 1000 + 16 + 4 * r + (c - 4);
      EXPECT_EQ(sim.Read(Namespace::kVmem1, f % 4, f / 4), expect) << r << "," << c;
    }
  }
}

TEST(TandemPermute, RejectsDifferentElementCounts) {
  ExpectError(
      "perm.set_iter src, 6, 3\nperm.set_iter src, 7, 4\nperm.set_iter dst, 7, 11\n"
      "perm.start vmem2, vmem1, 0",
      {"instruction 3: perm.start src walk has 12 elements but dst walk has 11"});
}

TEST(TandemPermute, RejectsSameBufferWalksThatShareAPosition) {
  // src flat 0..7, dst flat 7..14 of vmem1: they share flat 7 = row 1, lane 3.
  ExpectError(
      "perm.set_iter src, 7, 8\nperm.set_stride src, 7, 1\nperm.set_base dst, 7\n"
      "perm.set_iter dst, 7, 8\nperm.set_stride dst, 7, 1\nperm.start vmem1, vmem1, 0",
      {"instruction 5: perm.start src and dst walks in vmem1 share flat position 7 (row 1, lane "
       "3)"});
}

TEST(TandemPermute, ARejectedOverlapLeavesNoTrace) {
  TandemSim sim = WithRampVmem1();
  const std::string shape =
      "perm.set_iter src, 7, 8\nperm.set_stride src, 7, 1\nperm.set_iter dst, 7, 8\n"
      "perm.set_stride dst, 7, 1\n";
  EXPECT_THROW(RunText(sim, shape + "perm.set_base dst, 4\nperm.start vmem1, vmem1, 0"), UserError);
  // Now read flat 8..15 and write flat 0..7, which the rejected read walk had covered.
  RunText(sim, shape + "perm.set_base src, 8\nperm.set_base dst, 0\nperm.start vmem1, vmem1, 0");
  for (int f = 0; f < 8; ++f) EXPECT_EQ(sim.Read(Namespace::kVmem1, f % 4, f / 4), 1008 + f);
}

TEST(TandemPermute, RejectsShuffle) {
  ExpectError("perm.start vmem2, vmem1, 1", {"instruction 0: perm.start shuffle = 1 is reserved"});
}

TEST(TandemPermute, RejectsTheImmNamespace) {
  ExpectError("perm.start imm, vmem1, 0", {"instruction 0: perm.start cannot use imm"});
  ExpectError("perm.start vmem1, imm, 0", {"perm.start cannot use imm"});
}

TEST(TandemPermute, RejectsPositionsOutsideTheBuffer) {
  // 4 lanes x 16 rows = flat 0..63.
  ExpectError(
      "perm.set_base src, 60\nperm.set_iter src, 7, 5\nperm.set_stride src, 7, 1\n"
      "perm.set_iter dst, 7, 5\nperm.set_stride dst, 7, 1\nperm.start vmem2, vmem1, 0",
      {"instruction 5: perm.start src element 4 is at flat position 64 of vmem1, outside "
       "0..63"});
  ExpectError(
      "perm.set_iter src, 0, 2\nperm.set_iter dst, 0, 2\nperm.set_stride dst, 0, -1\n"
      "perm.start obuf, vmem1, 0",
      {"perm.start dst element 1 is at flat position -1 of obuf"});
}

TEST(TandemPermute, RejectsDimensionsEightToThirtyOne) {
  ExpectError("perm.set_iter src, 8, 2", {"instruction 0: perm.set_iter dimension 8 is illegal"});
  ExpectError("perm.set_stride dst, 31, 2", {"perm.set_stride dimension 31 is illegal"});
}

}  // namespace
}  // namespace accelgen::golden::tandem
