// `accelgen flow npu`: a workload compiled by the NPU compiler (compiler/npu) and run on the
// cycle-exact `npu` golden model, reported as a runtime split between the GEMM unit and Tandem
// (busy cycles, overlap) per NPU block and in total. Reduced sizes only: this is the golden model
// (`accelgen verify npu` checks the `npu` RTL against it, cycle for cycle).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "flows/common/table.hpp"
#include "golden_model/npu/npu_model.hpp"

namespace accelgen::flows {

struct NpuFlowOptions {
  std::string workload = "resnet_block";          // compiler/npu/workload.hpp's names
  int channels = 8, size = 4;                     // resnet_block, mbv2_block: C and H = W
  int seq = 8, hidden = 16, heads = 2, ffn = 64;  // bert_layer
  // Instead of the workload: the layers of zoo model `model` whose names start with `block` + "."
  // (e.g. resnet18, layer1.0; the whole model without `block`), at input resolution `resolution`
  // (0 = the published one).
  std::string model, block;
  int resolution = 0;
  int rows = 8, cols = 8, lanes = 8;
  int depth = 512;        // Output BUF half / Interim BUF / input scratchpad rows
  int wbuf_depth = 6144;  // weight-scratchpad rows (a whole model keeps every weight resident)
  int tile_m = 0;         // output pixels per tile of the last convolution (0 = whole)
  uint64_t seed = 1;      // the float parameters' seed
};

// Cycles in [from, to) covered by GEMM tiles, by Tandem passes, by both.
struct RuntimeSplit {
  int64_t cycles = 0;  // to - from
  int64_t gemm = 0, tandem = 0, overlap = 0;
  int64_t GemmOnly() const { return gemm - overlap; }
  int64_t TandemOnly() const { return tandem - overlap; }
  int64_t Idle() const { return cycles - gemm - tandem + overlap; }
};
RuntimeSplit runtime_split(const golden::npu::NpuSim& sim, int64_t from, int64_t to);
// The same from busy intervals [first, last] (any order, may overlap).
using Intervals = std::vector<std::pair<int64_t, int64_t>>;
RuntimeSplit runtime_split(const Intervals& gemm, const Intervals& tandem, int64_t from,
                           int64_t to);

struct NpuFlowBlock {
  std::string name;
  bool gemm = false;
  int tiles = 1, k_blocks = 0, tandem_words = 0;
  int64_t start = 0, end = 0;  // BLOCK_START cycle, cycle after BLOCK_DONE
  RuntimeSplit split;
};

struct NpuFlowResult {
  std::vector<NpuFlowBlock> blocks;
  RuntimeSplit total;
  int64_t macs = 0, outputs = 0;
  int64_t output_checksum = 0;  // sum of the INT8 outputs (a fingerprint)
};

NpuFlowResult run_npu_flow(const NpuFlowOptions& o);
Table npu_block_table(const NpuFlowResult& r);
nlohmann::json npu_flow_json(const NpuFlowOptions& o, const NpuFlowResult& r);
// gnuplot script (data inline) of each block's cycles stacked as GEMM only / both / Tandem only /
// idle, written to PNG (a file name relative to the script's directory).
std::string npu_runtime_gnuplot(const NpuFlowResult& r, const std::string& title,
                                const std::string& png);

}  // namespace accelgen::flows
