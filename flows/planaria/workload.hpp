// A user-written multi-tenant workload for `accelgen flow planaria-sched --workload FILE`: task
// streams (network, priority, QoS bound, Poisson rate or explicit arrivals) instead of the
// thesis's mixes A/B/C. The format is documented in README.md ("Workload files").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/planaria/scheduler.hpp"

namespace accelgen::flows::planaria {

struct WorkloadStream {
  std::string network;
  int priority = 1;       // 1..11
  std::string qos = "S";  // "S", "M", "H" (MLPerf bound, /4, /16) or "" when qos_ms is given
  double qos_ms = 0;      // the bound in ms (resolved from `qos` when not given)
  double sla = 0.99;      // share of the stream's tasks that must meet the bound
  double rate_qps = 0;    // Poisson arrivals of `count` tasks at this rate ...
  int count = 0;
  std::vector<double> arrivals_ms;  // ... or these arrival times
};

struct WorkloadFile {
  std::string name;
  std::vector<WorkloadStream> streams;
};

// Validates and resolves a parsed workload; `where` names it in errors. Every problem is a
// UserError of one line naming the stream and the field.
WorkloadFile parse_workload(const nlohmann::json& j, const std::string& where);
// Reads and parses FILE (not JSON, unreadable or invalid: one-line UserError).
WorkloadFile load_workload(const std::string& path);

// The tasks of one run: explicit arrivals as written, Poisson streams drawn from `seed`; sorted by
// arrival (ties by stream, then order), ids 0..n-1, `model` = the stream's index.
std::vector<Task> workload_tasks(const WorkloadFile& w, double freq_mhz, uint64_t seed);

}  // namespace accelgen::flows::planaria
