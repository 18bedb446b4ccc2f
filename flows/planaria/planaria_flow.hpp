// The two Planaria flows over the cost model (fission.hpp) and the scheduler (scheduler.hpp):
// `planaria-tables` (per-layer configuration tables and isolated speedup, thesis Table 5.2 and
// Fig. 5.17) and `planaria-sched` (throughput, SLA satisfaction and fairness against a PREMA-like
// temporal baseline, thesis Figs. 5.12-5.14).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/common/table.hpp"
#include "flows/common/tech_table.hpp"
#include "flows/planaria/fission.hpp"
#include "flows/planaria/scheduler.hpp"

namespace accelgen::flows::planaria {

// Table 5.1's networks and the thesis's workload scenarios.
const std::vector<std::string>& thesis_models();
std::vector<std::string> workload_models(
    const std::string& mix);  // "A", "B" or "C"; UserError else
// QoS-S latency bound in ms per network (MLPerf v0.5 server scenario and the artifact; the two
// networks neither lists are stated as assumptions in the README).
double qos_soft_ms(const std::string& model);

struct NetworkSummary {
  std::string model;
  int64_t gemm_layers = 0;
  int64_t macs = 0;
  int64_t planaria_cycles = 0;    // 16 subarrays, best fission per layer
  int64_t monolithic_cycles = 0;  // one 128x128 array
  double speedup = 0;
  double planaria_energy_uj = 0;
  double monolithic_energy_uj = 0;
  std::vector<std::pair<std::string, double>>
      config_share;  // % of GEMM layers per configuration (n = 16)
};
NetworkSummary summarize_network(const std::string& model, const ArrayConfig& a,
                                 const TechTable& tech, Objective objective);

// The scheduler's view of one network: tables for 1..subarrays and the monolithic one.
TaskModel task_model(const std::string& model, const ArrayConfig& a, const TechTable& tech,
                     Objective objective, double qos_ms, double sla_fraction);

struct SchedPoint {
  std::string mix, qos;
  double rate_qps = 0;
  double planaria_sla = 0, prema_sla = 0;  // share of workloads meeting the SLA
  double planaria_qos = 0,
         prema_qos = 0;  // share of tasks within their bound (mean over workloads)
  double planaria_fairness = 0, prema_fairness = 0;
};
struct SchedSummary {
  std::string mix, qos;
  double planaria_qps = 0,
         prema_qps = 0;  // highest rate of the grid with every workload meeting the SLA
  double planaria_sla = 0, prema_sla = 0;            // SLA satisfaction over the whole rate grid
  double planaria_fairness = 0, prema_fairness = 0;  // at the reference rate
  double reference_qps = 0;
};
struct SchedOptionsFlow {
  std::vector<std::string> mixes{"A", "B", "C"};
  std::vector<std::string> qos{"S", "M", "H"};
  std::vector<double> rates;  // queries/s; empty: a geometric grid
  int tasks = 200;
  int workloads = 3;
  uint64_t seed = 1;
  ArrayConfig array;
  Objective objective = Objective::kCycles;
  std::string tech = "planaria_45nm";
};
struct IsolatedLatency {
  std::string model;
  double planaria_ms = 0, monolithic_ms = 0, qos_soft_ms = 0;
};
struct SchedReport {
  std::vector<IsolatedLatency> isolated;  // each network alone, against its QoS-S bound
  std::vector<SchedPoint> points;
  std::vector<SchedSummary> summary;
  int64_t events = 0;  // scheduling decisions simulated
};
SchedReport run_sched_flow(const SchedOptionsFlow& o, bool progress);

// `--workload FILE`: the file's task streams instead of the mixes, `o.workloads` seeded runs
// (Poisson streams redrawn per run, explicit arrivals the same in every run).
struct StreamResult {
  std::string network;
  int priority = 1;
  double qos_ms = 0, sla = 0;
  int64_t tasks = 0;                              // per run
  double planaria_met = 0, prema_met = 0;         // share of its tasks within the bound
  double planaria_latency_ms = 0, prema_latency_ms = 0;  // mean latency
  double planaria_sla = 0, prema_sla = 0;         // share of runs meeting its SLA fraction
};
struct WorkloadReport {
  std::string name;
  std::vector<StreamResult> streams;
  double planaria_sla = 0, prema_sla = 0;  // share of runs where every stream meets its SLA
  double planaria_fairness = 0, prema_fairness = 0;  // mean over runs
  int64_t events = 0;
};
struct WorkloadFile;
WorkloadReport run_workload_flow(const WorkloadFile& w, const SchedOptionsFlow& o, bool progress);

}  // namespace accelgen::flows::planaria
