// Seeded stimulus pieces shared by the testbenches: operand patterns and driver idle gaps.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace accelgen::sim {

// The concrete patterns "mixed" cycles through, in order.
const std::vector<std::string>& operand_patterns();

int64_t draw(std::mt19937_64& rng, int64_t lo, int64_t hi);  // uniform in [lo, hi]

// One BITS-wide operand of PATTERN (random, min, max, alternating, extremes); INDEX picks the
// phase of "alternating". Signed operands are two's complement, unsigned ones start at 0.
int64_t pattern_operand(std::mt19937_64& rng, const std::string& pattern, int bits, bool is_signed, int64_t index);

// Arrival cycle of the next beat of a stream: the cycle after the previous one, plus with
// GAP_PERCENT probability 1-3 idle cycles. CLOCK is the stream's running arrival counter.
int64_t next_arrival(std::mt19937_64& rng, int gap_percent, int64_t& clock);

}  // namespace accelgen::sim
