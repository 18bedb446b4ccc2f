#include "cli/flow_planaria.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "flows/common/plot.hpp"
#include "flows/common/table.hpp"
#include "flows/common/tech_table.hpp"
#include "flows/planaria/planaria_flow.hpp"
#include "flows/planaria/workload.hpp"

namespace accelgen {

namespace {

namespace pl = flows::planaria;

struct ArrayCli {
  pl::ArrayConfig a;
  std::string tech = "planaria_45nm";
  std::string objective = "cycles";
  pl::Objective parsed() const {
    return objective == "edp" ? pl::Objective::kEnergyDelay : pl::Objective::kCycles;
  }
};

void add_array_options(CLI::App* cmd, ArrayCli& c) {
  cmd->add_option("--subarray", c.a.subarray, "PEs per subarray side (thesis: 32)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--subarrays", c.a.subarrays,
                  "subarrays on the chip, a power of two (thesis: 16)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--ring-regs", c.a.ring_regs, "ring register stages per subarray boundary")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--dram-gbps", c.a.dram_gbps, "off-chip bandwidth in GB/s")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--freq-mhz", c.a.freq_mhz, "clock in MHz (thesis: 700)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tech", c.tech, "technology table: preset name or JSON file")
      ->capture_default_str();
  cmd->add_option("--objective", c.objective,
                  "best configuration per layer: fewest cycles, or least energy x cycles")
      ->check(CLI::IsMember({"cycles", "edp"}))
      ->capture_default_str();
}

void check_array(const pl::ArrayConfig& a) {
  if ((a.subarrays & (a.subarrays - 1)) != 0)
    throw UserError(
        fmt::format("--subarrays {} must be a power of two (the monolithic baseline is one array)",
                    a.subarrays));
}

struct TablesCli {
  ArrayCli arr;
  std::vector<std::string> models;
  std::string layers_of;
  int layers_n = 0;
  bool json = false;
  std::string csv;
};

void run_tables(TablesCli& c) {
  check_array(c.arr.a);
  const flows::TechTable tech = flows::load_tech(c.arr.tech);
  if (c.models.empty()) c.models = pl::thesis_models();
  if (!c.layers_of.empty()) {
    // One network's per-layer table for one subarray count.
    const int n = c.layers_n > 0 ? c.layers_n : c.arr.a.subarrays;
    if (n > c.arr.a.subarrays)
      throw UserError(fmt::format("--n {} exceeds --subarrays {}", n, c.arr.a.subarrays));
    graph::ZooOptions zo;
    const pl::ConfigTable t =
        pl::build_table(graph::build_zoo_model(c.layers_of, zo), n, c.arr.a, tech, c.arr.parsed());
    flows::Table out(
        {{"layer"}, {"config"}, {"tiles"}, {"cycles"}, {"compute_cycles"}, {"memory_cycles"}});
    for (const auto& l : t.layers)
      out.add({l.layer, l.fission.name(c.arr.a.subarray), l.cost.tiles, l.cost.cycles,
               l.cost.compute_cycles, l.cost.memory_cycles});
    fmt::print(
        "{} on {} subarrays of {}x{}: best fission configuration per GEMM layer (objective: "
        "{})\n\n",
        c.layers_of, n, c.arr.a.subarray, c.arr.a.subarray, c.arr.objective);
    fmt::print("{}", out.text());
    fmt::print("\ntotal: {} cycles\n", t.total_cycles());
    if (!c.csv.empty()) flows::write_file_atomic(c.csv, out.csv());
    if (c.json)
      fmt::print(
          "{}\n",
          nlohmann::json{{"model", c.layers_of}, {"subarrays", n}, {"layers", out.json()}}.dump());
    return;
  }
  flows::Table out({{"model"},
                    {"gemm_layers", "layers"},
                    {"planaria_cycles", "Planaria cycles"},
                    {"monolithic_cycles", "monolithic cycles"},
                    {"speedup", "speedup"},
                    {"energy_ratio", "energy mono/Planaria"},
                    {"top_config", "most used config"},
                    {"top_share", "% layers", 1}});
  double log_sum = 0, e_log_sum = 0;
  for (const auto& m : c.models) {
    const pl::NetworkSummary s = pl::summarize_network(m, c.arr.a, tech, c.arr.parsed());
    auto top = s.config_share.front();
    for (const auto& cs : s.config_share)
      if (cs.second > top.second) top = cs;
    const double er =
        s.planaria_energy_uj > 0 ? s.monolithic_energy_uj / s.planaria_energy_uj : 1.0;
    out.add({m, s.gemm_layers, s.planaria_cycles, s.monolithic_cycles, s.speedup, er, top.first,
             top.second});
    log_sum += std::log(s.speedup);
    e_log_sum += std::log(er);
  }
  const double n = static_cast<double>(c.models.size());
  fmt::print(
      "Planaria, {} subarrays of {}x{} ({:g} MHz, {:g} GB/s, tech {}): best fission per layer vs "
      "one "
      "monolithic array\n\n",
      c.arr.a.subarrays, c.arr.a.subarray, c.arr.a.subarray, c.arr.a.freq_mhz, c.arr.a.dram_gbps,
      tech.name);
  fmt::print("{}", out.text());
  fmt::print(
      "\ngeomean speedup {:.2f}x, dynamic energy ratio {:.2f}x (thesis Fig. 5.17: 3.5x, 6.3x "
      "average)\n",
      std::exp(log_sum / n), std::exp(e_log_sum / n));
  if (!c.csv.empty()) {
    flows::write_file_atomic(c.csv, out.csv());
    fmt::print("csv: {}\n", c.csv);
  }
  if (c.json)
    fmt::print("{}\n", nlohmann::json{{"networks", out.json()},
                                      {"geomean_speedup", std::exp(log_sum / n)},
                                      {"geomean_energy_ratio", std::exp(e_log_sum / n)}}
                           .dump());
}

struct SchedCli {
  ArrayCli arr;
  pl::SchedOptionsFlow o;
  bool json = false;
  std::string csv;
  std::string out_dir;
  std::string workload;
};

// `--workload FILE`: one table row per task stream, Planaria against PREMA-like on the same
// arrivals.
void run_workload(const SchedCli& c) {
  const pl::WorkloadFile w = pl::load_workload(c.workload);
  const pl::WorkloadReport rep = pl::run_workload_flow(w, c.o, /*progress=*/true);
  flows::Table t({{"network"},
                  {"priority"},
                  {"qos_ms", "QoS (ms)", 3},
                  {"sla", "SLA", 2},
                  {"tasks"},
                  {"planaria_met", "met Planaria", 3},
                  {"prema_met", "met PREMA", 3},
                  {"planaria_latency_ms", "latency Planaria (ms)", 3},
                  {"prema_latency_ms", "latency PREMA (ms)", 3},
                  {"planaria_sla", "SLA Planaria", 2},
                  {"prema_sla", "SLA PREMA", 2}});
  for (const auto& r : rep.streams)
    t.add({r.network, r.priority, r.qos_ms, r.sla, r.tasks, r.planaria_met, r.prema_met,
           r.planaria_latency_ms, r.prema_latency_ms, r.planaria_sla, r.prema_sla});
  fmt::print(
      "Planaria spatial scheduling vs PREMA-like temporal preemption: workload '{}', {} "
      "subarrays, {} seeded runs, seed {}\n",
      rep.name, c.arr.a.subarrays, c.o.workloads, c.o.seed);
  fmt::print(
      "per task stream: share of tasks within the QoS bound, mean latency, share of runs meeting "
      "the stream's SLA\n\n");
  fmt::print("{}", t.text());
  fmt::print(
      "\nevery stream meets its SLA: Planaria {:.2f}, PREMA-like {:.2f} of runs; fairness "
      "(PREMA's): Planaria {:.3f}, PREMA-like {:.3f}\n",
      rep.planaria_sla, rep.prema_sla, rep.planaria_fairness, rep.prema_fairness);
  fmt::print("scheduler events simulated: {}\n", rep.events);
  if (!c.csv.empty()) {
    flows::write_file_atomic(c.csv, t.csv());
    fmt::print("csv: {}\n", c.csv);
  }
  if (c.json)
    fmt::print("{}\n", nlohmann::json{{"workload", rep.name},
                                      {"streams", t.json()},
                                      {"planaria_sla", rep.planaria_sla},
                                      {"prema_sla", rep.prema_sla},
                                      {"planaria_fairness", rep.planaria_fairness},
                                      {"prema_fairness", rep.prema_fairness},
                                      {"events", rep.events}}
                           .dump());
}

// One panel per simulated (mix, QoS) pair: a panel without data would make gnuplot fail.
void write_plot(const std::string& dir, const std::string& csv_name,
                const std::vector<std::string>& mixes, const std::vector<std::string>& qos) {
  namespace fs = std::filesystem;
  std::string gp = fmt::format(
      "set terminal pngcairo size 1200,800 noenhanced\nset output 'planaria_sched.png'\n"
      "set datafile separator ','\nset logscale x\nset format x '%g'\nset xtics (10, 100, 1000, "
      "10000, 100000)\nset xlabel 'arrival rate (queries/s)'\n"
      "set ylabel 'SLA met (share of workloads)'\nset yrange [-0.05:1.05]\nset key top right\n"
      "set multiplot layout {},{} title 'Planaria (spatial) vs PREMA-like (temporal): SLA "
      "satisfaction'\n",
      mixes.size(), qos.size());
  for (const auto& mix : mixes)
    for (const auto& q : qos)
      gp += fmt::format(
          "set title 'workload {0}, QoS-{1}'\n"
          "plot '{2}' using ((strcol(1) eq '{0}' && strcol(2) eq '{1}') ? $3 : 1/0):4 with "
          "linespoints title "
          "'Planaria', '' using ((strcol(1) eq '{0}' && strcol(2) eq '{1}') ? $3 : 1/0):5 with "
          "linespoints title "
          "'PREMA-like'\n",
          mix, q, csv_name);
  gp += "unset multiplot\n";
  const std::string script = (fs::path(dir) / "planaria_sched.gp").string();
  flows::write_file_atomic(script, gp);
  flows::render_gnuplot(script);
}

void run_sched(SchedCli& c) {
  check_array(c.arr.a);
  if (c.o.tasks < 1 || c.o.workloads < 1) throw UserError("--tasks and --workloads must be >= 1");
  for (double r : c.o.rates)
    if (!(r > 0)) throw UserError(fmt::format("--rates {} must be > 0 queries/s", r));
  c.o.array = c.arr.a;
  c.o.tech = c.arr.tech;
  c.o.objective = c.arr.parsed();
  if (!c.workload.empty()) {
    if (!c.out_dir.empty())
      throw UserError("-o/--out draws the rate curves of the mixes; not with --workload");
    run_workload(c);
    return;
  }
  if (!c.out_dir.empty()) flows::create_output_dir(c.out_dir);  // fail before the simulation
  const pl::SchedReport rep = pl::run_sched_flow(c.o, /*progress=*/true);
  flows::Table sum({{"mix"},
                    {"qos"},
                    {"planaria_qps", "Planaria QPS", 0},
                    {"prema_qps", "PREMA QPS", 0},
                    {"throughput_x", "throughput x"},
                    {"planaria_sla", "SLA Planaria", 2},
                    {"prema_sla", "SLA PREMA", 2},
                    {"planaria_fairness", "fair Planaria", 3},
                    {"prema_fairness", "fair PREMA", 3},
                    {"fairness_x", "fairness x"}});
  // A ratio over a zero is not a number: "-" (JSON keeps both operands).
  auto ratio = [](double a, double b) -> flows::Cell {
    if (b > 0) return fmt::format("{:.2f}x", a / b);
    return std::string("-");
  };
  for (const auto& s : rep.summary)
    sum.add({s.mix, s.qos, s.planaria_qps, s.prema_qps, ratio(s.planaria_qps, s.prema_qps),
             s.planaria_sla, s.prema_sla, s.planaria_fairness, s.prema_fairness,
             ratio(s.planaria_fairness, s.prema_fairness)});
  flows::Table iso({{"model"},
                    {"planaria_ms", "alone on Planaria (ms)", 3},
                    {"monolithic_ms", "alone monolithic (ms)", 3},
                    {"qos_s_ms", "QoS-S (ms)", 1},
                    {"qos_m_ms", "QoS-M", 2},
                    {"qos_h_ms", "QoS-H", 3}});
  for (const auto& l : rep.isolated)
    iso.add({l.model, l.planaria_ms, l.monolithic_ms, l.qos_soft_ms, l.qos_soft_ms / 4,
             l.qos_soft_ms / 16});
  flows::Table curve({{"mix"},
                      {"qos"},
                      {"rate_qps", "rate", 2},
                      {"planaria_sla"},
                      {"prema_sla"},
                      {"planaria_qos", "", 4},
                      {"prema_qos", "", 4},
                      {"planaria_fairness", "", 4},
                      {"prema_fairness", "", 4}});
  for (const auto& p : rep.points)
    curve.add({p.mix, p.qos, p.rate_qps, p.planaria_sla, p.prema_sla, p.planaria_qos, p.prema_qos,
               p.planaria_fairness, p.prema_fairness});
  fmt::print(
      "Planaria spatial scheduling vs PREMA-like temporal preemption: {} subarrays, {} tasks x {} "
      "workloads "
      "per rate, seed {}\n",
      c.arr.a.subarrays, c.o.tasks, c.o.workloads, c.o.seed);
  fmt::print(
      "QPS: highest arrival rate of the grid at which every workload meets the SLA (99%; GNMT "
      "97%); SLA: "
      "share of (workload, rate) pairs meeting it over the grid; fairness (PREMA's) at PREMA's "
      "QPS\n\n");
  fmt::print(
      "each network alone, whole chip (Planaria: best fission per layer; PREMA-like: one "
      "monolithic array):\n\n");
  fmt::print("{}", iso.text());
  fmt::print("\n{}", sum.text());
  fmt::print("\nscheduler events simulated: {}\n", rep.events);
  if (!c.csv.empty()) {
    flows::write_file_atomic(c.csv, sum.csv());
    fmt::print("csv: {}\n", c.csv);
  }
  if (!c.out_dir.empty()) {
    flows::write_file_atomic((std::filesystem::path(c.out_dir) / "planaria_sched.csv").string(),
                             curve.csv());
    write_plot(c.out_dir, "planaria_sched.csv", c.o.mixes, c.o.qos);
    fmt::print("curves: {}/planaria_sched.csv, plot: {}/planaria_sched.png\n", c.out_dir,
               c.out_dir);
  }
  if (c.json)
    fmt::print(
        "{}\n",
        nlohmann::json{{"isolated", iso.json()}, {"summary", sum.json()}, {"events", rep.events}}
            .dump());
}

}  // namespace

void register_planaria_flows(CLI::App& flow) {
  static TablesCli t;
  auto* tables = flow.add_subcommand("planaria-tables",
                                     "Planaria: best fission configuration per layer and isolated "
                                     "speedup over one monolithic array");
  add_array_options(tables, t.arr);
  tables->add_option("--model", t.models, "zoo networks (default: the thesis's nine, Table 5.1)")
      ->delimiter(',');
  tables->add_option("--layers", t.layers_of, "print one network's per-layer table instead")
      ->type_name("MODEL");
  tables->add_option("--n", t.layers_n, "with --layers: subarrays available (default: all)")
      ->check(CLI::Range(1, 1024));
  tables->add_flag("--json", t.json, "last line of stdout: one JSON object");
  tables->add_option("--csv", t.csv, "also write the table as CSV")->type_name("FILE");
  tables->callback([] { run_tables(t); });

  static SchedCli s;
  auto* sched = flow.add_subcommand("planaria-sched",
                                    "Planaria's spatial multi-tenant scheduler vs a PREMA-like "
                                    "temporal baseline (Poisson arrivals)");
  add_array_options(sched, s.arr);
  auto* workload =
      sched->add_option("--workload", s.workload,
                        "JSON task streams instead of the mixes (format: README, \"Workload "
                        "files\")")
          ->type_name("FILE");
  sched->add_option("--mix", s.o.mixes, "workload mixes (A heavier, B lighter, C all nine)")
      ->delimiter(',')
      ->check(CLI::IsMember({"A", "B", "C"}))
      ->excludes(workload);
  sched->add_option("--qos", s.o.qos, "QoS levels: S (MLPerf bound), M (1/4), H (1/16)")
      ->delimiter(',')
      ->check(CLI::IsMember({"S", "M", "H"}))
      ->excludes(workload);
  sched
      ->add_option("--rates", s.o.rates,
                   "arrival rates in queries/s (default: 10..200000, 8 per decade)")
      ->delimiter(',')
      ->excludes(workload);
  sched->add_option("--tasks", s.o.tasks, "tasks per workload")
      ->check(CLI::Range(1, 100000))
      ->excludes(workload);
  sched->add_option("--workloads", s.o.workloads, "seeded workloads per rate (with --workload: seeded runs)")
      ->check(CLI::Range(1, 10000));
  sched->add_option("--seed", s.o.seed, "seed of the arrivals, models and priorities");
  sched->add_flag("--json", s.json, "last line of stdout: one JSON object");
  sched->add_option("--csv", s.csv, "also write the summary as CSV")->type_name("FILE");
  sched->add_option("-o,--out", s.out_dir,
                    "write the per-rate curves (CSV), a gnuplot script and PNG here");
  sched->callback([] { run_sched(s); });
}

}  // namespace accelgen
