// Testbench of `leopard_vpu`: loads seeded V vectors, streams rows of kept scores (0/50/90/100%
// pruned, all-pruned rows included) with optional idle cycles, and scoreboards every beat's
// handshake cycle and every row result (cycle, every lane, softmax sum, count) against the golden
// model; also counts MAC-busy cycles for the V-PU utilization.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/leopard_params.hpp"
#include "golden_model/leopard/leopard_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

struct LeopardVpuWorkload {
  std::vector<std::vector<int64_t>> v;  // seq_len V vectors
  std::vector<golden::LeopardVpuRow> rows;
  std::vector<std::string> prune;  // per row
};

LeopardVpuWorkload make_leopard_vpu_workload(const LeopardVpuParams& p, const LeopardVpuStimulus& s, uint64_t seed,
                                             int64_t rows);

VerifyResult run_leopard_vpu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
