#include "verilator_tb/region_manager/region_manager_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "common/error.hpp"
#include "compiler/graph/model_source.hpp"
#include "flows/cocco/model.hpp"
#include "flows/cocco/region_trace.hpp"
#include "flows/cocco/search.hpp"
#include "flows/common/tech_table.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

using golden::RegionCommand;
constexpr int64_t kDefaultCommands = 3000;

// Builds a stream while tracking the state it leaves (a golden-model shadow), so that commands
// can aim at live regions, their last words and the remaining capacity.
class StreamBuilder {
 public:
  explicit StreamBuilder(const RegionManagerParams& p) : p_(p), shadow_(p) {}
  void add(RegionOp op, int64_t id, int64_t arg) {
    out_.push_back({op, id, arg, 0});
    shadow_.apply(op, id, arg);
  }
  const golden::RegionManagerModel& state() const { return shadow_; }
  std::vector<RegionCommand> take() { return std::move(out_); }
  std::vector<int64_t> live_ids() const {
    std::vector<int64_t> ids;
    for (int64_t i = 0; i < p_.regions; ++i)
      if (shadow_.valid(i)) ids.push_back(i);
    return ids;
  }
  void free_all() {
    for (int64_t id : live_ids()) add(RegionOp::kFree, id, 0);
  }
  // Translates the first and last word of region ID and the word one past it (an error).
  void probe(int64_t id) {
    const int64_t len = shadow_.length(id);
    add(RegionOp::kTranslate, id, 0);
    add(RegionOp::kTranslate, id, len - 1);
    add(RegionOp::kTranslate, id, len);
  }

 private:
  RegionManagerParams p_;
  golden::RegionManagerModel shadow_;
  std::vector<RegionCommand> out_;
};

}  // namespace

std::vector<RegionCommand> region_corner_commands(const RegionManagerParams& p) {
  const int64_t N = p.regions, C = p.capacity(), ids = int64_t{1} << p.id_bits();
  const int64_t max_arg = (int64_t{2} << p.addr_bits) - 1;
  StreamBuilder s(p);
  s.add(RegionOp::kReserved, 0, 0);
  s.add(RegionOp::kFree, 0, 0);       // free of an unallocated region
  s.add(RegionOp::kTranslate, 0, 0);  // translate of an unallocated region
  if (ids > N) {                      // ids past the table
    s.add(RegionOp::kAlloc, N, 1);
    s.add(RegionOp::kFree, N, 0);
    s.add(RegionOp::kTranslate, ids - 1, 0);
  }
  s.add(RegionOp::kAlloc, 0, 0);      // zero length
  s.add(RegionOp::kAlloc, 0, C + 1);  // over capacity on an empty buffer
  s.add(RegionOp::kAlloc, 0, max_arg);
  // Fill the table: N regions of varied lengths (those past the capacity fail), then one more.
  const int64_t base = std::max<int64_t>(1, C / (2 * N));
  for (int64_t i = 0; i < N; ++i) s.add(RegionOp::kAlloc, i, base + i % 3);
  s.add(RegionOp::kAlloc, 0, 1);  // double allocation
  if (ids > N) s.add(RegionOp::kAlloc, N, 1);
  for (int64_t id : s.live_ids()) s.probe(id);
  s.add(RegionOp::kTranslate, 0, max_arg);
  s.add(RegionOp::kAlloc, N - 1, 1);  // allocated already, or over capacity
  s.free_all();
  s.add(RegionOp::kFree, 0, 0);  // double free
  // A region of all C words, starting wherever the ring stands (it wraps unless top is 0).
  s.add(RegionOp::kAlloc, 0, C);
  s.probe(0);
  const int64_t top = s.state().start(0);
  if (top > 0) {
    s.add(RegionOp::kTranslate, 0, C - top);      // physical word 0
    s.add(RegionOp::kTranslate, 0, C - top - 1);  // the buffer's last word
  }
  s.add(RegionOp::kAlloc, 1 % N, 1);  // over capacity (or double allocation when N = 1)
  s.add(RegionOp::kFree, 0, 0);
  // Exactly the remaining capacity, then one word more.
  if (N >= 2 && C >= 2) {
    s.add(RegionOp::kAlloc, 0, C - 1);
    s.add(RegionOp::kAlloc, 1, 2);
    s.add(RegionOp::kAlloc, 1, 1);
    s.probe(1);
    s.free_all();
  }
  // Move the ring to two words before the end, then a region that wraps there.
  const int64_t shift = ((C - 2 - s.state().top()) % C + C) % C;
  if (shift > 0) {
    s.add(RegionOp::kAlloc, 0, shift);
    s.add(RegionOp::kFree, 0, 0);
  }
  const int64_t len = std::min<int64_t>(5, C);
  s.add(RegionOp::kAlloc, 0, len);
  for (int64_t off = 0; off <= len; ++off) s.add(RegionOp::kTranslate, 0, off);
  s.add(RegionOp::kFree, 0, 0);
  return s.take();
}

std::vector<RegionCommand> region_random_commands(const RegionManagerParams& p, uint64_t seed,
                                                  int64_t count,
                                                  const std::vector<RegionCommand>& prior) {
  const int64_t N = p.regions, C = p.capacity(), ids = int64_t{1} << p.id_bits();
  const int64_t max_arg = (int64_t{2} << p.addr_bits) - 1;
  std::mt19937_64 rng(seed);
  StreamBuilder s(p);
  for (const RegionCommand& c : prior) s.add(c.op, c.id, c.arg);
  s.take();
  const int64_t small = std::clamp<int64_t>(2 * C / N, 1, C);  // lengths that let the table fill
  for (int64_t k = 0; k < count; ++k) {
    const auto live = s.live_ids();
    const int64_t roll = draw(rng, 0, 99);
    const bool illegal = draw(rng, 0, 99) < 10;
    const int64_t any_id = draw(rng, 0, ids - 1);
    const int64_t live_id =
        live.empty() ? any_id : live[static_cast<size_t>(draw(rng, 0, live.size() - 1))];
    if (roll < 3) {
      s.add(RegionOp::kReserved, any_id, draw(rng, 0, max_arg));
    } else if (roll < 35) {
      int64_t id = any_id;
      if (!illegal)  // a free id when there is one
        for (int64_t t = 0; t < 4 && id < N && s.state().valid(id); ++t) id = draw(rng, 0, N - 1);
      const int64_t room = C - s.state().used();
      int64_t len = illegal ? draw(rng, 0, max_arg) : draw(rng, 1, small);
      if (!illegal && draw(rng, 0, 9) == 0) len = std::max<int64_t>(1, room + draw(rng, 0, 1));
      s.add(RegionOp::kAlloc, id, len);
    } else if (roll < 50 || (roll < 60 && live.size() == static_cast<size_t>(N))) {
      s.add(RegionOp::kFree, illegal ? any_id : live_id, 0);
    } else if (roll < 52) {
      s.free_all();
    } else {
      const int64_t id = illegal ? any_id : live_id;
      const int64_t len = s.state().valid(id) ? s.state().length(id) : 1;
      int64_t off = draw(rng, 0, len - 1);
      const int64_t pick = draw(rng, 0, 9);
      if (pick == 0) off = 0;
      if (pick == 1) off = len - 1;
      if (illegal) off = draw(rng, 0, 1) ? len : draw(rng, 0, max_arg);
      s.add(RegionOp::kTranslate, id, off);
    }
  }
  return s.take();
}

CoccoRegionCommands cocco_region_commands(const RegionManagerParams& p, const std::string& model,
                                          const std::string& partition) {
  using namespace flows::cocco;
  const LayerGraph g = from_ir(graph::load_model(model));
  Problem prob;
  prob.graph = &g;
  prob.energy = energy_from_tech(flows::tech_preset("cocco_12nm"), 32);
  prob.metric = Metric::kEma;
  prob.coexplore = false;  // the paper's partition study: 1 MB global + 1.125 MB weight buffer
  Evaluator e(prob);
  const SearchResult best = partition == "greedy" ? greedy(e, Genome{}) : depth_dp(e, Genome{});
  const std::vector<std::vector<int>> blocks = block_layers(e, best.best.label);
  CoccoRegionCommands out;
  out.subgraphs = static_cast<int64_t>(blocks.size());
  const int64_t max_arg = (int64_t{2} << p.addr_bits) - 1;
  const std::vector<RegionStep> trace = region_trace(g, blocks, prob.scheme, p.word_bits / 8);
  for (const RegionStep& s : trace) {
    if (s.region >= p.regions) {
      const auto needed = std::count_if(trace.begin(), trace.end(), [&](const RegionStep& t) {
        return t.block == s.block && t.kind == RegionStep::Kind::kAlloc;
      });
      throw UserError(fmt::format(
          "{}: subgraph {} needs {} regions (layers and their inputs), more than regions = {} "
          "(the partition limits layers only)",
          model, s.block, needed, p.regions));
    }
    if (s.words > max_arg)
      throw UserError(fmt::format(
          "{}: the region of layer '{}' ({} words) does not fit the {}-bit argument port", model,
          g.layers[s.layer].name, s.words, p.arg_bits()));
    const RegionOp op = s.kind == RegionStep::Kind::kAlloc  ? RegionOp::kAlloc
                        : s.kind == RegionStep::Kind::kFree ? RegionOp::kFree
                                                            : RegionOp::kTranslate;
    out.commands.push_back({op, s.region, s.words, 0});
  }
  return out;
}

void stamp_arrivals(std::vector<RegionCommand>& commands, uint64_t seed, int gap_percent) {
  std::mt19937_64 rng(seed ^ 0x5bd1e995u);
  int64_t clock = 0;
  for (auto& c : commands) c.arrival = next_arrival(rng, gap_percent, clock);
}

VerifyResult run_region_manager_commands(const RegionManagerParams& p, const Model& model,
                                         const std::vector<RegionCommand>& commands,
                                         const VerifyOptions& options) {
  const auto want = golden::predict_region_manager(p, commands);
  VerifyResult res;
  res.transactions = static_cast<int64_t>(commands.size());
  res.golden_cycles = want.empty() ? 0 : want.back().cycle + 1;

  Harness h(model.create(options.trace_path), options.activity);
  const int valid = h.port("cmd_valid_i"), op = h.port("cmd_op_i"), id = h.port("cmd_id_i"),
            arg = h.port("cmd_arg_i");
  const int rv = h.port("rsp_valid_o"), re = h.port("rsp_error_o"), ra = h.port("rsp_addr_o");
  const int used = h.port("used_o"), live = h.port("live_o");
  const int64_t ids = int64_t{1} << p.id_bits(), max_arg = (int64_t{2} << p.addr_bits) - 1;
  std::mt19937_64 junk(options.seed);
  std::vector<golden::RegionResponse> seen;
  const int64_t limit = res.golden_cycles + 100;
  const auto start = std::chrono::steady_clock::now();
  h.reset();
  size_t next = 0;
  while (seen.size() < want.size() && h.cycle() < limit && !h.error()) {
    const bool issue = next < commands.size() && commands[next].arrival <= h.cycle();
    h.set(valid, issue);
    // Idle cycles carry random fields: the block must ignore them.
    h.set(op, issue ? static_cast<uint64_t>(commands[next].op)
                    : static_cast<uint64_t>(draw(junk, 0, 3)));
    h.set(id, static_cast<uint64_t>(issue ? commands[next].id : draw(junk, 0, ids - 1)));
    h.set(arg, static_cast<uint64_t>(issue ? commands[next].arg : draw(junk, 0, max_arg)));
    if (issue) ++next;
    h.settle();
    if (h.get(rv))
      seen.push_back({h.cycle(), h.get(re) != 0, static_cast<int64_t>(h.get(ra)),
                      static_cast<int64_t>(h.get(used)), static_cast<int64_t>(h.get(live))});
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error");
  static constexpr const char* kOps[] = {"ALLOC", "FREE", "TRANSLATE", "op3"};
  int64_t errors = 0, wrapped = 0, full = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const RegionCommand& c = commands[i];
    const auto& w = want[i];
    errors += w.error;
    full += w.live == p.regions;
    wrapped += !w.error && c.op == RegionOp::kTranslate && w.addr < static_cast<int64_t>(c.arg);
    if (i >= seen.size()) {
      res.report(fmt::format("command {} ({} id {} arg {}): expected a response at cycle {}, none",
                             i, kOps[static_cast<int>(c.op)], c.id, c.arg, w.cycle),
                 w.cycle);
      continue;
    }
    ++res.outputs_checked;
    const auto& g = seen[i];
    if (g.cycle != w.cycle || g.error != w.error || g.addr != w.addr || g.used != w.used ||
        g.live != w.live)
      res.report(fmt::format(
          "command {} ({} id {} arg {}): expected cycle {} error {} addr {} used {} live {}; got "
          "cycle {} error {} addr {} used {} live {}",
          i, kOps[static_cast<int>(c.op)], c.id, c.arg, w.cycle, w.error, w.addr, w.used, w.live,
          g.cycle, g.error, g.addr, g.used, g.live),
          std::min<int64_t>(w.cycle, g.cycle));
  }
  if (seen.size() > want.size())
    res.report(fmt::format("{} unexpected extra responses", seen.size() - want.size()));
  int64_t per_op[4] = {0, 0, 0, 0};
  for (const auto& c : commands) ++per_op[static_cast<int>(c.op)];
  res.details = {{"commands", commands.size()},
                 {"alloc", per_op[0]},
                 {"free", per_op[1]},
                 {"translate", per_op[2]},
                 {"reserved", per_op[3]},
                 {"errors", errors},
                 {"translations_wrapped", wrapped},
                 {"responses_with_full_table", full},
                 {"capacity_words", p.capacity()},
                 {"table_bits", p.table_bits()},
                 {"register_bits", p.register_bits()}};
  return res;
}

VerifyResult run_region_manager_tb(const ParamSet& params, const Model& model,
                                   const VerifyOptions& options) {
  const RegionManagerParams p = RegionManagerParams::from(params);
  const RegionManagerStimulus s = RegionManagerStimulus::from(params);
  std::vector<RegionCommand> commands;
  int64_t subgraphs = 0;
  if (s.stream == "cocco") {
    CoccoRegionCommands c = cocco_region_commands(p, s.model, s.partition);
    commands = std::move(c.commands);
    subgraphs = c.subgraphs;
  }
  if (s.stream == "mixed" || s.stream == "corners") commands = region_corner_commands(p);
  if (s.stream == "mixed" || s.stream == "random") {
    auto more = region_random_commands(
        p, options.seed, options.transactions > 0 ? options.transactions : kDefaultCommands,
        commands);
    commands.insert(commands.end(), more.begin(), more.end());
  }
  stamp_arrivals(commands, options.seed, s.gap_percent);
  VerifyResult r = run_region_manager_commands(p, model, commands, options);
  if (s.stream == "cocco") r.details["subgraphs"] = subgraphs;
  return r;
}

}  // namespace accelgen::sim
