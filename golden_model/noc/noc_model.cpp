#include "golden_model/noc/noc_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "common/error.hpp"

namespace accelgen::golden {

namespace {

// Express length of one dimension of SIZE routers, 0 when there is none.
int express_length(int size, int override_len) {
  int len = override_len > 0 ? override_len : static_cast<int>(std::lround(std::sqrt(size / 2.0)));
  return (len >= 2 && len < size) ? len : 0;
}

int opposite(int port) {
  if (port == kLocal) return kLocal;
  const int base = port <= kW ? 1 : 5;
  return base + ((port - base + 2) % 4);
}

}  // namespace

const char* noc_port_name(int port) {
  static const char* names[] = {"L", "N", "E", "S", "W", "XN", "XE", "XS", "XW"};
  return port >= 0 && port < 9 ? names[port] : "?";
}

NocTopology noc_topology(const NocParams& p) {
  if (p.routing != "xy" && p.routing != "yx")
    throw UserError(fmt::format("the golden NoC model simulates xy and yx routing only, not '{}'", p.routing));
  NocTopology t;
  t.rows = p.rows;
  t.cols = p.cols;
  t.yx = p.routing == "yx";
  if (p.topology == "amp") {
    t.ports = 9;
    t.lv = express_length(p.rows, p.express_len);
    t.lh = express_length(p.cols, p.express_len);
  }
  return t;
}

int NocTopology::neighbour(int node, int port) const {
  const int r = node / cols, c = node % cols;
  int nr = r, nc = c;
  switch (port) {
    case kN: nr = r - 1; break;
    case kS: nr = r + 1; break;
    case kE: nc = c + 1; break;
    case kW: nc = c - 1; break;
    case kXN: if (!lv) return -1; nr = r - lv; break;
    case kXS: if (!lv) return -1; nr = r + lv; break;
    case kXE: if (!lh) return -1; nc = c + lh; break;
    case kXW: if (!lh) return -1; nc = c - lh; break;
    default: return -1;
  }
  if (port >= ports || nr < 0 || nr >= rows || nc < 0 || nc >= cols) return -1;
  return nr * cols + nc;
}

int64_t NocTopology::links() const {
  int64_t n = 0;
  for (int node = 0; node < nodes(); ++node)
    for (int port = 1; port < ports; ++port) n += neighbour(node, port) >= 0;
  return n;
}

int noc_route(const NocTopology& t, int node, int dst) {
  const int r = node / t.cols, c = node % t.cols, dr = dst / t.cols, dc = dst % t.cols;
  auto horizontal = [&]() {
    const int d = std::abs(dc - c);
    if (dc > c) return (t.lh && d >= t.lh) ? kXE : kE;
    return (t.lh && d >= t.lh) ? kXW : kW;
  };
  auto vertical = [&]() {
    const int d = std::abs(dr - r);
    if (dr > r) return (t.lv && d >= t.lv) ? kXS : kS;
    return (t.lv && d >= t.lv) ? kXN : kN;
  };
  if (t.yx) {
    if (dr != r) return vertical();
    if (dc != c) return horizontal();
  } else {
    if (dc != c) return horizontal();
    if (dr != r) return vertical();
  }
  return kLocal;
}

std::vector<std::pair<int, int>> noc_path(const NocTopology& t, int src, int dst) {
  std::vector<std::pair<int, int>> path;
  for (int node = src; node != dst;) {
    const int port = noc_route(t, node, dst);
    path.push_back({node, port});
    node = t.neighbour(node, port);
  }
  return path;
}

NocSim::NocSim(const NocParams& p) : t_(noc_topology(p)), depth_(p.buffer_depth) {
  const int N = t_.nodes(), P = t_.ports;
  const size_t n = static_cast<size_t>(N) * P;
  ring_.resize(n * depth_);
  head_.assign(n, 0);
  count_.assign(n, 0);
  ptr_.assign(n, 0);
  down_.assign(n, -1);
  link_flits_.assign(n, 0);
  busy_.assign(N, 0);
  req_.assign(P, 0);
  for (int node = 0; node < N; ++node)
    for (int out = 1; out < P; ++out) {
      const int next = t_.neighbour(node, out);
      if (next >= 0) down_[node * P + out] = next * P + opposite(out);
    }
  route_.resize(static_cast<size_t>(N) * N);
  for (int node = 0; node < N; ++node)
    for (int dst = 0; dst < N; ++dst) route_[static_cast<size_t>(node) * N + dst] = static_cast<uint8_t>(noc_route(t_, node, dst));
}

void NocSim::step(const std::vector<const NocFlit*>& offers) {
  const int P = t_.ports, N = t_.nodes();
  injected_.clear();
  ejected_.clear();
  moves_.clear();
  // Every decision below uses the state at the start of the cycle; moves are committed after.
  for (int node = 0; node < N; ++node) {
    const uint32_t busy = busy_[node];
    if (!busy) continue;
    const int base = node * P;
    // 1. Each non-empty input requests the output its head flit routes to.
    uint32_t outs = 0;
    for (uint32_t b = busy; b; b &= b - 1) {
      const int in = __builtin_ctz(b);
      const int out = route_[static_cast<size_t>(node) * N + slot(base + in, 0).dst];
      if (!(outs & (1u << out))) req_[out] = 0;
      outs |= 1u << out;
      req_[out] |= 1u << in;
    }
    // 2-3. Round robin from the input after the pointer; a move when the far end has room.
    for (uint32_t o = outs; o; o &= o - 1) {
      const int out = __builtin_ctz(o);
      int& ptr = ptr_[base + out];
      const uint32_t cand = req_[out];
      const uint32_t above = cand & ~((2u << ptr) - 1u);
      const int winner = __builtin_ctz(above ? above : cand);
      const int to = out == kLocal ? -1 : down_[base + out];
      if (to >= 0) {
        if (count_[to] >= depth_) continue;  // not ready: nothing moves, the pointer stays
        ++link_flits_[base + out];
      }
      moves_.push_back({base + winner, to});
      ptr = winner;
    }
  }
  // Injection handshakes: the local FIFO's ready at the start of the cycle.
  for (int node = 0; node < N; ++node) {
    const int f = node * P + kLocal;
    if (offers[node] && count_[f] < depth_) {
      slot(f, count_[f]) = *offers[node];
      ++count_[f];
      busy_[node] |= 1u;
      injected_.push_back({offers[node]->id, node});
      ++in_flight_;
    }
  }
  // Commit the moves: every move pops a distinct FIFO and pushes a distinct FIFO, and a FIFO that
  // receives a push in this cycle is not full, so the order of the moves does not matter.
  for (const Move& m : moves_) {
    const NocFlit f = slot(m.from, 0);
    head_[m.from] = (head_[m.from] + 1) % depth_;
    if (--count_[m.from] == 0) busy_[m.from / P] &= ~(1u << (m.from % P));
    if (m.to < 0) {
      ejected_.push_back({f.id, m.from / P});
      --in_flight_;
    } else {
      slot(m.to, count_[m.to]) = f;
      ++count_[m.to];
      busy_[m.to / P] |= 1u << (m.to % P);
    }
  }
  ++now_;
}

NocLoads noc_channel_loads(const NocTopology& t, const std::vector<NocDemand>& demand) {
  NocLoads out;
  out.link_load.assign(static_cast<size_t>(t.nodes()) * t.ports, 0.0);
  double total = 0, hops = 0;
  for (const auto& d : demand) {
    auto path = noc_path(t, d.src, d.dst);
    for (auto [node, port] : path) out.link_load[node * t.ports + port] += d.weight;
    total += d.weight;
    hops += d.weight * static_cast<double>(path.size());
    out.max_hops = std::max(out.max_hops, static_cast<int>(path.size()));
  }
  out.mean_hops = total > 0 ? hops / total : 0;
  for (size_t i = 0; i < out.link_load.size(); ++i)
    if (out.link_load[i] > out.max_load) {
      out.max_load = out.link_load[i];
      out.max_node = static_cast<int>(i) / t.ports;
      out.max_port = static_cast<int>(i) % t.ports;
    }
  return out;
}

}  // namespace accelgen::golden
