#include "verilator_tb/bihiwe/bihiwe_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "golden_model/arith.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultVectors = 60;
constexpr int kExhaustiveBits = 20;

int64_t signed_field(uint64_t raw, int bits) { return golden::wrap_signed(raw, bits); }

}  // namespace

std::vector<golden::BihiweBeat> make_bihiwe_beats(const BihiweParams& p, const BihiweStimulus& s, uint64_t seed,
                                                  int64_t vectors) {
  std::mt19937_64 rng(seed);
  const int n = p.lanes, B = p.max_bits;
  std::vector<golden::BihiweBeat> beats;
  if (s.operands == "exhaustive") {
    const bool whole_beat = 2 * n * B <= kExhaustiveBits;
    const uint64_t total = whole_beat ? uint64_t{1} << (2 * n * B) : uint64_t{1} << (2 * B);
    const uint64_t step = whole_beat ? 1 : static_cast<uint64_t>(n);
    const uint64_t mask = (uint64_t{1} << B) - 1;
    for (uint64_t c = 0; c < total; c += step) {
      golden::BihiweBeat beat{{}, {}, true, 0};
      for (int l = 0; l < n; ++l) {
        if (whole_beat) {
          beat.x.push_back(signed_field((c >> (l * B)) & mask, B));
          beat.w.push_back(signed_field((c >> ((n + l) * B)) & mask, B));
        } else {  // pair c + l: x in the low B bits, w in the high B bits
          const uint64_t pr = (c + static_cast<uint64_t>(l)) % total;
          beat.x.push_back(signed_field(pr & mask, B));
          beat.w.push_back(signed_field(pr >> B, B));
        }
      }
      beats.push_back(std::move(beat));
    }
  } else {
    const int64_t batch = static_cast<int64_t>(n) * p.acc_cycles;
    for (int64_t v = 0; v < vectors; ++v) {
      // Lengths that matter: one element, exactly one batch, one past a batch, then random.
      int64_t len = s.length;
      if (len == 0) {
        const int64_t pinned[] = {1, batch, batch + 1};
        len = v < 3 ? pinned[v] : draw(rng, 1, 3 * batch);
      }
      const auto& patterns = operand_patterns();
      const std::string& pattern = s.operands == "mixed" ? patterns[v % patterns.size()] : s.operands;
      for (int64_t first = 0; first < len; first += n) {
        golden::BihiweBeat beat{{}, {}, first + n >= len, 0};
        for (int64_t e = first; e < first + n; ++e) {
          beat.x.push_back(e < len ? pattern_operand(rng, pattern, B, true, e) : 0);
          beat.w.push_back(e < len ? pattern_operand(rng, pattern, B, true, e + 1) : 0);
        }
        beats.push_back(std::move(beat));
      }
    }
  }
  int64_t clock = 0;
  for (auto& beat : beats) beat.arrival = next_arrival(rng, s.gap_percent, clock);
  return beats;
}

VerifyResult run_bihiwe_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const BihiweParams p = BihiweParams::from(params);
  const BihiweStimulus s = BihiweStimulus::from(params);
  const auto beats = make_bihiwe_beats(p, s, options.seed, options.transactions > 0 ? options.transactions : kDefaultVectors);
  const auto want = golden::predict_bihiwe(p, beats);
  VerifyResult res;
  res.transactions = static_cast<int64_t>(want.size());
  res.golden_cycles = want.empty() ? 0 : want.back().cycle + 1;

  Harness h(model.create(options.trace_path), options.activity);
  const int valid = h.port("in_valid_i"), last = h.port("in_last_i"), xp = h.port("x_i"), wp = h.port("w_i");
  const int ov = h.port("out_valid_o"), out = h.port("out_o");
  const int n = p.lanes, B = p.max_bits;
  const uint64_t mask = (uint64_t{1} << B) - 1;
  std::vector<uint32_t> xw(static_cast<size_t>((n * B + 31) / 32)), ww(xw.size());
  struct Seen {
    int64_t cycle, value;
  };
  std::vector<Seen> seen;
  const int64_t limit = res.golden_cycles + 1000;
  auto start = std::chrono::steady_clock::now();
  h.reset();
  size_t next = 0;
  while (seen.size() < want.size() && h.cycle() < limit && !h.error()) {
    const bool issue = next < beats.size() && beats[next].arrival <= h.cycle();
    h.set(valid, issue);
    h.set(last, issue && beats[next].last);
    if (issue) {
      for (int l = 0; l < n; ++l) {
        put_field(xw, l * B, B, static_cast<uint64_t>(beats[next].x[l]) & mask);
        put_field(ww, l * B, B, static_cast<uint64_t>(beats[next].w[l]) & mask);
      }
      h.set_wide(xp, xw);
      h.set_wide(wp, ww);
      ++next;
    }
    h.settle();
    if (h.get(ov)) seen.push_back({h.cycle(), signed_field(h.get(out), kBihiweOutBits)});
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error");
  int64_t conversions = 0, saturated = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    conversions += static_cast<int64_t>(want[i].conversions.size());
    for (const auto& c : want[i].conversions) saturated += c.saturated;
    if (i >= seen.size()) {
      res.report(fmt::format("dot product {}: expected at cycle {}, never produced", i, want[i].cycle), want[i].cycle);
      continue;
    }
    ++res.outputs_checked;
    if (seen[i].cycle != want[i].cycle)
      res.report(fmt::format("dot product {}: expected at cycle {}, got at cycle {}", i, want[i].cycle, seen[i].cycle),
                 std::min<int64_t>(want[i].cycle, seen[i].cycle));
    if (seen[i].value != want[i].result) {
      const auto& c = want[i].conversions.front();
      res.report(fmt::format("cycle {}: dot product {}: expected {}, got {}; golden first conversion (cycle {}): "
                         "pos {} neg {} value {}",
                         seen[i].cycle, i, want[i].result, seen[i].value, c.cycle, fmt::join(c.pos, ","),
                         fmt::join(c.neg, ","), fmt::join(c.value, ",")),
                 seen[i].cycle);
    }
  }
  if (seen.size() > want.size()) res.report(fmt::format("{} unexpected extra outputs", seen.size() - want.size()));
  res.details = {{"beats", beats.size()},
                 {"conversions", conversions},
                 {"saturated_values", saturated},
                 {"conversion_bits", p.conversion_bits()}};
  return res;
}

}  // namespace accelgen::sim
