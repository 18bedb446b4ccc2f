// Dispatch of every supported ONNX operator to the IR; anything else is a clear error.
#include <algorithm>
#include <limits>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph::onnx_detail {

namespace {

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
                                                    {"ReduceLogSumExp", "log_sum_exp"},
                                                    {"ReduceLogSum", "log_sum"}};

}  // namespace

void Importer::import_node(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.domain() != "" && n.domain() != "ai.onnx") {
    fail(fmt::format("unsupported ONNX operator '{}' from domain '{}'", op, n.domain()));
  }
  if (n.output_size() < 1) fail("has no outputs");
  if (fold_constant(n)) return;
  auto in = [&](int i) -> const std::string& {
    if (!has_input(n, i)) fail(fmt::format("missing input {}", i));
    return input_of(n, i);
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
    if (has_input(n, 8)) plain.add_input(input_of(n, 8));
    return conv(plain, false, 1, 2, out);
  }
  if (op == "Gemm") {
    return gemm_like(in(0), in(1), has_input(n, 2) ? input_of(n, 2) : "",
                     attr_int(n, "transA", 0) != 0, attr_int(n, "transB", 0) != 0, dtype_of(in(0)));
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
      const std::optional<Shape> bias = static_shape(input_of(n, 2));
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
    if (op == "Clip" && has_input(n, 1) && has_input(n, 2) && is_const(input_of(n, 1)) &&
        is_const(input_of(n, 2)) && constant(input_of(n, 1)).has_values &&
        constant(input_of(n, 2)).has_values &&
        const_reals(input_of(n, 1)) == std::vector<double>{0.0} &&
        const_reals(input_of(n, 2)) == std::vector<double>{6.0}) {
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
  if (op == "Expand" || op == "Tile" || op == "DepthToSpace" || op == "SpaceToDepth" ||
      op == "GatherElements" || op == "GatherND" || op == "ScatterElements" || op == "Scatter" ||
      op == "ScatterND" || op == "OneHot" || op == "TopK") {
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
    if (has_input(n, 1)) axes = const_ints(input_of(n, 1));
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
    if (has_input(n, 1)) axes = const_ints(input_of(n, 1));
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

// A recognized Erf-based GELU: one activation producing the pattern's output, fused into the
// layer producing `x` when only the pattern reads `x`.
void Importer::import_gelu(const std::string& x, const std::string& output) {
  if (auto layer = fusable_producer(x, 2)) {  // read by the pattern's Div and Mul only
    graph_.fuse(*layer, {}, "gelu");
    produced_[output] = *layer;
    return;
  }
  Node a = make(OpKind::kActivation, {activation(x)});
  a.name = output;
  a.attrs.mode = "gelu";
  a.dtype = dtype_of(x);
  graph_.add(std::move(a));
  produced_[output] = output;
}

}  // namespace accelgen::graph::onnx_detail
