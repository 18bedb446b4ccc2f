#include "flows/cocco/layer_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"

namespace accelgen::flows::cocco {

void LayerGraph::validate() const {
  if (compute.empty()) throw UserError(fmt::format("graph '{}' has no compute layer", name));
  for (int i = 0; i < size(); ++i) {
    const Layer& l = layers[i];
    if (!l.source && l.preds.empty())
      throw UserError(fmt::format("layer '{}' has no input and is not a graph input", l.name));
    if (l.geom_h.size() != l.preds.size() || l.geom_w.size() != l.preds.size())
      throw UserError(fmt::format("layer '{}': one geometry per input edge is required", l.name));
    for (int p : l.preds)
      if (p < 0 || p >= i)
        throw UserError(fmt::format("layer '{}': input id {} is not an earlier layer", l.name, p));
    for (const auto* g : {&l.geom_h, &l.geom_w})
      for (const AxisGeom& a : *g)
        if (a.f < 1 || a.s < 1 || a.p < 0 || a.p >= a.f)
          throw UserError(fmt::format(
              "layer '{}': kernel and stride must be >= 1 and padding in 0..kernel-1", l.name));
    if (l.rows < 1 || l.cols < 1 || l.channels < 1 || l.batch < 1)
      throw UserError(fmt::format("layer '{}': every dimension must be >= 1", l.name));
  }
}

namespace {

AxisGeom axis_geom(bool window, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad,
                   int64_t in_extent, int64_t out_extent) {
  if (window) return {EdgeKind::kSliding, dilation * (kernel - 1) + 1, stride, pad};
  if (in_extent == out_extent) return {EdgeKind::kSliding, 1, 1};
  if (out_extent == 1) return {EdgeKind::kGlobal, in_extent, in_extent};
  return {EdgeKind::kIrregular, 1, 1};
}

AxisGeom global(int64_t in_extent) { return {EdgeKind::kGlobal, in_extent, in_extent}; }

// Operators that move data across axes: a consumer row needs the whole producer unless the shapes
// are equal.
bool reorders(graph::OpKind op) {
  using graph::OpKind;
  return op == OpKind::kReshape || op == OpKind::kTranspose || op == OpKind::kFlatten ||
         op == OpKind::kCustom || op == OpKind::kEmbedding || op == OpKind::kLstm;
}

// How `n` reads its operand `operand` (layer u) along one axis, beyond windows: a matrix product
// needs its whole right operand and whole rows of its left one; softmax, layer norm and
// reductions over the last axis of an image-like tensor need whole rows.
AxisGeom operand_geom(const graph::Graph& g, const graph::Node& n, size_t operand, bool h,
                      int64_t in_extent, int64_t out_extent) {
  using graph::OpKind;
  const graph::Shape& in = g.node(n.inputs[operand]).shape;
  if (reorders(n.op) && in != n.shape) return global(in_extent);
  if (n.op == OpKind::kMatMul && (operand == 1 || (!h && in_extent * out_extent > 1)))
    return global(in_extent);
  const bool last_axis = n.attrs.axis == -1 || n.attrs.axis + 1 == static_cast<int64_t>(in.size());
  if (!h && in.size() == 4 && last_axis && in_extent > 1 &&
      (n.op == OpKind::kSoftmax || n.op == OpKind::kLayerNorm || n.op == OpKind::kReduce))
    return global(in_extent);
  return axis_geom(false, 1, 1, 1, 0, in_extent, out_extent);
}

int64_t elements(const graph::Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

}  // namespace

LayerGraph from_ir(const graph::Graph& g, int64_t bytes_per_element) {
  if (bytes_per_element < 1 || bytes_per_element > 8)
    throw UserError(fmt::format("bytes per element {} must be in 1..8", bytes_per_element));
  LayerGraph lg;
  lg.name = g.name();
  lg.bytes_per_element = bytes_per_element;
  std::unordered_map<std::string, int> id;
  for (const graph::Node& n : g.nodes()) {
    Layer l;
    l.name = n.name;
    l.op = graph::op_label(g, n);
    l.source = n.inputs.empty();
    const int64_t elems = elements(n.shape);
    if (n.shape.size() == 4) {
      l.batch = n.shape[0];
      l.channels = n.shape[1];
      l.rows = n.shape[2];
      l.cols = n.shape[3];
    } else if (n.shape.size() == 3) {  // [N, S, D] sequences: a row per token (decision, README)
      l.batch = n.shape[0];
      l.rows = n.shape[1];
      l.channels = n.shape[2];
    } else {
      l.batch = n.shape.empty() ? 1 : std::max<int64_t>(1, n.shape[0]);
      l.channels = std::max<int64_t>(1, elems / l.batch);
    }
    l.out_bytes = elems * bytes_per_element;
    if (!l.source) {
      int64_t w = 0;
      for (const auto& t : n.weights)
        if (t.name != "bn_scale" && t.name != "bn_shift") w += elements(t.shape);
      l.weight_bytes = w * bytes_per_element;
      l.macs = graph::node_stats(g, n).macs;
      l.ops = l.macs;
      const bool pool = n.op == graph::OpKind::kPool;
      const bool global_pool = pool && n.attrs.mode.rfind("global", 0) == 0;
      if (l.ops == 0 && pool) {
        const auto in = g.input_shapes(n).front();
        l.ops = global_pool ? elements(in) : elems * n.attrs.kernel[0] * n.attrs.kernel[1];
      } else if (l.ops == 0 && (n.op == graph::OpKind::kAdd || n.op == graph::OpKind::kSub ||
                                n.op == graph::OpKind::kMul || n.op == graph::OpKind::kDiv)) {
        l.ops = elems * static_cast<int64_t>(n.inputs.size() - 1);
      }
      const bool window =
          (n.op == graph::OpKind::kConv || (pool && !global_pool)) && n.shape.size() == 4;
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        const std::string& in = n.inputs[k];
        const int p = id.at(in);
        if (std::find(l.preds.begin(), l.preds.end(), p) != l.preds.end()) continue;
        const Layer& u = lg.layers[p];
        l.preds.push_back(p);
        if (window && g.node(in).shape.size() == 4) {
          l.geom_h.push_back(axis_geom(true, n.attrs.kernel[0], n.attrs.stride[0],
                                       n.attrs.dilation[0], n.attrs.pads[0], u.rows, l.rows));
          l.geom_w.push_back(axis_geom(true, n.attrs.kernel[1], n.attrs.stride[1],
                                       n.attrs.dilation[1], n.attrs.pads[1], u.cols, l.cols));
        } else {
          l.geom_h.push_back(operand_geom(g, n, k, true, u.rows, l.rows));
          l.geom_w.push_back(operand_geom(g, n, k, false, u.cols, l.cols));
        }
      }
    }
    const int me = lg.size();
    id[n.name] = me;
    for (int p : l.preds) lg.layers[p].succs.push_back(me);
    if (!l.source) lg.compute.push_back(me);
    lg.layers.push_back(std::move(l));
  }
  lg.validate();
  return lg;
}

LayerGraph from_specs(const std::string& name, const std::vector<LayerSpec>& specs) {
  LayerGraph lg;
  lg.name = name;
  for (const LayerSpec& s : specs) {
    Layer l;
    l.name = s.name;
    l.source = s.preds.empty();
    l.op = l.source ? "input" : (s.weight_bytes > 0 ? "conv" : "pool");
    l.rows = s.rows;
    l.cols = s.cols;
    l.channels = s.channels;
    l.out_bytes = s.rows * s.cols * s.channels;
    l.weight_bytes = s.weight_bytes;
    l.macs = s.macs;
    l.ops = s.macs;
    const int me = lg.size();
    for (int p : s.preds) {
      if (p < 0 || p >= me)
        throw UserError(fmt::format("layer '{}': input id {} is not an earlier layer", s.name, p));
      if (std::find(l.preds.begin(), l.preds.end(), p) != l.preds.end()) continue;
      l.preds.push_back(p);
      l.geom_h.push_back({EdgeKind::kSliding, s.f_h, s.s_h, s.p_h});
      l.geom_w.push_back({EdgeKind::kSliding, s.f_w, s.s_w, s.p_w});
      lg.layers[p].succs.push_back(me);
    }
    if (!l.source) lg.compute.push_back(me);
    lg.layers.push_back(std::move(l));
  }
  lg.validate();
  return lg;
}

}  // namespace accelgen::flows::cocco
