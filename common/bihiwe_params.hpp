// Parameters of the `bihiwe` block: the digital stand-in for BiHiWe's mixed-signal MS-WAGG
// (thesis ch. 2; spec in golden_model/README.md, section "bihiwe").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

inline constexpr int kBihiwePartitionBits = 2;  // the thesis's optimal partition width
inline constexpr int kBihiweOutBits = 32;       // MS-WAGG output register

struct BihiweParams {
  int lanes = 8;        // n: MACC lanes per MS-BPMACC
  int acc_cycles = 32;  // m: accumulation cycles per conversion
  int adc_bits = 0;     // 0 = exact conversion; else each conversion saturates to this signed width
  int max_bits = 8;     // operand width (two's complement at the interface)

  static BihiweParams from(const ParamSet& set);

  int partitions() const { return max_bits / kBihiwePartitionBits; }  // P; P^2 MS-BPMACCs
  int lane_acc_bits() const;    // one lane's per-polarity accumulator
  int polarity_bits() const;    // one polarity summed over the lanes
  int conversion_bits() const;  // signed width of a converted value (after any ADC saturation)
};

struct BihiweStimulus {
  int64_t length = 0;  // elements per dot product; 0 = random per vector
  std::string operands;
  int gap_percent = 0;

  static BihiweStimulus from(const ParamSet& set);
};

BlockInfo bihiwe_block_info();

}  // namespace accelgen
