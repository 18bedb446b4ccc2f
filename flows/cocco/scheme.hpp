// The consumption-centric execution scheme of one subgraph (digest §2.2–2.3, §1.4.1–1.4.3):
// per node and axis the update offset Δ (LCM over in-subgraph consumers), the allocation x (max
// over consumers of the input window f_v(Δ/s)), the update count upd (the minimal co-prime
// solution of upd(u)Δ(u) = upd(v)Δ(v)s(v)), MAIN/SIDE regions with full halo reuse, and from them
// the subgraph's capacity-independent costs (footprint, EMA, buffer traffic, compute cycles).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/cocco/layer_graph.hpp"

namespace accelgen::flows::cocco {

enum class FootprintModel {
  kMainSide,  // paper: MAIN = x_h·x_w·C tile + SIDE = (x_h − Δ_h)·W·C rows kept for the next row
              // pass
  kRows,  // full-width line buffers: x_h·W·C (what the row-level trace simulator checks exactly)
};

// Every choice the paper leaves open that the scheme depends on (digest §5.5).
struct SchemeParams {
  int64_t tile_h =
      8;  // stage 1: output tile rows of every pure output node (clipped to its extent)
  int64_t tile_w = 8;  // stage 1: output tile columns (ignored by kRows: full width)
  FootprintModel footprint = FootprintModel::kMainSide;
  int64_t channel_align = 8;         // NWHC8c layout: channels rounded up to a multiple of this
  bool weight_reads_per_op = false;  // weights read from the weight buffer once per elementary op
                                     // (true) or once per subgraph, held stationary (false)
  int64_t max_delta = int64_t{1} << 24;  // a larger Δ (or upd) falls back to whole-tensor mode
  nlohmann::json to_json() const;
};

struct AxisPlan {
  int64_t delta = 1;   // Δ: rows (columns) added per update
  int64_t x = 1;       // allocation (unclipped; the buffer holds min(x, extent))
  int64_t upd = 1;     // updates per elementary operation
  int64_t first = 1;   // rows (columns) the first elementary operation needs (boundary prologue)
  int64_t lag = 0;     // steady-state reach of the consumers' windows ahead of the outputs (rows)
  int64_t skew_x = 1;  // allocation once consumers at different pipeline depths are counted:
                       // Δ + lag − earliest next-window start over the consumers (≥ x; = x for
                       // one consumer; larger across a skip connection)
  int64_t alloc(int64_t extent) const;  // buffered rows: min(extent, max(x, skew_x, first))
};

struct NodePlan {
  int id = 0;
  bool in_subgraph = true;   // false: an input node of the subgraph (loaded from DRAM)
  bool pure_output = false;  // in the subgraph with no consumer inside it
  bool to_dram = false;      // written back (model output or read by a later subgraph)
  AxisPlan h, w;
  int64_t main_bytes = 0, side_bytes = 0;  // per sample
};

struct BlockScheme {
  bool whole = false;  // whole-tensor mode: every tensor fully buffered, one elementary op
  std::string whole_reason;
  std::vector<NodePlan> nodes;  // inputs and members, descending id (reverse topological order)
  int64_t n_ops = 1;            // elementary operations per sample
  int64_t act_bytes = 0;        // activation footprint (sum of MAIN + SIDE)
  int64_t weight_bytes = 0;     // weight footprint (all weights of the subgraph)
};

// `block`: ids of compute layers (any order, no duplicates). Throws UserError on an empty block
// or a source id; connectivity is the caller's business (partition.hpp).
BlockScheme derive_scheme(const LayerGraph& g, const std::vector<int>& block,
                          const SchemeParams& p);

// Capacity-independent cost terms of a subgraph.
struct BlockCost {
  int64_t act_bytes = 0, weight_bytes = 0;  // footprint
  int64_t nodes = 0;
  int64_t in_bytes = 0;      // activations loaded from DRAM (each producer once)
  int64_t out_bytes = 0;     // activations written back
  int64_t weight_total = 0;  // weights loaded (= weight footprint)
  int64_t ema_bytes = 0;     // in + out + weights, padding never counted
  int64_t macs = 0;
  int64_t gb_access_bytes = 0;  // activation buffer traffic (writes + reads)
  int64_t wb_access_bytes = 0;  // weight buffer traffic
  int64_t comp_cycles = 0;      // on one core at macs_per_cycle
  int64_t elementary_ops = 1;   // elementary operations, all samples
  bool whole = false;
};
BlockCost block_cost(const LayerGraph& g, const std::vector<int>& block, const SchemeParams& p,
                     int64_t macs_per_cycle);

nlohmann::json scheme_json(const LayerGraph& g, const BlockScheme& s);

}  // namespace accelgen::flows::cocco
