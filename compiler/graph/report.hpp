// Machine-readable summary of a graph, shared by `accelgen model info --json` and the flows.
#pragma once

#include <array>
#include <nlohmann/json.hpp>

#include "compiler/graph/analysis.hpp"

namespace accelgen::graph {

// Activation/weight ratio (input side) histogram by decade: bucket i counts ratios in
// [10^(i-4), 10^(i-3)), with the first and last buckets open-ended (< 1e-3 ... >= 1e3).
inline constexpr int kAwBuckets = 8;
std::array<size_t, kAwBuckets> aw_histogram(const std::vector<double>& ratios);
const char* aw_bucket_label(int bucket);

// {"name", "layers", "weight_layers", "macs", "params", "skip_edges" (count), "skips" (list of
// {from, to, span}), "max_edge_span", "peak_activation", "op_histogram", "aw_in"
// ({min, median, max, histogram}), "aw_out" (same)}.
nlohmann::json summary_json(const Graph& graph, const GraphStats& stats);

// One object per node: {"name", "op" (label), "inputs", "shape", "macs", "params", "aw_in",
// "aw_out" (null without weights), and "conv" {n, k, c, p, q, r, s, stride, dilation, groups,
// depthwise, transposed} or "gemm" {batch, m, n, k} where they apply}.
nlohmann::json layer_table_json(const Graph& graph);

}  // namespace accelgen::graph
