// PipeOrgan flow output: geomeans, the summary and layer tables, JSON and the Fig. 13/14 plots.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "flows/common/plot.hpp"
#include "flows/common/table.hpp"
#include "flows/pipeorgan/pipeorgan.hpp"

namespace accelgen::flows::pipeorgan {

namespace {

double geomean(const std::vector<ModelResult>& m, double ModelResult::*field) {
  if (m.empty()) return 0;
  double s = 0;
  for (const auto& r : m) s += std::log(r.*field);
  return std::exp(s / static_cast<double>(m.size()));
}

int max_depth(const Stage1& s) {
  int d = 0;
  for (const Segment& seg : s.segments) d = std::max(d, static_cast<int>(seg.depth()));
  return d;
}

}  // namespace

FlowResult summarize(std::vector<ModelResult> models) {
  FlowResult r;
  r.models = std::move(models);
  r.geomean_speedup_vs_tangram = geomean(r.models, &ModelResult::speedup_vs_tangram);
  r.geomean_speedup_vs_simba = geomean(r.models, &ModelResult::speedup_vs_simba);
  r.geomean_dram_vs_tangram = geomean(r.models, &ModelResult::dram_vs_tangram);
  r.geomean_dram_vs_simba = geomean(r.models, &ModelResult::dram_vs_simba);
  return r;
}

Table summary_table(const FlowResult& r) {
  Table t({{"name", "model"},
           {"segments", "segs"},
           {"max_depth", "maxD"},
           {"cycles_pipeorgan", "PipeOrgan cyc", 0},
           {"cycles_pipeorgan_mesh", "PO mesh cyc", 0},
           {"cycles_tangram", "TANGRAM cyc", 0},
           {"cycles_simba", "SIMBA cyc", 0},
           {"speedup_vs_tangram", "x TANGRAM", 2},
           {"speedup_vs_simba", "x SIMBA", 2},
           {"dram_vs_tangram", "DRAM/T", 3},
           {"dram_vs_simba", "DRAM/S", 3},
           {"dram_bytes", "DRAM B"},
           {"energy_pj", "energy pJ", 0}});
  for (const auto& m : r.models)
    t.add({m.name, static_cast<int64_t>(m.stage1.segments.size()),
           static_cast<int64_t>(max_depth(m.stage1)), m.pipeorgan.cycles, m.pipeorgan_mesh.cycles,
           m.tangram.cycles, m.simba.cycles, m.speedup_vs_tangram, m.speedup_vs_simba,
           m.dram_vs_tangram, m.dram_vs_simba, m.pipeorgan.dram_bytes, m.pipeorgan.energy_pj});
  return t;
}

Breakdown breakdown(const Evaluation& e) {
  Breakdown b;
  for (const SegmentPlan& s : e.segments) {
    const double slowest =
        static_cast<double>(*std::max_element(s.compute.begin(), s.compute.end()));
    b.compute += slowest;
    b.fill_drain += s.waterfall_ideal - slowest;
    b.noc += s.waterfall - s.waterfall_ideal;
    b.memory += s.latency - s.waterfall;
  }
  return b;
}

Table breakdown_table(const FlowResult& r) {
  Table t({{"name", "model"},
           {"scheme", "scheme"},
           {"cycles", "cycles", 0},
           {"compute", "compute", 0},
           {"fill_drain", "fill/drain", 0},
           {"noc", "NoC", 0},
           {"memory", "memory", 0}});
  for (const auto& m : r.models)
    for (const Evaluation* e : {&m.pipeorgan, &m.pipeorgan_mesh, &m.tangram}) {
      const Breakdown b = breakdown(*e);
      t.add({m.name, fmt::format("{} ({})", e->scheme, e->topology), e->cycles, b.compute,
             b.fill_drain, b.noc, b.memory});
    }
  return t;
}

Table layer_table(const graph::Graph& g, const Stage1& s) {
  const Workload w = make_workload(g);
  Table t({{"layer", "layer"},
           {"op", "op"},
           {"aw", "A/W", 3},
           {"dataflow", "loop order"},
           {"segment", "seg"},
           {"depth", "depth"},
           {"granularity", "granularity"},
           {"output", "output"}});
  size_t seg = 0;
  for (size_t i = 0; i < w.layers.size(); ++i) {
    while (s.segments[seg].last < i) ++seg;
    const Layer& l = w.layers[i];
    t.add({l.name, l.op, l.aw, s.dataflow[i], static_cast<int64_t>(seg),
           static_cast<int64_t>(s.depth[i]), s.granularity[i], l.n * l.k * l.p * l.q});
  }
  return t;
}

nlohmann::json flow_json(const FlowResult& r, const TechTable& tech, const Arch& a) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : r.models) {
    nlohmann::json e = {{"name", m.name},
                        {"speedup_vs_tangram", m.speedup_vs_tangram},
                        {"speedup_vs_simba", m.speedup_vs_simba},
                        {"dram_vs_tangram", m.dram_vs_tangram},
                        {"dram_vs_simba", m.dram_vs_simba},
                        {"energy_pj", m.pipeorgan.energy_pj},
                        {"segments", m.stage1.segments.size()},
                        {"max_depth", max_depth(m.stage1)},
                        {"depths", nlohmann::json::array()},
                        {"cycles",
                         {{"pipeorgan", m.pipeorgan.cycles},
                          {"pipeorgan_mesh", m.pipeorgan_mesh.cycles},
                          {"tangram", m.tangram.cycles},
                          {"simba", m.simba.cycles}}},
                        {"dram_bytes",
                         {{"pipeorgan", m.pipeorgan.dram_bytes},
                          {"tangram", m.tangram.dram_bytes},
                          {"simba", m.simba.dram_bytes}}},
                        {"energy_parts_pj", m.pipeorgan.energy_parts},
                        {"energy_pj_tangram", m.tangram.energy_pj},
                        {"energy_pj_simba", m.simba.energy_pj}};
    for (const Segment& s : m.stage1.segments) e["depths"].push_back(s.depth());
    models.push_back(std::move(e));
  }
  return {{"flow", "pipeorgan"},
          {"tech", tech.name},
          {"arch",
           {{"rows", a.rows},
            {"cols", a.cols},
            {"dot", a.dot},
            {"sram_bytes", a.sram_bytes},
            {"dram_gbps", a.dram_gbps},
            {"rf_bytes", a.rf_bytes},
            {"flit_bits", a.flit_bits}}},
          {"models", models},
          {"geomean",
           {{"speedup_vs_tangram", r.geomean_speedup_vs_tangram},
            {"speedup_vs_simba", r.geomean_speedup_vs_simba},
            {"dram_vs_tangram", r.geomean_dram_vs_tangram},
            {"dram_vs_simba", r.geomean_dram_vs_simba}}}};
}

std::vector<std::string> write_plots(const std::string& dir, const FlowResult& r) {
  namespace fs = std::filesystem;
  create_output_dir(dir);
  std::string csv = "model,speedup_vs_tangram,speedup_vs_simba,dram_vs_tangram,dram_vs_simba\n";
  for (const auto& m : r.models)
    csv += fmt::format("{},{:.4f},{:.4f},{:.4f},{:.4f}\n", m.name, m.speedup_vs_tangram,
                       m.speedup_vs_simba, m.dram_vs_tangram, m.dram_vs_simba);
  csv +=
      fmt::format("geomean,{:.4f},{:.4f},{:.4f},{:.4f}\n", r.geomean_speedup_vs_tangram,
                  r.geomean_speedup_vs_simba, r.geomean_dram_vs_tangram, r.geomean_dram_vs_simba);
  std::vector<std::string> written;
  const fs::path data = fs::path(dir) / "pipeorgan.csv";
  write_file_atomic(data.string(), csv);
  written.push_back(data.string());
  const char* common =
      "set terminal pngcairo size 1200,500 noenhanced\nset datafile separator ','\nset style data "
      "histograms\n"
      "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\nset boxwidth 0.9\n"
      "set xtics rotate by -30 scale 0\nset grid ytics\nset key top left\nset logscale y\n";
  const fs::path g13 = fs::path(dir) / "pipeorgan_fig13.gp";
  write_file_atomic(g13.string(),
                    fmt::format("{}set output 'pipeorgan_fig13.png'\n"
                                "set title 'PipeOrgan (AMP) speedup, normalized to each baseline "
                                "(Fig. 13 analogue; higher is better)'\n"
                                "set ylabel 'speedup (x, log scale)'\nset yrange [0.1:*]\n"
                                "plot 'pipeorgan.csv' using 2:xtic(1) title 'vs TANGRAM-like', '' "
                                "using 3 title 'vs SIMBA-like', 1 with lines lt 0 notitle\n",
                                common));
  const fs::path g14 = fs::path(dir) / "pipeorgan_fig14.gp";
  write_file_atomic(
      g14.string(),
      fmt::format("{}set output 'pipeorgan_fig14.png'\n"
                  "set title 'PipeOrgan DRAM accesses normalized to each baseline "
                  "(Fig. 14 analogue; lower is better)'\n"
                  "set ylabel 'normalized DRAM accesses (log scale)'\nset yrange [0.1:2]\n"
                  "plot 'pipeorgan.csv' using 4:xtic(1) title 'vs TANGRAM-like', '' "
                  "using 5 title 'vs SIMBA-like', 1 with lines lt 0 notitle\n",
                  common));
  written.push_back(g13.string());
  written.push_back(g14.string());
  for (const auto& [gp, png] :
       {std::pair{g13, "pipeorgan_fig13.png"}, std::pair{g14, "pipeorgan_fig14.png"}}) {
    if (!render_gnuplot(gp.string())) break;  // no gnuplot: the CSV and scripts are the result
    written.push_back((fs::path(dir) / png).string());
  }
  return written;
}

}  // namespace accelgen::flows::pipeorgan
