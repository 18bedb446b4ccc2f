#include "golden_model/leopard/leopard_model.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

namespace accelgen::golden {

namespace {

uint64_t mask(int bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

int64_t as_signed(uint64_t v, int bits) {
  v &= mask(bits);
  return (v >> (bits - 1)) & 1 ? static_cast<int64_t>(v) - (int64_t{1} << bits) : static_cast<int64_t>(v);
}

}  // namespace

int64_t leopard_k_min(const LeopardQkParams& p) {
  return p.signmag ? -((int64_t{1} << (p.k_bits - 1)) - 1) : -(int64_t{1} << (p.k_bits - 1));
}

int64_t leopard_k_max(const LeopardQkParams& p) { return (int64_t{1} << (p.k_bits - 1)) - 1; }

uint64_t leopard_encode_k(const LeopardQkParams& p, int64_t k) {
  if (k < leopard_k_min(p) || k > leopard_k_max(p)) throw std::invalid_argument("K value out of range");
  if (!p.signmag) return static_cast<uint64_t>(k) & mask(p.k_bits);
  const uint64_t sign = k < 0 ? 1 : 0;
  return (sign << (p.k_bits - 1)) | static_cast<uint64_t>(k < 0 ? -k : k);
}

int64_t leopard_decode_k(const LeopardQkParams& p, uint64_t word) {
  word &= mask(p.k_bits);
  if (!p.signmag) return as_signed(word, p.k_bits);
  const int64_t mag = static_cast<int64_t>(word & mask(p.k_bits - 1));
  return (word >> (p.k_bits - 1)) & 1 ? -mag : mag;
}

uint64_t leopard_k_chunk(const LeopardQkParams& p, uint64_t word, int c) {
  const int low = p.k_bits - p.bits_per_cycle * c;
  return (word >> low) & mask(p.bits_per_cycle);
}

int64_t leopard_dot(const LeopardQkParams& p, const std::vector<int64_t>& q, const std::vector<uint64_t>& k_words) {
  int64_t sum = 0;
  for (size_t t = 0; t < q.size(); ++t) sum += q[t] * leopard_decode_k(p, k_words[t]);
  return sum;
}

LeopardScore leopard_score(const LeopardQkParams& p, const std::vector<int64_t>& q,
                           const std::vector<uint64_t>& k_words, int64_t th, LeopardMargin margin) {
  const int B = p.bits_per_cycle, C = p.cycles_per_key(), KW = p.k_bits;
  const size_t D = q.size();
  if (k_words.size() != D) throw std::invalid_argument("Q and K lengths differ");
  std::vector<int> sign(D);
  for (size_t t = 0; t < D; ++t) sign[t] = static_cast<int>((k_words[t] >> (KW - 1)) & 1);
  // Margin multiplier S.
  int64_t S = 0;
  for (size_t t = 0; t < D; ++t) {
    if (margin == LeopardMargin::kSpec && !p.signmag) {
      if (q[t] > 0) S += q[t];
    } else if (q[t] != 0 && (q[t] < 0 ? 1 : 0) == sign[t]) {
      S += q[t] < 0 ? -q[t] : q[t];
    }
  }
  LeopardScore r;
  int64_t P = 0;
  for (int c = 1; c <= C; ++c) {
    const int rem = KW - B * c;  // p_c
    int64_t dot = 0;
    for (size_t t = 0; t < D; ++t) {
      const uint64_t chunk = leopard_k_chunk(p, k_words[t], c);
      int64_t d;
      if (!p.signmag) {
        d = c == 1 ? as_signed(chunk, B) : static_cast<int64_t>(chunk);
      } else {
        const int64_t mag = static_cast<int64_t>(c == 1 ? chunk & mask(B - 1) : chunk);
        d = sign[t] ? -mag : mag;
      }
      dot += q[t] * d;
    }
    P += dot * (int64_t{1} << rem);
    const int64_t M = S * ((int64_t{1} << rem) - 1);
    r.p.push_back(P);
    r.m.push_back(M);
    r.cycles = c;
    if (P + M < th) {
      r.pruned = true;
      break;
    }
  }
  r.score = P;
  return r;
}

int64_t leopard_score24(const LeopardQkParams& p, int64_t score) {
  const int shift = std::max(0, p.score_bits() - LeopardQkParams::kFifoScoreBits);
  return score >> shift;  // arithmetic shift: floor division by 2^shift (C++20 defines it)
}

LeopardQkRow leopard_qk_row(const LeopardQkParams& p, const std::vector<std::vector<uint64_t>>& keys,
                            const LeopardQVector& qv, int64_t h) {
  LeopardQkRow row;
  row.accepted = h;
  row.dpu.resize(p.n_dpu);
  for (int n = 0; n < p.n_dpu; ++n) {
    int64_t a = h + 1;
    for (int l = 0; l < p.keys_of_dpu(n); ++l) {
      LeopardKeyEvent e;
      e.dpu = n;
      e.local = l;
      e.key = l * p.n_dpu + n;
      e.s = leopard_score(p, qv.q, keys[e.key], qv.th);
      e.start = a;
      e.done = a + e.s.cycles - 1;
      a += e.s.cycles;
      if (!e.s.pruned) ++row.kept;
      row.dpu[n].push_back(std::move(e));
    }
    row.front = std::max(row.front, a - (h + 1));
  }
  return row;
}

LeopardQkPrediction predict_leopard_qk(const LeopardQkParams& p, const std::vector<std::vector<uint64_t>>& keys,
                                       const std::vector<LeopardQVector>& qs) {
  if (static_cast<int>(keys.size()) != p.seq_len) throw std::invalid_argument("need seq_len keys");
  LeopardQkPrediction pred;
  int64_t ready = 0;  // first cycle q_ready_o is high again
  for (const auto& qv : qs) {
    LeopardQkRow row = leopard_qk_row(p, keys, qv, std::max(qv.arrival, ready));
    ready = row.accepted + row.front + 1;
    pred.cycles = ready;
    pred.rows.push_back(std::move(row));
  }
  return pred;
}

LeopardTileTiming leopard_tile_timing(const std::vector<int64_t>& front, const std::vector<int64_t>& kept,
                                      int64_t softmax_cycles, int64_t cycles_per_score) {
  LeopardTileTiming t;
  const size_t n = front.size();
  for (size_t i = 0; i < n; ++i) {
    int64_t fs = i == 0 ? 0 : t.front_end[i - 1];
    if (i >= 2) fs = std::max(fs, t.back_end[i - 2]);  // stall: back end still on row i-2
    const int64_t fe = fs + front[i];
    int64_t bs = fe;
    if (i >= 1) bs = std::max(bs, t.back_end[i - 1]);
    const int64_t be = bs + kept[i] * cycles_per_score + softmax_cycles;
    t.front_start.push_back(fs);
    t.front_end.push_back(fe);
    t.back_start.push_back(bs);
    t.back_end.push_back(be);
    t.vpu_scores += kept[i];
    t.vpu_busy += kept[i] * cycles_per_score + softmax_cycles;
  }
  t.cycles = n ? t.back_end.back() : 0;
  return t;
}

const std::vector<int64_t>& leopard_softmax_lut() {
  static const std::vector<int64_t> lut = [] {
    std::vector<int64_t> t;
    for (int i = 0; i < LeopardVpuParams::kLutEntries; ++i)
      t.push_back(static_cast<int64_t>(std::floor(65535.0 * std::exp2(-i / 32.0) + 0.5)));
    return t;
  }();
  return lut;
}

int64_t leopard_softmax_weight(const LeopardVpuParams& p, int64_t row_max, int64_t score) {
  const int64_t d = row_max - score;
  if (d < 0 || d >= (int64_t{1} << LeopardVpuParams::kScoreBits)) throw std::invalid_argument("score above row max");
  return leopard_softmax_lut()[std::min<int64_t>(LeopardVpuParams::kLutEntries - 1, d >> p.exp_shift)];
}

LeopardVpuOutput leopard_vpu_row_result(const LeopardVpuParams& p, const std::vector<std::vector<int64_t>>& v,
                                        const std::vector<LeopardVpuEntry>& kept) {
  LeopardVpuOutput out;
  out.att.assign(p.taps, 0);
  out.count = static_cast<int64_t>(kept.size());
  if (kept.empty()) return out;
  int64_t m = kept.front().score;
  for (const auto& e : kept) m = std::max(m, e.score);
  for (const auto& e : kept) {
    const int64_t w = leopard_softmax_weight(p, m, e.score);
    const auto& vec = v.at(static_cast<size_t>(e.idx) * p.n_dpu + e.dpu);
    for (int t = 0; t < p.taps; ++t) out.att[t] += w * vec[t];
    out.sum += w;
  }
  return out;
}

LeopardVpuPrediction predict_leopard_vpu(const LeopardVpuParams& p, const std::vector<std::vector<int64_t>>& v,
                                         const std::vector<LeopardVpuRow>& rows) {
  LeopardVpuPrediction pred;
  std::vector<int64_t> end;  // E_i
  int64_t prev_beat = -1;
  for (size_t i = 0; i < rows.size(); ++i) {
    const LeopardVpuRow& row = rows[i];
    const size_t beats = std::max<size_t>(1, row.kept.size());
    const int64_t free = i >= 2 ? end[i - 2] + 1 : 0;
    int64_t last = 0;
    for (size_t b = 0; b < beats; ++b) {
      last = std::max({row.arrival[b], prev_beat + 1, free});
      pred.beat_cycles.push_back(last);
      prev_beat = last;
    }
    LeopardVpuOutput out;
    out.mac_start = std::max(last + 1, i >= 1 ? end[i - 1] + 1 : 0);
    const int64_t count = static_cast<int64_t>(row.kept.size());
    end.push_back(out.mac_start + std::max<int64_t>(count, 1) - 1);
    out.cycle = end.back() + 1;
    out.count = count;
    const LeopardVpuOutput r = leopard_vpu_row_result(p, v, row.kept);
    out.att = r.att;
    out.sum = r.sum;
    pred.mac_cycles += count;
    pred.rows.push_back(std::move(out));
  }
  pred.cycles = rows.empty() ? 0 : pred.rows.back().cycle + 1;
  return pred;
}

LeopardTilePrediction predict_leopard_tile(const LeopardTileParams& p, const std::vector<std::vector<uint64_t>>& keys,
                                           const std::vector<std::vector<int64_t>>& v,
                                           const std::vector<LeopardQVector>& qs) {
  const LeopardQkParams qp = p.qk();
  const LeopardVpuParams vp = p.vpu();
  struct Fifo {
    int row;
    int64_t present;  // first cycle the merger sees it
    LeopardVpuEntry e;
  };
  std::vector<std::deque<Fifo>> fifo(p.n_dpu);
  std::vector<size_t> written(p.n_dpu, 0);  // entries at each FIFO's front already written (present <= t)
  LeopardTilePrediction pred;
  std::vector<int64_t> qk_done, end;  // D_i; V-PU E_i
  std::vector<std::vector<LeopardVpuEntry>> entries(qs.size());
  int64_t qk_ready = 0;
  size_t next_q = 0, cur = 0;
  const int64_t limit = int64_t{1} << 40;
  for (int64_t t = 0; cur < qs.size(); ++t) {
    if (t > limit) throw std::logic_error("tile model does not terminate");
    // 1. Q handshake: QK-PU idle, and row next_q - 2 has its V-PU result (stall rule).
    if (next_q < qs.size() && qs[next_q].arrival <= t && t >= qk_ready &&
        (next_q < 2 || (pred.rows.size() >= next_q - 1 && t >= pred.rows[next_q - 2].cycle + 1))) {
      LeopardQkRow row = leopard_qk_row(qp, keys, qs[next_q], t);
      std::vector<const LeopardKeyEvent*> kept;
      for (const auto& d : row.dpu)
        for (const auto& e : d)
          if (!e.s.pruned) fifo[e.dpu].push_back({static_cast<int>(next_q), e.done + 1,
                                                  {leopard_score24(qp, e.s.score), e.dpu, e.local}});
      qk_ready = t + row.front + 1;
      qk_done.push_back(t + row.front + 2);
      pred.qk.push_back(std::move(row));
      ++next_q;
    }
    // FIFO occupancy in cycle t: the entries written before this cycle and not yet popped.
    for (int n = 0; n < p.n_dpu; ++n) {
      while (written[n] < fifo[n].size() && fifo[n][written[n]].present <= t) ++written[n];
      pred.max_fifo_occupancy = std::max(pred.max_fifo_occupancy, static_cast<int64_t>(written[n]));
    }
    if (pred.max_fifo_occupancy > p.fifo_depth()) throw std::logic_error("Score/IDX FIFO overflow");
    // 2. Merger: one beat of row cur, when the V-PU buffer of row cur is free.
    if (cur < next_q && (cur < 2 || t >= end[cur - 2] + 1)) {
      int pick = -1;
      for (int n = 0; n < p.n_dpu && pick < 0; ++n)
        if (!fifo[n].empty() && fifo[n].front().row == static_cast<int>(cur) && fifo[n].front().present <= t) pick = n;
      if (pick >= 0) {
        const LeopardVpuEntry e = fifo[pick].front().e;
        fifo[pick].pop_front();
        --written[pick];
        entries[cur].push_back(e);
        pred.beats.push_back({t, static_cast<int>(cur), true, e});
      } else if (t >= qk_done[cur]) {
        pred.beats.push_back({t, static_cast<int>(cur), false, {}});
        LeopardVpuOutput out = leopard_vpu_row_result(vp, v, entries[cur]);
        out.mac_start = std::max(t + 1, cur >= 1 ? end[cur - 1] + 1 : 0);
        end.push_back(out.mac_start + std::max<int64_t>(out.count, 1) - 1);
        out.cycle = end.back() + 1;
        pred.mac_cycles += out.count;
        pred.rows.push_back(std::move(out));
        ++cur;
      }
    }
  }
  pred.cycles = pred.rows.empty() ? 0 : pred.rows.back().cycle + 1;
  return pred;
}

}  // namespace accelgen::golden
