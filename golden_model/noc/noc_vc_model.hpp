// Golden model of the `noc` VC/wormhole router (golden_model/README.md, "Virtual channels,
// wormhole packets and credits"), written from that specification, never from the generator:
// per-VC input FIFOs, credit counters, two-iteration separable round-robin switch allocation with
// the output VC selected for the winning head, cycle by cycle. It reports the injection and
// ejection cycle of every flit.
#pragma once

#include <cstdint>
#include <vector>

#include "common/noc_params.hpp"
#include "golden_model/noc/noc_model.hpp"

namespace accelgen::golden {

// One flit of a packet: what the model needs to track.
struct NocVcFlit {
  int64_t packet = 0;
  int index = 0;  // 0 = head
  int src = 0, dst = 0;
  bool head = true, tail = true;
};

struct NocFlitEvent {
  int64_t packet;
  int index;
  int node;  // injecting or ejecting node
};

class NocVcSim {
 public:
  explicit NocVcSim(const NocParams& p);
  const NocTopology& topology() const { return t_; }
  int64_t now() const { return now_; }
  int64_t in_flight() const { return in_flight_; }

  // One cycle: OFFERS[n] is the flit node n's source offers (nullptr = none); a source offers a
  // packet's flits in order, head first.
  void step(const std::vector<const NocVcFlit*>& offers);
  const std::vector<NocFlitEvent>& injected() const { return injected_; }
  const std::vector<NocFlitEvent>& ejected() const { return ejected_; }
  // Flits that crossed each link (node * ports + port) so far.
  const std::vector<int64_t>& link_flits() const { return link_flits_; }

 private:
  int fifo(int node, int port, int vc) const { return (node * P_ + port) * V_ + vc; }
  NocVcFlit& slot(int f, int k) { return ring_[static_cast<size_t>(f) * D_ + (head_[f] + k) % D_]; }
  void pop(int f);

  NocTopology t_;
  int P_, V_, D_, N_;
  int64_t now_ = 0, in_flight_ = 0;
  // Input VCs, index fifo(node, port, vc).
  std::vector<NocVcFlit> ring_;
  std::vector<int> head_, count_;
  std::vector<uint8_t> active_, ovc_;
  // Output VCs, index (node * P + port) * V + vc (the local output uses vc 0 only).
  std::vector<uint8_t> held_;
  std::vector<int> credit_;
  // Pointers: sa_out_ per node * P + output, sa_in_ per node * P + input.
  std::vector<int> sa_out_, sa_in_;
  std::vector<int> down_;       // node * P + output -> node * P + input port it feeds, -1 none
  std::vector<int> up_;         // node * P + input -> node * P + output port feeding it, -1 none
  std::vector<uint8_t> route_;  // output port per node * nodes + destination
  std::vector<uint64_t> busy_;  // per node: bit port * V + vc = that input VC is non-empty
  // Injection state per node.
  std::vector<uint8_t> in_packet_;
  std::vector<int> cur_, last_;
  std::vector<NocFlitEvent> injected_, ejected_;
  std::vector<int64_t> link_flits_;
  struct Push {
    int fifo;
    NocVcFlit flit;
  };
  std::vector<Push> pushes_;
  std::vector<int> credits_back_;  // output VC indices that get a credit at the end of the cycle
  std::vector<uint8_t> inj_ok_;
  std::vector<int> inj_vc_;
};

}  // namespace accelgen::golden
