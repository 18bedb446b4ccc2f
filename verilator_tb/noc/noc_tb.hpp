// Testbench of `noc`: seeded traffic (Bernoulli patterns or PipeOrgan layers) offered by per-node
// source queues to the RTL and the golden model in lockstep. Every injection handshake must agree;
// every packet must be delivered exactly once, at its destination, with its payload intact, in
// per-flow order and in the cycle the golden model predicts.
#pragma once

#include <cstdint>
#include <vector>

#include "common/noc_params.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

VerifyResult run_noc_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

// An explicit traffic schedule (a flow's packets) on the base router: packet i is offered by its
// source from cycle `created` on (sources hold any number; CREATED non-decreasing), and the same
// lockstep checks apply. DELIVERED_AT receives each packet's RTL delivery cycle (-1: never).
struct NocScheduled {
  int64_t created = 0;
  int src = 0, dst = 0;
};
VerifyResult run_noc_schedule_tb(const NocParams& p, const Model& model, const std::vector<NocScheduled>& packets,
                                 std::vector<int64_t>& delivered_at, const VerifyOptions& options);

}  // namespace accelgen::sim
