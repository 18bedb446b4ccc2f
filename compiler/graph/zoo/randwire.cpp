// RandWire-WS (Xie et al., "Exploring Randomly Wired Neural Networks for Image Recognition", ICCV
// 2019), the networks Cocco evaluates as RandWire-A (small regime) and RandWire-B (regular
// regime). Each random stage is a Watts-Strogatz graph WS(N, K = 4, P = 0.75) from a fixed seed,
// oriented from lower to higher node index; a node sums its inputs (add), then ReLU -> 3x3
// separable convolution (depthwise + pointwise, batch norm folded); nodes without inputs read the
// stage input (stride 2), nodes without outputs are averaged (add) into the stage output.
// Small regime (Table 1 of the paper): conv1 3x3/2 C/2, conv2 3x3/2 C, random stages of N, N, N
// nodes with C, 2C, 4C channels, C = 78. Regular regime: conv1 C/2, random stages of N/2, N, N, N
// nodes with C, 2C, 4C, 8C channels, C = 109. Both: N = 32, 1x1 conv to 1280, global pool, FC.
#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <set>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

// Watts-Strogatz: ring lattice with K/2 neighbours each side, each edge (i, i+j) rewired with
// probability p to a uniformly chosen node (no self loops, no duplicates). Deterministic in seed.
std::set<std::pair<int, int>> watts_strogatz(int n, int k, double p, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::set<std::pair<int, int>> edges;  // undirected, stored (min, max)
  auto key = [](int a, int b) { return std::make_pair(std::min(a, b), std::max(a, b)); };
  for (int i = 0; i < n; ++i)
    for (int j = 1; j <= k / 2; ++j) edges.insert(key(i, (i + j) % n));
  for (int j = 1; j <= k / 2; ++j)
    for (int i = 0; i < n; ++i) {
      const auto e = key(i, (i + j) % n);
      if (!edges.count(e) || uniform() >= p) continue;
      int w = static_cast<int>(rng() % static_cast<uint64_t>(n));
      int tries = 0;
      while ((w == i || edges.count(key(i, w))) && ++tries < 4 * n)
        w = static_cast<int>(rng() % static_cast<uint64_t>(n));
      if (w == i || edges.count(key(i, w))) continue;
      edges.erase(e);
      edges.insert(key(i, w));
    }
  return edges;
}

std::string random_stage(Builder& b, const std::string& name, const std::string& in, int nodes,
                         int64_t channels, uint64_t seed) {
  const auto edges = watts_strogatz(nodes, 4, 0.75, seed);
  std::vector<std::vector<int>> preds(nodes);
  std::vector<int> outdeg(nodes, 0);
  for (const auto& [a, c] : edges) {
    preds[c].push_back(a);
    ++outdeg[a];
  }
  const ConvOptions relu_first = {.activation = ""};  // ReLU precedes the conv; folded, not counted
  std::vector<std::string> out(nodes);
  std::vector<std::string> sinks;
  for (int v = 0; v < nodes; ++v) {
    std::string x;
    int64_t stride = 1;
    if (preds[v].empty()) {
      x = in;
      stride = 2;
    } else if (preds[v].size() == 1) {
      x = out[preds[v][0]];
    } else {
      std::vector<std::string> ins;
      for (int u : preds[v]) ins.push_back(out[u]);
      x = b.add(fmt::format("{}.n{}.sum", name, v), ins);
    }
    ConvOptions dw = relu_first;
    dw.stride = stride;
    dw.batch_norm = false;
    x = b.dwconv(fmt::format("{}.n{}.dw", name, v), x, 3, dw);
    out[v] = b.conv(fmt::format("{}.n{}.pw", name, v), x, channels, 1, relu_first);
    if (outdeg[v] == 0) sinks.push_back(out[v]);
  }
  return sinks.size() == 1 ? sinks[0] : b.add(name + ".out", sinks);
}

Graph randwire(const char* name, const ZooOptions& o, bool small, uint64_t seed) {
  const int n = 32;
  const int64_t c = small ? 78 : 109;
  Builder b(name);
  const int64_t res = resolution(o, 224);
  std::string x = b.input("input", {o.batch, 3, res, res});
  x = b.conv("conv1", x, c / 2, 3, {.stride = 2});
  int stage = 2;
  if (small) {
    x = b.conv("conv2", x, c, 3, {.stride = 2});
    stage = 3;
  }
  const int stages = small ? 3 : 4;
  for (int s = 0; s < stages; ++s, ++stage)
    x = random_stage(b, fmt::format("conv{}", stage), x, (s == 0 && !small) ? n / 2 : n, c << s,
                     seed * 10 + stage);
  x = b.conv("classifier.conv", x, 1280, 1);
  x = b.global_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.fc("fc", x, 1000);
  return b.take();
}

}  // namespace

Graph randwire_a(const ZooOptions& o) { return randwire("randwire_a", o, true, 1); }
Graph randwire_b(const ZooOptions& o) { return randwire("randwire_b", o, false, 2); }

}  // namespace accelgen::graph::zoo
