#include "compiler/graph/builder.hpp"

namespace accelgen::graph {
namespace {

Node make(const std::string& name, OpKind op, std::vector<std::string> inputs) {
  Node node;
  node.name = name;
  node.op = op;
  node.inputs = std::move(inputs);
  return node;
}

}  // namespace

std::string Builder::node(Node node) { return graph_.add(std::move(node)).name; }

std::string Builder::input(const std::string& name, Shape shape, DType dtype) {
  Node n = make(name, OpKind::kInput, {});
  n.shape = std::move(shape);
  n.dtype = dtype;
  return node(std::move(n));
}

std::string Builder::conv(const std::string& name, const std::string& in, int64_t out_channels,
                          int64_t kernel, const ConvOptions& o) {
  Node n = make(name, OpKind::kConv, {in});
  const int64_t pad = o.pad >= 0 ? o.pad : o.dilation * (kernel - 1) / 2;
  n.attrs.out_channels = out_channels;
  n.attrs.kernel = {kernel, kernel};
  n.attrs.stride = {o.stride, o.stride};
  n.attrs.dilation = {o.dilation, o.dilation};
  n.attrs.pads = {pad, pad, pad, pad};
  n.attrs.groups = o.groups;
  n.activation = o.activation;
  n.weights.push_back({"weight", {out_channels, shape(in).at(1) / o.groups, kernel, kernel}});
  if (o.bias) n.weights.push_back({"bias", {out_channels}});
  if (o.batch_norm) {
    n.weights.push_back({"bn_scale", {out_channels}});
    n.weights.push_back({"bn_shift", {out_channels}});
  }
  return node(std::move(n));
}

std::string Builder::dwconv(const std::string& name, const std::string& in, int64_t kernel,
                            ConvOptions o) {
  const int64_t channels = shape(in).at(1);
  o.groups = channels;
  return conv(name, in, channels, kernel, o);
}

std::string Builder::fc(const std::string& name, const std::string& in, int64_t out_features,
                        const std::string& activation, int64_t axis, bool bias) {
  Node n = make(name, OpKind::kGemm, {in});
  const Shape& s = shape(in);
  n.attrs.axis = axis < 0 ? axis + static_cast<int64_t>(s.size()) : axis;
  n.attrs.out_channels = out_features;
  n.activation = activation;
  if (n.attrs.axis >= 0 && n.attrs.axis < static_cast<int64_t>(s.size())) {
    n.weights.push_back({"weight", {s[n.attrs.axis], out_features}});
    if (bias) n.weights.push_back({"bias", {out_features}});
  }
  return node(std::move(n));
}

std::string Builder::pool(const std::string& name, const std::string& in, const std::string& mode,
                          int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  Node n = make(name, OpKind::kPool, {in});
  n.attrs.mode = mode;
  n.attrs.kernel = {kernel, kernel};
  n.attrs.stride = {stride, stride};
  n.attrs.pads = {pad, pad, pad, pad};
  n.attrs.ceil_mode = ceil_mode;
  return node(std::move(n));
}

std::string Builder::global_pool(const std::string& name, const std::string& in,
                                 const std::string& mode) {
  Node n = make(name, OpKind::kPool, {in});
  n.attrs.mode = mode;
  return node(std::move(n));
}

std::string Builder::add(const std::string& name, const std::vector<std::string>& ins,
                         const std::string& activation) {
  Node n = make(name, OpKind::kAdd, ins);
  n.activation = activation;
  return node(std::move(n));
}

std::string Builder::mul(const std::string& name, const std::vector<std::string>& ins) {
  return node(make(name, OpKind::kMul, ins));
}

std::string Builder::concat(const std::string& name, const std::vector<std::string>& ins,
                            int64_t axis) {
  Node n = make(name, OpKind::kConcat, ins);
  n.attrs.axis = axis;
  return node(std::move(n));
}

std::string Builder::upsample(const std::string& name, const std::string& in, double scale,
                              const std::string& mode) {
  Node n = make(name, OpKind::kUpsample, {in});
  n.attrs.mode = mode;
  n.attrs.scale = {scale, scale};
  return node(std::move(n));
}

std::string Builder::activation(const std::string& name, const std::string& in,
                                const std::string& kind) {
  Node n = make(name, OpKind::kActivation, {in});
  n.attrs.mode = kind;
  return node(std::move(n));
}

std::string Builder::flatten(const std::string& name, const std::string& in, int64_t axis) {
  Node n = make(name, OpKind::kFlatten, {in});
  n.attrs.axis = axis;
  return node(std::move(n));
}

std::string Builder::reshape(const std::string& name, const std::string& in,
                             std::vector<int64_t> dims) {
  Node n = make(name, OpKind::kReshape, {in});
  n.attrs.dims = std::move(dims);
  return node(std::move(n));
}

std::string Builder::transpose(const std::string& name, const std::string& in,
                               std::vector<int64_t> perm) {
  Node n = make(name, OpKind::kTranspose, {in});
  n.attrs.dims = std::move(perm);
  return node(std::move(n));
}

std::string Builder::matmul(const std::string& name, const std::string& a, const std::string& b) {
  return node(make(name, OpKind::kMatMul, {a, b}));
}

std::string Builder::softmax(const std::string& name, const std::string& in, int64_t axis) {
  Node n = make(name, OpKind::kSoftmax, {in});
  n.attrs.axis = axis;
  return node(std::move(n));
}

std::string Builder::layer_norm(const std::string& name, const std::string& in) {
  Node n = make(name, OpKind::kLayerNorm, {in});
  n.attrs.axis = -1;
  const int64_t features = shape(in).back();
  n.weights = {{"gamma", {features}}, {"beta", {features}}};
  return node(std::move(n));
}

std::string Builder::embedding(const std::string& name, const std::string& in, int64_t vocab,
                               int64_t dim) {
  Node n = make(name, OpKind::kEmbedding, {in});
  n.attrs.vocab = vocab;
  n.attrs.out_channels = dim;
  return node(std::move(n));
}

std::string Builder::lstm(const std::string& name, const std::string& in, int64_t hidden,
                          bool bidirectional) {
  Node n = make(name, OpKind::kLstm, {in});
  n.attrs.out_channels = hidden;
  n.attrs.bidirectional = bidirectional;
  const int64_t dirs = bidirectional ? 2 : 1;
  // ONNX LSTM layout: W (input weights), R (recurrent weights), B (two bias vectors).
  n.weights = {{"weight", {dirs, 4 * hidden, shape(in).at(2)}},
               {"recurrence", {dirs, 4 * hidden, hidden}},
               {"bias", {dirs, 8 * hidden}}};
  return node(std::move(n));
}

}  // namespace accelgen::graph
