// The graph IR shared by the compiler and the analytical flows: a DAG of operator nodes, each with
// one output tensor (shape + data type), weights as shapes, and edges named by producer.
// Invariant: Graph stores its nodes in a topological order with every output shape inferred and
// checked, so every consumer may walk nodes() front to back.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace accelgen::graph {

using Shape = std::vector<int64_t>;

enum class DType { kF32, kF64, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

enum class OpKind {
  kInput,
  kConv,
  kConvTranspose,
  kGemm,    // fully connected: weight [in_features, out_features] on one axis of the input
  kMatMul,  // activation x activation (e.g. attention), no weights
  kPool,    // mode: max, avg, global_avg, global_max
  kAdd,
  kSub,
  kMul,
  kDiv,
  kConcat,
  kUpsample,    // mode: nearest, bilinear, zero_insert
  kActivation,  // mode: relu, relu6, leaky_relu, sigmoid, tanh, gelu, swish, hard_swish, ...
  kBatchNorm,
  kLayerNorm,
  kSoftmax,
  kReshape,
  kFlatten,
  kTranspose,
  kSlice,        // dims: [start, end, step] for every axis
  kPad,          // dims: [begin_0 .. begin_r-1, end_0 .. end_r-1] (negative crops)
  kReduce,       // mode: mean, sum, max, min, prod, argmax, ...; dims: axes (empty = all); keepdims
  kElementwise,  // any other broadcasting element-wise operator; mode: pow, max, where, equal, ...
  kEmbedding,    // token ids [N, S] -> [N, S, D]
  kLstm,         // [S, N, I] -> [S, N, H * directions]
  kCustom,       // opaque operator: declared output shape and MACs (e.g. NMS, RoIAlign)
};

// Operator attributes. One flat struct keeps the JSON form and the builder simple; each operator
// reads only the fields documented for it in compiler/README.md.
struct Attrs {
  std::array<int64_t, 2> kernel{1, 1};  // R, S (conv, conv_transpose, pool)
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> dilation{1, 1};
  std::array<int64_t, 4> pads{0, 0, 0, 0};  // top, left, bottom, right
  std::array<int64_t, 2> output_padding{0, 0};
  int64_t groups = 1;
  int64_t out_channels = 0;    // conv K, gemm out features, embedding D, lstm hidden size
  int64_t vocab = 0;           // embedding rows
  int64_t axis = 1;            // concat, gemm feature axis, softmax, layer_norm, flatten
  bool ceil_mode = false;      // pool
  bool bidirectional = false;  // lstm
  bool keepdims = true;        // reduce
  std::array<double, 2> scale{1.0, 1.0};  // upsample (H, W)
  std::vector<int64_t> dims;              // reshape target (0 = copy, -1 = infer), transpose perm
  std::string mode;  // pool/upsample/activation kind; custom: what the operator is
  int64_t macs = 0;  // custom only: declared MAC count
};

struct WeightTensor {
  std::string name;  // "weight" first for weight-bearing operators; then e.g. "bias", "bn_scale"
  Shape shape;
};

struct Node {
  std::string name;
  OpKind op = OpKind::kInput;
  std::vector<std::string> inputs;  // producer node names, in operand order
  Shape shape;                      // output shape (inferred, except input and custom)
  DType dtype = DType::kF32;
  Attrs attrs;
  std::vector<WeightTensor> weights;
  std::string activation;          // activation fused into this node's output ("" = none)
  std::string weight_shared_with;  // reuses that node's weights: not counted again as params
};

class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}

  // Appends a node whose producers already exist, infers (or, for input/custom, takes) its output
  // shape, checks a non-empty node.shape against the inferred one and fills in the expected
  // weight shapes when node.weights is empty. Throws UserError naming the node on any problem.
  const Node& add(Node node);

  // Folds a following operator into node `name`: appends `extra` weights (e.g. a bias or batch-norm
  // scale/shift) and sets its fused activation when `activation` is not empty. Shapes do not
  // change.
  void fuse(const std::string& name, const std::vector<WeightTensor>& extra,
            const std::string& activation = "");

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::vector<Node>& nodes() const { return nodes_; }
  size_t size() const { return nodes_.size(); }
  const Node& node(size_t index) const { return nodes_.at(index); }
  std::optional<size_t> find(const std::string& name) const;
  const Node& node(const std::string& name) const;  // throws UserError when absent

  // Input tensor shapes of a node, in operand order.
  std::vector<Shape> input_shapes(const Node& node) const;
  // For each node, the indices of the nodes consuming its output.
  std::vector<std::vector<size_t>> consumers() const;

 private:
  std::string name_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, size_t> index_;
};

// Stable topological sort of nodes given in any order (ties keep the given order). Throws
// UserError on a duplicate name, an input naming no node (dangling edge) or a cycle.
std::vector<Node> topological_sort(std::vector<Node> nodes);

// The nodes named in `keep` (in graph order) as a graph of their own. Every edge entering the set
// from outside becomes an input node carrying the producer's name and shape.
Graph subgraph(const Graph& graph, const std::vector<std::string>& keep);

const char* to_string(OpKind op);
const char* to_string(DType dtype);
std::optional<OpKind> op_from_string(const std::string& text);
std::optional<DType> dtype_from_string(const std::string& text);
std::string shape_string(const Shape& shape);  // "1x64x56x56"

}  // namespace accelgen::graph
