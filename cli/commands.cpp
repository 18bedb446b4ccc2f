#include "cli/commands.hpp"

#include "cli/flow_cvu_dse.hpp"
#include "cli/flow_leopard.hpp"
#include "cli/flow_noc.hpp"
#include "cli/flow_planaria.hpp"
#include "cli/flow_nn_baton.hpp"  // NN-Baton (issue 16)
#include "cli/flow_pipeorgan.hpp"  // PipeOrgan flow (issue 14)
#include "cli/flow_tandem_ops.hpp"
#include "cli/flow_npu.hpp"  // NPU-Tandem flow (issue 13)
#include "cli/flow_cocco.hpp"
#include "cli/model_command.hpp"
#include "cli/run_tasm.hpp"
#include "cli/synth_command.hpp"
#include "cli/tech_command.hpp"
#include "cli/jobs_command.hpp"   // issue 19
#include "cli/prove_command.hpp"  // issue 19

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen {

namespace {

int g_exit_status = 0;

struct BlockOptions {
  std::string block;
  std::vector<std::string> sets;
  std::string config;
};

void add_block_options(CLI::App* cmd, BlockOptions& o) {
  cmd->add_option("block", o.block, "block name (see 'accelgen list')")->required();
  cmd->add_option("--set", o.sets, "parameter assignment KEY=VALUE (repeatable); see 'accelgen list --params'")
      ->type_name("KEY=VALUE");
  cmd->add_option("--config", o.config, "JSON file with parameters: {\"rows\": 8, ...} or a manifest.json")
      ->type_name("FILE.json");
}

CLI::App* g_flow_cmd = nullptr;

void list_blocks(bool with_params) {
  for (const auto& b : all_blocks()) {
    fmt::print("{:<12} {}\n", b.name, b.description);
    if (!with_params) continue;
    for (const auto& s : b.schema.specs()) {
      std::string def;
      switch (s.type) {
        case ParamType::kInt: def = fmt::format("{} [{}..{}]", s.int_default, s.min, s.max); break;
        case ParamType::kBool: def = s.int_default ? "true" : "false"; break;
        case ParamType::kChoice: {
          def = s.choices.front() + " {";
          for (size_t i = 0; i < s.choices.size(); ++i) def += (i ? "|" : "") + s.choices[i];
          def += "}";
          break;
        }
      }
      fmt::print("    {:<12} {:<22} {}\n", s.key, def, s.help);
    }
  }
  // Every registered flow (get_subcommands() without a filter lists only the parsed ones).
  const auto flows = g_flow_cmd->get_subcommands([](CLI::App*) { return true; });
  fmt::print("\nflows ('accelgen flow NAME --help'):{}\n", flows.empty() ? " none yet" : "");
  size_t width = 12;
  for (const auto* f : flows) width = std::max(width, f->get_name().size());
  for (const auto* f : flows) fmt::print("{:<{}} {}\n", f->get_name(), width, f->get_description());
}

struct VerifyCli {
  BlockOptions block;
  uint64_t seed = 1;
  int64_t transactions = 0;
  std::string trace, out_dir;
  bool json = false;
};

void run_verify(const VerifyCli& o) {
  const BlockInfo& info = find_block(o.block.block);
  ParamSet params = resolve_params(info, o.block.config, o.block.sets, /*allow_stimulus=*/true);
  sim::TraceKind trace = sim::trace_kind_for(o.trace);
  GeneratedDesign design = generate_design(info, params);
  sim::check_stimulus(info, params, o.seed);  // before a model build (npu: the workload compiles)
  if (!o.out_dir.empty()) write_design(design, o.out_dir);
  if (!o.trace.empty()) {
    std::filesystem::path parent = std::filesystem::absolute(o.trace).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw UserError(fmt::format("cannot create the directory for trace '{}'", o.trace));
  }
  auto progress = [](const std::string& msg) { fmt::print(stderr, "accelgen: {}\n", msg); };
  auto model = sim::build_model(design, trace, progress);
  if (model->was_cached()) progress(fmt::format("model {} (cached)", model->dir()));
  else progress(fmt::format("model built in {:.1f} s", model->build_seconds()));

  sim::VerifyOptions vo{o.seed, o.transactions, o.trace, progress, nullptr};
  sim::VerifyResult r = sim::run_testbench(info, params, *model, vo);

  fmt::print("{} {}: {} after {} transactions, {} outputs checked, seed {}\n", info.name, design.top,
             r.passed() ? "PASS" : "FAIL", r.transactions, r.outputs_checked, o.seed);
  fmt::print("  cycles: rtl {} golden {}{}; {:.0f} simulated cycles/s\n", r.rtl_cycles, r.golden_cycles,
             r.cycle_exact ? (r.rtl_cycles == r.golden_cycles ? " (exact)" : " (DIFFER)") : "", r.cycles_per_second());
  for (const auto& m : r.first_mismatches) fmt::print("  mismatch: {}\n", m);
  if (r.mismatches > static_cast<int64_t>(r.first_mismatches.size()))
    fmt::print("  ... {} mismatches in all\n", r.mismatches);
  if (!o.trace.empty())
    fmt::print("  waveform: {} (open with: gtkwave {}: interface signals grouped{})\n", o.trace, r.gtkw,
               r.first_mismatch_time >= 0
                   ? fmt::format(", marker at the first mismatch, cycle {} = time {}", r.first_mismatch_cycle,
                                 r.first_mismatch_time)
                   : "");
  if (!o.out_dir.empty()) fmt::print("  rtl: {}\n", o.out_dir);
  if (o.json) {
    nlohmann::json j = {{"block", info.name},
                        {"top", design.top},
                        {"params", info.schema.to_json(params, /*include_stimulus=*/true)},
                        {"seed", o.seed},
                        {"transactions", r.transactions},
                        {"outputs_checked", r.outputs_checked},
                        {"mismatches", r.mismatches},
                        {"rtl_cycles", r.rtl_cycles},
                        {"golden_cycles", r.golden_cycles},
                        {"cycle_exact", r.cycle_exact},
                        {"passed", r.passed()},
                        {"sim_cycles_per_second", r.cycles_per_second()},
                        {"verilator_version", verilator_version()},
                        {"model_cached", model->was_cached()},
                        {"details", r.details}};
    if (!o.trace.empty()) j["trace"] = o.trace;
    if (!r.gtkw.empty()) j["gtkw"] = r.gtkw;
    if (r.first_mismatch_cycle >= 0) j["first_mismatch_cycle"] = r.first_mismatch_cycle;
    fmt::print("{}\n", j.dump());
  }
  g_exit_status = r.passed() ? 0 : 1;
}

}  // namespace

std::string version_string() { return fmt::format("accelgen {}", kGeneratorVersion); }

int exit_status() { return g_exit_status; }
void set_exit_status(int status) { g_exit_status = status; }

void register_commands(CLI::App& app) {
  // list
  auto* list = app.add_subcommand("list", "List the blocks (and flows) with a one-line description");
  static bool with_params = false;
  list->add_flag("--params", with_params, "also list every parameter with its default, range and meaning");
  list->callback([] { list_blocks(with_params); });

  // generate
  static BlockOptions gen;
  static std::string gen_out;
  auto* generate = app.add_subcommand("generate", "Write the RTL of one configuration plus manifest.json");
  add_block_options(generate, gen);
  generate->add_option("-o,--out", gen_out, "output directory (created or replaced atomically)")->required();
  generate->callback([] {
    const BlockInfo& info = find_block(gen.block);
    ParamSet params = resolve_params(info, gen.config, gen.sets, /*allow_stimulus=*/false);
    GeneratedDesign design = generate_design(info, params);
    write_design(design, gen_out);
    fmt::print("wrote {} files for {} into {}\n", design.files.size() + 1, design.top, gen_out);
  });

  // lint
  static std::string lint_dir;
  auto* lint = app.add_subcommand("lint", "Run 'verilator --lint-only -Wall' over a generated directory");
  lint->add_option("dir", lint_dir, "directory written by 'accelgen generate'")->required();
  lint->callback([] {
    DesignDir d = read_design_dir(lint_dir);
    LintResult r = lint_design(d);
    if (!r.log.empty()) fmt::print("{}", r.log);
    fmt::print("{}: {} ({} warnings)\n", d.top, r.clean ? "lint clean" : "LINT FAILED", r.warnings);
    g_exit_status = r.clean ? 0 : 1;
  });

  // synth (cli/synth_command.cpp)
  register_synth_command(app);

  // verify
  static VerifyCli ver;
  auto* verify = app.add_subcommand(
      "verify", "Generate, Verilate (cached) and co-simulate one configuration against the golden model");
  add_block_options(verify, ver.block);
  verify->add_option("--seed", ver.seed, "stimulus seed (printed in every report; replay with the same seed)");
  verify->add_option("--transactions", ver.transactions, "number of transactions (block default if 0)")
      ->check(CLI::NonNegativeNumber);
  verify->add_option("--trace", ver.trace, "write a waveform (.fst or .vcd) for gtkwave")->type_name("FILE");
  verify->add_option("-o,--out", ver.out_dir, "also write the generated RTL and manifest here");
  verify->add_flag("--json", ver.json, "last line of stdout: one JSON object with the result");
  verify->callback([] { run_verify(ver); });

  // flow: each flow adds its own subcommand to this one (register_<name>_flow(*g_flow_cmd)).
  g_flow_cmd = app.add_subcommand("flow", "Run a design-space exploration or analysis flow");
  g_flow_cmd->require_subcommand(1);
  register_cvu_dse_flow(*g_flow_cmd);
  register_leopard_flow(*g_flow_cmd);
  register_noc_flow(*g_flow_cmd);
  register_nn_baton_flow(*g_flow_cmd);  // NN-Baton (issue 16)
  register_pipeorgan_flow(*g_flow_cmd);  // PipeOrgan flow (issue 14)
  register_tandem_ops_flow(*g_flow_cmd);
  register_planaria_flows(*g_flow_cmd);
  register_cocco_flow(*g_flow_cmd);
  register_npu_flow(*g_flow_cmd);  // NPU-Tandem flow (issue 13)

  register_model_command(app);
  register_run_tasm_command(app);
  register_tech_command(app);
  register_prove_command(app);  // issue 19: formal proofs
  register_jobs_command(app);   // issue 19: sharded sweeps
}

}  // namespace accelgen
