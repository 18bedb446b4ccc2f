#include "compiler/graph/xrbench_import.hpp"

#include <fmt/format.h>


#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/json_io.hpp"

namespace accelgen::graph {
namespace {

using nlohmann::json;

// The file's layers carry [C, H, W]; the IR prefixes the batch (per-RoI layers run `batch` times).
Shape with_batch(int64_t batch, const std::vector<int64_t>& chw) {
  Shape s = {batch};
  s.insert(s.end(), chw.begin(), chw.end());
  return s;
}

// TensorFlow "same" padding: output = ceil(in / stride), extra padding goes to the bottom/right.
std::array<int64_t, 2> same_padding(int64_t in, int64_t kernel, int64_t stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

void set_window(const json& layer, Node& node) {
  layer.at("kernel").get_to(node.attrs.kernel);
  layer.at("stride").get_to(node.attrs.stride);
  if (!layer.contains("padding")) return;
  const json& padding = layer.at("padding");
  if (padding.is_string()) {
    if (padding != "same") throw UserError("padding must be [ph, pw] or \"same\"");
    const auto in = layer.at("in").get<std::vector<int64_t>>();
    if (in.size() != 3) throw UserError("\"in\" must be [C, H, W]");
    const auto h = same_padding(in[1], node.attrs.kernel[0], node.attrs.stride[0]);
    const auto w = same_padding(in[2], node.attrs.kernel[1], node.attrs.stride[1]);
    node.attrs.pads = {h[0], w[0], h[1], w[1]};
  } else {
    const auto p = padding.get<std::array<int64_t, 2>>();
    node.attrs.pads = {p[0], p[1], p[0], p[1]};
  }
}

// The files list no padding for pooling layers (e.g. ResNet's 3x3/2 max pool pads by 1): take the
// smallest symmetric padding that reproduces the listed output size on each axis.
void infer_pool_padding(const json& layer, Node& node) {
  const auto in = layer.at("in").get<std::vector<int64_t>>();
  const auto out = layer.at("out").get<std::vector<int64_t>>();
  if (in.size() != 3 || out.size() != 3) return;  // reported by the shape check
  for (int d = 0; d < 2; ++d) {
    const int64_t kernel = node.attrs.kernel[d];
    const int64_t stride = node.attrs.stride[d];
    if (kernel < 1 || stride < 1) return;
    for (int64_t pad = 0; pad <= kernel / 2; ++pad) {
      if ((in[1 + d] + 2 * pad - kernel) / stride + 1 == out[1 + d]) {
        node.attrs.pads[d] = node.attrs.pads[d + 2] = pad;
        break;
      }
    }
  }
}

Node layer_to_node(const json& layer) {
  Node node;
  node.name = layer.at("name").get<std::string>();
  layer.at("inputs").get_to(node.inputs);
  const std::string op = layer.at("op").get<std::string>();
  const int64_t batch = layer.value("batch", int64_t{1});
  const auto out = layer.at("out").get<std::vector<int64_t>>();
  if (out.size() != 3) throw UserError("\"out\" must be [K, P, Q]");
  node.shape = with_batch(batch, out);
  if (op == "conv" || op == "dwconv") {
    node.op = OpKind::kConv;
    node.attrs.out_channels = out[0];
    layer.at("groups").get_to(node.attrs.groups);
    set_window(layer, node);
  } else if (op == "gemm") {
    node.op = OpKind::kGemm;
    node.attrs.axis = 1;  // features are the C axis, applied to each of the H*W rows
    node.attrs.out_channels = out[0];
  } else if (op == "pool") {
    node.op = OpKind::kPool;
    node.attrs.mode = layer.at("pool").get<std::string>();
    set_window(layer, node);
    if (!layer.contains("padding")) infer_pool_padding(layer, node);
  } else if (op == "add") {
    node.op = OpKind::kAdd;
  } else if (op == "concat") {
    node.op = OpKind::kConcat;
    node.attrs.axis = 1;
  } else if (op == "upsample") {
    node.op = OpKind::kUpsample;
    node.attrs.mode = layer.at("mode").get<std::string>();
    if (layer.contains("scale")) {
      const auto scale = layer.at("scale").get<std::array<double, 2>>();
      node.attrs.scale = scale;
    } else {
      node.attrs.dims = layer.at("size").get<std::vector<int64_t>>();
    }
  } else if (op == "other") {
    const std::string kind = layer.at("kind").get<std::string>();
    if (kind == "reshape") {
      node.op = OpKind::kReshape;
      node.attrs.dims = node.shape;
    } else if (kind == "channel_scale") {
      node.op = OpKind::kMul;  // squeeze-excitation gate, broadcast over H and W
    } else if (kind == "conv_transpose") {
      node.op = OpKind::kConvTranspose;
      node.attrs.out_channels = out[0];
      set_window(layer, node);
    } else {
      node.op = OpKind::kCustom;
      node.attrs.mode = kind;
      node.attrs.macs = layer.at("macs").get<int64_t>();
    }
  } else {
    throw UserError(fmt::format("unknown op '{}'", op));
  }
  if (layer.contains("weight_shared_with")) {
    layer.at("weight_shared_with").get_to(node.weight_shared_with);
  }
  return node;
}

// The file's own per-layer figures must agree with what the IR derives from the shapes.
void check_layer(const Graph& graph, const json& layer) {
  const Node& node = graph.node(layer.at("name").get<std::string>());
  const NodeStats stats = node_stats(graph, node);
  const int64_t macs = layer.at("macs").get<int64_t>();
  const int64_t weights = layer.at("weights").get<int64_t>();
  if (stats.macs != macs) {
    throw UserError(fmt::format("file lists {} MACs, shapes give {}", macs, stats.macs));
  }
  if (stats.weight_volume != weights) {
    throw UserError(
        fmt::format("file lists {} weights, shapes give {}", weights, stats.weight_volume));
  }
  const std::string op = layer.at("op").get<std::string>();
  if (op == "other" || op == "concat" || node.inputs.empty()) return;
  const Shape in = graph.input_shapes(node).front();
  const Shape listed = with_batch(in[0], layer.at("in").get<std::vector<int64_t>>());
  if (in != listed) {
    throw UserError(fmt::format("\"in\" is {} but producer '{}' gives {}", shape_string(listed),
                                node.inputs.front(), shape_string(in)));
  }
}

}  // namespace

bool is_xrbench_json(const json& j) {
  return j.is_object() && j.contains("model") && j.contains("layers");
}

Graph graph_from_xrbench(const json& j) {
  if (!is_xrbench_json(j))
    throw UserError("not an XRBench layer file (needs \"model\", \"layers\")");
  std::string where = "XRBench file";
  try {
    check_json_numbers(j);
    Graph graph(j.at("model").get<std::string>());
    const auto input = j.at("input").get<std::vector<int64_t>>();
    if (input.size() != 4) throw UserError("\"input\" must be [N, C, H, W]");
    Node in;
    in.name = "input";
    in.op = OpKind::kInput;
    in.shape = input;
    graph.add(std::move(in));
    const json& layers = j.at("layers");
    if (!layers.is_array()) throw UserError("\"layers\" must be an array");
    for (size_t i = 0; i < layers.size(); ++i) {
      where = fmt::format("layer #{}", i);
      if (layers[i].contains("name") && layers[i]["name"].is_string()) {
        where = fmt::format("layer '{}'", layers[i]["name"].get<std::string>());
      }
      graph.add(layer_to_node(layers[i]));
      check_layer(graph, layers[i]);
    }
    return graph;
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw UserError(one_line(fmt::format("{}: {}", where, what)));
  } catch (const UserError& e) {
    throw UserError(one_line(fmt::format("{}: {}", where, e.what())));  // names come from the file
  }
}

Graph load_xrbench_file(const std::string& path) { return load_json_graph_file(path, graph_from_xrbench); }

}  // namespace accelgen::graph
