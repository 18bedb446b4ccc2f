// Line-wide engines of the Tandem golden simulator: the DAE's beats over aligned DRAM lines of W
// words (isa/README.md item 11, "Beats") and the permute engine's beats of up to P elements of one
// row (item 12), and the timing they give (golden_model/README.md, `tandem`: a start costs its
// beat count + 7 cycles). Expected beat counts are worked out by hand from the spec's formula in
// the comments, or counted by an independent brute force (where a beat must break, element by
// element), never taken from the simulator; results must not depend on the widths.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "isa/tandem/asm.hpp"
#include "tests/isa/tandem_sim_test_util.hpp"

namespace accelgen::golden::tandem {
namespace {

using isa::tandem::Namespace;

TandemSimConfig Config(int lanes, int bus_words, int perm_width, int64_t dram = 512) {
  TandemSimConfig cfg{lanes, 16, dram};
  cfg.dram_bus_words = bus_words;
  cfg.permute_width = perm_width;
  return cfg;
}

TandemSim WithRamp(const TandemSimConfig& cfg) {
  TandemSim sim(cfg);
  for (int64_t a = 0; a < cfg.dram_words; ++a) sim.WriteDram(a, static_cast<int32_t>(1000 + a));
  return sim;
}

// 20 contiguous words from DRAM 5 into vmem1, 8 per row (lanes 8).
constexpr const char* kLoad20 = R"(
ld.tile_iter vmem1, 7, 20
ld.tile_stride lo, vmem1, 7, 1
ld.base_addr lo, vmem1, 5
ld.start vmem1, 5, 8
)";

TEST(TandemLines, DefaultBusIsTheLargestPowerOfTwoNotAboveLanes) {
  EXPECT_EQ(DramBusWords(Config(32, 0, 0)), 32);
  EXPECT_EQ(DramBusWords(Config(6, 0, 0)), 4);
  EXPECT_EQ(DramBusWords(Config(1, 0, 0)), 1);
  EXPECT_EQ(DramBusWords(Config(6, 2, 0)), 2);
  EXPECT_EQ(PermuteWidth(Config(6, 0, 0)), 6);
  EXPECT_EQ(PermuteWidth(Config(6, 0, 3)), 3);
}

TEST(TandemLines, BadWidthsAreOneClearError) {
  for (const auto& [bus, perm] : {std::pair{3, 0}, {256, 0}, {-1, 0}, {0, 9}, {0, -1}}) {
    try {
      TandemSim sim(Config(8, bus, perm));
      ADD_FAILURE() << bus << " " << perm;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(bus != 0 ? "dram_bus_words" : "permute_width"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(TandemLines, AnUnalignedLoadSplitsAtLinesAndRows) {
  // W = 8: k0 word 5 lane 0: min(20, 8, 8 - 5) = 3; k3 word 8 lane 3: min(17, 5, 8) = 5; k8 word
  // 13 lane 0: min(12, 8, 3) = 3; k11 word 16 lane 3: 5; k16 word 21 lane 0: min(4, 8, 3) = 3;
  // k19 word 24: 1. B = 6; ld.start in F4: done = next F = 4 + 6 + 7 = 17.
  TandemSim wide = WithRamp(Config(8, 0, 0));
  RunText(wide, kLoad20);
  EXPECT_EQ(wide.EngineBeats(), 6);
  EXPECT_EQ(wide.EngineStarts(), 1);
  EXPECT_EQ(wide.DoneCycle(), 17);
  // W = 4: 3 (5..7), 4 (8..11), 1 (12, row end), 3 (13..15), 4 (16..19), 1 (20), 3 (21..23),
  // 1 (24): B = 8, done 4 + 8 + 7 = 19.
  TandemSim half = WithRamp(Config(8, 4, 0));
  RunText(half, kLoad20);
  EXPECT_EQ(half.EngineBeats(), 8);
  EXPECT_EQ(half.DoneCycle(), 19);
  // W = 1: one element a beat, done 4 + 20 + 7 = 31.
  TandemSim word = WithRamp(Config(8, 1, 0));
  RunText(word, kLoad20);
  EXPECT_EQ(word.EngineBeats(), 20);
  EXPECT_EQ(word.DoneCycle(), 31);
  // Same data whatever the width: element k = word 5 + k in lane k mod 8, row k div 8.
  for (int k = 0; k < 20; ++k) {
    for (TandemSim* s : {&wide, &half, &word})
      EXPECT_EQ(s->Read(Namespace::kVmem1, k % 8, k / 8), 1005 + k) << k;
  }
  EXPECT_EQ(wide.Read(Namespace::kVmem1, 4, 2), 0);
}

TEST(TandemLines, PartialRowsAndTwoLevelRuns) {
  // size 3 of 8 lanes, W = 8, 9 words from 0: k0 min(9, 3, 8) = 3; k3 word 3 min(6, 3, 5) = 3;
  // k6 word 6 min(3, 3, 2) = 2; k8 word 8 lane 2: min(1, 1, 8) = 1. B = 4.
  TandemSim a = WithRamp(Config(8, 0, 0));
  RunText(a, "ld.tile_iter vmem2, 7, 9\nld.tile_stride lo, vmem2, 7, 1\nld.start vmem2, 5, 3");
  EXPECT_EQ(a.EngineBeats(), 4);
  EXPECT_EQ(a.Read(Namespace::kVmem2, 2, 2), 1008);
  EXPECT_EQ(a.Read(Namespace::kVmem2, 3, 0), 0);
  // Three runs of 4 words at 10 + 16 t6, lanes 4, W = 4: each run starts at word 2 of its line
  // (10, 26, 42 mod 4 = 2): beats of 2 and 2, B = 6.
  TandemSim b = WithRamp(Config(4, 0, 0));
  RunText(b, R"(
ld.base_addr lo, vmem1, 10
ld.tile_iter vmem1, 6, 3
ld.tile_stride lo, vmem1, 6, 16
ld.tile_iter vmem1, 7, 4
ld.tile_stride lo, vmem1, 7, 1
ld.start vmem1, 5, 4
)");
  EXPECT_EQ(b.EngineBeats(), 6);
  EXPECT_EQ(b.Read(Namespace::kVmem1, 3, 2), 1000 + 42 + 3);
}

TEST(TandemLines, OnlyAUnitStrideAtLevelSevenMakesLines) {
  // Stride 2 at level 7: one element a beat.
  TandemSim a = WithRamp(Config(8, 0, 0));
  RunText(a, "ld.tile_iter vmem1, 7, 8\nld.tile_stride lo, vmem1, 7, 2\nld.start vmem1, 5, 8");
  EXPECT_EQ(a.EngineBeats(), 8);
  EXPECT_EQ(a.Read(Namespace::kVmem1, 7, 0), 1014);
  // Stride -1 at level 7: one element a beat (lines are walked upwards only).
  TandemSim n = WithRamp(Config(8, 0, 0));
  RunText(n, R"(
ld.base_addr lo, vmem1, 20
ld.tile_iter vmem1, 7, 8
ld.tile_stride lo, vmem1, 7, 0xffff
ld.tile_stride hi, vmem1, 7, 0xffff
ld.start vmem1, 5, 8
)");
  EXPECT_EQ(n.EngineBeats(), 8);
  EXPECT_EQ(n.Read(Namespace::kVmem1, 7, 0), 1013);
  // Contiguous, but the loop is on level 6 (level 7 count 1): one element a beat.
  TandemSim b = WithRamp(Config(8, 0, 0));
  RunText(b, "ld.tile_iter vmem1, 6, 8\nld.tile_stride lo, vmem1, 6, 1\nld.start vmem1, 5, 8");
  EXPECT_EQ(b.EngineBeats(), 8);
  EXPECT_EQ(b.Read(Namespace::kVmem1, 7, 0), 1007);
}

TEST(TandemLines, ALineWideStoreWritesOnlyItsWords) {
  TandemSim sim(Config(4, 0, 0, 64));
  for (int r = 0; r < 3; ++r)
    for (int l = 0; l < 4; ++l) sim.Write(Namespace::kVmem2, l, r, 100 * r + l);
  for (int a = 0; a < 64; ++a) sim.WriteDram(a, -1);
  // 10 elements, 4 per row, to DRAM 3..12, W = 4: k0 word 3 lane 0: min(10, 4, 1) = 1; k1 word 4
  // lane 1: min(9, 3, 4) = 3 (4..6); k4 word 7 lane 0: min(6, 4, 1) = 1; k5 word 8 lane 1:
  // min(5, 3, 4) = 3 (8..10); k8 word 11 lane 0: min(2, 4, 1) = 1; k9 word 12 lane 1: 1. B = 6.
  RunText(sim, R"(
st.base_addr lo, vmem2, 3
st.tile_iter vmem2, 7, 10
st.tile_stride lo, vmem2, 7, 1
st.start vmem2, 5, 4
)");
  EXPECT_EQ(sim.EngineBeats(), 6);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(sim.ReadDram(3 + k), 100 * (k / 4) + k % 4) << k;
  EXPECT_EQ(sim.ReadDram(2), -1);
  EXPECT_EQ(sim.ReadDram(13), -1);
}

// 10 elements from flat 1 of vmem1 to flat 6 of vmem2, both contiguous, lanes 4.
constexpr const char* kPerm10 = R"(
perm.set_base src, 1
perm.set_iter src, 7, 10
perm.set_stride src, 7, 1
perm.set_base dst, 6
perm.set_iter dst, 7, 10
perm.set_stride dst, 7, 1
perm.start vmem2, vmem1, 0
)";

TEST(TandemLines, PermutationBeatsStopAtBothRows) {
  // P = 4: k0 p1 q6: min(4, 10, 10, 3, 2) = 2; k2 p3 q8: min(., 1, 4) = 1; k3 p4 q9: min(4, 7, 7,
  // 4, 3) = 3; k6 p7 q12: 1; k7 p8 q13: min(4, 3, 3, 4, 3) = 3. B = 5; start in F7: done
  // 7 + 5 + 7 = 19.
  TandemSim p4(Config(4, 0, 0));
  for (int f = 0; f < 64; ++f) p4.Write(Namespace::kVmem1, f % 4, f / 4, 500 + f);
  RunText(p4, kPerm10);
  EXPECT_EQ(p4.EngineBeats(), 5);
  EXPECT_EQ(p4.DoneCycle(), 19);
  for (int k = 0; k < 10; ++k)
    EXPECT_EQ(p4.Read(Namespace::kVmem2, (6 + k) % 4, (6 + k) / 4), 501 + k);
  EXPECT_EQ(p4.Read(Namespace::kVmem2, 1, 1), 0);  // flat 5, before the walk
  // P = 2: 2 (p1..2), 1 (p3), 2 (p4..5), 1 (q11 row end), 1 (p7 row end), 2 (p8..9), 1: B = 7.
  TandemSim p2(Config(4, 0, 2));
  RunText(p2, kPerm10);
  EXPECT_EQ(p2.EngineBeats(), 7);
  // A transpose reads with stride 3: one element a beat.
  TandemSim t(Config(4, 0, 0));
  RunText(t, R"(
perm.set_iter src, 6, 3
perm.set_stride src, 6, 1
perm.set_iter src, 7, 2
perm.set_stride src, 7, 3
perm.set_iter dst, 7, 6
perm.set_stride dst, 7, 1
perm.start obuf, vmem1, 0
)");
  EXPECT_EQ(t.EngineBeats(), 6);
}

// Brute force: a new beat starts at element k exactly where the element cannot join the previous
// one — the walk is not contiguous at level 7, a level-7 run begins, a row begins, a DRAM line
// begins, or the beat is full. This is a different formulation of item 11's min().
struct Walk {
  std::vector<int64_t> count, stride;  // levels 0..7
};

int64_t DaeBeatsBruteForce(int64_t base, const Walk& w, int size, int bus) {
  int64_t beats = 0;
  std::vector<int64_t> t(8, 0);
  int64_t e = 1;
  for (int64_t c : w.count) e *= c;
  for (int64_t k = 0; k < e; ++k) {
    int64_t a = base;
    for (int l = 0; l < 8; ++l) a += t[l] * w.stride[l];
    const bool joins = k > 0 && w.stride[7] == 1 && t[7] != 0 && k % size != 0 && a % bus != 0;
    if (!joins) ++beats;
    for (int l = 7; l >= 0; --l) {
      if (++t[l] < w.count[l]) break;
      t[l] = 0;
    }
  }
  return beats;
}

TEST(TandemLines, RandomWalksMatchTheBruteForceAndTheOneWordData) {
  std::mt19937 rng(7);
  const auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int ran = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int lanes = rnd(1, 9);
    int bus = 1;
    for (int m = rnd(0, 4); m > 0; --m) bus *= 2;
    Walk w{std::vector<int64_t>(8, 1), std::vector<int64_t>(8, 0)};
    int64_t e = 1;
    for (int l : {rnd(0, 6), 7}) {
      w.count[l] = rnd(1, 12);
      w.stride[l] = l == 7 ? (rnd(0, 3) ? 1 : rnd(-2, 3)) : rnd(0, 20);
      e *= w.count[l];
    }
    if (w.count[7] == 1 && rnd(0, 1)) w.count[7] = 0, e = 0;
    const int size = rnd(1, lanes);
    const int64_t base = rnd(30, 60);
    std::string text = fmt::format("ld.base_addr lo, vmem1, {}\n", base);
    for (int l = 0; l < 8; ++l) {
      if (w.count[l] != 1) text += fmt::format("ld.tile_iter vmem1, {}, {}\n", l, w.count[l]);
      const auto s = static_cast<uint32_t>(static_cast<int32_t>(w.stride[l]));
      if (s != 0)
        text +=
            fmt::format("ld.tile_stride lo, vmem1, {0}, {1}\nld.tile_stride hi, vmem1, {0}, {2}\n",
                        l, s & 0xffffu, s >> 16);
    }
    if ((e + size - 1) / size > 16) continue;  // the tile must fit the 16 rows
    ++ran;
    std::string st = text;
    for (size_t pos; (pos = st.find("ld.")) != std::string::npos;) st.replace(pos, 3, "st.");
    text += fmt::format("ld.start vmem1, 5, {}\n", size);
    st += fmt::format("st.start vmem1, 4, {}\n", size);
    TandemSim line = WithRamp(Config(lanes, bus, 0));
    TandemSim word = WithRamp(Config(lanes, 1, 0));
    RunText(line, text);
    RunText(word, text);
    const std::string what = fmt::format("trial {} lanes {} bus {}:\n{}", trial, lanes, bus, text);
    ASSERT_EQ(line.EngineBeats(), DaeBeatsBruteForce(base, w, size, bus)) << what;
    EXPECT_EQ(word.EngineBeats(), e) << what;
    // The start is the last of n words, in F n: done = n + B + 7.
    const auto n = static_cast<int64_t>(isa::tandem::Assemble(text).size());
    EXPECT_EQ(line.DoneCycle(), n + line.EngineBeats() + 7) << what;
    // Store the tile back as 16-bit values over the ramp: both widths write the same DRAM.
    RunText(line, st);
    RunText(word, st);
    ASSERT_EQ(line.EngineBeats(), DaeBeatsBruteForce(base, w, size, bus)) << what;
    for (int r = 0; r < 16; ++r)
      for (int l = 0; l < lanes; ++l)
        ASSERT_EQ(line.Read(Namespace::kVmem1, l, r), word.Read(Namespace::kVmem1, l, r)) << what;
    for (int64_t a = 0; a < 512; ++a) ASSERT_EQ(line.ReadDram(a), word.ReadDram(a)) << what << a;
  }
  EXPECT_GT(ran, 150);  // most trials fit
}

int64_t PermBeatsBruteForce(int lanes, int width, int64_t sbase, const Walk& src, int64_t dbase,
                            const Walk& dst) {
  int64_t e = 1;
  for (int64_t c : src.count) e *= c;
  std::vector<int64_t> i(8, 0), j(8, 0);
  int64_t beats = 0, len = 0;
  for (int64_t k = 0; k < e; ++k) {
    int64_t p = sbase, q = dbase;
    for (int d = 0; d < 8; ++d) p += i[d] * src.stride[d], q += j[d] * dst.stride[d];
    const bool joins = k > 0 && len < width && src.stride[7] == 1 && i[7] != 0 &&
                       dst.stride[7] == 1 && j[7] != 0 && p % lanes != 0 && q % lanes != 0;
    if (!joins) ++beats, len = 0;
    ++len;
    for (auto* idx : {&i, &j}) {
      const Walk& w = idx == &i ? src : dst;
      for (int d = 7; d >= 0; --d) {
        if (++(*idx)[d] < w.count[d]) break;
        (*idx)[d] = 0;
      }
    }
  }
  return beats;
}

TEST(TandemLines, RandomPermutationsMatchTheBruteForceAndTheOneElementData) {
  std::mt19937 rng(11);
  const auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int ran = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int lanes = rnd(1, 9);
    const int width = rnd(1, lanes);
    const int64_t c6 = rnd(1, 6), c7 = rnd(1, 8), e = c6 * c7;
    Walk src{std::vector<int64_t>(8, 1), std::vector<int64_t>(8, 0)}, dst = src;
    src.count[6] = c6, src.count[7] = c7;
    src.stride[6] = rnd(0, 10), src.stride[7] = rnd(0, 3) ? 1 : rnd(0, 3);
    if (rnd(0, 1)) {
      dst.count[7] = e, dst.stride[7] = rnd(0, 3) ? 1 : 2;
    } else {
      dst.count[6] = c7, dst.count[7] = c6, dst.stride[6] = rnd(0, 10),
      dst.stride[7] = rnd(0, 3) ? 1 : 3;
    }
    const int64_t sbase = rnd(0, 9), dbase = rnd(0, 9);
    std::string text = fmt::format("perm.set_base src, {}\nperm.set_base dst, {}\n", sbase, dbase);
    int64_t hi_s = sbase, hi_d = dbase;
    for (int d = 6; d < 8; ++d) {
      text += fmt::format("perm.set_iter src, {0}, {1}\nperm.set_stride src, {0}, {2}\n", d,
                          src.count[d], src.stride[d]);
      text += fmt::format("perm.set_iter dst, {0}, {1}\nperm.set_stride dst, {0}, {2}\n", d,
                          dst.count[d], dst.stride[d]);
      hi_s += (src.count[d] - 1) * src.stride[d];
      hi_d += (dst.count[d] - 1) * dst.stride[d];
    }
    if (hi_s >= lanes * 16 || hi_d >= lanes * 16) continue;
    ++ran;
    text += "perm.start vmem2, vmem1, 0\n";
    TandemSim line(Config(lanes, 0, width)), word(Config(lanes, 0, 1));
    for (TandemSim* s : {&line, &word})
      for (int f = 0; f < lanes * 16; ++f)
        s->Write(Namespace::kVmem1, f % lanes, f / lanes, 7 * f + 1);
    RunText(line, text);
    RunText(word, text);
    const std::string what =
        fmt::format("trial {} lanes {} width {}:\n{}", trial, lanes, width, text);
    ASSERT_EQ(line.EngineBeats(), PermBeatsBruteForce(lanes, width, sbase, src, dbase, dst))
        << what;
    EXPECT_EQ(word.EngineBeats(), e) << what;
    for (int r = 0; r < 16; ++r)
      for (int l = 0; l < lanes; ++l)
        ASSERT_EQ(line.Read(Namespace::kVmem2, l, r), word.Read(Namespace::kVmem2, l, r)) << what;
  }
  EXPECT_GT(ran, 150);  // most trials fit
}

}  // namespace
}  // namespace accelgen::golden::tandem
