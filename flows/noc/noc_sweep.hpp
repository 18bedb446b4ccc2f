// `accelgen flow noc-sweep`: latency versus injection rate of mesh and AMP under a synthetic
// pattern, and PipeOrgan's Fig. 15 study (worst-case channel load and delay per packet versus
// compute interval for blocked, fine-striped and AMP organizations) — all computed with the golden
// NoC model (golden_model/noc), which co-simulation proves cycle-exact against the RTL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace accelgen::flows {

struct NocSweepOptions {
  int rows = 8, cols = 8;             // latency-curve network
  std::string traffic = "uniform";    // latency-curve pattern
  std::vector<int> rates;             // injection rates (percent); empty = 2, 5, 10, ..., 100
  int64_t cycles = 20000, warmup = 2000;
  int buffer_depth = 4;
  uint64_t seed = 1;
  int fig15_size = 32;                // Fig. 15 array (size x size), depth 2
  int max_interval = 16;
  int rounds = 32;                    // producer rounds per Fig. 15 point
  // Router options of the latency curves and the saturation table (every combination is run);
  // vcs = 1 with packet_flits = 1 is the base router (buffer_depth), anything else the VC router
  // with vc_depth flits per VC (0 = buffer_depth).
  std::vector<int> vcs = {1};
  std::vector<int> packet_flits = {1};
  int vc_depth = 0;
  bool saturation = false;            // also measure saturation throughput per configuration
  int source_queue = 4;               // packets per source in the saturation runs
  // Fig. 15 with multi-flit tiles: each producer->consumer tile is fig15_tile_flits flits (0 = the
  // one-flit packets of the base study), sent as packets of fig15_packet_flits flits over a router
  // with fig15_vcs VCs of vc_depth (or buffer_depth) flits.
  int fig15_tile_flits = 0, fig15_packet_flits = 1, fig15_vcs = 1;
};

struct NocLatencyPoint {
  std::string topology;
  int vcs = 1, packet_flits = 1;
  int rate = 0;                 // offered, percent
  double offered = 0;           // packets per node per cycle actually created
  double accepted = 0;          // delivered per node per cycle after warm-up, within the window
  double accepted_flits = 0;    // ejected flits per node per cycle after warm-up, within the window
  double mean_latency = 0, mean_network_latency = 0;
  int64_t max_latency = 0;
  bool drained = true;
};

struct NocFig15Row {
  std::string case_name;        // blocked, fine_striped, amp (blocked on AMP)
  std::string allocation;       // equal or unequal
  int interval = 0;
  double worst_load = 0;        // flits per round on the busiest link (one-flit packets: packets)
  double congestion = 0;        // max(1, worst_load / interval)
  double zero_load_delay = 0;   // mean hops + 1
  double mean_delay = 0;        // simulated, created -> delivered
  int64_t max_delay = 0;
  int64_t packets = 0;
};

// Saturation throughput of one configuration, two measurements:
// - saturation (Dally & Towles: the accepted traffic at which the network saturates): Bernoulli
//   injection at offered loads on a 0.02 grid (unbounded source queues) from 0.06 below the
//   backlogged rate; the highest accepted flit rate over the loads run, and the offered load at which
//   it was reached. The scan stops once accepted falls 0.03 below offered (past saturation, where
//   accepted is flat or falls).
// - backlogged: every source always backlogged (injection 100 %, a queue of `source_queue` packets),
//   accepted flits per node per cycle after the warm-up (offered load 1, far beyond saturation, where
//   unfair arbitration can lower the accepted rate below the saturation throughput).
struct NocSaturationRow {
  std::string topology;
  int vcs = 1, packet_flits = 1, vc_depth = 0;
  double saturation_flits = 0, saturation_offered = 0;  // Bernoulli: peak accepted, at this offered load
  double accepted_flits = 0, accepted_packets = 0, mean_latency = 0;  // backlogged
  bool drained = true;
};
// Whether the golden model and the generator take VCS virtual channels on TOPOLOGY (P * V <= 64).
bool noc_vcs_fit(const std::string& topology, int vcs);

std::vector<NocLatencyPoint> noc_latency_sweep(const NocSweepOptions& o);
std::vector<NocSaturationRow> noc_saturation(const NocSweepOptions& o);
// `--set` keys of one router configuration of the sweep.
std::vector<std::string> noc_router_sets(const NocSweepOptions& o, const std::string& topology, int vcs, int flits);
// Fig. 15 rows for a SIZE x SIZE array (cases x allocations x intervals 1..max_interval).
std::vector<NocFig15Row> noc_fig15(const NocSweepOptions& o, int size);

// The stimulus keys (`--set` form) of one Fig. 15 point, for `accelgen verify noc` and the RTL
// cross-check: hardware keys plus pipeorgan traffic.
std::vector<std::string> noc_fig15_sets(const std::string& case_name, const std::string& allocation, int interval,
                                        int size, int rounds, int buffer_depth);
// The same with the multi-flit tile options of O.
std::vector<std::string> noc_fig15_sets(const NocSweepOptions& o, const std::string& case_name,
                                        const std::string& allocation, int interval, int size);

// CSV files, gnuplot scripts and (when gnuplot is installed) PNGs into DIR; returns the paths.
std::vector<std::string> write_noc_sweep(const std::string& dir, const std::vector<NocLatencyPoint>& curve,
                                         const std::vector<NocFig15Row>& fig15, const NocSweepOptions& o,
                                         const std::vector<NocSaturationRow>& saturation = {});

}  // namespace accelgen::flows
