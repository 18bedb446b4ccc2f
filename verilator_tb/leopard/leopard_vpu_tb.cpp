#include "verilator_tb/leopard/leopard_vpu_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "verilator_tb/harness.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultRows = 12;
const std::vector<std::string> kPrune = {"0", "50", "90", "100"};
const std::vector<std::string> kOperands = {"random", "min", "max"};

int64_t draw(std::mt19937_64& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

int64_t signed_of(uint64_t v, int bits) {
  if (bits < 64) v &= (uint64_t{1} << bits) - 1;
  return bits < 64 && ((v >> (bits - 1)) & 1) ? static_cast<int64_t>(v) - (int64_t{1} << bits) : static_cast<int64_t>(v);
}

}  // namespace

LeopardVpuWorkload make_leopard_vpu_workload(const LeopardVpuParams& p, const LeopardVpuStimulus& s, uint64_t seed,
                                             int64_t rows) {
  std::mt19937_64 rng(seed);
  LeopardVpuWorkload wl;
  const int64_t vlo = -(int64_t{1} << (p.v_bits - 1)), vhi = (int64_t{1} << (p.v_bits - 1)) - 1;
  for (int j = 0; j < p.seq_len; ++j) {
    // With mixed operands every fifth key is all-minimum and every seventh all-maximum.
    const std::string pat = s.operands != "mixed" ? s.operands : j % 5 == 4 ? "min" : j % 7 == 6 ? "max" : "random";
    std::vector<int64_t> vec(p.taps);
    for (auto& x : vec) x = pat == "min" ? vlo : pat == "max" ? vhi : draw(rng, vlo, vhi);
    wl.v.push_back(std::move(vec));
  }
  const int64_t smin = -(int64_t{1} << 23), smax = (int64_t{1} << 23) - 1;
  int64_t clock = p.seq_len;  // score beats start after the V load
  for (int64_t r = 0; r < rows; ++r) {
    const std::string prune = s.prune == "mixed" ? kPrune[r % kPrune.size()] : s.prune;
    const std::string pat = s.operands == "mixed" ? kOperands[r % kOperands.size()] : s.operands;
    const double rate = std::stod(prune) / 100.0;
    const auto kept = static_cast<int64_t>(std::llround((1.0 - rate) * p.seq_len));
    std::vector<int> keys(p.seq_len);
    std::iota(keys.begin(), keys.end(), 0);
    std::shuffle(keys.begin(), keys.end(), rng);
    keys.resize(static_cast<size_t>(kept));
    golden::LeopardVpuRow row;
    // Scores spread over the whole table (LUT index 0..~600), plus one full-range outlier per row.
    const int64_t spread = int64_t{1} << std::min(23, p.exp_shift + 10);
    const int64_t center = draw(rng, smin + spread, smax);
    for (size_t i = 0; i < keys.size(); ++i) {
      int64_t sc = pat == "min" ? smin : pat == "max" ? smax : draw(rng, center - spread, center);
      if (pat == "random" && i == 1) sc = smin;
      row.kept.push_back({sc, keys[i] % p.n_dpu, keys[i] / p.n_dpu});
    }
    const size_t beats = std::max<size_t>(1, row.kept.size());
    for (size_t b = 0; b < beats; ++b) {
      if (s.gap_percent > 0 && draw(rng, 0, 99) < s.gap_percent) clock += draw(rng, 1, 3);
      row.arrival.push_back(clock++);
    }
    wl.rows.push_back(std::move(row));
    wl.prune.push_back(prune);
  }
  return wl;
}

namespace {

struct Observed {
  int64_t cycle;
  std::vector<int64_t> att;
  int64_t sum, count;
};

}  // namespace

VerifyResult run_leopard_vpu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const LeopardVpuParams p = LeopardVpuParams::from(params);
  const LeopardVpuStimulus s = LeopardVpuStimulus::from(params);
  VerifyResult res;
  res.transactions = options.transactions > 0 ? options.transactions : kDefaultRows;
  const LeopardVpuWorkload wl = make_leopard_vpu_workload(p, s, options.seed, res.transactions);
  const golden::LeopardVpuPrediction pred = golden::predict_leopard_vpu(p, wl.v, wl.rows);
  res.golden_cycles = pred.cycles;

  Harness h(model.create(options.trace_path), options.activity);
  const int vw_valid = h.port("vw_valid_i"), vw_key = h.port("vw_key_i"), vw_data = h.port("vw_data_i");
  const int s_valid = h.port("s_valid_i"), s_ready = h.port("s_ready_o"), s_keep = h.port("s_keep_i");
  const int s_last = h.port("s_last_i"), s_score = h.port("s_score_i"), s_dpu = h.port("s_dpu_i");
  const int s_idx = h.port("s_idx_i"), o_valid = h.port("o_valid_o"), o_att = h.port("o_att_o");
  const int o_sum = h.port("o_sum_o"), o_count = h.port("o_count_o"), mac = h.port("mac_o");
  const int AW = p.att_bits(), VW = p.v_bits;

  struct Beat {
    int64_t arrival, score;
    int dpu, idx;
    bool keep, last;
  };
  std::vector<Beat> beats;
  for (const auto& row : wl.rows) {
    if (row.kept.empty()) {
      beats.push_back({row.arrival[0], 0, 0, 0, false, true});
      continue;
    }
    for (size_t i = 0; i < row.kept.size(); ++i)
      beats.push_back({row.arrival[i], row.kept[i].score, row.kept[i].dpu, row.kept[i].idx, true, i + 1 == row.kept.size()});
  }
  std::vector<int64_t> handshakes;
  std::vector<Observed> seen;
  std::vector<uint32_t> words;
  int64_t mac_cycles = 0;
  size_t bi = 0;
  const int64_t limit = 2 * pred.cycles + 1000;
  h.reset();
  auto start = std::chrono::steady_clock::now();
  while (seen.size() < wl.rows.size() && h.cycle() < limit && !h.error()) {
    const int64_t now = h.cycle();
    const bool vw = now < p.seq_len;
    h.set(vw_valid, vw);
    if (vw) {
      h.set(vw_key, static_cast<uint64_t>(now));
      words.assign((p.taps * VW + 31) / 32 + 1, 0);
      for (int t = 0; t < p.taps; ++t) put_field(words, t * VW, VW, static_cast<uint64_t>(wl.v[now][t]));
      if (p.taps * VW > 64) h.set_wide(vw_data, words);
      else h.set(vw_data, get_field(words, 0, p.taps * VW));
    }
    const bool sv = bi < beats.size() && beats[bi].arrival <= now;
    h.set(s_valid, sv);
    if (sv) {
      const Beat& b = beats[bi];
      h.set(s_keep, b.keep);
      h.set(s_last, b.last);
      h.set(s_score, static_cast<uint64_t>(b.score) & 0xFFFFFFu);
      h.set(s_dpu, static_cast<uint64_t>(b.dpu));
      h.set(s_idx, static_cast<uint64_t>(b.idx));
    }
    h.settle();
    if (sv && h.get(s_ready)) {
      handshakes.push_back(now);
      ++bi;
    }
    if (h.get(mac)) ++mac_cycles;
    if (h.get(o_valid)) {
      Observed o{now, std::vector<int64_t>(p.taps), static_cast<int64_t>(h.get(o_sum)), static_cast<int64_t>(h.get(o_count))};
      h.get_wide(o_att, words);
      for (int t = 0; t < p.taps; ++t) o.att[t] = signed_of(get_field(words, t * AW, AW), AW);
      seen.push_back(std::move(o));
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;
  res.transactions = static_cast<int64_t>(wl.rows.size());

  if (h.error()) res.report("the simulation raised a Verilog error ($stop/$error/assertion)");
  for (size_t i = 0; i < pred.beat_cycles.size(); ++i) {
    if (i >= handshakes.size()) {
      res.report(fmt::format("beat {}: expected accepted in cycle {}, never accepted", i, pred.beat_cycles[i]), pred.beat_cycles[i]);
      break;
    }
    if (handshakes[i] != pred.beat_cycles[i])
      res.report(fmt::format("beat {}: expected accepted in cycle {}, got {}", i, pred.beat_cycles[i], handshakes[i]),
                 std::min<int64_t>(pred.beat_cycles[i], handshakes[i]));
  }
  int64_t kept = 0;
  for (size_t r = 0; r < pred.rows.size(); ++r) {
    const auto& want = pred.rows[r];
    kept += want.count;
    const std::string where = fmt::format("row {} (prune {}%, {} kept)", r, wl.prune[r], want.count);
    if (r >= seen.size()) {
      res.report(fmt::format("{}: expected in cycle {}, never produced", where, want.cycle), want.cycle);
      continue;
    }
    const Observed& got = seen[r];
    ++res.outputs_checked;
    if (got.cycle != want.cycle) res.report(fmt::format("{}: expected in cycle {}, got in cycle {}", where, want.cycle, got.cycle),
                                            std::min<int64_t>(want.cycle, got.cycle));
    if (got.sum != want.sum) res.report(fmt::format("cycle {}: {} softmax sum: expected {}, got {}", got.cycle, where, want.sum, got.sum),
                                        got.cycle);
    if (got.count != want.count) res.report(fmt::format("cycle {}: {} count: expected {}, got {}", got.cycle, where, want.count, got.count),
                                            got.cycle);
    for (int t = 0; t < p.taps; ++t)
      if (got.att[t] != want.att[t]) {
        res.report(fmt::format("cycle {}: {} lane {}: expected {}, got {}", got.cycle, where, t, want.att[t], got.att[t]),
                   got.cycle);
        break;
      }
  }
  if (mac_cycles != pred.mac_cycles) res.report(fmt::format("MAC-busy cycles: expected {}, got {}", pred.mac_cycles, mac_cycles));
  res.details = {{"rows", wl.rows.size()},
                 {"kept_scores", kept},
                 {"mac_cycles", mac_cycles},
                 {"vpu_utilization", res.rtl_cycles > 0 ? double(mac_cycles) / double(res.rtl_cycles) : 0.0}};
  return res;
}

}  // namespace accelgen::sim
