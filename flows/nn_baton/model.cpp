#include "flows/nn_baton/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>

#include "common/bits.hpp"
#include "common/error.hpp"

namespace accelgen::flows::nn_baton {

namespace {

int64_t clamp0(int64_t v) { return v < 0 ? 0 : v; }

// Output extent [start, start + size) clipped to [lo, hi): its length (0 when outside).
int64_t clip_len(int64_t start, int64_t size, int64_t hi) {
  return clamp0(std::min(start + size, hi) - start);
}

}  // namespace

double curve_at(const std::vector<std::pair<double, double>>& pts, double x) {
  if (pts.empty()) return 0;
  if (pts.size() == 1) return pts[0].second;
  size_t i = 1;
  while (i + 1 < pts.size() && x > pts[i].first) ++i;
  const auto& [x0, y0] = pts[i - 1];
  const auto& [x1, y1] = pts[i];
  return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

double Tech::sram_pj_per_bit(double capacity_bytes) const {
  return curve_at(sram_pj_points, capacity_bytes / 1024);
}
double Tech::sram_area_um2(double capacity_bytes) const {
  const double kib = capacity_bytes / 1024;
  return kib * curve_at(sram_um2_per_kib_points, kib);
}

// ---------------------------------------------------------------------------------------------
// Layer and hardware

namespace {

// Distinct positions of [o s - pad, o s - pad + k) for o in [o0, o1), clipped to [0, in).
int64_t distinct_inputs(int64_t o0, int64_t o1, int64_t stride, int64_t pad, int64_t k,
                        int64_t in) {
  if (o1 <= o0) return 0;
  if (stride <= k)
    return clamp0(std::min(in, (o1 - 1) * stride - pad + k) -
                  std::max<int64_t>(0, o0 * stride - pad));
  int64_t n = 0;  // disjoint windows
  for (int64_t o = o0; o < o1; ++o)
    n += clamp0(std::min(in, o * stride - pad + k) - std::max<int64_t>(0, o * stride - pad));
  return n;
}

}  // namespace

int64_t Layer::in_rows(int64_t o0, int64_t o1) const {
  return distinct_inputs(o0, o1, stride, pad_h, r, hi);
}
int64_t Layer::in_cols(int64_t o0, int64_t o1) const {
  return distinct_inputs(o0, o1, stride, pad_w, s, wi);
}

nlohmann::json Layer::to_json() const {
  return {{"name", name},   {"ci", ci},
          {"co", co},       {"hi", hi},
          {"wi", wi},       {"ho", ho},
          {"wo", wo},       {"r", r},
          {"s", s},         {"stride", stride},
          {"pad_h", pad_h}, {"pad_w", pad_w},
          {"macs", macs()}, {"weights", weight_bytes()}};
}

void validate(const Layer& l) {
  const auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw UserError(fmt::format("layer '{}': {}", l.name, what));
  };
  const int64_t kMax = int64_t{1} << 20;
  for (auto [v, n] : {std::pair{l.ci, "CI"},
                      {l.co, "CO"},
                      {l.hi, "HI"},
                      {l.wi, "WI"},
                      {l.ho, "HO"},
                      {l.wo, "WO"},
                      {l.r, "R"},
                      {l.s, "S"},
                      {l.stride, "stride"}})
    need(v >= 1 && v <= kMax, fmt::format("{} must be in 1..{}, got {}", n, kMax, v));
  need(l.pad_h >= 0 && l.pad_h < l.r && l.pad_w >= 0 && l.pad_w < l.s,
       "padding must be in 0..kernel-1");
  need(l.r <= l.hi + 2 * l.pad_h && l.s <= l.wi + 2 * l.pad_w,
       "kernel larger than the padded input");
  need(l.ho <= (l.hi + 2 * l.pad_h - l.r) / l.stride + 1 &&
           l.wo <= (l.wi + 2 * l.pad_w - l.s) / l.stride + 1,
       fmt::format("output {}x{} larger than the input {}x{} allows", l.ho, l.wo, l.hi, l.wi));
  need(l.in_rows(l.ho - 1, l.ho) > 0 && l.in_cols(l.wo - 1, l.wo) > 0,
       "last output window lies in the padding");
}

Layer parse_layer(const std::string& text) {
  // name:CIxHIxWI->CO,kRxS,sN,pN (stride and padding optional; "same" output for the padding
  // given).
  static const std::regex re(
      R"(^([A-Za-z0-9_.\-]+):(\d{1,7})x(\d{1,7})x(\d{1,7})->(\d{1,7}),k(\d{1,3})x(\d{1,3})(?:,s(\d{1,3}))?(?:,p(\d{1,3}))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re))
    throw UserError(fmt::format("malformed layer '{}' (want name:CIxHIxWI->CO,kRxS[,sN][,pN])",
                                one_line(text)));
  Layer l;
  l.name = m[1];
  l.ci = std::stoll(m[2]);
  l.hi = std::stoll(m[3]);
  l.wi = std::stoll(m[4]);
  l.co = std::stoll(m[5]);
  l.r = std::stoll(m[6]);
  l.s = std::stoll(m[7]);
  l.stride = m[8].matched ? std::stoll(m[8]) : 1;
  l.pad_h = l.pad_w = m[9].matched ? std::stoll(m[9]) : 0;
  if (l.stride < 1) throw UserError(fmt::format("layer '{}': stride must be at least 1", l.name));
  const int64_t h = l.hi + 2 * l.pad_h - l.r, w = l.wi + 2 * l.pad_w - l.s;
  if (h < 0 || w < 0)
    throw UserError(fmt::format("layer '{}': kernel larger than the padded input", l.name));
  l.ho = h / l.stride + 1;
  l.wo = w / l.stride + 1;
  validate(l);
  return l;
}

std::string Hardware::name() const { return fmt::format("{}-{}-{}-{}", np, nc, l, p); }

nlohmann::json Hardware::to_json() const {
  return {{"design", name()},
          {"NP", np},
          {"NC", nc},
          {"L", l},
          {"P", p},
          {"OL1_B", ol1},
          {"AL1_B", al1},
          {"WL1_B", wl1},
          {"AL2_B", al2},
          {"OL2_B", ol2_bytes()},
          {"OL2_auto", ol2 == 0},
          {"macs", macs()}};
}

void validate(const Hardware& hw) {
  const auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw UserError(fmt::format("hardware {}: {}", hw.name(), what));
  };
  need(hw.np >= 1 && hw.np <= 64 && hw.nc >= 1 && hw.nc <= 256 && hw.l >= 1 && hw.l <= 256 &&
           hw.p >= 1 && hw.p <= 256,
       "N_P, N_C, L and P must be in 1..64, 1..256, 1..256, 1..256");
  const int64_t kMax = int64_t{1} << 32;
  need(hw.ol1 >= 3 * hw.l && hw.ol1 <= kMax,
       fmt::format("O-L1 must hold L 24-bit partial sums (>= {} B)", 3 * hw.l));
  need(hw.al1 >= 1 && hw.al1 <= kMax && hw.wl1 >= 1 && hw.wl1 <= kMax && hw.al2 >= 1 &&
           hw.al2 <= kMax && hw.ol2 >= 0 && hw.ol2 <= kMax,
       "buffer sizes must be positive (O-L2 0 = automatic)");
}

Hardware case_study_hardware() { return Hardware{}; }

const char* to_string(Part p) { return p == Part::kC ? "C" : (p == Part::kP ? "P" : "H"); }
const char* to_string(Order o) { return o == Order::kChannel ? "ch" : "pl"; }

std::string Mapping::str(int nc) const {
  return fmt::format("({},{}) grid {}x{}x{} tile {}x{} c1={} h1={} w1={} {}/{}", to_string(pkg),
                     to_string(chip(nc)), gc, gh, gw, hoc, woc, c1, h1, w1, to_string(chip_order),
                     to_string(core_order));
}

nlohmann::json Mapping::to_json(int nc) const {
  return {{"package", to_string(pkg)},
          {"chiplet", to_string(chip(nc))},
          {"grid", {gc, gh, gw}},
          {"core_tile", {hoc, woc}},
          {"c1", c1},
          {"h1", h1},
          {"w1", w1},
          {"chip_order", to_string(chip_order)},
          {"core_order", to_string(core_order)}};
}

// ---------------------------------------------------------------------------------------------
// Loop nest and C3P

std::vector<Loop> loop_nest(const Mapping& m, int64_t c2, int64_t h2, int64_t w2) {
  std::vector<Loop> loops;
  const auto level = [&](Order o, int lv, int64_t c, int64_t h, int64_t w) {
    if (o == Order::kChannel) {
      loops.push_back({'C', lv, c});
      loops.push_back({'H', lv, h});
      loops.push_back({'W', lv, w});
    } else {
      loops.push_back({'H', lv, h});
      loops.push_back({'W', lv, w});
      loops.push_back({'C', lv, c});
    }
  };
  level(m.core_order, 1, m.c1, m.h1, m.w1);
  level(m.chip_order, 2, c2, h2, w2);
  return loops;
}

std::vector<C3pStep> c3p_steps(const std::vector<Loop>& loops, const std::string& relevant,
                               int64_t slot) {
  // Walk inner to outer. A run of irrelevant loops is a reuse region R_k; the footprint of every
  // relevant loop inside it (items x slot) is its critical capacity Cc_k. Loops of count 1 change
  // nothing and are skipped.
  std::vector<C3pStep> steps;
  int64_t items = 1, region = 1;
  for (const Loop& l : loops) {
    if (l.count <= 1) continue;
    if (relevant.find(l.dim) != std::string::npos) {
      if (region > 1) steps.push_back({items * slot, region});
      region = 1;
      items *= l.count;
    } else {
      region *= l.count;
    }
  }
  if (region > 1) steps.push_back({items * slot, region});
  return steps;
}

int64_t C3pStream::total(int64_t capacity) const {
  int64_t f = 1;
  for (const C3pStep& s : steps)
    if (capacity < s.cc) f *= s.factor;
  return a0 * f;
}

int64_t C3pStream::total_literal_eq1(int64_t capacity) const {
  int64_t f = 1;
  for (const C3pStep& s : steps)
    if (capacity < s.cc) f *= s.factor;
  return a0 * (1 + f);
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  dram += o.dram;
  d2d += o.d2d;
  l2 += o.l2;
  l1 += o.l1;
  rf += o.rf;
  mac += o.mac;
  return *this;
}

nlohmann::json EnergyBreakdown::to_json() const {
  return {{"dram", dram}, {"d2d", d2d}, {"l2", l2},        {"l1", l1},
          {"rf", rf},     {"mac", mac}, {"total", total()}};
}

// ---------------------------------------------------------------------------------------------
// Geometry of one mapping

namespace {

struct Region {
  int64_t co0, co1, ho0, ho1;
};

// The package share of chiplet p (empty when the split leaves it nothing).
Region chiplet_region(const Layer& l, const Hardware& hw, Part pkg, int p) {
  if (pkg == Part::kC) {
    const int64_t step = ceil_div(l.co, hw.np);
    return {std::min(l.co, p * step), std::min(l.co, (p + 1) * step), 0, l.ho};
  }
  const int64_t step = ceil_div(l.ho, hw.np);
  return {0, l.co, std::min(l.ho, p * step), std::min(l.ho, (p + 1) * step)};
}

}  // namespace

MappingStreams analyse(const Layer& l, const Hardware& hw, const Mapping& m) {
  MappingStreams out;
  const int64_t L = hw.l;
  const int64_t cot = m.gc * m.c1 * L, hot = m.gh * m.h1 * m.hoc, wot = m.gw * m.w1 * m.woc;
  if (3 * m.hoc * m.woc * L > hw.ol1) {
    out.why_invalid = "O-L1 cannot hold the core workload's partial sums";
    return out;
  }
  const int64_t slot_w = L * l.ci * l.r * l.s;
  const int64_t slot_a1 = l.max_rows(m.hoc) * l.max_cols(m.woc) * l.ci;
  const int64_t slot_a2 = l.max_rows(hot) * l.max_cols(wot) * l.ci;
  out.need_al2 = slot_a2;
  if (slot_a2 > hw.al2) {
    out.why_invalid = "A-L2 cannot hold one chiplet workload's input";
    return out;
  }
  const auto add = [](std::vector<C3pStream>& v, int64_t a0, const std::vector<C3pStep>& steps) {
    for (C3pStream& st : v)
      if (st.steps.size() == steps.size() &&
          std::equal(steps.begin(), steps.end(), st.steps.begin(),
                     [](const C3pStep& a, const C3pStep& b) {
                       return a.cc == b.cc && a.factor == b.factor;
                     })) {
        st.a0 += a0;
        return;
      }
    v.push_back({a0, steps});
  };
  Traffic& f = out.fixed;
  f.out_bytes = l.output_bytes();
  f.macs = l.macs();
  f.rmw = l.output_bytes() * ceil_div(l.ci, hw.p) * l.r * l.s;
  const int64_t per_pixel_cycles = ceil_div(l.ci, hw.p) * l.r * l.s;
  for (int p = 0; p < hw.np; ++p) {
    const Region g = chiplet_region(l, hw, m.pkg, p);
    if (g.co1 <= g.co0 || g.ho1 <= g.ho0) continue;
    const int64_t cop = g.co1 - g.co0, hop = g.ho1 - g.ho0;
    ++out.chiplets;
    out.need_ol2 =
        std::max(out.need_ol2, std::min(cot, cop) * std::min(hot, hop) * std::min(wot, l.wo));
    if (out.need_ol2 > hw.ol2_bytes()) {
      out.why_invalid = "O-L2 cannot hold one chiplet workload's output";
      return out;
    }
    const int64_t c2 = ceil_div(cop, cot), h2 = ceil_div(hop, hot), w2 = ceil_div(l.wo, wot);
    const std::vector<Loop> nest = loop_nest(m, c2, h2, w2);
    const std::vector<Loop> chip_nest(nest.begin() + 3, nest.end());
    const std::vector<C3pStep> steps_w = c3p_steps(nest, "C", slot_w);
    const std::vector<C3pStep> steps_a1 = c3p_steps(nest, "HW", slot_a1);

    // W-L1 pools (one per core column i_c) and the runtime's channel factor.
    int64_t cfac = 0;
    std::vector<int64_t> chunks_per_core(m.gc, 0);
    for (int ic = 0; ic < m.gc; ++ic) {
      int64_t channels = 0;
      for (int64_t c = 0; c < c2; ++c)
        for (int64_t k = 0; k < m.c1; ++k)
          channels += clip_len(g.co0 + c * cot + (ic * m.c1 + k) * L, L, g.co1);
      add(out.wl1, channels * l.ci * l.r * l.s, steps_w);
    }
    for (int64_t c = 0; c < c2; ++c) {
      int64_t most = 0;
      for (int ic = 0; ic < m.gc; ++ic) {
        int64_t n = 0;
        for (int64_t k = 0; k < m.c1; ++k)
          n += clip_len(g.co0 + c * cot + (ic * m.c1 + k) * L, L, g.co1) > 0;
        most = std::max(most, n);
      }
      cfac += most;
    }
    // Row and column sums per core row / column (input windows and outputs), and runtime factors.
    std::vector<int64_t> in_rows(m.gh, 0), in_cols(m.gw, 0);
    int64_t hfac = 0, wfac = 0;
    for (int64_t h = 0; h < h2; ++h) {
      int64_t most = 0;
      for (int ih = 0; ih < m.gh; ++ih) {
        int64_t rows = 0;
        for (int64_t k = 0; k < m.h1; ++k) {
          const int64_t start = g.ho0 + h * hot + (ih * m.h1 + k) * m.hoc;
          const int64_t n = clip_len(start, m.hoc, g.ho1);
          rows += n;
          in_rows[ih] += n > 0 ? l.in_rows(start, start + n) : 0;
        }
        most = std::max(most, rows);
      }
      hfac += most;
    }
    for (int64_t w = 0; w < w2; ++w) {
      int64_t most = 0;
      for (int iw = 0; iw < m.gw; ++iw) {
        int64_t cols = 0;
        for (int64_t k = 0; k < m.w1; ++k) {
          const int64_t start = w * wot + (iw * m.w1 + k) * m.woc;
          const int64_t n = clip_len(start, m.woc, l.wo);
          cols += n;
          in_cols[iw] += n > 0 ? l.in_cols(start, start + n) : 0;
        }
        most = std::max(most, cols);
      }
      wfac += most;
    }
    for (int ih = 0; ih < m.gh; ++ih)
      for (int iw = 0; iw < m.gw; ++iw) add(out.al1, in_rows[ih] * in_cols[iw] * l.ci, steps_a1);
    // A-L2: chiplet workload windows.
    int64_t t_rows = 0, t_cols = 0;
    for (int64_t h = 0; h < h2; ++h) {
      const int64_t start = g.ho0 + h * hot, n = clip_len(start, hot, g.ho1);
      t_rows += l.in_rows(start, start + n);
    }
    for (int64_t w = 0; w < w2; ++w) {
      const int64_t start = w * wot, n = clip_len(start, wot, l.wo);
      t_cols += l.in_cols(start, start + n);
    }
    add(out.al2, t_rows * t_cols * l.ci, c3p_steps(chip_nest, "HW", slot_a2));
    // PE-side reads: weights once per core workload, activations once per L-channel chunk.
    const int64_t row_tiles = ceil_div(hop, m.hoc), col_tiles = ceil_div(l.wo, m.woc);
    f.wl1_read += l.ci * l.r * l.s * cop * row_tiles * col_tiles;
    f.al1_read += l.r * l.s * l.ci * hop * l.wo * ceil_div(cop, L);
    out.cycles = std::max(out.cycles, per_pixel_cycles * cfac * hfac * wfac);
  }
  out.valid = true;
  return out;
}

Traffic traffic(const MappingStreams& s, const Hardware& hw, const Mapping& m, const Options& o) {
  Traffic t = s.fixed;
  const auto total = [&](const C3pStream& st, int64_t cap) {
    return o.c3p_literal_eq1 ? st.total_literal_eq1(cap) : st.total(cap);
  };
  const int64_t pool = int64_t{m.gh} * m.gw * hw.wl1;
  for (const auto& st : s.wl1) t.wl1_fill += total(st, pool);
  for (const auto& st : s.al1) t.al2_read += total(st, hw.al1);
  t.al1_fill = t.al2_read * m.gc;
  for (const auto& st : s.al2) t.al2_fill += total(st, hw.al2);
  const auto active = static_cast<double>(s.chiplets);
  t.dram_w = static_cast<double>(t.wl1_fill);
  t.dram_a = static_cast<double>(t.al2_fill);
  if (active > 1) {
    // Rotating primitive: the shared tensor is read once from DRAM (each chiplet its 1/N share)
    // and passes the other N - 1 chiplets on the ring.
    double& shared = m.pkg == Part::kC ? t.dram_a : t.dram_w;
    t.d2d = shared * (active - 1) / active;
    shared /= active;
  }
  return t;
}

EnergyBreakdown energy(const Traffic& t, const Hardware& hw, const Tech& tech, const Options& o) {
  EnergyBreakdown e;
  e.dram = 8 * tech.dram_pj_per_bit * (t.dram_w + t.dram_a + static_cast<double>(t.out_bytes));
  e.d2d = 8 * tech.d2d_pj_per_bit * t.d2d;
  e.l2 = 8 * (tech.sram_pj_per_bit(static_cast<double>(hw.al2)) *
                  static_cast<double>(t.al2_fill + t.al2_read) +
              tech.sram_pj_per_bit(static_cast<double>(hw.ol2_bytes())) * 2.0 *
                  static_cast<double>(t.out_bytes));
  e.l1 = 8 * (tech.sram_pj_per_bit(static_cast<double>(hw.al1)) *
                  static_cast<double>(t.al1_fill + t.al1_read) +
              tech.sram_pj_per_bit(static_cast<double>(hw.wl1)) *
                  static_cast<double>(t.wl1_fill + t.wl1_read));
  e.rf = o.rf_bits * tech.rf_pj_per_bit * static_cast<double>(t.rmw);
  e.mac = tech.mac_pj * static_cast<double>(t.macs);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Mapping space and search

namespace {

std::vector<int64_t> pow2_upto(int64_t bound) {
  std::vector<int64_t> v;
  for (int64_t x = 1;; x *= 2) {
    v.push_back(x);
    if (x >= bound) break;
  }
  return v;
}

// Core-tile sides for an extent: powers of two below it plus the even splits ceil(extent / 2^j).
std::vector<int64_t> tile_sides(int64_t extent, bool coarse) {
  std::vector<int64_t> v;
  for (int64_t d = 1;; d *= 2) {  // down to 1, so a one-row tile always exists
    v.push_back(ceil_div(extent, d));
    if (d >= extent) break;
  }
  if (!coarse)
    for (int64_t x = 1; x < extent; x *= 2) v.push_back(x);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::vector<Mapping> mapping_space(const Layer& l, const Hardware& hw, bool coarse) {
  std::vector<Mapping> out;
  std::vector<Part> pkgs = {Part::kC};
  if (hw.np > 1) pkgs.push_back(Part::kP);
  for (Part pkg : pkgs) {
    const int64_t cop = pkg == Part::kC ? ceil_div(l.co, hw.np) : l.co;
    const int64_t hop = pkg == Part::kP ? ceil_div(l.ho, hw.np) : l.ho;
    // Every chiplet gets outputs (a package split that leaves chiplets idle is not a candidate).
    if (pkg == Part::kC && (hw.np - 1) * cop >= l.co) continue;
    if (pkg == Part::kP && (hw.np - 1) * hop >= l.ho) continue;
    for (int gc = 1; gc <= hw.nc; ++gc) {
      if (hw.nc % gc) continue;
      if (gc > 1 && (gc - 1) * int64_t{hw.l} >= cop)
        continue;  // a core column would have no channels
      for (int gh = 1; gh <= hw.nc / gc; ++gh) {
        if ((hw.nc / gc) % gh) continue;
        const int gw = hw.nc / gc / gh;
        if (gh > hop || gw > l.wo) continue;  // a core row or column would have no outputs
        const int64_t hs = ceil_div(hop, gh), ws = ceil_div(l.wo, gw);
        for (int64_t hoc : tile_sides(hs, coarse)) {
          for (int64_t woc : tile_sides(ws, coarse)) {
            if (3 * hoc * woc * hw.l > hw.ol1) continue;
            const int64_t ratio = coarse ? 2 : 4;
            if (hoc > ratio * woc && woc < ws) continue;
            if (woc > ratio * hoc && hoc < hs) continue;
            for (int64_t c1 : pow2_upto(ceil_div(cop, int64_t{gc} * hw.l))) {
              for (int64_t h1 : pow2_upto(ceil_div(hs, hoc))) {
                for (int64_t w1 : pow2_upto(ceil_div(ws, woc))) {
                  if (coarse && h1 != w1 && !(h1 == 1 && hoc >= hs) && !(w1 == 1 && woc >= ws))
                    continue;
                  for (Order chip : {Order::kChannel, Order::kPlane})
                    for (Order core : {Order::kChannel, Order::kPlane})
                      out.push_back({pkg, gc, gh, gw, hoc, woc, c1, h1, w1, chip, core});
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

LayerResult best_mapping(const Layer& layer, const Hardware& hw, const Tech& tech, const Options& o,
                         bool coarse) {
  validate(layer);
  validate(hw);
  LayerResult best;
  best.layer = layer;
  double best_e = std::numeric_limits<double>::infinity();
  std::string last_reason = "no candidate mapping";
  for (const Mapping& m : mapping_space(layer, hw, coarse)) {
    const MappingStreams s = analyse(layer, hw, m);
    if (!s.valid) {
      last_reason = s.why_invalid;
      continue;
    }
    ++best.candidates;
    const Traffic t = traffic(s, hw, m, o);
    const EnergyBreakdown e = energy(t, hw, tech, o);
    const double total = e.total();
    if (total < best_e || (total == best_e && s.cycles < best.cycles)) {
      best_e = total;
      best.mapping = m;
      best.traffic = t;
      best.energy = e;
      best.cycles = s.cycles;
    }
  }
  if (best.candidates == 0)
    throw UserError(
        fmt::format("layer '{}' does not fit hardware {}: {}", layer.name, hw.name(), last_reason));
  return best;
}

// ---------------------------------------------------------------------------------------------
// Simba-like weight-centric baseline

SimbaResult simba_best(const Layer& l, const Hardware& hw, const Tech& tech, const Options& o) {
  validate(l);
  validate(hw);
  SimbaResult best;
  best.layer = l;
  double best_e = std::numeric_limits<double>::infinity();
  const int64_t L = hw.l;
  const auto e_ol2 = tech.sram_pj_per_bit(static_cast<double>(hw.ol2_bytes()));
  for (int pr = 1; pr <= hw.np; ++pr) {
    if (hw.np % pr) continue;
    const int pc = hw.np / pr;
    for (int cr = 1; cr <= hw.nc; ++cr) {
      if (hw.nc % cr) continue;
      const int cc = hw.nc / cr;
      const int64_t kci = int64_t{pr} * cr, kco = int64_t{pc} * cc;
      const int64_t cis = ceil_div(l.ci, kci), cos = ceil_div(l.co, kco);
      if ((kci - 1) * cis >= l.ci || (kco - 1) * cos >= l.co) continue;  // idle rows or columns
      const int64_t cis_chip = ceil_div(l.ci, pr);
      for (int64_t hoc : tile_sides(l.ho, false)) {
        for (int64_t woc : tile_sides(l.wo, false)) {
          if (3 * hoc * woc * L > hw.ol1) continue;
          const int64_t nh = ceil_div(l.ho, hoc), nw = ceil_div(l.wo, woc);
          // Sum of tile input windows over the plane (halos re-read per tile).
          int64_t rows = 0, cols = 0;
          for (int64_t h = 0; h < nh; ++h)
            rows += l.in_rows(h * hoc, std::min(l.ho, (h + 1) * hoc));
          for (int64_t w = 0; w < nw; ++w)
            cols += l.in_cols(w * woc, std::min(l.wo, (w + 1) * woc));
          const int64_t slot_a = l.max_rows(hoc) * l.max_cols(woc);
          if (slot_a * cis_chip > hw.al2) continue;  // the chiplet's tile window must fit its L2
          Traffic t;
          t.macs = l.macs();
          t.out_bytes = l.output_bytes();
          // Weights: each core's slice stays in its W-L1 across the plane tiles if it fits.
          const int64_t chunks = ceil_div(cos, L);
          const int64_t wpen = chunks * L * cis * l.r * l.s > hw.wl1 ? nh * nw : 1;
          t.wl1_fill = l.weight_bytes() * wpen;
          t.wl1_read = l.weight_bytes() * nh * nw;
          // Activations: per tile, the core's CI slice; kept across its CO chunks if it fits A-L1.
          const int64_t apen = slot_a * cis > hw.al1 && chunks > 1 ? chunks : 1;
          const int64_t per_col =
              rows * cols * l.ci * apen;  // one column of cores covers all CI once
          t.al1_fill = per_col * kco;
          t.al2_read = per_col * pc;             // multicast to the cc cores of a chiplet row
          t.al2_fill = rows * cols * l.ci * pc;  // every chiplet column holds the whole input
          t.al1_read = l.r * l.s * l.ho * l.wo * l.ci * chunks * kco;
          int64_t rmw_rows = 0;
          for (int64_t i = 0; i < kci; ++i)
            rmw_rows += ceil_div(clip_len(i * cis, cis, l.ci), hw.p);
          t.rmw = l.output_bytes() * rmw_rows * l.r * l.s;
          t.dram_w = static_cast<double>(t.wl1_fill);
          t.dram_a =
              static_cast<double>(rows * cols * l.ci);  // read once, multicast over the package
          const double act_share = static_cast<double>(rows * cols * l.ci) * (pc - 1);
          const double psum_d2d = 3.0 * static_cast<double>(l.output_bytes()) * (pr - 1);
          const double psum_chip = 3.0 * static_cast<double>(l.output_bytes()) * pr * (cr - 1);
          t.d2d = act_share + psum_d2d;
          EnergyBreakdown e = energy(t, hw, tech, o);
          e.l2 +=
              8 * e_ol2 * 2 * psum_chip;  // partial sums through the chiplet's L2 (write + read)
          const int64_t cycles = ceil_div(cis, hw.p) * l.r * l.s * chunks * l.ho * l.wo;
          if (e.total() < best_e || (e.total() == best_e && cycles < best.cycles)) {
            best_e = e.total();
            best = {l, pr, pc, cr, cc, hoc, woc, e, cycles};
          }
        }
      }
    }
  }
  if (!std::isfinite(best_e))
    throw UserError(fmt::format("layer '{}' does not fit hardware {} in the Simba-like baseline",
                                l.name, hw.name()));
  return best;
}

double chiplet_area_mm2(const Hardware& hw, const Tech& tech) {
  const double um2 = static_cast<double>(hw.nc) * hw.l * hw.p * tech.mac_um2 +
                     hw.nc * (tech.sram_area_um2(static_cast<double>(hw.al1)) +
                              tech.sram_area_um2(static_cast<double>(hw.wl1)) +
                              tech.sram_area_um2(static_cast<double>(hw.ol1))) +
                     tech.sram_area_um2(static_cast<double>(hw.al2)) +
                     tech.sram_area_um2(static_cast<double>(hw.ol2_bytes()));
  return um2 * 1e-6 + (hw.np > 1 ? 2 * tech.d2d_phy_mm2 : 0.0);
}

}  // namespace accelgen::flows::nn_baton
