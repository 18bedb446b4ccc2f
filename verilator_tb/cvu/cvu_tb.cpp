#include "verilator_tb/cvu/cvu_tb.hpp"

#include <fmt/format.h>

#include <chrono>

#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultOps = 400;
constexpr int kExhaustiveBits = 20;

struct Mode {
  int mx, mw;
};

std::vector<Mode> modes_of(const CvuParams& p, const CvuStimulus& s) {
  std::vector<Mode> modes;
  for (int i = 0; i < p.levels(); ++i)
    for (int k = 0; k < p.levels(); ++k)
      if (s.bx == 0 || (p.width_of_level(i) == s.bx && p.width_of_level(k) == s.bw)) modes.push_back({i, k});
  return modes;
}

int64_t from_bits(uint64_t raw, int bits, bool is_signed) {
  if (is_signed && (raw >> (bits - 1)) & 1) return static_cast<int64_t>(raw) - (int64_t{1} << bits);
  return static_cast<int64_t>(raw);
}

void exhaustive_ops(const CvuParams& p, Mode m, std::vector<golden::CvuOp>& ops) {
  const int bx = p.width_of_level(m.mx), bw = p.width_of_level(m.mw);
  const int n = p.groups(bx, bw) * p.lanes;
  if (n * (bx + bw) <= kExhaustiveBits) {
    // Every combination of all the operation's operand bits.
    const uint64_t combos = uint64_t{1} << (n * (bx + bw));
    for (uint64_t c = 0; c < combos; ++c) {
      golden::CvuOp op{m.mx, m.mw, {}, {}, 0};
      for (int e = 0; e < n; ++e) {
        op.x.push_back(from_bits((c >> (e * bx)) & ((uint64_t{1} << bx) - 1), bx, p.is_signed));
        op.w.push_back(from_bits((c >> (n * bx + e * bw)) & ((uint64_t{1} << bw) - 1), bw, p.is_signed));
      }
      ops.push_back(std::move(op));
    }
    return;
  }
  // Every (x, w) element pair, n pairs per operation.
  const uint64_t pairs = uint64_t{1} << (bx + bw);
  for (uint64_t first = 0; first < pairs; first += static_cast<uint64_t>(n)) {
    golden::CvuOp op{m.mx, m.mw, {}, {}, 0};
    for (int e = 0; e < n; ++e) {
      const uint64_t pr = (first + static_cast<uint64_t>(e)) % pairs;
      op.x.push_back(from_bits(pr & ((uint64_t{1} << bx) - 1), bx, p.is_signed));
      op.w.push_back(from_bits(pr >> bx, bw, p.is_signed));
    }
    ops.push_back(std::move(op));
  }
}

}  // namespace

std::vector<golden::CvuOp> make_cvu_ops(const CvuParams& p, const CvuStimulus& s, uint64_t seed, int64_t count) {
  std::mt19937_64 rng(seed);
  const std::vector<Mode> modes = modes_of(p, s);
  std::vector<golden::CvuOp> ops;
  if (s.operands == "exhaustive") {
    for (Mode m : modes) exhaustive_ops(p, m, ops);
  } else {
    const bool spare_encodings = (1 << p.mode_bits()) > p.levels();
    for (int64_t i = 0; i < count; ++i) {
      // Modes change every operation; with spare mode encodings, every 17th operation is illegal.
      if (s.bx == 0 && spare_encodings && i % 17 == 16) {
        ops.push_back({p.levels(), 0, {}, {}, 0});
        continue;
      }
      const Mode m = s.bx == 0 ? modes[draw(rng, 0, static_cast<int64_t>(modes.size()) - 1)] : modes.front();
      const int bx = p.width_of_level(m.mx), bw = p.width_of_level(m.mw);
      const int n = p.groups(bx, bw) * p.lanes;
      const auto& patterns = operand_patterns();
      const std::string& pattern = s.operands == "mixed" ? patterns[i % patterns.size()] : s.operands;
      golden::CvuOp op{m.mx, m.mw, {}, {}, 0};
      for (int e = 0; e < n; ++e) {
        op.x.push_back(pattern_operand(rng, pattern, bx, p.is_signed, e));
        op.w.push_back(pattern_operand(rng, pattern, bw, p.is_signed, e + 1));
      }
      ops.push_back(std::move(op));
    }
  }
  int64_t clock = 0;
  for (auto& op : ops) op.arrival = next_arrival(rng, s.gap_percent, clock);
  return ops;
}

VerifyResult run_cvu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const CvuParams p = CvuParams::from(params);
  const CvuStimulus s = CvuStimulus::from(params);
  const std::vector<golden::CvuOp> ops =
      make_cvu_ops(p, s, options.seed, options.transactions > 0 ? options.transactions : kDefaultOps);
  const std::vector<golden::CvuOutput> want = golden::predict_cvu(p, ops);
  VerifyResult res;
  res.transactions = static_cast<int64_t>(ops.size());
  res.golden_cycles = want.empty() ? 0 : want.back().cycle + 1;

  Harness h(model.create(options.trace_path), options.activity);
  const int valid = h.port("in_valid_i"), mx = h.port("mode_x_i"), mw = h.port("mode_w_i");
  const int xp = h.port("x_i"), wp = h.port("w_i"), ov = h.port("out_valid_o"), out = h.port("out_o");
  const int bus = p.bus_bits(), rb = p.result_bits();
  std::vector<uint32_t> xw(static_cast<size_t>((bus + 31) / 32)), ww(xw.size()), ow;

  struct Seen {
    int64_t cycle, value;
  };
  std::vector<Seen> seen;
  const int64_t limit = res.golden_cycles + 1000;
  auto start = std::chrono::steady_clock::now();
  h.reset();
  size_t next = 0;
  while (seen.size() < want.size() && h.cycle() < limit && !h.error()) {
    const bool issue = next < ops.size() && ops[next].arrival <= h.cycle();
    h.set(valid, issue);
    if (issue) {
      const golden::CvuOp& op = ops[next];
      std::fill(xw.begin(), xw.end(), 0u);
      std::fill(ww.begin(), ww.end(), 0u);
      if (golden::cvu_mode_legal(p, op.mode_x, op.mode_w)) {
        const int bx = p.width_of_level(op.mode_x), bw = p.width_of_level(op.mode_w);
        for (size_t e = 0; e < op.x.size(); ++e) {
          put_field(xw, static_cast<int>(e) * bx, bx, static_cast<uint64_t>(op.x[e]));
          put_field(ww, static_cast<int>(e) * bw, bw, static_cast<uint64_t>(op.w[e]));
        }
      } else {  // an illegal mode must ignore whatever is on the buses
        std::fill(xw.begin(), xw.end(), 0xffffffffu);
        std::fill(ww.begin(), ww.end(), 0xa5a5a5a5u);
      }
      h.set(mx, static_cast<uint64_t>(op.mode_x));
      h.set(mw, static_cast<uint64_t>(op.mode_w));
      h.set_wide(xp, xw);
      h.set_wide(wp, ww);
      ++next;
    }
    h.settle();
    if (h.get(ov)) {
      h.get_wide(out, ow);
      seen.push_back({h.cycle(), from_bits(get_field(ow, 0, rb), rb, true)});
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error");
  for (size_t i = 0; i < want.size(); ++i) {
    const golden::CvuOp& op = ops[i];
    const std::string mode = golden::cvu_mode_legal(p, op.mode_x, op.mode_w)
                                 ? fmt::format("{}b x {}b", p.width_of_level(op.mode_x), p.width_of_level(op.mode_w))
                                 : fmt::format("illegal mode ({}, {})", op.mode_x, op.mode_w);
    if (i >= seen.size()) {
      res.report(fmt::format("operation {} ({}): expected at cycle {}, never produced", i, mode, want[i].cycle),
                 want[i].cycle);
      continue;
    }
    ++res.outputs_checked;
    if (seen[i].cycle != want[i].cycle)
      res.report(fmt::format("operation {} ({}): expected at cycle {}, got at cycle {}", i, mode, want[i].cycle, seen[i].cycle),
                 std::min<int64_t>(want[i].cycle, seen[i].cycle));
    if (seen[i].value != want[i].result)
      res.report(fmt::format("cycle {}: operation {} ({}): expected {}, got {}; golden NBVE sums {} shifts {}",
                         seen[i].cycle, i, mode, want[i].result, seen[i].value, fmt::join(want[i].nbve_sums, ","),
                         fmt::join(want[i].nbve_shifts, ",")),
                 seen[i].cycle);
  }
  if (seen.size() > want.size()) res.report(fmt::format("{} unexpected extra outputs", seen.size() - want.size()));
  res.details = {{"modes", modes_of(p, s).size()}, {"result_bits", rb}, {"latency", golden::kCvuLatency}};
  return res;
}

}  // namespace accelgen::sim
