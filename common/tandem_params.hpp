// Parameters of the `tandem` block: the Tandem non-GEMM SIMD processor (thesis ch. 4; ISA in
// isa/README.md, structure, ports and timing in golden_model/README.md, section "tandem").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

struct TandemParams {
  int lanes = 32;           // SIMD lanes (banks of every buffer)
  int interim_depth = 512;  // 32-bit words per lane of each of obuf, ibuf, vmem1, vmem2
  int imem_depth = 1024;    // instruction words
  // DAE DRAM data bus in bits: 0 = a lanes-wide line (32 x the largest power of two <= lanes),
  // otherwise a power of two 32..4096 (32 = one word per cycle). isa/README.md item 11, beats.
  int dram_bus_bits = 0;
  // Elements the permute engine moves per cycle: 0 = lanes, otherwise 1..lanes (item 12, beats).
  int permute_width = 0;

  int bus_words() const;   // dram_bus_bits / 32, the default resolved
  int perm_width() const;  // permute_width, the default resolved

  static TandemParams from(const ParamSet& set);
  void check() const;  // cross-parameter rules (bus a power of two, permute_width <= lanes)
};

// What `accelgen verify tandem` runs: a program family of the testbench and the DRAM model's size.
struct TandemStimulus {
  std::string program;  // random | sweep | loops | dae | permute | all
  int64_t dram_words = 65536;

  static TandemStimulus from(const ParamSet& set);
};

BlockInfo tandem_block_info();

}  // namespace accelgen
