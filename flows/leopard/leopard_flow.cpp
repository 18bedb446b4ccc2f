#include "flows/leopard/leopard_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "golden_model/leopard/leopard_model.hpp"

namespace accelgen::flows {

namespace {

int64_t draw_value(std::mt19937_64& rng, const std::string& dist, int64_t lo, int64_t hi) {
  if (dist == "uniform") return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  const double sigma = static_cast<double>(hi) / 4.0;
  const auto v = static_cast<int64_t>(std::llround(std::normal_distribution<double>(0.0, sigma)(rng)));
  return std::clamp(v, lo, hi);
}

}  // namespace

std::vector<LeopardFlowRow> run_leopard_flow(const LeopardFlowOptions& o) {
  if (o.distribution != "gaussian" && o.distribution != "uniform")
    throw std::invalid_argument("distribution must be gaussian or uniform");
  LeopardQkParams base;
  base.taps = o.taps;
  base.bits_per_cycle = o.bits_per_cycle;
  base.signmag = o.signmag;
  base.seq_len = o.seq_len;
  std::mt19937_64 rng(o.seed);
  const int64_t kmin = golden::leopard_k_min(base), kmax = golden::leopard_k_max(base);
  std::vector<std::vector<uint64_t>> keys(o.seq_len);
  for (auto& k : keys)
    for (int t = 0; t < o.taps; ++t) k.push_back(golden::leopard_encode_k(base, draw_value(rng, o.distribution, kmin, kmax)));
  std::vector<std::vector<int64_t>> q(o.seq_len);
  for (auto& v : q)
    for (int t = 0; t < o.taps; ++t) v.push_back(draw_value(rng, o.distribution, -2048, 2047));
  std::vector<int64_t> scores;
  scores.reserve(static_cast<size_t>(o.seq_len) * o.seq_len);
  for (const auto& v : q)
    for (const auto& k : keys) scores.push_back(golden::leopard_dot(base, v, k));
  std::sort(scores.begin(), scores.end());

  const bool tile_applies = o.exact_tile && o.softmax_cycles == 0 && o.vpu_cycles_per_score == 1 && o.taps <= 128 &&
                            o.seq_len <= 1024;
  std::vector<std::vector<int64_t>> v(o.seq_len, std::vector<int64_t>(o.taps));
  for (auto& vec : v)
    for (auto& x : vec) x = draw_value(rng, "uniform", -32768, 32767);

  // Baseline: one score per cycle into the same V-PU, nothing pruned.
  const std::vector<int64_t> base_front(o.seq_len, o.seq_len), base_kept(o.seq_len, o.seq_len);
  const golden::LeopardTileTiming baseline = golden::leopard_tile_timing(base_front, base_kept, o.softmax_cycles, o.vpu_cycles_per_score);

  std::vector<LeopardFlowRow> out;
  for (double rate : o.rates) {
    // Threshold: the score at the target quantile; scores below it are pruned (ties are kept).
    const auto at = static_cast<size_t>(std::llround(rate / 100.0 * static_cast<double>(scores.size())));
    const int64_t th = at >= scores.size() ? scores.back() + 1 : scores[at];
    for (int n : o.n_dpus) {
      LeopardQkParams p = base;
      p.n_dpu = n;
      std::vector<golden::LeopardQVector> qs;
      for (const auto& v : q) qs.push_back({v, th, 0});
      const golden::LeopardQkPrediction pred = golden::predict_leopard_qk(p, keys, qs);
      std::vector<int64_t> front, kept;
      int64_t pruned = 0, pruned_cycles = 0, total = 0, front_bound = 0;
      for (const auto& row : pred.rows) {
        front.push_back(row.front + 1);  // the QK-PU takes T + 1 cycles per Q vector (barrier)
        kept.push_back(row.kept);
        if (row.front + 1 > row.kept * o.vpu_cycles_per_score + o.softmax_cycles) ++front_bound;
        for (const auto& dpu : row.dpu)
          for (const auto& e : dpu) {
            ++total;
            if (e.s.pruned) {
              ++pruned;
              pruned_cycles += e.s.cycles;
            }
          }
      }
      const golden::LeopardTileTiming tile = golden::leopard_tile_timing(front, kept, o.softmax_cycles, o.vpu_cycles_per_score);
      LeopardFlowRow r;
      r.target_rate = rate;
      r.n_dpu = n;
      r.threshold = th;
      r.pruned_percent = 100.0 * double(pruned) / double(total);
      r.avg_bits_pruned = pruned ? double(pruned_cycles * o.bits_per_cycle) / double(pruned) : 0.0;
      r.baseline_cycles = baseline.cycles;
      r.leopard_cycles = tile.cycles;
      for (int64_t f : front) r.front_cycles += f;
      r.speedup = double(baseline.cycles) / double(tile.cycles);
      r.vpu_utilization = tile.vpu_utilization();
      r.baseline_vpu_utilization = baseline.vpu_utilization();
      r.front_bound_rows = 100.0 * double(front_bound) / double(o.seq_len);
      if (tile_applies) {
        LeopardTileParams tp;
        tp.taps = o.taps;
        tp.n_dpu = n;
        tp.seq_len = o.seq_len;
        tp.bits_per_cycle = o.bits_per_cycle;
        tp.signmag = o.signmag;
        const golden::LeopardTilePrediction tile_pred = golden::predict_leopard_tile(tp, keys, v, qs);
        r.tile_cycles = tile_pred.cycles;
        r.tile_speedup = double(baseline.cycles) / double(tile_pred.cycles);
      }
      out.push_back(r);
    }
  }
  return out;
}

nlohmann::json leopard_flow_json(const LeopardFlowOptions& o, const std::vector<LeopardFlowRow>& rows) {
  nlohmann::json j = {{"flow", "leopard"},
                      {"seq_len", o.seq_len},
                      {"taps", o.taps},
                      {"bits_per_cycle", o.bits_per_cycle},
                      {"k_encoding", o.signmag ? "signmag" : "twos"},
                      {"distribution", o.distribution},
                      {"softmax_cycles", o.softmax_cycles},
                      {"vpu_cycles_per_score", o.vpu_cycles_per_score},
                      {"seed", o.seed},
                      {"rows", nlohmann::json::array()}};
  for (const auto& r : rows)
    j["rows"].push_back({{"target_rate", r.target_rate},
                         {"n_dpu", r.n_dpu},
                         {"threshold", r.threshold},
                         {"pruned_percent", r.pruned_percent},
                         {"avg_bits_pruned", r.avg_bits_pruned},
                         {"baseline_cycles", r.baseline_cycles},
                         {"leopard_cycles", r.leopard_cycles},
                         {"front_cycles", r.front_cycles},
                         {"speedup", r.speedup},
                         {"vpu_utilization", r.vpu_utilization},
                         {"baseline_vpu_utilization", r.baseline_vpu_utilization},
                         {"front_bound_rows_percent", r.front_bound_rows},
                         {"tile_cycles", r.tile_cycles},
                         {"tile_speedup", r.tile_speedup}});
  return j;
}

std::string leopard_flow_csv(const std::vector<LeopardFlowRow>& rows) {
  std::string s =
      "target_rate,n_dpu,threshold,pruned_percent,avg_bits_pruned,baseline_cycles,leopard_cycles,front_cycles,"
      "speedup,vpu_utilization,front_bound_rows_percent,tile_cycles,tile_speedup\n";
  for (const auto& r : rows)
    s += fmt::format("{},{},{},{:.3f},{:.3f},{},{},{},{:.4f},{:.4f},{:.1f},{},{:.4f}\n", r.target_rate, r.n_dpu,
                     r.threshold, r.pruned_percent, r.avg_bits_pruned, r.baseline_cycles, r.leopard_cycles,
                     r.front_cycles, r.speedup, r.vpu_utilization, r.front_bound_rows, r.tile_cycles, r.tile_speedup);
  return s;
}

}  // namespace accelgen::flows
