// Testbench of `cvu`: seeded operations in every mode (or one), back to back so modes change every
// cycle, driven through the RTL and scoreboarded (value and cycle) against the golden model.
#pragma once

#include <cstdint>
#include <vector>

#include "common/cvu_params.hpp"
#include "golden_model/cvu/cvu_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// Operations of a run. "exhaustive" enumerates, per mode, every combination of a whole
// operation's operand bits when they number at most 2^20, else every element pair (x, w).
std::vector<golden::CvuOp> make_cvu_ops(const CvuParams& p, const CvuStimulus& s, uint64_t seed, int64_t count);

VerifyResult run_cvu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
