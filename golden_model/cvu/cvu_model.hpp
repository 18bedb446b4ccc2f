// Golden model of the `cvu` block, from the specification in golden_model/README.md ("cvu").
#pragma once

#include <cstdint>
#include <vector>

#include "common/cvu_params.hpp"

namespace accelgen::golden {

struct CvuOp {
  int mode_x = 0, mode_w = 0;  // levels: bx = b * 2^mode_x; illegal levels give result 0
  std::vector<int64_t> x, w;   // G*L elements each in a legal mode
  int64_t arrival = 0;         // earliest cycle the driver offers the operation
};

struct CvuOutput {
  int64_t cycle = 0;
  int64_t result = 0;
  std::vector<int64_t> nbve_sums;  // S_n per NBVE (empty for an illegal mode)
  std::vector<int> nbve_shifts;    // b(j+k) per NBVE
};

bool cvu_mode_legal(const CvuParams& p, int mode_x, int mode_w);

// Result (with per-NBVE intermediates) of one operation.
CvuOutput cvu_compute(const CvuParams& p, const CvuOp& op);

// Cycle-exact outputs for a stream of operations (no back-pressure; latency 3).
std::vector<CvuOutput> predict_cvu(const CvuParams& p, const std::vector<CvuOp>& ops);

inline constexpr int kCvuLatency = 3;

}  // namespace accelgen::golden
