#include "cli/flow_nn_baton.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "common/error.hpp"
#include "flows/common/plot.hpp"
#include "flows/common/table.hpp"
#include "flows/nn_baton/flow.hpp"

namespace accelgen {

namespace {

namespace nb = flows::nn_baton;
namespace fs = std::filesystem;

struct NnBatonCli {
  // map
  std::string model = "case_study";
  std::vector<std::string> layers;
  nb::Hardware hw = nb::case_study_hardware();
  bool literal = false;
  bool conv_only = false;
  std::string csv;
  // explore
  nb::ExploreOptions e;
  std::vector<std::string> models;
  std::string out_dir;
  // both
  int64_t resolution = 224;
  std::string tech = "nn_baton_16nm";
  bool json = false;
};

std::string fmt_design(const nb::Hardware& hw) {
  return fmt::format("{} (O-L1 {} B, A-L1 {} B, W-L1 {} B, A-L2 {} B, O-L2 {} B)", hw.name(),
                     hw.ol1, hw.al1, hw.wl1, hw.al2, hw.ol2_bytes());
}

void run_map(NnBatonCli& c) {
  const nb::Tech tech = nb::load_tech(c.tech);
  nb::validate(c.hw);
  std::vector<nb::Layer> layers;
  std::string label;
  if (!c.layers.empty()) {
    for (const auto& s : c.layers) layers.push_back(nb::parse_layer(s));
    label = "layers";
  } else if (c.model == "case_study") {
    layers = nb::case_study_layers(c.resolution);
    label = fmt::format("case-study layers at {}x{}", c.resolution, c.resolution);
  } else {
    layers = nb::model_layers(c.model, c.resolution, c.conv_only);
    label = fmt::format("{} at {}x{}{}", c.model, c.resolution, c.resolution,
                        c.conv_only ? ", CONV layers" : "");
  }
  nb::Options o;
  o.c3p_literal_eq1 = c.literal;
  const nb::MapReport r = nb::run_map(label, layers, c.hw, tech, o);
  fmt::print("NN-Baton post-design mapping: {}, hardware {}, tech {}\n", label, fmt_design(c.hw),
             tech.name);
  fmt::print("C3P: {}\n\n", c.literal
                                ? "printed Eq. (1), A_0 x (1 + prod P_k) (for comparison only)"
                                : "A_0 x prod P_k (Eq. (1) corrected)");
  flows::Table t({{"layer", "layer"},
                  {"shape", "CIxHIxWI->CO kRxS/s"},
                  {"mapping", "(pkg,chip) grid tile loops orders"},
                  {"energy_uj", "energy uJ", 3},
                  {"dram_uj", "DRAM", 3},
                  {"d2d_uj", "D2D", 3},
                  {"l2_uj", "L2", 3},
                  {"l1_uj", "L1", 3},
                  {"rf_uj", "RF", 3},
                  {"mac_uj", "MAC", 3},
                  {"cycles", "cycles"},
                  {"simba_uj", "Simba uJ", 3},
                  {"vs_simba", "vs Simba", 3}});
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& x = r.layers[i];
    const auto& l = x.layer;
    const auto& e = x.energy;
    t.add({l.name,
           fmt::format("{}x{}x{}->{} k{}x{}/{}", l.ci, l.hi, l.wi, l.co, l.r, l.s, l.stride),
           x.mapping.str(c.hw.nc), e.total() * 1e-6, e.dram * 1e-6, e.d2d * 1e-6, e.l2 * 1e-6,
           e.l1 * 1e-6, e.rf * 1e-6, e.mac * 1e-6, x.cycles, r.simba[i].energy.total() * 1e-6,
           e.total() / r.simba[i].energy.total()});
  }
  fmt::print("{}\n", t.text());
  if (!c.csv.empty()) flows::write_file_atomic(c.csv, t.csv());
  const auto& e = r.energy;
  fmt::print(
      "total: {:.3f} uJ (DRAM {:.3f}, D2D {:.3f}, L2 {:.3f}, L1 {:.3f}, RF {:.3f}, MAC {:.3f}), {} "
      "cycles = {:.3f} ms at {} MHz\n",
      e.total() * 1e-6, e.dram * 1e-6, e.d2d * 1e-6, e.l2 * 1e-6, e.l1 * 1e-6, e.rf * 1e-6,
      e.mac * 1e-6, r.cycles, static_cast<double>(r.cycles) / (tech.frequency_mhz * 1e3),
      tech.frequency_mhz);
  fmt::print(
      "Simba-like weight-centric baseline: {:.3f} uJ, {} cycles; NN-Baton / Simba energy = {:.3f} "
      "({:.1f}% saving)\n",
      r.simba_energy.total() * 1e-6, r.simba_cycles, r.energy_vs_simba(),
      100 * (1 - r.energy_vs_simba()));
  fmt::print("{} valid mappings evaluated in {:.2f} s\n", r.candidates, r.seconds);
  if (c.json) fmt::print("{}\n", nb::map_json(r, tech, o).dump());
}

void run_explore(NnBatonCli& c) {
  if (!c.out_dir.empty()) flows::create_output_dir(c.out_dir);  // fail before the sweep
  const nb::Tech tech = nb::load_tech(c.tech);
  if (!c.models.empty()) c.e.models = c.models;
  c.e.resolution = c.resolution;
  const nb::ExploreResult r = nb::run_explore(c.e, tech);
  fmt::print("NN-Baton pre-design sweep: {} MACs, chiplet area <= {} mm^2, {} at {}x{}, tech {}\n",
             c.e.macs, c.e.area_mm2, fmt::join(c.e.models, ", "), c.resolution, c.resolution,
             tech.name);
  fmt::print(
      "{} designs swept, {} within the area limit, {} valid (A-L1 <= A-L2, every layer mappable) "
      "and scored, "
      "{:.2f} s ({:.2f} s CPU; {:.0f} designs/s)\n\n",
      r.points, r.area_ok, r.valid, r.seconds, r.cpu_seconds, r.evaluations_per_second);
  flows::Table t({{"np", "N_P"},
                  {"design", "best N_P-N_C-L-P"},
                  {"ol1", "O-L1 B"},
                  {"al1", "A-L1 KiB"},
                  {"wl1", "W-L1 KiB"},
                  {"al2", "A-L2 KiB"},
                  {"area", "area mm2", 3},
                  {"energy_uj", "energy uJ", 1},
                  {"cycles", "cycles"},
                  {"edp", "EDP J*s", 4}});
  for (size_t i = 0; i < c.e.np.size(); ++i) {
    if (r.best_per_np[i] < 0) {
      t.add({int64_t{c.e.np[i]}, "none fits", "", "", "", "", "", "", "", ""});
      continue;
    }
    const auto& d = r.designs[static_cast<size_t>(r.best_per_np[i])];
    t.add({int64_t{d.hw.np}, d.hw.name(), d.hw.ol1, d.hw.al1 / 1024.0, d.hw.wl1 / 1024.0,
           d.hw.al2 / 1024.0, d.area_mm2, d.energy_pj * 1e-6, d.cycles, d.score});
  }
  fmt::print("{}\n", t.text());
  const auto& b = r.designs[static_cast<size_t>(r.best)];
  fmt::print("best: {} ({:.3f} mm^2)\n", fmt_design(b.hw), b.area_mm2);
  for (size_t i = 0; i < c.e.models.size(); ++i)
    fmt::print("best for {}: {}\n", c.e.models[i],
               fmt_design(r.designs[static_cast<size_t>(r.best_per_model[i])].hw));
  if (!c.out_dir.empty()) {
    const std::string csv = "nn_baton_explore.csv", gp = "nn_baton_explore.gp",
                      png = "nn_baton_explore.png";
    flows::write_file_atomic((fs::path(c.out_dir) / csv).string(), nb::explore_csv(r));
    flows::write_file_atomic((fs::path(c.out_dir) / gp).string(),
                             nb::explore_gnuplot(r, c.e, csv, png));
    fmt::print("\nwrote {}/{} and {}\n", c.out_dir, csv, gp);
    if (flows::render_gnuplot((fs::path(c.out_dir) / gp).string()))
      fmt::print("wrote {}/{}\n", c.out_dir, png);
  }
  if (c.json) fmt::print("{}\n", nb::explore_json(r, c.e).dump());
}

}  // namespace

void register_nn_baton_flow(CLI::App& flow) {
  static NnBatonCli c;
  auto* top = flow.add_subcommand(
      "nn-baton", "NN-Baton multichip model: C3P mapping (map) and chiplet DSE (explore)");
  top->require_subcommand(1);
  const auto common = [&](CLI::App* cmd) {
    cmd->add_option("--resolution", c.resolution, "square input side of the zoo models")
        ->check(CLI::Range(int64_t{32}, int64_t{2048}))
        ->capture_default_str();
    cmd->add_option("--tech", c.tech, "technology preset or JSON file (flows/common)")
        ->capture_default_str();
    cmd->add_flag("--json", c.json, "last line of stdout: one JSON object");
  };
  auto* map = top->add_subcommand(
      "map", "post-design: best mapping per layer on fixed hardware vs a Simba-like baseline");
  map->add_option("--model", c.model,
                  "zoo model (alexnet, vgg16, resnet50, darknet19, ...) or case_study")
      ->capture_default_str();
  map->add_option("--layer", c.layers,
                  "a layer name:CIxHIxWI->CO,kRxS[,sN][,pN] instead of a model (repeatable)");
  map->add_option("--np", c.hw.np, "chiplets N_P")->capture_default_str();
  map->add_option("--nc", c.hw.nc, "cores per chiplet N_C")->capture_default_str();
  map->add_option("--lanes", c.hw.l, "lanes per core L")->capture_default_str();
  map->add_option("--vector", c.hw.p, "vector-MAC width P")->capture_default_str();
  map->add_option("--ol1", c.hw.ol1, "O-L1 bytes")->capture_default_str();
  map->add_option("--al1", c.hw.al1, "A-L1 bytes")->capture_default_str();
  map->add_option("--wl1", c.hw.wl1, "W-L1 bytes")->capture_default_str();
  map->add_option("--al2", c.hw.al2, "A-L2 bytes")->capture_default_str();
  map->add_option("--ol2", c.hw.ol2, "O-L2 bytes (0: as large as the A-L2)")->capture_default_str();
  map->add_option("--csv", c.csv, "also write the per-layer table as CSV")->type_name("FILE");
  map->add_flag("--conv-only", c.conv_only, "drop the FC layers (the backbone)");
  map->add_flag("--c3p-literal", c.literal,
                "use the printed Eq. (1) (2 A_0 with no penalty; comparison only)");
  common(map);
  map->callback([] { run_map(c); });
  auto* ex = top->add_subcommand(
      "explore", "pre-design: sweep Table II under a MAC budget and chiplet-area limit");
  ex->add_option("--macs", c.e.macs, "total MACs N_P x N_C x L x P")->required();
  ex->add_option("--area-mm2", c.e.area_mm2, "chiplet area limit (mm^2)")->required();
  ex->add_option("--model", c.models,
                 "zoo models scored (comma separated; default the paper's four)")
      ->delimiter(',');
  ex->add_flag("--ol1-per-lane", c.e.ol1_per_lane,
               "read Table II's O-L1 sizes (48-144 B) per lane");
  ex->add_option("-o,--out", c.out_dir, "directory for the CSV, gnuplot script and PNG");
  common(ex);
  ex->callback([] { run_explore(c); });
}

}  // namespace accelgen
