// Golden model of the `cvu_array` block, from the specification in golden_model/README.md
// ("cvu_array"): scratchpad writes and operations in, column results and their cycles out.
#pragma once

#include <cstdint>
#include <vector>

#include "common/cvu_array_params.hpp"

namespace accelgen::golden {

using BusWord = std::vector<uint32_t>;  // a bus_bits-wide value, little-endian 32-bit words

struct CvuArrayWrite {
  int64_t cycle = 0;
  int row = 0, col = 0, addr = 0;
  BusWord data;
};

struct CvuArrayOp {
  int64_t cycle = 0;  // issue cycle (the array never stalls)
  int mode_x = 0, mode_w = 0, addr = 0;
  bool last = false;            // closes an accumulation: the column results are output
  std::vector<BusWord> x;       // one activation vector per CVU row
};

struct CvuArrayOutput {
  int64_t cycle = 0;
  std::vector<int64_t> y;  // per column, acc_bits two's complement
};

// Element E (BITS wide) of a bus word, two's complement if IS_SIGNED.
int64_t bus_element(const BusWord& word, int e, int bits, bool is_signed);

std::vector<CvuArrayOutput> predict_cvu_array(const CvuArrayParams& p, const std::vector<CvuArrayWrite>& writes,
                                              const std::vector<CvuArrayOp>& ops);

}  // namespace accelgen::golden
