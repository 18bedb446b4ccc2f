#include "flows/cocco/cocco_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "compiler/graph/model_source.hpp"
#include "flows/common/plot.hpp"
#include "flows/common/table.hpp"

namespace accelgen::flows::cocco {

namespace fs = std::filesystem;

const std::vector<std::string>& cocco_methods() {
  static const std::vector<std::string> m{"fixed-s", "fixed-m", "fixed-l",   "rs+ga",
                                          "gs+ga",   "sa",      "ga",        "greedy",
                                          "dp",      "exact",   "exhaustive"};
  return m;
}

void CoccoFlowOptions::validate() const {
  if (methods.empty()) throw UserError("no method given");
  for (const auto& m : methods)
    if (std::find(cocco_methods().begin(), cocco_methods().end(), m) == cocco_methods().end())
      throw UserError(fmt::format("unknown method '{}' (known: {})", one_line(m),
                                  fmt::join(cocco_methods(), ", ")));
  if (metric != "energy" && metric != "ema") throw UserError("--metric must be energy or ema");
  if (buffers != "separate" && buffers != "shared")
    throw UserError("--buffers must be separate or shared");
  if (footprint != "main_side" && footprint != "rows")
    throw UserError("--footprint must be main_side or rows");
  if (samples < 1 || samples > 100000000) throw UserError("--samples must be in 1..100000000");
  if (!(alpha >= 0) || !std::isfinite(alpha))
    throw UserError("--alpha must be a finite number >= 0");
  if (tile < 1 || tile > 4096) throw UserError("--tile must be in 1..4096");
  for (int64_t kib : {gb_kib, wb_kib, shared_kib})
    if (kib < 1 || kib > (int64_t{1} << 30))
      throw UserError(fmt::format("buffer capacity {} KiB is impossible (1 KiB .. 1 TiB)", kib));
  if (max_nodes < 1) throw UserError("--max-nodes must be >= 1");
  if (population < 2 || tournament < 1)
    throw UserError("--population >= 2 and --tournament >= 1 are required");
  if (trace_every < 1 || per_candidate < 1)
    throw UserError("--trace-every and --per-candidate must be >= 1");
  for (int64_t b : batches)
    if (b < 1 || b > 1024) throw UserError(fmt::format("batch {} must be in 1..1024", b));
  if (batches.empty()) throw UserError("no batch given");
  for (int c : cores)
    if (c < 1 || c > 64) throw UserError(fmt::format("cores {} must be in 1..64", c));
  if (cores.empty()) throw UserError("no core count given");
}

namespace {

// Fixed configurations S/M/L (paper §5.3): separate A/W KiB, shared KiB.
struct Fixed {
  int64_t gb, wb, shared;
};
Fixed fixed_of(const std::string& m) {
  if (m == "fixed-s") return {512, 576, 576};
  if (m == "fixed-m") return {1024, 1152, 1152};
  return {2048, 2304, 2304};
}

}  // namespace

CoccoFlowResult run_cocco_flow(const CoccoFlowOptions& o, const Progress& progress) {
  o.validate();
  const TechTable tech = load_tech(o.tech);
  CoccoFlowResult out;
  for (int cores : o.cores)
    for (int64_t batch : o.batches) {
      graph::ZooOptions zo;
      zo.batch = batch;
      zo.seq_len = o.seq_len;
      const graph::Graph ir = graph::load_model(o.model, zo);
      const LayerGraph lg = from_ir(ir);
      out.model = ir.name();
      out.layers = static_cast<int>(lg.compute.size());
      Problem base;
      base.graph = &lg;
      base.scheme.tile_h = base.scheme.tile_w = o.tile;
      base.scheme.footprint =
          o.footprint == "rows" ? FootprintModel::kRows : FootprintModel::kMainSide;
      base.scheme.weight_reads_per_op = o.weight_reads_per_op;
      base.energy = energy_from_tech(tech, o.bank_kib);
      base.hw.shared = o.buffers == "shared";
      base.hw.max_nodes = o.max_nodes;
      base.hw.cores = cores;
      base.hw.freq_ghz = tech.frequency_mhz.value / 1000.0;
      base.metric = o.metric == "ema" ? Metric::kEma : Metric::kEnergy;
      base.alpha = o.alpha;
      base.coexplore = o.coexplore;
      out.params = {
          {"model", o.model},
          {"seq_len", o.seq_len},
          {"cores", cores},
          {"metric", o.metric},
          {"buffers", o.buffers},
          {"objective",
           o.coexplore ? "BUF_SIZE + alpha * sum Cost_M (Eq. 2)" : "sum Cost_M (Eq. 1)"},
          {"alpha", o.alpha},
          {"samples", o.samples},
          {"seed", o.seed},
          {"scheme", base.scheme.to_json()},
          {"energy", base.energy.source},
          {"sram_bank_kib", o.bank_kib},
          {"hardware", base.hw.to_json()},
          {"prefetch_reserve", "none"},
          {"singleton_fallback", "a single layer always runs (streamed), EMA |W| + |I| + |O|"},
          {"population", o.population},
          {"tournament", o.tournament},
          {"per_candidate", o.per_candidate}};
      Evaluator coex(base);
      for (const std::string& m : o.methods) {
        const bool searches_caps =
            o.coexplore && (m == "ga" || m == "sa" || m == "rs+ga" || m == "gs+ga");
        Problem fixed = base;
        fixed.coexplore = false;
        if (m.rfind("fixed-", 0) == 0) {
          const Fixed f = fixed_of(m);
          fixed.hw.gb_bytes = f.gb * 1024;
          fixed.hw.wb_bytes = f.wb * 1024;
          fixed.hw.shared_bytes = f.shared * 1024;
        } else {
          fixed.hw.gb_bytes = o.gb_kib * 1024;
          fixed.hw.wb_bytes = o.wb_kib * 1024;
          fixed.hw.shared_bytes = o.shared_kib * 1024;
        }
        Evaluator fe(fixed);
        Evaluator& e = searches_caps ? coex : fe;
        GaParams gp;
        gp.samples = o.samples;
        gp.seed = o.seed;
        gp.population = o.population;
        gp.tournament = o.tournament;
        gp.trace_every = o.trace_every;
        auto tagged = [&](int64_t done, int64_t total, double best) {
          if (progress) progress(done, total, best);
        };
        SearchResult r;
        if (m == "ga" || m.rfind("fixed-", 0) == 0) {
          r = ga(e, gp, tagged);
        } else if (m == "sa") {
          SaParams sp;
          sp.samples = o.samples;
          sp.seed = o.seed;
          sp.trace_every = o.trace_every;
          r = simulated_annealing(e, sp, tagged);
        } else if (m == "rs+ga" || m == "gs+ga") {
          if (!o.coexplore)
            throw UserError(fmt::format("{} searches capacities: it needs co-exploration", m));
          r = two_step(e, m == "gs+ga", std::max(o.samples, o.per_candidate), o.per_candidate,
                       o.seed, tagged);
        } else if (m == "greedy") {
          r = greedy(e, Genome{});
        } else if (m == "dp") {
          r = depth_dp(e, Genome{});
        } else if (m == "exact") {
          r = exact_dp(e, Genome{}, o.exact_states);
        } else {
          r = brute_force(e, Genome{});
        }
        r.method = m;
        CoccoFlowRow row;
        row.method = m;
        row.cores = cores;
        row.batch = batch;
        const Hardware hw = e.hardware(r.best);
        row.gb_bytes = hw.shared ? 0 : hw.gb_bytes;
        row.wb_bytes = hw.shared ? 0 : hw.wb_bytes;
        row.shared_bytes = hw.shared ? hw.shared_bytes : 0;
        const double msum =
            base.metric == Metric::kEma ? static_cast<double>(r.cost.ema_bytes) : r.cost.energy_pj;
        row.cost = o.coexplore ? static_cast<double>(hw.total_buf_size()) + o.alpha * msum : msum;
        row.subgraphs = partition_json(e, r.best);
        row.result = std::move(r);
        out.rows.push_back(std::move(row));
      }
    }
  return out;
}

namespace {

Table make_table(const CoccoFlowResult& r) {
  const bool shared = !r.rows.empty() && r.rows.front().shared_bytes > 0;
  std::vector<Column> cols{{"method", "method"}, {"cores", "cores"}, {"batch", "batch"}};
  if (shared) {
    cols.push_back({"size_kib", "Size KB"});
  } else {
    cols.push_back({"gb_kib", "A KB"});
    cols.push_back({"wb_kib", "W KB"});
  }
  for (Column c : std::vector<Column>{{"cost", "cost", 3},
                                      {"energy_mj", "energy mJ", 3},
                                      {"ema_mb", "EMA MB", 3},
                                      {"latency_ms", "latency ms", 3},
                                      {"avg_bw", "avg B/cycle", 2},
                                      {"subgraphs", "subgraphs"},
                                      {"samples", "samples"},
                                      {"finished", "exact"}})
    cols.push_back(c);
  Table t(cols);
  for (const auto& row : r.rows) {
    const PartitionCost& c = row.result.cost;
    std::vector<Cell> cells{row.method, int64_t{row.cores}, row.batch};
    if (shared) {
      cells.push_back(row.shared_bytes / 1024);
    } else {
      cells.push_back(row.gb_bytes / 1024);
      cells.push_back(row.wb_bytes / 1024);
    }
    cells.push_back(fmt::format("{:.3E}", row.cost));
    cells.push_back(c.energy_pj / 1e9);
    cells.push_back(static_cast<double>(c.ema_bytes) / 1e6);
    cells.push_back(c.latency_cycles / 1e6);  // 1 GHz: 1e6 cycles per ms
    cells.push_back(c.avg_bw_bytes_per_cycle);
    cells.push_back(static_cast<int64_t>(c.blocks));
    cells.push_back(row.result.samples);
    cells.push_back(std::string(row.result.finished ? "yes" : "no"));
    t.add(cells);
  }
  return t;
}

}  // namespace

std::string cocco_flow_text(const CoccoFlowOptions& o, const CoccoFlowResult& r) {
  std::string s = fmt::format(
      "Cocco on {} ({} layers): {} buffers, metric {}, {}, alpha {}, tile {}, footprint {}, seed "
      "{}\n"
      "core: 4x4 PEs x 8x8 MACs at {} GHz, 16 GB/s DRAM; energy: {}\n\n",
      r.model, r.layers, o.buffers, o.metric,
      o.coexplore ? "cost = BUF_SIZE (B) + alpha x sum Cost (Eq. 2)" : "cost = sum Cost (Eq. 1)",
      o.alpha, o.tile, o.footprint, o.seed, 1.0, r.params.value("energy", std::string()));
  s += make_table(r).text();
  return s;
}

std::string cocco_flow_csv(const CoccoFlowResult& r) { return make_table(r).csv(); }

std::string cocco_trace_csv(const CoccoFlowResult& r) {
  std::string s = "method,batch,samples,best_cost\n";
  for (const auto& row : r.rows)
    for (const auto& [n, v] : row.result.trace)
      s += fmt::format("{},{},{},{:.6e}\n", row.method, row.batch, n, v);
  return s;
}

std::vector<std::string> write_cocco_trace(const CoccoFlowResult& r, const std::string& dir) {
  create_output_dir(dir);
  std::vector<std::string> written;
  const fs::path csv = fs::path(dir) / "cocco_trace.csv";
  write_file_atomic(csv.string(), cocco_trace_csv(r));
  written.push_back(csv.string());
  std::string methods;
  for (const auto& row : r.rows)
    if (!row.result.trace.empty() && methods.find(" " + row.method + " ") == std::string::npos)
      methods += " " + row.method + " ";
  const fs::path gp = fs::path(dir) / "cocco_trace.gp";
  write_file_atomic(
      gp.string(),
      fmt::format(
          "set terminal pngcairo size 900,600 noenhanced\nset output 'cocco_trace.png'\n"
          "set datafile separator ','\nset title 'Cocco convergence on {} (cf. paper Fig. 12)'\n"
          "set xlabel 'samples'\nset ylabel 'best cost so far'\nset grid\nset key top right\n"
          "plot for [m in '{}'] 'cocco_trace.csv' using (strcol(1) eq m ? $3 : 1/0):4 "
          "with lines lw 2 title m\n",
          r.model, methods));
  written.push_back(gp.string());
  if (!methods.empty() && render_gnuplot(gp.string()))
    written.push_back((fs::path(dir) / "cocco_trace.png").string());
  return written;
}

nlohmann::json cocco_flow_json(const CoccoFlowResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    const PartitionCost& c = row.result.cost;
    rows.push_back({{"method", row.method},
                    {"cores", row.cores},
                    {"batch", row.batch},
                    {"xbar_bytes", c.xbar_bytes},
                    {"cost", row.cost},
                    {"buffer_bytes", c.buffer_bytes},
                    {"gb_bytes", row.gb_bytes},
                    {"wb_bytes", row.wb_bytes},
                    {"shared_bytes", row.shared_bytes},
                    {"ema_bytes", c.ema_bytes},
                    {"energy_pj", c.energy_pj},
                    {"latency_cycles", c.latency_cycles},
                    {"avg_bw_bytes_per_cycle", c.avg_bw_bytes_per_cycle},
                    {"peak_bw_bytes_per_cycle", c.peak_bw_bytes_per_cycle},
                    {"samples", row.result.samples},
                    {"finished", row.result.finished},
                    {"subgraphs", row.subgraphs}});
  }
  nlohmann::json j = rows.empty() ? nlohmann::json::object() : rows.front();
  j["model"] = r.model;
  j["layers"] = r.layers;
  j["params"] = r.params;
  j["methods"] = rows;
  return j;
}

}  // namespace accelgen::flows::cocco
