// The buffer region manager's view of a partition (Cocco §3.2, Fig. 8): for every subgraph in
// execution order, one region per node of its execution scheme (inputs and members, MAIN then SIDE,
// each rounded up to whole buffer words) is allocated before the subgraph starts, addressed while
// it runs (first and last word of MAIN and of SIDE) and freed when it ends. The commands are the
// ones the `region_manager` block executes (golden_model/README.md, "region_manager").
#pragma once

#include <cstdint>
#include <vector>

#include "flows/cocco/layer_graph.hpp"
#include "flows/cocco/model.hpp"
#include "flows/cocco/scheme.hpp"

namespace accelgen::flows::cocco {

struct RegionStep {
  enum class Kind { kAlloc, kFree, kTranslate };
  Kind kind = Kind::kAlloc;
  int block = 0;      // subgraph, in execution order
  int region = 0;     // region id inside the subgraph: nodes in ascending (topological) id order
  int layer = 0;      // the layer whose tile the region holds
  int64_t words = 0;  // ALLOC: length in words; TRANSLATE: word offset in the region; FREE: 0
};

// The subgraphs of partition LABEL as layer ids (what derive_scheme and region_trace take), in
// execution order.
std::vector<std::vector<int>> block_layers(const Evaluator& e, const std::vector<int>& label);

// BLOCKS: layer ids per subgraph, in execution order. WORD_BYTES: width of a buffer word.
std::vector<RegionStep> region_trace(const LayerGraph& g,
                                     const std::vector<std::vector<int>>& blocks,
                                     const SchemeParams& p, int64_t word_bytes);

}  // namespace accelgen::flows::cocco
