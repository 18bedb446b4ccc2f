// An exact row-level trace simulator of one subgraph (test-only, independent of scheme.cpp's
// formulas). Every layer of the subgraph, and every input layer (loaded from "DRAM"), owns a
// buffer of alloc[u] rows. A layer fires one update at a time: the first brings it to alloc rows
// (a pure output: delta rows), each later one delta more. A layer may fire when every producer
// already holds the rows its new windows reach and its own buffer has room, i.e. the rows a
// consumer still needs (from the earliest next window) plus the new rows fit in alloc. A row is
// freed once every in-subgraph consumer's next window starts past it; a pure output writes each
// update back at once. Firing priority: the layer nearest the outputs (highest id) first. The run
// either completes or deadlocks (the allocation is too small for the schedule).
// strict: every update is exactly the scheme's (alloc first, then delta). flexible: an update may
// stop short, at what the inputs and the buffer room allow (at least one row) -- a deadlock there
// means no row-level schedule of this shape fits the allocation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "flows/cocco/layer_graph.hpp"

namespace accelgen::flows::cocco::testing {

struct SimResult {
  bool deadlock = false;
  std::vector<int64_t> peak_live;  // per layer id
  std::vector<int64_t> produced;   // rows produced (or loaded) per layer id
  std::vector<int64_t> updates;    // updates per layer id
  int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  int64_t recomputed_rows = 0;  // rows produced more than once (must stay 0)
};

inline SimResult simulate_rows(const LayerGraph& g, const std::vector<int>& block,
                               const std::vector<int64_t>& alloc, const std::vector<int64_t>& delta,
                               bool flexible = false) {
  const int n = g.size();
  std::vector<char> member(n, 0), region(n, 0);
  for (int v : block) {
    member[v] = 1;
    region[v] = 1;
    for (int u : g.layers[v].preds) region[u] = 1;
  }
  SimResult r;
  r.peak_live.assign(n, 0);
  r.produced.assign(n, 0);
  r.updates.assign(n, 0);
  std::vector<std::vector<int>> count(n);
  std::vector<std::vector<int>> cons(n);
  for (int i = 0; i < n; ++i) {
    if (!region[i]) continue;
    count[i].assign(g.layers[i].rows, 0);
    for (int v : g.layers[i].succs)
      if (member[v]) cons[i].push_back(v);
  }
  auto row_bytes = [&](int u) {
    return g.layers[u].cols * g.layers[u].channels * g.bytes_per_element;
  };
  auto edge = [&](int v, int u) {
    const Layer& l = g.layers[v];
    return l.geom_h[std::find(l.preds.begin(), l.preds.end(), u) - l.preds.begin()];
  };
  // First row of u still needed: the earliest next window of an unfinished consumer.
  auto low = [&](int u) {
    if (cons[u].empty()) return r.produced[u];  // pure output: written back
    int64_t start = r.produced[u];
    for (int c : cons[u]) {
      if (r.produced[c] >= g.layers[c].rows) continue;
      const AxisGeom a = edge(c, u);
      start = std::min(start, std::max<int64_t>(0, r.produced[c] * a.s - a.p));
    }
    return start;
  };
  auto next_hi = [&](int v) {
    const int64_t step = r.updates[v] == 0 ? alloc[v] : r.produced[v] + delta[v];
    return std::min(g.layers[v].rows, step);
  };
  // The end of v's next update, or 0 when it cannot fire.
  auto fire_hi = [&](int v) -> int64_t {
    if (r.produced[v] >= g.layers[v].rows) return 0;
    int64_t hi = next_hi(v);
    if (flexible) {
      if (!cons[v].empty()) hi = std::min(hi, low(v) + alloc[v]);
      if (member[v])
        for (int u : g.layers[v].preds) {
          if (r.produced[u] >= g.layers[u].rows) continue;
          const AxisGeom a = edge(v, u);
          const int64_t reach = r.produced[u] + a.p - a.f;  // (hi - 1) s <= reach
          hi = std::min(hi, reach < 0 ? 0 : reach / a.s + 1);
        }
      return hi > r.produced[v] ? hi : 0;
    }
    if (!cons[v].empty() && hi - low(v) > alloc[v]) return 0;
    if (member[v])
      for (int u : g.layers[v].preds) {
        const AxisGeom a = edge(v, u);
        if (r.produced[u] <
            std::min(g.layers[u].rows, std::max<int64_t>(0, (hi - 1) * a.s - a.p + a.f)))
          return 0;
      }
    return hi;
  };
  std::vector<int> order;
  for (int i = n - 1; i >= 0; --i)
    if (region[i]) order.push_back(i);
  for (;;) {
    int v = -1;
    int64_t hi = 0;
    for (int c : order)
      if ((hi = fire_hi(c)) > 0) {
        v = c;
        break;
      }
    if (v < 0) break;
    ++r.updates[v];
    for (int64_t row = r.produced[v]; row < hi; ++row)
      if (++count[v][row] > 1) ++r.recomputed_rows;
    if (!member[v]) r.dram_read_bytes += (hi - r.produced[v]) * row_bytes(v);
    const bool to_dram =
        member[v] && (g.layers[v].succs.empty() ||
                      std::any_of(g.layers[v].succs.begin(), g.layers[v].succs.end(),
                                  [&](int w) { return !member[w]; }));
    if (to_dram) r.dram_write_bytes += (hi - r.produced[v]) * row_bytes(v);
    const int64_t before = cons[v].empty() ? r.produced[v] : low(v);
    r.produced[v] = hi;
    r.peak_live[v] = std::max(r.peak_live[v], hi - before);
  }
  for (int v = 0; v < n; ++v)
    if (region[v] && r.produced[v] < g.layers[v].rows) r.deadlock = true;
  return r;
}

}  // namespace accelgen::flows::cocco::testing
