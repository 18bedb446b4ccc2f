#include "compiler/graph/analysis.hpp"

#include <algorithm>

#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph {

std::optional<ConvDims> conv_dims(const Graph& graph, const Node& node) {
  if (node.op != OpKind::kConv && node.op != OpKind::kConvTranspose) return std::nullopt;
  const Shape in = graph.input_shapes(node).at(0);
  const Attrs& a = node.attrs;
  ConvDims d{};
  d.n = in[0];
  d.c = in[1];
  d.k = node.shape[1];
  d.p = node.shape[2];
  d.q = node.shape[3];
  d.r = a.kernel[0];
  d.s = a.kernel[1];
  d.stride_h = a.stride[0];
  d.stride_w = a.stride[1];
  d.dilation_h = a.dilation[0];
  d.dilation_w = a.dilation[1];
  d.groups = a.groups;
  d.depthwise = a.groups > 1 && a.groups == d.c && a.groups == d.k;
  d.transposed = node.op == OpKind::kConvTranspose;
  return d;
}

std::optional<GemmDims> gemm_dims(const Graph& graph, const Node& node) {
  if (node.op == OpKind::kGemm) {
    const Shape in = graph.input_shapes(node).at(0);
    const int64_t k = in[normalize_axis(node, node.attrs.axis, in.size())];
    return GemmDims{1, volume(in) / k, node.attrs.out_channels, k};
  }
  if (node.op == OpKind::kMatMul) {
    const std::vector<Shape> in = graph.input_shapes(node);
    const Shape& out = node.shape;
    const int64_t m = out[out.size() - 2];
    const int64_t n = out.back();
    return GemmDims{volume(out) / (m * n), m, n, in[0].back()};
  }
  return std::nullopt;
}

namespace {

int64_t node_macs(const Graph& graph, const Node& node) {
  if (auto c = conv_dims(graph, node)) {
    const int64_t spatial = c->transposed
                                ? graph.input_shapes(node)[0][2] * graph.input_shapes(node)[0][3]
                                : c->p * c->q;
    const int64_t reduce = c->transposed ? c->c * (c->k / c->groups) : c->k * (c->c / c->groups);
    int64_t macs = checked_mul(c->n, reduce, "MAC count");
    macs = checked_mul(macs, c->r * c->s, "MAC count");
    return checked_mul(macs, spatial, "MAC count");
  }
  if (auto g = gemm_dims(graph, node)) {
    int64_t macs = checked_mul(g->batch, g->m, "MAC count");
    macs = checked_mul(macs, g->n, "MAC count");
    return checked_mul(macs, g->k, "MAC count");
  }
  if (node.op == OpKind::kLstm) {
    const Shape in = graph.input_shapes(node).at(0);
    const int64_t hidden = node.attrs.out_channels;
    const int64_t dirs = node.attrs.bidirectional ? 2 : 1;
    int64_t macs = checked_mul(in[0] * in[1] * dirs, 4 * hidden, "MAC count");
    return checked_mul(macs, in[2] + hidden, "MAC count");
  }
  if (node.op == OpKind::kCustom) return node.attrs.macs;
  return 0;
}

}  // namespace

NodeStats node_stats(const Graph& graph, const Node& node) {
  NodeStats s;
  s.macs = node_macs(graph, node);
  for (const WeightTensor& w : node.weights) {
    s.weight_volume = checked_add(s.weight_volume, volume(w.shape), "weight count");
  }
  s.params = node.weight_shared_with.empty() ? s.weight_volume : 0;
  for (const Shape& in : graph.input_shapes(node)) {
    s.input_activations = checked_add(s.input_activations, volume(in), "activation count");
  }
  s.output_activations = volume(node.shape);
  if (s.weight_volume > 0 && s.macs > 0) {
    s.aw_in = static_cast<double>(s.input_activations) / static_cast<double>(s.weight_volume);
    s.aw_out = static_cast<double>(s.output_activations) / static_cast<double>(s.weight_volume);
  }
  return s;
}

std::vector<SkipEdge> skip_edges(const Graph& graph) {
  std::vector<SkipEdge> out;
  for (size_t i = 0; i < graph.size(); ++i) {
    const Node& node = graph.node(i);
    const bool merge =
        node.op == OpKind::kAdd || node.op == OpKind::kSub || node.op == OpKind::kConcat;
    if (!merge || node.inputs.size() < 2) continue;
    // The operand produced last is the main path; every other operand waited for it.
    size_t latest = 0;
    for (size_t j = 1; j < node.inputs.size(); ++j) {
      if (*graph.find(node.inputs[j]) > *graph.find(node.inputs[latest])) latest = j;
    }
    for (size_t j = 0; j < node.inputs.size(); ++j) {
      if (j == latest) continue;
      out.push_back({node.inputs[j], node.name, i - *graph.find(node.inputs[j])});
    }
  }
  return out;
}

std::string op_label(const Graph& graph, const Node& node) {
  if (node.op == OpKind::kConv && conv_dims(graph, node)->depthwise) return "dwconv";
  if (node.op == OpKind::kPool || node.op == OpKind::kActivation || node.op == OpKind::kCustom ||
      node.op == OpKind::kReduce || node.op == OpKind::kElementwise) {
    return std::string(to_string(node.op)) + ":" + node.attrs.mode;
  }
  return to_string(node.op);
}

GraphStats analyze(const Graph& graph) {
  GraphStats g;
  for (size_t i = 0; i < graph.size(); ++i) {
    const Node& node = graph.node(i);
    for (const std::string& producer : node.inputs) {
      const size_t from = *graph.find(producer);
      if (graph.node(from).op != OpKind::kInput)
        g.max_edge_span = std::max(g.max_edge_span, i - from);
    }
    if (node.op == OpKind::kInput) continue;
    const NodeStats s = node_stats(graph, node);
    ++g.layers;
    ++g.op_histogram[op_label(graph, node)];
    g.macs = checked_add(g.macs, s.macs, "total MAC count");
    g.params = checked_add(g.params, s.params, "total parameter count");
    g.peak_activation = std::max(g.peak_activation, s.output_activations);
    if (s.aw_in) {
      ++g.weight_layers;
      g.aw_in.push_back(*s.aw_in);
      g.aw_out.push_back(*s.aw_out);
    }
  }
  g.skips = skip_edges(graph);
  return g;
}

}  // namespace accelgen::graph
