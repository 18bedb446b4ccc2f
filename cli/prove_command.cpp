#include "cli/prove_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "common/block_info.hpp"
#include "common/error.hpp"
#include "generator/formal/mutations.hpp"
#include "generator/formal/prove.hpp"

namespace accelgen {

namespace {

struct ProveCli {
  std::string block;
  std::vector<std::string> sets;
  std::string config;
  formal::ProveOptions options;
  bool json = false;
  bool list_mutations = false;
};

void run_prove(const ProveCli& o) {
  if (o.list_mutations) {
    for (const auto& m : formal::all_mutations())
      if (o.block.empty() || m.block == o.block)
        fmt::print("{:<12} {:<34} {} (e.g. --set {})\n", m.block, m.name, m.description,
                   fmt::join(m.example_sets, " --set "));
    return;
  }
  if (o.block.empty())
    throw UserError(
        fmt::format("prove: name a block ({})", fmt::join(formal::provable_blocks(), ", ")));
  const BlockInfo& info = find_block(o.block);
  ParamSet params = resolve_params(info, o.config, o.sets, /*allow_stimulus=*/false);
  formal::ProveResult r = formal::prove(info, params, o.options);
  fmt::print("{}{}: {} in {:.2f} s\n", info.name,
             o.options.mutation.empty() ? "" : " (mutation " + o.options.mutation + ")",
             r.proved ? "PROVED" : "NOT PROVED", r.seconds);
  fmt::print("  property: {}\n  method:   {}\n", r.property, r.method);
  for (const auto& s : r.steps)
    fmt::print("  {:<22} {:<20} {} {:.2f} s\n", s.engine, s.name,
               s.proved ? "no counterexample" : (s.timed_out ? "TIMEOUT" : "COUNTEREXAMPLE"),
               s.seconds);
  if (!r.vcd.empty()) fmt::print("  counterexample: {} (open with: gtkwave {})\n", r.vcd, r.vcd);
  if (o.json)
    fmt::print("{}\n", r.to_json(info.schema.to_json(params, /*include_stimulus=*/false)).dump());
  set_exit_status(r.proved ? 0 : 1);
}

}  // namespace

void register_prove_command(CLI::App& app) {
  static ProveCli o;
  auto* cmd = app.add_subcommand("prove",
                                 "Formal check (Yosys SAT, ABC) of a block's emitted RTL against a "
                                 "plain hand-written reference");
  cmd->add_option("block", o.block, "cvu, bihiwe, leopard_qk or noc");
  cmd->add_option("--set", o.sets, "hardware parameter KEY=VALUE (repeatable); keep widths small")
      ->type_name("KEY=VALUE");
  cmd->add_option("--config", o.config, "JSON file with parameters")->type_name("FILE.json");
  cmd->add_option("--mutate", o.options.mutation,
                  "break the RTL on purpose (see --list-mutations): expect a counterexample")
      ->type_name("NAME");
  cmd->add_option("--vcd", o.options.vcd,
                  "where a counterexample waveform goes (default BLOCK_counterexample.vcd)")
      ->type_name("FILE.vcd");
  cmd->add_option("-o,--out", o.options.work_dir,
                  "keep the reference, miter, Yosys scripts and logs here")
      ->type_name("DIR");
  cmd->add_option("--depth", o.options.depth, "time steps of a bounded check (default: per block)")
      ->check(CLI::Range(2, 255));
  cmd->add_option("--timeout", o.options.timeout_s, "seconds per SAT / ABC call (0 = none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o.json,
                "last line of stdout: one JSON object (proved, seconds, property, ...)");
  cmd->add_flag("--list-mutations", o.list_mutations,
                "list the mutations (of BLOCK, if given) and exit");
  cmd->callback([] { run_prove(o); });
}

}  // namespace accelgen
