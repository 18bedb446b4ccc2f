#include "flows/npu/npu_flow.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/bert.hpp"
#include "compiler/npu/lower.hpp"
#include "compiler/npu/workload.hpp"

namespace accelgen::flows {

namespace {

// The cycles of [from, to) inside the union of `iv`, as a sorted list of disjoint half-open runs.
Intervals Clip(Intervals iv, int64_t from, int64_t to) {
  Intervals out;
  std::sort(iv.begin(), iv.end());
  for (auto [a, b] : iv) {
    a = std::max(a, from);
    b = std::min(b + 1, to);
    if (a >= b) continue;
    if (!out.empty() && a <= out.back().second) {
      out.back().second = std::max(out.back().second, b);
    } else {
      out.push_back({a, b});
    }
  }
  return out;
}

int64_t Length(const Intervals& iv) {
  int64_t n = 0;
  for (const auto& [a, b] : iv) n += b - a;
  return n;
}

}  // namespace

RuntimeSplit runtime_split(const golden::npu::NpuSim& sim, int64_t from, int64_t to) {
  return runtime_split(sim.GemmIntervals(), sim.TandemIntervals(), from, to);
}

RuntimeSplit runtime_split(const Intervals& gemm, const Intervals& tandem, int64_t from,
                           int64_t to) {
  const Intervals g = Clip(gemm, from, to);
  const Intervals t = Clip(tandem, from, to);
  RuntimeSplit s;
  s.cycles = to - from;
  s.gemm = Length(g);
  s.tandem = Length(t);
  // Overlap: two-pointer intersection of the disjoint sorted runs.
  size_t i = 0, j = 0;
  while (i < g.size() && j < t.size()) {
    s.overlap +=
        std::max<int64_t>(0, std::min(g[i].second, t[j].second) - std::max(g[i].first, t[j].first));
    (g[i].second < t[j].second) ? ++i : ++j;
  }
  return s;
}

namespace {

// The layers of zoo model o.model whose names start with o.block + "." (all without o.block).
graph::Graph ZooBlock(const NpuFlowOptions& o) {
  const graph::Graph net = graph::build_zoo_model(o.model, {.resolution = o.resolution});
  if (o.block.empty()) return net;  // the whole model
  std::vector<std::string> keep;
  for (const auto& n : net.nodes())
    if (n.name.rfind(o.block + ".", 0) == 0) keep.push_back(n.name);
  if (keep.empty()) {
    throw UserError(
        fmt::format("flow npu: model '{}' has no layer named '{}.*' (--block)", o.model, o.block));
  }
  graph::Graph g = graph::subgraph(net, keep);
  g.set_name(fmt::format("{}.{}", o.model, o.block));
  return g;
}

}  // namespace

NpuFlowResult run_npu_flow(const NpuFlowOptions& o) {
  golden::npu::NpuConfig cfg;
  cfg.rows = o.rows;
  cfg.cols = o.cols;
  cfg.lanes = o.lanes;
  cfg.depth = o.depth;
  cfg.wbuf_depth = o.wbuf_depth;
  cfg.dram_words = 1 << 20;
  compiler::npu::NpuProgram p;
  if (o.model.empty()) {
    p = compiler::npu::compile_workload(
        o.workload, cfg, {o.channels, o.size, o.seq, o.hidden, o.heads, o.ffn, o.tile_m, o.seed});
  } else if (o.model == "bert_base") {
    // One encoder layer of the zoo's BERT-base (its shapes; --seq tokens), float parameters drawn.
    const graph::Graph net = graph::build_zoo_model(o.model, {.seq_len = o.seq});
    const compiler::npu::BertConfig bc = compiler::npu::bert_config_of(net, o.block);
    p = compiler::npu::compile_bert(
        compiler::npu::quantize_bert(compiler::npu::random_bert(bc, o.seed)), cfg);
  } else {
    const graph::Graph g = ZooBlock(o);
    p = compiler::npu::compile(
        compiler::npu::quantize(g, compiler::npu::random_float_model(g, o.seed)), cfg, {o.tile_m});
  }
  golden::npu::NpuSim sim(cfg);
  const std::vector<int8_t> out = compiler::npu::run_on_golden(p, sim);
  NpuFlowResult r;
  for (int8_t v : out) r.output_checksum += v;
  r.outputs = static_cast<int64_t>(out.size());
  for (const auto& l : p.layers) r.macs += l.macs;
  // Block boundaries from the FSM: BLOCK_START cycles and the cycle after each BLOCK_DONE.
  std::vector<int64_t> starts, ends;
  for (const auto& e : sim.Fsm()) {
    if (e.state == golden::npu::FsmState::kBlockStart) starts.push_back(e.cycle);
    if (e.state == golden::npu::FsmState::kBlockDone) ends.push_back(e.cycle + 1);
  }
  for (size_t b = 0; b < p.blocks.size(); ++b) {
    const auto& blk = p.blocks[b];
    NpuFlowBlock fb;
    fb.name = blk.name;
    fb.gemm = blk.gemm.has_value();
    fb.tiles = blk.gemm ? blk.gemm->Tiles() : blk.tiles;
    fb.k_blocks = blk.gemm ? blk.gemm->k_blocks : 0;
    fb.tandem_words = static_cast<int>(blk.tandem.size());
    fb.start = starts.at(b);
    fb.end = ends.at(b);
    fb.split = runtime_split(sim, fb.start, fb.end);
    r.blocks.push_back(std::move(fb));
  }
  r.total = runtime_split(sim, 0, sim.DoneCycle());
  return r;
}

Table npu_block_table(const NpuFlowResult& r) {
  Table t({{"block"},
           {"regions"},
           {"tiles"},
           {"k_blocks", "K blocks"},
           {"tandem_words", "Tandem words"},
           {"start"},
           {"cycles"},
           {"gemm_busy", "GEMM busy"},
           {"tandem_busy", "Tandem busy"},
           {"overlap"},
           {"gemm_only", "GEMM only"},
           {"tandem_only", "Tandem only"},
           {"idle"}});
  const auto row = [&](const std::string& name, const std::string& regions, int64_t tiles,
                       int64_t kb, int64_t words, int64_t start, const RuntimeSplit& s) {
    t.add({name, regions, tiles, kb, words, start, s.cycles, s.gemm, s.tandem, s.overlap,
           s.GemmOnly(), s.TandemOnly(), s.Idle()});
  };
  for (const auto& b : r.blocks)
    row(b.name, b.gemm ? "GEMM+Tandem" : "Tandem", b.tiles, b.k_blocks, b.tandem_words, b.start,
        b.split);
  row("total", "", 0, 0, 0, 0, r.total);
  return t;
}

std::string npu_runtime_gnuplot(const NpuFlowResult& r, const std::string& title,
                                const std::string& png) {
  std::string data;
  for (const auto& b : r.blocks) {
    const RuntimeSplit& s = b.split;
    data += fmt::format("\"{}\" {} {} {} {}\n", b.name, s.GemmOnly(), s.overlap, s.TandemOnly(),
                        s.Idle());
  }
  return fmt::format(
      "# accelgen flow npu: cycles of each NPU block, GEMM only / both units / Tandem only / "
      "idle.\n"
      "$blocks << EOD\n{}EOD\n"
      "set terminal pngcairo size 900,500 noenhanced\nset output '{}'\n"
      "set title '{}'\nset ylabel 'cycles'\nset style data histograms\n"
      "set style histogram rowstacked\nset style fill solid 0.8 border -1\nset boxwidth 0.7\n"
      "set key outside right\nset xtics rotate by -30\nset grid ytics\n"
      "plot $blocks using 2:xtic(1) title 'GEMM only', '' using 3 title 'both', "
      "'' using 4 title 'Tandem only (non-GEMM)', '' using 5 title 'idle (start, dispatch, "
      "done)'\n",
      data, png, title);
}

nlohmann::json npu_flow_json(const NpuFlowOptions& o, const NpuFlowResult& r) {
  const auto& s = r.total;
  return {{"workload", o.model.empty()   ? o.workload
                       : o.block.empty() ? o.model
                                         : o.model + "." + o.block},
          {"channels", o.channels},
          {"size", o.size},
          {"seq", o.seq},
          {"hidden", o.hidden},
          {"heads", o.heads},
          {"ffn", o.ffn},
          {"rows", o.rows},
          {"cols", o.cols},
          {"lanes", o.lanes},
          {"depth", o.depth},
          {"wbuf_depth", o.wbuf_depth},
          {"tile_m", o.tile_m},
          {"seed", o.seed},
          {"model", "npu golden (cycle-exact); no RTL"},
          {"cycles", s.cycles},
          {"gemm_busy", s.gemm},
          {"tandem_busy", s.tandem},
          {"overlap", s.overlap},
          {"non_gemm_only_share", s.cycles ? static_cast<double>(s.TandemOnly()) / s.cycles : 0.0},
          {"macs", r.macs},
          {"outputs", r.outputs},
          {"output_checksum", r.output_checksum},
          {"blocks", npu_block_table(r).json()}};
}

}  // namespace accelgen::flows
