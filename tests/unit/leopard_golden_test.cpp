// The LeOPArd golden model against the thesis's worked example (Fig. 6.3), the digest's 12-bit
// vector computed by hand, exhaustive small-case properties and the timing rules applied by hand.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "golden_model/leopard/leopard_model.hpp"

namespace accelgen::golden {
namespace {

LeopardQkParams params(int taps, int qw, int kw, int b, bool signmag, int n_dpu = 1, int seq = 1) {
  LeopardQkParams p;
  p.taps = taps;
  p.q_bits = qw;
  p.k_bits = kw;
  p.bits_per_cycle = b;
  p.signmag = signmag;
  p.n_dpu = n_dpu;
  p.seq_len = seq;
  return p;
}

std::vector<uint64_t> encode(const LeopardQkParams& p, const std::vector<int64_t>& k) {
  std::vector<uint64_t> w;
  for (int64_t v : k) w.push_back(leopard_encode_k(p, v));
  return w;
}

constexpr int64_t kNever = std::numeric_limits<int64_t>::min();

// Thesis Fig. 6.3, integer-scaled by 8: sign-magnitude K with 3 magnitude bits, 1 bit per cycle.
TEST(LeopardGolden, ThesisFigure63TerminatesAtCycle2) {
  const auto p = params(4, 5, 4, 1, /*signmag=*/true);
  const std::vector<int64_t> q = {9, -5, 7, -2};
  const auto k = encode(p, {1, -7, -4, 2});
  EXPECT_EQ(k, (std::vector<uint64_t>{0b0001, 0b1111, 0b1100, 0b0010}));
  LeopardScore s = leopard_score(p, q, k, 40);  // Th = 5 scaled by 8
  EXPECT_TRUE(s.pruned);
  EXPECT_EQ(s.cycles, 2);
  EXPECT_EQ(s.p, (std::vector<int64_t>{0, -8}));
  EXPECT_EQ(s.m, (std::vector<int64_t>{98, 42}));
  // Without a threshold the full trace of the figure's table: P + M = 98, 34, 12, 12.
  LeopardScore full = leopard_score(p, q, k, kNever);
  EXPECT_FALSE(full.pruned);
  EXPECT_EQ(full.p, (std::vector<int64_t>{0, -8, -2, 12}));
  EXPECT_EQ(full.m, (std::vector<int64_t>{98, 42, 14, 0}));
  EXPECT_EQ(full.score, 12);  // 1.5 * 8
}

// Digest B.3.3(d): Q = [900, -500, 700, -200], K = [100, -700, -400, 200], 12 bits, B = 2.
TEST(LeopardGolden, TwelveBitVectorBothEncodings) {
  const std::vector<int64_t> q = {900, -500, 700, -200};
  const std::vector<int64_t> kv = {100, -700, -400, 200};
  struct Want {
    bool signmag;
    std::vector<uint64_t> words;
    std::vector<int64_t> p, m;
  };
  const Want wants[] = {
      {true, {0b000001100100, 0b101010111100, 0b100110010000, 0b000011001000},
       {0, 76800, 70400, 112000, 120000, 120000}, {1432200, 357000, 88200, 21000, 4200, 0}},
      {false, {0b000001100100, 0b110101000100, 0b111001110000, 0b000011001000},
       {-204800, 25600, 57600, 120000, 120000, 120000}, {1636800, 408000, 100800, 24000, 4800, 0}},
  };
  for (const Want& w : wants) {
    const auto p = params(4, 12, 12, 2, w.signmag);
    const auto k = encode(p, kv);
    EXPECT_EQ(k, w.words);
    LeopardScore full = leopard_score(p, q, k, kNever);
    EXPECT_EQ(full.p, w.p);
    EXPECT_EQ(full.m, w.m);
    EXPECT_EQ(full.score, 120000);
    const std::pair<int64_t, int> outcomes[] = {{500000, 2}, {200000, 3}, {120001, 6}};
    for (auto [th, c] : outcomes) {
      LeopardScore s = leopard_score(p, q, k, th);
      EXPECT_TRUE(s.pruned) << th;
      EXPECT_EQ(s.cycles, c) << th;
    }
    LeopardScore kept = leopard_score(p, q, k, 120000);  // equal is kept
    EXPECT_FALSE(kept.pruned);
    EXPECT_EQ(kept.cycles, 6);
    EXPECT_EQ(kept.score, 120000);
  }
}

TEST(LeopardGolden, XorMarginIsWrongForTwosComplement) {
  // Digest B.3.3(b): D = 1, q = 1, k = -1, Th = -1, B = 2. The score -1 must be kept.
  const auto p = params(1, 12, 12, 2, /*signmag=*/false);
  const auto k = encode(p, {-1});
  EXPECT_FALSE(leopard_score(p, {1}, k, -1).pruned);
  LeopardScore xor_tc = leopard_score(p, {1}, k, -1, LeopardMargin::kXorSign);
  EXPECT_TRUE(xor_tc.pruned);  // the wrong decision the spec avoids
  EXPECT_EQ(xor_tc.cycles, 1);
}

TEST(LeopardGolden, SignMagnitudeNegativeZeroIsZero) {
  const auto p = params(2, 4, 4, 2, true);
  const std::vector<uint64_t> k = {0b1000, 0b0011};  // -0, +3
  EXPECT_EQ(leopard_decode_k(p, k[0]), 0);
  LeopardScore s = leopard_score(p, {-8, 5}, k, kNever);
  EXPECT_EQ(s.score, 15);
  EXPECT_EQ(leopard_score(p, {-8, 5}, k, 15).pruned, false);
  EXPECT_EQ(leopard_score(p, {-8, 5}, k, 16).pruned, true);
}

TEST(LeopardGolden, Score24MapsByFloorShift) {
  auto p = params(64, 12, 12, 2, false);
  EXPECT_EQ(p.score_bits(), 30);
  EXPECT_EQ(leopard_score24(p, 64 * 2048 * 2048), (64 * 2048 * 2048) >> 6);
  EXPECT_EQ(leopard_score24(p, -1), -1);     // floor, not truncation toward zero
  EXPECT_EQ(leopard_score24(p, -64), -1);
  EXPECT_EQ(leopard_score24(p, -65), -2);
  EXPECT_EQ(leopard_score24(p, 63), 0);
  p = params(4, 8, 8, 2, false);
  EXPECT_EQ(p.score_bits(), 18);
  EXPECT_EQ(leopard_score24(p, -12345), -12345);  // narrow scores stay exact
}

// Exhaustive D = 2, 4-bit Q and K, every B dividing 4, both encodings: for every (q, k) the bound
// never increases, the kept score is exact and M_C = 0; then for every threshold over the whole
// reachable range the decision and termination cycle follow from that trace, and leopard_score
// agrees at every threshold where the outcome changes.
TEST(LeopardGolden, ExhaustiveTwoTapFourBitProperties) {
  for (bool sm : {false, true}) {
    for (int b : {1, 2, 4}) {
      const auto p = params(2, 4, 4, b, sm);
      const int C = p.cycles_per_key();
      int64_t checked = 0;
      for (int64_t q0 = -8; q0 <= 7; ++q0)
        for (int64_t q1 = -8; q1 <= 7; ++q1)
          for (uint64_t w0 = 0; w0 < 16; ++w0)
            for (uint64_t w1 = 0; w1 < 16; ++w1) {
              const std::vector<int64_t> q = {q0, q1};
              const std::vector<uint64_t> k = {w0, w1};
              const int64_t dot = leopard_dot(p, q, k);
              LeopardScore full = leopard_score(p, q, k, kNever);
              ASSERT_EQ(full.cycles, C);
              ASSERT_EQ(full.score, dot);
              ASSERT_EQ(full.m.back(), 0);
              std::vector<int64_t> bound(C);
              for (int c = 0; c < C; ++c) {
                bound[c] = full.p[c] + full.m[c];
                if (c > 0) {
                  ASSERT_LE(bound[c], bound[c - 1]) << q0 << " " << q1 << " " << w0 << " " << w1;
                }
              }
              for (int64_t th = -130; th <= 130; ++th) {
                int first = 0;
                for (int c = 0; c < C && !first; ++c)
                  if (bound[c] < th) first = c + 1;
                ASSERT_EQ(first != 0, dot < th);  // exactness: pruned <=> q.k < Th
                ++checked;
              }
              std::vector<int64_t> probes = {dot, dot + 1};
              for (int64_t v : bound) probes.insert(probes.end(), {v, v + 1});
              for (int64_t th : probes) {
                LeopardScore s = leopard_score(p, q, k, th);
                ASSERT_EQ(s.pruned, dot < th);
                int first = C;
                for (int c = 0; c < C; ++c)
                  if (bound[c] < th) { first = c + 1; break; }
                ASSERT_EQ(s.cycles, first);
                if (!s.pruned) {
                  ASSERT_EQ(s.score, dot);
                }
              }
            }
      EXPECT_EQ(checked, 65536 * 261);
    }
  }
}

TEST(LeopardGolden, ExhaustiveSearchFindsXorMarginErrorsOnTwosComplement) {
  // The negative test: over all D = 2, 4-bit, B = 1 cases the XOR rule on two's complement makes
  // wrong decisions, while the specified margin never does (previous test).
  const auto p = params(2, 4, 4, 1, false);
  int64_t wrong = 0;
  for (int64_t q0 = -8; q0 <= 7; ++q0)
    for (uint64_t w0 = 0; w0 < 16; ++w0)
      for (uint64_t w1 = 0; w1 < 16; ++w1)
        for (int64_t th = -70; th <= 70; ++th) {
          const std::vector<int64_t> q = {q0, 3};
          const std::vector<uint64_t> k = {w0, w1};
          if (leopard_score(p, q, k, th, LeopardMargin::kXorSign).pruned != (leopard_dot(p, q, k) < th)) ++wrong;
        }
  EXPECT_GT(wrong, 0);
}

TEST(LeopardGolden, RandomTwelveBitPropertiesBothEncodings) {
  std::mt19937_64 rng(42);
  for (bool sm : {false, true})
    for (int b : {1, 2, 3, 4, 6, 12}) {
      const auto p = params(64, 12, 12, b, sm);
      std::uniform_int_distribution<int64_t> qd(-2048, 2047), kd(leopard_k_min(p), leopard_k_max(p));
      for (int trial = 0; trial < 300; ++trial) {
        std::vector<int64_t> q(64);
        std::vector<int64_t> kv(64);
        for (auto& v : q) v = trial % 7 == 0 ? -2048 : qd(rng);
        for (auto& v : kv) v = trial % 5 == 0 ? leopard_k_min(p) : kd(rng);
        const auto k = encode(p, kv);
        const int64_t dot = leopard_dot(p, q, k);
        const int64_t th = dot + std::uniform_int_distribution<int64_t>(-3, 3)(rng) * (trial % 3 == 0 ? 1 : 100000);
        LeopardScore s = leopard_score(p, q, k, th);
        ASSERT_EQ(s.pruned, dot < th);
        for (size_t c = 1; c < s.p.size(); ++c) ASSERT_LE(s.p[c] + s.m[c], s.p[c - 1] + s.m[c - 1]);
        if (!s.pruned) {
          ASSERT_EQ(s.score, dot);
        }
        ASSERT_LT(std::abs(dot), int64_t{1} << (p.score_bits() - 1));
      }
    }
}

TEST(LeopardGolden, QkUnitTimingByHand) {
  // N = 2, 3 keys (DPU 0: keys 0, 2; DPU 1: key 1), 4-bit K, B = 2 (C = 2), D = 1.
  auto p = params(1, 4, 4, 2, false, 2, 3);
  // q = 1: key values 5 (kept at Th 0), -8 (bound after c1: -8 + 0 < 0 -> pruned at 1), 3 (kept).
  std::vector<std::vector<uint64_t>> keys = {encode(p, {5}), encode(p, {-8}), encode(p, {3})};
  std::vector<LeopardQVector> qs = {{{1}, 0, 4}, {{1}, 100, 0}};
  LeopardQkPrediction pred = predict_leopard_qk(p, keys, qs);
  ASSERT_EQ(pred.rows.size(), 2u);
  const LeopardQkRow& r0 = pred.rows[0];
  EXPECT_EQ(r0.accepted, 4);
  ASSERT_EQ(r0.dpu[0].size(), 2u);
  ASSERT_EQ(r0.dpu[1].size(), 1u);
  EXPECT_EQ(r0.dpu[0][0].start, 5);
  EXPECT_EQ(r0.dpu[0][0].done, 6);
  EXPECT_EQ(r0.dpu[0][1].key, 2);
  EXPECT_EQ(r0.dpu[0][1].start, 7);
  EXPECT_EQ(r0.dpu[0][1].done, 8);
  EXPECT_TRUE(r0.dpu[1][0].s.pruned);
  EXPECT_EQ(r0.dpu[1][0].done, 5);
  EXPECT_EQ(r0.front, 4);
  EXPECT_EQ(r0.kept, 2);
  // Next Q: barrier after cycle 8, accepted in 9; Th = 100 prunes every key at cycle 1.
  const LeopardQkRow& r1 = pred.rows[1];
  EXPECT_EQ(r1.accepted, 9);
  EXPECT_EQ(r1.front, 2);
  EXPECT_EQ(r1.kept, 0);
  EXPECT_EQ(pred.cycles, 12);
}

TEST(LeopardGolden, NoPruningMatchesBaselineThroughputAtSixDpus) {
  // C = 6 cycles per key over 6 DPUs: one score per cycle, as the thesis's area-equal point.
  auto p = params(2, 12, 12, 2, false, 6, 36);
  std::vector<std::vector<uint64_t>> keys(36, encode(p, {3, -4}));
  LeopardQkPrediction pred = predict_leopard_qk(p, keys, {{{5, 6}, kNever + 1, 0}});
  EXPECT_EQ(pred.rows[0].front, 36);  // 6 keys x 6 cycles per DPU
  EXPECT_EQ(pred.rows[0].kept, 36);
}

TEST(LeopardGolden, TileStallRule) {
  // Front 10, 10, 10; back 30, 1, 1 (kept) + 0. Row 2's front end may not start before row 0's
  // back end ends (at 10 + 30 = 40), although its own front end finished row 1 at 20.
  LeopardTileTiming t = leopard_tile_timing({10, 10, 10}, {30, 1, 1}, 0);
  EXPECT_EQ(t.front_start, (std::vector<int64_t>{0, 10, 40}));
  EXPECT_EQ(t.back_start, (std::vector<int64_t>{10, 40, 50}));
  EXPECT_EQ(t.cycles, 51);
  EXPECT_EQ(t.vpu_scores, 32);
  // Softmax overhead adds to every row's back end.
  EXPECT_EQ(leopard_tile_timing({5}, {3}, 4).cycles, 12);
}

}  // namespace
}  // namespace accelgen::golden

namespace accelgen::golden {
namespace {

TEST(LeopardVpuGolden, SoftmaxTableByHand) {
  const auto& lut = leopard_softmax_lut();
  ASSERT_EQ(lut.size(), 512u);  // x 16 bits = 1 KB
  EXPECT_EQ(lut[0], 65535);
  EXPECT_EQ(lut[32], 32768);  // 32767.5 rounds up
  EXPECT_EQ(lut[64], 16384);  // 16383.75
  EXPECT_EQ(lut[511], 1);
  for (size_t i = 1; i < lut.size(); ++i) EXPECT_LE(lut[i], lut[i - 1]);
  LeopardVpuParams p;
  p.exp_shift = 2;
  EXPECT_EQ(leopard_softmax_weight(p, 100, 100), 65535);
  EXPECT_EQ(leopard_softmax_weight(p, 100, 100 - 128), 32768);       // (128 >> 2) = 32
  EXPECT_EQ(leopard_softmax_weight(p, 100, 100 - (1 << 20)), 1);     // saturates at entry 511
}

TEST(LeopardVpuGolden, RowValuesAndTimingByHand) {
  LeopardVpuParams p;
  p.taps = 2;
  p.n_dpu = 2;
  p.seq_len = 4;
  p.exp_shift = 0;
  const std::vector<std::vector<int64_t>> v = {{1, 2}, {3, -4}, {5, 6}, {-7, 8}};
  // Row 0: keys 1 (dpu 1, idx 0; score 10) and 2 (dpu 0, idx 1; score 42): weights E[32], E[0].
  // Row 1: all pruned. Row 2: key 3 alone.
  std::vector<LeopardVpuRow> rows = {
      {{{10, 1, 0}, {42, 0, 1}}, {0, 0}},
      {{}, {0}},
      {{{-5, 1, 1}}, {0}},
  };
  LeopardVpuPrediction pred = predict_leopard_vpu(p, v, rows);
  ASSERT_EQ(pred.rows.size(), 3u);
  EXPECT_EQ(pred.rows[0].att, (std::vector<int64_t>{32768 * 3 + 65535 * 5, 32768 * -4 + 65535 * 6}));
  EXPECT_EQ(pred.rows[0].sum, 32768 + 65535);
  EXPECT_EQ(pred.rows[1].att, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(pred.rows[1].sum, 0);
  EXPECT_EQ(pred.rows[2].att, (std::vector<int64_t>{65535 * -7, 65535 * 8}));
  // Beats 0, 1 (row 0), 2 (row 1), then row 2's beat waits for buffer 0: row 0 MACs in 2..3
  // (E_0 = 3), so it is accepted in 4. Row 1 (empty) runs in 4 (E_1 = 4); row 2 in 5.
  EXPECT_EQ(pred.beat_cycles, (std::vector<int64_t>{0, 1, 2, 4}));
  EXPECT_EQ(pred.rows[0].cycle, 4);
  EXPECT_EQ(pred.rows[1].cycle, 5);
  EXPECT_EQ(pred.rows[2].mac_start, 5);
  EXPECT_EQ(pred.rows[2].cycle, 6);
  EXPECT_EQ(pred.cycles, 7);
  EXPECT_EQ(pred.mac_cycles, 3);
}

}  // namespace
}  // namespace accelgen::golden

namespace accelgen::golden {
namespace {

TEST(LeopardTileGolden, PipelineAndStallRuleByHand) {
  LeopardTileParams p;
  p.taps = 1;
  p.n_dpu = 1;
  p.seq_len = 1;
  const auto qp = p.qk();
  std::vector<std::vector<uint64_t>> keys = {{leopard_encode_k(qp, 5)}};
  std::vector<std::vector<int64_t>> v = {{-3}};
  const int64_t keep_all = -(int64_t{1} << 30);
  std::vector<LeopardQVector> qs(3, LeopardQVector{{1}, keep_all, 0});
  LeopardTilePrediction pred = predict_leopard_tile(p, keys, v, qs);
  // Row 0: accepted 0, unit busy 1..6, FIFO entry visible at 7, QK side complete at 8: beats 7
  // (score) and 8 (end); MAC in 9, result in 10. Row 1 is accepted when the QK-PU is free (7),
  // its beats at 14 and 15, result 17. Row 2 waits for the QK-PU (14; row 0's result came at 10).
  ASSERT_EQ(pred.qk.size(), 3u);
  EXPECT_EQ(pred.qk[0].accepted, 0);
  EXPECT_EQ(pred.qk[1].accepted, 7);
  EXPECT_EQ(pred.qk[2].accepted, 14);
  ASSERT_EQ(pred.beats.size(), 6u);
  EXPECT_EQ(pred.beats[0].cycle, 7);
  EXPECT_TRUE(pred.beats[0].keep);
  EXPECT_EQ(pred.beats[1].cycle, 8);
  EXPECT_FALSE(pred.beats[1].keep);
  EXPECT_EQ(pred.beats[3].cycle, 15);
  EXPECT_EQ(pred.rows[0].cycle, 10);
  EXPECT_EQ(pred.rows[1].cycle, 17);
  EXPECT_EQ(pred.rows[2].cycle, 24);
  EXPECT_EQ(pred.rows[0].att, (std::vector<int64_t>{65535 * -3}));
  EXPECT_EQ(pred.cycles, 25);
}

TEST(LeopardTileGolden, StallRuleHoldsTheFrontEnd) {
  // 12 units, 12 keys, all kept: the QK-PU needs 6 cycles per row, the V-PU 12, so the front end
  // runs ahead until row i + 1 must wait for row i - 1's result.
  LeopardTileParams p;
  p.taps = 1;
  p.n_dpu = 12;
  p.seq_len = 12;
  const auto qp = p.qk();
  std::vector<std::vector<uint64_t>> keys(12, {leopard_encode_k(qp, 5)});
  std::vector<std::vector<int64_t>> v(12, {1});
  std::vector<LeopardQVector> qs(4, LeopardQVector{{1}, -(int64_t{1} << 30), 0});
  LeopardTilePrediction pred = predict_leopard_tile(p, keys, v, qs);
  for (size_t i = 2; i < qs.size(); ++i) {
    EXPECT_EQ(pred.qk[i].accepted, std::max(pred.qk[i - 1].accepted + 7, pred.rows[i - 2].cycle + 1)) << i;
    EXPECT_GT(pred.qk[i].accepted, pred.qk[i - 1].accepted + 7) << "the back end should be the bottleneck";
  }
  for (const auto& r : pred.rows) EXPECT_EQ(r.count, 12);
  // One key per unit, but the QK-PU runs a row ahead of the merger: two rows queue, the full depth.
  EXPECT_EQ(pred.max_fifo_occupancy, 2);
  EXPECT_EQ(p.fifo_depth(), 2);
}

TEST(LeopardTileGolden, FifosNeverExceedTwoRowsAtTheThesisPoint) {
  // 64 taps, 6 units, 512 keys, nothing pruned (the most pushes), then 90% pruned: every FIFO
  // stays within its 2 * ceil(512 / 6) = 172 entries; with no pruning a unit's whole row queues.
  LeopardTileParams p;
  const auto qp = p.qk();
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> d(-2048, 2047);
  std::vector<std::vector<uint64_t>> keys(p.seq_len);
  for (auto& k : keys)
    for (int t = 0; t < p.taps; ++t) k.push_back(leopard_encode_k(qp, d(rng)));
  std::vector<std::vector<int64_t>> v(p.seq_len, std::vector<int64_t>(p.taps, 1));
  std::vector<LeopardQVector> qs;
  for (int i = 0; i < 4; ++i) {
    LeopardQVector q;
    for (int t = 0; t < p.taps; ++t) q.q.push_back(d(rng));
    q.th = i < 2 ? -(int64_t{1} << 31) : 0;
    qs.push_back(q);
  }
  LeopardTilePrediction pred = predict_leopard_tile(p, keys, v, qs);
  EXPECT_LE(pred.max_fifo_occupancy, p.fifo_depth());
  EXPECT_GT(pred.max_fifo_occupancy, 0);
}

}  // namespace
}  // namespace accelgen::golden

namespace accelgen::golden {
namespace {

// End to end: the V-PU's fixed-point row, normalized (att / Z), against floating-point attention
// over the same kept scores (pruned scores are -inf, i.e. absent) with the table's base and scale:
// p_j proportional to 2^(-(m - s_j) / (32 * 2^X)). The LUT floors the exponent to whole entries
// (each weight at most 2^(1/32) = 2.2% high) and rounds it to 16 bits, so the normalized output
// must lie within 3% of the V range.
TEST(LeopardVpuGolden, MatchesFloatSoftmaxWithinLutTolerance) {
  LeopardVpuParams p;
  p.taps = 8;
  p.n_dpu = 3;
  p.seq_len = 96;
  p.exp_shift = 6;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> vd(-32768, 32767);
  std::vector<std::vector<int64_t>> v(p.seq_len, std::vector<int64_t>(p.taps));
  for (auto& vec : v)
    for (auto& x : vec) x = vd(rng);
  double worst = 0;
  for (int row = 0; row < 40; ++row) {
    const int64_t center = std::uniform_int_distribution<int64_t>(-4000000, 4000000)(rng);
    std::vector<LeopardVpuEntry> kept;
    for (int j = 0; j < p.seq_len; ++j) {
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) continue;  // about 25% pruned
      const int64_t s = center - std::uniform_int_distribution<int64_t>(0, int64_t{1} << (p.exp_shift + 8))(rng);
      kept.push_back({s, j % p.n_dpu, j / p.n_dpu});
    }
    ASSERT_FALSE(kept.empty());
    const LeopardVpuOutput fx = leopard_vpu_row_result(p, v, kept);
    int64_t m = kept[0].score;
    for (const auto& e : kept) m = std::max(m, e.score);
    std::vector<double> ref(p.taps, 0.0);
    double z = 0;
    for (const auto& e : kept) {
      const double w = std::exp2(-static_cast<double>(m - e.score) / (32.0 * (1 << p.exp_shift)));
      z += w;
      for (int t = 0; t < p.taps; ++t) ref[t] += w * static_cast<double>(v[e.idx * p.n_dpu + e.dpu][t]);
    }
    for (int t = 0; t < p.taps; ++t) {
      const double got = static_cast<double>(fx.att[t]) / static_cast<double>(fx.sum);
      worst = std::max(worst, std::abs(got - ref[t] / z));
    }
  }
  EXPECT_LT(worst, 0.03 * 32768) << "worst error " << worst;
  EXPECT_GT(worst, 0.0);  // fixed point is not float: the comparison is not vacuous
}

}  // namespace
}  // namespace accelgen::golden
