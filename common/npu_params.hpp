// Parameters of the `npu` block: NPU-Tandem, the systolic GEMM unit and the Tandem processor
// sharing a double-buffered Output BUF (thesis ch. 4; golden_model/README.md, section "npu").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"
#include "common/tandem_params.hpp"

namespace accelgen {

struct NpuParams {
  int rows = 32, cols = 32;  // the systolic array (INT8 operands, INT32 accumulators)
  int lanes = 32;            // Tandem lanes (>= rows, cols)
  int depth = 512;  // rows of each Output BUF half, ibuf (GEMM input scratchpad), vmem1, vmem2
  int wbuf_depth = 6144;  // rows of the weight scratchpad (cols INT8 elements each)
  int imem_depth = 1024;  // Tandem instruction words (every block's Tandem region)
  int max_blocks = 64;    // entries of the block table
  int dram_bus_bits =
      0;  // the shared DRAM interface (Tandem's dram_bus_bits; 0 = a lanes-wide line)

  TandemParams tandem() const;  // the Tandem processor inside (permute engine at its default)
  static NpuParams from(const ParamSet& set);
};

// What `accelgen verify npu` runs: a workload compiled by compiler/npu.
struct NpuStimulus {
  // resnet_block | mbv2_block | bert_layer | tiny_resnet | resnet18 (compiler/npu/workload.hpp's
  // named workloads) | random
  std::string workload;
  int channels =
      0;  // the block's C (mbv2_block: input channels; expansion 2C); 0: see channels_for
  // C for an array of COLS columns: `channels`, or one N block (cols; mbv2_block: cols / 2).
  int channels_for(int cols) const;
  int size = 4;  // H = W (tiny_resnet, resnet18: of the 3-channel input)
  int seq = 4, hidden = 8, heads = 2, ffn = 16;  // bert_layer (seq <= lanes)
  int tile_m = 0;  // output pixels per GEMM tile of the last convolution (0 = whole image)
  int64_t dram_words = 65536;

  static NpuStimulus from(const ParamSet& set);
};

BlockInfo npu_block_info();

}  // namespace accelgen
