#include "verilator_tb/leopard/leopard_tile_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "golden_model/leopard/leopard_model.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/leopard/leopard_qk_tb.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultQVectors = 10;

int64_t signed_of(uint64_t v, int bits) {
  if (bits < 64) v &= (uint64_t{1} << bits) - 1;
  return bits < 64 && ((v >> (bits - 1)) & 1) ? static_cast<int64_t>(v) - (int64_t{1} << bits) : static_cast<int64_t>(v);
}

struct SeenBeat {
  int64_t cycle;
  bool keep;
  int64_t score;
  int dpu, idx;
};

struct SeenRow {
  int64_t cycle;
  std::vector<int64_t> att;
  int64_t sum, count;
};

}  // namespace

VerifyResult run_leopard_tile_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const LeopardTileParams p = LeopardTileParams::from(params);
  const LeopardQkParams qp = p.qk();
  const LeopardVpuParams vp = p.vpu();
  VerifyResult res;
  res.transactions = options.transactions > 0 ? options.transactions : kDefaultQVectors;
  const LeopardQkWorkload wl = make_leopard_qk_workload(qp, LeopardQkStimulus::from(params), options.seed, res.transactions);
  std::mt19937_64 rng(options.seed ^ 0x5eedu);
  std::vector<std::vector<int64_t>> v(p.seq_len, std::vector<int64_t>(p.taps));
  const int64_t vlo = -(int64_t{1} << (p.v_bits - 1)), vhi = (int64_t{1} << (p.v_bits - 1)) - 1;
  for (int j = 0; j < p.seq_len; ++j)
    for (auto& x : v[j]) x = j % 7 == 5 ? vlo : j % 7 == 6 ? vhi : std::uniform_int_distribution<int64_t>(vlo, vhi)(rng);
  const golden::LeopardTilePrediction pred = golden::predict_leopard_tile(p, wl.keys, v, wl.qs);
  res.golden_cycles = pred.cycles;
  res.transactions = static_cast<int64_t>(wl.qs.size());

  Harness h(model.create(options.trace_path), options.activity);
  auto port = [&](const char* name) { return h.port(name); };
  const int kw_valid = port("kw_valid_i"), kw_bank = port("kw_bank_i"), kw_key = port("kw_key_i");
  const int kw_plane = port("kw_plane_i"), kw_data = port("kw_data_i"), vw_valid = port("vw_valid_i");
  const int vw_key = port("vw_key_i"), vw_data = port("vw_data_i"), q_valid = port("q_valid_i");
  const int q_ready = port("q_ready_o"), q_data = port("q_data_i"), q_th = port("q_th_i");
  const int o_valid = port("o_valid_o"), o_att = port("o_att_o"), o_sum = port("o_sum_o"), o_count = port("o_count_o");
  const int mac = port("mac_o"), b_valid = port("b_valid_o"), b_keep = port("b_keep_o"), b_score = port("b_score_o");
  const int b_dpu = port("b_dpu_o"), b_idx = port("b_idx_o");
  auto set_words = [&](int pt, const std::vector<uint32_t>& w) {
    if (h.width(pt) > 64) h.set_wide(pt, w);
    else h.set(pt, get_field(w, 0, h.width(pt)));
  };
  const int C = qp.cycles_per_key(), N = p.n_dpu, D = p.taps, B = qp.bits_per_cycle, AW = vp.att_bits();
  std::vector<uint32_t> words;
  std::vector<int64_t> handshakes;
  std::vector<SeenBeat> beats;
  std::vector<SeenRow> rows;
  int64_t mac_cycles = 0;
  size_t qi = 0;
  const int64_t limit = 2 * pred.cycles + 1000;
  h.reset();
  auto start = std::chrono::steady_clock::now();
  while (rows.size() < wl.qs.size() && h.cycle() < limit && !h.error()) {
    const int64_t now = h.cycle();
    const bool kv = now < wl.key_words;
    h.set(kw_valid, kv);
    if (kv) {
      const int j = static_cast<int>(now / C), c = static_cast<int>(now % C);
      h.set(kw_bank, static_cast<uint64_t>(j % N));
      h.set(kw_key, static_cast<uint64_t>(j / N));
      h.set(kw_plane, static_cast<uint64_t>(c));
      words.assign((D * B + 31) / 32 + 1, 0);
      for (int t = 0; t < D; ++t) put_field(words, t * B, B, golden::leopard_k_chunk(qp, wl.keys[j][t], c + 1));
      set_words(kw_data, words);
    }
    const bool vwv = now < p.seq_len;
    h.set(vw_valid, vwv);
    if (vwv) {
      h.set(vw_key, static_cast<uint64_t>(now));
      words.assign((D * p.v_bits + 31) / 32 + 1, 0);
      for (int t = 0; t < D; ++t) put_field(words, t * p.v_bits, p.v_bits, static_cast<uint64_t>(v[now][t]));
      set_words(vw_data, words);
    }
    const bool qv = qi < wl.qs.size() && wl.qs[qi].arrival <= now;
    h.set(q_valid, qv);
    if (qv) {
      words.assign((D * qp.q_bits + 31) / 32 + 1, 0);
      for (int t = 0; t < D; ++t) put_field(words, t * qp.q_bits, qp.q_bits, static_cast<uint64_t>(wl.qs[qi].q[t]));
      set_words(q_data, words);
      words.assign(3, 0);
      put_field(words, 0, h.width(q_th), static_cast<uint64_t>(wl.qs[qi].th));
      set_words(q_th, words);
    }
    h.settle();
    if (qv && h.get(q_ready)) {
      handshakes.push_back(now);
      ++qi;
    }
    if (h.get(mac)) ++mac_cycles;
    if (h.get(b_valid))
      beats.push_back({now, h.get(b_keep) != 0, signed_of(h.get(b_score), 24), static_cast<int>(h.get(b_dpu)),
                       static_cast<int>(h.get(b_idx))});
    if (h.get(o_valid)) {
      SeenRow r{now, std::vector<int64_t>(D), static_cast<int64_t>(h.get(o_sum)), static_cast<int64_t>(h.get(o_count))};
      h.get_wide(o_att, words);
      for (int t = 0; t < D; ++t) r.att[t] = signed_of(get_field(words, t * AW, AW), AW);
      rows.push_back(std::move(r));
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = rows.empty() ? 0 : rows.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error ($stop/$error/assertion)");
  for (size_t i = 0; i < pred.qk.size(); ++i) {
    if (i >= handshakes.size()) {
      res.report(fmt::format("Q vector {}: expected accepted in cycle {}, never accepted", i, pred.qk[i].accepted),
                 pred.qk[i].accepted);
      break;
    }
    if (handshakes[i] != pred.qk[i].accepted)
      res.report(fmt::format("Q vector {}: expected accepted in cycle {}, got {}", i, pred.qk[i].accepted, handshakes[i]),
                 std::min<int64_t>(pred.qk[i].accepted, handshakes[i]));
  }
  for (size_t i = 0; i < pred.beats.size(); ++i) {
    const auto& w = pred.beats[i];
    if (i >= beats.size()) {
      res.report(fmt::format("beat {} (row {}): expected in cycle {}, never sent", i, w.row, w.cycle), w.cycle);
      break;
    }
    const auto& g = beats[i];
    const bool same = g.cycle == w.cycle && g.keep == w.keep &&
                      (!w.keep || (g.score == w.entry.score && g.dpu == w.entry.dpu && g.idx == w.entry.idx));
    if (!same)
      res.report(fmt::format("beat {} (row {}): expected cycle {} {} score {} unit {} idx {}; got cycle {} {} score {} unit {} idx {}",
                         i, w.row, w.cycle, w.keep ? "kept" : "end", w.entry.score, w.entry.dpu, w.entry.idx, g.cycle,
                         g.keep ? "kept" : "end", g.score, g.dpu, g.idx),
                 std::min<int64_t>(w.cycle, g.cycle));
  }
  if (beats.size() > pred.beats.size()) res.report(fmt::format("{} unexpected extra beats", beats.size() - pred.beats.size()));
  int64_t kept = 0;
  for (size_t r = 0; r < pred.rows.size(); ++r) {
    const auto& want = pred.rows[r];
    kept += want.count;
    const std::string where = fmt::format("row {} (prune {}, {} kept)", r, wl.prune_target[r], want.count);
    if (r >= rows.size()) {
      res.report(fmt::format("{}: expected in cycle {}, never produced", where, want.cycle), want.cycle);
      continue;
    }
    const SeenRow& got = rows[r];
    ++res.outputs_checked;
    if (got.cycle != want.cycle) res.report(fmt::format("{}: expected in cycle {}, got in cycle {}", where, want.cycle, got.cycle),
                                            std::min<int64_t>(want.cycle, got.cycle));
    if (got.sum != want.sum || got.count != want.count)
      res.report(fmt::format("cycle {}: {} sum/count: expected {}/{}, got {}/{}", got.cycle, where, want.sum, want.count, got.sum,
                         got.count),
                 got.cycle);
    for (int t = 0; t < D; ++t)
      if (got.att[t] != want.att[t]) {
        res.report(fmt::format("cycle {}: {} lane {}: expected {}, got {}", got.cycle, where, t, want.att[t], got.att[t]),
                   got.cycle);
        break;
      }
  }
  if (mac_cycles != pred.mac_cycles) res.report(fmt::format("MAC-busy cycles: expected {}, got {}", pred.mac_cycles, mac_cycles));
  // Q vectors the stall rule held back (later than both their arrival and the idle QK-PU).
  int64_t stalled = 0;
  for (size_t i = 2; i < pred.qk.size(); ++i) {
    const int64_t free = std::max(wl.qs[i].arrival, pred.qk[i - 1].accepted + pred.qk[i - 1].front + 1);
    if (pred.qk[i].accepted > free) ++stalled;
  }
  res.details = {{"q_vectors", wl.qs.size()},
                 {"stalled_q_vectors", stalled},
                 {"max_fifo_occupancy", pred.max_fifo_occupancy},
                 {"fifo_depth", p.fifo_depth()},
                 {"keys", p.seq_len},
                 {"kept_scores", kept},
                 {"beats", beats.size()},
                 {"mac_cycles", mac_cycles},
                 {"vpu_utilization", res.rtl_cycles > 0 ? double(mac_cycles) / double(res.rtl_cycles) : 0.0}};
  return res;
}

}  // namespace accelgen::sim
