#include "golden_model/cvu/cvu_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "golden_model/bitslice/bitslice.hpp"

namespace accelgen::golden {

bool cvu_mode_legal(const CvuParams& p, int mode_x, int mode_w) {
  return mode_x >= 0 && mode_w >= 0 && mode_x < p.levels() && mode_w < p.levels();
}

CvuOutput cvu_compute(const CvuParams& p, const CvuOp& op) {
  CvuOutput out;
  if (!cvu_mode_legal(p, op.mode_x, op.mode_w)) return out;
  const int b = p.slice_bits, bx = p.width_of_level(op.mode_x), bw = p.width_of_level(op.mode_w);
  const int groups = p.groups(bx, bw), L = p.lanes;
  if (op.x.size() != static_cast<size_t>(groups * L) || op.w.size() != op.x.size())
    throw std::invalid_argument("CVU operation needs G*L elements per operand");
  // Each group of px*pw NBVEs is one sliced dot product over its L elements.
  for (int g = 0; g < groups; ++g) {
    SlicedDot d = sliced_dot(&op.x[g * L], &op.w[g * L], L, bx, bw, b, p.is_signed);
    out.result += d.result;
    out.nbve_sums.insert(out.nbve_sums.end(), d.partial.begin(), d.partial.end());
    out.nbve_shifts.insert(out.nbve_shifts.end(), d.shift.begin(), d.shift.end());
  }
  return out;
}

std::vector<CvuOutput> predict_cvu(const CvuParams& p, const std::vector<CvuOp>& ops) {
  std::vector<CvuOutput> outs;
  outs.reserve(ops.size());
  int64_t last = -1;
  for (const auto& op : ops) {
    last = std::max(op.arrival, last + 1);
    CvuOutput o = cvu_compute(p, op);
    o.cycle = last + kCvuLatency;
    outs.push_back(std::move(o));
  }
  return outs;
}

}  // namespace accelgen::golden
