// Testbench of `bihiwe`: seeded dot products of many lengths (within one batch, exactly m beats,
// across several conversions), driven beat by beat and scoreboarded (value and cycle) against the
// golden model, whose per-conversion intermediates are printed on a mismatch.
#pragma once

#include <cstdint>
#include <vector>

#include "common/bihiwe_params.hpp"
#include "golden_model/bihiwe/bihiwe_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// Beats of a run. "exhaustive" makes one-beat dot products: every combination of one beat's
// operand bits when they number at most 2^20, else every (x, w) element pair.
std::vector<golden::BihiweBeat> make_bihiwe_beats(const BihiweParams& p, const BihiweStimulus& s, uint64_t seed,
                                                  int64_t vectors);

VerifyResult run_bihiwe_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
