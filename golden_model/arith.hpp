// Integer helpers shared by the golden models.
#pragma once

#include <cstdint>

namespace accelgen::golden {

// V reduced modulo 2^bits and read back as a signed bits-wide number.
int64_t wrap_signed(uint64_t v, int bits);

// V clamped to the signed range of BITS bits.
int64_t saturate_signed(int64_t v, int bits);

}  // namespace accelgen::golden
