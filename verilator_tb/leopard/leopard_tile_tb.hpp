// Testbench of `leopard_tile`: loads seeded keys and V vectors, streams Q vectors with thresholds
// for 0/50/90/100% (or random) pruning, and scoreboards every Q handshake, every beat the merger
// hands to the V-PU (cycle, kept or end beat, score, unit, index), every row result (cycle, lanes,
// softmax sum, count) and the MAC-busy cycles against the golden tile model.
#pragma once

#include "common/leopard_params.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

VerifyResult run_leopard_tile_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
