#include "cli/flow_npu.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "flows/common/plot.hpp"
#include "flows/npu/npu_flow.hpp"

namespace accelgen {

namespace {

struct NpuCli {
  flows::NpuFlowOptions o;
  bool json = false;
  std::string csv;
  std::string out;  // plot directory
};

void run(const NpuCli& c) {
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
  cmd->add_option("--rows", c.o.rows, "array rows")->check(CLI::Range(1, 128));
  cmd->add_option("--cols", c.o.cols, "array columns")->check(CLI::Range(1, 128));
  cmd->add_option("--lanes", c.o.lanes, "Tandem lanes (>= rows, cols)")->check(CLI::Range(1, 128));
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
  cmd->callback([] { run(c); });
}

}  // namespace accelgen
