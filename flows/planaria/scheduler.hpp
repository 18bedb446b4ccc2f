// Planaria's spatial multi-tenant scheduler (thesis Algorithm 1, with the semantics the digest's
// A.9 takes from the artifact) and a PREMA-like temporal baseline on the monolithic array, run as
// one deterministic event simulation over seeded Poisson arrivals.
//
// Time is in cycles. A task's progress is counted in the tiles of its current layer under the
// table it runs with; every (re)allocation happens at tile boundaries: at each scheduling point
// every running task advances to the next event rounded up to whole tiles, and the global time
// moves to the latest of those (the artifact's rule), so no tile is ever split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace accelgen::flows::planaria {

// A network's tables as the scheduler sees them: for each subarray count n = 1..N (index n-1),
// per layer the tiles and the cycles per tile. Index N (the last) is the temporal baseline's
// monolithic table.
struct LayerSteps {
  int64_t tiles = 1;
  int64_t cycles_per_tile = 0;
};
struct TaskModel {
  std::string name;
  std::vector<std::vector<LayerSteps>> tables;  // [n-1][layer] for n = 1..N; [N] = monolithic
  int64_t qos_cycles = 0;                       // the latency bound at the QoS level in use
  double sla_fraction = 0.99;                   // share of its tasks that must meet the bound
};

struct Task {
  int id = 0;
  int model = 0;  // index into the model list
  int priority = 1;
  int64_t arrival = 0;
};

// Seeded Poisson arrivals: `count` tasks, exponential inter-arrival times of mean `mean_cycles`,
// models drawn uniformly from 0..models-1, priorities uniformly from 1..11.
std::vector<Task> poisson_tasks(int count, double mean_cycles, int models, uint64_t seed);

// One scheduling decision, recorded for the invariant tests and the trace.
struct Allocation {
  int64_t time = 0;
  std::vector<int> task_ids;
  std::vector<int> subarrays;       // per task id above
  std::vector<int64_t> done_tiles;  // the task's tiles done in its current layer (a whole number)
};

struct TaskResult {
  int id = 0;
  int64_t finish = 0;
  int64_t latency = 0;   // finish - arrival
  int64_t isolated = 0;  // the task alone on the whole array
  bool met_qos = false;
};

struct RunResult {
  std::vector<TaskResult> tasks;  // by task id
  std::vector<Allocation> trace;
  int64_t events = 0;       // scheduling decisions taken
  bool sla_met = false;     // every model meets its SLA fraction
  double qos_fraction = 0;  // tasks meeting their bound / tasks
  double fairness = 0;      // PREMA's: min_i,j PP_i / PP_j
};

struct SchedOptions {
  int subarrays = 16;
  uint64_t seed = 1;  // for the leftover tie-break (the artifact's random.choice)
  int64_t prema_quantum =
      700000;  // cycles between PREMA's periodic token updates (1 ms at 700 MHz)
  bool keep_trace = false;
};

// Planaria: Algorithm 1 on `subarrays` subarrays.
RunResult run_planaria(const std::vector<TaskModel>& models, const std::vector<Task>& tasks,
                       const SchedOptions& o);
// PREMA-like: one task at a time on the monolithic array; tokens grow by priority × waited time /
// isolated time; the candidates are the tasks whose tokens reach the highest waiting priority, and
// among them the shortest remaining job runs; preemption at tile boundaries.
RunResult run_prema(const std::vector<TaskModel>& models, const std::vector<Task>& tasks,
                    const SchedOptions& o);

// The allocation rule alone (for hand-built queues): tasks' minimum subarray counts (0 = no count
// meets the slack), priorities and remaining times at their minimum (or on the whole array when
// infeasible), slacks. Returns the subarrays of each task; the sum never exceeds `subarrays`.
struct QueueEntry {
  int min_subarrays = 0;  // 0: infeasible
  int priority = 1;
  int64_t remaining_at_min = 1;
  int64_t remaining_at_all = 1;
  int64_t slack = 1;
};
std::vector<int> allocate(const std::vector<QueueEntry>& q, int subarrays, uint64_t& rng_state);

// PREMA's fairness over finished tasks: PP_i = (isolated_i / multi_i) / (priority_i / Σ priority).
double fairness(const std::vector<int64_t>& isolated, const std::vector<int64_t>& multi,
                const std::vector<int>& priority);

}  // namespace accelgen::flows::planaria
