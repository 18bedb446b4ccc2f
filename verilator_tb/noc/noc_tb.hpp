// Testbench of `noc`: seeded traffic (Bernoulli patterns or PipeOrgan layers) offered by per-node
// source queues to the RTL and the golden model in lockstep. Every injection handshake must agree;
// every packet must be delivered exactly once, at its destination, with its payload intact, in
// per-flow order and in the cycle the golden model predicts.
#pragma once

#include "common/noc_params.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

VerifyResult run_noc_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
