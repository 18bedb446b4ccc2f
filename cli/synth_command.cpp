#include "cli/synth_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "common/block_info.hpp"
#include "common/error.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"
#include "generator/eda/stdcell.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen {

namespace {

struct SynthCli {
  std::string dir;
  bool json = false;
  bool row = false;
  bool generic = false;
  bool flatten = false;
  bool abc_fast = false;
  bool buffer = false;
  bool buffer_tree = true;
  int max_fanout = 0;
  double clock_ns = 0;
  std::string liberty, sta;
  std::string activity = "sim";
  int64_t sim_transactions = 4;
  uint64_t seed = 1;
  int64_t macro_min_bits = 1024;
  std::string sta_mode = "auto";
  std::vector<std::string> activity_sets;
};

int64_t param(const nlohmann::json& p, const char* key) {
  if (!p.contains(key) || !p[key].is_number_integer())
    throw UserError(fmt::format("the manifest's params lack the integer '{}'", key));
  return p[key].get<int64_t>();
}

void print_generic(const DesignDir& d, const SynthResult& s, bool json) {
  if (json) {
    nlohmann::json j = s.to_json();
    j["block"] = d.block;
    j["top"] = d.top;
    j["params"] = d.params;
    j["yosys_version"] = yosys_version();
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("{} ({})\n", d.top, d.dir);
  fmt::print("  cells            {}\n  flip-flops       {}\n  transistors      {} (stat -tech cmos)\n"
             "  longest path     {} levels (ltp -noff)\n", s.cells, s.flip_flops, s.transistors, s.longest_path);
}

// Toggle rates of the design's input ports from a short co-simulation of its configuration.
void measure_activity(const DesignDir& d, const SynthCli& o, StdCellOptions& so) {
  if (o.activity == "sim") {
    const BlockInfo& info = find_block(d.block);
    // The design's configuration, with --activity-set overrides (a smaller array of the same
    // interface when Verilating the design's own would take too long).
    ParamSet params =
        resolve_params(info, (std::filesystem::path(d.dir) / "manifest.json").string(),
                       o.activity_sets, /*allow_stimulus=*/true);
    GeneratedDesign design = generate_design(info, params);
    auto progress = [](const std::string& msg) { fmt::print(stderr, "accelgen: {}\n", msg); };
    auto model = sim::build_model(design, sim::TraceKind::kNone, progress);
    sim::ActivityRecord record;
    sim::VerifyOptions vo{o.seed, o.sim_transactions, "", progress, &record};
    sim::VerifyResult vr = sim::run_testbench(info, params, *model, vo);
    if (!vr.passed())
      throw UserError(fmt::format("the co-simulation that measures switching activity failed ({} mismatches); "
                                  "run 'accelgen verify' on this configuration", vr.mismatches));
    if (record.cycles == 0) throw UserError("the co-simulation recorded no clock cycles");
    for (const auto& p : record.ports) so.input_activity.push_back({p.name, p.width, record.rate(p)});
    so.activity_source = fmt::format(
        "co-simulation: {} cycles of 'accelgen verify' (seed {}, {} transactions{})", record.cycles,
        o.seed, vr.transactions,
        o.activity_sets.empty() ? "" : fmt::format(", with {}", fmt::join(o.activity_sets, " ")));
    return;
  }
  if (!o.activity_sets.empty()) throw UserError("--activity-set needs --activity sim");
  try {
    size_t used = 0;
    const double rate = std::stod(o.activity, &used);
    if (used != o.activity.size() || rate < 0 || rate > 1) throw std::invalid_argument("range");
    so.default_activity = rate;
    so.activity_source = fmt::format("assumed: {} toggles per input bit per cycle", rate);
  } catch (const std::exception&) {
    throw UserError(fmt::format("--activity must be 'sim' or a rate in [0, 1], not '{}'", o.activity));
  }
}

// The manifest's parameters as "k=v k=v" (sorted by key, as nlohmann keeps them).
std::string params_text(const nlohmann::json& params) {
  std::string s;
  for (const auto& [k, v] : params.items()) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v.dump());
  return s;
}

void run_synth(const SynthCli& o) {
  const auto t0 = std::chrono::steady_clock::now();
  DesignDir d = read_design_dir(o.dir);
  if (o.generic) {
    print_generic(d, synth_design(d), o.json);
    return;
  }
  StdCellOptions so;
  so.liberty = resolve_liberty(o.liberty);  // tools first: a missing one fails before any work
  so.sta = resolve_sta(o.sta);
  so.clock_ns = o.clock_ns;
  so.flatten = o.flatten;
  so.abc_fast = o.abc_fast;
  so.buffer = o.buffer;
  so.buffer_tree = o.buffer_tree;
  so.max_fanout = o.max_fanout;
  so.macro_min_bits = o.macro_min_bits;
  so.sta_mode = o.sta_mode;
  measure_activity(d, o, so);
  StdCellResult r = stdcell_ppa(d, so);
  const OpsPerCycle ops = peak_ops_per_cycle(d.block, d.params);
  // Energy per operation at fmax: one cycle's energy (dynamic logic + macro accesses + leakage over
  // one fmax period) over the peak operations per cycle.
  const double pj_per_cycle = r.power_mw * r.critical_path_ns;  // mW * ns = pJ
  const double pj_per_op = ops.count > 0 ? pj_per_cycle / ops.count : 0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.row) {
    // One row of the README's PPA table (scripts/ppa_table.sh prints the header).
    // The block column names what makes a row not like the others: ABC's fast script, a
    // hierarchical timing run.
    std::string how;
    if (o.abc_fast) how += " `--abc-fast`";
    if (r.sta_method == "hier") how += " hierarchical timing";
    fmt::print("| `{}`{} | {} | {:.3f} | {:.3f} / {:.3f} | {} | {:.2f} | {:.1f} | {:.1f} | {:.1f} per {} | {:.2f} | {:.0f} s |\n",
               d.block, how.empty() ? "" : " (" + how.substr(1) + ")", params_text(d.params), r.area_um2 / 1e6, r.logic_area_um2 / 1e6, r.memory_area_um2 / 1e6,
               r.flip_flops, r.critical_path_ns, r.fmax_mhz, r.power_mw, pj_per_op, ops.unit, r.mean_input_activity, wall);
    return;
  }
  if (o.json) {
    nlohmann::json j = r.to_json();
    j["wall_seconds"] = wall;
    j["block"] = d.block;
    j["top"] = d.top;
    j["params"] = d.params;
    j["yosys_version"] = yosys_version();
    j["energy_pj_per_cycle"] = pj_per_cycle;
    j["op_unit"] = ops.unit;
    j["ops_per_cycle"] = ops.count;
    j["energy_pj_per_op"] = pj_per_op;
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("{} ({}), {}\n", d.top, d.dir, r.liberty);
  fmt::print("  area             {:.0f} um^2 = logic {:.0f} (flip-flops {:.0f}) + memory macros {:.0f}\n", r.area_um2,
             r.logic_area_um2, r.flip_flop_area_um2, r.memory_area_um2);
  fmt::print("  cells            {} standard cells, {} flip-flops\n", r.cells, r.flip_flops);
  if (!r.buffer_tree.is_null()) {
    const std::string buf = r.buffer_tree["buffer_cell"];
    fmt::print("  buffer trees     {} {} over the hierarchy, at most {} inputs ({:.3f} pF) per driver\n",
               r.cell_counts.count(buf) ? r.cell_counts.at(buf) : 0, buf, r.buffer_tree["max_fanout"].get<int>(),
               r.buffer_tree["max_load_pf"].get<double>());
  }
  for (const auto& m : r.memories)
    fmt::print("  macro            {} x {} ({} words x {} bits, {}R{}W{}): {:.0f} um^2, read {:.2f} pJ, write {:.2f} pJ, "
               "{:.2f} ns each\n", m.instances, m.cell, m.shape.words, m.shape.width, m.shape.read_ports,
               m.shape.write_ports, m.shape.sync_read ? ", sync read" : ", combinational read", m.estimate.area_um2,
               m.estimate.read_pj, m.estimate.write_pj, m.estimate.access_ns);
  fmt::print("  critical path    {:.3f} ns ({} -> {}){}\n", r.critical_path_ns, r.start_point, r.end_point,
             r.memory_access_ns > r.logic_path_ns ? fmt::format(", set by a macro access ({:.3f} ns)", r.memory_access_ns) : "");
  fmt::print("  fmax             {:.1f} MHz\n", r.fmax_mhz);
  if (r.clock_ns > 0)
    fmt::print("  slack            {:.3f} ns at {} ns ({}); power there {:.3f} mW\n", r.slack_ns, r.clock_ns,
               r.slack_ns >= 0 ? "met" : "VIOLATED", r.power_at_clock_mw);
  fmt::print("  power at fmax    {:.3f} mW = logic {:.3f} (leakage {:.4f}) + memory {:.3f} (every port every cycle)\n",
             r.power_mw, r.logic_power_mw, r.logic_leakage_mw, r.memory_power_mw);
  fmt::print("  energy           {:.2f} pJ per cycle, {:.3f} pJ per {} ({} per cycle at peak)\n", pj_per_cycle,
             pj_per_op, ops.unit, ops.count);
  fmt::print("  activity         {} (mean input toggle rate {:.3f})\n", r.activity_source, r.mean_input_activity);
  fmt::print("  netlist          {} (Yosys {:.1f} s, OpenSTA {:.1f} s)\n", r.netlist, r.yosys_seconds, r.sta_seconds);
}

}  // namespace

OpsPerCycle peak_ops_per_cycle(const std::string& block, const nlohmann::json& p) {
  auto d = [](int64_t v) { return static_cast<double>(v); };
  if (block == "systolic") return {d(param(p, "rows") * param(p, "cols")), "MAC"};
  if (block == "cvu") return {d(param(p, "lanes")), fmt::format("{0}bx{0}b MAC", param(p, "max_bits"))};
  if (block == "cvu_array")
    return {d(param(p, "rows") * param(p, "cols") * param(p, "lanes")), fmt::format("{0}bx{0}b MAC", param(p, "max_bits"))};
  if (block == "bihiwe") return {d(param(p, "lanes")), fmt::format("{0}bx{0}b MAC", param(p, "max_bits"))};
  if (block == "leopard_qk" || block == "leopard_tile") {
    const int64_t k_bits = block == "leopard_qk" ? param(p, "k_bits") : 12;
    return {d(param(p, "n_dpu") * param(p, "bits_per_cycle")) / d(k_bits), "score (all K bits read)"};
  }
  if (block == "leopard_vpu") return {d(param(p, "taps")), "V MAC"};
  if (block == "noc") return {d(param(p, "rows") * param(p, "cols")), "router-cycle"};
  if (block == "region_manager") return {1.0, "command"};
  if (block == "tandem") return {1, "instruction"};
  if (block == "planaria")
    return {d(param(p, "subarrays") * param(p, "sub_rows") * param(p, "sub_cols")), "MAC"};
  return {0, "cycle"};
}

void register_synth_command(CLI::App& app) {
  static SynthCli o;
  auto* synth = app.add_subcommand(
      "synth", "Standard-cell synthesis (OSU 0.18 um), static timing and power (OpenSTA); --generic for Yosys's estimate");
  synth->add_option("dir", o.dir, "directory written by 'accelgen generate'")->required();
  synth->add_flag("--json", o.json, "print one JSON object instead of a table");
  synth->add_flag("--row", o.row, "print one Markdown row of the README's PPA table (scripts/ppa_table.sh)");
  synth->add_option("--clock-ns", o.clock_ns, "target clock period in ns: reports slack and power at it")
      ->check(CLI::PositiveNumber);
  synth->add_flag("--generic", o.generic,
                  "the old generic estimate instead (synth -flatten; stat -tech cmos; ltp -noff): no library, no STA");
  synth->add_flag("--flatten", o.flatten, "flatten before synthesis (default: every module synthesized once)");
  synth->add_flag("--abc-fast", o.abc_fast,
                  "map with ABC's fast script (strash; dretime; map) instead of its default one: "
                  "large designs");
  synth->add_flag("--buffer", o.buffer,
                  "map against the clock (or 10 ns) with ABC's buffering and gate sizing (abc "
                  "-constr -D): fan-out trees "
                  "inside each module");
  synth->add_flag("!--no-buffer-tree", o.buffer_tree,
                  "no fan-out buffer trees on the mapped netlist (default: every net above the bound gets one, "
                  "across module boundaries)");
  synth->add_option("--max-fanout", o.max_fanout,
                    "buffer-tree bound in buffer inputs (default: derived from the buffer's liberty delay table)")
      ->check(CLI::Range(2, 1000));
  synth->add_option("--liberty", o.liberty, "liberty file (default $ACCELGEN_LIBERTY or the OSU 0.18 um library)")
      ->type_name("FILE.lib");
  synth->add_option("--sta", o.sta, "OpenSTA binary (default $ACCELGEN_STA or 'sta')")->type_name("PROGRAM");
  synth->add_option("--activity", o.activity,
                    "input switching activity: 'sim' (toggle rates measured in a short co-simulation) or a rate in [0, 1]")
      ->type_name("sim|RATE");
  synth->add_option("--sim-transactions", o.sim_transactions, "transactions of the activity co-simulation")
      ->check(CLI::PositiveNumber);
  synth->add_option("--seed", o.seed, "stimulus seed of the activity co-simulation");
  synth->add_option("--macro-min-bits", o.macro_min_bits,
                    "memories of at least this many bits become SRAM macros (0: none, all flip-flops)")
      ->check(CLI::NonNegativeNumber);
  synth
      ->add_option("--sta-mode", o.sta_mode,
                   "static timing and power: flat (OpenSTA on the whole netlist), hier (extracted "
                   "timing models of repeated modules, timed once each), auto (hier from 2 M "
                   "standard cells on)")
      ->check(CLI::IsMember({"flat", "hier", "auto"}));
  synth
      ->add_option("--activity-set", o.activity_sets,
                   "KEY=VALUE: a parameter of the activity co-simulation's configuration that "
                   "differs from the design's (e.g. smaller Planaria subarrays); repeatable")
      ->type_name("KEY=VALUE");
  synth->callback([] { run_synth(o); });
}

}  // namespace accelgen
