#include "cli/model_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

#include "compiler/graph/analysis.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/model_source.hpp"
#include "compiler/graph/onnx_import.hpp"
#include "compiler/graph/report.hpp"
#include "compiler/graph/xrbench_models.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen {
namespace {

using graph::Graph;
using graph::GraphStats;

struct ModelArgs {
  std::string model;
  std::string output;
  bool json = false;
  bool layers = false;
  graph::ZooOptions zoo;
};

void add_zoo_options(CLI::App* cmd, ModelArgs& args) {
  cmd->add_option("--batch", args.zoo.batch, "Batch size of a zoo model")->capture_default_str();
  cmd->add_option("--seq-len", args.zoo.seq_len, "Sequence length of a zoo transformer")
      ->capture_default_str();
  cmd->add_option("--resolution", args.zoo.resolution,
                  "Square input side of a zoo CNN (0 = the published one)")
      ->capture_default_str();
}

// "4.09 G" style, for tables meant for people.
std::string si(double value) {
  if (value >= 1e9) return fmt::format("{:.2f} G", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.2f} M", value / 1e6);
  if (value >= 1e3) return fmt::format("{:.1f} k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

void print_list(bool json) {
  nlohmann::json rows = nlohmann::json::array();
  if (!json) {
    fmt::print("{:<28} {:>7} {:>10} {:>10}  {}\n", "model", "layers", "MACs", "params",
               "description");
  }
  auto row = [&](const std::string& name, const std::string& source, const Graph& g,
                 const std::string& description) {
    const GraphStats s = graph::analyze(g);
    if (json) {
      rows.push_back({{"name", name},
                      {"source", source},
                      {"layers", s.layers},
                      {"macs", s.macs},
                      {"params", s.params},
                      {"description", description}});
    } else {
      fmt::print("{:<28} {:>7} {:>10} {:>10}  {}\n", name, s.layers, si(s.macs), si(s.params),
                 description);
    }
  };
  for (const graph::ZooModel& m : graph::zoo_models()) row(m.name, "zoo", m.build({}), m.description);
  if (!json) fmt::print("\nXRBench layer graphs (data/xrbench/, built in):\n");
  for (const graph::XrbenchModel& m : graph::xrbench_models()) {
    row(m.name, "xrbench", graph::build_xrbench_model(m.name),
        fmt::format("XRBench {}: {}", m.task, m.title));
  }
  if (json) fmt::print("{}\n", rows.dump());
}

void print_layers(const Graph& g) {
  fmt::print("{:>4}  {:<40} {:<18} {:<18} {:>10} {:>10} {:>9}\n", "#", "layer", "op", "output",
             "MACs", "params", "A/W in");
  for (size_t i = 0; i < g.size(); ++i) {
    const graph::Node& node = g.node(i);
    const graph::NodeStats s = graph::node_stats(g, node);
    const std::string aw = s.aw_in ? fmt::format("{:.3g}", *s.aw_in) : "-";
    fmt::print("{:>4}  {:<40} {:<18} {:<18} {:>10} {:>10} {:>9}\n", i, node.name,
               graph::op_label(g, node), graph::shape_string(node.shape), si(s.macs), si(s.params),
               aw);
  }
}

void print_info(const Graph& g, const GraphStats& s) {
  fmt::print("model {}: {} layers ({} weight-bearing), graph inputs {}\n\n", g.name(), s.layers,
             s.weight_layers, g.size() - s.layers);
  print_layers(g);
  fmt::print(
      "\ntotals: {} MACs ({}), {} parameters ({}), peak activation {} elements, "
      "max edge span {}\n",
      si(s.macs), s.macs, si(s.params), s.params, s.peak_activation, s.max_edge_span);
  if (!s.aw_in.empty()) {
    fmt::print("\nactivation/weight ratio (input activations / weights), weight-bearing layers:\n");
    const auto counts = graph::aw_histogram(s.aw_in);
    for (int i = 0; i < graph::kAwBuckets; ++i) {
      fmt::print("  {:<11} {:>5}  {}\n", graph::aw_bucket_label(i), counts[i],
                 std::string(std::min<size_t>(counts[i], 60), '#'));
    }
  }
  fmt::print("\nskip edges: {}\n", s.skips.size());
  for (const graph::SkipEdge& e : s.skips)
    fmt::print("  {} -> {} (span {})\n", e.from, e.to, e.span);
  fmt::print("\noperators:\n");
  for (const auto& [op, count] : s.op_histogram) fmt::print("  {:<24} {:>5}\n", op, count);
}

}  // namespace

void register_model_command(CLI::App& app) {
  CLI::App* model = app.add_subcommand(
      "model", "Workload graphs: the built-in zoo, graph JSON, XRBench and ONNX files");
  model->require_subcommand(1);

  auto list_args = std::make_shared<ModelArgs>();
  CLI::App* list = model->add_subcommand("list", "List the built-in models (zoo and XRBench) with their totals");
  list->add_flag("--json", list_args->json, "Print one JSON array instead of a table");
  list->callback([list_args] { print_list(list_args->json); });

  auto info_args = std::make_shared<ModelArgs>();
  CLI::App* info = model->add_subcommand(
      "info", "Layer table, totals, A/W distribution, skip edges and operator histogram");
  info->add_option("MODEL", info_args->model,
                   "Built-in model name (zoo or XRBench), or a graph JSON, XRBench JSON or ONNX file")
      ->required();
  info->add_flag("--json", info_args->json, "Print only the summary, as one JSON line");
  info->add_flag("--layers", info_args->layers,
                 "With --json: add \"layer_table\", one entry per node with its loop dimensions");
  add_zoo_options(info, *info_args);
  info->callback([info_args] {
    const Graph g = graph::load_model(info_args->model, info_args->zoo);
    const GraphStats s = graph::analyze(g);
    if (info_args->json) {
      nlohmann::json summary = graph::summary_json(g, s);
      if (info_args->layers) summary["layer_table"] = graph::layer_table_json(g);
      fmt::print("{}\n", summary.dump());
    } else {
      print_info(g, s);
    }
  });

  auto export_args = std::make_shared<ModelArgs>();
  CLI::App* exp = model->add_subcommand("export", "Write a model as graph JSON");
  exp->add_option("MODEL", export_args->model,
                  "Built-in model name (zoo or XRBench), or a graph JSON, XRBench JSON or ONNX file")
      ->required();
  exp->add_option("-o,--output", export_args->output,
                  "Output file: .json (graph JSON) or .onnx (weights as unfilled external data)")
      ->required();
  add_zoo_options(exp, *export_args);
  exp->callback([export_args] {
    const Graph g = graph::load_model(export_args->model, export_args->zoo);
    if (export_args->output.size() > 5 &&
        export_args->output.compare(export_args->output.size() - 5, 5, ".onnx") == 0) {
      graph::save_onnx_file(g, export_args->output);
    } else {
      graph::save_graph_file(g, export_args->output);
    }
    fmt::print("wrote {} ({} nodes)\n", export_args->output, g.size());
  });
}

}  // namespace accelgen
