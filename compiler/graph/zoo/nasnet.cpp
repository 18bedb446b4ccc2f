// NASNet-A Large, "6 @ 4032" (Zoph et al., "Learning Transferable Architectures for Scalable Image
// Recognition", CVPR 2018, Table 2: 88.9 M parameters, 23.8 B mult-adds at 331x331), the NasNet
// Cocco evaluates (its latency in Cocco's Table 3 is ~11x ResNet-50's, which only the large model
// matches). Layout of TF-slim nets/nasnet/nasnet.py + nasnet_utils.py (large ImageNet config:
// stem multiplier 3, 18 cells, 168 filters, skip_reduction_layer_input), as Keras NASNetLarge
// reproduces it. Convolutions have no bias and a folded batch norm; separable convolutions are a
// depthwise then a pointwise convolution; the ReLUs before each operation are folded (not
// layers); drop-path and the auxiliary head are training-only and left out. "SAME" padding is the
// symmetric (kernel - 1) / 2, which gives TF's output sizes here (331 -> 165 -> 83 -> 42 -> 21 ->
// 11) and the same MACs. The factorized reduction's second path (input shifted by one pixel)
// is a second 1x1 stride-2 average pool.
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

struct Cell {
  const char* operations[10];
  int hidden[10];  // hidden-state index each operation reads (0: this input, 1: previous)
  bool used[7];    // states not concatenated into the output
};

// nasnet_utils.NasNetANormalCell / NasNetAReductionCell.
constexpr Cell kNormal = {
    {"sep5", "sep3", "sep5", "sep3", "avg", "none", "avg", "avg", "sep3", "none"},
    {0, 1, 1, 1, 0, 1, 1, 1, 0, 0},
    {true, false, false, false, false, false, false}};
constexpr Cell kReduction = {
    {"sep5", "sep7", "max", "sep7", "avg", "sep5", "none", "avg", "sep3", "max"},
    {0, 1, 0, 1, 0, 1, 3, 2, 2, 0},
    {true, true, true, false, false, false, false}};

class NasNet {
 public:
  explicit NasNet(Builder& b) : b_(b) {}

  int64_t channels(const std::string& x) const { return b_.shape(x)[1]; }
  int64_t side(const std::string& x) const { return b_.shape(x)[2]; }

  std::string conv1x1(const std::string& name, const std::string& x, int64_t filters,
                      int64_t stride = 1) {
    return b_.conv(name, x, filters, 1, {.stride = stride, .activation = ""});
  }

  // Two stride-2 paths of half the filters each, concatenated.
  std::string factorized_reduction(const std::string& name, const std::string& x, int64_t filters) {
    const std::string p1 =
        conv1x1(name + ".path1.conv", b_.pool(name + ".path1.pool", x, "avg", 1, 2), filters / 2);
    const std::string p2 =
        conv1x1(name + ".path2.conv", b_.pool(name + ".path2.pool", x, "avg", 1, 2), filters / 2);
    return b_.concat(name + ".concat", {p1, p2});
  }

  // Separable convolution stacked twice; the stride applies to the first.
  std::string separable(const std::string& name, std::string x, int64_t kernel, int64_t stride,
                        int64_t filters) {
    for (int layer = 0; layer < 2; ++layer) {
      const std::string n = fmt::format("{}.sep{}", name, layer + 1);
      x = b_.dwconv(n + ".dw", x, kernel,
                    {.stride = layer == 0 ? stride : 1, .batch_norm = false, .activation = ""});
      x = conv1x1(n + ".pw", x, filters);
    }
    return x;
  }

  std::string operation(const std::string& name, const std::string& x, const std::string& op,
                        int64_t stride, int64_t filters) {
    if (op.rfind("sep", 0) == 0) return separable(name, x, op[3] - '0', stride, filters);
    if (op == "none") {
      if (stride > 1 || channels(x) != filters) return conv1x1(name + ".conv", x, filters, stride);
      return x;
    }
    std::string y = b_.pool(name + ".pool", x, op, 3, stride, 1);
    if (channels(x) != filters) y = conv1x1(name + ".conv", y, filters);
    return y;
  }

  // One cell: returns its output (the concatenation of the states no operation consumed).
  std::string cell(const std::string& name, const Cell& c, const std::string& in, std::string prev,
                   int64_t filters, int64_t stride) {
    if (prev.empty()) {
      prev = in;
    } else if (side(prev) != side(in)) {
      prev = factorized_reduction(name + ".prev", prev, filters);
    } else if (channels(prev) != filters) {
      prev = conv1x1(name + ".prev.conv", prev, filters);
    }
    std::vector<std::string> states = {conv1x1(name + ".begin", in, filters), prev};
    for (int i = 0; i < 10; i += 2) {
      std::string h[2];
      for (int j = 0; j < 2; ++j) {
        const int src = c.hidden[i + j];
        h[j] = operation(fmt::format("{}.comb{}.{}", name, i / 2, j == 0 ? "left" : "right"),
                         states[src], c.operations[i + j], src < 2 ? stride : 1, filters);
      }
      states.push_back(b_.add(fmt::format("{}.comb{}", name, i / 2), {h[0], h[1]}));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < states.size(); ++i)
      if (!c.used[i]) out.push_back(states[i]);
    return b_.concat(name + ".out", out);
  }

 private:
  Builder& b_;
};

}  // namespace

Graph nasnet_large(const ZooOptions& o) {
  constexpr int64_t kFilters = 168;
  constexpr int kCells = 18;
  Builder b("nasnet_large");
  NasNet net(b);
  const int64_t res = resolution(o, 331);
  std::string x = b.input("input", {o.batch, 3, res, res});
  x = b.conv("stem.conv", x, 96, 3, {.stride = 2, .pad = 0, .activation = ""});
  std::vector<std::string> outputs = {"", x};
  for (int s = 0; s < 2; ++s) {
    x = net.cell(fmt::format("stem{}", s), kReduction, x, outputs[outputs.size() - 2],
                 kFilters >> (2 - s), 2);
    outputs.push_back(x);
  }
  int64_t filters = kFilters;
  int reduction = 0;
  for (int i = 0; i < kCells; ++i) {
    const std::string prev = outputs[outputs.size() - 2];  // skip_reduction_layer_input
    if (i == kCells / 3 || i == 2 * kCells / 3) {
      filters *= 2;
      x = net.cell(fmt::format("reduction{}", reduction++), kReduction, x, prev, filters, 2);
      outputs.push_back(x);
    }
    x = net.cell(fmt::format("cell{}", i), kNormal, x, prev, filters, 1);
    outputs.push_back(x);
  }
  x = b.global_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.fc("fc", x, 1000);
  return b.take();
}

}  // namespace accelgen::graph::zoo
