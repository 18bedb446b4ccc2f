// Parameters of the `cvu` block: BPVeC's Composable Vector Unit (thesis ch. 3; spec in
// golden_model/README.md, section "cvu").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/block_info.hpp"

namespace accelgen {

struct CvuParams {
  int slice_bits = 2;  // b: width of the narrow multipliers' operand slices
  int max_bits = 8;    // B: widest operand; B/b must be a power of two
  int lanes = 16;      // L: multipliers per NBVE
  bool is_signed = true;

  static CvuParams from(const ParamSet& set);

  // Derived quantities of the interface (not results): the RTL and the golden model both use them.
  int levels() const;                 // legal widths b, 2b, ..., B: how many
  int width_of_level(int i) const { return slice_bits << i; }
  int nbves() const { return (max_bits / slice_bits) * (max_bits / slice_bits); }
  int groups(int bx, int bw) const { return (max_bits * max_bits) / (bx * bw); }  // G
  int bus_bits() const { return lanes * max_bits * max_bits / slice_bits; }      // x_i and w_i width
  int mode_bits() const;              // width of mode_x_i / mode_w_i (a level index)
  int result_bits() const;            // signed width that holds every mode's largest |result|
};

struct CvuStimulus {
  int bx = 0, bw = 0;    // operand widths; 0 = cycle through every legal mode
  std::string operands;  // mixed | random | min | max | alternating | extremes | exhaustive
  int gap_percent = 0;

  static CvuStimulus from(const ParamSet& set);
};

BlockInfo cvu_block_info();

}  // namespace accelgen
