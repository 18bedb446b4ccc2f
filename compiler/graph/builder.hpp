// A small fluent layer over Graph::add for writing models in code (the zoo, tests). Every method
// appends one node and returns its name, so layers chain: x = b.conv("c1", x, 64, 3);
#pragma once

#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

struct ConvOptions {
  int64_t stride = 1;
  int64_t pad = -1;  // -1: "same"-style (dilation * (kernel - 1) / 2)
  int64_t groups = 1;
  int64_t dilation = 1;
  bool bias = false;                // a "bias" [K] tensor
  bool batch_norm = true;           // folded batch norm: "bn_scale" and "bn_shift" [K]
  std::string activation = "relu";  // fused activation, "" for none
};

class Builder {
 public:
  explicit Builder(std::string name) : graph_(std::move(name)) {}

  std::string input(const std::string& name, Shape shape, DType dtype = DType::kF32);
  // Square kernel convolution.
  std::string conv(const std::string& name, const std::string& in, int64_t out_channels,
                   int64_t kernel, const ConvOptions& options = {});
  // Depthwise convolution (groups = channels = out channels).
  std::string dwconv(const std::string& name, const std::string& in, int64_t kernel,
                     ConvOptions options = {});
  // Fully connected layer over `axis` (default: last), with bias.
  std::string fc(const std::string& name, const std::string& in, int64_t out_features,
                 const std::string& activation = "", int64_t axis = -1, bool bias = true);
  std::string pool(const std::string& name, const std::string& in, const std::string& mode,
                   int64_t kernel, int64_t stride, int64_t pad = 0, bool ceil_mode = false);
  std::string global_pool(const std::string& name, const std::string& in,
                          const std::string& mode = "global_avg");
  std::string add(const std::string& name, const std::vector<std::string>& ins,
                  const std::string& activation = "");
  std::string mul(const std::string& name, const std::vector<std::string>& ins);
  std::string concat(const std::string& name, const std::vector<std::string>& ins,
                     int64_t axis = 1);
  std::string upsample(const std::string& name, const std::string& in, double scale,
                       const std::string& mode = "nearest");
  std::string activation(const std::string& name, const std::string& in, const std::string& kind);
  std::string flatten(const std::string& name, const std::string& in, int64_t axis = 1);
  std::string reshape(const std::string& name, const std::string& in, std::vector<int64_t> dims);
  std::string transpose(const std::string& name, const std::string& in, std::vector<int64_t> perm);
  std::string matmul(const std::string& name, const std::string& a, const std::string& b);
  std::string softmax(const std::string& name, const std::string& in, int64_t axis = -1);
  std::string layer_norm(const std::string& name, const std::string& in);  // gamma, beta
  std::string embedding(const std::string& name, const std::string& in, int64_t vocab, int64_t dim);
  std::string lstm(const std::string& name, const std::string& in, int64_t hidden,
                   bool bidirectional = false);
  // Adds a node as given (any operator); the escape hatch for anything above does not cover.
  std::string node(Node node);

  const Shape& shape(const std::string& name) const { return graph_.node(name).shape; }
  const Graph& graph() const { return graph_; }
  Graph take() { return std::move(graph_); }

 private:
  Graph graph_;
};

}  // namespace accelgen::graph
