#include "golden_model/planaria/planaria_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <stdexcept>

#include "common/error.hpp"

namespace accelgen::golden {

namespace {

int log2_exact(int v) { return std::countr_zero(static_cast<unsigned>(v)); }

}  // namespace

int planaria_config_bits(const PlanariaParams& p) {
  const int Q = p.per_pod(), sel = log2_exact(Q);
  return 6 * p.subarrays + p.pods * Q * (2 * sel + 1);
}

bool planaria_uses_omni(const PlanariaParams& p, int first, int i, int j) {
  const int Q = p.per_pod();
  if (i > 1) {  // partial-sum chains: each column group of i consecutive subarrays
    for (int b = 0; b < j; ++b)
      if ((first + b * i) / Q != (first + b * i + i - 1) / Q) return true;
    return false;
  }
  return j > 1 && first / Q != (first + j - 1) / Q;  // one activation chain
}

PlanariaConfig build_planaria_config(const PlanariaParams& p,
                                     const std::vector<PlanariaCluster>& clusters,
                                     std::vector<PlanariaRole>* roles_out) {
  const int S = p.subarrays, Q = p.per_pod();
  PlanariaConfig cfg;
  cfg.word.assign(S, 0);
  cfg.x_sel.assign(S, 0);
  cfg.y_sel.assign(S, 0);
  cfg.y_en.assign(S, 0);
  std::vector<PlanariaRole> roles(S);
  for (size_t ci = 0; ci < clusters.size(); ++ci) {
    const PlanariaCluster& cl = clusters[ci];
    if (cl.i < 1 || cl.j < 1)
      throw UserError(fmt::format("cluster {}: shape {} x {} subarrays must be at least 1 x 1", ci,
                                  cl.i, cl.j));
    const int64_t n = int64_t{cl.i} * cl.j;
    if (cl.first < 0 || cl.first + n > S)
      throw UserError(
          fmt::format("cluster {}: {} subarrays from ring position {}: allocation beyond the array "
                      "of {} subarrays",
                      ci, n, cl.first, S));
    auto pos = [&](int l) {
      return cl.reverse ? cl.first + static_cast<int>(n) - 1 - l : cl.first + l;
    };
    for (int l = 0; l < n; ++l)
      if (roles[pos(l)].cluster >= 0)
        throw UserError(fmt::format("cluster {} overlaps cluster {} at subarray {}", ci,
                                    roles[pos(l)].cluster, pos(l)));
    for (int l = 0; l < n; ++l) {
      const int s = pos(l);
      PlanariaRole& r = roles[s];
      r.cluster = static_cast<int>(ci);
      r.group = cl.i > 1 ? l / cl.i : l;
      r.position = cl.i > 1 ? l % cl.i : 0;
      r.act_chain = cl.i > 1 ? 0 : l;
      r.reads_xbar = cl.i > 1 || l == 0;
      r.is_end = cl.i > 1 ? r.position == cl.i - 1 : true;
      const bool linked = cl.i > 1 ? r.position > 0 : l > 0;
      if (linked) {
        const bool prev = pos(l - 1) == s - 1;
        cfg.word[s] |= cl.i > 1 ? (prev ? kPsumPrev : kPsumNext) : (prev ? kActPrev : kActNext);
      }
    }
    // Directions: an override for the whole cluster, or the serpentine rule for chains that
    // cross a pod boundary (their subarrays in odd pods set the chain's direction bit).
    if (cl.dirs >= 0) {
      for (int l = 0; l < n; ++l) cfg.word[pos(l)] |= cl.dirs & (kActDir | kPsumDir);
    } else {
      const int chain = cl.i > 1 ? cl.i : static_cast<int>(n);
      for (int c0 = 0; c0 < n; c0 += chain) {
        int lo = S, hi = -1;
        for (int l = c0; l < c0 + chain; ++l) lo = std::min(lo, pos(l)), hi = std::max(hi, pos(l));
        if (lo / Q == hi / Q) continue;
        for (int l = c0; l < c0 + chain; ++l)
          if ((pos(l) / Q) % 2 == 1) cfg.word[pos(l)] |= cl.i > 1 ? kPsumDir : kActDir;
      }
    }
    // Crossbars: multicast from the lowest reader of the same slice in the pod; outputs to the
    // buffer of the lowest member of the column group in the end's pod.
    for (int l = 0; l < n; ++l) {
      const int s = pos(l), pod = s / Q;
      const PlanariaRole& r = roles[s];
      if (r.reads_xbar) {
        int best = Q;
        for (int l2 = 0; l2 < n; ++l2) {
          const int s2 = pos(l2);
          if (s2 / Q == pod && roles[s2].reads_xbar && roles[s2].position == r.position)
            best = std::min(best, s2 % Q);
        }
        cfg.x_sel[s] = best;
      }
      if (r.is_end) {
        int best = Q;
        for (int l2 = 0; l2 < n; ++l2) {
          const int s2 = pos(l2);
          if (s2 / Q == pod && roles[s2].group == r.group) best = std::min(best, s2 % Q);
        }
        cfg.y_sel[pod * Q + best] = s % Q;
        cfg.y_en[pod * Q + best] = 1;
      }
    }
  }
  if (roles_out) *roles_out = roles;
  return cfg;
}

std::vector<uint32_t> pack_planaria_config(const PlanariaParams& p, const PlanariaConfig& c) {
  const int S = p.subarrays, Q = p.per_pod(), sel = log2_exact(Q), F = Q * (2 * sel + 1);
  const int bits = planaria_config_bits(p);
  std::vector<uint32_t> words((bits + 31) / 32, 0);
  auto put = [&](int lo, int width, uint64_t v) {
    for (int b = 0; b < width; ++b)
      if ((v >> b) & 1) words[(lo + b) / 32] |= uint32_t{1} << ((lo + b) % 32);
  };
  for (int s = 0; s < S; ++s) put(6 * s, 6, static_cast<uint64_t>(c.word[s]));
  for (int pod = 0; pod < p.pods; ++pod) {
    const int base = 6 * S + pod * F;
    for (int u = 0; u < Q; ++u) {
      put(base + u * sel, sel, static_cast<uint64_t>(c.x_sel[pod * Q + u]));
      put(base + Q * sel + u * sel, sel, static_cast<uint64_t>(c.y_sel[pod * Q + u]));
      put(base + 2 * Q * sel + u, 1, static_cast<uint64_t>(c.y_en[pod * Q + u]));
    }
  }
  return words;
}

namespace {

// Rules 1-4 of the specification over one tile's configuration words, weights and lane beats.
class TileDataflow {
 public:
  TileDataflow(const PlanariaParams& p, const PlanariaTilePlan& plan) : p_(p), plan_(plan) {
    const int S = p.subarrays;
    entries_.resize(S);
    state_.assign(S, 0);
    psums_.resize(S);
    for (const auto& beat : plan.beats) lanes_[beat.lane][beat.cycle] = &beat.x;
  }

  // Cycle -> vector entered by subarray s.
  const std::map<int64_t, std::vector<int64_t>>& entries(int s) {
    if (state_[s] == 2) return entries_[s];
    if (state_[s] == 1)
      throw std::invalid_argument(
          fmt::format("activation links form a cycle through subarray {}", s));
    state_[s] = 1;
    const int w = plan_.config.word[s];
    const int nb = (w & kActPrev) ? s - 1 : (w & kActNext) ? s + 1 : -1;
    if (nb >= 0) {
      check_neighbour(s, nb);
      if (((w ^ plan_.config.word[nb]) & kPsumDir) != 0)
        throw std::invalid_argument(
            fmt::format("activation link {} -> {} between different psum_dir", nb, s));
      for (const auto& [cycle, x] : entries(nb)) entries_[s][cycle + p_.sub_cols + 1] = x;
    } else {
      const int Q = p_.per_pod();
      auto it = lanes_.find((s / Q) * Q + plan_.config.x_sel[s]);
      if (it != lanes_.end())
        for (const auto& [cycle, x] : it->second) entries_[s][cycle] = *x;
    }
    state_[s] = 2;
    return entries_[s];
  }

  // Partial sums leaving subarray s for the vector it entered in cycle e.
  const std::vector<int64_t>& psum(int s, int64_t e) {
    auto found = psums_[s].find(e);
    if (found != psums_[s].end()) return found->second;
    const int R = p_.sub_rows, C = p_.sub_cols;
    const auto& x = entries(s).at(e);
    std::vector<uint64_t> sum(C, 0);
    const int w = plan_.config.word[s];
    const int nb = (w & kPsumPrev) ? s - 1 : (w & kPsumNext) ? s + 1 : -1;
    if (nb >= 0) {
      check_neighbour(s, nb);
      if (((w ^ plan_.config.word[nb]) & kActDir) != 0)
        throw std::invalid_argument(
            fmt::format("partial-sum link {} -> {} between different act_dir", nb, s));
      if (!entries(nb).count(e - R - 1))
        throw std::invalid_argument(
            fmt::format("subarray {} enters a vector in cycle {} but its partial-sum source {} "
                        "entered none in cycle {}",
                        s, e, nb, e - R - 1));
      const auto& in = psum(nb, e - R - 1);
      for (int c = 0; c < C; ++c) sum[c] = static_cast<uint64_t>(in[c]);
    }
    for (int r = 0; r < R; ++r) {
      const int64_t* wr = &plan_.weight_rows[s * R + r][0];
      for (int c = 0; c < C; ++c) sum[c] += static_cast<uint64_t>(x[r] * wr[c]);
    }
    std::vector<int64_t> y(C);
    for (int c = 0; c < C; ++c) y[c] = wrap_signed(sum[c], p_.acc_bits);
    return psums_[s][e] = std::move(y);
  }

 private:
  void check_neighbour(int s, int nb) const {
    if (nb < 0 || nb >= p_.subarrays)
      throw std::invalid_argument(fmt::format("subarray {} links to {}, beyond the ring", s, nb));
  }

  const PlanariaParams& p_;
  const PlanariaTilePlan& plan_;
  std::map<int, std::map<int64_t, const std::vector<int64_t>*>> lanes_;
  std::vector<std::map<int64_t, std::vector<int64_t>>> entries_;
  std::vector<int> state_;
  std::vector<std::map<int64_t, std::vector<int64_t>>> psums_;
};

}  // namespace

PlanariaPrediction predict_planaria(const PlanariaParams& p,
                                    const std::vector<PlanariaTile>& tiles) {
  const int S = p.subarrays, Q = p.per_pod(), R = p.sub_rows, C = p.sub_cols;
  PlanariaPrediction pred;
  int64_t prev_start = 0, prev_last = -1;
  for (size_t t = 0; t < tiles.size(); ++t) {
    const auto& clusters = tiles[t].clusters;
    PlanariaTilePlan plan;
    std::vector<PlanariaRole> roles;
    plan.config = build_planaria_config(p, clusters, &roles);
    if (t == 0) {
      plan.config_cycle = plan.weight_cycle = 0;
      plan.start_cycle = int64_t{Q} * R;
    } else {
      plan.config_cycle = plan.weight_cycle = prev_start + 1;
      plan.start_cycle = std::max(prev_start + int64_t{Q} * R + 1, prev_last + 1);
    }
    plan.weight_rows.assign(static_cast<size_t>(S) * R, std::vector<int64_t>(C, 0));
    std::map<std::pair<int64_t, int>, std::vector<int64_t>> beats;
    for (int s = 0; s < S; ++s) {
      const PlanariaRole& r = roles[s];
      if (r.cluster < 0) continue;
      const PlanariaCluster& cl = clusters[r.cluster];
      const int64_t K = int64_t{cl.i} * R, N = int64_t{cl.j} * C;
      if (cl.weights.size() != static_cast<size_t>(K * N) || cl.vectors.empty())
        throw std::invalid_argument("malformed planaria cluster");
      for (int row = 0; row < R; ++row)
        for (int c = 0; c < C; ++c)
          plan.weight_rows[s * R + row][c] =
              cl.weights[(r.position * R + row) * N + r.group * C + c];
      if (!r.reads_xbar) continue;
      const int lane = (s / Q) * Q + plan.config.x_sel[s];
      for (size_t m = 0; m < cl.vectors.size(); ++m) {
        if (cl.vectors[m].size() != static_cast<size_t>(K))
          throw std::invalid_argument("malformed planaria vector");
        const int64_t cycle =
            plan.start_cycle + 1 + static_cast<int64_t>(m) + int64_t{r.position} * (R + 1);
        std::vector<int64_t> x(cl.vectors[m].begin() + r.position * R,
                               cl.vectors[m].begin() + (r.position + 1) * R);
        auto [it, fresh] = beats.emplace(std::pair{cycle, lane}, x);
        if (!fresh && it->second != x)
          throw std::logic_error("two slices on one lane in one cycle");
      }
    }
    for (auto& [key, x] : beats) plan.beats.push_back({key.first, key.second, std::move(x)});

    TileDataflow flow(p, plan);
    int64_t last = -1;
    for (int lane = 0; lane < S; ++lane) {
      if (!plan.config.y_en[lane]) continue;
      const int s = (lane / Q) * Q + plan.config.y_sel[lane];
      const PlanariaRole& r = roles[s];
      for (const auto& [e, x] : flow.entries(s)) {
        PlanariaOutput out;
        out.cycle = e + R + C + 1;
        out.lane = lane;
        out.y = flow.psum(s, e);
        out.tile = t;
        out.cluster = r.cluster;
        out.group = r.group;
        out.m = e - (plan.start_cycle + 1) -
                (r.act_chain ? int64_t{r.act_chain} * (C + 1) : int64_t{r.position} * (R + 1));
        last = std::max(last, out.cycle);
        pred.outputs.push_back(std::move(out));
      }
    }
    prev_start = plan.start_cycle;
    prev_last = last;
    pred.plan.push_back(std::move(plan));
  }
  std::stable_sort(pred.outputs.begin(), pred.outputs.end(),
                   [](const PlanariaOutput& a, const PlanariaOutput& b) {
                     return a.cycle != b.cycle ? a.cycle < b.cycle : a.lane < b.lane;
                   });
  pred.cycles = pred.outputs.empty() ? 0 : pred.outputs.back().cycle + 1;
  return pred;
}

}  // namespace accelgen::golden
