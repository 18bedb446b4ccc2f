// `accelgen flow pipeorgan`: PipeOrgan (Garg et al., sections III-VI) as an analytical flow.
// Stage 1 (hardware-agnostic): segment a layer DAG into pipeline segments by the A/W rule, choose
// each layer's loop order from its A/W ratio, and compute the finest granularity of every
// producer/consumer pair with Algorithm 1. Stage 2 (hardware): PE allocation by MAC ratio, a
// spatial organization from granularity versus register-file capacity, the steady-state NoC traffic
// of every segment run on the golden NoC model (mesh or AMP, congestion included), GB and DRAM
// bandwidth stalls, the waterfall latency of Fig. 3, DRAM accesses and energy from a technology
// table. The same stage 2 prices the TANGRAM-like and SIMBA-like baselines. Decisions where the
// paper is silent are listed in flows/pipeorgan/README.md.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/noc_params.hpp"
#include "compiler/graph/graph.hpp"
#include "flows/common/table.hpp"
#include "flows/common/tech_table.hpp"

namespace accelgen::flows::pipeorgan {

// ---- Workload: the graph as the flow sees it.
enum class LayerClass { kCompute, kLight, kComplex };

// One loop of a layer's loop nest. `out` is the output dimension the loop walks (N, H, W, K) or 0
// for a contracted loop (C, R, S); `in` is the input dimension it walks (N, H, W, C) or 0.
struct Loop {
  char out = 0;
  char in = 0;
  int64_t size = 1;
};

struct Layer {
  std::string name, op;  // op label as `accelgen model info` prints it
  LayerClass cls = LayerClass::kCompute;
  int64_t macs = 0, weights = 0;     // weight elements (= bytes at 8 bits)
  int64_t in_act = 0, out_act = 0;   // input (all operands) and output elements
  std::vector<long> inputs;          // producer layer index, or -1 - k for graph input k
  std::vector<int64_t> input_elems;  // elements of each input operand
  int64_t n = 1, k = 1, c = 1, p = 1, q = 1, r = 1, s = 1;  // loop bounds (output P x Q)
  int64_t stride_h = 1, stride_w = 1;
  int64_t dot = 1;  // MACs per output element (C/groups x R x S); 1 for light layers
  bool channel_preserving =
      false;      // depthwise conv and light layers: output channel k reads input channel k
  double aw = 0;  // in_act / weights (0 when the layer has no weights)
};

struct Workload {
  std::string name;
  std::vector<Layer> layers;               // graph order (topological), graph inputs excluded
  std::vector<std::vector<size_t>> succs;  // consumers of each layer
  std::vector<int64_t> graph_inputs;       // elements of each graph input
};

// Throws UserError (one line, naming the layer) for an operator the flow does not model (LSTM,
// activation x activation MatMul, embedding) and for an empty graph.
Workload make_workload(const graph::Graph& graph);

// ---- Stage 1.
struct Segment {
  size_t first = 0, last = 0;  // inclusive layer range
  size_t depth() const { return last - first + 1; }
};

// A producer/consumer edge inside one segment and its finest granularity (Algorithm 1).
struct Pair {
  size_t producer = 0, consumer = 0;
  int64_t granularity = 0;  // elements of the intermediate tensor per pipeline interval
  int fused = 0;            // fused outer loops ("pipnest")
};

struct Stage1Options {
  int max_depth = 32;  // sqrt(number of PEs) (section IV-A)
  double full_as_threshold =
      16;  // A/W at or above: NHWKCRS; 1 <= A/W below: NHKCWRS; A/W < 1: KCRSNHW
};

struct Stage1 {
  std::vector<Segment> segments;
  std::vector<std::string> dataflow;  // loop order per layer, e.g. "NHWKCRS"
  std::vector<int> depth;             // depth of the segment holding each layer
  std::vector<int64_t>
      granularity;  // per layer: coarsest in-segment consumer pair, else output size
  std::vector<Pair> pairs;
};

// The loops of LAYER under loop order DATAFLOW (letters N H W K C R S; C is absent for
// channel-preserving layers, whose K walks the input channel too).
std::vector<Loop> loops_of(const Layer& layer, const std::string& dataflow);
// Consumer tile (in input elements of the fused dimension) for one input loop letter.
int64_t consumer_tile(const Layer& consumer, char in_dim);
// Algorithm 1 for one producer/consumer pair.
Pair finest_granularity(const Workload& w, size_t producer, size_t consumer,
                        const std::string& producer_dataflow, const std::string& consumer_dataflow);
// Activation elements crossing the boundary of layers [first, last]: every distinct tensor read
// from outside (graph inputs included) plus every tensor consumed outside or a graph output.
int64_t boundary_activations(const Workload& w, size_t first, size_t last);
std::string choose_dataflow(const Layer& layer, const Stage1Options& o);
Stage1 run_stage1(const Workload& w, const Stage1Options& o = {});

// ---- Stage 2.
struct Arch {  // Table III, plus the figures the paper does not state (README)
  int rows = 32, cols = 32;
  int dot = 8;                   // MACs per PE per cycle
  int64_t sram_bytes = 1 << 20;  // global buffer
  double dram_gbps = 256;
  int64_t rf_bytes = 512;  // per PE (assumption)
  int flit_bits = 64;
  int buffer_depth = 4;
  int express_len = 0;  // AMP express links; 0 = round(sqrt(dim / 2)) per dimension (the paper's)
  double gb_bytes_per_cycle = 256;  // one flit per column per cycle (assumption)
  int rounds = 8;                   // producer rounds simulated per segment on the NoC
};

// One producer -> consumer flow of a segment's NoC traffic.
struct NocFlow {
  int producer = 0, consumer = 0;  // positions in the segment
  int64_t interval = 1;            // cycles between a producer PE's flits
};

enum class Scheme { kPipeOrgan, kTangram, kSimba };
const char* scheme_name(Scheme s);

struct SegmentPlan {
  Segment seg;
  std::string organization;      // single, blocked_1d, fine_striped, checkerboard
  std::string topology;          // mesh or amp
  std::vector<int> pes;          // per layer of the segment
  std::vector<int64_t> compute;  // cycles per layer at its PEs
  std::vector<Pair> noc_pairs, gb_pairs;
  int64_t intervals = 1;  // S
  double slowdown = 1;    // NoC: worst producer's (steady round time / compute round)
  double waterfall = 0, dram_cycles = 0, gb_cycles = 0, latency = 0;
  double waterfall_ideal = 0;  // the waterfall with every NoC slowdown 1
  int64_t dram_bytes = 0, gb_bytes = 0, flit_hops = 0;
  std::vector<int> placement;  // NoC segments: layer position per node (-1 idle)
  std::vector<NocFlow> flows;  // NoC segments: the traffic run on the golden model
};

struct Evaluation {
  std::string scheme, topology;
  std::vector<SegmentPlan> segments;
  double cycles = 0;
  int64_t dram_bytes = 0, gb_bytes = 0, flit_hops = 0, macs = 0;
  double energy_pj = 0;
  std::map<std::string, double> energy_parts;  // mac, rf, sram, dram, noc
};

// Placement of a segment's layers on the array: layer index (0..depth-1) per node.
std::vector<int> place(int rows, int cols, const std::string& organization,
                       const std::vector<int>& pes);
// What allocation divides by: a layer's operations as the array executes them (dot products
// rounded up to the PE's size; one per output element for light layers), at least its input
// elements (a PE takes in one flit of `dot` bytes per cycle).
int64_t work(const Layer& l, int dot);
// PEs per layer by op ratio (largest remainder, at least one each), summing to TOTAL.
std::vector<int> allocate_pes(const std::vector<int64_t>& ops, int total);
// Flexible (output-parallel) and SIMBA-like (K x C parallel) compute cycles of one layer on N PEs.
int64_t compute_cycles(const Layer& l, int pes, int dot);
int64_t simba_compute_cycles(const Layer& l, int pes, int dot);
// Cycles per flit of output a producer PE needs (the compute interval of Fig. 15).
int64_t flit_interval(const Layer& l, int dot, int flit_bytes);

// Steady-state NoC run of one segment: every producer PE of each NoC pair sends one flit per
// compute interval to its consumer PE, for `rounds` rounds, on the golden NocSim. Returns per
// producer (segment position) the last delivery cycle of each round.
struct NocRun {
  std::vector<std::vector<int64_t>>
      round_done;             // [flow][round]: cycle its last flit was delivered (rounds per flow)
  std::vector<int> max_hops;  // [flow]: longest producer -> consumer path
  int64_t flit_hops_per_round = 0;
  int64_t cycles = 0;  // cycle the last flit was delivered
};
// The golden/RTL `noc` parameters of the array A on TOPOLOGY (express length automatic).
NocParams noc_params(const Arch& a, const std::string& topology);
// The packets of a segment's NoC run, sorted by creation cycle (ties in flow, producer, round
// order): producer PE j of each flow sends round r at r x interval to consumer PE
// floor(j n_c / n_p) of its flow, PEs of a layer in column-major order. All flows share one
// horizon, (ROUNDS - 1) x the longest interval: a flow sends floor(horizon / interval) + 1 rounds.
struct NocPacket {
  int64_t t = 0;
  int src = 0, dst = 0, flow = 0, round = 0;
  int hops = 0;  // routers on the path (golden::noc_path)
};
std::vector<NocPacket> segment_packets(const Arch& a, const std::string& topology,
                                       const std::vector<int>& placement,
                                       const std::vector<NocFlow>& flows, int rounds);
// The NocRun those packets make when packet i is delivered in cycle DELIVERED[i] (from the golden
// model or from the RTL).
NocRun noc_run_of(const std::vector<NocPacket>& packets, size_t flows,
                  const std::vector<int64_t>& delivered);
// Slowdown of flow F of RUN sending one flit per INTERVAL: how much longer its last delivery
// comes than at zero load (last packet created at (R - 1) x interval, delivered 1 + hops later),
// over the R - 1 intervals; at least 1.
double flow_slowdown(const NocRun& run, size_t f, int64_t interval);
// ROUNDS <= 0: Arch::rounds.
NocRun run_segment_noc(const Arch& a, const std::string& topology,
                       const std::vector<int>& placement, const std::vector<NocFlow>& flows,
                       int rounds = 0);

// Waterfall latency (Fig. 3) of a segment whose layers each take S intervals of C[i] cycles, with
// in-segment edges EDGES (positions): max over b of (S - 1) C[b] + the longest C-sum path through
// b.
double waterfall(const std::vector<double>& c, const std::vector<std::pair<int, int>>& edges,
                 int64_t s);
// The same pipeline stepped interval by interval: finish(i, t) = max(finish(i, t-1),
// max over producers p of finish(p, t)) + C[i]; returns the last finish.
double waterfall_event_sim(const std::vector<double>& c,
                           const std::vector<std::pair<int, int>>& edges, int64_t s);

// evaluate() keeps every segment's NoC run in a process-wide cache keyed by its traffic; this
// empties it (the benchmark's cold runs).
void clear_noc_cache();

Evaluation evaluate(const Workload& w, Scheme scheme, const std::string& topology, const Arch& a,
                    const TechTable& tech, const Stage1Options& o = {});

// ---- The flow.
struct ModelResult {
  std::string name;
  Stage1 stage1;
  Evaluation pipeorgan, pipeorgan_mesh, tangram, simba;
  double speedup_vs_tangram = 0, speedup_vs_simba = 0, dram_vs_tangram = 0, dram_vs_simba = 0;
};
ModelResult run_model(const graph::Graph& g, const Arch& a, const TechTable& tech,
                      const Stage1Options& o = {});

struct FlowResult {
  std::vector<ModelResult> models;
  double geomean_speedup_vs_tangram = 0, geomean_speedup_vs_simba = 0;
  double geomean_dram_vs_tangram = 0, geomean_dram_vs_simba = 0;
};
FlowResult summarize(std::vector<ModelResult> models);
// One row per model (the columns of --csv and of the JSON "models" entries).
Table summary_table(const FlowResult& r);
// Where an evaluation's cycles go, summed over its segments (they add up to Evaluation::cycles):
// compute = the slowest layer's compute cycles (the steady state with no NoC or memory stall);
// fill/drain = the waterfall without NoC slowdowns minus that; noc = the waterfall minus the
// waterfall without NoC slowdowns; memory = the segment latency minus the waterfall (DRAM or GB
// bandwidth stalls).
struct Breakdown {
  double compute = 0, fill_drain = 0, noc = 0, memory = 0;
};
Breakdown breakdown(const Evaluation& e);
// Per model the breakdown of PipeOrgan (AMP), PipeOrgan on mesh and TANGRAM-like.
Table breakdown_table(const FlowResult& r);
// Fig. 16/17 analogue: per layer its op, A/W, loop order, segment, depth and granularity.
Table layer_table(const graph::Graph& g, const Stage1& s);
// The --json object: "models" (name, speedups, DRAM ratios, energy_pj, segments, ...) and
// "geomean".
nlohmann::json flow_json(const FlowResult& r, const TechTable& tech, const Arch& a);
// pipeorgan_fig13.csv/.gp (speedups) and pipeorgan_fig14.csv/.gp (normalized DRAM) into DIR, and
// their PNGs when gnuplot is installed; returns the paths written.
std::vector<std::string> write_plots(const std::string& dir, const FlowResult& r);

}  // namespace accelgen::flows::pipeorgan
