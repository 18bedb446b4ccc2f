#include "verilator_tb/stimulus.hpp"

#include <algorithm>

namespace accelgen::sim {

const std::vector<std::string>& operand_patterns() {
  static const std::vector<std::string> patterns = {"random", "min", "max", "alternating", "extremes"};
  return patterns;
}

int64_t draw(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

int64_t pattern_operand(std::mt19937_64& rng, const std::string& pattern, int bits, bool is_signed, int64_t index) {
  const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  if (pattern == "min") return lo;
  if (pattern == "max") return hi;
  if (pattern == "alternating") return index % 2 == 0 ? hi : lo;
  if (pattern == "extremes") {
    // Clamped: for 1-bit operands "1" (signed) or "hi - 1" (unsigned) would not fit.
    const int64_t picks[] = {lo, hi, is_signed ? -1 : hi - 1, 0, 1};
    return std::clamp(picks[draw(rng, 0, 4)], lo, hi);
  }
  return draw(rng, lo, hi);
}

int64_t next_arrival(std::mt19937_64& rng, int gap_percent, int64_t& clock) {
  if (gap_percent > 0 && draw(rng, 0, 99) < gap_percent) clock += draw(rng, 1, 3);
  return clock++;
}

}  // namespace accelgen::sim
