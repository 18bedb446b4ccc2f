#include "verilator_tb/leopard/leopard_qk_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "verilator_tb/harness.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultQVectors = 10;

const std::vector<std::string> kPatterns = {"random", "min", "max", "extremes", "sparse"};
const std::vector<std::string> kTargets = {"0", "50", "90", "100", "random"};

int64_t draw(std::mt19937_64& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

int64_t signed_of(uint64_t v, int bits) {
  if (bits < 64) v &= (uint64_t{1} << bits) - 1;
  return bits < 64 && ((v >> (bits - 1)) & 1) ? static_cast<int64_t>(v) - (int64_t{1} << bits) : static_cast<int64_t>(v);
}

// One K word of the given pattern (sign-magnitude "extremes" include -0).
uint64_t k_word(std::mt19937_64& rng, const LeopardQkParams& p, const std::string& pattern) {
  const int64_t lo = golden::leopard_k_min(p), hi = golden::leopard_k_max(p);
  if (pattern == "min") return golden::leopard_encode_k(p, lo);
  if (pattern == "max") return golden::leopard_encode_k(p, hi);
  if (pattern == "extremes") {
    const int pick = static_cast<int>(draw(rng, 0, 5));
    if (pick == 5 && p.signmag) return uint64_t{1} << (p.k_bits - 1);  // -0
    const int64_t vals[] = {lo, hi, -1, 0, 1, lo};
    return golden::leopard_encode_k(p, vals[pick]);
  }
  if (pattern == "sparse" && draw(rng, 0, 3) != 0) return golden::leopard_encode_k(p, 0);
  return golden::leopard_encode_k(p, draw(rng, lo, hi));
}

int64_t q_value(std::mt19937_64& rng, const LeopardQkParams& p, const std::string& pattern) {
  const int64_t lo = -(int64_t{1} << (p.q_bits - 1)), hi = (int64_t{1} << (p.q_bits - 1)) - 1;
  if (pattern == "min") return lo;
  if (pattern == "max") return hi;
  if (pattern == "extremes") {
    const int64_t vals[] = {lo, hi, -1, 0, 1};
    return vals[draw(rng, 0, 4)];
  }
  if (pattern == "sparse" && draw(rng, 0, 3) != 0) return 0;
  return draw(rng, lo, hi);
}

}  // namespace

LeopardQkWorkload make_leopard_qk_workload(const LeopardQkParams& p, const LeopardQkStimulus& s, uint64_t seed,
                                           int64_t q_vectors) {
  std::mt19937_64 rng(seed);
  LeopardQkWorkload wl;
  // Keys: mostly the stimulus pattern; with "mixed", key j follows pattern j mod 5, so the key set
  // holds all-min, all-max, extreme and sparse keys beside random ones.
  const bool exhaustive = s.operands == "exhaustive";
  if (exhaustive) q_vectors = int64_t{1} << (p.taps * p.q_bits);
  if (s.operands == "fig63") {  // the thesis's worked example, integer-scaled by 8 (digest B.3.1)
    wl.keys.assign(p.seq_len, {});
    for (auto& k : wl.keys)
      for (int64_t kv : {1, -7, -4, 2}) k.push_back(golden::leopard_encode_k(p, kv));
    wl.key_words = int64_t{p.seq_len} * p.cycles_per_key();
    for (int64_t th : {99, 40, 13, 12}) {
      wl.qs.push_back({{9, -5, 7, -2}, th, wl.key_words});
      wl.prune_target.push_back(th == 12 ? "0" : "100");
      wl.pattern.push_back("fig63");
    }
    return wl;
  }
  for (int j = 0; j < p.seq_len; ++j) {
    if (exhaustive) {  // key j: its K words are the base-2^k_bits digits of j
      std::vector<uint64_t> k(p.taps);
      for (int t = 0; t < p.taps; ++t) k[t] = (static_cast<uint64_t>(j) >> (t * p.k_bits)) & ((uint64_t{1} << p.k_bits) - 1);
      wl.keys.push_back(std::move(k));
      continue;
    }
    const std::string pat = s.operands == "mixed" ? kPatterns[j % kPatterns.size()] : s.operands;
    std::vector<uint64_t> k(p.taps);
    for (auto& w : k) w = k_word(rng, p, pat);
    wl.keys.push_back(std::move(k));
  }
  wl.key_words = int64_t{p.seq_len} * p.cycles_per_key();
  const int64_t th_max = (int64_t{1} << (p.bound_bits() - 1)) - 1, th_min = -(int64_t{1} << (p.bound_bits() - 1));
  for (int64_t i = 0; i < q_vectors; ++i) {
    golden::LeopardQVector qv;
    const std::string pat = s.operands == "mixed" ? kPatterns[i % kPatterns.size()] : s.operands;
    for (int t = 0; t < p.taps; ++t) {
      if (exhaustive) {  // Q vector i: its elements are the base-2^q_bits digits of i
        const uint64_t digit = (static_cast<uint64_t>(i) >> (t * p.q_bits)) & ((uint64_t{1} << p.q_bits) - 1);
        qv.q.push_back(signed_of(digit, p.q_bits));
      } else {
        qv.q.push_back(q_value(rng, p, pat));
      }
    }
    std::vector<int64_t> scores;
    for (const auto& k : wl.keys) scores.push_back(golden::leopard_dot(p, qv.q, k));
    std::sort(scores.begin(), scores.end());
    const std::string target = s.prune == "mixed" ? kTargets[i % kTargets.size()] : s.prune;
    const int64_t S = static_cast<int64_t>(scores.size());
    if (target == "0") qv.th = scores.front();  // the smallest score equals Th: kept
    else if (target == "50") qv.th = scores[S / 2];
    else if (target == "90") qv.th = scores[std::min(S - 1, (S * 9 + 9) / 10)];
    else if (target == "100") qv.th = scores.back() + 1;
    else qv.th = draw(rng, std::max(th_min, scores.front() - 2), std::min(th_max, scores.back() + 2));
    // Q vectors are offered right after the key load; every fourth one arrives late.
    qv.arrival = wl.key_words + (i % 4 == 3 ? 7 * i : 0);
    wl.qs.push_back(std::move(qv));
    wl.prune_target.push_back(target);
    wl.pattern.push_back(pat);
  }
  return wl;
}

namespace {

struct CycleRecord {  // one busy cycle of one DPU
  int64_t cycle;
  int64_t idx, p, m, score24;
  bool done, pruned;
};

struct Port {
  int id, width;
};

}  // namespace

VerifyResult run_leopard_qk_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const LeopardQkParams p = LeopardQkParams::from(params);
  const LeopardQkStimulus s = LeopardQkStimulus::from(params);
  VerifyResult res;
  res.transactions = options.transactions > 0 ? options.transactions : kDefaultQVectors;
  const LeopardQkWorkload wl = make_leopard_qk_workload(p, s, options.seed, res.transactions);
  res.transactions = static_cast<int64_t>(wl.qs.size());
  const golden::LeopardQkPrediction pred = golden::predict_leopard_qk(p, wl.keys, wl.qs);
  res.golden_cycles = pred.cycles;

  Harness h(model.create(options.trace_path), options.activity);
  auto port = [&](const char* name) { const int id = h.port(name); return Port{id, h.width(id)}; };
  const Port kw_valid = port("kw_valid_i"), kw_bank = port("kw_bank_i"), kw_key = port("kw_key_i");
  const Port kw_plane = port("kw_plane_i"), kw_data = port("kw_data_i"), q_valid = port("q_valid_i");
  const Port q_ready = port("q_ready_o"), q_data = port("q_data_i"), q_th = port("q_th_i");
  const Port busy = port("busy_o"), done = port("done_o"), pruned = port("pruned_o"), idx = port("idx_o");
  const Port score = port("score_o"), pp = port("p_o"), mp = port("m_o");
  auto set_words = [&](const Port& pt, const std::vector<uint32_t>& w) {
    if (pt.width > 64) h.set_wide(pt.id, w);
    else h.set(pt.id, get_field(w, 0, pt.width));
  };
  std::vector<uint32_t> scratch;
  auto read = [&](const Port& pt) -> const std::vector<uint32_t>& {
    if (pt.width > 64) {
      h.get_wide(pt.id, scratch);
    } else {
      const uint64_t v = h.get(pt.id);
      scratch = {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
    }
    return scratch;
  };

  const int C = p.cycles_per_key(), N = p.n_dpu, D = p.taps, B = p.bits_per_cycle;
  const int IW = h.width(idx.id) / N, SW = p.score_bits(), F = LeopardQkParams::kFifoScoreBits;
  std::vector<std::vector<CycleRecord>> seen(N);
  std::vector<int64_t> handshakes;
  std::vector<uint32_t> words;
  const int64_t limit = 2 * pred.cycles + 1000;
  size_t qi = 0;
  h.reset();
  auto start = std::chrono::steady_clock::now();
  int64_t last_busy = -1;
  while (h.cycle() < limit && !h.error()) {
    const int64_t now = h.cycle();
    // Key-buffer load: word w is chunk (w mod C) of key (w div C).
    const bool kv = now < wl.key_words;
    h.set(kw_valid.id, kv);
    if (kv) {
      const int j = static_cast<int>(now / C), c = static_cast<int>(now % C);
      h.set(kw_bank.id, static_cast<uint64_t>(j % N));
      h.set(kw_key.id, static_cast<uint64_t>(j / N));
      h.set(kw_plane.id, static_cast<uint64_t>(c));
      words.assign((D * B + 31) / 32 + 1, 0);
      for (int t = 0; t < D; ++t) put_field(words, t * B, B, golden::leopard_k_chunk(p, wl.keys[j][t], c + 1));
      set_words(kw_data, words);
    }
    const bool qv = qi < wl.qs.size() && wl.qs[qi].arrival <= now;
    h.set(q_valid.id, qv);
    if (qv) {
      words.assign((D * p.q_bits + 31) / 32 + 1, 0);
      for (int t = 0; t < D; ++t)
        put_field(words, t * p.q_bits, p.q_bits, static_cast<uint64_t>(wl.qs[qi].q[t]));
      set_words(q_data, words);
      words.assign(3, 0);
      put_field(words, 0, q_th.width, static_cast<uint64_t>(wl.qs[qi].th));
      set_words(q_th, words);
    }
    h.settle();
    if (qv && h.get(q_ready.id)) {
      handshakes.push_back(now);
      ++qi;
    }
    const uint64_t busy_bits = h.get(busy.id);
    if (busy_bits) {
      last_busy = now;
      const uint64_t done_bits = h.get(done.id), pruned_bits = h.get(pruned.id);
      const std::vector<uint32_t> idx_w = read(idx), score_w = read(score), p_w = read(pp), m_w = read(mp);
      for (int n = 0; n < N; ++n) {
        if (!((busy_bits >> n) & 1)) continue;
        seen[n].push_back({now, static_cast<int64_t>(get_field(idx_w, n * IW, IW)),
                           signed_of(get_field(p_w, n * SW, SW), SW), static_cast<int64_t>(get_field(m_w, n * SW, SW)),
                           signed_of(get_field(score_w, n * F, F), F), ((done_bits >> n) & 1) != 0,
                           ((pruned_bits >> n) & 1) != 0});
      }
    } else if (qi == wl.qs.size() && now > handshakes.back()) {
      break;  // every Q vector accepted and every unit idle again
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = last_busy + 1;

  if (h.error()) res.report("the simulation raised a Verilog error ($stop/$error/assertion)");
  for (size_t i = 0; i < wl.qs.size(); ++i) {
    if (i >= handshakes.size()) {
      res.report(fmt::format("Q vector {}: expected accepted at cycle {}, never accepted", i, pred.rows[i].accepted),
                 pred.rows[i].accepted);
    } else if (handshakes[i] != pred.rows[i].accepted) {
      res.report(fmt::format("Q vector {}: expected accepted at cycle {}, got {}", i, pred.rows[i].accepted, handshakes[i]),
                 std::min<int64_t>(pred.rows[i].accepted, handshakes[i]));
    }
  }

  // Every busy cycle of every unit, in order: key, P_c, M_c, 24-bit score, done, pruned.
  int64_t pruned_scores = 0, pruned_cycles = 0, kept = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> per_target;  // pruned, total
  for (int n = 0; n < N; ++n) {
    size_t at = 0;
    for (size_t r = 0; r < pred.rows.size(); ++r) {
      for (const auto& e : pred.rows[r].dpu[n]) {
        ++res.outputs_checked;
        auto& tgt = per_target[wl.prune_target[r]];
        ++tgt.second;
        if (e.s.pruned) {
          ++pruned_scores;
          pruned_cycles += e.s.cycles;
          ++tgt.first;
        } else {
          ++kept;
        }
        const std::string where = fmt::format("Q {} (prune {}, {}) unit {} key {} (local {})", r, wl.prune_target[r],
                                              wl.pattern[r], n, e.key, e.local);
        for (int c = 1; c <= e.s.cycles; ++c, ++at) {
          const int64_t cyc = e.start + c - 1;
          const bool want_done = c == e.s.cycles, want_pruned = want_done && e.s.pruned;
          const int64_t want_p = e.s.p[c - 1], want_m = e.s.m[c - 1];
          if (at >= seen[n].size()) {
            res.report(fmt::format("{}: expected busy in cycle {} (bit-serial cycle {}), unit idle", where, cyc, c), cyc);
            break;
          }
          const CycleRecord& g = seen[n][at];
          std::string diff;
          if (g.cycle != cyc) diff += fmt::format(" cycle {} vs {}", cyc, g.cycle);
          if (g.idx != e.local) diff += fmt::format(" idx {} vs {}", e.local, g.idx);
          if (g.p != want_p) diff += fmt::format(" P {} vs {}", want_p, g.p);
          if (g.m != want_m) diff += fmt::format(" M {} vs {}", want_m, g.m);
          if (g.score24 != golden::leopard_score24(p, want_p))
            diff += fmt::format(" score24 {} vs {}", golden::leopard_score24(p, want_p), g.score24);
          if (g.done != want_done) diff += fmt::format(" done {} vs {}", want_done, g.done);
          if (g.pruned != want_pruned) diff += fmt::format(" pruned {} vs {}", want_pruned, g.pruned);
          if (!diff.empty()) {
            res.report(fmt::format("cycle {}: {} bit-serial cycle {} (expected vs got):{}", cyc, where, c, diff),
                       std::min<int64_t>(cyc, g.cycle));
            break;
          }
        }
        if (at > seen[n].size()) break;
      }
    }
    if (seen[n].size() > at) res.report(fmt::format("unit {}: {} unexpected busy cycles", n, seen[n].size() - at));
  }

  nlohmann::json targets = nlohmann::json::object();
  for (const auto& [t, v] : per_target)
    targets[t] = {{"scores", v.second}, {"pruned", v.first},
                  {"pruned_percent", v.second ? 100.0 * double(v.first) / double(v.second) : 0.0}};
  // Per Q vector: the termination cycle of key 0 (0 when it is kept).
  std::vector<int> key0_cycles;
  for (const auto& row : pred.rows) key0_cycles.push_back(row.dpu[0][0].s.pruned ? row.dpu[0][0].s.cycles : 0);
  res.details = {{"q_vectors", wl.qs.size()},
                 {"keys", p.seq_len},
                 {"key0_termination_cycles", key0_cycles},
                 {"scores", res.outputs_checked},
                 {"kept_scores", kept},
                 {"pruned_scores", pruned_scores},
                 {"avg_k_bits_pruned", pruned_scores ? double(pruned_cycles * B) / double(pruned_scores) : 0.0},
                 {"by_prune_target", targets}};
  return res;
}

}  // namespace accelgen::sim
