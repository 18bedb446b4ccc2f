// Bit-width arithmetic shared by parameter structs, generators and testbenches.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace accelgen {

// ceil(log2(x)) for x >= 1 (0 for x <= 1).
inline int clog2(int x) { return x <= 1 ? 0 : static_cast<int>(std::bit_width(static_cast<unsigned>(x - 1))); }

// Width of an index into COUNT entries: clog2(COUNT), but at least one bit.
inline int index_bits(int count) { return std::max(1, clog2(count)); }

// ceil(a / b) for a >= 0, b > 0: tiles, beats and blocks in the cost models.
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace accelgen
