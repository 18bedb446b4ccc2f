#include "generator/noc/noc_cdg.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace accelgen {

int NocNet::neighbour(int node, int port) const {
  const int r = node / cols, c = node % cols;
  static const int dr[] = {0, -1, 0, 1, 0, -1, 0, 1, 0};
  static const int dc[] = {0, 0, 1, 0, -1, 0, 1, 0, -1};
  if (port <= 0 || port >= ports) return -1;
  const int len_r = port >= 5 ? lv : 1, len_c = port >= 5 ? lh : 1;
  if (port >= 5 && ((dr[port] != 0 && lv == 0) || (dc[port] != 0 && lh == 0))) return -1;
  const int nr = r + dr[port] * len_r, nc = c + dc[port] * len_c;
  if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) return -1;
  return nr * cols + nc;
}

int NocNet::links() const {
  int n = 0;
  for (int node = 0; node < nodes(); ++node)
    for (int p = 1; p < ports; ++p) n += neighbour(node, p) >= 0;
  return n;
}

NocRouting noc_routing(const NocNet& net, const std::string& routing) {
  auto step = [net](int node, int dst, bool x_first) {
    const int r = node / net.cols, c = node % net.cols, dr = dst / net.cols, dc = dst % net.cols;
    auto x = [&] {
      const bool far = net.lh > 0 && std::abs(dc - c) >= net.lh;
      return dc > c ? (far ? 6 : 2) : (far ? 8 : 4);
    };
    auto y = [&] {
      const bool far = net.lv > 0 && std::abs(dr - r) >= net.lv;
      return dr > r ? (far ? 7 : 3) : (far ? 5 : 1);
    };
    if (x_first ? dc != c : dr != r) return x_first ? x() : y();
    if (x_first ? dr != r : dc != c) return x_first ? y() : x();
    return 0;
  };
  if (routing == "yx") return [step](int node, int, int dst) { return step(node, dst, false); };
  if (routing == "xy_yx")
    return [step, net](int node, int src, int dst) {
      return step(node, dst, (src / net.cols + src % net.cols) % 2 == 0);
    };
  return [step](int node, int, int dst) { return step(node, dst, true); };
}

CdgResult check_channel_dependencies(const NocNet& net, const NocRouting& route, int vcs) {
  const int N = net.nodes(), P = net.ports, V = vcs;
  // A VC-level channel (node, port, vc) has index (node*P + port)*V + vc; with V = 1 the names
  // are the physical channels'.
  auto name = [&](int id) {
    static const char* names[] = {"L", "N", "E", "S", "W", "XN", "XE", "XS", "XW"};
    const int ch = id / V;
    std::string n = fmt::format("({},{}).{}", ch / P / net.cols, ch / P % net.cols, names[ch % P]);
    if (V > 1) n += fmt::format(".vc{}", id % V);
    return n;
  };
  // Physical dependencies first: channel node*P + port -> a bit mask of the next node's ports.
  std::vector<uint32_t> succ(static_cast<size_t>(N) * P, 0);
  CdgResult res;
  res.channels = net.links() * V;
  for (int src = 0; src < N && res.error.empty(); ++src) {
    for (int dst = 0; dst < N; ++dst) {
      int prev = -1, node = src;
      for (int hops = 0; node != dst; ++hops) {
        const int port = route(node, src, dst);
        const int next = net.neighbour(node, port);
        if (port == 0 || next < 0 || hops > 4 * N) {
          res.error = fmt::format("routing from node {} to node {} {} at node {}", src, dst,
                                  hops > 4 * N ? "does not arrive" : "takes a missing link", node);
          break;
        }
        const int ch = node * P + port;
        if (prev >= 0) succ[prev] |= 1u << port;
        prev = ch;
        node = next;
      }
      if (!res.error.empty()) break;
    }
  }
  if (!res.error.empty()) return res;
  // A packet holding any VC of a channel may be granted any VC of the next channel of its path.
  for (uint32_t m : succ) res.dependencies += __builtin_popcount(m) * V * V;
  const int total = N * P * V;
  // Iterative depth-first search over VC-level channels; a grey successor closes a cycle. The
  // successors of id are enumerated as (port, vc) pairs: e = port * V + vc.
  std::vector<uint8_t> colour(total, 0);  // 0 white, 1 grey, 2 black
  std::vector<int> parent(total, -1);
  for (int start = 0; start < total; ++start) {
    if (colour[start] != 0 || succ[start / V] == 0) continue;
    std::vector<std::pair<int, int>> stack = {{start, 0}};
    colour[start] = 1;
    while (!stack.empty()) {
      auto& [id, e] = stack.back();
      if (e >= P * V) {
        colour[id] = 2;
        stack.pop_back();
        continue;
      }
      const int p = e / V, vc = e % V;
      ++e;
      const int ch = id / V;
      if (!(succ[ch] & (1u << p))) continue;
      const int next = (net.neighbour(ch / P, ch % P) * P + p) * V + vc;
      if (colour[next] == 1) {
        for (int c = id; c != next; c = parent[c]) res.cycle.insert(res.cycle.begin(), name(c));
        res.cycle.insert(res.cycle.begin(), name(next));
        return res;
      }
      if (colour[next] == 0) {
        colour[next] = 1;
        parent[next] = id;
        stack.push_back({next, 0});
      }
    }
  }
  return res;
}

}  // namespace accelgen
