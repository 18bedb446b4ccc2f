// The two NN-Baton flows. Post-design (`map`): the minimum-energy mapping of every layer of a model
// on fixed hardware, beside the Simba-like baseline. Pre-design (`explore`): a sweep of Table II's
// compute (N_P, N_C, L, P) and buffer (O-L1, A-L1, W-L1, A-L2) options under a MAC count and a
// chiplet-area limit, each valid design scored by the EDP of its per-layer optimal mappings.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/nn_baton/model.hpp"
#include "flows/nn_baton/workloads.hpp"

namespace accelgen::flows::nn_baton {

struct MapReport {
  std::string workload;
  Hardware hw;
  std::vector<LayerResult> layers;
  std::vector<SimbaResult> simba;
  EnergyBreakdown energy, simba_energy;
  int64_t cycles = 0, simba_cycles = 0;
  int64_t candidates = 0;  // valid mappings evaluated over all layers
  double seconds = 0;
  double energy_vs_simba() const { return energy.total() / simba_energy.total(); }
};
MapReport run_map(const std::string& workload, const std::vector<Layer>& layers, const Hardware& hw,
                  const Tech& tech, const Options& o = {});
nlohmann::json map_json(const MapReport& r, const Tech& tech, const Options& o);

struct ExploreOptions {
  int64_t macs = 2048;
  double area_mm2 = 2;
  std::vector<std::string> models = paper_models();
  int64_t resolution = 224;
  // Table II options; memory grids (bytes) with the steps the paper leaves open (README).
  std::vector<int> np = {1, 2, 4, 8}, nc = {1, 2, 4, 8, 16}, l = {2, 4, 8, 16}, p = {2, 4, 8, 16};
  std::vector<int64_t> ol1 = {48, 64, 80, 96, 112, 128, 144};
  bool ol1_per_lane = false;  // read Table II's O-L1 sizes per lane (O-L1 = size x L), see README
  std::vector<int64_t> al1 = {1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072};
  std::vector<int64_t> wl1 = {2048,  4096,  8192,  9216,   16384,  18432, 32768,
                              36864, 65536, 73728, 131072, 147456, 262144};
  std::vector<int64_t> al2 = {32768, 65536, 98304, 131072, 163840, 196608, 229376, 262144};
};

struct DesignPoint {
  Hardware hw;
  double area_mm2 = 0;
  double energy_pj = 0;           // summed over the models
  int64_t cycles = 0;             // summed over the models
  std::vector<double> model_edp;  // per model: energy (J) x runtime (s)
  double score = 0;               // geometric mean of model_edp (the model's EDP for one model)
};
struct ExploreResult {
  int64_t points = 0;                // designs swept (every grid point of the MAC budget)
  int64_t area_ok = 0;               // within the chiplet-area limit
  int64_t valid = 0;                 // also A-L1 <= A-L2 and every layer mappable: fully evaluated
  std::vector<DesignPoint> designs;  // the valid ones, in sweep order
  int best = -1;                     // index into designs
  std::vector<int> best_per_model;   // per model: lowest EDP
  std::vector<int> best_per_np;      // per N_P value of the options (-1: none valid)
  double seconds = 0;                 // wall clock
  double cpu_seconds = 0;             // this process's CPU time (the machine may be shared)
  double evaluations_per_second = 0;  // points / seconds
};
// UserError when the MAC budget is not reachable with the options or no design fits the area.
ExploreResult run_explore(const ExploreOptions& e, const Tech& tech, const Options& o = {});
nlohmann::json explore_json(const ExploreResult& r, const ExploreOptions& e);
std::string explore_csv(const ExploreResult& r);
// gnuplot script drawing EDP against chiplet area per N_P (Fig. 15) from `csv` into `png`.
std::string explore_gnuplot(const ExploreResult& r, const ExploreOptions& e, const std::string& csv,
                            const std::string& png);

}  // namespace accelgen::flows::nn_baton
