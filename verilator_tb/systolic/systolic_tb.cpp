#include "verilator_tb/systolic/systolic_tb.hpp"

#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultTransactions = 6;

int64_t operand(std::mt19937_64& rng, const std::string& pattern, int bits, int64_t index) {
  return pattern_operand(rng, pattern, bits, /*is_signed=*/true, index);
}

void append_arrivals(std::mt19937_64& rng, int gap_percent, int64_t count, int64_t& clock,
                     std::vector<int64_t>& out) {
  for (int64_t i = 0; i < count; ++i) out.push_back(next_arrival(rng, gap_percent, clock));
}

}  // namespace

SystolicWorkload make_systolic_workload(const SystolicParams& p, const SystolicStimulus& s,
                                        uint64_t seed, int64_t transactions) {
  std::mt19937_64 rng(seed);
  const int64_t R = p.rows, C = p.cols;
  SystolicWorkload wl;
  if (s.operands == "exhaustive") {
    // Every value times every value: X is a column of all values, W a row of all values.
    const int64_t count = int64_t{1} << p.in_bits, lo = -(count / 2);
    SystolicGemm g{count, 1, count, {}, {}, "exhaustive"};
    for (int64_t v = 0; v < count; ++v) {
      g.x.push_back(lo + v);
      g.w.push_back(lo + v);
    }
    wl.gemms.push_back(std::move(g));
    transactions = 0;
  }
  for (int64_t t = 0; t < transactions; ++t) {
    SystolicGemm g;
    // The first two GEMMs pin the interesting regimes: one exact full tile at full rate, and a
    // padded multi-tile GEMM with fewer vectors than the weight reload takes (stalls).
    if (t == 0) {
      g.M = std::max<int64_t>(2 * R, 4); g.K = R; g.N = C;
    } else if (t == 1) {
      g.M = draw(rng, 1, R); g.K = 2 * R + 1; g.N = C + 1;
    } else {
      g.M = draw(rng, 1, std::min<int64_t>(64, 4 * std::max(R, C) + 4));
      g.K = draw(rng, 1, 2 * R + 1);
      g.N = draw(rng, 1, 2 * C + 1);
    }
    if (s.m) g.M = s.m;
    if (s.k) g.K = s.k;
    if (s.n) g.N = s.n;
    const auto& patterns = operand_patterns();
    g.pattern = s.operands == "mixed" ? patterns[t % patterns.size()] : s.operands;
    g.x.resize(g.M * g.K);
    g.w.resize(g.K * g.N);
    for (int64_t i = 0; i < g.M * g.K; ++i) g.x[i] = operand(rng, g.pattern, p.in_bits, i);
    for (int64_t i = 0; i < g.K * g.N; ++i) g.w[i] = operand(rng, g.pattern, p.in_bits, i + 1);
    wl.gemms.push_back(std::move(g));
  }
  int64_t w_clock = 0, x_clock = 0;
  for (size_t gi = 0; gi < wl.gemms.size(); ++gi) {
    const SystolicGemm& g = wl.gemms[gi];
    for (int64_t n0 = 0; n0 < g.N; n0 += C) {
      for (int64_t k0 = 0; k0 < g.K; k0 += R) {
        golden::SystolicTile tile;
        tile.weights.assign(R * C, 0);
        for (int64_t r = 0; r < R && k0 + r < g.K; ++r)
          for (int64_t c = 0; c < C && n0 + c < g.N; ++c) tile.weights[r * C + c] = g.w[(k0 + r) * g.N + n0 + c];
        for (int64_t m = 0; m < g.M; ++m) {
          std::vector<int64_t> v(R, 0);
          for (int64_t r = 0; r < R && k0 + r < g.K; ++r) v[r] = g.x[m * g.K + k0 + r];
          tile.vectors.push_back(std::move(v));
        }
        append_arrivals(rng, s.gap_percent, R, w_clock, tile.w_arrival);
        append_arrivals(rng, s.gap_percent, g.M, x_clock, tile.x_arrival);
        wl.tiles.push_back(std::move(tile));
        wl.refs.push_back({gi, k0, n0});
      }
    }
  }
  return wl;
}

namespace {

// Drives the streams of one workload through the RTL and records every output vector.
struct Observed {
  int64_t cycle;
  std::vector<int64_t> y;
};

std::vector<Observed> drive(const SystolicParams& p, const SystolicWorkload& wl, Harness& h,
                            int64_t expected_outputs, int64_t cycle_limit) {
  const int R = p.rows, C = p.cols, in = p.in_bits, acc = p.acc_bits;
  const int w_valid = h.port("w_valid_i"), w_ready = h.port("w_ready_o"), w_data = h.port("w_data_i");
  const int x_valid = h.port("x_valid_i"), x_ready = h.port("x_ready_o"), x_last = h.port("x_last_i");
  const int x_data = h.port("x_data_i"), y_valid = h.port("y_valid_o"), y_data = h.port("y_data_o");
  const uint64_t in_mask = (uint64_t{1} << in) - 1;

  // Flatten the tiles into the two streams the ports carry.
  struct Beat {
    int64_t arrival;
    std::vector<uint32_t> words;
    bool last;
  };
  std::vector<Beat> w_beats, x_beats;
  for (const auto& tile : wl.tiles) {
    for (int j = 0; j < R; ++j) {  // beat j carries row R-1-j: the first beat shifts to the bottom
      Beat b{tile.w_arrival[j], std::vector<uint32_t>((C * in + 31) / 32, 0), false};
      for (int c = 0; c < C; ++c) put_field(b.words, c * in, in, static_cast<uint64_t>(tile.weights[(R - 1 - j) * C + c]) & in_mask);
      w_beats.push_back(std::move(b));
    }
    for (size_t m = 0; m < tile.vectors.size(); ++m) {
      Beat b{tile.x_arrival[m], std::vector<uint32_t>((R * in + 31) / 32, 0), m + 1 == tile.vectors.size()};
      for (int r = 0; r < R; ++r) put_field(b.words, r * in, in, static_cast<uint64_t>(tile.vectors[m][r]) & in_mask);
      x_beats.push_back(std::move(b));
    }
  }

  std::vector<Observed> seen;
  std::vector<uint32_t> y_words;
  size_t wi = 0, xi = 0;
  h.reset();
  while (static_cast<int64_t>(seen.size()) < expected_outputs && h.cycle() < cycle_limit && !h.error()) {
    const int64_t now = h.cycle();
    const bool wv = wi < w_beats.size() && w_beats[wi].arrival <= now;
    const bool xv = xi < x_beats.size() && x_beats[xi].arrival <= now;
    h.set(w_valid, wv);
    if (wv) h.set_wide(w_data, w_beats[wi].words);
    h.set(x_valid, xv);
    h.set(x_last, xv && x_beats[xi].last);
    if (xv) h.set_wide(x_data, x_beats[xi].words);
    h.settle();
    if (wv && h.get(w_ready)) ++wi;
    if (xv && h.get(x_ready)) ++xi;
    if (h.get(y_valid)) {
      h.get_wide(y_data, y_words);
      Observed o{now, std::vector<int64_t>(C)};
      for (int c = 0; c < C; ++c) o.y[c] = golden::wrap_signed(get_field(y_words, c * acc, acc), acc);
      seen.push_back(std::move(o));
    }
    h.tick();
  }
  return seen;
}

}  // namespace

VerifyResult run_systolic_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const SystolicParams p = SystolicParams::from(params);
  const SystolicStimulus s = SystolicStimulus::from(params);
  VerifyResult res;
  res.transactions = options.transactions > 0 ? options.transactions : kDefaultTransactions;
  const SystolicWorkload wl = make_systolic_workload(p, s, options.seed, res.transactions);
  res.transactions = static_cast<int64_t>(wl.gemms.size());
  const golden::SystolicPrediction pred = golden::predict_systolic(p, wl.tiles);
  res.golden_cycles = pred.cycles;

  Harness h(model.create(options.trace_path), options.activity);
  const int64_t limit = 2 * pred.cycles + 1000;  // a hung design stops here instead of hanging us
  auto start = std::chrono::steady_clock::now();
  std::vector<Observed> seen = drive(p, wl, h, static_cast<int64_t>(pred.outputs.size()), limit);
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error ($stop/$error/assertion)");

  // Per output vector: value and cycle against the golden model.
  std::vector<std::vector<int64_t>> assembled(wl.gemms.size());
  for (size_t gi = 0; gi < wl.gemms.size(); ++gi) assembled[gi].assign(wl.gemms[gi].M * wl.gemms[gi].N, 0);
  size_t out = 0;
  for (size_t t = 0; t < wl.tiles.size(); ++t) {
    const SystolicTileRef& ref = wl.refs[t];
    const SystolicGemm& g = wl.gemms[ref.gemm];
    for (int64_t m = 0; m < g.M; ++m, ++out) {
      const auto& want = pred.outputs[out];
      const std::string where = fmt::format("gemm {} ({}x{}x{}, {}) tile k0={} n0={} row m={}", ref.gemm, g.M, g.K,
                                            g.N, g.pattern, ref.k0, ref.n0, m);
      if (out >= seen.size()) {
        res.report(fmt::format("{}: expected at cycle {}, never produced (stopped at cycle {})", where, want.cycle, h.cycle()),
                   want.cycle);
        continue;
      }
      const Observed& got = seen[out];
      ++res.outputs_checked;
      if (got.cycle != want.cycle)
        res.report(fmt::format("{}: expected at cycle {}, got at cycle {}", where, want.cycle, got.cycle),
                   std::min<int64_t>(want.cycle, got.cycle));
      for (int64_t c = 0; c < p.cols; ++c) {
        if (got.y[c] != want.y[c]) {
          res.report(fmt::format("cycle {}: {} col {}: expected {}, got {}", got.cycle, where, c, want.y[c], got.y[c]),
                     got.cycle);
          break;
        }
      }
      for (int64_t c = 0; c < p.cols && ref.n0 + c < g.N; ++c) {
        int64_t& acc = assembled[ref.gemm][m * g.N + ref.n0 + c];
        acc = golden::wrap_signed(static_cast<uint64_t>(acc) + static_cast<uint64_t>(got.y[c]), p.acc_bits);
      }
    }
  }
  // Whole GEMMs reassembled from the RTL's tiles against a direct product: checks the tiling too.
  int64_t macs = 0;
  for (size_t gi = 0; gi < wl.gemms.size(); ++gi) {
    const SystolicGemm& g = wl.gemms[gi];
    macs += g.M * g.K * g.N;
    const auto want = golden::gemm_reference(g.M, g.K, g.N, g.x, g.w, p.acc_bits);
    for (size_t i = 0; i < want.size(); ++i)
      if (assembled[gi][i] != want[i]) {
        res.report(fmt::format("gemm {} element ({}, {}): expected {}, reassembled {}", gi, i / g.N, i % g.N, want[i],
                           assembled[gi][i]));
        break;
      }
  }
  if (seen.size() > pred.outputs.size()) res.report(fmt::format("{} unexpected extra outputs", seen.size() - pred.outputs.size()));

  std::vector<nlohmann::json> shapes;
  for (const auto& g : wl.gemms) shapes.push_back({{"m", g.M}, {"k", g.K}, {"n", g.N}, {"operands", g.pattern}});
  res.details = {{"gemms", shapes},
                 {"tiles", wl.tiles.size()},
                 {"macs", macs},
                 {"mac_utilization", res.rtl_cycles > 0 ? double(macs) / (double(res.rtl_cycles) * p.rows * p.cols) : 0.0}};
  return res;
}

}  // namespace accelgen::sim
