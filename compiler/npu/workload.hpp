// Named NPU workloads at reduced sizes (compiler/README.md, "NPU: named workloads"): the compiled
// program with its host preloads (the inputs) and the expected outputs, for tools that run the
// same program elsewhere (e.g. an RTL co-simulation of the `npu` block) and for `accelgen flow
// npu --workload`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/npu/lower.hpp"

namespace accelgen::compiler::npu {

struct WorkloadOptions {
  // resnet_block, mbv2_block: C and H = W (mbv2 expands to 2C); tiny_resnet, resnet18 (the
  // whole zoo model): H = W of the 3-channel input.
  int channels = 8, size = 4;
  int seq = 8, hidden = 16, heads = 2, ffn = 64;  // bert_layer
  int tile_m = 0;                                 // CompileOptions::tile_m (convolution blocks)
  uint64_t seed = 1;                              // float parameters and input
};

// resnet_block, mbv2_block, bert_layer, tiny_resnet (network.hpp: a whole small CNN), resnet18
// (the whole zoo model; every weight resident in the weight scratchpad).
const std::vector<std::string>& workload_names();

// The workload's program for `config` (its float parameters from `o.seed`, quantized).
// UserError for an unknown name (one line listing the names) or a workload the compiler cannot
// map at that size (naming the layer).
NpuProgram compile_workload(const std::string& name, const golden::npu::NpuConfig& config,
                            const WorkloadOptions& o = {});

struct NpuWorkload {
  std::string name;
  NpuProgram program;  // blocks; host preloads p.ibuf, p.wbuf, p.dram are the inputs
  // The outputs in run_on_golden's order (C x H x W; [H][S] for bert_layer), from the `npu`
  // golden model, which tests/npu proves equal to an independent integer reference of the
  // quantized graph for each of these workloads.
  std::vector<int8_t> expected;
  int64_t cycles = 0;  // the golden model's done cycle
};
NpuWorkload make_workload(const std::string& name, const golden::npu::NpuConfig& config,
                          const WorkloadOptions& o = {});

}  // namespace accelgen::compiler::npu
