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
  const size_t n = static_cast<size_t>(t_.nodes()) * t_.ports;
  fifo_.resize(n);
  ptr_.assign(n, 0);
  route_.assign(n, -1);
  count_.assign(n, 0);
  link_flits_.assign(n, 0);
}

void NocSim::step(const std::vector<const NocFlit*>& offers) {
  const int P = t_.ports, N = t_.nodes();
  injected_.clear();
  ejected_.clear();
  moves_.clear();
  // 1. Requests and start-of-cycle occupancy.
  for (int i = 0; i < N * P; ++i) {
    count_[i] = static_cast<int>(fifo_[i].size());
    route_[i] = fifo_[i].empty() ? -1 : noc_route(t_, i / P, fifo_[i].front().dst);
  }
  // 2-3. Round-robin arbitration per output; a move when the downstream FIFO has room.
  for (int node = 0; node < N; ++node) {
    const int base = node * P;
    for (int out = 0; out < P; ++out) {
      int& ptr = ptr_[base + out];
      int winner = -1;
      for (int k = 1; k <= P && winner < 0; ++k) {
        const int in = (ptr + k) % P;
        if (route_[base + in] == out) winner = in;
      }
      if (winner < 0) continue;
      int to = -1;
      if (out != kLocal) {
        const int next = t_.neighbour(node, out);
        to = next * P + opposite(out);
        if (count_[to] >= depth_) continue;  // not ready: nothing moves, pointer stays
        ++link_flits_[base + out];
      }
      moves_.push_back({base + winner, to});
      ptr = winner;
    }
  }
  // Injection handshakes: the local FIFO's ready at the start of the cycle.
  for (int node = 0; node < N; ++node) {
    if (offers[node] && count_[node * P + kLocal] < depth_) {
      fifo_[node * P + kLocal].push_back(*offers[node]);
      injected_.push_back({offers[node]->id, node});
      ++in_flight_;
    }
  }
  // Commit: every pop first from the FIFO it left, then the push (FIFOs are distinct per move).
  for (const Move& m : moves_) {
    NocFlit f = fifo_[m.from].front();
    fifo_[m.from].pop_front();
    if (m.to < 0) {
      ejected_.push_back({f.id, m.from / P});
      --in_flight_;
    } else {
      fifo_[m.to].push_back(f);
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
