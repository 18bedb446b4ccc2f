// Testbench of `systolic`: tiles seeded GEMMs onto the array, drives weight and activation streams
// with ready/valid handshakes, and scoreboards every output vector (value and cycle) against the
// golden model, then every reassembled GEMM against a direct reference product.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/systolic_params.hpp"
#include "golden_model/systolic/systolic_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

struct SystolicGemm {
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> x, w;  // row-major M*K and K*N
  std::string pattern;
};

struct SystolicTileRef {
  size_t gemm;
  int64_t k0, n0;
};

struct SystolicWorkload {
  std::vector<SystolicGemm> gemms;
  std::vector<golden::SystolicTile> tiles;  // every GEMM's tiles, back to back
  std::vector<SystolicTileRef> refs;        // where each tile sits in its GEMM
};

// Seeded GEMMs (shapes random unless the stimulus fixes them; operand patterns per stimulus) and
// their tiling: for each column block n0, for each reduction block k0, zero-padded at the edges.
SystolicWorkload make_systolic_workload(const SystolicParams& p, const SystolicStimulus& s,
                                        uint64_t seed, int64_t transactions);

VerifyResult run_systolic_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
