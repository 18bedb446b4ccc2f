// Parameters of the `cvu_array` block: the BPVeC core, a 2-D systolic array of CVUs with private
// weight scratchpads (thesis ch. 3; spec in golden_model/README.md, section "cvu_array").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"
#include "common/cvu_params.hpp"

namespace accelgen {

struct CvuArrayParams {
  int rows = 2, cols = 2;  // CVU grid: rows split the reduction, columns are output channels
  CvuParams cvu;
  int acc_bits = 64;    // column accumulators (the thesis's 64-bit registers); wrap modulo 2^acc_bits
  int wbuf_depth = 8;   // weight vectors per CVU scratchpad

  static CvuArrayParams from(const ParamSet& set);

  int addr_bits() const;
  int row_bits() const;
  int col_bits() const;
  int psum_bits() const;  // exact column sum of rows CVU results
  int latency() const { return rows + 5; }  // op issue -> out_valid_o (for a last op)
};

struct CvuArrayStimulus {
  int64_t m = 0, k = 0, n = 0;  // GEMM shape; 0 = random
  std::string workload;         // mixed | gemm | conv
  int bx = 0, bw = 0;           // 0 = every mode in turn
  std::string operands;

  static CvuArrayStimulus from(const ParamSet& set);
};

BlockInfo cvu_array_block_info();

}  // namespace accelgen
