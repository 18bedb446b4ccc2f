#include "golden_model/arith.hpp"

#include <algorithm>

namespace accelgen::golden {

int64_t wrap_signed(uint64_t v, int bits) {
  if (bits < 64) {
    const uint64_t mask = (uint64_t{1} << bits) - 1;
    v &= mask;
    if (v >> (bits - 1)) v |= ~mask;  // negative: fill the high bits
  }
  return static_cast<int64_t>(v);
}

int64_t saturate_signed(int64_t v, int bits) {
  const int64_t hi = (int64_t{1} << (bits - 1)) - 1, lo = -(int64_t{1} << (bits - 1));
  return std::clamp(v, lo, hi);
}

}  // namespace accelgen::golden
