#include "cli/flow_pipeorgan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "common/error.hpp"
#include "compiler/graph/model_source.hpp"
#include "compiler/graph/xrbench_models.hpp"
#include "flows/common/table.hpp"
#include "flows/pipeorgan/pipeorgan.hpp"

namespace accelgen {

namespace {

struct PipeorganCli {
  std::vector<std::string> models;
  bool all = false, json = false, layers = false, segments = false, breakdown = false;
  std::string csv, plots, tech = "pipeorgan";
  flows::pipeorgan::Arch arch;
  flows::pipeorgan::Stage1Options stage1;
};

void run(PipeorganCli& c) {
  namespace po = flows::pipeorgan;
  if (c.all) {
    if (!c.models.empty()) throw UserError("give either --model or --all, not both");
    for (const auto& m : graph::xrbench_models()) c.models.push_back(m.name);
  }
  if (c.models.empty()) throw UserError("give --model M (repeatable) or --all");
  const flows::TechTable tech = flows::load_tech(c.tech);
  std::vector<po::ModelResult> results;
  std::vector<graph::Graph> graphs;
  for (const std::string& m : c.models) {
    graphs.push_back(graph::load_model(m));
    results.push_back(po::run_model(graphs.back(), c.arch, tech, c.stage1));
    // Name rows by what the user typed: a built-in name, or a file's stem.
    results.back().name = std::filesystem::path(m).stem().string();
  }
  const po::FlowResult r = po::summarize(std::move(results));
  if (c.layers) {
    for (size_t i = 0; i < r.models.size(); ++i) {
      fmt::print("{}: depth and finest granularity per layer (Fig. 16/17 analogue)\n",
                 r.models[i].name);
      fmt::print("{}\n", po::layer_table(graphs[i], r.models[i].stage1).text());
    }
  }
  if (c.segments) {
    for (const auto& m : r.models)
      for (const po::Evaluation* e : {&m.pipeorgan, &m.pipeorgan_mesh, &m.tangram, &m.simba}) {
        fmt::print("{} {} ({}): {:.0f} cycles, {} DRAM bytes\n", m.name, e->scheme, e->topology,
                   e->cycles, e->dram_bytes);
        flows::Table t({{"first", ""},
                        {"depth", ""},
                        {"org", ""},
                        {"pes", ""},
                        {"compute", ""},
                        {"noc", ""},
                        {"gb", ""},
                        {"S", ""},
                        {"slowdown", "", 2},
                        {"waterfall", "", 0},
                        {"dram_cyc", "", 0},
                        {"gb_cyc", "", 0},
                        {"latency", "", 0}});
        for (const auto& s : e->segments)
          t.add({static_cast<int64_t>(s.seg.first), static_cast<int64_t>(s.seg.depth()),
                 s.organization, fmt::format("{}", fmt::join(s.pes, ",")),
                 fmt::format("{}", fmt::join(s.compute, ",")),
                 static_cast<int64_t>(s.noc_pairs.size()), static_cast<int64_t>(s.gb_pairs.size()),
                 s.intervals, s.slowdown, s.waterfall, s.dram_cycles, s.gb_cycles, s.latency});
        fmt::print("{}\n", t.text());
      }
  }
  if (c.breakdown)
    fmt::print("Where the cycles go (sum over segments)\n{}\n", po::breakdown_table(r).text());
  const flows::Table table = po::summary_table(r);
  fmt::print(
      "PipeOrgan on {}x{} PEs (dot {}), {} KiB SRAM, {} GB/s DRAM, RF {} B/PE, {}-bit flits; tech "
      "'{}'\n"
      "PipeOrgan on AMP; TANGRAM-like (depth 2, OS/IS, blocked, mesh); SIMBA-like (C/K parallel, "
      "mesh)\n\n",
      c.arch.rows, c.arch.cols, c.arch.dot, c.arch.sram_bytes / 1024, c.arch.dram_gbps,
      c.arch.rf_bytes, c.arch.flit_bits, tech.name);
  fmt::print("{}", table.text());
  fmt::print(
      "\ngeomean over {} model(s): speedup {:.2f}x vs TANGRAM-like, {:.2f}x vs SIMBA-like; "
      "DRAM accesses {:.3f} of TANGRAM-like ({:+.0f}%), {:.3f} of SIMBA-like ({:+.0f}%)\n",
      r.models.size(), r.geomean_speedup_vs_tangram, r.geomean_speedup_vs_simba,
      r.geomean_dram_vs_tangram, 100 * (r.geomean_dram_vs_tangram - 1), r.geomean_dram_vs_simba,
      100 * (r.geomean_dram_vs_simba - 1));
  if (!c.csv.empty()) {
    flows::write_file_atomic(c.csv, table.csv());
    fmt::print("csv: {}\n", c.csv);
  }
  if (!c.plots.empty())
    for (const auto& f : po::write_plots(c.plots, r)) fmt::print("wrote {}\n", f);
  if (c.json) fmt::print("{}\n", po::flow_json(r, tech, c.arch).dump());
}

}  // namespace

void register_pipeorgan_flow(CLI::App& flow) {
  static PipeorganCli c;
  auto* cmd = flow.add_subcommand("pipeorgan",
                                  "PipeOrgan depth/granularity/organization vs TANGRAM-like and "
                                  "SIMBA-like (NoC model, XRBench)");
  cmd->add_option("--model", c.models,
                  "zoo or XRBench model name, or a graph/XRBench JSON or ONNX file (repeatable)");
  cmd->add_flag("--all", c.all, "the nine XRBench models");
  cmd->add_option("--tech", c.tech, "technology preset or JSON file (accelgen tech list)")
      ->capture_default_str();
  cmd->add_flag("--layers", c.layers,
                "also print each model's per-layer loop order, depth and granularity");
  cmd->add_flag("--segments", c.segments,
                "also print every segment of every scheme (allocation, cycles, stalls)");
  cmd->add_flag("--breakdown", c.breakdown,
                "also print where each scheme's cycles go: compute, fill/drain, NoC, memory");
  cmd->add_option("--csv", c.csv, "also write the summary table as CSV")->type_name("FILE");
  cmd->add_option("--plots", c.plots, "write the Fig. 13/14 CSV, gnuplot scripts and PNGs into DIR")
      ->type_name("DIR");
  cmd->add_flag("--json", c.json, "last line of stdout: one JSON object (models, geomean)");
  cmd->add_option("--rf-bytes", c.arch.rf_bytes, "register file per PE, bytes")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--max-depth", c.stage1.max_depth, "depth cap (sqrt of the PE count)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->callback([] { run(c); });
}

}  // namespace accelgen
