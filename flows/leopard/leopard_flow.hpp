// `accelgen flow leopard`: cycles of one attention head on a LeOPArd tile (QK-PU with N bit-serial
// DPUs + V-PU, stall rule) against the thesis's baseline (one 12x12-bit QK unit, one score per
// cycle, no pruning, the same V-PU), across pruning rates. Scores, prune decisions and termination
// cycles come from the golden model (predict_leopard_qk) on seeded synthetic Q/K; the threshold of
// each rate is the head's score quantile, as a learned per-layer threshold would be.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accelgen::flows {

struct LeopardFlowOptions {
  int seq_len = 512;                  // keys and Q vectors of the head
  int taps = 64;                      // D
  int bits_per_cycle = 2;             // B
  std::vector<int> n_dpus = {6, 8};   // design points (6 area-equal, 8 high-performance)
  std::vector<double> rates = {0, 50, 60.3, 75, 78.6, 90, 91.7, 95};  // target pruning, percent
  std::string distribution = "gaussian";  // Q/K values: "gaussian" (sigma = 1/4 of full scale) or "uniform"
  bool signmag = false;               // K encoding
  int64_t softmax_cycles = 0;         // fixed V-PU overhead per row (both designs)
  int64_t vpu_cycles_per_score = 1;   // t_v: V-PU cycles per kept score (both designs)
  uint64_t seed = 1;
  bool exact_tile = true;             // also run the cycle-exact tile model where it applies
};

struct LeopardFlowRow {
  double target_rate = 0;          // percent
  int n_dpu = 0;
  int64_t threshold = 0;
  double pruned_percent = 0;       // measured
  double avg_bits_pruned = 0;      // B * mean c* over pruned scores
  int64_t baseline_cycles = 0;
  int64_t leopard_cycles = 0;
  int64_t front_cycles = 0;        // sum over rows of the QK-PU time (T + 1)
  double speedup = 0;
  double vpu_utilization = 0;      // kept scores / cycles
  double baseline_vpu_utilization = 0;
  double front_bound_rows = 0;     // percent of rows whose front end is longer than their back end
  // The same head on the generated tile's cycle-exact model (predict_leopard_tile: FIFOs, merger,
  // end beats, stall rule), when the options match the tile (one V-PU cycle per score, no extra
  // softmax cycles); 0 otherwise.
  int64_t tile_cycles = 0;
  double tile_speedup = 0;
};

std::vector<LeopardFlowRow> run_leopard_flow(const LeopardFlowOptions& o);
nlohmann::json leopard_flow_json(const LeopardFlowOptions& o, const std::vector<LeopardFlowRow>& rows);
std::string leopard_flow_csv(const std::vector<LeopardFlowRow>& rows);

}  // namespace accelgen::flows
