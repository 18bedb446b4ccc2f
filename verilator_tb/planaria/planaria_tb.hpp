// Testbench of `planaria`: maps seeded GEMMs onto fission configurations (every homogeneous shape
// of Table 5.2 in turn, one named shape, or co-located tenants with reconfiguration), drives the
// tile schedule of the specification (configuration, weights, tile start, per-pod activation
// lanes), and scoreboards every output vector (value and cycle) against the golden model, then
// every reassembled GEMM against a direct reference product.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/planaria_params.hpp"
#include "golden_model/planaria/planaria_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

struct PlanariaGemm {
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> x, w;  // row-major M*K and K*N
  std::string pattern;
};

// One GEMM executed with one cluster shape: its blocks (n outer, k inner) go to clusters in order.
struct PlanariaJob {
  size_t gemm = 0;
  int i = 1, j = 1;
  std::string label;  // e.g. "64x128x2" or "tenant A on 128x96"
};

struct PlanariaClusterRef {
  size_t job = 0;
  int64_t k0 = 0, n0 = 0;
};

struct PlanariaWorkload {
  std::vector<PlanariaGemm> gemms;
  std::vector<PlanariaJob> jobs;
  std::vector<golden::PlanariaTile> tiles;
  std::vector<std::vector<PlanariaClusterRef>> refs;  // [tile][cluster]
};

PlanariaWorkload make_planaria_workload(const PlanariaParams& p, const PlanariaStimulus& s,
                                        uint64_t seed, int64_t gemms_per_shape);

VerifyResult run_planaria_tb(const ParamSet& params, const Model& model,
                             const VerifyOptions& options);

}  // namespace accelgen::sim
