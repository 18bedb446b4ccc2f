// Bit-exact lane arithmetic of the Tandem compute instructions, as specified in isa/README.md
// ("Arithmetic"). Pure functions of INT32 operands; no state.
#pragma once

#include <cstdint>
#include <limits>

namespace accelgen::golden::tandem {

// Fractional bits of each operand: f = 32 - integer bits (set by dtype.*); may be negative.
struct FixedPoint {
  int dst_frac = 0;
  int src1_frac = 0;
  int src2_frac = 0;
};

// The functions the simulator's lane loops call most are inline (here) so those loops stay tight.
inline int32_t Sat32(int64_t v) {
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(v < kMin ? kMin : (v > kMax ? kMax : v));
}
// Saturates `v` to a `bits`-wide two's-complement value (1..32), returned sign-extended.
int32_t SatBits(int64_t v, int bits);
// v * 2^-shift for shift >= 0 (arithmetic, toward -inf), v * 2^(-shift) saturated for shift < 0.
inline int32_t ShiftSat(int64_t v, int shift) {
  if (shift >= 0) return Sat32(shift >= 63 ? (v < 0 ? -1 : 0) : (v >> shift));
  if (v == 0) return 0;
  const int left = -shift;
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  // |v| < 2^63; any left shift of 32 or more of a non-zero value leaves the INT32 range.
  if (left >= 32) return v < 0 ? static_cast<int32_t>(kMin) : static_cast<int32_t>(kMax);
  const __int128 wide = static_cast<__int128>(v) * (static_cast<__int128>(1) << left);
  if (wide < kMin) return static_cast<int32_t>(kMin);
  if (wide > kMax) return static_cast<int32_t>(kMax);
  return static_cast<int32_t>(wide);
}

inline int32_t Add(int32_t a, int32_t b) { return Sat32(int64_t{a} + b); }
inline int32_t Sub(int32_t a, int32_t b) { return Sat32(int64_t{a} - b); }
inline int32_t Mul(int32_t a, int32_t b, const FixedPoint& fp) {
  return ShiftSat(int64_t{a} * b, fp.src1_frac + fp.src2_frac - fp.dst_frac);
}
int32_t Div(int32_t a, int32_t b);
inline int32_t ShiftRight(int32_t a, int32_t b) { return a >> (b & 31); }
inline int32_t ShiftLeft(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) << (b & 31));
}
inline int32_t Abs(int32_t a) { return Sat32(a < 0 ? -int64_t{a} : int64_t{a}); }
inline int32_t Sign(int32_t a) { return a > 0 ? 1 : (a < 0 ? -1 : 0); }
int32_t Floor(int32_t a, int frac);
int32_t Ceil(int32_t a, int frac);
// Narrowing cast to `bits` (16, 8, 4) and widening cast from `bits`.
int32_t CastNarrow(int32_t a, int bits, const FixedPoint& fp);
int32_t CastWiden(int32_t a, int bits, const FixedPoint& fp);

}  // namespace accelgen::golden::tandem
