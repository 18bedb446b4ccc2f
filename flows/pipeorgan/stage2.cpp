// PipeOrgan stage 2 and the baselines: allocation, organization, NoC, waterfall, memory, energy.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>

#include "common/bits.hpp"
#include "common/error.hpp"
#include "common/noc_params.hpp"
#include "flows/pipeorgan/pipeorgan.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_traffic.hpp"

namespace accelgen::flows::pipeorgan {

const char* scheme_name(Scheme s) {
  switch (s) {
    case Scheme::kPipeOrgan:
      return "pipeorgan";
    case Scheme::kTangram:
      return "tangram";
    case Scheme::kSimba:
      return "simba";
  }
  return "?";
}

std::vector<int> allocate_pes(const std::vector<int64_t>& ops, int total) {
  const int d = static_cast<int>(ops.size());
  if (d > total) throw UserError(fmt::format("pipeorgan: {} layers cannot share {} PEs", d, total));
  std::vector<int> pes(d, 1);
  const int spare = total - d;
  const double sum = std::accumulate(ops.begin(), ops.end(), 0.0);
  std::vector<std::pair<double, int>> rem;
  int given = 0;
  for (int i = 0; i < d; ++i) {
    const double share =
        sum > 0 ? spare * static_cast<double>(ops[i]) / sum : static_cast<double>(spare) / d;
    const int whole = static_cast<int>(std::floor(share));
    pes[i] += whole;
    given += whole;
    rem.push_back({share - whole, i});
  }
  std::stable_sort(rem.begin(), rem.end(), [](auto a, auto b) { return a.first > b.first; });
  for (int k = 0; given < spare; ++k, ++given) ++pes[rem[k % d].second];
  return pes;
}

int64_t compute_cycles(const Layer& l, int pes, int dot) {
  const int64_t outs = l.n * l.k * l.p * l.q;
  if (l.cls == LayerClass::kCompute) return ceil_div(outs, pes) * ceil_div(l.dot, dot);
  const int64_t ops = std::max(l.macs, l.out_act);  // light: one operation per output element
  return std::max<int64_t>(1, ceil_div(ops, static_cast<int64_t>(pes) * dot));
}

int64_t work(const Layer& l, int dot) {
  // A PE also ejects at most one flit (dot bytes at 8 bits) per cycle: the input it must take in
  // bounds its share from below, which matters for light layers fed through the NoC.
  const int64_t exec = l.cls == LayerClass::kCompute
                           ? l.n * l.k * l.p * l.q * ceil_div(l.dot, dot) * dot
                           : std::max(l.macs, l.out_act);
  return std::max(exec, l.in_act);
}

int64_t simba_compute_cycles(const Layer& l, int pes, int dot) {
  if (l.cls != LayerClass::kCompute) return compute_cycles(l, pes, dot);
  const int64_t cg =
      l.channel_preserving ? 1 : std::max<int64_t>(1, l.dot / (l.r * l.s));  // C per group
  const int64_t kl = std::min<int64_t>(l.k, pes);
  const int64_t cl = std::min<int64_t>(ceil_div(cg, dot), std::max<int64_t>(1, pes / kl));
  return ceil_div(l.k, kl) * ceil_div(ceil_div(cg, dot), cl) * l.r * l.s * l.n * l.p * l.q;
}

// PEs a SIMBA-like layer can use with K and C spread over the array.
int64_t simba_used_pes(const Layer& l, int total, int dot) {
  if (l.cls != LayerClass::kCompute) return std::min<int64_t>(total, std::max<int64_t>(1, l.k));
  const int64_t cg = l.channel_preserving ? 1 : std::max<int64_t>(1, l.dot / (l.r * l.s));
  const int64_t kl = std::min<int64_t>(l.k, total);
  return kl * std::min<int64_t>(ceil_div(cg, dot), std::max<int64_t>(1, total / kl));
}

int64_t flit_interval(const Layer& l, int dot, int flit_bytes) {
  if (l.cls == LayerClass::kCompute) return flit_bytes * ceil_div(l.dot, dot);
  return std::max<int64_t>(1, ceil_div(flit_bytes, dot));
}

std::vector<int> place(int rows, int cols, const std::string& organization,
                       const std::vector<int>& pes) {
  const int n = rows * cols, d = static_cast<int>(pes.size());
  std::vector<int> order;  // node order the layers are laid along
  for (int c = 0; c < cols; ++c)
    for (int r = 0; r < rows; ++r)
      order.push_back(r * cols + c);  // column-major: 1-D along columns
  std::vector<int> layer(n, -1);
  if (organization == "single" || organization == "blocked_1d") {
    int at = 0;
    for (int i = 0; i < d; ++i)
      for (int k = 0; k < pes[i]; ++k) layer[order[at++]] = i;
    return layer;
  }
  // Interleaved: smooth weighted round robin, each node to the layer furthest behind its share.
  std::vector<int> left = pes;
  const int64_t total = std::accumulate(pes.begin(), pes.end(), int64_t{0});
  std::vector<int64_t> credit(d, 0);
  std::vector<int> seq;
  for (int k = 0; k < total; ++k) {
    int best = -1;
    for (int i = 0; i < d; ++i) {
      if (!left[i]) continue;
      credit[i] += pes[i];
      if (best < 0 || credit[i] > credit[best]) best = i;
    }
    credit[best] -= total;
    --left[best];
    seq.push_back(best);
  }
  if (organization == "fine_striped") {
    for (int k = 0; k < total; ++k) layer[order[k]] = seq[k];
  } else if (organization == "checkerboard") {
    // Row-major with every other row reversed: interleaved along both dimensions.
    int k = 0;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols && k < total; ++c)
        layer[r * cols + ((r % 2) ? cols - 1 - c : c)] = seq[k++];
  } else {
    throw std::logic_error("place: unknown organization " + organization);
  }
  return layer;
}

NocParams noc_params(const Arch& a, const std::string& topology) {
  NocParams p;
  p.rows = a.rows;
  p.cols = a.cols;
  p.topology = topology;
  p.flit_bits = a.flit_bits;
  p.buffer_depth = a.buffer_depth;
  p.express_len = a.express_len;
  return p;
}

std::vector<NocPacket> segment_packets(const Arch& a, const std::string& topology,
                                       const std::vector<int>& placement,
                                       const std::vector<NocFlow>& flows, int rounds) {
  int depth = 0;
  for (int l : placement) depth = std::max(depth, l + 1);
  std::vector<std::vector<int>> members(depth);
  for (int c = 0; c < a.cols; ++c)
    for (int r = 0; r < a.rows; ++r) {
      const int node = r * a.cols + c;
      if (placement[node] >= 0) members[placement[node]].push_back(node);
    }
  const golden::NocTopology topo = golden::noc_topology(noc_params(a, topology));
  // Every flow runs over the same horizon, ROUNDS of the slowest flow: a flow k times faster
  // sends k times more rounds, so no flow's slowdown is measured over the cold start alone.
  int64_t longest = 1;
  for (const NocFlow& f : flows) longest = std::max(longest, f.interval);
  const int64_t horizon = static_cast<int64_t>(rounds - 1) * longest;
  std::vector<NocPacket> packets;
  for (size_t f = 0; f < flows.size(); ++f) {
    const auto& P = members.at(flows[f].producer);
    const auto& C = members.at(flows[f].consumer);
    const int64_t flow_rounds = horizon / std::max<int64_t>(1, flows[f].interval) + 1;
    for (size_t j = 0; j < P.size(); ++j) {
      const int dst = C[j * C.size() / P.size()];
      const int hops = static_cast<int>(golden::noc_path(topo, P[j], dst).size());
      for (int r = 0; r < flow_rounds; ++r)
        packets.push_back({r * flows[f].interval, P[j], dst, static_cast<int>(f), r, hops});
    }
  }
  std::stable_sort(packets.begin(), packets.end(),
                   [](const NocPacket& x, const NocPacket& y) { return x.t < y.t; });
  return packets;
}

NocRun noc_run_of(const std::vector<NocPacket>& packets, size_t flows,
                  const std::vector<int64_t>& delivered) {
  NocRun run;
  run.round_done.assign(flows, {});
  run.max_hops.assign(flows, 0);
  for (const NocPacket& pk : packets) {
    auto& done = run.round_done.at(pk.flow);
    if (static_cast<int>(done.size()) <= pk.round) done.resize(pk.round + 1, 0);
  }
  for (size_t i = 0; i < packets.size(); ++i) {
    const NocPacket& pk = packets[i];
    if (pk.round == 0) run.flit_hops_per_round += pk.hops;
    run.max_hops[pk.flow] = std::max(run.max_hops[pk.flow], pk.hops);
    run.round_done[pk.flow][pk.round] = std::max(run.round_done[pk.flow][pk.round], delivered[i]);
    run.cycles = std::max(run.cycles, delivered[i]);
  }
  return run;
}

double flow_slowdown(const NocRun& run, size_t f, int64_t interval) {
  const auto& done = run.round_done.at(f);
  const int64_t last = *std::max_element(done.begin(), done.end());
  return std::max(1.0, static_cast<double>(last - 1 - run.max_hops[f]) /
                           static_cast<double>((static_cast<int64_t>(done.size()) - 1) * interval));
}

NocRun run_segment_noc(const Arch& a, const std::string& topology,
                       const std::vector<int>& placement, const std::vector<NocFlow>& flows,
                       int rounds) {
  if (rounds <= 0) rounds = a.rounds;
  const std::vector<NocPacket> packets = segment_packets(a, topology, placement, flows, rounds);
  golden::NocSim sim(noc_params(a, topology));
  golden::NocSources sources(a.rows * a.cols, 1 << 30);
  std::vector<int64_t> delivered_at(packets.size(), -1);
  size_t next = 0;
  int64_t delivered = 0, since = 0;
  int64_t waiting = 0;  // packets queued at the sources
  for (int64_t t = 0; delivered < static_cast<int64_t>(packets.size()); ++t) {
    // An empty network has no state that depends on time: skip to the next creation.
    if (waiting == 0 && sim.in_flight() == 0 && next < packets.size())
      t = std::max(t, packets[next].t);
    while (next < packets.size() && packets[next].t == t) {
      sources.add(packets[next].src, packets[next].dst, t, static_cast<int64_t>(next));
      ++next;
      ++waiting;
    }
    sim.step(sources.offers());
    for (const auto& e : sim.injected()) {
      sources.accept(e.node);
      --waiting;
    }
    for (const auto& e : sim.ejected()) {
      delivered_at[static_cast<size_t>(e.id)] = t;
      ++delivered;
    }
    since = sim.ejected().empty() ? since + 1 : 0;
    if (since > 100000) throw std::logic_error("run_segment_noc: the network stopped delivering");
  }
  return noc_run_of(packets, flows.size(), delivered_at);
}

double waterfall(const std::vector<double>& c, const std::vector<std::pair<int, int>>& edges,
                 int64_t s) {
  const int d = static_cast<int>(c.size());
  // Longest C-sum path ending at i (to) and starting at i (from), positions in topological order.
  std::vector<double> to(c), from(c);
  for (int i = 0; i < d; ++i)
    for (auto [p, q] : edges)
      if (q == i) to[i] = std::max(to[i], to[p] + c[i]);
  for (int i = d - 1; i >= 0; --i)
    for (auto [p, q] : edges)
      if (p == i) from[i] = std::max(from[i], from[q] + c[i]);
  double best = 0;
  for (int b = 0; b < d; ++b)
    best = std::max(best, static_cast<double>(s - 1) * c[b] + to[b] + from[b] - c[b]);
  return best;
}

double waterfall_event_sim(const std::vector<double>& c,
                           const std::vector<std::pair<int, int>>& edges, int64_t s) {
  const int d = static_cast<int>(c.size());
  std::vector<double> finish(d, 0);
  double last = 0;
  for (int64_t t = 0; t < s; ++t)
    for (int i = 0; i < d; ++i) {
      double ready = finish[i];  // its own previous interval
      for (auto [p, q] : edges)
        if (q == i)
          ready = std::max(ready, finish[p]);  // interval t of each producer (already updated)
      finish[i] = ready + c[i];
      last = std::max(last, finish[i]);
    }
  return last;
}

namespace {

struct Plan {
  std::vector<Segment> segments;
  std::vector<std::string> dataflow;
};

// A pair whose granularity is the producer's whole output cannot pipeline (Fig. 4): the consumer
// starts a new segment.
std::vector<Segment> cut_unpipelinable(const Workload& w, const std::vector<Segment>& segments,
                                       const std::vector<std::string>& dataflow) {
  std::vector<Segment> out;
  for (const Segment& seg : segments) {
    size_t first = seg.first;
    for (size_t c = seg.first + 1; c <= seg.last; ++c)
      for (long p : w.layers[c].inputs) {
        if (p < 0 || static_cast<size_t>(p) < first) continue;
        const Layer& l = w.layers[p];
        if (finest_granularity(w, p, c, dataflow[p], dataflow[c]).granularity >=
            l.n * l.p * l.q * l.k) {
          out.push_back({first, c - 1});
          first = c;
          break;
        }
      }
    out.push_back({first, seg.last});
  }
  return out;
}

Plan plan_for(const Workload& w, Scheme scheme, const Arch& a, const Stage1Options& o) {
  Plan plan;
  const size_t n = w.layers.size();
  const int total = a.rows * a.cols;
  auto consumes = [&](size_t c, size_t p) {
    const auto& in = w.layers[c].inputs;
    return std::find(in.begin(), in.end(), static_cast<long>(p)) != in.end();
  };
  auto complex = [&](size_t i) { return w.layers[i].cls == LayerClass::kComplex; };
  if (scheme == Scheme::kPipeOrgan) {
    Stage1 s = run_stage1(w, o);
    plan.dataflow = s.dataflow;
    plan.segments = cut_unpipelinable(w, s.segments, plan.dataflow);
    return plan;
  }
  plan.dataflow.assign(n, "NHWKCRS");
  for (size_t i = 0; i < n; ++i) {
    const Layer& l = w.layers[i];
    if (l.cls == LayerClass::kLight) plan.dataflow[i] = "NHWK";
    if (l.cls == LayerClass::kComplex) plan.dataflow[i] = "-";
    if (l.cls == LayerClass::kCompute && l.channel_preserving) plan.dataflow[i] = "NHWKRS";
  }
  size_t l = 0;
  while (l < n) {
    size_t last = l;
    if (scheme == Scheme::kTangram) {
      // Depth 2: output stationary producer, input stationary consumer (finest pair).
      if (l + 1 < n && !complex(l) && !complex(l + 1) && consumes(l + 1, l)) {
        last = l + 1;
        const Layer& c = w.layers[last];
        if (c.cls == LayerClass::kCompute && !c.channel_preserving) plan.dataflow[last] = "NHWCKRS";
      }
    } else {
      // SIMBA-like: pipeline only while the layers together cannot fill the array.
      int64_t used = simba_used_pes(w.layers[l], total, a.dot);
      while (!complex(l) && used < total && last + 1 < n && !complex(last + 1) &&
             consumes(last + 1, last) && static_cast<int>(last + 1 - l) < o.max_depth) {
        const int64_t more = simba_used_pes(w.layers[last + 1], total, a.dot);
        if (used + more > total) break;
        used += more;
        ++last;
      }
    }
    plan.segments.push_back({l, last});
    l = last + 1;
  }
  plan.segments = cut_unpipelinable(w, plan.segments, plan.dataflow);
  return plan;
}

std::mutex g_noc_cache_mutex;
std::map<std::string, NocRun> g_noc_cache;

NocRun cached_noc(const Arch& a, const std::string& topology, const std::string& organization,
                  const std::vector<int>& pes, const std::vector<int>& placement,
                  const std::vector<NocFlow>& flows) {
  std::string key =
      fmt::format("{}x{}/{}/{}/{}/{}/{}/{}|{}|", a.rows, a.cols, topology, a.flit_bits,
                  a.buffer_depth, a.express_len, a.rounds, organization, fmt::join(pes, ","));
  for (const auto& f : flows) key += fmt::format("{}>{}@{};", f.producer, f.consumer, f.interval);
  {
    std::lock_guard<std::mutex> lock(g_noc_cache_mutex);
    auto it = g_noc_cache.find(key);
    if (it != g_noc_cache.end()) return it->second;
  }
  NocRun run = run_segment_noc(a, topology, placement, flows);
  std::lock_guard<std::mutex> lock(g_noc_cache_mutex);
  g_noc_cache.emplace(key, run);
  return run;
}

}  // namespace

void clear_noc_cache() {
  std::lock_guard<std::mutex> lock(g_noc_cache_mutex);
  g_noc_cache.clear();
}

Evaluation evaluate(const Workload& w, Scheme scheme, const std::string& topology, const Arch& a,
                    const TechTable& tech, const Stage1Options& o) {
  const Plan plan = plan_for(w, scheme, a, o);
  const int total = a.rows * a.cols;
  const int flit_bytes = a.flit_bits / 8;
  const int64_t act_budget = a.sram_bytes / 2, weight_budget = a.sram_bytes / 2;
  const double bytes_per_cycle = a.dram_gbps * 1e9 / (tech.frequency_mhz.value * 1e6);
  std::vector<size_t> seg_of(w.layers.size());
  for (size_t s = 0; s < plan.segments.size(); ++s)
    for (size_t i = plan.segments[s].first; i <= plan.segments[s].last; ++i) seg_of[i] = s;
  // Whether each layer's output stays in the global buffer between segments.
  auto kept_on_chip = [&](size_t i) {
    const auto& succ = w.succs[i];
    if (succ.empty() || w.layers[i].out_act > act_budget) return false;
    return std::all_of(succ.begin(), succ.end(),
                       [&](size_t j) { return seg_of[j] <= seg_of[i] + 1; });
  };

  Evaluation ev;
  ev.scheme = scheme_name(scheme);
  ev.topology = topology;
  for (const Segment& seg : plan.segments) {
    SegmentPlan sp;
    sp.seg = seg;
    sp.topology = topology;
    const int d = static_cast<int>(seg.depth());
    // Allocation.
    if (scheme == Scheme::kSimba && d > 1) {
      for (size_t i = seg.first; i <= seg.last; ++i)
        sp.pes.push_back(static_cast<int>(simba_used_pes(w.layers[i], total, a.dot)));
    } else {
      std::vector<int64_t> ops;
      for (size_t i = seg.first; i <= seg.last; ++i) ops.push_back(work(w.layers[i], a.dot));
      sp.pes = allocate_pes(ops, total);
    }
    for (int i = 0; i < d; ++i) {
      const Layer& l = w.layers[seg.first + i];
      sp.compute.push_back(scheme == Scheme::kSimba ? simba_compute_cycles(l, sp.pes[i], a.dot)
                                                    : compute_cycles(l, sp.pes[i], a.dot));
      ev.macs += l.macs;
    }
    // Pairs: through the NoC when the interval's data fits in the producer's register files.
    std::vector<std::pair<int, int>> edges;
    for (size_t c = seg.first; c <= seg.last; ++c) {
      std::set<long> seen;
      for (long p : w.layers[c].inputs) {
        if (p < 0 || static_cast<size_t>(p) < seg.first || !seen.insert(p).second) continue;
        const Pair pair = finest_granularity(w, p, c, plan.dataflow[p], plan.dataflow[c]);
        edges.push_back({static_cast<int>(p - seg.first), static_cast<int>(c - seg.first)});
        const int64_t rf_total = static_cast<int64_t>(sp.pes[p - seg.first]) * a.rf_bytes;
        if (scheme != Scheme::kSimba && pair.granularity <= rf_total)
          sp.noc_pairs.push_back(pair);
        else
          sp.gb_pairs.push_back(pair);
      }
    }
    // Organization.
    if (d == 1) {
      sp.organization = "single";
    } else if (scheme != Scheme::kPipeOrgan || sp.noc_pairs.empty() || !sp.gb_pairs.empty()) {
      sp.organization = "blocked_1d";
    } else {
      double finest = 0, coarsest = 0;
      for (const Pair& p : sp.noc_pairs) {
        const double per_pe = static_cast<double>(p.granularity) / sp.pes[p.producer - seg.first];
        finest = std::max(finest, per_pe);
        coarsest = std::max(coarsest, per_pe / static_cast<double>(a.rf_bytes));
      }
      sp.organization = finest <= flit_bytes ? "checkerboard"
                        : coarsest <= 0.5    ? "fine_striped"
                                             : "blocked_1d";
    }
    // NoC: steady-state producer rounds on the golden model.
    std::vector<double> slow(d, 1.0);
    if (!sp.noc_pairs.empty()) {
      const std::vector<int> placement = place(a.rows, a.cols, sp.organization, sp.pes);
      // A producer PE emits flits at the pipeline's pace: its own compute interval, or slower when
      // another layer of the segment is the bottleneck.
      const int64_t slowest = *std::max_element(sp.compute.begin(), sp.compute.end());
      std::vector<NocFlow> flows;
      for (const Pair& p : sp.noc_pairs) {
        const int pos = static_cast<int>(p.producer - seg.first);
        const int64_t flits_per_pe = std::max<int64_t>(
            1, ceil_div(ceil_div(w.layers[p.producer].out_act, flit_bytes), sp.pes[pos]));
        const int64_t pace = std::max(flit_interval(w.layers[p.producer], a.dot, flit_bytes),
                                      slowest / flits_per_pe);
        flows.push_back(
            {pos, static_cast<int>(p.consumer - seg.first), std::max<int64_t>(1, pace)});
      }
      const NocRun run = cached_noc(a, topology, sp.organization, sp.pes, placement, flows);
      sp.placement = placement;
      sp.flows = flows;
      int64_t flits_per_round = 0;
      for (size_t f = 0; f < flows.size(); ++f) {
        const double sigma = flow_slowdown(run, f, flows[f].interval);
        slow[flows[f].producer] = std::max(slow[flows[f].producer], sigma);
        sp.slowdown = std::max(sp.slowdown, sigma);
        flits_per_round += sp.pes[flows[f].producer];
      }
      // Every intermediate byte crosses the NoC once per consumer, at the run's mean hop count.
      int64_t flits = 0;
      for (const Pair& p : sp.noc_pairs)
        flits += ceil_div(w.layers[p.producer].out_act, flit_bytes);
      sp.flit_hops =
          static_cast<int64_t>(std::llround(static_cast<double>(flits) * run.flit_hops_per_round /
                                            std::max<int64_t>(1, flits_per_round)));
    }
    // Intervals and the waterfall.
    sp.intervals = 1;
    bool first = true;
    for (const auto* list : {&sp.noc_pairs, &sp.gb_pairs})
      for (const Pair& p : *list) {
        const Layer& l = w.layers[p.producer];
        const int64_t steps =
            std::max<int64_t>(1, (l.n * l.p * l.q * l.k) / std::max<int64_t>(1, p.granularity));
        sp.intervals = first ? steps : std::min(sp.intervals, steps);
        first = false;
      }
    std::vector<double> c(d);
    for (int i = 0; i < d; ++i)
      c[i] = static_cast<double>(sp.compute[i]) * slow[i] / static_cast<double>(sp.intervals);
    sp.waterfall = waterfall(c, edges, sp.intervals);
    std::vector<double> ideal(d);
    for (int i = 0; i < d; ++i)
      ideal[i] = static_cast<double>(sp.compute[i]) / static_cast<double>(sp.intervals);
    sp.waterfall_ideal = waterfall(ideal, edges, sp.intervals);
    // Memory: segment inputs, outputs, weights and buffered pairs.
    int64_t seg_weights = 0, boundary_in = 0;
    std::set<long> read;
    for (size_t i = seg.first; i <= seg.last; ++i) {
      const Layer& l = w.layers[i];
      seg_weights += l.weights;
      for (size_t k = 0; k < l.inputs.size(); ++k) {
        const long id = l.inputs[k];
        if (!(id < 0 || static_cast<size_t>(id) < seg.first) || !read.insert(id).second) continue;
        boundary_in += l.input_elems[k];
        const bool on_chip = id >= 0 && kept_on_chip(static_cast<size_t>(id));
        if (!on_chip) sp.dram_bytes += l.input_elems[k];
        sp.gb_bytes +=
            l.input_elems[k] * (on_chip ? 1 : 2);  // read (and, from DRAM, fill) the buffer
      }
      const bool leaves = w.succs[i].empty() || std::any_of(w.succs[i].begin(), w.succs[i].end(),
                                                            [&](size_t j) { return j > seg.last; });
      if (leaves) {
        sp.gb_bytes += l.out_act;
        if (!kept_on_chip(i)) sp.dram_bytes += l.out_act;
      }
    }
    const int64_t refetch = std::max<int64_t>(1, ceil_div(seg_weights, weight_budget));
    sp.dram_bytes += seg_weights + boundary_in * (refetch - 1);
    sp.gb_bytes += 2 * seg_weights + boundary_in * (refetch - 1);
    for (const Pair& p : sp.gb_pairs) {
      const int64_t bytes = w.layers[p.producer].out_act;
      sp.gb_bytes += 2 * bytes;
      if (2 * p.granularity > act_budget)
        sp.dram_bytes += 2 * bytes;  // double buffer does not fit: spill
    }
    sp.dram_cycles = static_cast<double>(sp.dram_bytes) / bytes_per_cycle;
    sp.gb_cycles = static_cast<double>(sp.gb_bytes) / a.gb_bytes_per_cycle;
    sp.latency = std::max({sp.waterfall, sp.dram_cycles, sp.gb_cycles});
    ev.cycles += sp.latency;
    ev.dram_bytes += sp.dram_bytes;
    ev.gb_bytes += sp.gb_bytes;
    ev.flit_hops += sp.flit_hops;
    ev.segments.push_back(std::move(sp));
  }
  ev.energy_parts["mac"] = static_cast<double>(ev.macs) * tech.mac_pj.value;
  ev.energy_parts["rf"] = static_cast<double>(ev.macs) * 3 * 8 * tech.rf_pj_per_bit.value;
  ev.energy_parts["sram"] = tech.sram_access_pj(static_cast<double>(a.sram_bytes),
                                                8.0 * static_cast<double>(ev.gb_bytes));
  ev.energy_parts["dram"] = 8.0 * static_cast<double>(ev.dram_bytes) * tech.dram_pj_per_bit.value;
  ev.energy_parts["noc"] =
      static_cast<double>(ev.flit_hops) * a.flit_bits * tech.hop_pj_per_bit.value;
  for (const auto& [k, v] : ev.energy_parts) ev.energy_pj += v;
  return ev;
}

ModelResult run_model(const graph::Graph& g, const Arch& a, const TechTable& tech,
                      const Stage1Options& o) {
  if (a.rows < 2 || a.cols < 2 || a.dot < 1 || a.rf_bytes < 1 || a.sram_bytes < 1 ||
      a.dram_gbps <= 0 || a.flit_bits < 8 || a.flit_bits % 8 != 0 || a.rounds < 2)
    throw UserError("pipeorgan: architecture parameters out of range");
  const Workload w = make_workload(g);
  ModelResult r;
  r.name = g.name();
  r.stage1 = run_stage1(w, o);
  r.pipeorgan = evaluate(w, Scheme::kPipeOrgan, "amp", a, tech, o);
  r.pipeorgan_mesh = evaluate(w, Scheme::kPipeOrgan, "mesh", a, tech, o);
  r.tangram = evaluate(w, Scheme::kTangram, "mesh", a, tech, o);
  r.simba = evaluate(w, Scheme::kSimba, "mesh", a, tech, o);
  r.speedup_vs_tangram = r.tangram.cycles / r.pipeorgan.cycles;
  r.speedup_vs_simba = r.simba.cycles / r.pipeorgan.cycles;
  r.dram_vs_tangram =
      static_cast<double>(r.pipeorgan.dram_bytes) / static_cast<double>(r.tangram.dram_bytes);
  r.dram_vs_simba =
      static_cast<double>(r.pipeorgan.dram_bytes) / static_cast<double>(r.simba.dram_bytes);
  return r;
}

}  // namespace accelgen::flows::pipeorgan
