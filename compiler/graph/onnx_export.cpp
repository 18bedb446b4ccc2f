// IR -> ONNX (opset 17). Weights are written as external-data references (the IR holds shapes,
// not values), so the file describes the network exactly but carries no parameters; small
// constants the structure needs (Reshape targets, Resize scales) are stored inline. Folded batch
// norm, biases and fused activations are written out as their own ONNX nodes again.
#include <fmt/format.h>

#include <fstream>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph {
namespace {

int onnx_type(DType d) {
  using T = onnx::TensorProto;
  switch (d) {
    case DType::kF32:
      return T::FLOAT;
    case DType::kF64:
      return T::DOUBLE;
    case DType::kF16:
      return T::FLOAT16;
    case DType::kBF16:
      return T::BFLOAT16;
    case DType::kI64:
      return T::INT64;
    case DType::kI32:
      return T::INT32;
    case DType::kI16:
      return T::INT16;
    case DType::kI8:
      return T::INT8;
    case DType::kU8:
      return T::UINT8;
    case DType::kBool:
      return T::BOOL;
  }
  return T::FLOAT;
}

class Exporter {
 public:
  explicit Exporter(const Graph& g) : g_(g) {
    model_.set_ir_version(8);
    model_.set_producer_name("accelgen");
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(17);
    out_ = model_.mutable_graph();
    out_->set_name(g.name());
  }

  std::string run() {
    const auto readers = g_.consumers();
    for (size_t i = 0; i < g_.size(); ++i) {
      const Node& n = g_.node(i);
      export_node(n);
      if (readers[i].empty()) {
        auto* v = out_->add_output();
        v->set_name(n.name);
        v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx_type(n.dtype));
      }
    }
    return model_.SerializeAsString();
  }

 private:
  [[noreturn]] void fail(const Node& n, const std::string& why) const {
    throw UserError(
        fmt::format("node '{}' ({}): cannot export to ONNX: {}", n.name, to_string(n.op), why));
  }

  // A weight as an initializer whose values live in an external file that is not written.
  std::string weight(const Node& n, const std::string& name, const Shape& dims) {
    auto* t = out_->add_initializer();
    t->set_name(n.name + "." + name);
    t->set_data_type(onnx_type(n.dtype));
    for (int64_t d : dims) t->add_dims(d);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* location = t->add_external_data();
    location->set_key("location");
    location->set_value(g_.name() + ".weights");
    return t->name();
  }
  const Shape* find_weight(const Node& n, const std::string& name) const {
    for (const WeightTensor& w : n.weights) {
      if (w.name == name) return &w.shape;
    }
    return nullptr;
  }
  std::string ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = out_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return name;
  }
  std::string floats(const std::string& name, const std::vector<float>& values, bool scalar) {
    auto* t = out_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    if (!scalar) t->add_dims(static_cast<int64_t>(values.size()));
    for (float v : values) t->add_float_data(v);
    return name;
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in,
                        const std::string& out) {
    auto* n = out_->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const std::string& i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void ints_attr(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void int_attr(onnx::NodeProto* n, const char* name, int64_t value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  static void string_attr(onnx::NodeProto* n, const char* name, const std::string& value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(value);
  }

  // Writes activation `mode` on tensor `x` into tensor `out`.
  void activation(const Node& n, const std::string& mode, const std::string& x,
                  const std::string& out) {
    static const std::map<std::string, std::string> kOps = {{"relu", "Relu"},
                                                            {"leaky_relu", "LeakyRelu"},
                                                            {"sigmoid", "Sigmoid"},
                                                            {"tanh", "Tanh"},
                                                            {"hard_swish", "HardSwish"},
                                                            {"hard_sigmoid", "HardSigmoid"},
                                                            {"elu", "Elu"},
                                                            {"selu", "Selu"},
                                                            {"softplus", "Softplus"},
                                                            {"erf", "Erf"},
                                                            {"exp", "Exp"},
                                                            {"sqrt", "Sqrt"}};
    if (auto it = kOps.find(mode); it != kOps.end()) {
      node(it->second, {x}, out);
    } else if (mode == "relu6") {
      node("Clip", {x, floats(out + ".min", {0.0f}, true), floats(out + ".max", {6.0f}, true)},
           out);
    } else if (mode == "swish") {
      node("Mul", {x, node("Sigmoid", {x}, out + ".sigmoid")->output(0)}, out);
    } else if (mode == "softmax") {
      int_attr(node("Softmax", {x}, out), "axis", int64_t{-1});
    } else if (mode == "gelu") {  // the exporters' Erf form, which the importer recognizes
      const std::string d =
          node("Div", {x, floats(out + ".sqrt2", {1.41421356f}, true)}, out + ".div")->output(0);
      const std::string e = node("Erf", {d}, out + ".erf")->output(0);
      const std::string a =
          node("Add", {e, floats(out + ".one", {1.0f}, true)}, out + ".add")->output(0);
      const std::string m = node("Mul", {x, a}, out + ".mul")->output(0);
      node("Mul", {m, floats(out + ".half", {0.5f}, true)}, out);
    } else {
      fail(n, fmt::format("activation '{}'", mode));
    }
  }

  // The node's own operator writes tensor `out`; folded extras and the activation follow.
  void export_node(const Node& n) {
    const bool post = !n.activation.empty() || find_weight(n, "bn_scale") != nullptr ||
                      (n.op == OpKind::kGemm && find_weight(n, "bias") != nullptr);
    std::string y = post ? n.name + ".core" : n.name;
    std::vector<std::string> in = n.inputs;
    const Attrs& a = n.attrs;
    switch (n.op) {
      case OpKind::kInput: {
        auto* v = out_->add_input();
        v->set_name(n.name);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx_type(n.dtype));
        for (int64_t d : n.shape) t->mutable_shape()->add_dim()->set_dim_value(d);
        return;
      }
      case OpKind::kConv:
      case OpKind::kConvTranspose: {
        in.push_back(weight(n, "weight", n.weights.front().shape));
        if (const Shape* b = find_weight(n, "bias")) in.push_back(weight(n, "bias", *b));
        auto* c = node(n.op == OpKind::kConv ? "Conv" : "ConvTranspose", in, y);
        ints_attr(c, "kernel_shape", {a.kernel[0], a.kernel[1]});
        ints_attr(c, "strides", {a.stride[0], a.stride[1]});
        ints_attr(c, "dilations", {a.dilation[0], a.dilation[1]});
        ints_attr(c, "pads", {a.pads[0], a.pads[1], a.pads[2], a.pads[3]});
        int_attr(c, "group", a.groups);
        if (n.op == OpKind::kConvTranspose) {
          ints_attr(c, "output_padding", {a.output_padding[0], a.output_padding[1]});
        }
        break;
      }
      case OpKind::kGemm: {
        if (a.axis != static_cast<int64_t>(n.shape.size()) - 1)
          fail(n, "feature axis is not the last");
        node("MatMul", {in[0], weight(n, "weight", n.weights.front().shape)}, y);
        break;
      }
      case OpKind::kMatMul:
        node("MatMul", in, y);
        break;
      case OpKind::kPool: {
        if (a.mode == "global_avg" || a.mode == "global_max") {
          node(a.mode == "global_avg" ? "GlobalAveragePool" : "GlobalMaxPool", in, y);
          break;
        }
        auto* p = node(a.mode == "max" ? "MaxPool" : "AveragePool", in, y);
        ints_attr(p, "kernel_shape", {a.kernel[0], a.kernel[1]});
        ints_attr(p, "strides", {a.stride[0], a.stride[1]});
        ints_attr(p, "pads", {a.pads[0], a.pads[1], a.pads[2], a.pads[3]});
        int_attr(p, "ceil_mode", int64_t{a.ceil_mode ? 1 : 0});
        break;
      }
      case OpKind::kAdd:
      case OpKind::kSub:
      case OpKind::kMul:
      case OpKind::kDiv: {
        const char* op = n.op == OpKind::kAdd   ? "Add"
                         : n.op == OpKind::kSub ? "Sub"
                         : n.op == OpKind::kMul ? "Mul"
                                                : "Div";
        std::string acc = in[0];
        for (size_t i = 1; i < in.size(); ++i) {
          const std::string out = i + 1 == in.size() ? y : fmt::format("{}.partial{}", y, i);
          acc = node(op, {acc, in[i]}, out)->output(0);
        }
        break;
      }
      case OpKind::kConcat:
        int_attr(node("Concat", in, y), "axis", a.axis);
        break;
      case OpKind::kUpsample: {
        const Shape& x = g_.node(in[0]).shape;
        const std::string roi = floats(y + ".roi", {}, false);
        auto* r =
            a.dims.empty()
                ? node("Resize",
                       {in[0], roi,
                        floats(y + ".scales",
                               {1.0f, 1.0f, static_cast<float>(a.scale[0]),
                                static_cast<float>(a.scale[1])},
                               false)},
                       y)
                : node("Resize",
                       {in[0], roi, "", ints(y + ".sizes", {x[0], x[1], a.dims[0], a.dims[1]})}, y);
        if (a.mode == "zero_insert") fail(n, "zero-insert upsampling has no ONNX Resize mode");
        string_attr(r, "mode",
                    a.mode == "nearest"    ? std::string("nearest")
                    : a.mode == "bilinear" ? std::string("linear")
                                           : std::string("cubic"));
        break;
      }
      case OpKind::kActivation:
        activation(n, a.mode, in[0], y);
        break;
      case OpKind::kBatchNorm: {
        const Shape c = {g_.node(in[0]).shape.at(1)};
        node("BatchNormalization",
             {in[0], weight(n, "scale", c), weight(n, "shift", c), weight(n, "mean", c),
              weight(n, "var", c)},
             y);
        break;
      }
      case OpKind::kLayerNorm: {
        auto* l = node("LayerNormalization",
                       {in[0], weight(n, "gamma", n.weights.at(0).shape),
                        weight(n, "beta", n.weights.at(1).shape)},
                       y);
        int_attr(l, "axis", a.axis);
        break;
      }
      case OpKind::kSoftmax:
        int_attr(node("Softmax", in, y), "axis", a.axis);
        break;
      case OpKind::kReshape:
        node("Reshape", {in[0], ints(y + ".shape", n.shape)}, y);
        break;
      case OpKind::kFlatten:
        int_attr(node("Flatten", in, y), "axis", a.axis);
        break;
      case OpKind::kTranspose:
        ints_attr(node("Transpose", in, y), "perm", a.dims);
        break;
      case OpKind::kEmbedding:
        node("Gather", {weight(n, "weight", n.weights.front().shape), in[0]}, y);
        break;
      case OpKind::kCustom:
        if (a.mode == "select_first_token") {
          auto* t = out_->add_initializer();  // a scalar index: the gather drops the axis
          t->set_name(y + ".index");
          t->set_data_type(onnx::TensorProto::INT64);
          t->add_int64_data(0);
          int_attr(node("Gather", {in[0], t->name()}, y), "axis", int64_t{1});
        } else if (a.mode == "parameter" && in.empty()) {
          const Shape& w = n.weights.front().shape;
          if (w == n.shape) {
            node("Identity", {weight(n, "value", w)}, y);
          } else {
            node("Expand", {weight(n, "value", w), ints(y + ".shape", n.shape)}, y);
          }
        } else {
          fail(n, fmt::format("custom operator '{}'", a.mode));
        }
        break;
      default:
        fail(n, "operator not exported yet");
    }
    // Folded parts, in the order an exporter writes them: bias, batch norm, activation.
    if (n.op == OpKind::kGemm && find_weight(n, "bias") != nullptr) {
      const std::string next =
          find_weight(n, "bn_scale") || !n.activation.empty() ? y + ".bias" : n.name;
      node("Add", {y, weight(n, "bias", *find_weight(n, "bias"))}, next);
      y = next;
    }
    if (const Shape* scale = find_weight(n, "bn_scale")) {
      const std::string next = n.activation.empty() ? n.name : y + ".bn";
      node("BatchNormalization",
           {y, weight(n, "bn_scale", *scale), weight(n, "bn_shift", *scale),
            weight(n, "bn_mean", *scale), weight(n, "bn_var", *scale)},
           next);
      y = next;
    }
    if (!n.activation.empty()) activation(n, n.activation, y, n.name);
  }

  const Graph& g_;
  onnx::ModelProto model_;
  onnx::GraphProto* out_;
};

}  // namespace

std::string export_onnx(const Graph& graph) { return Exporter(graph).run(); }

void save_onnx_file(const Graph& graph, const std::string& path) {
  const std::string bytes = export_onnx(graph);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw UserError(fmt::format("{}: cannot write file", path));
  out << bytes;
  if (!out) throw UserError(fmt::format("{}: write failed", path));
}

}  // namespace accelgen::graph
