// The ONNX importer's internals, shared by its source files (not part of the public API; see
// onnx_import.hpp). One Importer walks one graph: constants are evaluated, layers become IR nodes.
#pragma once

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <array>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "compiler/graph/onnx_import.hpp"
#include "compiler/graph/onnx_tensor.hpp"
#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph::onnx_detail {

int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t fallback);
std::string attr_string(const onnx::NodeProto& n, const char* name, const std::string& fallback);
std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const char* name);
std::optional<std::vector<double>> attr_floats(const onnx::NodeProto& n, const char* name);
// A node carrying only a name, for error messages of shared helpers.
Node named(const std::string& name);
// Numpy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b);

// GELU written out with Erf: node index of each pattern's first node (the Div) -> the tensor the
// pattern produces, and the indices of the pattern's other nodes, which the importer skips.
struct GeluPatterns {
  std::map<int, std::string> start;
  std::set<int> skip;
};
GeluPatterns find_gelu_patterns(const onnx::GraphProto& g);

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& name, const OnnxImportOptions& options)
      : g_(model.graph()),
        graph_(model.graph().name().empty() ? name : model.graph().name()),
        options_(options) {
    for (const auto& op : model.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version();
    }
  }

  OnnxImport run() {
    for (const auto& t : g_.initializer()) consts_[t.name()] = decode_tensor(t, t.name());
    for (const auto& v : g_.input()) {
      if (consts_.count(v.name()) == 0) graph_inputs_[v.name()] = &v;
    }
    for (const auto& n : g_.node()) {
      for (const std::string& in : n.input()) ++uses_[in];
    }
    for (const auto& v : g_.output()) ++uses_[v.name()];
    const GeluPatterns gelu = find_gelu_patterns(g_);
    for (int i = 0; i < g_.node_size(); ++i) {
      node_ = &g_.node(i);
      if (gelu.skip.count(i)) continue;
      if (auto it = gelu.start.find(i); it != gelu.start.end()) {
        import_gelu(node_->input(0), it->second);
      } else {
        import_node(*node_);
      }
    }
    OnnxImport result{std::move(graph_), {}};
    for (const auto& v : g_.output()) {
      if (auto it = consts_.find(v.name()); it != consts_.end()) {
        result.outputs.emplace_back(v.name(), it->second.dims);
      } else if (auto p = produced_.find(v.name()); p != produced_.end()) {
        result.outputs.emplace_back(v.name(), result.graph.node(p->second).shape);
      } else if (graph_inputs_.count(v.name())) {
        node_ = nullptr;
        result.outputs.emplace_back(v.name(), declared_shape(v.name()));
      } else {
        throw UserError(fmt::format("graph output '{}' is produced by no node", v.name()));
      }
    }
    return result;
  }

 private:
  // ---- errors -------------------------------------------------------------------------------
  std::string where() const {
    if (!node_) return "graph";
    // A node may have neither a name nor an output (import_node rejects the latter, naming it).
    const std::string name = !node_->name().empty()     ? node_->name()
                             : node_->output_size() > 0 ? node_->output(0)
                                                        : std::string("(unnamed)");
    return fmt::format("node '{}' ({})", name, node_->op_type());
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw UserError(fmt::format("{}: {}", where(), why));
  }

  // ---- operands -----------------------------------------------------------------------------
  // Input I of N; one the node does not have is a UserError, where n.input(i) would read out of
  // bounds (libFuzzer finding).
  const std::string& input_of(const onnx::NodeProto& n, int i) const {
    if (i < 0 || i >= n.input_size()) fail(fmt::format("missing input {}", i));
    return n.input(i);
  }
  bool has_input(const onnx::NodeProto& n, int i) const {
    return i < n.input_size() && !n.input(i).empty();
  }
  bool is_const(const std::string& t) const { return consts_.count(t) != 0; }
  const Constant& constant(const std::string& t) {
    auto it = consts_.find(t);
    if (it != consts_.end()) return it->second;
    if (auto v = options_.input_values.find(t); v != options_.input_values.end()) {
      onnx::TensorProto tensor;
      std::ifstream in(v->second, std::ios::binary);
      if (!tensor.ParseFromIstream(&in)) fail(fmt::format("cannot read the value of '{}'", t));
      return consts_[t] = decode_tensor(tensor, t);
    }
    fail(fmt::format("input '{}' must be a constant", t));
  }
  std::vector<int64_t> const_ints(const std::string& t) {
    const Constant& c = constant(t);
    if (!c.has_values) fail(fmt::format("the values of constant '{}' are not available", t));
    if (c.integer()) return c.ints;
    std::vector<int64_t> out;
    for (double v : c.reals) {
      if (!(std::fabs(v) < 9.2e18))
        fail(fmt::format("constant '{}' holds {}, not an integer", t, v));
      out.push_back(static_cast<int64_t>(v));
    }
    return out;
  }
  std::vector<double> const_reals(const std::string& t) {
    const Constant& c = constant(t);
    if (!c.has_values) fail(fmt::format("the values of constant '{}' are not available", t));
    if (!c.integer()) return c.reals;
    return std::vector<double>(c.ints.begin(), c.ints.end());
  }
  Shape declared_shape(const std::string& t) const {
    const onnx::ValueInfoProto& v = *graph_inputs_.at(t);
    if (!v.type().has_tensor_type()) fail(fmt::format("input '{}' is not a tensor", t));
    Shape s;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value()) {
        fail(fmt::format("input '{}' has a symbolic dimension '{}'; a fixed shape is needed", t,
                         d.dim_param()));
      }
      s.push_back(d.dim_value());
    }
    return s;
  }
  // Shape of a tensor used as a weight: a constant's or a graph input's dims.
  std::optional<Shape> static_shape(const std::string& t) const {
    if (auto it = consts_.find(t); it != consts_.end()) return it->second.dims;
    if (graph_inputs_.count(t) && produced_.count(t) == 0) return declared_shape(t);
    return std::nullopt;
  }
  Shape shape_of(const std::string& t) {
    if (auto it = consts_.find(t); it != consts_.end()) return it->second.dims;
    return graph_.node(activation(t)).shape;
  }
  // Element type of a tensor, without turning a graph input into a node.
  DType dtype_of(const std::string& t) {
    if (auto it = consts_.find(t); it != consts_.end()) return it->second.dtype;
    if (auto p = produced_.find(t); p != produced_.end()) return graph_.node(p->second).dtype;
    if (auto in = graph_inputs_.find(t); in != graph_inputs_.end()) {
      return dtype_from_onnx(in->second->type().tensor_type().elem_type(), t);
    }
    return graph_.node(activation(t)).dtype;
  }

  // The IR node holding tensor `t`, creating input or constant nodes on first use.
  std::string activation(const std::string& t) {
    if (auto it = produced_.find(t); it != produced_.end()) return it->second;
    Node n;
    n.name = t;
    if (auto c = consts_.find(t); c != consts_.end()) {
      n.op = OpKind::kCustom;
      n.attrs.mode = "constant";
      n.dtype = c->second.dtype;
      n.shape = c->second.dims.empty() ? Shape{1} : c->second.dims;  // scalars broadcast as [1]
      n.weights = {{"value", n.shape}};
    } else if (auto in = graph_inputs_.find(t); in != graph_inputs_.end()) {
      n.op = OpKind::kInput;
      n.shape = declared_shape(t);
      if (n.shape.empty()) fail(fmt::format("scalar input '{}' is not supported", t));
      n.dtype = dtype_from_onnx(in->second->type().tensor_type().elem_type(), t);
    } else {
      fail(fmt::format("reads '{}', which no earlier node produces", t));
    }
    graph_.add(std::move(n));
    return produced_[t] = t;
  }

  // Adds `n` (named after output 0) for the current ONNX node and maps output 0 to it.
  void emit(Node n, DType dtype) {
    n.name = node_->output(0);
    n.dtype = dtype;
    const bool layer =
        n.op == OpKind::kConv || n.op == OpKind::kConvTranspose || n.op == OpKind::kGemm;
    graph_.add(std::move(n));
    produced_[node_->output(0)] = node_->output(0);
    if (layer) layer_outputs_.insert(node_->output(0));
  }
  Node make(OpKind op, std::vector<std::string> inputs) const {
    Node n;
    n.op = op;
    n.inputs = std::move(inputs);
    return n;
  }
  void alias(const std::string& from) { produced_[node_->output(0)] = activation(from); }
  void set_const(const std::string& name, Constant c) { consts_[name] = std::move(c); }
  void only_first_output(const onnx::NodeProto& n) const {
    for (int i = 1; i < n.output_size(); ++i) {
      if (!n.output(i).empty() && uses_.count(n.output(i))) {
        fail(fmt::format("output {} ('{}') is not supported, only the first", i, n.output(i)));
      }
    }
  }
  // True when `t` is a layer's own output, or a fold of one whose every step was read only by the
  // next fold: then changing the layer changes nothing else that reads it.
  bool exclusive(std::string t) const {
    while (layer_outputs_.count(t) == 0) {
      auto f = folded_from_.find(t);
      if (f == folded_from_.end() || uses_.at(f->second) != 1) return false;
      t = f->second;
    }
    return true;
  }
  // The IR layer (conv, conv_transpose, gemm) behind tensor `t` when a following operator may be
  // folded into it: `t` is exclusive to it, read `reads` times, and no activation is fused yet.
  std::optional<std::string> fusable_producer(const std::string& t, int reads = 1) {
    if (uses_[t] != reads || !exclusive(t) || !graph_.node(produced_.at(t)).activation.empty()) {
      return std::nullopt;
    }
    return produced_.at(t);
  }
  // Folds the current node into `layer` (reading tensor `from`); its output aliases the layer.
  void fold_into(const std::string& layer, const std::string& from,
                 const std::vector<WeightTensor>& extra, const std::string& activation = "") {
    graph_.fuse(layer, extra, activation);
    alias(from);
    folded_from_[node_->output(0)] = from;
  }

  // ---- operators ----------------------------------------------------------------------------
  void import_node(const onnx::NodeProto& n);
  void import_gelu(const std::string& x, const std::string& output);
  bool fold_constant(const onnx::NodeProto& n);
  void conv(const onnx::NodeProto& n, bool transposed, int w_index, int b_index, DType dtype);
  void pad_transposed_to(Attrs& a, int64_t in, int64_t want, int d, bool lower);
  void gemm_like(const std::string& a, const std::string& b, const std::string& bias, bool trans_a,
                 bool trans_b, DType dtype);
  void pool(const onnx::NodeProto& n);
  bool lift_1d(const onnx::NodeProto& n, int w_index,
               const std::function<void(const onnx::NodeProto&)>& import_2d);
  void reduce(const onnx::NodeProto& n, const std::string& mode, std::vector<int64_t> axes,
              bool keepdims);
  void resize(const onnx::NodeProto& n);
  void slice(const onnx::NodeProto& n);
  void split(const onnx::NodeProto& n);
  void reshape_to(const std::string& in, Shape dims);
  void reshuffle(const onnx::NodeProto& n);
  std::array<int64_t, 4> window_pads(const onnx::NodeProto& n, const Shape& in,
                                     const std::array<int64_t, 2>& kernel,
                                     const std::array<int64_t, 2>& stride,
                                     const std::array<int64_t, 2>& dilation);

  const onnx::GraphProto& g_;
  int64_t opset_ = 1;
  Graph graph_;
  const onnx::NodeProto* node_ = nullptr;
  std::unordered_map<std::string, Constant> consts_;
  std::unordered_map<std::string, const onnx::ValueInfoProto*> graph_inputs_;
  std::unordered_map<std::string, std::string> produced_;  // tensor -> IR node
  std::unordered_map<std::string, int> uses_;
  std::set<std::string> layer_outputs_;  // outputs of conv, conv_transpose and gemm nodes
  std::unordered_map<std::string, std::string> folded_from_;  // folded output -> tensor it read
  const OnnxImportOptions& options_;
};

}  // namespace accelgen::graph::onnx_detail
