// Traffic of the `noc` block (golden_model/README.md, "Traffic"): Bernoulli synthetic patterns and
// PipeOrgan producer -> consumer layers, the per-source packet queues both the golden-only runs and
// the co-simulation testbench drive from, and a golden-only run loop with latency statistics.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <random>
#include <vector>

#include "common/noc_params.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_vc_model.hpp"

namespace accelgen::golden {

// Layer of every PE (indexed by node = row * cols + col) for a PipeOrgan organization; throws UserError when a
// layer would get no PE.
std::vector<int> pipeorgan_layers(int rows, int cols, const std::string& organization, int depth,
                                  const std::string& allocation);

class NocTraffic {
 public:
  NocTraffic(const NocParams& p, const NocStimulus& s, uint64_t seed);
  // Appends the (src, dst) packets created in cycle T, sources in node order.
  void generate(int64_t t, std::vector<std::pair<int, int>>& out);
  // One round of packets (one per producer per destination layer, averaged over the rounds in which
  // producers cycle through their consumers) for pipeorgan, or the per-cycle Bernoulli demand.
  std::vector<NocDemand> demand() const;
  const std::vector<int>& layers() const { return layer_; }

 private:
  int uniform_other(int src);
  int pipeorgan_consumer(int producer, int to_layer, int64_t k) const;
  NocParams p_;
  NocStimulus s_;
  int n_;
  std::mt19937_64 rng_;
  std::vector<int> layer_;                  // pipeorgan: layer per node
  std::vector<std::vector<int>> members_;   // pipeorgan: nodes of each layer, column-major
  std::vector<int> index_in_layer_;
};

// Per-source packet queues: at most CAP packets each; a packet generated into a full queue is
// not created (counted in `throttled`).
class NocSources {
 public:
  struct Packet {
    NocFlit flit;
    int64_t created;
  };
  NocSources(int nodes, int cap) : q_(nodes), cap_(cap) {}
  // Queues a packet created in cycle T; returns false (and counts it) when the queue is full.
  bool add(int src, int dst, int64_t t, int64_t id);
  // The flit each source offers in this cycle (its queue head), nullptr if none.
  const std::vector<const NocFlit*>& offers();
  const Packet& head(int node) const { return q_[node].front(); }
  void accept(int node) { q_[node].pop_front(); }
  int64_t queued() const;
  int64_t throttled = 0;

 private:
  std::vector<std::deque<Packet>> q_;
  std::vector<const NocFlit*> offers_;
  int cap_;
};

// Per-source packet queues of the VC/wormhole router: at most CAP packets each; the head packet
// is offered flit by flit (head first).
class NocPacketSources {
 public:
  struct Packet {
    NocVcFlit flit;  // the next flit to offer
    int64_t created;
  };
  NocPacketSources(int nodes, int cap, int flits) : q_(nodes), cap_(cap), flits_(flits) {}
  bool add(int src, int dst, int64_t t, int64_t id);
  const std::vector<const NocVcFlit*>& offers();
  const Packet& head(int node) const { return q_[node].front(); }
  // The offered flit of NODE was accepted: offer the next one (or the next packet after a tail).
  void accept(int node);
  int64_t queued() const;
  int64_t throttled = 0;

 private:
  std::vector<std::deque<Packet>> q_;
  std::vector<const NocVcFlit*> offers_;
  int cap_, flits_;
};

struct NocRunStats {
  int64_t created = 0, throttled = 0, injected = 0, delivered = 0;
  int64_t cycles = 0;            // cycles simulated (window + drain)
  int64_t window = 0;            // injection window
  double mean_latency = 0;       // created -> ejected, delivered packets
  int64_t max_latency = 0;
  double mean_network_latency = 0;  // injected -> ejected
  double accepted_rate = 0;      // delivered packets per node per cycle within the window
  double accepted_flit_rate = 0; // ejected flits per node per cycle within the window
  bool drained = true;           // every created packet delivered (false = stalled: deadlock)
  int64_t max_link_flits = 0;    // busiest link
  std::vector<int64_t> link_flits;
};

// Golden-only run: traffic for S.cycles cycles, then drain (at most DRAIN_LIMIT cycles without a
// delivery while flits are in flight counts as a deadlock). WARMUP cycles are excluded from the
// latency and acceptance statistics.
NocRunStats run_noc_golden(const NocParams& p, const NocStimulus& s, uint64_t seed, int64_t warmup = 0,
                           int64_t drain_limit = 100000);

}  // namespace accelgen::golden
