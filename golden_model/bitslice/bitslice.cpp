#include "golden_model/bitslice/bitslice.hpp"

#include <stdexcept>

namespace accelgen::golden {

std::vector<int64_t> to_slices(int64_t value, int bits, int b, bool is_signed) {
  if (bits % b != 0) throw std::invalid_argument("operand width must be a multiple of the slice width");
  const uint64_t raw = static_cast<uint64_t>(value);
  std::vector<int64_t> out;
  for (int lo = 0; lo < bits; lo += b) {
    int64_t s = static_cast<int64_t>((raw >> lo) & ((uint64_t{1} << b) - 1));
    if (is_signed && lo + b == bits && (s >> (b - 1)) != 0) s -= int64_t{1} << b;
    out.push_back(s);
  }
  return out;
}

SlicedDot sliced_dot(const int64_t* x, const int64_t* w, int n, int bx, int bw, int b, bool is_signed) {
  const int px = bx / b, pw = bw / b;
  SlicedDot d;
  d.partial.assign(static_cast<size_t>(px * pw), 0);
  d.shift.resize(static_cast<size_t>(px * pw));
  for (int j = 0; j < px; ++j)
    for (int k = 0; k < pw; ++k) d.shift[j * pw + k] = b * (j + k);
  for (int i = 0; i < n; ++i) {
    const auto xs = to_slices(x[i], bx, b, is_signed), ws = to_slices(w[i], bw, b, is_signed);
    for (int j = 0; j < px; ++j)
      for (int k = 0; k < pw; ++k) d.partial[j * pw + k] += xs[j] * ws[k];
  }
  for (size_t t = 0; t < d.partial.size(); ++t) d.result += d.partial[t] * (int64_t{1} << d.shift[t]);
  return d;
}

SignMagnitudeDot sign_magnitude_dot(const int64_t* x, const int64_t* w, int n, int bits, int b) {
  const int P = bits / b;
  SignMagnitudeDot d;
  d.pos.assign(static_cast<size_t>(P * P), 0);
  d.neg.assign(d.pos.size(), 0);
  d.shift.resize(d.pos.size());
  for (int j = 0; j < P; ++j)
    for (int k = 0; k < P; ++k) d.shift[j * P + k] = b * (j + k);
  for (int i = 0; i < n; ++i) {
    const bool negative = (x[i] < 0) != (w[i] < 0);
    const auto xm = to_slices(x[i] < 0 ? -x[i] : x[i], bits, b, false);
    const auto wm = to_slices(w[i] < 0 ? -w[i] : w[i], bits, b, false);
    for (int j = 0; j < P; ++j)
      for (int k = 0; k < P; ++k) (negative ? d.neg : d.pos)[j * P + k] += xm[j] * wm[k];
  }
  return d;
}

}  // namespace accelgen::golden
