// Hardware, energy and the partition-level cost model of Cocco (digest §1.2–1.4, §4.1): a
// partition of the compute layers into connected subgraphs whose quotient graph is acyclic,
// evaluated on a SIMBA-like core with separate (global + weight) or shared buffers.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "flows/cocco/layer_graph.hpp"
#include "flows/cocco/scheme.hpp"
#include "flows/common/tech_table.hpp"

namespace accelgen::flows::cocco {

struct Hardware {
  bool shared = false;
  int64_t gb_bytes = int64_t{1} << 20;  // global (activation) buffer, separate design
  int64_t wb_bytes = 1179648;           // weight buffer (1.125 MB), separate design
  int64_t shared_bytes = 1179648;       // shared design
  int64_t macs_per_cycle = 1024;        // 4x4 PEs x 8x8 MACs
  double freq_ghz = 1.0;
  double dram_gb_per_s = 16.0;  // per core
  int max_nodes = 64;           // region manager entries N
  // Multi-core (paper §5.4.2): `cores` identical cores on a crossbar, each with the buffers above.
  // A subgraph's elementary operations are spread over the cores; its weights are split into one
  // subset per core, and every elementary operation fetches the other cores' subsets over the
  // crossbar (rotation as Tangram's BSD / NN-Baton's data rotation).
  int cores = 1;
  double xbar_bytes_per_cycle = 64;                                                 // per core port
  int64_t buf_size() const { return shared ? shared_bytes : gb_bytes + wb_bytes; }  // per core
  int64_t total_buf_size() const { return cores * buf_size(); }
  nlohmann::json to_json() const;
};

// Energy constants (pJ). sram_pj_per_bit is a function of the buffer's capacity in KiB.
struct EnergyModel {
  std::string name;
  double dram_pj_per_bit = 12.5;
  double mac_pj = 0.024;
  double xbar_pj_per_bit = 0;  // one crossbar traversal (multi-core)
  std::function<double(double)> sram_pj_per_bit;
  std::string source;
};

// Energy from the shared technology table. The SRAM curve is read at the capacity of one bank:
// min(buffer capacity, bank_kib); bank_kib = 0 reads it at the whole buffer (monolithic; the
// cocco_12nm preset's linear NN-Baton fit then passes DRAM's 12.5 pJ/bit near 750 KiB).
EnergyModel energy_from_tech(const TechTable& t, double bank_kib);

enum class Metric { kEma, kEnergy };

// DSE candidate grids in bytes (digest §1.1): GB 128..2048 KB step 64, WB 144..2304 KB step 72,
// shared 128..3072 KB step 64.
struct Grids {
  std::vector<int64_t> gb, wb, shared;
  static Grids paper();
};

// Everything that defines one search problem.
struct Problem {
  const LayerGraph* graph = nullptr;
  SchemeParams scheme;
  EnergyModel energy;
  Hardware hw;  // the fixed part (mode, compute, bandwidth); capacities may be searched
  Metric metric = Metric::kEnergy;
  double alpha = 0.002;   // Eq. 2 weight; the objective is BUF_SIZE + alpha * sum Cost_M
  bool coexplore = true;  // false: Eq. 1, the objective is sum Cost_M at hw's capacities
  Grids grids = Grids::paper();
};

// A partition: block label per compute layer (index into graph->compute), labels 0..k-1 numbered
// by first appearance; plus capacity indices into the grids (separate: gb, wb; shared: shared).
struct Genome {
  std::vector<int> label;
  int cap_a = 0, cap_b = 0;
};

struct PartitionCost {
  bool feasible = false;
  double objective = 0;
  int64_t buffer_bytes = 0;  // all cores
  int64_t ema_bytes = 0;
  double xbar_bytes = 0;  // core-to-core traffic (multi-core weight rotation)
  double energy_pj = 0;
  double latency_cycles = 0;
  double avg_bw_bytes_per_cycle = 0, peak_bw_bytes_per_cycle = 0;
  int blocks = 0;
};

// Block costs cached by member set (a block's cost does not depend on the rest of the partition).
class Evaluator {
 public:
  explicit Evaluator(const Problem& p);
  const Problem& problem() const { return p_; }
  int n() const { return static_cast<int>(p_.graph->compute.size()); }
  // Compute indices -> cost; `members` sorted ascending.
  const BlockCost& cost(const std::vector<int>& members);
  Hardware hardware(const Genome& g) const;  // hw with the genome's capacities (coexplore)
  bool fits(const BlockCost& c, const Hardware& hw) const;
  double metric(const BlockCost& c, const Hardware& hw) const;  // EMA bytes or energy pJ
  double energy_pj(const BlockCost& c, const Hardware& hw) const;
  // Bytes the block moves between cores: every elementary operation fetches the (cores - 1) /
  // cores of the weights other cores hold. 0 on one core.
  static double xbar_bytes(const BlockCost& c, const Hardware& hw);
  // Weight bytes one core buffers: its subset, ceil(W / cores).
  static int64_t weights_per_core(const BlockCost& c, const Hardware& hw);
  PartitionCost evaluate(const Genome& g);
  // Blocks (sorted compute indices) in execution order (topological order of the quotient).
  std::vector<std::vector<int>> blocks(const std::vector<int>& label) const;
  size_t cache_size() const { return cache_.size(); }
  int64_t evaluations() const { return evaluations_; }

  // Undirected and directed adjacency over compute indices.
  const std::vector<std::vector<int>>& preds() const { return preds_; }
  const std::vector<std::vector<int>>& succs() const { return succs_; }

 private:
  struct KeyHash {
    size_t operator()(const std::vector<uint64_t>& k) const;
  };
  const Problem p_;  // a copy: callers may pass a temporary
  std::vector<std::vector<int>> preds_, succs_;
  std::unordered_map<std::vector<uint64_t>, BlockCost, KeyHash> cache_;
  int64_t evaluations_ = 0;
};

// Partition helpers over compute indices.
bool block_connected(const Evaluator& e, const std::vector<int>& members);
// True when every block is connected and the quotient graph is acyclic.
bool partition_valid(const Evaluator& e, const std::vector<int>& label);
// Relabels blocks 0..k-1 by first appearance.
void canonicalize(std::vector<int>& label);
// Splits every block into its connected components (keeps validity of an acyclic quotient).
void split_components(const Evaluator& e, std::vector<int>& label);

std::string metric_name(Metric m);
nlohmann::json partition_json(const Evaluator& e, const Genome& g);

}  // namespace accelgen::flows::cocco
