// Planaria's per-layer configuration tables (thesis §5.4, Fig. 5.11(a)): for every subarray count
// n = 1..16 and every layer of a network, the fission configuration that runs the layer fastest,
// its tiles and its cycles — the tables the scheduler (scheduler.hpp) looks up at run time.
//
// Cycle model. A fission configuration (i, j, k) splits n subarrays of S×S PEs into k logical
// weight-stationary arrays of R = S·i rows (reduction) by C = S·j columns (outputs). A layer is
// lowered to GEMMs (im2col for convolutions; one GEMM per group; one per channel for depthwise)
// and each logical array streams its share of the weight tiles exactly as the `systolic` block
// does (golden_model/README.md, `systolic` timing rules): `stream_cycles` is that rule set, and a
// test checks it equals the cycle-exact golden model `predict_systolic` on every small case.
// Chaining subarrays adds `ring_regs` register stages per subarray boundary on the activation and
// partial-sum rings (latency only). Layer time = max(compute, DRAM transfer time) — the compute
// and memory overlap as the thesis's double-buffered design intends. Non-GEMM layers (pooling,
// element-wise, normalization) run on the SIMD units alike in both designs and are not counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"
#include "flows/common/tech_table.hpp"

namespace accelgen::flows::planaria {

struct ArrayConfig {
  int subarray = 32;       // S: PEs per subarray side (the thesis's 32×32)
  int subarrays = 16;      // the whole chip (Table 5.2 uses 16)
  int ring_regs = 1;       // register stages per subarray boundary on a ring (latency only)
  int data_bytes = 1;      // bytes per activation and weight
  int acc_bytes = 4;       // bytes per partial sum written to the output buffer
  double dram_gbps = 128;  // off-chip bandwidth, GB/s (assumption: PREMA's figure is not quoted)
  double freq_mhz = 700;   // thesis: 700 MHz for the PREMA comparison
};

// One fission configuration: k clusters of (S·i × S·j). Written as in Table 5.2: "(RxC)-k".
struct Fission {
  int i = 1, j = 1, k = 1;
  int rows(int s) const { return s * i; }
  int cols(int s) const { return s * j; }
  std::string name(int s) const;  // "(256x64)-1"
  bool operator==(const Fission&) const = default;
};

// The candidate configurations for n active subarrays (the artifact's rule, digest A.7): i and j
// powers of two with i·j dividing the largest power-of-two divisor of n; k = n / (i·j). Ordered by
// k ascending, then i descending. n = 16 gives Table 5.2's 15 configurations.
std::vector<Fission> fission_candidates(int n);
// Parses "(64x128)-2", "64x128x2" or "64x128-2" for subarray side S; UserError when it is not a
// candidate of n subarrays.
Fission parse_fission(const std::string& text, int s, int n);

// Cycles for a logical R×C weight-stationary array to stream `tiles` weight tiles, each followed
// by `m` activation vectors, with every beat offered from cycle 0: the `systolic` block's timing
// rules (weight bank free e_last(t-2) + max(1, R-1); vectors after their tile's last weight beat;
// output e + R + C + 1), plus `extra_latency` on the output. 0 tiles cost 0 cycles.
int64_t stream_cycles(int64_t r, int64_t c, int64_t m, int64_t tiles, int64_t extra_latency = 0);

// A layer's work for the array: `count` independent GEMMs of [m × k] · [k × n].
struct GemmWork {
  int64_t count = 1, m = 0, k = 0, n = 0;
};
// The GEMMs a graph node puts on the array (empty for non-GEMM layers): convolutions by im2col
// (one GEMM per group; depthwise: one per channel), fully connected and matmul layers as they
// are, LSTMs as one input-projection GEMM over all steps plus one recurrent GEMM per step.
std::vector<GemmWork> lower_node(const graph::Graph& g, const graph::Node& node);

struct LayerCost {
  int64_t compute_cycles = 0;
  int64_t memory_cycles = 0;
  int64_t cycles = 0;  // max(compute, memory)
  int64_t tiles =
      0;  // weight tiles streamed by the busiest cluster (the scheduler's progress unit)
  int64_t dram_bytes = 0;
  int64_t sram_bytes =
      0;  // buffer traffic: activations per column block, weights once, psums per row block
  int64_t ring_bits = 0;  // bits crossing subarray boundaries on the two rings
};
LayerCost layer_cost(const std::vector<GemmWork>& work, const Fission& f, const ArrayConfig& a);

// Dynamic energy of one layer: MACs, DRAM bits, buffer bits (per-bit energy of one
// `kBankKib` bank: the pod memories are multi-bank), ring-boundary crossings at the per-hop energy.
constexpr double kBankKib = 32;
double layer_energy_pj(const LayerCost& c, int64_t macs, const TechTable& tech);

// What "best" means per layer: fewest cycles, or least energy x cycles.
enum class Objective { kCycles, kEnergyDelay };

struct LayerEntry {
  std::string layer;
  Fission fission;
  LayerCost cost;
  int64_t macs = 0;
  double energy_pj = 0;
};
// Table for one subarray count: the best configuration of every GEMM layer under the objective
// (ties go to the earlier candidate).
struct ConfigTable {
  int subarrays = 0;
  std::vector<LayerEntry> layers;
  int64_t total_cycles() const;
  double total_energy_pj() const;
};
ConfigTable build_table(const graph::Graph& g, int n, const ArrayConfig& a, const TechTable& tech,
                        Objective objective = Objective::kCycles);
// The monolithic baseline: all `a.subarrays` as one square array (no fission, no ring registers).
ConfigTable monolithic_table(const graph::Graph& g, const ArrayConfig& a, const TechTable& tech);

}  // namespace accelgen::flows::planaria
