#include "flows/cocco/scheme.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>

#include "common/bits.hpp"
#include "common/error.hpp"

namespace accelgen::flows::cocco {

nlohmann::json SchemeParams::to_json() const {
  return {{"tile_h", tile_h},
          {"tile_w", tile_w},
          {"footprint", footprint == FootprintModel::kMainSide ? "main_side" : "rows"},
          {"channel_align", channel_align},
          {"weight_reads_per_op", weight_reads_per_op},
          {"max_delta", max_delta}};
}

int64_t AxisPlan::alloc(int64_t extent) const {
  return std::min(extent, std::max({x, skew_x, first}));
}

namespace {

struct Frac {
  __int128 num = 0, den = 1;
};

__int128 gcd128(__int128 a, __int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    const __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Frac norm(Frac f) {
  const __int128 g = gcd128(f.num, f.den);
  return g ? Frac{f.num / g, f.den / g} : f;
}

// Membership of the nodes of one block (ids), with the in-block consumers of each node.
struct BlockView {
  std::vector<char> member;  // indexed by layer id
  std::vector<int> region;   // members and their producers, descending id
};

const AxisGeom& geom(const Layer& v, int pred_pos, bool h) {
  return h ? v.geom_h[pred_pos] : v.geom_w[pred_pos];
}

int pred_pos(const Layer& v, int u) {
  return static_cast<int>(std::find(v.preds.begin(), v.preds.end(), u) - v.preds.begin());
}

std::string not_sliding(const LayerGraph& g, const Layer& v, int u, const AxisGeom& a) {
  return fmt::format("'{}' reads '{}' {}", v.name, g.layers[u].name,
                     a.kind == EdgeKind::kGlobal ? "globally" : "irregularly");
}

// Stages 2 and 3 along one axis. Returns a reason when the axis has no sliding relation.
std::optional<std::string> plan_axis(const LayerGraph& g, const BlockView& b, const SchemeParams& p,
                                     bool h, std::vector<AxisPlan>& plan) {
  const int n = g.size();
  // Relative rates r(u) = r(v)·s(v) over every edge inside the region (a connected set).
  std::vector<Frac> rate(n);
  std::vector<char> seen(n, 0);
  std::vector<int> stack{b.region.front()};
  rate[b.region.front()] = {1, 1};
  seen[b.region.front()] = 1;
  while (!stack.empty()) {
    const int u = stack.back();
    stack.pop_back();
    const Layer& lu = g.layers[u];
    auto visit = [&](int other, Frac want) {
      want = norm(want);
      if (seen[other]) {
        if (rate[other].num * want.den != want.num * rate[other].den) return false;
        return true;
      }
      seen[other] = 1;
      rate[other] = want;
      stack.push_back(other);
      return true;
    };
    if (b.member[u])
      for (size_t k = 0; k < lu.preds.size(); ++k) {
        const AxisGeom& a = geom(lu, static_cast<int>(k), h);
        if (a.kind != EdgeKind::kSliding) return not_sliding(g, lu, lu.preds[k], a);
        if (!visit(lu.preds[k], {rate[u].num * a.s, rate[u].den}))
          return std::string("unbalanced strides on reconverging paths");
      }
    for (int v : lu.succs) {
      if (!b.member[v]) continue;
      const AxisGeom& a = geom(g.layers[v], pred_pos(g.layers[v], u), h);
      // A member may be reachable only through this edge: report it here, or v keeps no rate.
      if (a.kind != EdgeKind::kSliding) return not_sliding(g, g.layers[v], u, a);
      if (!visit(v, {rate[u].num, rate[u].den * a.s}))
        return std::string("unbalanced strides on reconverging paths");
    }
  }
  // Stage 2: Δ and x in reverse topological order.
  for (int u : b.region) {
    const Layer& lu = g.layers[u];
    AxisPlan ap;
    bool any = false;
    int64_t delta = 1;
    for (int v : lu.succs) {
      if (!b.member[v]) continue;
      const AxisGeom& a = geom(g.layers[v], pred_pos(g.layers[v], u), h);
      const __int128 need = static_cast<__int128>(plan[v].delta) * a.s;
      const __int128 l = need / gcd128(delta, need) * delta;
      if (l > p.max_delta) return std::string("update offset exceeds max_delta");
      delta = static_cast<int64_t>(l);
      any = true;
    }
    if (!any) {
      const int64_t tile =
          h ? p.tile_h : (p.footprint == FootprintModel::kRows ? lu.cols : p.tile_w);
      ap.delta = ap.x = std::max<int64_t>(1, std::min(tile, h ? lu.rows : lu.cols));
    } else {
      ap.delta = delta;
      ap.x = 0;
      for (int v : lu.succs) {
        if (!b.member[v]) continue;
        const AxisGeom& a = geom(g.layers[v], pred_pos(g.layers[v], u), h);
        ap.x = std::max(ap.x, a.f + (delta / a.s - 1) * a.s);
      }
    }
    plan[u] = ap;
  }
  // Stage 3: upd(u) = r(u)/Δ(u), scaled to the smallest co-prime positive integers.
  __int128 lcm_den = 1;
  std::vector<Frac> q(n);
  for (int u : b.region) {
    q[u] = norm({rate[u].num, rate[u].den * plan[u].delta});
    lcm_den = lcm_den / gcd128(lcm_den, q[u].den) * q[u].den;
    if (lcm_den > p.max_delta) return std::string("update counts exceed max_delta");
  }
  __int128 gall = 0;
  for (int u : b.region) gall = gcd128(gall, q[u].num * (lcm_den / q[u].den));
  for (int u : b.region) {
    const __int128 v = q[u].num * (lcm_den / q[u].den) / gall;
    if (v > p.max_delta) return std::string("update counts exceed max_delta");
    plan[u].upd = static_cast<int64_t>(v);
  }
  // Boundary prologue: what the first elementary operation needs (windows clipped at the leading
  // padding, so it never exceeds x when the padding is at least F - s).
  for (int u : b.region) {
    const Layer& lu = g.layers[u];
    const int64_t extent = h ? lu.rows : lu.cols;
    bool any = false;
    int64_t first = 0;
    for (int v : lu.succs) {
      if (!b.member[v]) continue;
      const AxisGeom& a = geom(g.layers[v], pred_pos(g.layers[v], u), h);
      first = std::max(first, (plan[v].first - 1) * a.s - a.p + a.f);
      any = true;
    }
    if (!any) first = plan[u].delta;  // a pure output writes each update back at once
    plan[u].first = std::max<int64_t>(1, std::min(first, extent));
    // Skew between consumers: with hi_v = r_v t + lag_v rows of v produced at time t, v reaches
    // u up to (hi_v − 1)s − p + F and still needs u from hi_v·s − p.
    int64_t lag = 0, start = std::numeric_limits<int64_t>::max();
    for (int v : lu.succs) {
      if (!b.member[v]) continue;
      const AxisGeom& a = geom(g.layers[v], pred_pos(g.layers[v], u), h);
      lag = std::max(lag, plan[v].lag * a.s - a.s - a.p + a.f);
      start = std::min(start, plan[v].lag * a.s - a.p);
    }
    plan[u].lag = any ? lag : 0;
    plan[u].skew_x = any ? plan[u].delta + lag - start : plan[u].delta;
  }
  return std::nullopt;
}

BlockView view_of(const LayerGraph& g, const std::vector<int>& block) {
  if (block.empty()) throw UserError("a subgraph needs at least one layer");
  BlockView b;
  b.member.assign(g.size(), 0);
  std::vector<char> in_region(g.size(), 0);
  for (int v : block) {
    if (v < 0 || v >= g.size() || g.layers[v].source)
      throw UserError(fmt::format("subgraph member {} is not a compute layer", v));
    if (b.member[v])
      throw UserError(fmt::format("layer '{}' listed twice in a subgraph", g.layers[v].name));
    b.member[v] = 1;
    in_region[v] = 1;
    for (int u : g.layers[v].preds) in_region[u] = 1;
  }
  for (int i = g.size() - 1; i >= 0; --i)
    if (in_region[i]) b.region.push_back(i);
  return b;
}

}  // namespace

BlockScheme derive_scheme(const LayerGraph& g, const std::vector<int>& block,
                          const SchemeParams& p) {
  if (p.tile_h < 1 || p.tile_w < 1 || p.channel_align < 1)
    throw UserError("tile sizes and channel alignment must be >= 1");
  const BlockView b = view_of(g, block);
  BlockScheme s;
  std::vector<AxisPlan> ph(g.size()), pw(g.size());
  auto why = plan_axis(g, b, p, true, ph);
  if (!why) why = plan_axis(g, b, p, false, pw);
  if (why) {
    s.whole = true;
    s.whole_reason = *why;
  }
  int64_t ops_h = 1, ops_w = 1;
  for (int u : b.region) {
    const Layer& l = g.layers[u];
    NodePlan np;
    np.id = u;
    np.in_subgraph = b.member[u];
    bool has_consumer = false, outside = l.succs.empty();
    for (int v : l.succs) (b.member[v] ? has_consumer : outside) = true;
    np.pure_output = np.in_subgraph && !has_consumer;
    np.to_dram = np.in_subgraph && outside;
    const int64_t c = ceil_div(l.channels, p.channel_align) * p.channel_align * g.bytes_per_element;
    if (s.whole) {
      np.h = {l.rows, l.rows, 1};
      np.w = {l.cols, l.cols, 1};
      np.main_bytes = l.rows * l.cols * c;
    } else {
      np.h = ph[u];
      np.w = pw[u];
      const int64_t xh = np.h.alloc(l.rows), xw = np.w.alloc(l.cols);
      if (p.footprint == FootprintModel::kRows) {
        np.main_bytes = xh * l.cols * c;
      } else {
        np.main_bytes = xh * xw * c;
        if (!np.pure_output && xw < l.cols && xh < l.rows && np.h.x > np.h.delta)
          np.side_bytes = (xh - std::min(np.h.delta, xh)) * l.cols * c;
      }
      if (np.pure_output) {
        ops_h = std::max(ops_h, ceil_div(l.rows, np.h.delta * np.h.upd));
        ops_w = std::max(ops_w, ceil_div(l.cols, np.w.delta * np.w.upd));
      }
    }
    s.act_bytes += np.main_bytes + np.side_bytes;
    if (np.in_subgraph) s.weight_bytes += l.weight_bytes;
    s.nodes.push_back(np);
  }
  s.n_ops = s.whole ? 1 : ops_h * ops_w;
  return s;
}

BlockCost block_cost(const LayerGraph& g, const std::vector<int>& block, const SchemeParams& p,
                     int64_t macs_per_cycle) {
  const BlockScheme s = derive_scheme(g, block, p);
  BlockCost c;
  c.act_bytes = s.act_bytes;
  c.weight_bytes = s.weight_bytes;
  c.whole = s.whole;
  c.nodes = static_cast<int64_t>(block.size());
  for (const NodePlan& np : s.nodes) {
    const Layer& l = g.layers[np.id];
    if (!np.in_subgraph) {
      c.in_bytes += l.out_bytes;
      c.gb_access_bytes += l.out_bytes;  // written into the buffer once
      continue;
    }
    c.macs += l.macs;
    c.comp_cycles += ceil_div(l.ops, macs_per_cycle);
    c.gb_access_bytes += l.out_bytes;                                  // produced once
    for (int u : l.preds) c.gb_access_bytes += g.layers[u].out_bytes;  // read once per consumer
    if (np.to_dram) {
      c.out_bytes += l.out_bytes;
      c.gb_access_bytes += l.out_bytes;  // read for the write-back
    }
  }
  c.weight_total = s.weight_bytes;
  int64_t batch = 1;
  for (int v : block) batch = std::max(batch, g.layers[v].batch);
  c.elementary_ops = s.n_ops * batch;
  c.wb_access_bytes =
      s.weight_bytes + s.weight_bytes * (p.weight_reads_per_op ? c.elementary_ops : 1);
  c.ema_bytes = c.in_bytes + c.out_bytes + c.weight_total;
  return c;
}

nlohmann::json scheme_json(const LayerGraph& g, const BlockScheme& s) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodePlan& np : s.nodes)
    nodes.push_back({{"name", g.layers[np.id].name},
                     {"role", !np.in_subgraph ? "input" : (np.pure_output ? "output" : "inner")},
                     {"to_dram", np.to_dram},
                     {"delta", {np.h.delta, np.w.delta}},
                     {"x", {np.h.x, np.w.x}},
                     {"upd", {np.h.upd, np.w.upd}},
                     {"first", {np.h.first, np.w.first}},
                     {"skew_x", {np.h.skew_x, np.w.skew_x}},
                     {"main_bytes", np.main_bytes},
                     {"side_bytes", np.side_bytes}});
  nlohmann::json j = {{"whole_tensor_mode", s.whole},
                      {"n_ops", s.n_ops},
                      {"act_bytes", s.act_bytes},
                      {"weight_bytes", s.weight_bytes},
                      {"nodes", nodes}};
  if (s.whole) j["whole_reason"] = s.whole_reason;
  return j;
}

}  // namespace accelgen::flows::cocco
