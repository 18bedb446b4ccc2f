// `accelgen flow noc-sweep`: the golden-model study of flows/noc, plus an optional cross-check of
// the Fig. 15 points on the Verilated RTL at a smaller size (the CLI is the only layer that sees
// both the flows and the co-simulation harness).
#include "cli/flow_noc.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "common/block_info.hpp"
#include "common/error.hpp"
#include "flows/common/table.hpp"
#include "flows/noc/noc_sweep.hpp"
#include "generator/design.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen {

namespace {

struct NocSweepCli {
  flows::NocSweepOptions o;
  std::string out_dir = "noc-sweep";
  int rtl_check = 0;
  bool json = false, no_curves = false, no_fig15 = false;
};

void print_tables(const std::vector<flows::NocLatencyPoint>& curve, const std::vector<flows::NocFig15Row>& fig,
                  const flows::NocSweepOptions& o, const std::vector<flows::NocSaturationRow>& sat) {
  const bool vc = o.vcs != std::vector<int>{1} || o.packet_flits != std::vector<int>{1};
  if (!curve.empty()) {
    fmt::print("Latency vs injection rate: {}x{} {} traffic, buffer depth {}, {} cycles ({} warm-up), golden model\n",
               o.rows, o.cols, o.traffic, o.buffer_depth, o.cycles, o.warmup);
    if (vc) {
      fmt::print("(rate% = flits per node per 100 cycles; VC buffers of {} flits; latency until the tail is delivered)\n",
                 o.vc_depth > 0 ? o.vc_depth : o.buffer_depth);
      fmt::print("{:<6} {:>4} {:>6} {:>6} {:>9} {:>9} {:>12} {:>12}\n", "topo", "vcs", "flits", "rate%", "offered",
                 "acc.flits", "mean lat", "max lat");
      for (const auto& p : curve)
        fmt::print("{:<6} {:>4} {:>6} {:>6} {:>9.4f} {:>9.4f} {:>12.2f} {:>12}\n", p.topology, p.vcs, p.packet_flits,
                   p.rate, p.offered * p.packet_flits, p.accepted_flits, p.mean_latency, p.max_latency);
    } else {
      fmt::print("{:<6} {:>6} {:>9} {:>9} {:>12} {:>12}\n", "topo", "rate%", "offered", "accepted", "mean lat", "max lat");
      for (const auto& p : curve)
        fmt::print("{:<6} {:>6} {:>9.4f} {:>9.4f} {:>12.2f} {:>12}\n", p.topology, p.rate, p.offered, p.accepted,
                   p.mean_latency, p.max_latency);
    }
  }
  if (!sat.empty()) {
    fmt::print("\nSaturation throughput: {}x{} {} traffic, {} cycles ({} warm-up), golden model. saturation: peak "
               "accepted flits/node/cycle under Bernoulli injection at offered 0.02, 0.04, ... (at: that offered "
               "load); backlogged: every source backlogged (queue of {} packets)\n",
               o.rows, o.cols, o.traffic, o.cycles, o.warmup, o.source_queue);
    fmt::print("{:<6} {:>4} {:>6} {:>9} {:>11} {:>6} {:>11} {:>12} {:>8}\n", "topo", "vcs", "flits", "vc depth",
               "saturation", "at", "backlogged", "mean lat", "drained");
    for (const auto& r : sat)
      fmt::print("{:<6} {:>4} {:>6} {:>9} {:>11.4f} {:>6.2f} {:>11.4f} {:>12.1f} {:>8}\n", r.topology, r.vcs,
                 r.packet_flits, r.vc_depth, r.saturation_flits, r.saturation_offered, r.accepted_flits,
                 r.mean_latency, r.drained ? "yes" : "NO");
  }
  if (fig.empty()) return;
  fmt::print("\nPipeOrgan Fig. 15: {0}x{0} array, depth 2, 1-D allocation, {1} producer rounds per point, golden model\n",
             o.fig15_size, o.rounds);
  if (o.fig15_tile_flits > 0)
    fmt::print("(tiles of {} flits in packets of {} flits, {} VC(s); loads in flits per round, delays per packet)\n",
               o.fig15_tile_flits, o.fig15_packet_flits, o.fig15_vcs);
  fmt::print("{:<13} {:<8} {:>8} {:>10} {:>10} {:>10} {:>11} {:>9}\n", "case", "alloc", "interval", "worst load",
             "congestion", "zero-load", "mean delay", "max delay");
  for (const auto& r : fig)
    fmt::print("{:<13} {:<8} {:>8} {:>10.0f} {:>10.2f} {:>10.2f} {:>11.2f} {:>9}\n", r.case_name, r.allocation, r.interval,
               r.worst_load, r.congestion, r.zero_load_delay, r.mean_delay, r.max_delay);
}

// Runs a few Fig. 15 points of a SIZE x SIZE array on the RTL (lockstep against the golden model)
// and compares the measured mean delay with the golden flow's.
bool rtl_cross_check(const NocSweepCli& c, nlohmann::json& out) {
  flows::NocSweepOptions small = c.o;
  const int size = c.rtl_check;
  const auto golden_rows = flows::noc_fig15(small, size);
  const BlockInfo& info = find_block("noc");
  bool ok = true;
  fmt::print("\nRTL cross-check on {0}x{0} (Verilated RTL in lockstep with the golden model):\n", size);
  fmt::print("{:<13} {:>8} {:>9} {:>14} {:>14} {:>10}\n", "case", "interval", "packets", "golden delay", "RTL delay", "verify");
  for (const char* name : {"blocked", "fine_striped", "amp"}) {
    for (int interval : {1, 2, 4, 8, 16}) {
      if (interval > small.max_interval) continue;
      ParamSet params = resolve_params(info, "", flows::noc_fig15_sets(small, name, "equal", interval, size), true);
      auto model = sim::build_model(generate_design(info, params), sim::TraceKind::kNone);
      sim::VerifyResult r = sim::run_testbench(info, params, *model, sim::VerifyOptions{small.seed, 0, "", {}, nullptr});
      double golden = 0;
      for (const auto& g : golden_rows)
        if (g.case_name == name && g.allocation == "equal" && g.interval == interval) golden = g.mean_delay;
      const double rtl = r.details.value("mean_latency", 0.0);
      const bool pass = r.passed() && std::abs(rtl - golden) < 1e-9;
      ok &= pass;
      fmt::print("{:<13} {:>8} {:>9} {:>14.3f} {:>14.3f} {:>10}\n", name, interval, r.outputs_checked, golden, rtl,
                 pass ? "exact" : fmt::format("FAIL ({})", r.mismatches));
      out.push_back({{"case", name}, {"interval", interval}, {"packets", r.outputs_checked}, {"golden_mean_delay", golden},
                     {"rtl_mean_delay", rtl}, {"mismatches", r.mismatches}, {"passed", pass}});
    }
  }
  return ok;
}

}  // namespace

void register_noc_flow(CLI::App& flow) {
  static NocSweepCli c;
  auto* cmd = flow.add_subcommand(
      "noc-sweep", "NoC latency vs injection rate (mesh, AMP) and PipeOrgan Fig. 15 congestion study");
  cmd->add_option("-o,--out", c.out_dir, "output directory for CSV, gnuplot scripts and PNGs")->capture_default_str();
  cmd->add_option("--rows", c.o.rows, "latency-curve network rows")->capture_default_str()->check(CLI::Range(2, 32));
  cmd->add_option("--cols", c.o.cols, "latency-curve network columns")->capture_default_str()->check(CLI::Range(2, 32));
  cmd->add_option("--traffic", c.o.traffic, "latency-curve pattern")
      ->capture_default_str()->check(CLI::IsMember({"uniform", "transpose", "hotspot", "neighbour"}));
  cmd->add_option("--rates", c.o.rates, "injection rates in percent (default 2,5,10,...,100)")
      ->delimiter(',')->check(CLI::Range(0, 100));
  cmd->add_option("--cycles", c.o.cycles, "injection window per latency point")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", c.o.warmup, "cycles excluded from latency and throughput")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--buffer-depth", c.o.buffer_depth, "router input buffer depth")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--seed", c.o.seed, "traffic seed")->capture_default_str();
  cmd->add_option("--fig15-size", c.o.fig15_size, "Fig. 15 array side")->capture_default_str()->check(CLI::Range(4, 32));
  cmd->add_option("--max-interval", c.o.max_interval, "Fig. 15 compute intervals 1..N")->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--rounds", c.o.rounds, "producer rounds per Fig. 15 point")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("--rtl-check", c.rtl_check, "also run Fig. 15 points of a SIZE x SIZE array on the RTL (0 = no)")
      ->capture_default_str()->check(CLI::Range(0, 16));
  cmd->add_option("--vcs", c.o.vcs, "virtual channels per input, a list (1 with --packet-flits 1 = base router; AMP takes at most 7)")
      ->delimiter(',')->check(CLI::Range(1, 8));
  cmd->add_option("--packet-flits", c.o.packet_flits, "flits per packet, a list")->delimiter(',')->check(CLI::Range(1, 64));
  cmd->add_option("--vc-depth", c.o.vc_depth, "flits per VC buffer (0 = --buffer-depth)")->capture_default_str()
      ->check(CLI::Range(0, 64));
  cmd->add_flag("--saturation", c.o.saturation, "also measure saturation throughput of every configuration");
  cmd->add_option("--source-queue", c.o.source_queue, "packets per source in the saturation runs")->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--fig15-tile-flits", c.o.fig15_tile_flits,
                  "Fig. 15 with multi-flit tiles: flits per producer->consumer tile (0 = one-flit packets)")
      ->capture_default_str()->check(CLI::Range(0, 4096));
  cmd->add_option("--fig15-packet-flits", c.o.fig15_packet_flits, "Fig. 15: flits per packet of a tile")
      ->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--fig15-vcs", c.o.fig15_vcs, "Fig. 15: virtual channels")->capture_default_str()->check(CLI::Range(1, 4));
  cmd->add_flag("--no-fig15", c.no_fig15, "skip the Fig. 15 study");
  cmd->add_flag("--no-curves", c.no_curves, "skip the latency curves (Fig. 15 only)");
  cmd->add_flag("--json", c.json, "last line of stdout: one JSON object with every number");
  cmd->callback([] {
    if (c.o.warmup >= c.o.cycles) throw UserError(fmt::format("--warmup {} must be below --cycles {}", c.o.warmup, c.o.cycles));
    flows::create_output_dir(c.out_dir);  // a bad -o fails before the sweep, not after it
    std::vector<flows::NocLatencyPoint> curve;
    if (!c.no_curves) curve = flows::noc_latency_sweep(c.o);
    std::vector<flows::NocSaturationRow> sat;
    if (c.o.saturation) sat = flows::noc_saturation(c.o);
    std::vector<flows::NocFig15Row> fig;
    if (!c.no_fig15) fig = flows::noc_fig15(c.o, c.o.fig15_size);
    print_tables(curve, fig, c.o, sat);
    const auto files = flows::write_noc_sweep(c.out_dir, curve, fig, c.o, sat);
    nlohmann::json rtl = nlohmann::json::array();
    bool ok = true;
    if (c.rtl_check > 0) ok = rtl_cross_check(c, rtl);
    fmt::print("\nwrote {}\n", fmt::join(files, ", "));
    if (c.json) {
      nlohmann::json j = {{"flow", "noc-sweep"}, {"files", files}, {"rtl_check", rtl}, {"passed", ok}};
      for (const auto& p : curve)
        j["latency"].push_back({{"topology", p.topology}, {"vcs", p.vcs}, {"packet_flits", p.packet_flits},
                                {"rate", p.rate}, {"offered", p.offered}, {"accepted", p.accepted},
                                {"accepted_flits", p.accepted_flits}, {"mean_latency", p.mean_latency},
                                {"max_latency", p.max_latency}});
      for (const auto& r : sat)
        j["saturation"].push_back({{"topology", r.topology}, {"vcs", r.vcs}, {"packet_flits", r.packet_flits},
                                   {"vc_depth", r.vc_depth}, {"saturation_flits", r.saturation_flits},
                                   {"saturation_offered", r.saturation_offered}, {"accepted_flits", r.accepted_flits},
                                   {"accepted_packets", r.accepted_packets}, {"mean_latency", r.mean_latency},
                                   {"drained", r.drained}});
      for (const auto& r : fig)
        j["fig15"].push_back({{"case", r.case_name}, {"allocation", r.allocation}, {"interval", r.interval},
                              {"worst_load", r.worst_load}, {"mean_delay", r.mean_delay}, {"max_delay", r.max_delay}});
      fmt::print("{}\n", j.dump());
    }
    set_exit_status(ok ? 0 : 1);
  });
}

}  // namespace accelgen
