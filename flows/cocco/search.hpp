// Partition (and capacity) search: exact DP over down-sets, brute-force set-partition
// enumeration, the Cocco genetic algorithm, and the paper's baselines (Halide-style greedy,
// Irregular-NN depth-ordered DP, simulated annealing, two-step RS+GA / GS+GA).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "flows/cocco/model.hpp"

namespace accelgen::flows::cocco {

struct SearchResult {
  std::string method;
  Genome best;
  PartitionCost cost;
  int64_t samples = 0;                            // genomes evaluated
  std::vector<std::pair<int64_t, double>> trace;  // (samples, best objective so far)
  bool finished = true;                           // exact methods: false when a limit stopped them
};

// Progress callback: (samples done, samples planned, best objective).
using Progress = std::function<void(int64_t, int64_t, double)>;

struct GaParams {
  int64_t samples = 50000;
  int population = 100;
  int tournament = 3;
  double crossover_rate = 0.8;
  double merge_on_conflict =
      0.5;  // crossover: merge (else split out) when a block overlaps decided layers
  double p_modify = 0.4, p_split = 0.2, p_merge = 0.4;  // per child, one partition mutation
  double resplit_after_merge = 0.0;  // a merge is followed by a split of the merged subgraph
  double mutation_mean =
      0.5;                 // partition mutations per child: 1 + an exponential draw of this mean
  double p_window = 0.05;  // per child, re-segment a window of consecutive subgraphs
  int window_blocks = 3;   // the window: 1..window_blocks subgraphs in execution order
  double p_dse = 0.3;      // per child, capacity mutation (co-exploration)
  double dse_sigma = 2.0;  // grid steps
  int64_t trace_every = 1000;
  uint64_t seed = 1;
  std::vector<Genome> initial;  // optional seeds
  bool seed_baselines = true;   // also seed with the greedy and depth-DP partitions (paper §4.3
                                // stage 1, option 2), at random capacities when co-exploring
  nlohmann::json to_json() const;
};

struct SaParams {
  int64_t samples = 50000;
  double t0_fraction = 0.05;  // initial temperature = t0_fraction * initial objective
  double t_end_fraction = 1e-5;
  int64_t trace_every = 1000;
  uint64_t seed = 1;
  nlohmann::json to_json() const;
};

// Exact optimum of Eq. 1 (partition only, capacities of `cap`) by DP over the down-sets of the
// DAG: f(J) = min over down-sets I ⊂ J with J∖I a connected subgraph that fits of f(I) + Cost(J∖I).
// Stops (finished = false) when more than max_states down-sets exist.
SearchResult exact_dp(Evaluator& e, const Genome& cap, int64_t max_states = 200000);
// Co-exploration optimum: exact_dp at every capacity candidate.
SearchResult exact_coexplore(Evaluator& e, int64_t max_states = 200000);
// Every set partition of the compute layers (restricted-growth strings), filtered to valid ones.
// Throws UserError above 14 layers.
SearchResult brute_force(Evaluator& e, const Genome& cap);

SearchResult ga(Evaluator& e, const GaParams& p, const Progress& progress = {});
// Partition-only GA at fixed capacities (`cap`), used by the fixed-HW and two-step baselines.
SearchResult ga_fixed(Evaluator& e, const Genome& cap, GaParams p, const Progress& progress = {});
SearchResult greedy(Evaluator& e, const Genome& cap);
SearchResult depth_dp(Evaluator& e, const Genome& cap);
SearchResult simulated_annealing(Evaluator& e, const SaParams& p, const Progress& progress = {});
// Two-step: candidates by random search (rs) or a coarse grid from large to small (gs), each
// followed by a partition-only GA of per_candidate samples; the best candidate is kept.
SearchResult two_step(Evaluator& e, bool grid, int64_t samples, int64_t per_candidate,
                      uint64_t seed, const Progress& progress = {});

// Genome operators (exposed for tests). Each returns false and leaves `g` unchanged when the
// result would be invalid.
bool mutate_modify(Evaluator& e, Genome& g, std::mt19937_64& rng);
bool mutate_split(Evaluator& e, Genome& g, std::mt19937_64& rng);
bool mutate_merge(Evaluator& e, Genome& g, std::mt19937_64& rng);
// Splits subgraph `label` at a random topological cut; merges a random subgraph with a random
// neighbour and returns the merged label (-1 when nothing valid was found).
bool split_label(Evaluator& e, Genome& g, int label, std::mt19937_64& rng);
int merge_label(Evaluator& e, Genome& g, std::mt19937_64& rng);
// Window re-segmentation: 1..max_blocks subgraphs consecutive in execution order are merged,
// laid out in a random topological order, and cut into the best contiguous connected segments
// that fit (a DP over cut points at the genome's capacities). Returns the subgraphs evaluated;
// does nothing when that could exceed `budget`.
int64_t mutate_window(Evaluator& e, Genome& g, std::mt19937_64& rng, int max_blocks,
                      int64_t budget = INT64_MAX);
Genome crossover(Evaluator& e, const Genome& dad, const Genome& mom, std::mt19937_64& rng,
                 double merge_prob);
Genome random_genome(Evaluator& e, std::mt19937_64& rng);
// Splits blocks that do not fit at the genome's capacities until all fit.
void repair(Evaluator& e, Genome& g, std::mt19937_64& rng);
Genome singletons(const Evaluator& e, const Genome& cap);

}  // namespace accelgen::flows::cocco
