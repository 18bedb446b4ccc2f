#include "compiler/graph/onnx_import.hpp"

#include <fmt/format.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/error.hpp"
#include "compiler/graph/onnx_tensor.hpp"
#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph {
namespace {

using onnx_detail::Constant;
using onnx_detail::decode_tensor;
using onnx_detail::dtype_from_onnx;

// Elementwise operators that keep the shape, and the activation name the IR records for them.
const std::map<std::string, std::string> kUnary = {
    {"Relu", "relu"},
    {"LeakyRelu", "leaky_relu"},
    {"Clip", "clip"},
    {"Sigmoid", "sigmoid"},
    {"Tanh", "tanh"},
    {"Gelu", "gelu"},
    {"Erf", "erf"},
    {"HardSigmoid", "hard_sigmoid"},
    {"HardSwish", "hard_swish"},
    {"Elu", "elu"},
    {"Selu", "selu"},
    {"Celu", "celu"},
    {"Softplus", "softplus"},
    {"Softsign", "softsign"},
    {"ThresholdedRelu", "thresholded_relu"},
    {"Exp", "exp"},
    {"Log", "log"},
    {"Sqrt", "sqrt"},
    {"Neg", "neg"},
    {"Abs", "abs"},
    {"Reciprocal", "reciprocal"},
    {"Floor", "floor"},
    {"Ceil", "ceil"},
    {"Round", "round"},
    {"Sign", "sign"},
    {"Sin", "sin"},
    {"Cos", "cos"},
    {"Mish", "mish"},
    {"Not", "not"},
    {"Tan", "tan"},
    {"Sinh", "sinh"},
    {"Cosh", "cosh"},
    {"Asin", "asin"},
    {"Acos", "acos"},
    {"Atan", "atan"},
    {"Asinh", "asinh"},
    {"Acosh", "acosh"},
    {"Atanh", "atanh"},
    {"IsInf", "is_inf"},
    {"IsNaN", "is_nan"},
    {"Shrink", "shrink"},
    {"Hardmax", "hardmax"},
    {"CumSum", "cumsum"},
    {"Trilu", "trilu"},
    {"LRN", "lrn"},
    {"MeanVarianceNormalization", "mean_variance_normalization"},
};
// Broadcasting element-wise operators beyond add/sub/mul/div (the IR's `elementwise`).
const std::map<std::string, std::string> kElementwiseOps = {
    {"Pow", "pow"},
    {"Min", "min"},
    {"Max", "max"},
    {"Sum", "sum"},
    {"Mean", "mean"},
    {"Mod", "mod"},
    {"BitShift", "bit_shift"},
    {"And", "and"},
    {"Or", "or"},
    {"Xor", "xor"},
    {"Equal", "equal"},
    {"Less", "less"},
    {"Greater", "greater"},
    {"LessOrEqual", "less_or_equal"},
    {"GreaterOrEqual", "greater_or_equal"},
    {"Where", "where"},
};
// Activations worth fusing into the producing convolution / GEMM / add.
const std::set<std::string> kFusable = {"relu", "leaky_relu",   "clip",       "sigmoid", "tanh",
                                        "gelu", "hard_sigmoid", "hard_swish", "elu",     "selu"};
const std::map<std::string, OpKind> kBinary = {
    {"Add", OpKind::kAdd}, {"Sub", OpKind::kSub}, {"Mul", OpKind::kMul}, {"Div", OpKind::kDiv}};
const std::map<std::string, std::string> kReduce = {{"ReduceMean", "mean"},
                                                    {"ReduceSum", "sum"},
                                                    {"ReduceMax", "max"},
                                                    {"ReduceMin", "min"},
                                                    {"ReduceProd", "prod"},
                                                    {"ReduceL1", "l1"},
                                                    {"ReduceL2", "l2"},
                                                    {"ReduceSumSquare", "sum_square"},
                                                    {"ReduceLogSumExp", "log_sum_exp"}};

int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

std::string attr_string(const onnx::NodeProto& n, const char* name, const std::string& fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.s();
  }
  return fallback;
}

std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return std::vector<int64_t>(a.ints().begin(), a.ints().end());
  }
  return std::nullopt;
}

std::optional<std::vector<double>> attr_floats(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return std::vector<double>(a.floats().begin(), a.floats().end());
  }
  return std::nullopt;
}

// A node carrying only a name, for error messages of shared helpers.
Node named(const std::string& name) {
  Node n;
  n.name = name;
  return n;
}

// Numpy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

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
    for (const auto& n : g_.node()) {
      node_ = &n;
      import_node(n);
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
    const std::string& name = node_->name().empty() ? node_->output(0) : node_->name();
    return fmt::format("node '{}' ({})", name, node_->op_type());
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw UserError(fmt::format("{}: {}", where(), why));
  }

  // ---- operands -----------------------------------------------------------------------------
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
    for (double v : c.reals) out.push_back(static_cast<int64_t>(v));
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
    if (layer && uses_[node_->output(0)] == 1) foldable_.insert(node_->output(0));
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
  // The IR layer (conv, conv_transpose, gemm) behind tensor `t` when a following operator may be
  // folded into it: `t` is that layer's output, or a fold of it, and nothing else reads it.
  std::optional<std::string> fusable_producer(const std::string& t) {
    if (foldable_.count(t) == 0 || !graph_.node(produced_.at(t)).activation.empty()) {
      return std::nullopt;
    }
    return produced_.at(t);
  }
  // Folds the current node into `layer` (reading tensor `from`); its output aliases the layer.
  void fold_into(const std::string& layer, const std::string& from,
                 const std::vector<WeightTensor>& extra, const std::string& activation = "") {
    graph_.fuse(layer, extra, activation);
    alias(from);
    if (uses_[node_->output(0)] == 1) foldable_.insert(node_->output(0));
  }

  // ---- operators ----------------------------------------------------------------------------
  void import_node(const onnx::NodeProto& n);
  bool fold_constant(const onnx::NodeProto& n);
  void conv(const onnx::NodeProto& n, bool transposed, int w_index, int b_index, DType dtype);
  void gemm_like(const std::string& a, const std::string& b, const std::string& bias, bool trans_a,
                 bool trans_b, DType dtype);
  void pool(const onnx::NodeProto& n);
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
  std::set<std::string> foldable_;  // tensors whose layer may absorb the next operator
  const OnnxImportOptions& options_;
};

std::array<int64_t, 4> Importer::window_pads(const onnx::NodeProto& n, const Shape& in,
                                             const std::array<int64_t, 2>& kernel,
                                             const std::array<int64_t, 2>& stride,
                                             const std::array<int64_t, 2>& dilation) {
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  if (auto_pad == "NOTSET") {
    if (auto p = attr_ints(n, "pads")) {
      if (p->size() != 4) fail("pads must have 4 entries for a 2-D window");
      std::copy(p->begin(), p->end(), pads.begin());
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      if (stride[d] < 1) fail("strides must be positive");
      const int64_t out = (in[2 + d] + stride[d] - 1) / stride[d];
      const int64_t total = std::max<int64_t>(
          (out - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1 - in[2 + d], 0);
      const int64_t small = total / 2;
      pads[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      pads[d + 2] = total - pads[d];
    }
  } else if (auto_pad != "VALID") {
    fail(fmt::format("unknown auto_pad '{}'", auto_pad));
  }
  return pads;
}

void Importer::conv(const onnx::NodeProto& n, bool transposed, int w_index, int b_index,
                    DType dtype) {
  const std::string x = activation(n.input(0));
  const Shape in = graph_.node(x).shape;
  const std::optional<Shape> w = static_shape(n.input(w_index));
  if (!w) fail("weights must be a constant or a graph input");
  if (in.size() != 4 || w->size() != 4) {
    fail(fmt::format("only 2-D convolutions are supported (input {})", shape_string(in)));
  }
  Node c = make(transposed ? OpKind::kConvTranspose : OpKind::kConv, {x});
  Attrs& a = c.attrs;
  a.groups = attr_int(n, "group", 1);
  if (a.groups < 1) fail("group must be positive");
  a.kernel = {(*w)[2], (*w)[3]};
  a.out_channels = transposed ? (*w)[1] * a.groups : (*w)[0];
  if (auto s = attr_ints(n, "strides")) {
    if (s->size() != 2) fail("strides must have 2 entries");
    a.stride = {(*s)[0], (*s)[1]};
  }
  if (auto d = attr_ints(n, "dilations")) {
    if (d->size() != 2) fail("dilations must have 2 entries");
    a.dilation = {(*d)[0], (*d)[1]};
  }
  if (transposed) {
    if (auto op = attr_ints(n, "output_padding")) {
      if (op->size() != 2) fail("output_padding must have 2 entries");
      a.output_padding = {(*op)[0], (*op)[1]};
    }
    if (auto out = attr_ints(n, "output_shape")) {
      // Pads follow from the requested size (SAME_UPPER split unless told otherwise).
      if (out->size() != 2) fail("output_shape must give H and W");
      const bool lower = attr_string(n, "auto_pad", "NOTSET") == "SAME_LOWER";
      for (int d = 0; d < 2; ++d) {
        const int64_t total = a.stride[d] * (in[2 + d] - 1) + a.output_padding[d] +
                              (a.kernel[d] - 1) * a.dilation[d] + 1 - (*out)[d];
        a.pads[lower ? d : d + 2] = total - total / 2;
        a.pads[lower ? d + 2 : d] = total / 2;
      }
    } else if (attr_string(n, "auto_pad", "NOTSET") != "NOTSET" &&
               attr_string(n, "auto_pad", "NOTSET") != "VALID") {
      // SAME: output = input * stride.
      const bool lower = attr_string(n, "auto_pad", "NOTSET") == "SAME_LOWER";
      for (int d = 0; d < 2; ++d) {
        const int64_t total = a.stride[d] * (in[2 + d] - 1) + a.output_padding[d] +
                              (a.kernel[d] - 1) * a.dilation[d] + 1 - in[2 + d] * a.stride[d];
        a.pads[lower ? d : d + 2] = total - total / 2;
        a.pads[lower ? d + 2 : d] = total / 2;
      }
    } else {
      a.pads = window_pads(n, in, a.kernel, a.stride, a.dilation);
    }
  } else {
    a.pads = window_pads(n, in, a.kernel, a.stride, a.dilation);
  }
  if (auto k = attr_ints(n, "kernel_shape");
      k && (k->size() != 2 || (*k)[0] != a.kernel[0] || (*k)[1] != a.kernel[1])) {
    fail("kernel_shape disagrees with the weight shape");
  }
  if (transposed) {
    if (in[1] != (*w)[0]) fail("weight shape does not match the input channels");
    c.weights = {{"weight", {in[1], a.out_channels / a.groups, a.kernel[0], a.kernel[1]}}};
  } else {
    if (a.groups < 1 || in[1] % a.groups != 0 || in[1] / a.groups != (*w)[1]) {
      fail(fmt::format("weight {} does not fit input {} with {} groups", shape_string(*w),
                       shape_string(in), a.groups));
    }
    c.weights = {{"weight", *w}};
  }
  if (b_index >= 0 && has_input(n, b_index)) {
    const std::optional<Shape> b = static_shape(n.input(b_index));
    if (!b) fail("bias must be a constant or a graph input");
    c.weights.push_back({"bias", *b});
  }
  emit(std::move(c), dtype);
}

void Importer::gemm_like(const std::string& a_name, const std::string& b_name,
                         const std::string& bias, bool trans_a, bool trans_b, DType dtype) {
  const std::optional<Shape> b_static = static_shape(b_name);
  std::string a = activation(a_name);
  if (trans_a) {
    Node t = make(OpKind::kTranspose, {a});
    t.name = node_->output(0) + ".transpose_a";
    t.attrs.dims = {1, 0};
    a = graph_.add(std::move(t)).name;
  }
  const Shape a_shape = graph_.node(a).shape;
  if (b_static && b_static->size() == 2 && a_shape.size() >= 2) {
    // A weight matrix: a fully connected layer over A's last axis.
    const int64_t k = trans_b ? (*b_static)[1] : (*b_static)[0];
    const int64_t out = trans_b ? (*b_static)[0] : (*b_static)[1];
    if (k != a_shape.back()) {
      fail(fmt::format("inner dimensions differ: {} x {}", shape_string(a_shape),
                       shape_string(*b_static)));
    }
    Node g = make(OpKind::kGemm, {a});
    g.attrs.axis = static_cast<int64_t>(a_shape.size()) - 1;
    g.attrs.out_channels = out;
    g.weights = {{"weight", {k, out}}};
    if (!bias.empty()) {
      const std::optional<Shape> c = static_shape(bias);
      if (!c) fail("a bias computed at run time is not supported");
      g.weights.push_back({"bias", *c});
    }
    emit(std::move(g), dtype);
    return;
  }
  if (a_shape.size() < 2 || shape_of(b_name).size() < 2)
    fail("MatMul of a 1-D operand is not supported");
  std::string b = activation(b_name);
  if (trans_b) {
    Node t = make(OpKind::kTranspose, {b});
    t.name = node_->output(0) + ".transpose_b";
    t.attrs.dims = {1, 0};
    b = graph_.add(std::move(t)).name;
  }
  if (!bias.empty()) fail("Gemm of two activations with a bias is not supported");
  emit(make(OpKind::kMatMul, {a, b}), dtype);
}

void Importer::pool(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string x = activation(n.input(0));
  const Shape in = graph_.node(x).shape;
  only_first_output(n);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    const std::string mode = op == "GlobalAveragePool" ? "mean" : "max";
    if (in.size() == 4) {
      Node p = make(OpKind::kPool, {x});
      p.attrs.mode = op == "GlobalAveragePool" ? "global_avg" : "global_max";
      return emit(std::move(p), graph_.node(x).dtype);
    }
    std::vector<int64_t> axes;
    for (size_t i = 2; i < in.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    return reduce(n, mode, axes, true);
  }
  if (in.size() != 4)
    fail(fmt::format("only 2-D pooling is supported (input {})", shape_string(in)));
  const auto k = attr_ints(n, "kernel_shape");
  if (!k || k->size() != 2) fail("kernel_shape must have 2 entries");
  Node p = make(OpKind::kPool, {x});
  p.attrs.mode = op == "MaxPool" ? "max" : "avg";
  p.attrs.kernel = {(*k)[0], (*k)[1]};
  if (auto s = attr_ints(n, "strides")) {
    if (s->size() != 2) fail("strides must have 2 entries");
    p.attrs.stride = {(*s)[0], (*s)[1]};
  }
  if (auto d = attr_ints(n, "dilations"); d && (d->size() != 2 || (*d)[0] != 1 || (*d)[1] != 1)) {
    fail("dilated pooling is not supported");
  }
  p.attrs.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  p.attrs.pads = window_pads(n, in, p.attrs.kernel, p.attrs.stride, {1, 1});
  emit(std::move(p), graph_.node(x).dtype);
}

void Importer::reduce(const onnx::NodeProto& n, const std::string& mode, std::vector<int64_t> axes,
                      bool keepdims) {
  const std::string x = activation(n.input(0));
  const size_t rank = graph_.node(x).shape.size();
  if (!keepdims && (axes.empty() || axes.size() >= rank)) {
    fail("reducing to a scalar is not supported");
  }
  Node r = make(OpKind::kReduce, {x});
  r.attrs.mode = mode;
  r.attrs.dims = std::move(axes);
  r.attrs.keepdims = keepdims;
  emit(std::move(r), graph_.node(x).dtype);
}

void Importer::resize(const onnx::NodeProto& n) {
  const std::string x = activation(n.input(0));
  const Shape in = graph_.node(x).shape;
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (n.op_type() == "Upsample" && opset_ < 9) {
    if (auto s = attr_floats(n, "scales")) scales = *s;
  } else if (n.op_type() == "Upsample" || opset_ < 11) {
    scales = const_reals(n.input(1));
  } else {
    if (has_input(n, 3)) sizes = const_ints(n.input(3));
    if (sizes.empty() && has_input(n, 2)) scales = const_reals(n.input(2));
  }
  if (in.size() != 4) fail("only resizing NCHW tensors over H and W is supported");
  Node u = make(OpKind::kUpsample, {x});
  const std::string mode = attr_string(n, "mode", "nearest");
  u.attrs.mode = mode == "nearest"  ? "nearest"
                 : mode == "linear" ? "bilinear"
                 : mode == "cubic"  ? "bicubic"
                                    : "";
  if (u.attrs.mode.empty()) fail(fmt::format("unknown resize mode '{}'", mode));
  if (!sizes.empty()) {
    if (sizes.size() != 4 || sizes[0] != in[0] || sizes[1] != in[1]) {
      fail("only resizing over H and W is supported");
    }
    u.attrs.dims = {sizes[2], sizes[3]};
  } else {
    if (scales.size() != 4 || scales[0] != 1.0 || scales[1] != 1.0) {
      fail("only resizing over H and W is supported");
    }
    u.attrs.scale = {scales[2], scales[3]};
  }
  emit(std::move(u), graph_.node(x).dtype);
}

void Importer::slice(const onnx::NodeProto& n) {
  const Shape in = shape_of(n.input(0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset_ < 10) {
    starts = attr_ints(n, "starts").value_or(std::vector<int64_t>{});
    ends = attr_ints(n, "ends").value_or(std::vector<int64_t>{});
    axes = attr_ints(n, "axes").value_or(std::vector<int64_t>{});
  } else {
    starts = const_ints(n.input(1));
    ends = const_ints(n.input(2));
    if (has_input(n, 3)) axes = const_ints(n.input(3));
    if (has_input(n, 4)) steps = const_ints(n.input(4));
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    fail("starts, ends, axes and steps differ in length");
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < in.size(); ++i) {
    dims.insert(dims.end(), {0, std::numeric_limits<int64_t>::max(), 1});
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t axis = axes[i] < 0 ? axes[i] + static_cast<int64_t>(in.size()) : axes[i];
    if (axis < 0 || axis >= static_cast<int64_t>(in.size())) fail("slice axis out of range");
    dims[3 * axis] = starts[i];
    dims[3 * axis + 1] = ends[i];
    dims[3 * axis + 2] = steps[i];
  }
  Node s = make(OpKind::kSlice, {activation(n.input(0))});
  s.attrs.dims = std::move(dims);
  emit(std::move(s), dtype_of(n.input(0)));
}

void Importer::split(const onnx::NodeProto& n) {
  const std::string x = activation(n.input(0));
  const Shape in = graph_.node(x).shape;
  const int64_t axis = normalize_axis(named(x), attr_int(n, "axis", 0), in.size());
  std::vector<int64_t> sizes;
  if (opset_ >= 13 && has_input(n, 1)) {
    sizes = const_ints(n.input(1));
  } else if (auto s = attr_ints(n, "split")) {
    sizes = *s;
  } else {
    const int64_t parts = n.output_size();
    if (parts < 1 || in[axis] % parts != 0) fail("cannot split evenly");
    sizes.assign(parts, in[axis] / parts);
  }
  if (static_cast<int>(sizes.size()) != n.output_size())
    fail("split sizes and outputs differ in number");
  int64_t start = 0;
  for (int i = 0; i < n.output_size(); ++i) {
    Node s = make(OpKind::kSlice, {x});
    s.name = n.output(i);
    s.dtype = graph_.node(x).dtype;
    for (size_t d = 0; d < in.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) {
        s.attrs.dims.insert(s.attrs.dims.end(), {start, start + sizes[i], 1});
      } else {
        s.attrs.dims.insert(s.attrs.dims.end(), {0, in[d], 1});
      }
    }
    start += sizes[i];
    graph_.add(std::move(s));
    produced_[n.output(i)] = n.output(i);
  }
}

// Data-movement operators whose output shape follows from attributes or constant inputs; they
// become opaque `custom` nodes with that shape (no MACs).
void Importer::reshuffle(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string x = activation(n.input(0));
  const Shape in = graph_.node(x).shape;
  Shape out;
  if (op == "Expand") {
    const std::vector<int64_t> target = const_ints(n.input(1));
    const auto joint = broadcast(in, Shape(target.begin(), target.end()));
    if (!joint) fail(fmt::format("cannot expand {} to {}", shape_string(in), shape_string(target)));
    out = *joint;
  } else if (op == "Tile") {
    const std::vector<int64_t> repeats = const_ints(n.input(1));
    if (repeats.size() != in.size()) fail("repeats must have one entry per axis");
    for (size_t i = 0; i < in.size(); ++i)
      out.push_back(checked_mul(in[i], repeats[i], "tile size"));
  } else {
    const int64_t b = attr_int(n, "blocksize", 0);
    if (in.size() != 4 || b < 1) fail("expects an NCHW input and a positive blocksize");
    if (op == "DepthToSpace") {
      if (in[1] % (b * b) != 0) fail("channels are not divisible by blocksize^2");
      out = {in[0], in[1] / (b * b), in[2] * b, in[3] * b};
    } else {
      if (in[2] % b != 0 || in[3] % b != 0) fail("H and W are not divisible by blocksize");
      out = {in[0], in[1] * b * b, in[2] / b, in[3] / b};
    }
  }
  Node c = make(OpKind::kCustom, {x});
  c.attrs.mode = op;
  c.shape = std::move(out);
  emit(std::move(c), graph_.node(x).dtype);
}

void Importer::reshape_to(const std::string& in, Shape dims) {
  if (dims.empty()) fail("scalar results are not supported");
  Node r = make(OpKind::kReshape, {activation(in)});
  r.attrs.dims = std::move(dims);
  emit(std::move(r), dtype_of(in));
}

// Evaluates a node whose inputs are all constants (shape arithmetic); false if it cannot.
bool Importer::fold_constant(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "Constant") {
    Constant c;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value") {
        c = decode_tensor(a.t(), n.output(0));
      } else if (a.name() == "value_int") {
        c = {{}, DType::kI64, true, {a.i()}, {}};
      } else if (a.name() == "value_ints") {
        c = {{a.ints_size()}, DType::kI64, true, {a.ints().begin(), a.ints().end()}, {}};
      } else if (a.name() == "value_float") {
        c = {{}, DType::kF32, true, {}, {a.f()}};
      } else if (a.name() == "value_floats") {
        c = {{a.floats_size()}, DType::kF32, true, {}, {a.floats().begin(), a.floats().end()}};
      } else {
        fail(fmt::format("constant attribute '{}' is not supported", a.name()));
      }
    }
    set_const(n.output(0), std::move(c));
    return true;
  }
  if (op == "Shape" && n.input_size() == 1 && !is_const(n.input(0))) {
    Shape s = shape_of(n.input(0));
    const int64_t r = static_cast<int64_t>(s.size());
    int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", r);
    start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
    end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
    Constant c{{std::max<int64_t>(end - start, 0)}, DType::kI64, true, {}, {}};
    for (int64_t i = start; i < end; ++i) c.ints.push_back(s[i]);
    set_const(n.output(0), std::move(c));
    return true;
  }
  for (const std::string& in : n.input()) {
    if (!in.empty() && !is_const(in)) return false;
  }
  if (n.input_size() == 0) return false;
  const Constant& a = constant(n.input(0));
  Constant out = a;
  if (op == "Identity" || op == "Cast" || op == "QuantizeLinear" || op == "DequantizeLinear" ||
      op == "Dropout") {
    if (op == "Cast") out.dtype = dtype_from_onnx(static_cast<int>(attr_int(n, "to", 1)), where());
    if (op == "DequantizeLinear") out.dtype = DType::kF32;
    if (op == "QuantizeLinear")
      out.dtype = has_input(n, 2) ? constant(n.input(2)).dtype : DType::kU8;
  } else if (op == "ConstantOfShape") {
    out = {const_ints(n.input(0)), DType::kF32, false, {}, {}};
  } else if (op == "Slice" && a.integer() && a.dims.size() == 1 && opset_ >= 10) {
    const std::vector<int64_t> starts = const_ints(n.input(1)), ends = const_ints(n.input(2));
    const std::vector<int64_t> steps =
        has_input(n, 4) ? const_ints(n.input(4)) : std::vector<int64_t>{1};
    if (starts.size() != 1 || ends.size() != 1 || steps.size() != 1 || steps[0] == 0) return false;
    const int64_t size = static_cast<int64_t>(a.ints.size());
    int64_t start = starts[0] < 0 ? starts[0] + size : starts[0];
    int64_t end = ends[0] < 0 ? ends[0] + size : ends[0];
    out.ints.clear();
    if (steps[0] > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      for (int64_t i = start; i < end; i += steps[0]) out.ints.push_back(a.ints[i]);
    } else {
      start = std::clamp<int64_t>(start, 0, size - 1);
      end = std::clamp<int64_t>(end, -1, size - 1);
      for (int64_t i = start; i > end; i += steps[0]) out.ints.push_back(a.ints[i]);
    }
    out.dims = {static_cast<int64_t>(out.ints.size())};
  } else if (op == "Shape") {
    out = {{static_cast<int64_t>(a.dims.size())},
           DType::kI64,
           true,
           {a.dims.begin(), a.dims.end()},
           {}};
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten") {
    return false;  // handled below as shape-only folds
  } else if (op == "Concat" && a.integer()) {
    out.ints.clear();
    for (const std::string& in : n.input()) {
      const Constant& c = constant(in);
      if (!c.integer() || c.dims.size() != 1) return false;
      out.ints.insert(out.ints.end(), c.ints.begin(), c.ints.end());
    }
    out.dims = {static_cast<int64_t>(out.ints.size())};
  } else if (op == "Gather" && a.integer() && a.dims.size() == 1 && attr_int(n, "axis", 0) == 0) {
    const Constant& idx = constant(n.input(1));
    if (!idx.integer()) return false;
    out.ints.clear();
    for (int64_t i : idx.ints) {
      const int64_t size = static_cast<int64_t>(a.ints.size());
      if (i < -size || i >= size) fail("gather index out of range");
      out.ints.push_back(a.ints[i < 0 ? i + size : i]);
    }
    out.dims = idx.dims;
  } else if (kBinary.count(op) && a.integer() && constant(n.input(1)).integer()) {
    const Constant& b = constant(n.input(1));
    const auto dims = broadcast(a.dims, b.dims);
    if (!dims || (a.ints.size() != 1 && b.ints.size() != 1 && a.ints.size() != b.ints.size())) {
      return false;
    }
    out.dims = *dims;
    out.ints.clear();
    const size_t count = std::max(a.ints.size(), b.ints.size());
    for (size_t i = 0; i < count; ++i) {
      const int64_t x = a.ints[a.ints.size() == 1 ? 0 : i];
      const int64_t y = b.ints[b.ints.size() == 1 ? 0 : i];
      if (op == "Div" && y == 0) fail("division by zero in a constant expression");
      out.ints.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    }
  } else {
    return false;
  }
  set_const(n.output(0), std::move(out));
  return true;
}

void Importer::import_node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.domain() != "" && n.domain() != "ai.onnx") {
    fail(fmt::format("unsupported ONNX operator '{}' from domain '{}'", op, n.domain()));
  }
  if (n.output_size() < 1) fail("has no outputs");
  if (fold_constant(n)) return;
  auto in = [&](int i) -> const std::string& {
    if (!has_input(n, i)) fail(fmt::format("missing input {}", i));
    return n.input(i);
  };

  if (op == "Identity" || op == "Dropout" || op == "Cast" || op == "CastLike" ||
      op == "QuantizeLinear" || op == "DequantizeLinear") {
    only_first_output(n);
    return alias(in(0));
  }
  if (op == "Conv") return conv(n, false, 1, 2, dtype_of(in(0)));
  if (op == "ConvTranspose") return conv(n, true, 1, 2, dtype_of(in(0)));
  if (op == "ConvInteger") return conv(n, false, 1, -1, DType::kI32);
  if (op == "QLinearConv") {
    const std::string x = in(0), w = in(3);
    const DType out = dtype_of(in(7));
    // Rewire so conv() sees X at 0, W at 1, B at 2.
    onnx::NodeProto plain = n;
    plain.clear_input();
    plain.add_input(x);
    plain.add_input(w);
    if (has_input(n, 8)) plain.add_input(n.input(8));
    return conv(plain, false, 1, 2, out);
  }
  if (op == "Gemm") {
    return gemm_like(in(0), in(1), has_input(n, 2) ? n.input(2) : "", attr_int(n, "transA", 0) != 0,
                     attr_int(n, "transB", 0) != 0, dtype_of(in(0)));
  }
  if (op == "MatMul") return gemm_like(in(0), in(1), "", false, false, dtype_of(in(0)));
  if (op == "MatMulInteger") return gemm_like(in(0), in(1), "", false, false, DType::kI32);
  if (op == "QLinearMatMul") return gemm_like(in(0), in(3), "", false, false, dtype_of(in(7)));
  if (op == "BatchNormalization") {
    only_first_output(n);
    const std::optional<Shape> scale = static_shape(in(1));
    const std::optional<Shape> shift = static_shape(in(2));
    if (!scale || !shift) fail("scale and bias must be constants or graph inputs");
    if (auto p = fusable_producer(in(0))) {
      return fold_into(*p, in(0), {{"bn_scale", *scale}, {"bn_shift", *shift}});
    }
    Node b = make(OpKind::kBatchNorm, {activation(in(0))});
    b.weights = {{"scale", *scale}, {"shift", *shift}};
    return emit(std::move(b), dtype_of(in(0)));
  }
  if (op == "LayerNormalization") {
    Node l = make(OpKind::kLayerNorm, {activation(in(0))});
    l.attrs.axis = attr_int(n, "axis", -1);
    const std::optional<Shape> scale = static_shape(in(1));
    if (!scale) fail("scale must be a constant or a graph input");
    l.weights = {{"gamma", *scale}};
    if (has_input(n, 2)) {
      const std::optional<Shape> bias = static_shape(n.input(2));
      if (!bias) fail("bias must be a constant or a graph input");
      l.weights.push_back({"beta", *bias});
    }
    const std::string x = l.inputs[0];
    const int64_t axis = normalize_axis(named(n.output(0)), l.attrs.axis, shape_of(x).size());
    emit(std::move(l), dtype_of(in(0)));
    // The optional Mean and InvStdDev outputs: reductions over the normalized axes.
    for (int i = 1; i < n.output_size() && i < 3; ++i) {
      if (n.output(i).empty()) continue;
      Node r = make(OpKind::kReduce, {x});
      r.name = n.output(i);
      r.attrs.mode = i == 1 ? "mean" : "inv_std_dev";
      for (int64_t a = axis; a < static_cast<int64_t>(shape_of(x).size()); ++a)
        r.attrs.dims.push_back(a);
      r.dtype = DType::kF32;
      graph_.add(std::move(r));
      produced_[n.output(i)] = n.output(i);
    }
    return;
  }
  if (auto u = kUnary.find(op); u != kUnary.end()) {
    std::string mode = u->second;
    if (op == "Clip" && has_input(n, 1) && has_input(n, 2) && is_const(n.input(1)) &&
        is_const(n.input(2)) && constant(n.input(1)).has_values &&
        constant(n.input(2)).has_values && const_reals(n.input(1)) == std::vector<double>{0.0} &&
        const_reals(n.input(2)) == std::vector<double>{6.0}) {
      mode = "relu6";
    }
    if (kFusable.count(u->second)) {
      if (auto p = fusable_producer(in(0))) return fold_into(*p, in(0), {}, mode);
    }
    Node a = make(OpKind::kActivation, {activation(in(0))});
    a.attrs.mode = mode;
    return emit(std::move(a), dtype_of(in(0)));
  }
  if (auto e = kElementwiseOps.find(op); e != kElementwiseOps.end()) {
    Node x = make(OpKind::kElementwise, {});
    for (const std::string& operand : n.input()) {
      if (!operand.empty()) x.inputs.push_back(activation(operand));
    }
    x.attrs.mode = e->second;
    return emit(std::move(x), dtype_of(in(0)));
  }
  if (op == "ArgMax" || op == "ArgMin") {
    return reduce(n, op == "ArgMax" ? "argmax" : "argmin", {attr_int(n, "axis", 0)},
                  attr_int(n, "keepdims", 1) != 0);
  }
  if (op == "InstanceNormalization") {
    const std::optional<Shape> scale = static_shape(in(1));
    const std::optional<Shape> shift = static_shape(in(2));
    if (!scale || !shift) fail("scale and bias must be constants or graph inputs");
    Node a = make(OpKind::kActivation, {activation(in(0))});
    a.attrs.mode = "instance_norm";
    a.weights = {{"scale", *scale}, {"shift", *shift}};
    return emit(std::move(a), dtype_of(in(0)));
  }
  if (op == "Size") {
    set_const(n.output(0), {{}, DType::kI64, true, {volume(shape_of(in(0)))}, {}});
    return;
  }
  if (op == "ConstantOfShape") {
    set_const(n.output(0), {const_ints(in(0)), DType::kF32, false, {}, {}});
    return;
  }
  if (op == "Expand" || op == "Tile" || op == "DepthToSpace" || op == "SpaceToDepth") {
    return reshuffle(n);
  }
  if (op == "PRelu") {
    const std::optional<Shape> slope = static_shape(in(1));
    if (!slope) fail("slope must be a constant or a graph input");
    Node a = make(OpKind::kActivation, {activation(in(0))});
    a.attrs.mode = "prelu";
    a.weights = {{"slope", slope->empty() ? Shape{1} : *slope}};
    return emit(std::move(a), dtype_of(in(0)));
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    Node s = make(OpKind::kSoftmax, {activation(in(0))});
    s.attrs.axis = attr_int(n, "axis", opset_ >= 13 ? -1 : 1);
    return emit(std::move(s), dtype_of(in(0)));
  }
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
      op == "GlobalMaxPool") {
    return pool(n);
  }
  if (auto r = kReduce.find(op); r != kReduce.end()) {
    std::vector<int64_t> axes = attr_ints(n, "axes").value_or(std::vector<int64_t>{});
    if (has_input(n, 1)) axes = const_ints(n.input(1));
    if (axes.empty() && attr_int(n, "noop_with_empty_axes", 0) != 0) return alias(in(0));
    return reduce(n, r->second, axes, attr_int(n, "keepdims", 1) != 0);
  }
  if (auto b = kBinary.find(op); b != kBinary.end()) {
    // A constant added to a layer's output is its bias (when it has one value per channel).
    if (op == "Add" && is_const(in(1)) && !is_const(in(0))) {
      if (auto p = fusable_producer(in(0))) {
        const Node& layer = graph_.node(*p);
        const Shape& c = constant(in(1)).dims;
        const int64_t axis = layer.op == OpKind::kGemm ? layer.attrs.axis : 1;
        const auto joint = broadcast(layer.shape, c);
        const bool has_bias = std::any_of(layer.weights.begin(), layer.weights.end(),
                                          [](const WeightTensor& w) { return w.name == "bias"; });
        if (!has_bias && joint && *joint == layer.shape && volume(c) == layer.shape[axis]) {
          return fold_into(*p, in(0), {{"bias", {layer.shape[axis]}}});
        }
      }
    }
    Node e = make(b->second, {});
    for (const std::string& operand : n.input()) e.inputs.push_back(activation(operand));
    return emit(std::move(e), dtype_of(in(0)));
  }
  if (op == "Concat") {
    Node c = make(OpKind::kConcat, {});
    for (const std::string& operand : n.input()) c.inputs.push_back(activation(operand));
    c.attrs.axis = attr_int(n, "axis", 0);
    return emit(std::move(c), dtype_of(in(0)));
  }
  if (op == "Reshape") {
    const Shape data = shape_of(in(0));
    std::vector<int64_t> dims =
        opset_ < 5 ? attr_ints(n, "shape").value_or(std::vector<int64_t>{}) : const_ints(in(1));
    if (attr_int(n, "allowzero", 0) != 0 && std::find(dims.begin(), dims.end(), 0) != dims.end()) {
      fail("allowzero with a zero dimension gives an empty tensor");
    }
    if (is_const(in(0))) {
      Node probe = make(OpKind::kReshape, {});
      probe.name = n.output(0);
      probe.attrs.dims = dims;
      Constant c = constant(in(0));
      c.dims = infer_shape(probe, {data});
      set_const(n.output(0), std::move(c));
      return;
    }
    return reshape_to(in(0), dims);
  }
  if (op == "Flatten") {
    Node f = make(OpKind::kFlatten, {activation(in(0))});
    f.attrs.axis = attr_int(n, "axis", 1);
    return emit(std::move(f), dtype_of(in(0)));
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    const Shape data = shape_of(in(0));
    std::vector<int64_t> axes = attr_ints(n, "axes").value_or(std::vector<int64_t>{});
    if (has_input(n, 1)) axes = const_ints(n.input(1));
    Shape out;
    if (op == "Squeeze") {
      std::vector<bool> drop(data.size(), axes.empty());
      for (int64_t a : axes) {
        const int64_t axis = a < 0 ? a + static_cast<int64_t>(data.size()) : a;
        if (axis < 0 || axis >= static_cast<int64_t>(data.size()) || data[axis] != 1) {
          fail(fmt::format("cannot squeeze axis {} of {}", a, shape_string(data)));
        }
        drop[axis] = true;
      }
      for (size_t i = 0; i < data.size(); ++i) {
        if (!(drop[i] && data[i] == 1)) out.push_back(data[i]);
      }
    } else {
      const int64_t rank = static_cast<int64_t>(data.size() + axes.size());
      std::vector<bool> inserted(rank, false);
      for (int64_t a : axes) {
        const int64_t axis = a < 0 ? a + rank : a;
        if (axis < 0 || axis >= rank || inserted[axis]) fail("bad unsqueeze axes");
        inserted[axis] = true;
      }
      size_t next = 0;
      for (int64_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? 1 : data.at(next++));
    }
    if (is_const(in(0))) {
      Constant c = constant(in(0));
      c.dims = out;
      set_const(n.output(0), std::move(c));
      return;
    }
    return reshape_to(in(0), out);
  }
  if (op == "Transpose") {
    const Shape data = shape_of(in(0));
    std::vector<int64_t> perm = attr_ints(n, "perm").value_or(std::vector<int64_t>{});
    if (perm.empty()) {
      for (size_t i = data.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    }
    Node t = make(OpKind::kTranspose, {activation(in(0))});
    t.attrs.dims = std::move(perm);
    return emit(std::move(t), dtype_of(in(0)));
  }
  if (op == "Resize" || op == "Upsample") return resize(n);
  if (op == "Pad") {
    std::vector<int64_t> pads =
        opset_ < 11 ? attr_ints(n, "pads").value_or(std::vector<int64_t>{}) : const_ints(in(1));
    if (has_input(n, 3)) fail("Pad with an axes input is not supported");
    Node p = make(OpKind::kPad, {activation(in(0))});
    p.attrs.mode = attr_string(n, "mode", "constant");
    p.attrs.dims = std::move(pads);
    return emit(std::move(p), dtype_of(in(0)));
  }
  if (op == "Slice") return slice(n);
  if (op == "Split") return split(n);
  if (op == "Gather") {
    const int64_t axis_attr = attr_int(n, "axis", 0);
    const std::optional<Shape> table = static_shape(in(0));
    const Shape indices = shape_of(in(1));
    if (table && table->size() == 2 && axis_attr == 0 && !is_const(in(1))) {
      Node e = make(OpKind::kEmbedding, {activation(in(1))});
      e.attrs.vocab = (*table)[0];
      e.attrs.out_channels = (*table)[1];
      return emit(std::move(e), is_const(in(0)) ? constant(in(0)).dtype : DType::kF32);
    }
    const Shape data = shape_of(in(0));
    const int64_t axis = normalize_axis(named(n.output(0)), axis_attr, data.size());
    Shape out(data.begin(), data.begin() + axis);
    out.insert(out.end(), indices.begin(), indices.end());
    out.insert(out.end(), data.begin() + axis + 1, data.end());
    if (out.empty()) fail("scalar results are not supported");
    Node g = make(OpKind::kCustom, {activation(in(0))});
    g.attrs.mode = "gather";
    g.shape = out;
    if (!is_const(in(1))) g.inputs.push_back(activation(in(1)));
    return emit(std::move(g), dtype_of(in(0)));
  }
  fail(fmt::format("unsupported ONNX operator '{}'", op));
}

}  // namespace

bool onnx_import_available() { return true; }

OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& name,
                             const OnnxImportOptions& options) {
  google::protobuf::SetLogHandler(nullptr);  // errors come back as one UserError line, not logs
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    throw UserError(
        fmt::format("{}: not a valid ONNX model (truncated or corrupt protobuf)", name));
  }
  if (!model.has_graph()) throw UserError(fmt::format("{}: ONNX model has no graph", name));
  try {
    return Importer(model, std::filesystem::path(name).stem().string(), options).run();
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", name, e.what()));
  }
}

OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open file", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return import_onnx_bytes(bytes.str(), path, options);
}

Shape onnx_tensor_file_dims(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open file", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes.str())) throw UserError(fmt::format("{}: not a TensorProto", path));
  return Shape(t.dims().begin(), t.dims().end());
}

}  // namespace accelgen::graph
