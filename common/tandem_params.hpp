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

  static TandemParams from(const ParamSet& set);
};

// What `accelgen verify tandem` runs: a program family of the testbench and the DRAM model's size.
struct TandemStimulus {
  std::string program;  // random | sweep | loops | dae | permute | all
  int64_t dram_words = 65536;

  static TandemStimulus from(const ParamSet& set);
};

BlockInfo tandem_block_info();

}  // namespace accelgen
