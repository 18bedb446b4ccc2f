// Testbench of `cvu_array`: seeded GEMMs and convolutions (lowered to GEMM by im2col) in every mode,
// lowered onto the array by compiler/cvu_array, driven through the RTL; every accumulation's
// column results (value and cycle) against the golden model, and every reassembled GEMM or
// convolution against a direct reference computed here.
#pragma once

#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

VerifyResult run_cvu_array_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
