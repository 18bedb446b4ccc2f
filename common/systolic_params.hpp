// Parameters of the `systolic` block: a weight-stationary GEMM array (docs: golden_model/README.md).
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

struct SystolicParams {
  int rows = 8;      // PE rows = reduction (K) elements per tile
  int cols = 8;      // PE columns = output (N) elements per tile
  int in_bits = 8;   // signed activation and weight width
  int acc_bits = 32; // signed accumulator width; sums wrap modulo 2^acc_bits

  static SystolicParams from(const ParamSet& set);
};

// Verification-only knobs of `accelgen verify systolic`.
struct SystolicStimulus {
  int64_t m = 0, k = 0, n = 0;  // GEMM shape; 0 = drawn at random per transaction
  std::string operands;         // "mixed" cycles random/min/max/alternating/extremes per GEMM
  int gap_percent = 0;          // probability (%) of an idle cycle before each input beat

  static SystolicStimulus from(const ParamSet& set);
};

BlockInfo systolic_block_info();

}  // namespace accelgen
