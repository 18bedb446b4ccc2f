// Per-node and whole-graph accounting: MACs, parameters, activation volumes, activation/weight
// ratios, convolution and GEMM loop dimensions, skip edges. Everything is computed from shapes
// and attributes, never stored, so it cannot drift from the graph.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

// Convolution loop nest: output [N, K, P, Q] += input [N, C, ...] * weight [K, C/groups, R, S].
// For a transposed convolution C and K keep their meaning (input and output channels) and P, Q
// are the output sizes; MACs there are N * C * (K/groups) * R * S * H_in * W_in.
struct ConvDims {
  int64_t n, k, c, p, q, r, s;
  int64_t stride_h, stride_w, dilation_h, dilation_w, groups;
  bool depthwise;  // groups == C == K
  bool transposed;
};

// (batch x) [M, K] * [K, N]. Fully connected layers have batch 1 and M = all non-feature elements.
struct GemmDims {
  int64_t batch, m, n, k;
};

struct NodeStats {
  int64_t macs = 0;
  int64_t weight_volume = 0;  // elements of every weight tensor of the node
  int64_t params = 0;         // weight_volume, or 0 when the weights are shared with another node
  int64_t input_activations = 0;   // elements of every input operand
  int64_t output_activations = 0;  // elements of the output
  // input_activations / weight_volume, for nodes that multiply by weights (MACs and weights > 0;
  // a layer norm's scale or an embedding table is not a weight-bearing layer here).
  std::optional<double> aw_in;
  std::optional<double> aw_out;  // output_activations / weight_volume
};

std::optional<ConvDims> conv_dims(const Graph& graph, const Node& node);
std::optional<GemmDims> gemm_dims(const Graph& graph, const Node& node);
NodeStats node_stats(const Graph& graph, const Node& node);

// An edge into a merge node (add, sub or concat) other than its latest-produced operand: the
// operand that must be held while the other branch runs. `span` is the distance between producer
// and consumer in the graph's node order.
struct SkipEdge {
  std::string from;
  std::string to;
  size_t span;
};
std::vector<SkipEdge> skip_edges(const Graph& graph);

struct GraphStats {
  size_t layers = 0;         // nodes other than graph inputs
  size_t weight_layers = 0;  // nodes that multiply by weights (those with an aw_in)
  int64_t macs = 0;
  int64_t params = 0;
  int64_t peak_activation = 0;                 // largest single output tensor, elements
  size_t max_edge_span = 0;                    // over edges whose producer is not a graph input
  std::map<std::string, size_t> op_histogram;  // operator name (conv split into conv/dwconv)
  std::vector<SkipEdge> skips;
  std::vector<double> aw_in;  // per weight-bearing node, in graph order
  std::vector<double> aw_out;
};
GraphStats analyze(const Graph& graph);

// Operator label used in tables and histograms: "dwconv" for depthwise convolutions, the pool or
// activation mode for those operators, otherwise the operator name.
std::string op_label(const Graph& graph, const Node& node);

}  // namespace accelgen::graph
