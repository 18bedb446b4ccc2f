// Testbench of `leopard_qk`: loads seeded keys into the bit-plane-sliced key buffers, streams Q
// vectors with thresholds chosen for 0/50/90/100% (or random) pruning, and scoreboards every cycle
// of every dot-product unit — key index, P_c, M_c, the 24-bit score, done and pruned — plus every Q
// handshake against the golden model. So values, prune decisions and termination cycles are all
// checked cycle for cycle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/leopard_params.hpp"
#include "golden_model/leopard/leopard_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

struct LeopardQkWorkload {
  std::vector<std::vector<uint64_t>> keys;  // seq_len keys of taps K words
  std::vector<golden::LeopardQVector> qs;
  std::vector<std::string> prune_target;    // per Q vector: "0", "50", "90", "100" or "random"
  std::vector<std::string> pattern;         // per Q vector: operand pattern
  int64_t key_words = 0;                    // key-buffer writes before the first Q vector
};

LeopardQkWorkload make_leopard_qk_workload(const LeopardQkParams& p, const LeopardQkStimulus& s, uint64_t seed,
                                           int64_t q_vectors);

VerifyResult run_leopard_qk_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
