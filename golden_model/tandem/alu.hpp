// Bit-exact lane arithmetic of the Tandem compute instructions, as specified in isa/README.md
// ("Arithmetic"). Pure functions of INT32 operands; no state.
#pragma once

#include <cstdint>

namespace accelgen::golden::tandem {

// Fractional bits of each operand: f = 32 - integer bits (set by dtype.*); may be negative.
struct FixedPoint {
  int dst_frac = 0;
  int src1_frac = 0;
  int src2_frac = 0;
};

int32_t Sat32(int64_t v);
// Saturates `v` to a `bits`-wide two's-complement value (1..32), returned sign-extended.
int32_t SatBits(int64_t v, int bits);
// v * 2^-shift for shift >= 0 (arithmetic, toward -inf), v * 2^(-shift) saturated for shift < 0.
int32_t ShiftSat(int64_t v, int shift);

int32_t Add(int32_t a, int32_t b);
int32_t Sub(int32_t a, int32_t b);
int32_t Mul(int32_t a, int32_t b, const FixedPoint& fp);
int32_t Div(int32_t a, int32_t b);
int32_t ShiftRight(int32_t a, int32_t b);
int32_t ShiftLeft(int32_t a, int32_t b);
int32_t Abs(int32_t a);
int32_t Sign(int32_t a);
int32_t Floor(int32_t a, int frac);
int32_t Ceil(int32_t a, int frac);
// Narrowing cast to `bits` (16, 8, 4) and widening cast from `bits`.
int32_t CastNarrow(int32_t a, int bits, const FixedPoint& fp);
int32_t CastWiden(int32_t a, int bits, const FixedPoint& fp);

}  // namespace accelgen::golden::tandem
