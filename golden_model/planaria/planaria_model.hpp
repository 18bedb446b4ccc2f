// Golden model of the `planaria` block, written from the specification in golden_model/README.md
// ("planaria"), never from the generator: the configuration builder (clusters -> 6-bit words and
// pod crossbar selects), the tile schedule the pod memories follow, and a vector-level dataflow
// evaluation of the configuration words that gives every output vector and its cycle.
#pragma once

#include <cstdint>
#include <vector>

#include "common/planaria_params.hpp"
#include "golden_model/arith.hpp"

namespace accelgen::golden {

// Configuration word bits (one 6-bit word per subarray).
inline constexpr int kActDir = 1 << 0, kPsumDir = 1 << 1, kActPrev = 1 << 2, kActNext = 1 << 3,
                     kPsumPrev = 1 << 4, kPsumNext = 1 << 5;

// One logical accelerator of one tile: an (i*R) x (j*C) weight tile and M activation vectors.
struct PlanariaCluster {
  int first = 0;         // lowest ring position
  int i = 1, j = 1;      // subarrays along the reduction and along the outputs
  bool reverse = false;  // walk the ring positions downwards
  int dirs = -1;         // -1: the builder's rule; 0..3: act_dir | psum_dir << 1 on every subarray
  std::vector<int64_t> weights;               // (i*R) x (j*C), row-major
  std::vector<std::vector<int64_t>> vectors;  // M vectors of i*R elements
};

struct PlanariaTile {
  std::vector<PlanariaCluster> clusters;
};

// What cfg_i carries; index p*Q + u for the pod fields.
struct PlanariaConfig {
  std::vector<int> word;   // S words
  std::vector<int> x_sel;  // subarray u of pod p reads buffer x_sel[p*Q+u]
  std::vector<int> y_sel;  // output buffer b of pod p takes subarray y_sel[p*Q+b] of the pod
  std::vector<int> y_en;   // output buffer enabled
};

// Where a subarray sits in its cluster (-1 = in no cluster).
struct PlanariaRole {
  int cluster = -1;
  int group = 0;      // column block b
  int position = 0;   // chain position q (reduction block for i > 1; 0 for i = 1)
  int act_chain = 0;  // i = 1: position along the activation chain
  bool reads_xbar = false;
  bool is_end = false;
};

// The builder of the specification; throws UserError for clusters beyond the array, overlapping
// clusters, or i, j < 1.
PlanariaConfig build_planaria_config(const PlanariaParams& p,
                                     const std::vector<PlanariaCluster>& clusters,
                                     std::vector<PlanariaRole>* roles = nullptr);
// The cfg_i bit vector of a configuration, as 32-bit little-endian words.
std::vector<uint32_t> pack_planaria_config(const PlanariaParams& p, const PlanariaConfig& c);
// Bits of cfg_i: 6S + P*Q*(2*log2 Q + 1).
int planaria_config_bits(const PlanariaParams& p);
// Whether a cluster's chain crosses a pod boundary (the omni-directional feature is used).
bool planaria_uses_omni(const PlanariaParams& p, int first, int i, int j);

struct PlanariaVectorBeat {
  int64_t cycle = 0;
  int lane = 0;
  std::vector<int64_t> x;  // R elements
};

struct PlanariaTilePlan {
  PlanariaConfig config;
  int64_t config_cycle = 0;  // cfg_valid_i high
  int64_t weight_cycle = 0;  // first of Q*R weight beats per pod (address = cycle - weight_cycle)
  int64_t start_cycle = 0;   // tile_start_i high
  std::vector<std::vector<int64_t>> weight_rows;  // [p*Q*R + address] = C weights
  std::vector<PlanariaVectorBeat> beats;          // activation lanes, in cycle order
};

struct PlanariaOutput {
  int64_t cycle = 0;
  int lane = 0;
  std::vector<int64_t> y;  // C values
  size_t tile = 0;
  int cluster = 0, group = 0;
  int64_t m = 0;  // vector index within the cluster's tile
};

struct PlanariaPrediction {
  std::vector<PlanariaTilePlan> plan;
  std::vector<PlanariaOutput> outputs;  // by cycle, then lane
  int64_t cycles = 0;                   // last output cycle + 1
};

// The schedule and cycle-exact outputs of a stream of tiles.
PlanariaPrediction predict_planaria(const PlanariaParams& p,
                                    const std::vector<PlanariaTile>& tiles);

}  // namespace accelgen::golden
