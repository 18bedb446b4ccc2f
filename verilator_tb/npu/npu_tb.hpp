// Testbench of `npu`: a program compiled by compiler/npu runs on the generated NPU (Tandem
// regions in the instruction memory, the block table, the weight scratchpad and ibuf loaded
// through the host ports, DRAM served by a C++ model of aligned lines with the spec's one-cycle
// read latency) and on the golden model (golden_model/npu). Compared: every GEMM output row
// (cycle, half, row, data), every Tandem commit and sync (cycle, pc, namespace, row, lanes), the
// FSM state and both Output BUF halves' owners in every cycle, the done cycle, and at the end the
// DRAM (the network output), ibuf, vmem1, vmem2 and both Output BUF halves.
// Ports, block table and timing: golden_model/README.md, section `npu`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/npu_params.hpp"
#include "compiler/npu/lower.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// The golden configuration of an `npu` parameter set (DRAM_WORDS: the DRAM model's size).
golden::npu::NpuConfig npu_config(const NpuParams& p, int64_t dram_words);

// Runs PROGRAM on the golden model and on MODEL and compares into RES. RTL_BLOCKS, when given,
// replaces the blocks the RTL runs (a deliberately broken program: the golden model still runs
// PROGRAM's own blocks, so the harness must see the difference).
void run_npu_program(const Model& model, const NpuParams& params,
                     const compiler::npu::NpuProgram& program, VerifyResult& res,
                     const std::string& trace_path = "",
                     const std::vector<golden::npu::NpuBlock>* rtl_blocks = nullptr);

// `accelgen verify npu`: the `workload` stimulus key compiled with the seed's float parameters
// (resnet_block, mbv2_block, bert_layer, tiny_resnet, resnet18, random).
VerifyResult run_npu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

// The workload of an `npu` parameter set, compiled for it through the named-workload API
// (compiler/npu/workload.hpp) or `random`. UserError naming the layer when the compiler cannot
// map it, or when the program needs more than max_blocks blocks or imem_depth Tandem words.
compiler::npu::NpuProgram compile_npu_workload(const ParamSet& params, uint64_t seed);

}  // namespace accelgen::sim
