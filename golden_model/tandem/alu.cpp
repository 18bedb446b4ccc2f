#include "golden_model/tandem/alu.hpp"

#include <limits>

namespace accelgen::golden::tandem {

namespace {
constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
}  // namespace

int32_t SatBits(int64_t v, int bits) {
  const int64_t hi = (int64_t{1} << (bits - 1)) - 1;
  const int64_t lo = -(int64_t{1} << (bits - 1));
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

int32_t Div(int32_t a, int32_t b) {
  if (b == 0) return a < 0 ? static_cast<int32_t>(kMin) : static_cast<int32_t>(kMax);
  return Sat32(int64_t{a} / b);  // C++ division truncates toward zero; MIN / -1 saturates
}

int32_t Floor(int32_t a, int frac) {
  if (frac <= 0) return a;
  if (frac >= 32) return a < 0 ? static_cast<int32_t>(kMin) : 0;
  const int64_t unit = int64_t{1} << frac;
  return static_cast<int32_t>(int64_t{a} & ~(unit - 1));
}

int32_t Ceil(int32_t a, int frac) {
  if (frac <= 0) return a;
  if (frac >= 32) return a > 0 ? static_cast<int32_t>(kMax) : 0;
  const int64_t unit = int64_t{1} << frac;
  const int64_t up = (int64_t{a} + unit - 1) & ~(unit - 1);
  return Sat32(up);
}

int32_t CastNarrow(int32_t a, int bits, const FixedPoint& fp) {
  const int shift = fp.src1_frac - fp.dst_frac;
  int64_t v = 0;
  if (shift >= 0) {
    v = shift >= 63 ? (a < 0 ? -1 : 0) : (int64_t{a} >> shift);
  } else {
    v = ShiftSat(a, shift);  // saturated to INT32 first, then to the narrow width
  }
  return SatBits(v, bits);
}

int32_t CastWiden(int32_t a, int bits, const FixedPoint& fp) {
  const uint32_t mask = bits >= 32 ? 0xffffffffu : ((1u << bits) - 1u);
  int64_t narrow = static_cast<int64_t>(static_cast<uint32_t>(a) & mask);
  if (bits < 32 && (narrow >> (bits - 1)) != 0) narrow -= int64_t{1} << bits;
  return ShiftSat(narrow, fp.src1_frac - fp.dst_frac);
}

}  // namespace accelgen::golden::tandem
