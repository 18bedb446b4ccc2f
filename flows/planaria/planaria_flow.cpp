#include "flows/planaria/planaria_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/bits.hpp"
#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "flows/planaria/workload.hpp"

namespace accelgen::flows::planaria {

namespace {

graph::Graph build(const std::string& model) {
  graph::ZooOptions zo;
  return graph::build_zoo_model(model, zo);
}

std::vector<LayerSteps> steps_of(const ConfigTable& t) {
  std::vector<LayerSteps> out;
  for (const auto& l : t.layers) {
    if (l.cost.cycles <= 0) continue;
    LayerSteps s;
    s.tiles = std::max<int64_t>(1, l.cost.tiles);
    s.cycles_per_tile = ceil_div(l.cost.cycles, s.tiles);
    out.push_back(s);
  }
  return out;
}

// One workload on both designs (the same tasks, subarrays and seed), counting scheduler events.
std::pair<RunResult, RunResult> run_both(const std::vector<TaskModel>& models,
                                         const std::vector<Task>& tasks, int subarrays,
                                         std::uint64_t seed, int64_t& events) {
  SchedOptions so;
  so.subarrays = subarrays;
  so.seed = seed;
  std::pair<RunResult, RunResult> r{run_planaria(models, tasks, so), run_prema(models, tasks, so)};
  events += r.first.events + r.second.events;
  return r;
}

}  // namespace

const std::vector<std::string>& thesis_models() {
  static const std::vector<std::string> m{
      "resnet50",        "googlenet",    "yolo_v3",          "ssd_resnet34", "gnmt",
      "efficientnet_b0", "mobilenet_v1", "ssd_mobilenet_v1", "tiny_yolo_v2"};
  return m;
}

std::vector<std::string> workload_models(const std::string& mix) {
  const auto& all = thesis_models();
  if (mix == "A") return {all.begin(), all.begin() + 5};
  if (mix == "B") return {all.begin() + 5, all.end()};
  if (mix == "C") return all;
  throw UserError(fmt::format("unknown workload mix '{}' (A, B or C)", one_line(mix)));
}

double qos_soft_ms(const std::string& model) {
  static const std::map<std::string, double> ms{
      {"resnet50", 15},    {"googlenet", 15},       {"yolo_v3", 100},     {"ssd_resnet34", 100},
      {"gnmt", 250},       {"efficientnet_b0", 10}, {"mobilenet_v1", 10}, {"ssd_mobilenet_v1", 50},
      {"tiny_yolo_v2", 50}};
  const auto it = ms.find(model);
  if (it == ms.end()) throw UserError(fmt::format("no QoS bound for '{}'", one_line(model)));
  return it->second;
}

NetworkSummary summarize_network(const std::string& model, const ArrayConfig& a,
                                 const TechTable& tech, Objective objective) {
  const graph::Graph g = build(model);
  const ConfigTable full = build_table(g, a.subarrays, a, tech, objective);
  const ConfigTable mono = monolithic_table(g, a, tech);
  NetworkSummary s;
  s.model = model;
  s.gemm_layers = static_cast<int64_t>(full.layers.size());
  for (const auto& l : full.layers) s.macs += l.macs;
  s.planaria_cycles = full.total_cycles();
  s.monolithic_cycles = mono.total_cycles();
  s.speedup =
      s.planaria_cycles > 0 ? static_cast<double>(s.monolithic_cycles) / s.planaria_cycles : 1.0;
  s.planaria_energy_uj = full.total_energy_pj() * 1e-6;
  s.monolithic_energy_uj = mono.total_energy_pj() * 1e-6;
  for (const Fission& f : fission_candidates(a.subarrays)) {
    int64_t n = 0;
    for (const auto& l : full.layers) n += l.fission == f;
    s.config_share.emplace_back(f.name(a.subarray),
                                full.layers.empty() ? 0.0 : 100.0 * n / full.layers.size());
  }
  return s;
}

TaskModel task_model(const std::string& model, const ArrayConfig& a, const TechTable& tech,
                     Objective objective, double qos_ms, double sla_fraction) {
  const graph::Graph g = build(model);
  TaskModel m;
  m.name = model;
  for (int n = 1; n <= a.subarrays; ++n)
    m.tables.push_back(steps_of(build_table(g, n, a, tech, objective)));
  m.tables.push_back(steps_of(monolithic_table(g, a, tech)));
  // Every table keeps the same layers: a layer with no cycles under one table has none under any.
  m.qos_cycles = static_cast<int64_t>(qos_ms * 1e-3 * a.freq_mhz * 1e6);
  m.sla_fraction = sla_fraction;
  return m;
}

SchedReport run_sched_flow(const SchedOptionsFlow& o, bool progress) {
  std::vector<double> rates = o.rates;
  if (rates.empty())
    for (double r = 10; r <= 200000; r *= std::pow(10.0, 0.125))
      rates.push_back(std::round(r * 100) / 100);
  // Tables once per network (the QoS bound is set per run).
  const TechTable tech = load_tech(o.tech);
  std::map<std::string, TaskModel> base;
  for (const auto& mix : o.mixes)
    for (const auto& name : workload_models(mix))
      if (!base.count(name)) {
        if (progress) fmt::print(stderr, "planaria-sched: tables of {}\n", name);
        base.emplace(name, task_model(name, o.array, tech, o.objective, qos_soft_ms(name),
                                      name == "gnmt" ? 0.97 : 0.99));
      }
  SchedReport rep;
  const int whole = o.array.subarrays - 1;
  for (const auto& [name, m] : base) {
    auto total = [&](int table) {
      int64_t c = 0;
      for (const auto& l : m.tables[table]) c += l.tiles * l.cycles_per_tile;
      return static_cast<double>(c) / (o.array.freq_mhz * 1e3);
    };
    rep.isolated.push_back({name, total(whole), total(whole + 1), qos_soft_ms(name)});
  }
  for (const auto& mix : o.mixes)
    for (const auto& qos : o.qos) {
      const double divide = qos == "S" ? 1 : qos == "M" ? 4 : qos == "H" ? 16 : 0;
      if (divide == 0)
        throw UserError(fmt::format("unknown QoS level '{}' (S, M or H)", one_line(qos)));
      std::vector<TaskModel> models;
      for (const auto& name : workload_models(mix)) {
        TaskModel m = base.at(name);
        m.qos_cycles =
            static_cast<int64_t>(qos_soft_ms(name) / divide * 1e-3 * o.array.freq_mhz * 1e6);
        models.push_back(std::move(m));
      }
      if (progress)
        fmt::print(stderr, "planaria-sched: workload {} QoS-{} ({} rates)\n", mix, qos,
                   rates.size());
      SchedSummary sum;
      sum.mix = mix;
      sum.qos = qos;
      bool planaria_ok = true, prema_ok = true;
      std::vector<SchedPoint> points;
      for (double rate : rates) {
        SchedPoint p;
        p.mix = mix;
        p.qos = qos;
        p.rate_qps = rate;
        const double mean_cycles = o.array.freq_mhz * 1e6 / rate;
        for (int w = 0; w < o.workloads; ++w) {
          const auto tasks = poisson_tasks(o.tasks, mean_cycles, static_cast<int>(models.size()),
                                           o.seed * 1000003 + w);
          const auto [a, b] = run_both(models, tasks, o.array.subarrays, o.seed + w, rep.events);
          p.planaria_sla += a.sla_met;
          p.prema_sla += b.sla_met;
          p.planaria_qos += a.qos_fraction;
          p.prema_qos += b.qos_fraction;
          p.planaria_fairness += a.fairness;
          p.prema_fairness += b.fairness;
        }
        for (double* v : {&p.planaria_sla, &p.prema_sla, &p.planaria_qos, &p.prema_qos,
                          &p.planaria_fairness, &p.prema_fairness})
          *v /= o.workloads;
        planaria_ok = planaria_ok && p.planaria_sla == 1.0;
        prema_ok = prema_ok && p.prema_sla == 1.0;
        if (planaria_ok) sum.planaria_qps = rate;
        if (prema_ok) sum.prema_qps = rate;
        sum.planaria_sla += p.planaria_sla / rates.size();
        sum.prema_sla += p.prema_sla / rates.size();
        points.push_back(p);
      }
      // Fairness at the highest rate PREMA sustains (or the lowest rate if it sustains none).
      sum.reference_qps = sum.prema_qps > 0 ? sum.prema_qps : rates.front();
      for (const auto& p : points)
        if (p.rate_qps == sum.reference_qps) {
          sum.planaria_fairness = p.planaria_fairness;
          sum.prema_fairness = p.prema_fairness;
        }
      rep.points.insert(rep.points.end(), points.begin(), points.end());
      rep.summary.push_back(sum);
    }
  return rep;
}

WorkloadReport run_workload_flow(const WorkloadFile& w, const SchedOptionsFlow& o, bool progress) {
  const TechTable tech = load_tech(o.tech);
  std::map<std::string, TaskModel> tables;  // once per network
  std::vector<TaskModel> models;
  WorkloadReport rep;
  rep.name = w.name;
  for (const WorkloadStream& s : w.streams) {
    if (!tables.count(s.network)) {
      if (progress) fmt::print(stderr, "planaria-sched: tables of {}\n", s.network);
      tables.emplace(s.network, task_model(s.network, o.array, tech, o.objective, s.qos_ms, s.sla));
    }
    TaskModel m = tables.at(s.network);
    m.qos_cycles = static_cast<int64_t>(s.qos_ms * 1e-3 * o.array.freq_mhz * 1e6);
    m.sla_fraction = s.sla;
    models.push_back(std::move(m));
    StreamResult r;
    r.network = s.network;
    r.priority = s.priority;
    r.qos_ms = s.qos_ms;
    r.sla = s.sla;
    r.tasks = s.arrivals_ms.empty() ? s.count : static_cast<int64_t>(s.arrivals_ms.size());
    rep.streams.push_back(r);
  }
  const double cycles_per_ms = o.array.freq_mhz * 1e3;
  for (int run = 0; run < o.workloads; ++run) {
    const std::vector<Task> tasks = workload_tasks(w, o.array.freq_mhz, o.seed + run);
    const auto [a, b] = run_both(models, tasks, o.array.subarrays, o.seed + run, rep.events);
    rep.planaria_sla += a.sla_met;
    rep.prema_sla += b.sla_met;
    rep.planaria_fairness += a.fairness;
    rep.prema_fairness += b.fairness;
    // Per stream: tasks within the bound and mean latency, then whether the stream met its SLA.
    std::vector<std::array<double, 4>> acc(models.size(), {0, 0, 0, 0});
    for (const Task& t : tasks) {
      const TaskResult& pa = a.tasks[t.id];
      const TaskResult& pb = b.tasks[t.id];
      acc[t.model][0] += pa.met_qos;
      acc[t.model][1] += pb.met_qos;
      acc[t.model][2] += static_cast<double>(pa.latency) / cycles_per_ms;
      acc[t.model][3] += static_cast<double>(pb.latency) / cycles_per_ms;
    }
    for (size_t i = 0; i < models.size(); ++i) {
      StreamResult& r = rep.streams[i];
      const double n = static_cast<double>(r.tasks);
      r.planaria_met += acc[i][0] / n;
      r.prema_met += acc[i][1] / n;
      r.planaria_latency_ms += acc[i][2] / n;
      r.prema_latency_ms += acc[i][3] / n;
      r.planaria_sla += acc[i][0] >= r.sla * n;  // the scheduler's own SLA rule
      r.prema_sla += acc[i][1] >= r.sla * n;
    }
  }
  const double runs = o.workloads;
  for (StreamResult& r : rep.streams)
    for (double* v : {&r.planaria_met, &r.prema_met, &r.planaria_latency_ms, &r.prema_latency_ms,
                      &r.planaria_sla, &r.prema_sla})
      *v /= runs;
  for (double* v : {&rep.planaria_sla, &rep.prema_sla, &rep.planaria_fairness, &rep.prema_fairness})
    *v /= runs;
  return rep;
}

}  // namespace accelgen::flows::planaria
