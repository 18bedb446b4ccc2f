#include "flows/npu/npu_analytic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/quant.hpp"
#include "compiler/tandem/catalog.hpp"
#include "compiler/tandem/golden_run.hpp"
#include "golden_model/tandem/tandem_sim.hpp"

namespace accelgen::flows {

namespace ct = compiler::tandem;
using golden::npu::GemmDesc;

// ---- Layer 1
// --------------------------------------------------------------------------------------

int64_t SchedBlock::PassCycles(int t) const {
  return pass_cycles.size() == 1 ? pass_cycles[0] : pass_cycles.at(t);
}
int64_t SchedBlock::ReleaseOffset(int t) const {
  return release_offset.size() == 1 ? release_offset[0] : release_offset.at(t);
}

namespace {

// The systolic array's stream state across the whole program (golden_model/README.md `systolic`,
// "Timing", rules 1-3), one K block = one array tile.
class ArrayStream {
 public:
  ArrayStream(int rows, int cols) : R_(rows), C_(cols) {}
  // One GEMM tile of `g` (all its K blocks) with every beat offered from `run` and its first vector
  // no earlier than `earliest`. Returns the busy interval [first vector, last output].
  std::pair<int64_t, int64_t> Tile(const GemmDesc& g, int64_t run, int64_t earliest) {
    int64_t first = 0;
    for (int kb = 0; kb < g.k_blocks; ++kb) {
      const int bank = static_cast<int>(tiles_ % 2);
      // Rule 1: the bank is free max(1, R - 1) cycles after the last vector of tile a - 2.
      const int64_t bank_free = tiles_ >= 2 ? e_last_[bank] + std::max(1, R_ - 1) : 0;
      const int64_t w_first = std::max({run, last_w_ + 1, bank_free});
      last_w_ = w_first + R_ - 1;
      // Rule 2: vectors after the tile's last weight beat and after every earlier vector.
      const int64_t arrival = kb == 0 ? std::max(run, earliest) : run;
      const int64_t e0 = std::max({arrival, last_x_ + 1, last_w_ + 1});
      last_x_ = e0 + g.m - 1;
      e_last_[bank] = last_x_;
      ++tiles_;
      if (kb == 0) first = e0;
    }
    return {first, last_x_ + R_ + C_ + 1};  // rule 3: output R + C + 1 cycles after its vector
  }

 private:
  int R_, C_;
  int64_t last_w_ = -1, last_x_ = -1, tiles_ = 0;
  int64_t e_last_[2] = {0, 0};
};

}  // namespace

ScheduleResult schedule(const std::vector<SchedBlock>& blocks, int rows, int cols) {
  ScheduleResult res;
  ArrayStream array(rows, cols);
  int64_t gemm_from[2] = {0, 0};  // the cycle from which each Output BUF half is GEMM-owned
  int64_t s = 1;                  // BLOCK_START of the first block (cycle 0: start_i)
  for (const SchedBlock& b : blocks) {
    const int T = b.gemm ? b.gemm->Tiles() : b.tiles;
    if (T < 1) throw UserError(fmt::format("npu schedule: block '{}' has no tiles", b.name));
    for (int t = 0; t < T; ++t) {
      if (b.PassCycles(t) < 0 || b.ReleaseOffset(t) < 0 || b.ReleaseOffset(t) > b.PassCycles(t)) {
        throw UserError(fmt::format("npu schedule: block '{}' pass {}: bad duration", b.name, t));
      }
    }
    const int64_t r = s + 1 + b.dispatch_words;  // the run state's first cycle
    int64_t tandem_free = r;
    const auto pass = [&](int t, int64_t ready, int half) {
      const int64_t take = std::max(ready, tandem_free);
      const int64_t done = take + b.PassCycles(t);
      res.tandem.push_back({take, done - 1});
      if (half >= 0) gemm_from[half] = take + b.ReleaseOffset(t);
      tandem_free = done;
    };
    if (b.gemm) {
      std::vector<int64_t> ready(T);
      int passes = 0;
      for (int t = 0; t < T; ++t) {
        // Tile t reuses tile t - 2's half: that tile's pass must have released it.
        if (t >= 2) pass(passes, ready[passes], passes % 2), ++passes;
        const auto iv = array.Tile(*b.gemm, r, gemm_from[t % 2]);
        res.gemm.push_back(iv);
        ready[t] = iv.second + 1;  // READY after the last output has been accumulated
      }
      for (; passes < T; ++passes) pass(passes, ready[passes], passes % 2);
    } else {
      for (int t = 0; t < T; ++t) pass(t, tandem_free, -1);
    }
    res.starts.push_back({s, tandem_free + 1});  // BLOCK_DONE in tandem_free
    s = tandem_free + 1;
  }
  res.done = s;
  res.split = runtime_split(res.gemm, res.tandem, 0, res.done);
  return res;
}

std::vector<SchedBlock> measured_schedule(const compiler::npu::NpuProgram& p) {
  golden::tandem::TandemSimConfig tc;
  tc.lanes = p.config.lanes;
  tc.depth = p.config.depth;
  tc.dram_words = p.config.dram_words;
  tc.dram_bus_words = p.config.dram_bus_words;
  tc.record_commits = false;
  golden::tandem::TandemSim tandem(tc);
  std::vector<SchedBlock> out;
  for (const auto& blk : p.blocks) {
    SchedBlock b;
    b.name = blk.name;
    b.dispatch_words = golden::npu::DispatchWords(blk);
    b.gemm = blk.gemm;
    b.tiles = blk.tiles;
    b.pass_cycles.clear();
    b.release_offset.clear();
    const int T = blk.gemm ? blk.gemm->Tiles() : blk.tiles;
    for (int t = 0; t < T; ++t) {
      tandem.Run(blk.tandem);
      int64_t release = tandem.DoneCycle();
      for (const auto& sy : tandem.Syncs()) {
        if ((sy.func & 2) != 0) {
          release = sy.cycle + 1;  // the half is GEMM-owned after the sync's W cycle
          break;
        }
      }
      b.pass_cycles.push_back(tandem.DoneCycle());
      b.release_offset.push_back(release);
    }
    out.push_back(std::move(b));
  }
  return out;
}

// ---- Tandem costs
// ---------------------------------------------------------------------------------

TandemCosts::TandemCosts(int lanes, int depth) : lanes_(lanes), depth_(depth) {
  const ct::TandemTarget t{lanes, depth, 0, 0};
  for (const auto& c : ct::OperatorCatalog(t, ct::CatalogSize::kBench, 1)) {
    const ct::Throughput th = ct::MeasureThroughput(c.compiled, c.inputs);
    per_element_[c.op] = th.cycles_per_element;
    // Without the DAE's time: the operator fused into a block whose data is already on chip.
    per_element_[c.op + ".compute"] = th.compute_cycles_per_element;
    // The CPU baselines' work per element: the template's primitives per element (ideal cycles
    // per element x lanes).
    per_element_[c.op + ".ops"] = th.ideal_cycles_per_element * lanes;
  }
}

namespace {

// A windowed operator ("DepthwiseConv" or "MaxPool") measured on planes of 16 x 16 with the
// layer's kernel, stride and padding: cycles per output element, in total and without the DAE.
std::pair<double, double> MeasureWindowed(int lanes, int depth, const std::string& op, int k, int s,
                                          int p) {
  const ct::TandemTarget t{lanes, depth, 0, 0};
  const std::vector<int64_t> nchw = {1, 2 * lanes, 16, 16};
  const ct::Window w{k, k, s, s, p, p};
  const ct::QParams x{0.05, 0}, wq{0.02, 0}, y{0.1, 0};
  const ct::CompiledOp c = op == "MaxPool" ? ct::CompileMaxPool(t, nchw, w, x)
                                           : ct::CompileDepthwiseConv(t, nchw, w, x, wq, y);
  std::mt19937 rng(1);
  std::vector<std::vector<int32_t>> inputs;
  for (const auto& in : c.inputs) {
    std::uniform_int_distribution<int32_t> d(in.bits == 8 ? -128 : -1000,
                                             in.bits == 8 ? 127 : 1000);
    std::vector<int32_t> v(static_cast<size_t>(in.Elements()));
    std::generate(v.begin(), v.end(), [&] { return d(rng); });
    inputs.push_back(std::move(v));
  }
  const ct::GoldenRun run = ct::RunOnGolden(c, inputs);
  const auto out = static_cast<double>(c.outputs.at(0).Elements());
  return {static_cast<double>(run.cycles) / out, static_cast<double>(ct::ComputeCycles(run)) / out};
}

}  // namespace

double TandemCosts::PerElement(const std::string& op) const {
  const auto it = per_element_.find(op);
  if (it == per_element_.end()) throw std::logic_error("npu analytic: no Tandem cost for " + op);
  return it->second;
}

double TandemCosts::Cycles(const std::string& op, int64_t elements) const {
  return PerElement(op) * static_cast<double>(elements);
}

TandemCosts::Epilogue TandemCosts::GemmEpilogue(int m) {
  const auto it = epilogue_.find(m);
  if (it != epilogue_.end()) return it->second;
  // Two tiles of m output rows: a 1x1 convolution of lanes input channels to lanes output
  // channels over 2m x 1 pixels, compiled by compiler/npu with tile_m = m, and its second block
  // (the tiled GEMM block after the DAE set-up) measured on the Tandem simulator. The buffers get
  // 2m + 1 rows (the compiler keeps the whole im2col in the input scratchpad); the depth changes
  // addresses only, never a pass's cycles.
  graph::Builder b("epilogue");
  const std::string x = b.input("x", {1, lanes_, 2 * m, 1});
  b.conv("conv", x, lanes_, 1);
  const graph::Graph g = b.take();
  golden::npu::NpuConfig cfg;
  cfg.rows = cfg.cols = cfg.lanes = lanes_;
  cfg.depth = std::max(depth_, 2 * m + 1);
  cfg.dram_words = int64_t{1} << 20;
  const auto q = compiler::npu::quantize(g, compiler::npu::random_float_model(g, 1));
  const auto p = compiler::npu::compile(q, cfg, {m});
  const auto sb = measured_schedule(p);
  const Epilogue e{sb.back().pass_cycles.at(0), sb.back().release_offset.at(0),
                   golden::npu::DispatchWords(p.blocks.back())};
  epilogue_[m] = e;
  return e;
}

std::string TandemCosts::Windowed(const std::string& op, int k, int s, int p) {
  const std::string key = fmt::format("{} k{} s{} p{}", op, k, s, p);
  if (!per_element_.count(key)) {
    const auto [total, compute] = MeasureWindowed(lanes_, depth_, op, k, s, p);
    per_element_[key] = total;
    per_element_[key + ".compute"] = compute;
    // CPU work per output element: k^2 multiply-adds (depthwise) or comparisons (pooling).
    per_element_[key + ".ops"] = static_cast<double>(k) * k;
  }
  return key;
}

// ---- Layer 2
// --------------------------------------------------------------------------------------

const std::vector<std::string>& thesis_models() {
  static const std::vector<std::string> m = {"vgg16",           "resnet50",  "mobilenet_v2",
                                             "efficientnet_b0", "bert_base", "yolo_v3"};
  return m;
}

namespace {

using graph::OpKind;

int64_t Elements(const graph::Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// One non-GEMM operator instance: its Tandem cost key, the elements it is charged for, and how
// baseline (2) runs it.
struct NonGemm {
  std::string key;  // TandemCosts key
  int64_t elements = 0;
  double ops_per_element = 1;   // CPU work (simple operations)
  bool dedicated = false;       // baseline (2): a dedicated unit
  bool free_dedicated = false;  // ... on the GEMM output path (no extra cycles)
  std::string label;
  // A reduction along the feature axis (Softmax, LayerNorm): it needs whole rows, so it fuses
  // into a GEMM block only when the GEMM has one N block.
  bool row_reduction = false;
  int extra_inputs = 0;  // operands beyond the one the block already holds (a binary op's other)
  // Work of the permute engine (Transpose; Upsample and Pad priced as one): its measured program
  // is engine time, which fusion does not remove, so it always costs the whole program.
  bool permute = false;
};

struct Group {
  std::string name, ops;
  std::optional<GemmDesc> gemm;
  int64_t macs = 0, gemm_outputs = 0;
  std::vector<NonGemm> work;
  int64_t in_elements = 0;   // the group's input from outside (non-GEMM groups)
  int64_t out_elements = 0;  // the group's result
  std::string tail;          // the node whose output the group ends with
};

// Ops of a fused activation; relu / relu6 on a GEMM are the epilogue's clamp (free).
void Activation(const std::string& act, int64_t elements, bool on_gemm, TandemCosts& costs,
                std::vector<NonGemm>& work, const std::string& layer) {
  if (act.empty()) return;
  const auto ops = [&](const std::string& k) { return costs.PerElement(k + ".ops"); };
  if (act == "relu" || act == "relu6") {
    const std::string k = act == "relu" ? "Relu" : "Clip";
    work.push_back({on_gemm ? "" : k, elements, ops(k), true, on_gemm, act});
  } else if (act == "leaky_relu") {
    work.push_back({"LeakyRelu", elements, ops("LeakyRelu"), false, false, act});
  } else if (act == "gelu" || act == "sigmoid" || act == "tanh") {
    // Sigmoid and tanh priced as i-GELU: one second-order polynomial of a clipped argument.
    work.push_back({"Gelu", elements, ops("Gelu"), false, false, act});
  } else if (act == "swish" || act == "hard_swish") {
    work.push_back({"Gelu", elements, ops("Gelu"), false, false, act + " (sigmoid)"});
    work.push_back({"Mul", elements, ops("Mul"), false, false, act + " (x *)"});  // x on chip
  } else {
    throw UserError(fmt::format(
        "flow npu --analytic: layer '{}': activation '{}' has no Tandem cost", layer, act));
  }
}

double CpuNs(const NonGemm& w, const CpuFallback& c) {
  // ONNX Runtime runs the operator in FP32: one 4-byte read and one write per element.
  const double e = static_cast<double>(w.elements);
  return c.cpu_op_us * 1e3 + 8.0 * e / c.cpu_gbps + w.ops_per_element * e / c.cpu_gops;
}

double PcieNs(double bytes, const CpuFallback& c) {
  return c.pcie_latency_us * 1e3 + bytes / c.pcie_gbps;
}

}  // namespace

AnalyticResult analyze_model(const std::string& model, const AnalyticOptions& o,
                             TandemCosts& costs) {
  AnalyticResult r = analyze_graph(graph::build_zoo_model(model, {.seq_len = o.seq_len}), o, costs);
  r.model = model;
  return r;
}

AnalyticResult analyze_graph(const graph::Graph& g, const AnalyticOptions& o, TandemCosts& costs) {
  if (o.rows < 1 || o.cols < 1 || o.rows > o.lanes || o.cols > o.lanes) {
    throw UserError("flow npu --analytic: rows and cols must be 1..lanes");
  }
  if (costs.Lanes() != o.lanes) throw std::logic_error("npu analytic: costs for other lanes");
  const auto consumers = g.consumers();
  const int mmax = o.depth - 1;  // compiler/npu: one Interim BUF row kept for the bias
  std::vector<Group> groups;
  std::map<std::string, std::string> alias;  // layout-only nodes -> the node they pass on
  const auto source = [&](const std::string& n) {
    const auto it = alias.find(n);
    return it == alias.end() ? n : it->second;
  };
  for (size_t i = 0; i < g.size(); ++i) {
    const graph::Node& n = g.node(i);
    const int64_t out = Elements(n.shape);
    const auto in_shapes = g.input_shapes(n);
    const auto ops = [&](const std::string& k) { return costs.PerElement(k + ".ops"); };
    std::vector<NonGemm> work;
    std::optional<GemmDesc> gemm;
    int64_t macs = 0;
    switch (n.op) {
      case OpKind::kInput:
        continue;
      case OpKind::kReshape:
      case OpKind::kFlatten:
      case OpKind::kSlice:
      case OpKind::kEmbedding:  // the embedded tokens are the input
        // Layout only (addresses in the DAE's walks) or the network's input.
        if (!n.inputs.empty()) alias[n.name] = source(n.inputs[0]);
        continue;
      case OpKind::kConcat:  // the producers store into their slices of the result
        continue;
      case OpKind::kCustom:
        if (n.attrs.macs == 0 && n.attrs.mode == "select_first_token") {
          alias[n.name] = source(n.inputs.at(0));
          continue;
        }
        throw UserError(
            fmt::format("flow npu --analytic: layer '{}' (custom '{}') has no NPU mapping", n.name,
                        n.attrs.mode));
      case OpKind::kConv:
      case OpKind::kGemm:
      case OpKind::kMatMul: {
        const bool depthwise = n.op == OpKind::kConv && n.attrs.groups > 1 &&
                               n.attrs.groups == in_shapes.at(0).at(1) &&
                               n.attrs.groups == n.shape.at(1);
        if (depthwise) {
          const int k = static_cast<int>(n.attrs.kernel[0]),
                    s = static_cast<int>(n.attrs.stride[0]);
          const int p = static_cast<int>(n.attrs.pads[0]);
          const std::string key = costs.Windowed("DepthwiseConv", k, s, p);
          work.push_back({key, out, ops(key), false, false, "dwconv"});
          Activation(n.activation, out, false, costs, work, n.name);
          break;
        }
        int64_t batch = 1, M = 0, K = 0, N = 0;
        if (n.op == OpKind::kMatMul) {
          const auto& a = in_shapes.at(0);
          N = n.shape.back();
          M = n.shape.at(n.shape.size() - 2);
          K = a.back();
          batch = out / (M * N);
        } else if (n.op == OpKind::kGemm) {
          K = n.weights.at(0).shape.at(0);
          N = n.weights.at(0).shape.at(1);
          M = out / N;
        } else {
          const auto& w = n.weights.at(0).shape;  // [K][C / groups][R][S]
          K = w.at(1) * w.at(2) * w.at(3);
          N = n.shape.at(1);
          M = out / N;
        }
        const int64_t mt = (M + mmax - 1) / mmax;
        GemmDesc d;
        d.m = static_cast<int>((M + mt - 1) / mt);
        d.m_tiles = static_cast<int>(batch * mt);
        d.k_blocks = static_cast<int>((K + o.rows - 1) / o.rows);
        d.n_blocks = static_cast<int>((N + o.cols - 1) / o.cols);
        gemm = d;
        macs = batch * M * K * N;
        // The epilogue (bias, requantization to INT8) is Tandem's measured pass; on the CPU it is
        // a Cast; in baseline (2) the scale & shift unit.
        work.push_back({"", out, ops("Cast"), true, true, "requant"});
        Activation(n.activation, out, true, costs, work, n.name);
        break;
      }
      case OpKind::kPool: {
        const std::string& m = n.attrs.mode;
        if (m == "max") {
          const int k = static_cast<int>(n.attrs.kernel[0]),
                    s = static_cast<int>(n.attrs.stride[0]);
          const int p = static_cast<int>(n.attrs.pads[0]);
          const std::string key = costs.Windowed("MaxPool", k, s, p);
          work.push_back({key, out, ops(key), true, false, "maxpool"});
        } else if (m == "avg") {
          work.push_back({"AveragePool", Elements(in_shapes.at(0)), ops("AveragePool"), false,
                          false, "avgpool"});
        } else {
          work.push_back({"GlobalAveragePool", Elements(in_shapes.at(0)), ops("GlobalAveragePool"),
                          false, false, "gap"});
        }
        break;
      }
      case OpKind::kAdd:
      case OpKind::kSub:
        work.push_back({"Add", out, ops("Add"), true, false, "add", false, 1});
        Activation(n.activation, out, false, costs, work, n.name);
        break;
      case OpKind::kMul:
      case OpKind::kDiv:
      case OpKind::kElementwise:
      case OpKind::kBatchNorm:
        work.push_back({"Mul", out, ops("Mul"), n.op == OpKind::kBatchNorm, false, "mul", false,
                        n.op == OpKind::kBatchNorm ? 0 : 1});
        Activation(n.activation, out, false, costs, work, n.name);
        break;
      case OpKind::kActivation:
        Activation(n.attrs.mode, out, false, costs, work, n.name);
        break;
      case OpKind::kLayerNorm:
        work.push_back({"LayerNorm", out, ops("LayerNorm"), false, false, "layernorm", true});
        break;
      case OpKind::kSoftmax:
        work.push_back({"Softmax", out, ops("Softmax"), false, false, "softmax", true});
        break;
      case OpKind::kReduce:
        work.push_back(
            {"ReduceMean", Elements(in_shapes.at(0)), ops("ReduceMean"), false, false, "reduce"});
        break;
      case OpKind::kTranspose:
      case OpKind::kUpsample:
      case OpKind::kPad:
        work.push_back({"Transpose", out, 1, false, false, to_string(n.op), false, 0, true});
        break;
      default:
        throw UserError(fmt::format("flow npu --analytic: layer '{}' ({}) has no NPU mapping",
                                    n.name, to_string(n.op)));
    }
    std::string label = gemm ? to_string(n.op) : work.empty() ? "" : work.front().label;
    if (!n.activation.empty()) label += "+" + n.activation;
    const bool row_reduction =
        std::any_of(work.begin(), work.end(), [](const NonGemm& w) { return w.row_reduction; });
    // Fusion: a non-GEMM layer joins the block whose chain ends in its producer when that
    // producer feeds nothing else (one tiling for the block, thesis §4.4.2).
    bool fused = false;
    if (!gemm && !groups.empty() &&
        !(row_reduction && groups.back().gemm && groups.back().gemm->n_blocks > 1)) {
      Group& last = groups.back();
      for (const auto& in : n.inputs) {
        const std::string src = source(in);
        if (src != last.tail) continue;
        const auto idx = g.find(src);
        if (idx && consumers[*idx].size() == 1) fused = true;
      }
      if (fused) {
        for (auto& w : work) last.work.push_back(w);
        last.ops += "+" + label;
        last.tail = n.name;
        last.out_elements = out;
      }
    }
    if (!fused) {
      Group gr;
      gr.name = n.name;
      gr.ops = label;
      gr.gemm = gemm;
      gr.macs = macs;
      gr.gemm_outputs = gemm ? out : 0;
      gr.work = std::move(work);
      gr.in_elements = gemm ? 0 : Elements(in_shapes.at(0));
      gr.out_elements = out;
      gr.tail = n.name;
      groups.push_back(std::move(gr));
    }
  }

  AnalyticResult res;
  res.model = g.name();
  res.options = o;
  const double ns_per_cycle = 1.0 / o.ghz;
  std::vector<SchedBlock> npu;
  for (const Group& gr : groups) {
    SchedBlock b;
    b.name = gr.name;
    b.gemm = gr.gemm;
    AnalyticBlock ab;
    ab.name = gr.name;
    ab.ops = gr.ops;
    ab.macs = gr.macs;
    // Tandem cycles of the operators beyond the GEMM epilogue. The first one of a non-GEMM
    // group costs its whole measured program (DAE load, compute, store); every other one works on
    // data the block already holds on chip: its compute cycles, plus a lanes-wide line per cycle
    // for each extra operand it loads.
    double extra = 0;
    bool first = !gr.gemm;
    for (const auto& w : gr.work) {
      if (w.key.empty()) continue;
      const double c =
          first || w.permute
              ? costs.Cycles(w.key, w.elements)
              : costs.Cycles(w.key + ".compute", w.elements) +
                    w.extra_inputs * std::ceil(static_cast<double>(w.elements) / costs.Lanes());
      first = false;
      extra += c;
      res.tandem_by_op[w.key.substr(0, w.key.find(' '))] += c;
    }
    if (gr.gemm) {
      const int T = gr.gemm->Tiles();
      const auto epi = costs.GemmEpilogue(gr.gemm->m);
      b.pass_cycles = {epi.pass + static_cast<int64_t>(std::ceil(extra / T))};
      b.release_offset = {epi.release};
      b.dispatch_words = epi.words;
      res.tandem_by_op["GEMM epilogue"] += static_cast<double>(epi.pass) * T;
      ab.tiles = T;
      ab.k_blocks = gr.gemm->k_blocks;
      ab.m = gr.gemm->m;
      ab.release_offset = epi.release;
    } else {
      b.pass_cycles = {static_cast<int64_t>(std::ceil(extra))};
      b.release_offset = {0};
      b.dispatch_words = 2 + 40 + 1;  // brackets, a region of ~40 words, block.end
    }
    ab.pass_cycles = b.pass_cycles[0];
    SchedBlock a = b;  // the same GEMM tiles with no Tandem work: the baselines' accelerator
    a.pass_cycles = {0};
    a.release_offset = {0};
    a.dispatch_words = gr.gemm ? 9 + 1 : 0;
    npu.push_back(std::move(b));
    // Baselines: the GEMM alone (BLOCK_START .. BLOCK_DONE), then the non-GEMM work on the CPU
    // (and dedicated units).
    if (gr.gemm) {
      const auto [start, end] = schedule({a}, o.rows, o.cols).starts.at(0);
      ab.gemm_alone = end - start;
    }
    const double gemm_ns = static_cast<double>(ab.gemm_alone) * ns_per_cycle;
    // (1) everything on the CPU: the accumulators (INT32) or the group's input (INT8) over PCIe,
    // the result back (INT8).
    double cpu1 = 0;
    if (!gr.work.empty()) {
      cpu1 = PcieNs(gr.gemm ? 4.0 * gr.gemm_outputs : 1.0 * gr.in_elements, o.cpu) +
             PcieNs(1.0 * gr.out_elements, o.cpu);
      for (const auto& w : gr.work) cpu1 += CpuNs(w, o.cpu);
    }
    // (2) dedicated units up to the first operator they lack, the rest on the CPU.
    double cpu2 = 0;
    size_t first_cpu = gr.work.size();
    for (size_t k = 0; k < gr.work.size(); ++k) {
      if (!gr.work[k].dedicated) {
        first_cpu = k;
        break;
      }
      if (!gr.work[k].free_dedicated) {
        // A dedicated unit as wide as the array: cols elements per cycle, after the GEMM.
        cpu2 += std::ceil(static_cast<double>(gr.work[k].elements) / o.cols) * ns_per_cycle;
      }
    }
    if (first_cpu < gr.work.size()) {
      const int64_t in = first_cpu == 0 && !gr.gemm ? gr.in_elements : gr.work[first_cpu].elements;
      cpu2 += PcieNs(1.0 * in, o.cpu) + PcieNs(1.0 * gr.out_elements, o.cpu);
      for (size_t k = first_cpu; k < gr.work.size(); ++k) cpu2 += CpuNs(gr.work[k], o.cpu);
    }
    ab.cpu1_ns = cpu1;
    ab.cpu2_ns = cpu2;
    ab.baseline1_ns = gemm_ns + cpu1;
    ab.baseline2_ns = gemm_ns + cpu2;
    res.blocks.push_back(std::move(ab));
  }
  const ScheduleResult sr = schedule(npu, o.rows, o.cols);
  res.total = sr.split;
  for (size_t k = 0; k < res.blocks.size(); ++k) {
    auto& ab = res.blocks[k];
    const auto [s, e] = sr.starts[k];
    ab.cycles = e - s;
    ab.split = runtime_split(sr.gemm, sr.tandem, s, e);
    res.gemm_alone += ab.gemm_alone;
    res.baseline1_ns += ab.baseline1_ns;
    res.baseline2_ns += ab.baseline2_ns;
    res.cpu1_ns += ab.cpu1_ns;
    res.cpu2_ns += ab.cpu2_ns;
  }
  res.npu_ns = static_cast<double>(sr.done) * ns_per_cycle;
  return res;
}

namespace {

double Pct(int64_t v, int64_t total) {
  return total > 0 ? 100.0 * static_cast<double>(v) / static_cast<double>(total) : 0.0;
}

}  // namespace

Table analytic_summary_table(const std::vector<AnalyticResult>& rs) {
  Table t({{"model"},
           {"npu_cycles", "NPU cycles"},
           {"npu_ms", "NPU ms", 3},
           {"gemm_only_pct", "GEMM only %", 1},
           {"overlap_pct", "both %", 1},
           {"tandem_only_pct", "Tandem only %", 1},
           {"idle_pct", "idle %", 1},
           {"baseline1_ms", "(1) ms", 3},
           {"baseline2_ms", "(2) ms", 3},
           {"non_gemm1_pct", "(1) non-GEMM %", 1},
           {"non_gemm2_pct", "(2) non-GEMM %", 1},
           {"speedup1", "vs (1)", 2},
           {"speedup2", "vs (2)", 2}});
  for (const auto& r : rs) {
    const auto& s = r.total;
    t.add({r.model, s.cycles, r.npu_ns * 1e-6, Pct(s.GemmOnly(), s.cycles),
           Pct(s.overlap, s.cycles), Pct(s.TandemOnly(), s.cycles), Pct(s.Idle(), s.cycles),
           r.baseline1_ns * 1e-6, r.baseline2_ns * 1e-6, 100.0 * r.NonGemmShare1(),
           100.0 * r.NonGemmShare2(), r.Speedup1(), r.Speedup2()});
  }
  return t;
}

AnalyticMeans analytic_means(const std::vector<AnalyticResult>& rs) {
  AnalyticMeans m;
  for (const auto& r : rs) {
    m.non_gemm_share1 += r.NonGemmShare1() / static_cast<double>(rs.size());
    m.non_gemm_share2 += r.NonGemmShare2() / static_cast<double>(rs.size());
    m.speedup1 += r.Speedup1() / static_cast<double>(rs.size());
    m.speedup2 += r.Speedup2() / static_cast<double>(rs.size());
  }
  return m;
}

Table analytic_op_table(const std::vector<AnalyticResult>& rs) {
  Table t({{"model"},
           {"op", "Tandem operator"},
           {"cycles", "cycles"},
           {"share_pct", "% of Tandem work", 1}});
  for (const auto& r : rs) {
    double total = 0;
    for (const auto& [op, c] : r.tandem_by_op) total += c;
    std::vector<std::pair<std::string, double>> ops(r.tandem_by_op.begin(), r.tandem_by_op.end());
    std::stable_sort(ops.begin(), ops.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [op, c] : ops) {
      t.add({r.model, op, static_cast<int64_t>(std::llround(c)),
             total > 0 ? 100.0 * c / total : 0.0});
    }
  }
  return t;
}

Table analytic_block_table(const AnalyticResult& r) {
  Table t({{"block"},
           {"ops"},
           {"macs", "MACs"},
           {"tiles"},
           {"m", "M"},
           {"k_blocks", "K blocks"},
           {"pass", "pass cycles"},
           {"release", "release at"},
           {"cycles"},
           {"gemm_busy", "GEMM busy"},
           {"tandem_busy", "Tandem busy"},
           {"overlap"},
           {"gemm_alone", "GEMM alone"},
           {"baseline1_us", "(1) us", 2},
           {"baseline2_us", "(2) us", 2}});
  for (const auto& b : r.blocks) {
    t.add({b.name, b.ops, b.macs, int64_t{b.tiles}, int64_t{b.m}, int64_t{b.k_blocks},
           b.pass_cycles, b.release_offset, b.cycles, b.split.gemm, b.split.tandem, b.split.overlap,
           b.gemm_alone, b.baseline1_ns * 1e-3, b.baseline2_ns * 1e-3});
  }
  return t;
}

nlohmann::json analytic_json(const std::vector<AnalyticResult>& rs) {
  const AnalyticMeans means = analytic_means(rs);
  nlohmann::json models = nlohmann::json::array();
  for (const auto& r : rs) {
    const auto& o = r.options;
    models.push_back({{"model", r.model},
                      {"rows", o.rows},
                      {"cols", o.cols},
                      {"lanes", o.lanes},
                      {"depth", o.depth},
                      {"ghz", o.ghz},
                      {"cycles", r.total.cycles},
                      {"gemm_busy", r.total.gemm},
                      {"tandem_busy", r.total.tandem},
                      {"overlap", r.total.overlap},
                      {"gemm_alone", r.gemm_alone},
                      {"npu_ns", r.npu_ns},
                      {"baseline1_ns", r.baseline1_ns},
                      {"baseline2_ns", r.baseline2_ns},
                      {"non_gemm_share1", r.NonGemmShare1()},
                      {"non_gemm_share2", r.NonGemmShare2()},
                      {"speedup1", r.Speedup1()},
                      {"speedup2", r.Speedup2()},
                      {"tandem_by_op", r.tandem_by_op},
                      {"blocks", analytic_block_table(r).json()}});
  }
  nlohmann::json cpu;
  if (!rs.empty()) {
    const auto& c = rs.front().options.cpu;
    cpu = {{"pcie_gbps", c.pcie_gbps},
           {"pcie_latency_us", c.pcie_latency_us},
           {"cpu_gbps", c.cpu_gbps},
           {"cpu_gops", c.cpu_gops},
           {"cpu_op_us", c.cpu_op_us}};
  }
  return {{"model",
           "npu analytical (schedule of the npu spec; Tandem passes from measured "
           "programs)"},
          {"cpu_fallback", cpu},
          {"summary", analytic_summary_table(rs).json()},
          {"mean",
           {{"non_gemm_share1", means.non_gemm_share1},
            {"non_gemm_share2", means.non_gemm_share2},
            {"speedup1", means.speedup1},
            {"speedup2", means.speedup2}}},
          {"models", models}};
}

std::string analytic_gnuplot(const std::vector<AnalyticResult>& rs, const std::string& png) {
  // Normalised runtime per model: NPU-Tandem (GEMM only, both, Tandem only, idle) and the two
  // baselines (GEMM, non-GEMM), each divided by baseline (1)'s runtime.
  std::string data;
  for (const auto& r : rs) {
    const auto& s = r.total;
    const double b1 = r.baseline1_ns, ns = 1.0 / r.options.ghz;
    const auto f = [&](double v) { return b1 > 0 ? v / b1 : 0.0; };
    data += fmt::format("\"{} NPU-Tandem\" {} {} {} {} 0 0\n", r.model, f(s.GemmOnly() * ns),
                        f(s.overlap * ns), f(s.TandemOnly() * ns), f(s.Idle() * ns));
    data += fmt::format("\"{} (2)\" 0 0 0 0 {} {}\n", r.model, f(r.baseline2_ns - r.cpu2_ns),
                        f(r.cpu2_ns));
    data += fmt::format("\"{} (1)\" 0 0 0 0 {} {}\n", r.model, f(r.baseline1_ns - r.cpu1_ns),
                        f(r.cpu1_ns));
  }
  return fmt::format(
      "# accelgen flow npu --analytic: runtime of NPU-Tandem and the baselines, normalised to "
      "baseline (1).\n"
      "$runs << EOD\n{}EOD\n"
      "set terminal pngcairo size 1200,600 noenhanced\nset output '{}'\n"
      "set title 'NPU-Tandem vs (1) off-chip CPU fallback and (2) dedicated units + CPU'\n"
      "set ylabel 'runtime / baseline (1)'\nset style data histograms\n"
      "set style histogram rowstacked\nset style fill solid 0.8 border -1\nset boxwidth 0.7\n"
      "set key outside right\nset xtics rotate by -45 font ',8'\nset grid ytics\n"
      "plot $runs using 2:xtic(1) title 'NPU: GEMM only', '' using 3 title 'NPU: both', "
      "'' using 4 title 'NPU: Tandem only', '' using 5 title 'NPU: idle', "
      "'' using 6 title 'baseline: GEMM', '' using 7 title 'baseline: non-GEMM (CPU, PCIe, "
      "units)'\n",
      data, png);
}

std::vector<SweepPoint> analytic_sweep(const std::vector<std::string>& models,
                                       const std::vector<int>& sizes, const AnalyticOptions& base,
                                       const std::function<void(const std::string&)>& progress) {
  std::vector<SweepPoint> pts;
  for (int n : sizes) {
    if (n < 1 || n > 128) throw UserError(fmt::format("flow npu: sweep size {} not in 1..128", n));
    AnalyticOptions o = base;
    o.rows = o.cols = o.lanes = n;
    TandemCosts costs(n, o.depth);
    for (const auto& m : models) {
      const AnalyticResult r = analyze_model(m, o, costs);
      pts.push_back({m, n, r.total, r.npu_ns, r.Speedup1(), r.Speedup2()});
    }
    // After each size, so that an error (at the first size) stays the only line on stderr.
    if (progress) progress(fmt::format("size {} done ({} models)", n, models.size()));
  }
  return pts;
}

Table sweep_table(const std::vector<SweepPoint>& pts) {
  Table t({{"model"},
           {"size", "array / lanes"},
           {"cycles"},
           {"gemm_only_pct", "GEMM only %", 1},
           {"overlap_pct", "both %", 1},
           {"tandem_only_pct", "Tandem only %", 1},
           {"non_gemm_busy_pct", "Tandem busy %", 1},
           {"speedup1", "vs (1)", 2},
           {"speedup2", "vs (2)", 2}});
  for (const auto& p : pts) {
    const auto& s = p.total;
    t.add({p.model, int64_t{p.size}, s.cycles, Pct(s.GemmOnly(), s.cycles),
           Pct(s.overlap, s.cycles), Pct(s.TandemOnly(), s.cycles), Pct(s.tandem, s.cycles),
           p.speedup1, p.speedup2});
  }
  return t;
}

std::string sweep_gnuplot(const std::vector<SweepPoint>& pts, const std::string& png) {
  // One data block per model: size, Tandem busy share of the runtime.
  std::string data, plot;
  std::vector<std::string> models;
  for (const auto& p : pts)
    if (std::find(models.begin(), models.end(), p.model) == models.end()) models.push_back(p.model);
  for (size_t k = 0; k < models.size(); ++k) {
    data += fmt::format("${} << EOD\n", models[k]);
    for (const auto& p : pts)
      if (p.model == models[k])
        data += fmt::format("{} {}\n", p.size, Pct(p.total.tandem, p.total.cycles));
    data += "EOD\n";
    plot += fmt::format("{}${} using 1:2 with linespoints title '{}'", k ? ", " : "", models[k],
                        models[k]);
  }
  return fmt::format(
      "# accelgen flow npu --sweep: Tandem (non-GEMM) busy share of the runtime against the size "
      "(rows = cols = lanes), thesis Fig. 4.21.\n{}"
      "set terminal pngcairo size 900,500 noenhanced\nset output '{}'\n"
      "set title 'NPU-Tandem: non-GEMM share vs size (array n x n, n lanes)'\n"
      "set xlabel 'n'\nset ylabel 'Tandem busy, % of runtime'\nset logscale x 2\n"
      "set key outside right\nset grid\nplot {}\n",
      data, png, plot);
}

}  // namespace accelgen::flows
