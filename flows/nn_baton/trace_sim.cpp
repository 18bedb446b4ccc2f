#include "flows/nn_baton/trace_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <vector>

#include "common/error.hpp"

namespace accelgen::flows::nn_baton {

namespace {

// A buffer of `slots` whole-tile items, most recent first.
class RecencyBuffer {
 public:
  explicit RecencyBuffer(int64_t slots) : slots_(slots) {}
  // True on a hit; on a miss the item is brought in (evicting the least recent ones).
  bool access(const std::array<int64_t, 4>& key) {
    auto it = std::find(items_.begin(), items_.end(), key);
    const bool hit = it != items_.end();
    if (hit) items_.erase(it);
    items_.insert(items_.begin(), key);
    if (static_cast<int64_t>(items_.size()) > slots_)
      items_.resize(static_cast<size_t>(std::max<int64_t>(slots_, 0)));
    return hit;
  }

 private:
  int64_t slots_;
  std::vector<std::array<int64_t, 4>> items_;
};

// Distinct input rows touched by output rows [o0, o0 + n) (enumerated, clipped to the input).
int64_t window(int64_t o0, int64_t n, int64_t stride, int64_t pad, int64_t k, int64_t in) {
  std::set<int64_t> rows;
  for (int64_t o = o0; o < o0 + n; ++o)
    for (int64_t j = 0; j < k; ++j) {
      const int64_t i = o * stride - pad + j;
      if (i >= 0 && i < in) rows.insert(i);
    }
  return static_cast<int64_t>(rows.size());
}

}  // namespace

TraceCounts trace_simulate(const Layer& l, const Hardware& hw, const Mapping& m,
                           int64_t max_steps) {
  validate(l);
  validate(hw);
  {
    const MappingStreams s = analyse(l, hw, m);
    if (!s.valid) throw UserError(fmt::format("mapping {}: {}", m.str(hw.nc), s.why_invalid));
  }
  TraceCounts t;
  const int64_t L = hw.l;
  const int64_t cot = m.gc * m.c1 * L, hot = m.gh * m.h1 * m.hoc, wot = m.gw * m.w1 * m.woc;
  // Slots: the largest item of each kind (hardware allocation rule of model.hpp).
  const int64_t slot_w = L * l.ci * l.r * l.s;
  const int64_t slot_a1 = l.max_rows(m.hoc) * l.max_cols(m.woc) * l.ci;
  const int64_t slot_a2 = l.max_rows(hot) * l.max_cols(wot) * l.ci;
  const int64_t pool_bytes = int64_t{m.gh} * m.gw * hw.wl1;
  const int64_t ci_cycles = (l.ci + hw.p - 1) / hw.p;
  for (int p = 0; p < hw.np; ++p) {
    // This chiplet's share of the output.
    int64_t co0 = 0, co1 = l.co, ho0 = 0, ho1 = l.ho;
    if (m.pkg == Part::kC) {
      const int64_t step = (l.co + hw.np - 1) / hw.np;
      co0 = std::min(l.co, p * step);
      co1 = std::min(l.co, (p + 1) * step);
    } else {
      const int64_t step = (l.ho + hw.np - 1) / hw.np;
      ho0 = std::min(l.ho, p * step);
      ho1 = std::min(l.ho, (p + 1) * step);
    }
    if (co1 <= co0 || ho1 <= ho0) continue;
    const int64_t c2 = (co1 - co0 + cot - 1) / cot, h2 = (ho1 - ho0 + hot - 1) / hot,
                  w2 = (l.wo + wot - 1) / wot;
    const std::vector<Loop> nest = loop_nest(m, c2, h2, w2);
    std::vector<RecencyBuffer> wl1(m.gc, RecencyBuffer(pool_bytes / slot_w));
    std::vector<RecencyBuffer> al1(static_cast<size_t>(m.gc) * m.gh * m.gw,
                                   RecencyBuffer(hw.al1 / slot_a1));
    RecencyBuffer al2(hw.al2 / slot_a2);
    // Odometer over the nest, innermost first.
    std::array<int64_t, 6> idx{};
    int64_t chiplet_cycles = 0;
    std::vector<int64_t> core_work(al1.size(), 0);  // cycles of the current chiplet workload
    for (bool done = false; !done;) {
      std::map<char, int64_t> at1, at2;
      for (size_t i = 0; i < nest.size(); ++i)
        (nest[i].level == 1 ? at1 : at2)[nest[i].dim] = idx[i];
      const bool workload_start = at1['C'] == 0 && at1['H'] == 0 && at1['W'] == 0;
      if (workload_start) {
        // A-L2: the chiplet workload's input window.
        const int64_t r0 = ho0 + at2['H'] * hot, q0 = at2['W'] * wot;
        const int64_t rows =
            window(r0, std::max<int64_t>(0, std::min(hot, ho1 - r0)), l.stride, l.pad_h, l.r, l.hi);
        const int64_t cols = window(q0, std::max<int64_t>(0, std::min(wot, l.wo - q0)), l.stride,
                                    l.pad_w, l.s, l.wi);
        if (!al2.access({at2['H'], at2['W'], 0, 0})) t.al2_fill += rows * cols * l.ci;
      }
      std::set<std::array<int64_t, 4>> multicast;  // A-L2 reads this step (one per distinct tile)
      for (int ic = 0; ic < m.gc; ++ic) {
        const int64_t cs = co0 + at2['C'] * cot + (ic * m.c1 + at1['C']) * L;
        const int64_t nch = std::max<int64_t>(0, std::min(cs + L, co1) - cs);
        const std::array<int64_t, 4> wkey{at2['C'], at1['C'], 0, 0};
        // The pool serves the gh x gw cores of this column with one fill (broadcast).
        if (!wl1[ic].access(wkey)) t.wl1_fill += nch * l.ci * l.r * l.s;
        for (int ih = 0; ih < m.gh; ++ih) {
          for (int iw = 0; iw < m.gw; ++iw) {
            ++t.steps;
            if (t.steps > max_steps)
              throw UserError(fmt::format("trace longer than {} steps", max_steps));
            const int64_t r0 = ho0 + at2['H'] * hot + (ih * m.h1 + at1['H']) * m.hoc;
            const int64_t q0 = at2['W'] * wot + (iw * m.w1 + at1['W']) * m.woc;
            const int64_t nr = std::max<int64_t>(0, std::min(r0 + m.hoc, ho1) - r0);
            const int64_t nq = std::max<int64_t>(0, std::min(q0 + m.woc, l.wo) - q0);
            const int64_t bytes = window(r0, nr, l.stride, l.pad_h, l.r, l.hi) *
                                  window(q0, nq, l.stride, l.pad_w, l.s, l.wi) * l.ci;
            const std::array<int64_t, 4> akey{at2['H'], at1['H'], at2['W'], at1['W']};
            const size_t core = (static_cast<size_t>(ic) * m.gh + ih) * m.gw + iw;
            if (!al1[core].access(akey)) {
              t.al1_fill += bytes;
              if (multicast
                      .insert({ih, iw, akey[1] + akey[0] * 1000003, akey[3] + akey[2] * 1000003})
                      .second)
                t.al2_read += bytes;
            }
            if (nch > 0 && nr * nq > 0) {
              t.wl1_read += nch * l.ci * l.r * l.s;
              t.al1_read += nr * nq * l.r * l.s * l.ci;
              t.rmw += nch * nr * nq * ci_cycles * l.r * l.s;
              core_work[core] += nr * nq * ci_cycles * l.r * l.s;
            }
          }
        }
      }
      // Advance the odometer; a chiplet workload ends when every core-level loop wraps.
      size_t i = 0;
      for (; i < nest.size(); ++i) {
        if (++idx[i] < nest[i].count) break;
        idx[i] = 0;
      }
      bool workload_end = true;
      for (size_t k = 0; k < nest.size(); ++k)
        if (nest[k].level == 1 && idx[k] != 0) workload_end = false;
      if (i == nest.size()) done = true;
      if (workload_end || done) {
        chiplet_cycles += *std::max_element(core_work.begin(), core_work.end());
        std::fill(core_work.begin(), core_work.end(), 0);
      }
    }
    t.cycles = std::max(t.cycles, chiplet_cycles);
  }
  return t;
}

}  // namespace accelgen::flows::nn_baton
