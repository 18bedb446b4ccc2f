#include "compiler/graph/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/error.hpp"
#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph {
namespace {

constexpr std::pair<OpKind, const char*> kOpNames[] = {
    {OpKind::kInput, "input"},
    {OpKind::kConv, "conv"},
    {OpKind::kConvTranspose, "conv_transpose"},
    {OpKind::kGemm, "gemm"},
    {OpKind::kMatMul, "matmul"},
    {OpKind::kPool, "pool"},
    {OpKind::kAdd, "add"},
    {OpKind::kSub, "sub"},
    {OpKind::kMul, "mul"},
    {OpKind::kDiv, "div"},
    {OpKind::kConcat, "concat"},
    {OpKind::kUpsample, "upsample"},
    {OpKind::kActivation, "activation"},
    {OpKind::kBatchNorm, "batch_norm"},
    {OpKind::kLayerNorm, "layer_norm"},
    {OpKind::kSoftmax, "softmax"},
    {OpKind::kReshape, "reshape"},
    {OpKind::kFlatten, "flatten"},
    {OpKind::kTranspose, "transpose"},
    {OpKind::kSlice, "slice"},
    {OpKind::kPad, "pad"},
    {OpKind::kReduce, "reduce"},
    {OpKind::kElementwise, "elementwise"},
    {OpKind::kEmbedding, "embedding"},
    {OpKind::kLstm, "lstm"},
    {OpKind::kCustom, "custom"},
};

constexpr std::pair<DType, const char*> kDTypeNames[] = {
    {DType::kF32, "f32"}, {DType::kF64, "f64"},   {DType::kF16, "f16"}, {DType::kBF16, "bf16"},
    {DType::kI64, "i64"}, {DType::kI32, "i32"},   {DType::kI16, "i16"}, {DType::kI8, "i8"},
    {DType::kU8, "u8"},   {DType::kBool, "bool"},
};

}  // namespace

const char* to_string(OpKind op) {
  for (const auto& [kind, name] : kOpNames) {
    if (kind == op) return name;
  }
  return "?";
}

const char* to_string(DType dtype) {
  for (const auto& [kind, name] : kDTypeNames) {
    if (kind == dtype) return name;
  }
  return "?";
}

std::optional<OpKind> op_from_string(const std::string& text) {
  for (const auto& [kind, name] : kOpNames) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::optional<DType> dtype_from_string(const std::string& text) {
  for (const auto& [kind, name] : kDTypeNames) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::string shape_string(const Shape& shape) {
  return shape.empty() ? std::string("scalar") : fmt::format("{}", fmt::join(shape, "x"));
}

const Node& Graph::add(Node node) {
  if (node.name.empty()) throw UserError("a node has an empty name");
  if (index_.count(node.name) != 0) {
    throw UserError(fmt::format("duplicate node name '{}'", node.name));
  }
  std::vector<Shape> inputs;
  for (const std::string& producer : node.inputs) {
    auto it = index_.find(producer);
    if (it == index_.end()) {
      throw UserError(
          fmt::format("node '{}' reads '{}', which is not an earlier node", node.name, producer));
    }
    inputs.push_back(nodes_[it->second].shape);
  }
  if (node.op == OpKind::kInput && !node.inputs.empty()) {
    throw UserError(fmt::format("input node '{}' must not have inputs", node.name));
  }
  Shape inferred = infer_shape(node, inputs);
  if (!node.shape.empty() && node.shape != inferred) {
    throw UserError(fmt::format("node '{}' ({}): declared shape {} but inputs give {}", node.name,
                                to_string(node.op), shape_string(node.shape),
                                shape_string(inferred)));
  }
  node.shape = std::move(inferred);

  const std::optional<Shape> weight = expected_weight_shape(node, inputs);
  if (node.weights.empty() && weight) node.weights.push_back({"weight", *weight});
  if (weight && (node.weights.front().name != "weight" || node.weights.front().shape != *weight)) {
    throw UserError(fmt::format("node '{}' ({}): first weight must be 'weight' of shape {}",
                                node.name, to_string(node.op), shape_string(*weight)));
  }
  std::set<std::string> weight_names;
  for (const WeightTensor& w : node.weights) {
    if (!weight_names.insert(w.name).second || w.name.empty()) {
      throw UserError(
          fmt::format("node '{}': weight names must be unique and non-empty", node.name));
    }
    volume(w.shape);
  }
  if (!node.weight_shared_with.empty()) {
    auto it = index_.find(node.weight_shared_with);
    if (it == index_.end()) {
      throw UserError(fmt::format("node '{}' shares weights with unknown node '{}'", node.name,
                                  node.weight_shared_with));
    }
    const Node& owner = nodes_[it->second];
    if (owner.weights.empty() || owner.weights.front().shape != node.weights.front().shape) {
      throw UserError(fmt::format("node '{}' shares weights with '{}' of a different shape",
                                  node.name, owner.name));
    }
  }
  index_.emplace(node.name, nodes_.size());
  nodes_.push_back(std::move(node));
  return nodes_.back();
}

void Graph::fuse(const std::string& name, const std::vector<WeightTensor>& extra,
                 const std::string& activation) {
  const auto index = find(name);
  if (!index) throw UserError(fmt::format("graph '{}' has no node '{}'", name_, name));
  Node& node = nodes_[*index];
  for (const WeightTensor& w : extra) {
    for (const WeightTensor& have : node.weights) {
      if (have.name == w.name) {
        throw UserError(fmt::format("node '{}' already has a weight '{}'", name, w.name));
      }
    }
    volume(w.shape);
    node.weights.push_back(w);
  }
  if (!activation.empty()) node.activation = activation;
}

std::optional<size_t> Graph::find(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

const Node& Graph::node(const std::string& name) const {
  auto index = find(name);
  if (!index) throw UserError(fmt::format("graph '{}' has no node '{}'", name_, name));
  return nodes_[*index];
}

std::vector<Shape> Graph::input_shapes(const Node& node) const {
  std::vector<Shape> shapes;
  for (const std::string& producer : node.inputs) shapes.push_back(this->node(producer).shape);
  return shapes;
}

std::vector<std::vector<size_t>> Graph::consumers() const {
  std::vector<std::vector<size_t>> out(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const std::string& producer : nodes_[i].inputs) out[index_.at(producer)].push_back(i);
  }
  return out;
}

std::vector<Node> topological_sort(std::vector<Node> nodes) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!index.emplace(nodes[i].name, i).second) {
      throw UserError(fmt::format("duplicate node name '{}'", nodes[i].name));
    }
  }
  std::vector<size_t> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> users(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& producer : nodes[i].inputs) {
      auto it = index.find(producer);
      if (it == index.end()) {
        throw UserError(fmt::format("node '{}' reads '{}', which is not a node (dangling edge)",
                                    nodes[i].name, producer));
      }
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  // Kahn's algorithm with a min-heap on the original position keeps the given order when valid.
  std::set<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  while (!ready.empty()) {
    const size_t i = *ready.begin();
    ready.erase(ready.begin());
    for (size_t user : users[i]) {
      if (--pending[user] == 0) ready.insert(user);
    }
    sorted.push_back(std::move(nodes[i]));
  }
  if (sorted.size() != nodes.size()) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (pending[i] != 0) {
        throw UserError(fmt::format("the graph has a cycle through node '{}'", nodes[i].name));
      }
    }
  }
  return sorted;
}

Graph subgraph(const Graph& graph, const std::vector<std::string>& keep) {
  std::set<std::string> wanted;
  for (const std::string& name : keep) {
    graph.node(name);  // throws on an unknown name
    wanted.insert(name);
  }
  Graph out(graph.name() + ".sub");
  std::set<std::string> boundary;
  for (const Node& node : graph.nodes()) {
    if (wanted.count(node.name) == 0) continue;
    for (const std::string& producer : node.inputs) {
      if (wanted.count(producer) == 0 && boundary.insert(producer).second) {
        Node input;
        input.name = producer;
        input.op = OpKind::kInput;
        input.shape = graph.node(producer).shape;
        input.dtype = graph.node(producer).dtype;
        out.add(std::move(input));
      }
    }
    Node copy = node;
    if (!copy.weight_shared_with.empty() && wanted.count(copy.weight_shared_with) == 0) {
      copy.weight_shared_with.clear();  // the owner is outside: this copy now holds the weights
    }
    out.add(std::move(copy));
  }
  return out;
}

}  // namespace accelgen::graph
