#include "verilator_tb/noc/noc_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <unordered_map>

#include "common/bits.hpp"
#include "common/error.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_traffic.hpp"
#include "golden_model/noc/noc_vc_model.hpp"
#include "verilator_tb/harness.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kStallLimit = 20000;  // cycles without any delivery while packets are in flight


struct Pending {
  int src, dst;
  int64_t created;
  std::vector<uint32_t> payload;
  int64_t golden_eject = -1, rtl_eject = -1;
  bool reported = false;
};

}  // namespace

namespace {

struct VcPending {
  int src, dst;
  int64_t created;
  std::vector<uint32_t> payload;  // PWORDS words per flit
  int ejected = 0;                // flits delivered (golden order)
  bool clean = true;              // every flit so far matched the RTL
};

// The VC/wormhole router: lockstep at flit granularity. In every cycle the golden model names the
// flit (packet, index) each node ejects; the RTL must eject exactly that flit — payload, source,
// destination, head and tail bits — in that cycle, and nothing else.
VerifyResult run_noc_vc_tb(const NocParams& p, const NocStimulus& s, const Model& model, const VerifyOptions& options) {
  const int N = p.rows * p.cols, C = p.cols, K = p.packet_flits;
  const int PB = p.flit_bits, IDB = index_bits(N), CB = index_bits(p.cols), RB = index_bits(p.rows);
  const int FW = PB + IDB + CB + RB + 2, IW = PB + CB + RB + 2, PWORDS = (PB + 31) / 32;
  VerifyResult res;
  golden::NocVcSim sim(p);
  golden::NocTraffic traffic(p, s, options.seed);
  golden::NocPacketSources sources(N, s.source_queue, K);
  std::mt19937_64 payload_rng(options.seed * 0x9E3779B97F4A7C15ull + 1);

  Harness h(model.create(options.trace_path));
  const int inj_valid = h.port("inj_valid_i"), inj_ready = h.port("inj_ready_o"), inj_data = h.port("inj_data_i");
  const int ej_valid = h.port("ej_valid_o"), ej_data = h.port("ej_data_o");
  std::vector<uint32_t> valid_w((N + 31) / 32), data_w((static_cast<size_t>(N) * IW + 31) / 32);
  std::vector<uint32_t> ready_w, ejv_w, ejd_w;
  std::unordered_map<int64_t, VcPending> pending;
  int64_t window_flits = 0;  // checked flits ejected within the injection window
  int64_t next_id = 0, delivered = 0, flits = 0, latency_sum = 0, max_latency = 0, last_rtl = -1, last_golden = -1;
  int64_t stall = 0;
  bool stop = false;
  auto flow_name = [&](int src, int dst) { return fmt::format("({},{})->({},{})", src / C, src % C, dst / C, dst % C); };
  std::vector<std::pair<int, int>> fresh;
  std::vector<const golden::NocFlitEvent*> expect(N);

  h.reset();
  auto start = std::chrono::steady_clock::now();
  for (int64_t t = 0; !stop; ++t) {
    const bool window = t < s.cycles && (options.transactions <= 0 || next_id < options.transactions);
    if (window) {
      fresh.clear();
      traffic.generate(t, fresh);
      for (auto [src, dst] : fresh) {
        if (options.transactions > 0 && next_id >= options.transactions) break;
        if (!sources.add(src, dst, t, next_id)) continue;
        VcPending& pk = pending[next_id];
        pk.src = src;
        pk.dst = dst;
        pk.created = t;
        pk.payload.resize(static_cast<size_t>(PWORDS) * K);
        for (int j = 0; j < K; ++j)
          for (int i = 0; i < PWORDS; ++i) {
            const int bits = std::min(32, PB - 32 * i);
            pk.payload[j * PWORDS + i] = static_cast<uint32_t>(payload_rng() & ((uint64_t{1} << bits) - 1));
          }
        ++next_id;
      }
    } else if (pending.empty() && sources.queued() == 0) {
      break;
    }
    const auto& offers = sources.offers();
    std::fill(valid_w.begin(), valid_w.end(), 0);
    std::fill(data_w.begin(), data_w.end(), 0);
    for (int n = 0; n < N; ++n) {
      if (!offers[n]) continue;
      const golden::NocVcFlit& f = *offers[n];
      const VcPending& pk = pending.at(f.packet);
      put_field(valid_w, n, 1, 1);
      const int lo = n * IW;
      for (int i = 0; i < PWORDS; ++i)
        put_field(data_w, lo + 32 * i, std::min(32, PB - 32 * i), pk.payload[f.index * PWORDS + i]);
      put_field(data_w, lo + PB, CB, static_cast<uint64_t>(pk.dst % C));
      put_field(data_w, lo + PB + CB, RB, static_cast<uint64_t>(pk.dst / C));
      put_field(data_w, lo + PB + CB + RB, 1, f.tail ? 1 : 0);
      put_field(data_w, lo + PB + CB + RB + 1, 1, f.head ? 1 : 0);
    }
    h.set_wide(inj_valid, valid_w);
    h.set_wide(inj_data, data_w);
    h.settle();
    h.get_wide(inj_ready, ready_w);
    h.get_wide(ej_valid, ejv_w);
    sim.step(offers);

    // Injection handshakes must agree exactly.
    std::vector<uint8_t> golden_inj(N, 0);
    for (const auto& e : sim.injected()) golden_inj[e.node] = 1;
    for (int n = 0; n < N; ++n) {
      const bool rtl = offers[n] && get_field(ready_w, n, 1);
      if (rtl != static_cast<bool>(golden_inj[n])) {
        res.report(fmt::format("cycle {}: node ({},{}) injection handshake of packet {} flit {}: golden {}, RTL {}", t, n / C,
                           n % C, offers[n]->packet, offers[n]->index, golden_inj[n] ? "accepts" : "refuses",
                           rtl ? "accepts" : "refuses"), t);
        stop = true;
      }
    }
    for (int n = 0; n < N && !stop; ++n)
      if (golden_inj[n]) sources.accept(n);
    // Ejections: the golden model names the flit of every ejecting node; the RTL must match it.
    std::fill(expect.begin(), expect.end(), nullptr);
    for (const auto& e : sim.ejected()) expect[e.node] = &e;
    bool any = !sim.ejected().empty(), wide_read = false;
    if (any) last_golden = t;
    for (int n = 0; n < N && !stop; ++n) {
      const bool rv = get_field(ejv_w, n, 1);
      if (!rv && !expect[n]) continue;
      if (rv) {
        last_rtl = t;
        any = true;
        if (!wide_read) {
          h.get_wide(ej_data, ejd_w);
          wide_read = true;
        }
      }
      const int lo = n * FW;
      auto got = [&] {
        return fmt::format("src {} dst ({},{}) head {} tail {}", get_field(ejd_w, lo + PB, IDB),
                           get_field(ejd_w, lo + PB + IDB + CB, RB), get_field(ejd_w, lo + PB + IDB, CB),
                           get_field(ejd_w, lo + FW - 1, 1), get_field(ejd_w, lo + FW - 2, 1));
      };
      if (!expect[n]) {
        res.report(fmt::format("cycle {}: node ({},{}) ejects a flit the golden model does not ({})", t, n / C, n % C, got()), t);
        continue;
      }
      const golden::NocFlitEvent& e = *expect[n];
      VcPending& pk = pending.at(e.packet);
      if (e.index != pk.ejected)
        res.report(fmt::format("golden model: packet {} flit {} ejected after {} flits (out of order)", e.packet, e.index,
                           pk.ejected));
      ++pk.ejected;
      const std::string what = fmt::format("packet {} {} flit {} of {}", e.packet, flow_name(pk.src, pk.dst), e.index, K);
      if (!rv) {
        pk.clean = false;
        res.report(fmt::format("cycle {}: node ({},{}) expected to eject {}, RTL ejects nothing", t, n / C, n % C, what), t);
      } else {
        bool ok = static_cast<int>(get_field(ejd_w, lo + PB, IDB)) == pk.src &&
                  static_cast<int>(get_field(ejd_w, lo + PB + IDB, CB)) == pk.dst % C &&
                  static_cast<int>(get_field(ejd_w, lo + PB + IDB + CB, RB)) == pk.dst / C &&
                  get_field(ejd_w, lo + FW - 1, 1) == (e.index == 0 ? 1u : 0u) &&
                  get_field(ejd_w, lo + FW - 2, 1) == (e.index == K - 1 ? 1u : 0u);
        for (int i = 0; i < PWORDS && ok; ++i)
          ok = get_field(ejd_w, lo + 32 * i, std::min(32, PB - 32 * i)) == pk.payload[e.index * PWORDS + i];
        if (ok) {
          ++flits;
          if (t < s.cycles) ++window_flits;
        } else {
          pk.clean = false;
          res.report(fmt::format("cycle {}: node ({},{}) expected {}, RTL ejects {} (or another payload)", t, n / C, n % C,
                             what, got()), t);
        }
      }
      if (e.index == K - 1) {
        ++delivered;
        if (pk.clean) ++res.outputs_checked;
        latency_sum += t - pk.created;
        max_latency = std::max(max_latency, t - pk.created);
        pending.erase(e.packet);
      }
    }
    stall = any || pending.empty() ? 0 : stall + 1;
    if (stall > kStallLimit) {
      res.report(fmt::format("cycle {}: no delivery for {} cycles with {} packets outstanding: deadlock", t, kStallLimit,
                         pending.size()), t);
      stop = true;
    }
    if (h.error()) {
      res.report("the simulation raised a Verilog error ($stop/$error/assertion)");
      stop = true;
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& [id, pk] : pending)
    res.report(fmt::format("packet {} {} created in cycle {}: not delivered ({} of {} flits)", id, flow_name(pk.src, pk.dst),
                       pk.created, pk.ejected, K));
  res.transactions = next_id;
  res.rtl_cycles = last_rtl + 1;
  res.golden_cycles = last_golden + 1;
  res.cycle_exact = true;
  const golden::NocTopology topo = golden::noc_topology(p);
  const double node_cycles = static_cast<double>(N) * std::max<int64_t>(1, res.rtl_cycles);
  res.details = {{"traffic", s.traffic},
                 {"packets", next_id},
                 {"delivered", delivered},
                 {"flits_checked", flits},
                 {"throttled_at_source", sources.throttled},
                 {"mean_latency", delivered ? static_cast<double>(latency_sum) / delivered : 0.0},
                 {"max_latency", max_latency},
                 {"accepted_per_node_per_cycle", static_cast<double>(delivered) / node_cycles},
                 {"accepted_flits_per_node_per_cycle", static_cast<double>(flits) / node_cycles},
                 {"window_flits_per_node_per_cycle",
                  static_cast<double>(window_flits) / (static_cast<double>(N) * static_cast<double>(s.cycles))},
                 {"links", topo.links()},
                 {"vcs", p.vcs},
                 {"vc_depth", p.vc_buffer()},
                 {"packet_flits", K},
                 {"express_len", {{"vertical", topo.lv}, {"horizontal", topo.lh}}}};
  if (s.traffic == "pipeorgan")
    res.details["pipeorgan"] = {{"organization", s.organization}, {"depth", s.depth}, {"allocation", s.allocation},
                                {"skip", s.skip}, {"interval", s.interval}, {"tile_flits", s.tile_flits}};
  return res;
}

}  // namespace

namespace {

// The base router in lockstep with the golden model. GENERATE appends the packets created in cycle
// t and returns false once the injection window is over; sources hold at most SOURCE_CAP packets.
// DELIVERED_AT (optional) receives the RTL delivery cycle of every packet, by creation order.
using Generate = std::function<bool(int64_t t, std::vector<std::pair<int, int>>& out)>;
VerifyResult run_base_tb(const NocParams& p, const Model& model, const VerifyOptions& options, int source_cap,
                         const Generate& generate, std::vector<int64_t>* delivered_at) {
  const int N = p.rows * p.cols, C = p.cols;
  const int PB = p.flit_bits, IDB = index_bits(N), CB = index_bits(p.cols), RB = index_bits(p.rows);
  const int FW = PB + IDB + CB + RB, IW = PB + CB + RB, PWORDS = (PB + 31) / 32;
  VerifyResult res;

  golden::NocSim sim(p);
  golden::NocSources sources(N, source_cap);
  std::mt19937_64 payload_rng(options.seed * 0x9E3779B97F4A7C15ull + 1);

  Harness h(model.create(options.trace_path), options.activity);
  const int inj_valid = h.port("inj_valid_i"), inj_ready = h.port("inj_ready_o"), inj_data = h.port("inj_data_i");
  const int ej_valid = h.port("ej_valid_o"), ej_data = h.port("ej_data_o");
  std::vector<uint32_t> valid_w((N + 31) / 32), data_w((static_cast<size_t>(N) * IW + 31) / 32);
  std::vector<uint32_t> ready_w, ejv_w, ejd_w;

  std::unordered_map<int64_t, Pending> pending;
  std::map<std::pair<int, int>, std::deque<int64_t>> flows;  // packets injected, per (src, dst)
  int64_t next_id = 0, delivered = 0, latency_sum = 0, max_latency = 0, last_rtl = -1, last_golden = -1;
  int64_t stall = 0;
  bool stop = false;
  auto flow_name = [&](int src, int dst) {
    return fmt::format("({},{})->({},{})", src / C, src % C, dst / C, dst % C);
  };
  std::vector<std::pair<int, int>> fresh;
  std::vector<int64_t> touched;

  h.reset();
  auto start = std::chrono::steady_clock::now();
  for (int64_t t = 0; !stop; ++t) {
    fresh.clear();
    const bool window = (options.transactions <= 0 || next_id < options.transactions) && generate(t, fresh);
    if (window) {
      for (auto [src, dst] : fresh) {
        if (options.transactions > 0 && next_id >= options.transactions) break;
        if (!sources.add(src, dst, t, next_id)) continue;
        Pending& pk = pending[next_id];
        pk.src = src;
        pk.dst = dst;
        pk.created = t;
        pk.payload.resize(PWORDS);
        for (int i = 0; i < PWORDS; ++i) {
          const int bits = std::min(32, PB - 32 * i);
          pk.payload[i] = static_cast<uint32_t>(payload_rng() & ((uint64_t{1} << bits) - 1));
        }
        ++next_id;
      }
    } else if (pending.empty() && sources.queued() == 0) {
      break;
    }
    // Drive the offers.
    const auto& offers = sources.offers();
    std::fill(valid_w.begin(), valid_w.end(), 0);
    std::fill(data_w.begin(), data_w.end(), 0);
    for (int n = 0; n < N; ++n) {
      if (!offers[n]) continue;
      const Pending& pk = pending.at(offers[n]->id);
      put_field(valid_w, n, 1, 1);
      const int lo = n * IW;
      for (int i = 0; i < PWORDS; ++i) put_field(data_w, lo + 32 * i, std::min(32, PB - 32 * i), pk.payload[i]);
      put_field(data_w, lo + PB, CB, static_cast<uint64_t>(pk.dst % C));
      put_field(data_w, lo + PB + CB, RB, static_cast<uint64_t>(pk.dst / C));
    }
    h.set_wide(inj_valid, valid_w);
    h.set_wide(inj_data, data_w);
    h.settle();
    h.get_wide(inj_ready, ready_w);
    h.get_wide(ej_valid, ejv_w);
    sim.step(offers);

    // Injection handshakes must agree exactly.
    std::vector<int64_t> golden_inj(N, -1);
    for (const auto& e : sim.injected()) golden_inj[e.node] = e.id;
    for (int n = 0; n < N; ++n) {
      const bool rtl = offers[n] && get_field(ready_w, n, 1);
      const bool gold = golden_inj[n] >= 0;
      if (rtl != gold) {
        res.report(fmt::format("cycle {}: node ({},{}) injection handshake: golden {}, RTL {} (packet {} {})", t, n / C, n % C,
                           gold ? "accepts" : "refuses", rtl ? "accepts" : "refuses", offers[n]->id,
                           flow_name(offers[n]->src, offers[n]->dst)), t);
        stop = true;  // the two sides now hold different packets: later comparisons would be noise
      }
    }
    touched.clear();
    for (int n = 0; n < N && !stop; ++n) {
      if (golden_inj[n] < 0) continue;
      const auto& f = sources.head(n).flit;
      flows[{f.src, f.dst}].push_back(f.id);
      sources.accept(n);
    }
    // RTL ejections: identify each by its flow (src in the flit, dst = the ejecting node).
    bool any_eject = false;
    if (!stop) {
      bool wide_read = false;
      for (int n = 0; n < N; ++n) {
        if (!get_field(ejv_w, n, 1)) continue;
        any_eject = true;
        if (!wide_read) {
          h.get_wide(ej_data, ejd_w);
          wide_read = true;
        }
        const int lo = n * FW;
        const int src = static_cast<int>(get_field(ejd_w, lo + PB, IDB));
        const int dst = static_cast<int>(get_field(ejd_w, lo + PB + IDB + CB, RB) * C + get_field(ejd_w, lo + PB + IDB, CB));
        if (dst != n || src >= N) {
          res.report(fmt::format("cycle {}: node ({},{}) ejects a flit with src {} and dst ({},{}): misrouted or corrupted header",
                             t, n / C, n % C, src, dst / C, dst % C), t);
          continue;
        }
        auto& q = flows[{src, n}];
        if (q.empty()) {
          res.report(fmt::format("cycle {}: node ({},{}) ejects an unexpected flit of flow {} (duplicate or never injected)", t,
                             n / C, n % C, flow_name(src, n)), t);
          continue;
        }
        auto matches = [&](int64_t id) {
          const Pending& pk = pending.at(id);
          for (int i = 0; i < PWORDS; ++i)
            if (get_field(ejd_w, lo + 32 * i, std::min(32, PB - 32 * i)) != pk.payload[i]) return false;
          return true;
        };
        const int64_t id = q.front();
        if (!matches(id)) {
          bool later = false;
          for (size_t k = 1; k < q.size() && !later; ++k) later = matches(q[k]);
          res.report(fmt::format("cycle {}: flow {} packet {}: {}", t, flow_name(src, n), id,
                             later ? "delivered out of order (a later packet of the flow arrived first)"
                                   : "payload corrupted"), t);
        }
        q.pop_front();
        Pending& pk = pending.at(id);
        pk.rtl_eject = t;
        if (delivered_at) {
          if (static_cast<int64_t>(delivered_at->size()) <= id) delivered_at->resize(id + 1, -1);
          (*delivered_at)[id] = t;
        }
        last_rtl = t;
        ++delivered;
        ++res.outputs_checked;
        latency_sum += t - pk.created;
        max_latency = std::max(max_latency, t - pk.created);
        touched.push_back(id);
      }
    }
    for (const auto& e : sim.ejected()) {
      pending.at(e.id).golden_eject = t;
      last_golden = t;
      touched.push_back(e.id);
      any_eject = true;
    }
    // Delivery cycles: both sides must deliver each packet in the same cycle.
    for (int64_t id : touched) {
      auto it = pending.find(id);
      if (it == pending.end()) continue;
      Pending& pk = it->second;
      if (pk.golden_eject >= 0 && pk.rtl_eject >= 0) {
        if (pk.golden_eject != pk.rtl_eject && !pk.reported)
          res.report(fmt::format("packet {} {} created in cycle {}: expected at cycle {}, delivered at cycle {}", id,
                             flow_name(pk.src, pk.dst), pk.created, pk.golden_eject, pk.rtl_eject),
                     std::min<int64_t>(pk.golden_eject, pk.rtl_eject));
        pending.erase(it);
      } else if (!pk.reported) {
        pk.reported = true;
        res.report(pk.golden_eject >= 0
                   ? fmt::format("packet {} {} created in cycle {}: expected at cycle {}, not delivered then", id,
                                 flow_name(pk.src, pk.dst), pk.created, pk.golden_eject)
                   : fmt::format("packet {} {} created in cycle {}: delivered at cycle {}, golden model expects it later",
                                 id, flow_name(pk.src, pk.dst), pk.created, pk.rtl_eject),
                   pk.golden_eject >= 0 ? pk.golden_eject : pk.rtl_eject);
      }
    }
    stall = any_eject || pending.empty() ? 0 : stall + 1;
    if (stall > kStallLimit) {
      res.report(fmt::format("cycle {}: no delivery for {} cycles with {} packets outstanding: deadlock", t, kStallLimit,
                         pending.size()), t);
      stop = true;
    }
    if (h.error()) {
      res.report("the simulation raised a Verilog error ($stop/$error/assertion)");
      stop = true;
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& [id, pk] : pending)
    if (!pk.reported)
      res.report(fmt::format("packet {} {} created in cycle {}: never delivered (golden: {})", id, flow_name(pk.src, pk.dst),
                         pk.created, pk.golden_eject >= 0 ? fmt::format("cycle {}", pk.golden_eject) : "not delivered"));
  res.transactions = next_id;
  res.rtl_cycles = last_rtl + 1;
  res.golden_cycles = last_golden + 1;
  res.cycle_exact = true;
  const golden::NocTopology topo = golden::noc_topology(p);
  res.details = {{"packets", next_id},
                 {"delivered", delivered},
                 {"throttled_at_source", sources.throttled},
                 {"mean_latency", delivered ? static_cast<double>(latency_sum) / delivered : 0.0},
                 {"max_latency", max_latency},
                 {"accepted_per_node_per_cycle",
                  res.rtl_cycles > 0 ? static_cast<double>(delivered) / (static_cast<double>(N) * res.rtl_cycles) : 0.0},
                 {"links", topo.links()},
                 {"express_len", {{"vertical", topo.lv}, {"horizontal", topo.lh}}}};
  return res;
}

}  // namespace

VerifyResult run_noc_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const NocParams p = NocParams::from(params);
  const NocStimulus s = NocStimulus::from(params);
  if (p.vc_router()) return run_noc_vc_tb(p, s, model, options);
  golden::NocTraffic traffic(p, s, options.seed);
  VerifyResult res = run_base_tb(
      p, model, options, s.source_queue,
      [&](int64_t t, std::vector<std::pair<int, int>>& out) {
        if (t >= s.cycles) return false;
        traffic.generate(t, out);
        return true;
      },
      nullptr);
  res.details["traffic"] = s.traffic;
  if (s.traffic == "pipeorgan")
    res.details["pipeorgan"] = {{"organization", s.organization}, {"depth", s.depth}, {"allocation", s.allocation},
                                {"skip", s.skip}, {"interval", s.interval}};
  return res;
}

VerifyResult run_noc_schedule_tb(const NocParams& p, const Model& model, const std::vector<NocScheduled>& packets,
                                 std::vector<int64_t>& delivered_at, const VerifyOptions& options) {
  if (p.vc_router()) throw UserError("noc: a packet schedule drives the base router only (vcs = 1, packet_flits = 1)");
  const int N = p.rows * p.cols;
  for (size_t i = 0; i < packets.size(); ++i) {
    const NocScheduled& pk = packets[i];
    if (pk.created < 0 || (i > 0 && pk.created < packets[i - 1].created) || pk.src < 0 || pk.src >= N ||
        pk.dst < 0 || pk.dst >= N || pk.src == pk.dst)
      throw UserError(fmt::format("noc: scheduled packet {} is out of order or names a node outside the network", i));
  }
  size_t next = 0;
  delivered_at.assign(packets.size(), -1);
  VerifyOptions o = options;
  o.transactions = 0;
  VerifyResult res = run_base_tb(
      p, model, o, std::numeric_limits<int>::max(),
      [&](int64_t t, std::vector<std::pair<int, int>>& out) {
        if (next >= packets.size()) return false;
        for (; next < packets.size() && packets[next].created == t; ++next)
          out.emplace_back(packets[next].src, packets[next].dst);
        return true;
      },
      &delivered_at);
  res.details["traffic"] = "schedule";
  return res;
}

}  // namespace accelgen::sim
