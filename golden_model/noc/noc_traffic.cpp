#include "golden_model/noc/noc_traffic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "common/error.hpp"

namespace accelgen::golden {

namespace {

std::vector<int> layer_weights(int depth, const std::string& allocation) {
  std::vector<int> w(depth, 1);
  if (allocation == "unequal") {
    if (depth == 2) {
      w = {1, 3};
    } else {
      const int seq[] = {1, 2, 3, 2};
      for (int l = 0; l < depth; ++l) w[l] = seq[l % 4];
    }
  }
  return w;
}

}  // namespace

std::vector<int> pipeorgan_layers(int rows, int cols, const std::string& organization, int depth,
                                  const std::string& allocation) {
  const int n = rows * cols;
  const std::vector<int> w = layer_weights(depth, allocation);
  std::vector<int> layer(n, -1);
  if (organization == "blocked_1d" || organization == "blocked_2d") {
    std::vector<int> order;
    if (organization == "blocked_1d") {
      order.resize(n);
      std::iota(order.begin(), order.end(), 0);
    } else {
      const int rh = rows / 2, ch = cols / 2;
      const int r0[] = {0, rh, 0, rh}, r1[] = {rh, rows, rh, rows};
      const int c0[] = {0, 0, ch, ch}, c1[] = {ch, ch, cols, cols};
      for (int q = 0; q < 4; ++q)
        for (int r = r0[q]; r < r1[q]; ++r)
          for (int c = c0[q]; c < c1[q]; ++c) order.push_back(r * cols + c);
    }
    const int64_t total = std::accumulate(w.begin(), w.end(), 0);
    int64_t prefix = 0;
    for (int l = 0; l < depth; ++l) {
      const int64_t lo = n * prefix / total;
      prefix += w[l];
      const int64_t hi = n * prefix / total;
      for (int64_t i = lo; i < hi; ++i) layer[order[i]] = l;
    }
  } else {
    std::vector<int> pat;
    for (int l = 0; l < depth; ++l) pat.insert(pat.end(), w[l], l);
    const int len = static_cast<int>(pat.size());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        layer[r * cols + c] = organization == "fine_striped" ? pat[r % len]
                                                             : pat[(c + r * std::max(1, len / 2)) % len];
  }
  for (int l = 0; l < depth; ++l)
    if (std::find(layer.begin(), layer.end(), l) == layer.end())
      throw UserError(fmt::format("organization {} with depth {} ({} allocation) leaves layer {} without a PE on a {}x{} array",
                                  organization, depth, allocation, l, rows, cols));
  return layer;
}

NocTraffic::NocTraffic(const NocParams& p, const NocStimulus& s, uint64_t seed)
    : p_(p), s_(s), n_(p.rows * p.cols), rng_(seed) {
  if (s.traffic == "pipeorgan") {
    layer_ = pipeorgan_layers(p.rows, p.cols, s.organization, s.depth, s.allocation);
    members_.resize(s.depth);
    index_in_layer_.assign(n_, 0);
    // Column-major order inside a layer, so a producer's consumers sit in its own column where the
    // organization allows (PipeOrgan co-locates producer and consumer tiles).
    for (int c = 0; c < p.cols; ++c)
      for (int r = 0; r < p.rows; ++r) {
        const int node = r * p.cols + c;
        index_in_layer_[node] = static_cast<int>(members_[layer_[node]].size());
        members_[layer_[node]].push_back(node);
      }
  }
}

int NocTraffic::uniform_other(int src) {
  int d = static_cast<int>(rng_() % static_cast<uint64_t>(n_ - 1));
  return d >= src ? d + 1 : d;
}

int NocTraffic::pipeorgan_consumer(int producer, int to_layer, int64_t k) const {
  const int64_t np = static_cast<int64_t>(members_[layer_[producer]].size());
  const int64_t nc = static_cast<int64_t>(members_[to_layer].size());
  const int64_t i = index_in_layer_[producer];
  const int64_t first = i * nc / np, span = std::max<int64_t>(1, (i + 1) * nc / np - first);
  return members_[to_layer][first + k % span];
}

void NocTraffic::generate(int64_t t, std::vector<std::pair<int, int>>& out) {
  if (s_.traffic == "pipeorgan") {
    if (t % s_.interval != 0) return;
    const int64_t k = t / s_.interval;
    // A tile of tile_flits flits travels as tile_flits / packet_flits packets, created together.
    const int packets = s_.tile_flits > 0 ? s_.tile_flits / p_.packet_flits : 1;
    for (int node = 0; node < n_; ++node) {
      const int l = layer_[node];
      for (int j = 0; j < packets; ++j) {
        if (l + 1 < s_.depth) out.push_back({node, pipeorgan_consumer(node, l + 1, k)});
        if (s_.skip && l + 2 < s_.depth) out.push_back({node, pipeorgan_consumer(node, l + 2, k)});
      }
    }
    return;
  }
  // A packet of packet_flits flits with probability injection_rate / (100 * packet_flits).
  const uint64_t draw_range = 100ull * static_cast<uint64_t>(p_.packet_flits);
  const int R = p_.rows, C = p_.cols;
  const int hot = (R / 2) * C + C / 2;
  for (int node = 0; node < n_; ++node) {
    if (rng_() % draw_range >= static_cast<uint64_t>(s_.injection_rate)) continue;
    const int r = node / C, c = node % C;
    int dst = node;
    if (s_.traffic == "uniform") {
      dst = uniform_other(node);
    } else if (s_.traffic == "transpose") {
      dst = (c % R) * C + (r % C);
    } else if (s_.traffic == "hotspot") {
      dst = (node != hot && rng_() % 4 == 0) ? hot : uniform_other(node);
    } else if (s_.traffic == "neighbour") {
      dst = r * C + (c + 1) % C;
    } else {
      throw UserError(fmt::format("unknown traffic '{}'", s_.traffic));
    }
    if (dst != node) out.push_back({node, dst});
  }
}

std::vector<NocDemand> NocTraffic::demand() const {
  std::vector<NocDemand> d;
  const int R = p_.rows, C = p_.cols;
  if (s_.traffic == "pipeorgan") {
    // A producer cycles through its consumers round by round: average one period of rounds (the
    // least common multiple of every producer's consumer count), so a load is per round.
    int64_t period = 1;
    for (int node = 0; node < n_; ++node)
      for (int to = layer_[node] + 1; to <= layer_[node] + (s_.skip ? 2 : 1) && to < s_.depth; ++to) {
        const int64_t np = static_cast<int64_t>(members_[layer_[node]].size());
        const int64_t nc = static_cast<int64_t>(members_[to].size()), i = index_in_layer_[node];
        period = std::lcm(period, std::max<int64_t>(1, (i + 1) * nc / np - i * nc / np));
      }
    period = std::min<int64_t>(period, 4096);
    for (int64_t k = 0; k < period; ++k)
      for (int node = 0; node < n_; ++node) {
        const int l = layer_[node];
        if (l + 1 < s_.depth) d.push_back({node, pipeorgan_consumer(node, l + 1, k), 1.0 / period});
        if (s_.skip && l + 2 < s_.depth) d.push_back({node, pipeorgan_consumer(node, l + 2, k), 1.0 / period});
      }
    return d;
  }
  const double rate = s_.injection_rate / 100.0;
  const int hot = (R / 2) * C + C / 2;
  for (int node = 0; node < n_; ++node) {
    const int r = node / C, c = node % C;
    if (s_.traffic == "transpose" || s_.traffic == "neighbour") {
      int dst = s_.traffic == "transpose" ? (c % R) * C + (r % C) : r * C + (c + 1) % C;
      if (dst != node) d.push_back({node, dst, rate});
      continue;
    }
    const bool to_hot = s_.traffic == "hotspot" && node != hot;
    for (int dst = 0; dst < n_; ++dst) {
      if (dst == node) continue;
      double share = 1.0 / (n_ - 1);
      if (to_hot) share = 0.75 * share + (dst == hot ? 0.25 : 0.0);
      d.push_back({node, dst, rate * share});
    }
  }
  return d;
}

bool NocSources::add(int src, int dst, int64_t t, int64_t id) {
  if (static_cast<int>(q_[src].size()) >= cap_) {
    ++throttled;
    return false;
  }
  q_[src].push_back({NocFlit{id, src, dst}, t});
  return true;
}

const std::vector<const NocFlit*>& NocSources::offers() {
  offers_.resize(q_.size());
  for (size_t n = 0; n < q_.size(); ++n) offers_[n] = q_[n].empty() ? nullptr : &q_[n].front().flit;
  return offers_;
}

int64_t NocSources::queued() const {
  int64_t s = 0;
  for (const auto& q : q_) s += static_cast<int64_t>(q.size());
  return s;
}

bool NocPacketSources::add(int src, int dst, int64_t t, int64_t id) {
  if (static_cast<int>(q_[src].size()) >= cap_) {
    ++throttled;
    return false;
  }
  q_[src].push_back({NocVcFlit{id, 0, src, dst, true, flits_ == 1}, t});
  return true;
}

const std::vector<const NocVcFlit*>& NocPacketSources::offers() {
  offers_.resize(q_.size());
  for (size_t n = 0; n < q_.size(); ++n) offers_[n] = q_[n].empty() ? nullptr : &q_[n].front().flit;
  return offers_;
}

void NocPacketSources::accept(int node) {
  NocVcFlit& f = q_[node].front().flit;
  if (f.tail) {
    q_[node].pop_front();
    return;
  }
  ++f.index;
  f.head = false;
  f.tail = f.index == flits_ - 1;
}

int64_t NocPacketSources::queued() const {
  int64_t s = 0;
  for (const auto& q : q_) s += static_cast<int64_t>(q.size());
  return s;
}

namespace {

// The VC/wormhole router: the same loop over flits. A packet's latency ends with its tail.
NocRunStats run_noc_vc_golden(const NocParams& p, const NocStimulus& s, uint64_t seed, int64_t warmup,
                              int64_t drain_limit) {
  NocVcSim sim(p);
  NocTraffic traffic(p, s, seed);
  const int N = p.rows * p.cols;
  NocPacketSources sources(N, s.source_queue, p.packet_flits);
  NocRunStats st;
  st.window = s.cycles;
  std::vector<std::pair<int, int>> fresh;
  std::deque<std::pair<int64_t, int64_t>> info;  // created, head injected; by packet id
  int64_t first_id = 0, next_id = 0, latency_sum = 0, net_sum = 0, measured = 0, in_window = 0, flits_in_window = 0;
  int64_t since_delivery = 0;
  for (int64_t t = 0;; ++t) {
    if (t < s.cycles) {
      fresh.clear();
      traffic.generate(t, fresh);
      for (auto [src, dst] : fresh) {
        if (sources.add(src, dst, t, next_id)) {
          info.push_back({t, -1});
          ++next_id;
          ++st.created;
        }
      }
    } else if (sources.queued() == 0 && sim.in_flight() == 0) {
      st.cycles = t;
      break;
    }
    sim.step(sources.offers());
    for (const NocFlitEvent& e : sim.injected()) {
      if (e.index == 0) {
        info[e.packet - first_id].second = t;
        ++st.injected;
      }
      sources.accept(e.node);
    }
    for (const NocFlitEvent& e : sim.ejected()) {
      if (t >= warmup && t < s.cycles) ++flits_in_window;
      if (e.index != p.packet_flits - 1) continue;
      const auto [created, injected] = info[e.packet - first_id];
      ++st.delivered;
      if (created >= warmup) {
        latency_sum += t - created;
        net_sum += t - injected;
        st.max_latency = std::max(st.max_latency, t - created);
        ++measured;
      }
      if (t >= warmup && t < s.cycles) ++in_window;
      info[e.packet - first_id].first = -1;
    }
    while (!info.empty() && info.front().first < 0) {
      info.pop_front();
      ++first_id;
    }
    since_delivery = sim.ejected().empty() && sim.in_flight() > 0 ? since_delivery + 1 : 0;
    if (since_delivery > drain_limit) {
      st.drained = false;
      st.cycles = t + 1;
      break;
    }
  }
  st.throttled = sources.throttled;
  st.mean_latency = measured ? static_cast<double>(latency_sum) / measured : 0;
  st.mean_network_latency = measured ? static_cast<double>(net_sum) / measured : 0;
  const double window = static_cast<double>(std::max<int64_t>(1, s.cycles - warmup)) * N;
  st.accepted_rate = static_cast<double>(in_window) / window;
  st.accepted_flit_rate = static_cast<double>(flits_in_window) / window;
  st.link_flits = sim.link_flits();
  for (int64_t f : st.link_flits) st.max_link_flits = std::max(st.max_link_flits, f);
  return st;
}

}  // namespace

NocRunStats run_noc_golden(const NocParams& p, const NocStimulus& s, uint64_t seed, int64_t warmup,
                           int64_t drain_limit) {
  if (p.vc_router()) return run_noc_vc_golden(p, s, seed, warmup, drain_limit);
  NocSim sim(p);
  NocTraffic traffic(p, s, seed);
  const int N = p.rows * p.cols;
  NocSources sources(N, s.source_queue);
  NocRunStats st;
  st.window = s.cycles;
  std::vector<std::pair<int, int>> fresh;
  // Created and injected cycle of packets in flight, by id (ids are consecutive).
  std::deque<std::pair<int64_t, int64_t>> info;
  int64_t first_id = 0, next_id = 0, latency_sum = 0, net_sum = 0, measured = 0, in_window = 0;
  int64_t since_delivery = 0;
  for (int64_t t = 0;; ++t) {
    if (t < s.cycles) {
      fresh.clear();
      traffic.generate(t, fresh);
      for (auto [src, dst] : fresh) {
        if (sources.add(src, dst, t, next_id)) {
          info.push_back({t, -1});
          ++next_id;
          ++st.created;
        }
      }
    } else if (sources.queued() == 0 && sim.in_flight() == 0) {
      st.cycles = t;
      break;
    }
    sim.step(sources.offers());
    for (const NocEvent& e : sim.injected()) {
      info[e.id - first_id].second = t;
      sources.accept(e.node);
      ++st.injected;
    }
    for (const NocEvent& e : sim.ejected()) {
      const auto [created, injected] = info[e.id - first_id];
      ++st.delivered;
      if (created >= warmup) {
        latency_sum += t - created;
        net_sum += t - injected;
        st.max_latency = std::max(st.max_latency, t - created);
        ++measured;
      }
      if (t >= warmup && t < s.cycles) ++in_window;
      info[e.id - first_id].first = -1;  // delivered
    }
    while (!info.empty() && info.front().first < 0) {
      info.pop_front();
      ++first_id;
    }
    since_delivery = sim.ejected().empty() && sim.in_flight() > 0 ? since_delivery + 1 : 0;
    if (since_delivery > drain_limit) {
      st.drained = false;
      st.cycles = t + 1;
      break;
    }
  }
  st.throttled = sources.throttled;
  st.mean_latency = measured ? static_cast<double>(latency_sum) / measured : 0;
  st.mean_network_latency = measured ? static_cast<double>(net_sum) / measured : 0;
  const int64_t window = std::max<int64_t>(1, s.cycles - warmup);
  st.accepted_rate = static_cast<double>(in_window) / (static_cast<double>(N) * window);
  st.accepted_flit_rate = st.accepted_rate;
  st.link_flits = sim.link_flits();
  for (int64_t f : st.link_flits) st.max_link_flits = std::max(st.max_link_flits, f);
  return st;
}

}  // namespace accelgen::golden
