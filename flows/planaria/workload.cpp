#include "flows/planaria/workload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "flows/planaria/planaria_flow.hpp"

namespace accelgen::flows::planaria {

namespace {

using json = nlohmann::json;

constexpr int kMaxTasks = 1000000;
constexpr double kMaxMs = 1e9;  // about 11 days: arrival cycles stay far inside int64

// A number in (0, hi] (or [0, hi] with `zero_ok`), else a one-line error naming the field.
double number(const json& v, const std::string& what, double hi, bool zero_ok = false) {
  if (!v.is_number()) throw UserError(fmt::format("{} must be a number", what));
  const double d = v.get<double>();
  if (!(d >= 0) || d > hi || (!zero_ok && d == 0))
    throw UserError(
        fmt::format("{} must be a number {} 0 and <= {:g}", what, zero_ok ? ">=" : ">", hi));
  return d;
}

int integer(const json& v, const std::string& what, int lo, int hi) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
    throw UserError(fmt::format("{} must be an integer from {} to {}", what, lo, hi));
  return static_cast<int>(v.get<int64_t>());
}

WorkloadStream parse_stream(const json& t, const std::string& where) {
  if (!t.is_object()) throw UserError(fmt::format("{} must be an object", where));
  static const std::set<std::string> known{"network", "priority", "qos",   "qos_ms",
                                           "sla",     "rate_qps", "count", "arrivals_ms"};
  for (const auto& [key, value] : t.items())
    if (!known.count(key))
      throw UserError(
          fmt::format("{}: unknown field '{}' (network, priority, qos, qos_ms, sla, "
                      "rate_qps, count, arrivals_ms)",
                      where, one_line(key)));
  WorkloadStream s;
  if (!t.contains("network") || !t["network"].is_string())
    throw UserError(fmt::format("{}: 'network' (a zoo model name) is required", where));
  s.network = t["network"].get<std::string>();
  if (!graph::is_zoo_model(s.network))
    throw UserError(fmt::format("{}: unknown model '{}' (accelgen models lists the zoo)", where,
                                one_line(s.network)));
  if (!t.contains("priority"))
    throw UserError(fmt::format("{}: 'priority' (1 to 11) is required", where));
  s.priority = integer(t["priority"], where + ": priority", 1, 11);

  if (t.contains("qos") && t.contains("qos_ms"))
    throw UserError(fmt::format("{}: give 'qos' or 'qos_ms', not both", where));
  if (t.contains("qos_ms")) {
    s.qos.clear();
    s.qos_ms = number(t["qos_ms"], where + ": qos_ms", kMaxMs);
  } else {
    if (t.contains("qos")) {
      if (!t["qos"].is_string() || (t["qos"] != "S" && t["qos"] != "M" && t["qos"] != "H"))
        throw UserError(fmt::format("{}: qos must be \"S\", \"M\" or \"H\"", where));
      s.qos = t["qos"].get<std::string>();
    }
    if (!std::count(thesis_models().begin(), thesis_models().end(), s.network))
      throw UserError(fmt::format("{}: no MLPerf bound for '{}': give qos_ms", where, s.network));
    s.qos_ms = qos_soft_ms(s.network) / (s.qos == "S" ? 1 : s.qos == "M" ? 4 : 16);
  }
  s.sla = s.network == "gnmt" ? 0.97 : 0.99;
  if (t.contains("sla")) {
    s.sla = number(t["sla"], where + ": sla", 1.0);
  }

  const bool poisson = t.contains("rate_qps") || t.contains("count");
  if (poisson == t.contains("arrivals_ms"))
    throw UserError(fmt::format(
        "{}: give either 'rate_qps' with 'count' (Poisson) or 'arrivals_ms' (explicit)", where));
  if (poisson) {
    if (!t.contains("rate_qps") || !t.contains("count"))
      throw UserError(fmt::format("{}: Poisson arrivals need both 'rate_qps' and 'count'", where));
    s.rate_qps = number(t["rate_qps"], where + ": rate_qps", 1e9);
    if (s.rate_qps < 1e-3)
      throw UserError(fmt::format("{}: rate_qps must be at least 0.001 queries/s", where));
    s.count = integer(t["count"], where + ": count", 1, kMaxTasks);
  } else {
    const json& a = t["arrivals_ms"];
    if (!a.is_array() || a.empty() || a.size() > static_cast<size_t>(kMaxTasks))
      throw UserError(
          fmt::format("{}: arrivals_ms must be a list of 1 to {} times in ms", where, kMaxTasks));
    for (size_t i = 0; i < a.size(); ++i)
      s.arrivals_ms.push_back(
          number(a[i], fmt::format("{}: arrivals_ms[{}]", where, i), kMaxMs, /*zero_ok=*/true));
  }
  return s;
}

}  // namespace

WorkloadFile parse_workload(const json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(fmt::format("{}: must be a JSON object", where));
  for (const auto& [key, value] : j.items())
    if (key != "name" && key != "tasks")
      throw UserError(fmt::format("{}: unknown field '{}' (name, tasks)", where, one_line(key)));
  WorkloadFile w;
  if (j.contains("name")) {
    if (!j["name"].is_string() || j["name"].get<std::string>().empty())
      throw UserError(fmt::format("{}: name must be a non-empty string", where));
    w.name = one_line(j["name"].get<std::string>());
  }
  if (!j.contains("tasks") || !j["tasks"].is_array() || j["tasks"].empty())
    throw UserError(fmt::format("{}: 'tasks' must be a non-empty list of task streams", where));
  int64_t total = 0;
  for (size_t i = 0; i < j["tasks"].size(); ++i) {
    w.streams.push_back(parse_stream(j["tasks"][i], fmt::format("{}: tasks[{}]", where, i)));
    const auto& s = w.streams.back();
    total += s.arrivals_ms.empty() ? s.count : static_cast<int64_t>(s.arrivals_ms.size());
  }
  if (total > kMaxTasks)
    throw UserError(fmt::format("{}: {} tasks in all, at most {}", where, total, kMaxTasks));
  return w;
}

WorkloadFile load_workload(const std::string& path) {
  const std::string shown = fmt::format("workload '{}'", one_line(path));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UserError(fmt::format("{}: no such file", shown));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw UserError(fmt::format("{}: cannot read", shown));
  const json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw UserError(fmt::format("{}: not valid JSON", shown));
  WorkloadFile w = parse_workload(j, shown);
  if (w.name.empty()) w.name = one_line(std::filesystem::path(path).stem().string());
  return w;
}

std::vector<Task> workload_tasks(const WorkloadFile& w, double freq_mhz, uint64_t seed) {
  const double cycles_per_ms = freq_mhz * 1e3;
  std::vector<Task> tasks;
  for (size_t i = 0; i < w.streams.size(); ++i) {
    const WorkloadStream& s = w.streams[i];
    std::vector<Task> mine;
    if (s.arrivals_ms.empty()) {
      mine = poisson_tasks(s.count, cycles_per_ms * 1e3 / s.rate_qps, 1, seed * 1000003 + i);
    } else {
      for (double ms : s.arrivals_ms) {
        Task t;
        t.arrival = static_cast<int64_t>(std::llround(ms * cycles_per_ms));
        mine.push_back(t);
      }
    }
    for (Task& t : mine) {
      t.model = static_cast<int>(i);
      t.priority = s.priority;
      tasks.push_back(t);
    }
  }
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& a, const Task& b) { return a.arrival < b.arrival; });
  for (size_t i = 0; i < tasks.size(); ++i) tasks[i].id = static_cast<int>(i);
  return tasks;
}

}  // namespace accelgen::flows::planaria
