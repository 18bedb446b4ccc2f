// `accelgen flow npu --analytic`: an analytical cycle model of NPU-Tandem for whole networks at the
// thesis's sizes (the compiler maps reduced blocks only), with the thesis's two baselines.
//
// The model has two layers (README.md, "NPU-Tandem", documents both and the baselines):
//  1. `schedule`: the block / tile / pass timing of the `npu` specification (golden_model/README.md
//     `npu`) in closed form: GEMM tiles by the systolic tile-latency rules (weight beats, vectors,
//     output R + C + 1 later, bank reuse), Tandem passes as given durations with their Output BUF
//     release offset, and the double-buffered ownership pipelining between them. Fed with a
//     compiled program's GEMM descriptors and each pass's cycles measured by the Tandem golden
//     simulator alone (`measured_schedule`), it reproduces the whole-NPU golden model's cycles
//     exactly (tests/npu/npu_analytic_test.cpp).
//  2. `analyze_model`: a zoo network partitioned into NPU blocks (a GEMM with its fused non-GEMM
//     chain, or a group of non-GEMM layers), each GEMM tiled onto the array, each pass's duration
//     from measured Tandem programs (the compiler's requantization epilogue run on the Tandem
//     simulator; every other operator at its template's cycles per element, compiler/tandem), and
//     layer 1 for the timing. The baselines replace Tandem by an off-chip CPU over PCIe (1) or by
//     dedicated units plus that CPU (2), with the parameters of `CpuFallback`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/graph/graph.hpp"
#include "compiler/npu/lower.hpp"
#include "flows/common/table.hpp"
#include "flows/npu/npu_flow.hpp"
#include "golden_model/npu/npu_model.hpp"

namespace accelgen::flows {

// ---- Layer 1: the block schedule ----------------------------------------------------------------

// One NPU block for the schedule. A block with `gemm` runs gemm->Tiles() passes (one per tile,
// pass t on tile t's Output BUF half); one without runs `tiles` passes back to back. Pass t lasts
// pass_cycles[t] cycles (its done cycle minus its take cycle) and releases its half
// release_offset[t] cycles after the take; a vector of one entry applies to every pass.
struct SchedBlock {
  std::string name;
  int dispatch_words = 1;  // golden::npu::DispatchWords
  std::optional<golden::npu::GemmDesc> gemm;
  int tiles = 1;
  std::vector<int64_t> pass_cycles{1}, release_offset{1};
  int64_t PassCycles(int t) const;
  int64_t ReleaseOffset(int t) const;
};

struct ScheduleResult {
  int64_t done = 0;  // the done cycle (as NpuSim::DoneCycle)
  std::vector<std::pair<int64_t, int64_t>>
      starts;              // per block: BLOCK_START, cycle after BLOCK_DONE
  Intervals gemm, tandem;  // busy intervals [first, last] as NpuSim's
  RuntimeSplit split;      // of [0, done)
};

// The timing of golden_model/README.md `npu` ("Timing") for an array of rows x cols. UserError for
// a block without passes or a negative duration.
ScheduleResult schedule(const std::vector<SchedBlock>& blocks, int rows, int cols);

// The blocks of a compiled program with every pass measured on a Tandem golden simulator of the
// program's configuration (the passes run in program order on one simulator, so DAE base loops
// advance as in the NPU; the Output BUF content does not change any timing).
std::vector<SchedBlock> measured_schedule(const compiler::npu::NpuProgram& p);

// ---- Layer 2: whole networks
// ---------------------------------------------------------------------

// The off-chip CPU that baselines (1) and (2) fall back to, and the PCIe link to it. Defaults and
// their sources: README "NPU-Tandem", "Analytical model at the thesis's sizes".
struct CpuFallback {
  double pcie_gbps = 7.88;     // PCIe Gen3 x8: 8 GT/s x 8 lanes x 128/130, per direction (GB/s)
  double pcie_latency_us = 5;  // per transfer (DMA set-up, interrupt, driver)
  double cpu_gbps = 20;        // CPU streaming bandwidth of one ONNX Runtime operator (GB/s)
  double cpu_gops = 100;       // CPU arithmetic rate on non-GEMM operators (G simple ops/s)
  double cpu_op_us = 10;       // per operator: ONNX Runtime dispatch and thread-pool fork/join
};

struct AnalyticOptions {
  int rows = 32, cols = 32, lanes = 32;  // Table 4.4
  int depth = 512;                       // Output BUF half / Interim BUF rows
  double ghz = 1.0;                      // Table 4.4: 1 GHz
  int seq_len = 128;                     // BERT
  CpuFallback cpu;
};

// One NPU block of a network at the analysed size.
struct AnalyticBlock {
  std::string name;  // the GEMM layer, or the first layer of a non-GEMM group
  std::string ops;   // the layers' operators, e.g. "conv+relu6+dwconv"
  int64_t macs = 0;  // GEMM MACs
  int tiles = 1, k_blocks = 0, m = 0;
  int64_t pass_cycles = 0, release_offset = 0;  // per tile
  int64_t gemm_alone = 0;  // cycles of the GEMM tiles with no Tandem work (the baselines' GEMM)
  int64_t cycles = 0;      // NPU-Tandem: BLOCK_START .. BLOCK_DONE
  RuntimeSplit split;
  double baseline1_ns = 0, baseline2_ns = 0;  // the block under baselines (1) and (2)
  double cpu1_ns = 0, cpu2_ns = 0;            // of which CPU + PCIe
};

struct AnalyticResult {
  std::string model;
  AnalyticOptions options;
  std::vector<AnalyticBlock> blocks;
  RuntimeSplit total;      // NPU-Tandem, cycles
  int64_t gemm_alone = 0;  // Σ blocks' GEMM alone (cycles)
  double npu_ns = 0, baseline1_ns = 0, baseline2_ns = 0;
  double cpu1_ns = 0, cpu2_ns = 0;  // non-GEMM (CPU + PCIe + dedicated units) in each baseline
  // Tandem's work by operator (cycles; "GEMM epilogue" = bias, requantization, clamp, store of
  // every GEMM tile), summed over the blocks' passes.
  std::map<std::string, double> tandem_by_op;
  double NonGemmShare1() const { return baseline1_ns > 0 ? cpu1_ns / baseline1_ns : 0; }
  double NonGemmShare2() const { return baseline2_ns > 0 ? cpu2_ns / baseline2_ns : 0; }
  double Speedup1() const { return npu_ns > 0 ? baseline1_ns / npu_ns : 0; }
  double Speedup2() const { return npu_ns > 0 ? baseline2_ns / npu_ns : 0; }
};

// The thesis's benchmarks in the zoo (thesis §4.6.1).
const std::vector<std::string>& thesis_models();

// Cycles per element of the non-GEMM operators on `lanes` Tandem lanes (measured once per lanes
// and operator on the golden Tandem simulator, then cached).
class TandemCosts {
 public:
  TandemCosts(int lanes, int depth);
  // Cycles of `elements` of operator `op` (a key of the table; see analyze_model's mapping).
  double Cycles(const std::string& op, int64_t elements) const;
  // The compiler's GEMM epilogue (bias, requantization, clamp, store) on one of several tiles of
  // m rows: pass cycles, Output BUF release offset and dispatch words, measured by compiling a 1x1
  // convolution of two such tiles.
  struct Epilogue {
    int64_t pass = 0, release = 0;
    int words = 0;
  };
  Epilogue GemmEpilogue(int m);
  // A windowed operator ("DepthwiseConv" or "MaxPool") with kernel k, stride s, padding p,
  // measured per output element; returns its key.
  std::string Windowed(const std::string& op, int k, int s, int p);
  double PerElement(const std::string& op) const;
  const std::map<std::string, double>& Table() const { return per_element_; }
  int Lanes() const { return lanes_; }

 private:
  int lanes_, depth_;
  std::map<std::string, double> per_element_;
  std::map<int, Epilogue> epilogue_;
};

// The network `model` of the zoo analysed for `o`; `costs` must be for o.lanes. UserError naming
// the layer for an operator the NPU model cannot place.
AnalyticResult analyze_model(const std::string& model, const AnalyticOptions& o,
                             TandemCosts& costs);
// The same for any graph (o.seq_len unused); the result's model is the graph's name.
AnalyticResult analyze_graph(const graph::Graph& g, const AnalyticOptions& o, TandemCosts& costs);

Table analytic_summary_table(const std::vector<AnalyticResult>& rs);
// Arithmetic means over the models (the thesis's "on average").
struct AnalyticMeans {
  double non_gemm_share1 = 0, non_gemm_share2 = 0, speedup1 = 0, speedup2 = 0;
};
AnalyticMeans analytic_means(const std::vector<AnalyticResult>& rs);
Table analytic_block_table(const AnalyticResult& r);
// Tandem's work by operator for every model: one row per model and operator.
Table analytic_op_table(const std::vector<AnalyticResult>& rs);
nlohmann::json analytic_json(const std::vector<AnalyticResult>& rs);
std::string analytic_gnuplot(const std::vector<AnalyticResult>& rs, const std::string& png);

// Fig. 4.21: rows = cols = lanes = n for n in `sizes`.
struct SweepPoint {
  std::string model;
  int size = 0;
  RuntimeSplit total;
  double npu_ns = 0, speedup1 = 0, speedup2 = 0;
};
std::vector<SweepPoint> analytic_sweep(const std::vector<std::string>& models,
                                       const std::vector<int>& sizes, const AnalyticOptions& base,
                                       const std::function<void(const std::string&)>& progress);
Table sweep_table(const std::vector<SweepPoint>& pts);
std::string sweep_gnuplot(const std::vector<SweepPoint>& pts, const std::string& png);

}  // namespace accelgen::flows
