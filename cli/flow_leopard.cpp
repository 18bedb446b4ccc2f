#include "cli/flow_leopard.hpp"

#include <fmt/format.h>

#include <fstream>

#include "common/error.hpp"
#include "flows/leopard/leopard_flow.hpp"

namespace accelgen {

namespace {

struct LeopardFlowCli {
  flows::LeopardFlowOptions o;
  std::string k_encoding = "twos";
  bool json = false;
  std::string csv;
};

void run(LeopardFlowCli& c) {
  c.o.signmag = c.k_encoding == "signmag";
  if (12 % c.o.bits_per_cycle != 0)
    throw UserError(fmt::format("--bits-per-cycle {} must divide 12", c.o.bits_per_cycle));
  for (int n : c.o.n_dpus)
    if (n < 1 || n > c.o.seq_len) throw UserError(fmt::format("--n-dpu {} must be in 1..seq_len", n));
  for (double r : c.o.rates)
    if (r < 0 || r > 100) throw UserError(fmt::format("--rates {} must be a percentage in 0..100", r));
  const auto rows = flows::run_leopard_flow(c.o);
  if (!c.csv.empty()) {
    std::ofstream f(c.csv);
    if (!f) throw UserError(fmt::format("cannot write '{}'", c.csv));
    f << flows::leopard_flow_csv(rows);
  }
  fmt::print("LeOPArd attention head: seq_len {}, D = {}, 12-bit Q/K ({}), B = {}, {} Q/K, seed {}\n", c.o.seq_len,
             c.o.taps, c.k_encoding, c.o.bits_per_cycle, c.o.distribution, c.o.seed);
  fmt::print("baseline: one 12x12-bit QK unit, one score per cycle, no pruning, same V-PU ({} cycle(s) per kept "
             "score, {} per row): {} cycles\n\n",
             c.o.vpu_cycles_per_score, c.o.softmax_cycles, rows.empty() ? 0 : rows.front().baseline_cycles);
  fmt::print("{:>7} {:>5} {:>8} {:>10} {:>10} {:>8} {:>9} {:>11} {:>10} {:>8}\n", "target%", "N_QK", "pruned%",
             "K bits", "cycles", "speedup", "V-PU util", "front-bound", "RTL tile", "speedup");
  fmt::print("{:>7} {:>5} {:>8} {:>10} {:>10} {:>8} {:>9} {:>11} {:>10} {:>8}\n", "", "", "", "(pruned)", "(model)", "",
             "", "rows", "cycles", "(tile)");
  for (const auto& r : rows) {
    const std::string tile = r.tile_cycles ? fmt::format("{:>10} {:>7.2f}x", r.tile_cycles, r.tile_speedup)
                                           : fmt::format("{:>10} {:>8}", "-", "-");
    fmt::print("{:>7.1f} {:>5} {:>8.1f} {:>10.2f} {:>10} {:>7.2f}x {:>8.1f}% {:>10.0f}% {}\n", r.target_rate, r.n_dpu,
               r.pruned_percent, r.avg_bits_pruned, r.leopard_cycles, r.speedup, 100 * r.vpu_utilization,
               r.front_bound_rows, tile);
  }
  fmt::print("\nmodel: the first-order tile model (front T + 1, back kept x t_v, stall rule); RTL tile: the generated\n"
             "leopard_tile's cycle-exact golden model (per-unit FIFOs, merger, end beats; co-simulated in ctest).\n");
  if (!c.csv.empty()) fmt::print("\ncsv: {}\n", c.csv);
  if (c.json) fmt::print("{}\n", flows::leopard_flow_json(c.o, rows).dump());
}

}  // namespace

void register_leopard_flow(CLI::App& flow) {
  static LeopardFlowCli c;
  auto* cmd = flow.add_subcommand(
      "leopard", "LeOPArd tile (N bit-serial QK units + V-PU) vs the non-pruning baseline across pruning rates");
  cmd->add_option("--seq-len", c.o.seq_len, "keys and Q vectors of the head")->check(CLI::Range(1, 4096));
  cmd->add_option("--taps", c.o.taps, "D, elements per Q/K vector")->check(CLI::Range(1, 128));
  cmd->add_option("--bits-per-cycle", c.o.bits_per_cycle, "B, K bits per cycle (divides 12)")->check(CLI::Range(1, 12));
  cmd->add_option("--n-dpu", c.o.n_dpus, "QK units per design point (repeatable)")->delimiter(',');
  cmd->add_option("--rates", c.o.rates, "target pruning rates in percent (comma separated)")->delimiter(',');
  cmd->add_option("--distribution", c.o.distribution, "Q/K values")->check(CLI::IsMember({"gaussian", "uniform"}));
  cmd->add_option("--k-encoding", c.k_encoding, "K encoding")->check(CLI::IsMember({"twos", "signmag"}));
  cmd->add_option("--softmax-cycles", c.o.softmax_cycles, "fixed V-PU cycles per row (both designs)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--vpu-cycles-per-score", c.o.vpu_cycles_per_score, "t_v, V-PU cycles per kept score (both designs)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("!--no-tile", c.o.exact_tile, "skip the cycle-exact leopard_tile model (faster)");
  cmd->add_option("--seed", c.o.seed, "seed of the synthetic Q/K");
  cmd->add_flag("--json", c.json, "last line of stdout: one JSON object with every row");
  cmd->add_option("--csv", c.csv, "also write the table as CSV")->type_name("FILE");
  cmd->callback([] { run(c); });
}

}  // namespace accelgen
