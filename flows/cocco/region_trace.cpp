#include "flows/cocco/region_trace.hpp"

#include <algorithm>

#include "common/bits.hpp"
#include "common/error.hpp"

namespace accelgen::flows::cocco {

std::vector<std::vector<int>> block_layers(const Evaluator& e, const std::vector<int>& label) {
  std::vector<std::vector<int>> out;
  for (const auto& b : e.blocks(label)) {
    out.emplace_back();
    for (int m : b) out.back().push_back(e.problem().graph->compute[m]);
  }
  return out;
}

std::vector<RegionStep> region_trace(const LayerGraph& g,
                                     const std::vector<std::vector<int>>& blocks,
                                     const SchemeParams& p, int64_t word_bytes) {
  if (word_bytes <= 0) throw UserError("region trace: the buffer word must be at least one byte");
  using K = RegionStep::Kind;
  std::vector<RegionStep> out;
  for (int b = 0; b < static_cast<int>(blocks.size()); ++b) {
    const BlockScheme s = derive_scheme(g, blocks[b], p);
    struct Region {
      int layer;
      int64_t main, side;  // words
    };
    std::vector<Region> regions;
    for (auto it = s.nodes.rbegin(); it != s.nodes.rend();
         ++it)  // nodes are in descending id order
      regions.push_back(
          {it->id, ceil_div(it->main_bytes, word_bytes), ceil_div(it->side_bytes, word_bytes)});
    for (int r = 0; r < static_cast<int>(regions.size()); ++r)
      out.push_back({K::kAlloc, b, r, regions[r].layer,
                     std::max<int64_t>(1, regions[r].main + regions[r].side)});
    for (int r = 0; r < static_cast<int>(regions.size()); ++r) {
      const Region& reg = regions[r];
      std::vector<int64_t> offsets = {0};
      if (reg.main > 1) offsets.push_back(reg.main - 1);
      if (reg.side > 0) offsets.insert(offsets.end(), {reg.main, reg.main + reg.side - 1});
      for (int64_t off : offsets) out.push_back({K::kTranslate, b, r, reg.layer, off});
    }
    for (int r = 0; r < static_cast<int>(regions.size()); ++r)
      out.push_back({K::kFree, b, r, regions[r].layer, 0});
  }
  return out;
}

}  // namespace accelgen::flows::cocco
