// The shared bit-slicing arithmetic kernel of the bit-composable blocks (CVU, BiHiWe): operands
// split into narrow slices, slice-wise dot products, shifted recombination. Exact integers.
#pragma once

#include <cstdint>
#include <vector>

namespace accelgen::golden {

// The b-bit slices of a BITS-wide operand, least significant first. For a signed operand the top
// slice is read as a signed b-bit number (two's complement), the others as unsigned.
std::vector<int64_t> to_slices(int64_t value, int bits, int b, bool is_signed);

struct SlicedDot {
  int64_t result = 0;            // Σ_j Σ_k 2^{b(j+k)} partial[j][k] == Σ x·w
  std::vector<int64_t> partial;  // partial[j*pw + k] = Σ_i xslice_j(x_i) · wslice_k(w_i)
  std::vector<int> shift;        // b(j+k), same indexing
};

// Dot product of N element pairs computed slice by slice (eq. 3.3/3.4 of the thesis).
SlicedDot sliced_dot(const int64_t* x, const int64_t* w, int n, int bx, int bw, int b, bool is_signed);

// BiHiWe's sign-magnitude form: each element's magnitude is split into b-bit partitions (all
// unsigned), and the product of partitions (j, k) of a pair goes to POS or NEG by sign(x) xor
// sign(w). Σ_{j,k} 2^{b(j+k)} (pos - neg) == Σ x·w.
struct SignMagnitudeDot {
  std::vector<int64_t> pos, neg;  // [j*P + k], P = bits / b
  std::vector<int> shift;         // b(j+k)
};
SignMagnitudeDot sign_magnitude_dot(const int64_t* x, const int64_t* w, int n, int bits, int b);

}  // namespace accelgen::golden
