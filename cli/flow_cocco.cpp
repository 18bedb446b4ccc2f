#include "cli/flow_cocco.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "common/error.hpp"
#include "flows/cocco/cocco_flow.hpp"
#include "flows/common/table.hpp"

namespace accelgen {

namespace {

struct CoccoCli {
  flows::cocco::CoccoFlowOptions o;
  int table = 0;
  std::string mode = "coexplore";
  bool json = false;
  bool progress = false;
  std::string csv, trace_dir;
};

void run(CoccoCli& c) {
  using namespace flows::cocco;
  if (c.table == 1 || c.table == 2) {
    c.o.methods = {"fixed-s", "fixed-m", "fixed-l", "rs+ga", "gs+ga", "sa", "ga"};
    c.o.buffers = c.table == 1 ? "separate" : "shared";
    c.o.metric = "energy";
  } else if (c.table == 3) {
    c.o.methods = {"ga"};
    c.o.buffers = "shared";
    c.o.metric = "energy";
    c.o.batches = {1, 2, 8};
    c.o.cores = {1, 2, 4};
  }
  c.o.coexplore = c.mode == "coexplore";
  Progress progress;
  if (c.progress)
    progress = [](int64_t done, int64_t total, double best) {
      std::fprintf(stderr, "cocco: %lld/%lld samples, best cost %.6e\n",
                   static_cast<long long>(done), static_cast<long long>(total), best);
    };
  const CoccoFlowResult r = run_cocco_flow(c.o, progress);
  if (!c.csv.empty()) flows::write_file_atomic(c.csv, cocco_flow_csv(r));
  std::vector<std::string> written;
  if (!c.trace_dir.empty()) written = write_cocco_trace(r, c.trace_dir);
  fmt::print("{}", cocco_flow_text(c.o, r));
  if (!c.csv.empty()) fmt::print("\ncsv: {}\n", c.csv);
  for (const auto& w : written) fmt::print("wrote {}\n", w);
  if (c.json) fmt::print("{}\n", cocco_flow_json(r).dump());
}

}  // namespace

void register_cocco_flow(CLI::App& flow) {
  static CoccoCli c;
  auto* cmd = flow.add_subcommand("cocco",
                                  "Cocco: graph partition + on-chip buffer co-exploration (GA and "
                                  "baselines, Tables 1-3 analogues)");
  cmd->add_option("--model", c.o.model, "zoo model name, graph JSON, XRBench JSON or ONNX file")
      ->capture_default_str();
  cmd->add_option("--method", c.o.methods,
                  "ga, sa, rs+ga, gs+ga, fixed-s, fixed-m, fixed-l, greedy, dp (Irregular-NN), "
                  "exact (down-set "
                  "DP), exhaustive (comma separated)")
      ->delimiter(',');
  cmd->add_option("--table", c.table,
                  "1 or 2: the paper's Table 1 (separate) / 2 (shared) method set; 3: cores 1,2,4 "
                  "x batches 1,2,8")
      ->check(CLI::Range(1, 3));
  cmd->add_option("--metric", c.o.metric, "Cost_M: energy or ema")->capture_default_str();
  cmd->add_option("--buffers", c.o.buffers, "separate (global + weight) or shared")
      ->capture_default_str();
  cmd->add_option("--mode", c.mode,
                  "coexplore (Eq. 2) or partition (Eq. 1 at the given capacities)")
      ->check(CLI::IsMember({"coexplore", "partition"}))
      ->capture_default_str();
  cmd->add_option("--samples", c.o.samples, "genomes evaluated per searching method")
      ->capture_default_str();
  cmd->add_option("--seed", c.o.seed, "random seed (same seed, same output)")
      ->capture_default_str();
  cmd->add_option("--alpha", c.o.alpha, "Eq. 2 preference: BUF_SIZE + alpha * sum Cost_M")
      ->capture_default_str();
  cmd->add_option("--tile", c.o.tile, "stage-1 output tile (rows and columns)")
      ->capture_default_str();
  cmd->add_option("--footprint", c.o.footprint, "main_side (paper) or rows (line buffers)")
      ->capture_default_str();
  cmd->add_flag("--weight-reads-per-op", c.o.weight_reads_per_op,
                "weights re-read once per elementary operation");
  cmd->add_option("--bank-kib", c.o.bank_kib,
                  "SRAM energy read at min(capacity, bank); 0 = whole capacity")
      ->capture_default_str();
  cmd->add_option("--tech", c.o.tech, "technology preset or JSON file")->capture_default_str();
  cmd->add_option("--gb-kib", c.o.gb_kib, "global buffer of the non-searching methods")
      ->capture_default_str();
  cmd->add_option("--wb-kib", c.o.wb_kib, "weight buffer of the non-searching methods")
      ->capture_default_str();
  cmd->add_option("--shared-kib", c.o.shared_kib, "shared buffer of the non-searching methods")
      ->capture_default_str();
  cmd->add_option("--max-nodes", c.o.max_nodes, "region manager entries N (layers per subgraph)")
      ->capture_default_str();
  cmd->add_option("--population", c.o.population, "GA population")->capture_default_str();
  cmd->add_option("--tournament", c.o.tournament, "GA tournament size")->capture_default_str();
  cmd->add_option("--per-candidate", c.o.per_candidate,
                  "two-step: GA samples per capacity candidate")
      ->capture_default_str();
  cmd->add_option("--trace-every", c.o.trace_every, "convergence trace: one point per N samples")
      ->capture_default_str();
  cmd->add_option("--batch", c.o.batches, "batch sizes (comma separated)")->delimiter(',');
  cmd->add_option("--seq-len", c.o.seq_len, "tokens of the sequence models (transformer, gpt)")
      ->capture_default_str();
  cmd->add_option("--cores", c.o.cores,
                  "core counts (comma separated): cores on a crossbar, each with the buffers, "
                  "weights split and rotated")
      ->delimiter(',');
  cmd->add_flag("--progress", c.progress, "report search progress on stderr");
  cmd->add_flag("--json", c.json,
                "last line of stdout: one JSON object (first method's result, then every row)");
  cmd->add_option("--csv", c.csv, "also write the table as CSV")->type_name("FILE");
  cmd->add_option("--trace", c.trace_dir,
                  "write cocco_trace.csv, .gp and .png (Fig. 12 style) into DIR")
      ->type_name("DIR");
  cmd->callback([] { run(c); });
}

}  // namespace accelgen
