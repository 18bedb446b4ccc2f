// Golden model of the `noc` block, written from golden_model/README.md ("noc"), never from the
// generator: topology, routing, a cycle-exact router/arbitration model that reports the injection
// and ejection cycle of every packet, and analytical hop counts and channel loads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/noc_params.hpp"

namespace accelgen::golden {

enum NocPort { kLocal = 0, kN, kE, kS, kW, kXN, kXE, kXS, kXW };
const char* noc_port_name(int port);

struct NocTopology {
  int rows = 0, cols = 0;
  int ports = 5;     // 5 (mesh) or 9 (amp)
  int lv = 0, lh = 0;  // express lengths (0 = none in that dimension)
  bool yx = false;     // routing order

  int nodes() const { return rows * cols; }
  // Node at the far end of output PORT of NODE, or -1 when that link does not exist.
  int neighbour(int node, int port) const;
  // Number of directed router-to-router links.
  int64_t links() const;
};

// Throws UserError for a routing that is not deterministic-dimension-ordered (xy_yx).
NocTopology noc_topology(const NocParams& p);
// Output port a flit for DST takes at NODE.
int noc_route(const NocTopology& t, int node, int dst);
// Links (node, port) of the path SRC -> DST, in order.
std::vector<std::pair<int, int>> noc_path(const NocTopology& t, int src, int dst);

// One flit in flight: what the golden model needs to track.
struct NocFlit {
  int64_t id = 0;
  int src = 0, dst = 0;
};

struct NocEvent {
  int64_t id;
  int node;  // injecting or ejecting node
};

// The routers, cycle by cycle. Each step() is one cycle: OFFERS[n] is the flit the source of node
// n offers in this cycle (nullptr = none); the model returns which offers were accepted (the
// injection handshakes) and which flits were ejected in this cycle.
class NocSim {
 public:
  explicit NocSim(const NocParams& p);
  const NocTopology& topology() const { return t_; }
  int64_t now() const { return now_; }
  int64_t in_flight() const { return in_flight_; }

  void step(const std::vector<const NocFlit*>& offers);
  const std::vector<NocEvent>& injected() const { return injected_; }
  const std::vector<NocEvent>& ejected() const { return ejected_; }
  // Flits that crossed each link (node * ports + port) so far.
  const std::vector<int64_t>& link_flits() const { return link_flits_; }

 private:
  // FIFO index f = node * ports + input port; a ring of depth_ slots per FIFO.
  NocFlit& slot(int f, int k) { return ring_[static_cast<size_t>(f) * depth_ + (head_[f] + k) % depth_]; }
  NocTopology t_;
  int depth_;
  int64_t now_ = 0, in_flight_ = 0;
  std::vector<NocFlit> ring_;
  std::vector<int> head_, count_;
  std::vector<int> ptr_;        // round-robin pointer per node * ports + output port
  std::vector<int> down_;       // FIFO fed by node * ports + output port, -1 none (or local)
  std::vector<uint8_t> route_;  // output port per node * nodes + destination
  std::vector<uint32_t> busy_;  // per node: bit i = input FIFO i non-empty
  std::vector<uint32_t> req_;   // scratch per output of one node: requesting inputs
  std::vector<NocEvent> injected_, ejected_;
  std::vector<int64_t> link_flits_;
  struct Move { int from, to; };  // FIFO index -> FIFO index (to < 0: eject)
  std::vector<Move> moves_;
};

// Analytical view of a traffic matrix: each entry (src, dst, weight).
struct NocDemand {
  int src, dst;
  double weight;
};
struct NocLoads {
  std::vector<double> link_load;  // node * ports + port
  double max_load = 0;
  int max_node = 0, max_port = 0;
  double mean_hops = 0;  // weighted by demand
  int max_hops = 0;
};
NocLoads noc_channel_loads(const NocTopology& t, const std::vector<NocDemand>& demand);

}  // namespace accelgen::golden
