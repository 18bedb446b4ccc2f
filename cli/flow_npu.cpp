#include "cli/flow_npu.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "common/error.hpp"
#include "flows/common/plot.hpp"
#include "flows/npu/npu_analytic.hpp"
#include "flows/npu/npu_flow.hpp"

namespace accelgen {

namespace {

struct NpuCli {
  flows::NpuFlowOptions o;
  bool json = false;
  std::string csv;
  std::string out;  // plot directory
  // The analytical model at the thesis's sizes (--analytic, --zoo, --sweep).
  bool analytic = false, zoo = false, blocks = false;
  std::vector<int> sweep;
  flows::AnalyticOptions a;
};

void Progress(const std::string& what) { fmt::print(stderr, "flow npu: {}\n", what); }

// Writes SCRIPT into DIR and renders it; prints where.
void Plot(const std::string& dir, const std::string& name, const std::string& script) {
  const std::string gp = (std::filesystem::path(dir) / (name + ".gp")).string();
  flows::write_file_atomic(gp, script);
  fmt::print("plot: {}{}\n", gp,
             flows::render_gnuplot(gp) ? fmt::format(" -> {}/{}.png", dir, name)
                                       : " (install gnuplot to render it)");
}

void run_analytic(const NpuCli& c) {
  if (!c.o.block.empty()) {
    throw UserError(
        "flow npu: --block selects layers for the golden-model run; --analytic takes the whole "
        "--model");
  }
  if (!c.out.empty()) flows::create_output_dir(c.out);
  std::vector<std::string> models;
  if (c.zoo || (!c.sweep.empty() && c.o.model.empty())) {
    models = flows::thesis_models();
  } else if (!c.o.model.empty()) {
    models = {c.o.model};
  } else {
    throw UserError("flow npu --analytic: name a zoo model (--model NAME) or use --zoo");
  }
  const auto& cpu = c.a.cpu;
  const std::string cpu_text = fmt::format(
      "baselines: (1) every non-GEMM layer on an off-chip CPU over PCIe, (2) dedicated ReLU, "
      "Clip, residual Add, MaxPool\nand scale & shift units (one array row per cycle) + that CPU "
      "for the rest; PCIe {} GB/s, {} us per transfer;\nCPU {} GB/s, {} G ops/s, {} us per "
      "operator (README: NPU-Tandem, analytical model)\n",
      cpu.pcie_gbps, cpu.pcie_latency_us, cpu.cpu_gbps, cpu.cpu_gops, cpu.cpu_op_us);
  if (!c.sweep.empty()) {
    const auto pts = flows::analytic_sweep(models, c.sweep, c.a, Progress);
    const flows::Table t = flows::sweep_table(pts);
    if (!c.csv.empty()) flows::write_file_atomic(c.csv, t.csv());
    fmt::print(
        "NPU-Tandem size sweep (thesis Fig. 4.21): array n x n and n Tandem lanes, {} rows per "
        "buffer, {} GHz;\nanalytical model (npu schedule, Tandem passes from programs measured on "
        "n lanes)\n{}\n",
        c.a.depth, c.a.ghz, cpu_text);
    fmt::print("{}", t.text());
    if (!c.csv.empty()) fmt::print("csv: {}\n", c.csv);
    if (!c.out.empty()) Plot(c.out, "npu_sweep", flows::sweep_gnuplot(pts, "npu_sweep.png"));
    if (c.json) fmt::print("{}\n", nlohmann::json{{"sweep", t.json()}}.dump());
    return;
  }
  flows::TandemCosts costs(c.a.lanes, c.a.depth);
  std::vector<flows::AnalyticResult> rs;
  for (const auto& m : models) rs.push_back(flows::analyze_model(m, c.a, costs));
  const flows::Table t = flows::analytic_summary_table(rs);
  if (!c.csv.empty()) flows::write_file_atomic(c.csv, t.csv());
  fmt::print(
      "NPU-Tandem at the thesis's sizes: {}x{} array + {} Tandem lanes, {} rows per buffer, {} "
      "GHz; analytical model\n(npu schedule with GEMM tiles by the systolic timing, Tandem passes "
      "from measured programs), batch 1\n{}\n",
      c.a.rows, c.a.cols, c.a.lanes, c.a.depth, c.a.ghz, cpu_text);
  if (c.blocks) {
    for (const auto& r : rs)
      fmt::print("{}:\n{}\n", r.model, flows::analytic_block_table(r).text());
    fmt::print("{}\n", flows::analytic_op_table(rs).text());
  }
  fmt::print("{}", t.text());
  if (rs.size() > 1) {
    const flows::AnalyticMeans m = flows::analytic_means(rs);
    fmt::print(
        "mean over the {} models: non-GEMM share of baseline (1) {:.1f} %, of (2) {:.1f} %; "
        "speedup vs (1) {:.2f}x, vs (2) {:.2f}x\n(thesis, six networks: 82 %, 68 %; 4.0x, "
        "2.9x)\n",
        rs.size(), 100 * m.non_gemm_share1, 100 * m.non_gemm_share2, m.speedup1, m.speedup2);
  }
  if (!c.csv.empty()) fmt::print("csv: {}\n", c.csv);
  if (!c.out.empty()) Plot(c.out, "npu_analytic", flows::analytic_gnuplot(rs, "npu_analytic.png"));
  if (c.json) fmt::print("{}\n", flows::analytic_json(rs).dump());
}

void run(const NpuCli& c) {
  if (c.analytic || c.zoo || !c.sweep.empty()) return run_analytic(c);
  if (!c.out.empty()) flows::create_output_dir(c.out);  // a bad DIR fails before the run
  const flows::NpuFlowResult r = flows::run_npu_flow(c.o);
  const flows::Table t = flows::npu_block_table(r);
  if (!c.csv.empty()) flows::write_file_atomic(c.csv, t.csv());
  const std::string what = !c.o.model.empty() ? fmt::format("{} {} at resolution {}", c.o.model,
                                                            c.o.block, c.o.resolution)
                           : c.o.workload == "bert_layer"
                               ? fmt::format("bert_layer ({} tokens, hidden {}, {} heads, FFN {})",
                                             c.o.seq, c.o.hidden, c.o.heads, c.o.ffn)
                               : fmt::format("{} (C = {}, {}x{} pixels)", c.o.workload,
                                             c.o.channels, c.o.size, c.o.size);
  fmt::print(
      "NPU-Tandem, {} on a {}x{} array + {} Tandem lanes, {} rows per buffer;\n"
      "compiled by compiler/npu, run on the cycle-exact `npu` golden model (no RTL), seed {}\n"
      "busy = cycles in which the GEMM unit works on a tile (first vector .. last output) or "
      "Tandem runs\n"
      "a pass (take .. done); idle = block start, dispatch and block done\n\n",
      what, c.o.rows, c.o.cols, c.o.lanes, c.o.depth, c.o.seed);
  fmt::print("{}", t.text());
  const auto& s = r.total;
  const auto pct = [&](int64_t v) {
    return s.cycles ? 100.0 * static_cast<double>(v) / s.cycles : 0.0;
  };
  fmt::print(
      "\n{} cycles: GEMM only {:.1f}%, Tandem only (non-GEMM) {:.1f}%, both {:.1f}%, idle {:.1f}%; "
      "{} MACs, {} outputs\n",
      s.cycles, pct(s.GemmOnly()), pct(s.TandemOnly()), pct(s.overlap), pct(s.Idle()), r.macs,
      r.outputs);
  if (!c.csv.empty()) fmt::print("csv: {}\n", c.csv);
  if (!c.out.empty()) {
    const std::string gp = (std::filesystem::path(c.out) / "npu_runtime.gp").string();
    flows::write_file_atomic(
        gp, flows::npu_runtime_gnuplot(r, "NPU-Tandem: " + what, "npu_runtime.png"));
    fmt::print("plot: {}{}\n", gp,
               flows::render_gnuplot(gp) ? fmt::format(" -> {}/npu_runtime.png", c.out)
                                         : " (install gnuplot to render it)");
  }
  if (c.json) fmt::print("{}\n", flows::npu_flow_json(c.o, r).dump());
}

}  // namespace

void register_npu_flow(CLI::App& flow) {
  static NpuCli c;
  auto* cmd = flow.add_subcommand(
      "npu",
      "A workload compiled for NPU-Tandem on the npu golden model: GEMM vs non-GEMM runtime split");
  cmd->add_option("--workload", c.o.workload,
                  "resnet_block (conv-BN-ReLU, conv-BN, add, ReLU), mbv2_block (1x1 expansion to "
                  "2C with ReLU6, 3x3 depthwise on Tandem with ReLU6, 1x1 projection, add) or "
                  "bert_layer (a BERT encoder layer: --seq, --hidden, --heads, --ffn) or "
                  "tiny_resnet (a whole small CNN: stem, basic block, strided block, global "
                  "average pool, classifier; --size)");
  cmd->add_option("--model", c.o.model,
                  "a zoo model to take the layers of --block from (e.g. resnet18)");
  cmd->add_option("--block", c.o.block,
                  "with --model: the layers whose names start with BLOCK. (e.g. layer1.0); "
                  "without it the whole model; with bert_base the encoder layer BLOCK (e.g. "
                  "layer0)");
  cmd->add_option("--resolution", c.o.resolution,
                  "with --model: input resolution (0 = the published one)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--channels", c.o.channels, "channels C of the block")->check(CLI::Range(1, 128));
  cmd->add_option("--size", c.o.size, "H = W of the block's input")->check(CLI::Range(1, 64));
  cmd->add_option("--seq", c.o.seq, "bert_layer and --model bert_base: tokens (<= lanes)")
      ->check(CLI::Range(1, 128));
  cmd->add_option("--hidden", c.o.hidden, "bert_layer: hidden size (a multiple of --heads)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--heads", c.o.heads, "bert_layer: attention heads")->check(CLI::Range(1, 64));
  cmd->add_option("--ffn", c.o.ffn, "bert_layer: the FFN's inner width")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--rows", c.o.rows, "array rows (default 8; --analytic: 32)")
      ->check(CLI::Range(1, 128));
  cmd->add_option("--cols", c.o.cols, "array columns (default 8; --analytic: 32)")
      ->check(CLI::Range(1, 128));
  cmd->add_option("--lanes", c.o.lanes, "Tandem lanes (>= rows, cols; default 8; --analytic: 32)")
      ->check(CLI::Range(1, 128));
  cmd->add_option("--depth", c.o.depth,
                  "rows of each Output BUF half, Interim BUF and input scratchpad")
      ->check(CLI::Range(8, 4096));
  cmd->add_option("--wbuf-depth", c.o.wbuf_depth,
                  "rows of the weight scratchpad (a whole model keeps every weight resident)")
      ->capture_default_str()
      ->check(CLI::Range(8, 1 << 22));
  cmd->add_option("--tile-m", c.o.tile_m,
                  "output pixels per tile of the last convolution (0 = one tile)")
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--seed", c.o.seed, "seed of the float parameters and input");
  cmd->add_flag("--json", c.json,
                "last line of stdout: one JSON object with the totals and every block");
  cmd->add_option("--csv", c.csv, "also write the block table as CSV")->type_name("FILE");
  cmd->add_option("-o,--out", c.out,
                  "write npu_runtime.gp and its PNG (cycles per block, stacked) here")
      ->type_name("DIR");
  // The analytical model at the thesis's sizes (issue 13 item 6).
  cmd->add_flag("--analytic", c.analytic,
                "analytical model of the whole --model at its published size (no compilation)");
  cmd->add_flag("--zoo", c.zoo,
                "--analytic for the thesis's six networks (vgg16, resnet50, mobilenet_v2, "
                "efficientnet_b0, bert_base, yolo_v3)");
  cmd->add_option("--sweep", c.sweep,
                  "--analytic at array n x n with n lanes for each n given (thesis Fig. 4.21: "
                  "8 16 32 64 128); all six networks unless --model")
      ->check(CLI::Range(1, 128));
  cmd->add_flag("--blocks", c.blocks,
                "with --analytic: also print every NPU block and Tandem's work by operator");
  cmd->add_option("--seq-len", c.a.seq_len, "--analytic: BERT sequence length")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--pcie-gbps", c.a.cpu.pcie_gbps, "baselines: PCIe GB/s per direction")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--pcie-latency-us", c.a.cpu.pcie_latency_us, "baselines: us per PCIe transfer")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--cpu-gbps", c.a.cpu.cpu_gbps, "baselines: CPU GB/s per operator")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cpu-gops", c.a.cpu.cpu_gops, "baselines: CPU G operations/s")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cpu-op-us", c.a.cpu.cpu_op_us, "baselines: CPU us per operator")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([cmd] {
    // --analytic defaults to the thesis's Table 4.4 point; --rows, --cols, --lanes, --depth given
    // explicitly apply to it too.
    if (cmd->count("--rows")) c.a.rows = c.o.rows;
    if (cmd->count("--cols")) c.a.cols = c.o.cols;
    if (cmd->count("--lanes")) c.a.lanes = c.o.lanes;
    if (cmd->count("--depth")) c.a.depth = c.o.depth;
    run(c);
  });
}

}  // namespace accelgen
