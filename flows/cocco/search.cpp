#include "flows/cocco/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "common/error.hpp"

namespace accelgen::flows::cocco {

nlohmann::json GaParams::to_json() const {
  return {{"samples", samples},
          {"population", population},
          {"tournament", tournament},
          {"crossover_rate", crossover_rate},
          {"merge_on_conflict", merge_on_conflict},
          {"p_modify", p_modify},
          {"p_split", p_split},
          {"p_merge", p_merge},
          {"p_dse", p_dse},
          {"dse_sigma", dse_sigma},
          {"p_window", p_window},
          {"window_blocks", window_blocks},
          {"seed", seed},
          {"mutation_mean", mutation_mean},
          {"resplit_after_merge", resplit_after_merge},
          {"seed_baselines", seed_baselines}};
}

nlohmann::json SaParams::to_json() const {
  return {{"samples", samples},
          {"t0_fraction", t0_fraction},
          {"t_end_fraction", t_end_fraction},
          {"seed", seed}};
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

uint64_t pick(std::mt19937_64& rng, uint64_t n) { return n <= 1 ? 0 : rng() % n; }
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double normal(std::mt19937_64& rng) {  // Box-Muller, so results do not depend on the library
  const double u1 = std::max(uniform(rng), 1e-300), u2 = uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

int num_labels(const std::vector<int>& label) {
  int k = 0;
  for (int l : label) k = std::max(k, l + 1);
  return k;
}

// Best cut of `order` into contiguous segments that are connected and fit at `hw`, by a DP over
// cut points: from[j] is the start of the last segment of the best cut of order[0, j) (-1 when no
// cut exists). `evaluated` counts the segments whose cost was looked up.
std::vector<int> segment_dp(Evaluator& e, const std::vector<int>& order, const Hardware& hw,
                            int64_t& evaluated) {
  const int k = static_cast<int>(order.size());
  std::vector<double> f(k + 1, kInf);
  std::vector<int> from(k + 1, -1);
  f[0] = 0;
  for (int j = 1; j <= k; ++j)
    for (int i = j - 1; i >= 0 && j - i <= hw.max_nodes; --i) {
      if (f[i] == kInf) continue;
      std::vector<int> seg(order.begin() + i, order.begin() + j);
      std::sort(seg.begin(), seg.end());
      if (!block_connected(e, seg)) continue;
      const BlockCost& c = e.cost(seg);
      ++evaluated;
      if (!e.fits(c, hw)) continue;
      const double v = f[i] + e.metric(c, hw);
      if (v < f[j]) {
        f[j] = v;
        from[j] = i;
      }
    }
  return from;
}

std::vector<int> members_of(const std::vector<int>& label, int l) {
  std::vector<int> m;
  for (int i = 0; i < static_cast<int>(label.size()); ++i)
    if (label[i] == l) m.push_back(i);
  return m;
}

SearchResult finish(Evaluator& e, std::string method, Genome g, int64_t samples) {
  SearchResult r;
  r.method = std::move(method);
  canonicalize(g.label);
  r.best = g;
  r.cost = e.evaluate(g);
  r.samples = samples;
  return r;
}

using Bits = std::vector<uint64_t>;
struct BitsHash {
  size_t operator()(const Bits& b) const {
    uint64_t h = 1469598103934665603ull;
    for (uint64_t w : b) h = (h ^ w) * 1099511628211ull ^ (w >> 29);
    return static_cast<size_t>(h);
  }
};
bool has(const Bits& b, int i) { return (b[i / 64] >> (i % 64)) & 1; }
void set_bit(Bits& b, int i) { b[i / 64] |= uint64_t{1} << (i % 64); }

}  // namespace

Genome singletons(const Evaluator& e, const Genome& cap) {
  Genome g = cap;
  g.label.resize(e.n());
  std::iota(g.label.begin(), g.label.end(), 0);
  return g;
}

SearchResult exact_dp(Evaluator& e, const Genome& cap, int64_t max_states) {
  const int n = e.n();
  const int words = (n + 63) / 64;
  const Hardware hw = e.hardware(cap);
  const int64_t wcap = hw.shared ? hw.shared_bytes : hw.wb_bytes;
  std::vector<int64_t> wbytes(n);
  for (int i = 0; i < n; ++i)
    wbytes[i] = e.problem().graph->layers[e.problem().graph->compute[i]].weight_bytes;
  // Down-sets in order of discovery (BFS by size), each with its best value and predecessor.
  std::vector<Bits> sets{Bits(words, 0)};
  std::unordered_map<Bits, int, BitsHash> index{{sets[0], 0}};
  std::vector<double> f{0.0};
  std::vector<int> from{-1};
  int64_t work = 0;
  const int64_t max_work = max_states * 100;
  auto available = [&](const Bits& d, int v) {
    if (has(d, v)) return false;
    for (int u : e.preds()[v])
      if (!has(d, u)) return false;
    return true;
  };
  bool finished = true;
  // Phase 1: every down-set, breadth first (so in order of size: a transition only goes from a
  // smaller down-set to a larger one, and each f is final before it is used).
  for (size_t cur = 0; cur < sets.size() && finished; ++cur)
    for (int v = 0; v < n; ++v) {
      if (!available(sets[cur], v)) continue;
      Bits j = sets[cur];
      set_bit(j, v);
      if (index.count(j)) continue;
      if (static_cast<int64_t>(sets.size()) >= max_states) {
        finished = false;
        break;
      }
      index.emplace(j, static_cast<int>(sets.size()));
      sets.push_back(std::move(j));
    }
  f.assign(sets.size(), kInf);
  f[0] = 0;
  from.assign(sets.size(), -1);
  // Phase 2: from each down-set I, every larger down-set J within the node and weight limits.
  for (size_t cur = 0; cur < sets.size() && finished; ++cur) {
    const Bits base = sets[cur];
    const double fbase = f[cur];
    if (fbase == kInf) continue;
    std::unordered_set<Bits, BitsHash> seen;
    std::vector<std::pair<Bits, std::pair<int, int64_t>>> stack{{base, {0, 0}}};
    while (!stack.empty() && finished) {
      auto [d, st] = stack.back();
      stack.pop_back();
      for (int v = 0; v < n; ++v) {
        if (!available(d, v)) continue;
        const int cnt = st.first + 1;
        const int64_t w = st.second + wbytes[v];
        Bits j = d;
        set_bit(j, v);
        if (!seen.insert(j).second) continue;
        if (++work > max_work) {
          finished = false;
          break;
        }
        const auto it = index.find(j);
        std::vector<int> s;
        for (int i = 0; i < n; ++i)
          if (has(j, i) && !has(base, i)) s.push_back(i);
        if (block_connected(e, s)) {
          const BlockCost& c = e.cost(s);
          if (e.fits(c, hw)) {
            const double val = fbase + e.metric(c, hw);
            if (val < f[it->second]) {
              f[it->second] = val;
              from[it->second] = static_cast<int>(cur);
            }
          }
        }
        // Grow further only while a bigger block could still fit (weights only grow).
        if (cnt < hw.max_nodes && (w <= wcap)) stack.push_back({j, {cnt, w}});
      }
    }
  }
  Bits all(words, 0);
  for (int i = 0; i < n; ++i) set_bit(all, i);
  Genome g = singletons(e, cap);
  auto it = index.find(all);
  if (finished && it != index.end() && f[it->second] < kInf) {
    int j = it->second, label = 0;
    while (from[j] >= 0) {
      const int i = from[j];
      for (int v = 0; v < n; ++v)
        if (has(sets[j], v) && !has(sets[i], v)) g.label[v] = label;
      ++label;
      j = i;
    }
  } else {
    finished = false;
  }
  SearchResult r = finish(e, "exact", g, static_cast<int64_t>(sets.size()));
  r.finished = finished;
  return r;
}

SearchResult exact_coexplore(Evaluator& e, int64_t max_states) {
  const Problem& p = e.problem();
  const auto& ga = p.hw.shared ? p.grids.shared : p.grids.gb;
  const int nb = p.hw.shared ? 1 : static_cast<int>(p.grids.wb.size());
  SearchResult best;
  best.method = "exact";
  best.cost.objective = kInf;
  int64_t states = 0;
  for (int a = 0; a < static_cast<int>(ga.size()); ++a)
    for (int b = 0; b < nb; ++b) {
      Genome cap;
      cap.cap_a = a;
      cap.cap_b = b;
      SearchResult r = exact_dp(e, cap, max_states);
      states += r.samples;
      if (!r.finished) {
        best.finished = false;
        best.samples = states;
        return best;
      }
      if (r.cost.objective < best.cost.objective) best = r;
    }
  best.samples = states;
  return best;
}

SearchResult brute_force(Evaluator& e, const Genome& cap) {
  const int n = e.n();
  if (n > 14)
    throw UserError(fmt::format("brute force enumerates at most 14 layers, the graph has {}", n));
  const Hardware hw = e.hardware(cap);
  std::vector<int> a(n, 0), best;
  double best_val = kInf;
  int64_t count = 0;
  // Independent validity check: blocks connected (flood fill) and no cycle among blocks (DFS).
  auto valid = [&](const std::vector<int>& lab, int k) {
    for (int b = 0; b < k; ++b) {
      std::vector<int> m = members_of(lab, b);
      std::vector<char> seen(n, 0);
      std::vector<int> st{m.front()};
      seen[m.front()] = 1;
      size_t reached = 1;
      while (!st.empty()) {
        const int u = st.back();
        st.pop_back();
        for (const auto* adj : {&e.preds()[u], &e.succs()[u]})
          for (int v : *adj)
            if (lab[v] == b && !seen[v]) {
              seen[v] = 1;
              ++reached;
              st.push_back(v);
            }
      }
      if (reached != m.size()) return false;
    }
    std::vector<std::vector<char>> adj(k, std::vector<char>(k, 0));
    for (int u = 0; u < n; ++u)
      for (int v : e.succs()[u])
        if (lab[u] != lab[v]) adj[lab[u]][lab[v]] = 1;
    std::vector<int> color(k, 0);
    std::function<bool(int)> dfs = [&](int x) {
      color[x] = 1;
      for (int y = 0; y < k; ++y)
        if (adj[x][y] && (color[y] == 1 || (color[y] == 0 && !dfs(y)))) return false;
      color[x] = 2;
      return true;
    };
    for (int x = 0; x < k; ++x)
      if (color[x] == 0 && !dfs(x)) return false;
    return true;
  };
  std::function<void(int, int)> rec = [&](int i, int k) {
    if (i == n) {
      ++count;
      if (!valid(a, k)) return;
      double s = 0;
      for (int b = 0; b < k; ++b) {
        const BlockCost& c = e.cost(members_of(a, b));
        if (!e.fits(c, hw)) return;
        s += e.metric(c, hw);
      }
      if (s < best_val) {
        best_val = s;
        best = a;
      }
      return;
    }
    for (int l = 0; l <= k; ++l) {
      a[i] = l;
      rec(i + 1, std::max(k, l + 1));
    }
  };
  if (n > 0) {
    a[0] = 0;
    rec(1, 1);
  }
  Genome g = cap;
  g.label = best.empty() ? singletons(e, cap).label : best;
  return finish(e, "exhaustive", g, count);
}

Genome random_genome(Evaluator& e, std::mt19937_64& rng) {
  const int n = e.n();
  const Problem& p = e.problem();
  Genome g;
  if (p.coexplore) {
    g.cap_a = static_cast<int>(pick(rng, (p.hw.shared ? p.grids.shared : p.grids.gb).size()));
    g.cap_b = p.hw.shared ? 0 : static_cast<int>(pick(rng, p.grids.wb.size()));
  }
  // Layers in a random topological order; each joins the latest block among its producers' or
  // opens a new one (every such assignment is valid).
  const double join = uniform(rng);
  std::vector<int> indeg(n);
  std::vector<int> ready;
  for (int i = 0; i < n; ++i) {
    indeg[i] = static_cast<int>(e.preds()[i].size());
    if (indeg[i] == 0) ready.push_back(i);
  }
  g.label.assign(n, -1);
  int next = 0;
  while (!ready.empty()) {
    const size_t k = pick(rng, ready.size());
    const int v = ready[k];
    ready.erase(ready.begin() + static_cast<long>(k));
    int latest = -1;
    for (int u : e.preds()[v]) latest = std::max(latest, g.label[u]);
    g.label[v] = (latest >= 0 && uniform(rng) < join) ? latest : next++;
    for (int w : e.succs()[v])
      if (--indeg[w] == 0) ready.push_back(w);
  }
  split_components(e, g.label);
  canonicalize(g.label);
  return g;
}

bool mutate_modify(Evaluator& e, Genome& g, std::mt19937_64& rng) {
  const int n = e.n();
  const int u = static_cast<int>(pick(rng, n));
  std::vector<int> targets;
  for (const auto* adj : {&e.preds()[u], &e.succs()[u]})
    for (int w : *adj)
      if (g.label[w] != g.label[u] &&
          std::find(targets.begin(), targets.end(), g.label[w]) == targets.end())
        targets.push_back(g.label[w]);
  targets.push_back(num_labels(g.label));  // a new subgraph
  std::vector<int> lab = g.label;
  lab[u] = targets[pick(rng, targets.size())];
  split_components(e, lab);
  canonicalize(lab);
  if (!partition_valid(e, lab)) return false;
  g.label = std::move(lab);
  return true;
}

bool split_label(Evaluator& e, Genome& g, int b, std::mt19937_64& rng) {
  const std::vector<int> m = members_of(g.label, b);
  if (m.size() < 2) return false;
  const size_t cut = 1 + pick(rng, m.size() - 1);  // a topological cut: m is in index order
  std::vector<int> lab = g.label;
  const int k = num_labels(g.label);
  for (size_t i = cut; i < m.size(); ++i) lab[m[i]] = k;
  split_components(e, lab);
  canonicalize(lab);
  if (!partition_valid(e, lab)) return false;
  g.label = std::move(lab);
  return true;
}

bool mutate_split(Evaluator& e, Genome& g, std::mt19937_64& rng) {
  const int k = num_labels(g.label);
  std::vector<int> big;
  std::vector<int> size(k, 0);
  for (int l : g.label) ++size[l];
  for (int b = 0; b < k; ++b)
    if (size[b] > 1) big.push_back(b);
  if (big.empty()) return false;
  return split_label(e, g, big[pick(rng, big.size())], rng);
}

int merge_label(Evaluator& e, Genome& g, std::mt19937_64& rng) {
  const int n = e.n();
  const int u = static_cast<int>(pick(rng, n));
  std::vector<int> targets;
  for (int v = 0; v < n; ++v) {
    if (g.label[v] != g.label[u]) continue;
    for (const auto* adj : {&e.preds()[v], &e.succs()[v]})
      for (int w : *adj)
        if (g.label[w] != g.label[u] &&
            std::find(targets.begin(), targets.end(), g.label[w]) == targets.end())
          targets.push_back(g.label[w]);
  }
  if (targets.empty()) return -1;
  const int t = targets[pick(rng, targets.size())];
  std::vector<int> lab = g.label;
  for (int& l : lab)
    if (l == t) l = g.label[u];
  canonicalize(lab);
  if (!partition_valid(e, lab)) return -1;
  g.label = std::move(lab);
  return g.label[u];
}

bool mutate_merge(Evaluator& e, Genome& g, std::mt19937_64& rng) {
  return merge_label(e, g, rng) >= 0;
}

int64_t mutate_window(Evaluator& e, Genome& g, std::mt19937_64& rng, int max_blocks,
                      int64_t budget) {
  const auto order = e.blocks(g.label);
  if (order.empty() || max_blocks < 1) return 0;
  const int width = 1 + static_cast<int>(pick(rng, static_cast<uint64_t>(max_blocks)));
  const size_t first = pick(rng, order.size());
  const size_t last = std::min(order.size(), first + static_cast<size_t>(width));
  // Consecutive subgraphs in execution order: a path leaving them cannot come back, so any
  // contiguous segmentation of a topological order of their union keeps the quotient acyclic.
  std::vector<char> in(e.n(), 0);
  std::vector<int> unit;
  for (size_t b = first; b < last; ++b)
    for (int v : order[b]) {
      in[v] = 1;
      unit.push_back(v);
    }
  // A random topological order of the union (random choice among ready layers).
  std::vector<int> indeg(e.n(), 0), topo, ready;
  for (int v : unit)
    for (int u : e.preds()[v])
      if (in[u]) ++indeg[v];
  for (int v : unit)
    if (indeg[v] == 0) ready.push_back(v);
  while (!ready.empty()) {
    const size_t r = pick(rng, ready.size());
    const int v = ready[r];
    ready[r] = ready.back();
    ready.pop_back();
    topo.push_back(v);
    for (int w : e.succs()[v])
      if (in[w] && --indeg[w] == 0) ready.push_back(w);
  }
  // Best segmentation of that order into connected subgraphs that fit: a DP over cut points,
  // skipped when it could evaluate more subgraphs than the budget left.
  const Hardware hw = e.hardware(g);
  const int k = static_cast<int>(topo.size());
  if (static_cast<int64_t>(k) * std::min(k, hw.max_nodes) > budget) return 0;
  int64_t evaluated = 0;
  const std::vector<int> from = segment_dp(e, topo, hw, evaluated);
  if (from[k] < 0) return evaluated;
  std::vector<int> label = g.label;
  int next = num_labels(label);
  for (int j = k; j > 0; j = from[j], ++next)
    for (int i = from[j]; i < j; ++i) label[topo[i]] = next;
  canonicalize(label);
  if (partition_valid(e, label)) g.label = std::move(label);
  return evaluated;
}

Genome crossover(Evaluator& e, const Genome& dad, const Genome& mom, std::mt19937_64& rng,
                 double merge_prob) {
  Genome child;
  child.cap_a = (dad.cap_a + mom.cap_a + 1) / 2;
  child.cap_b = (dad.cap_b + mom.cap_b + 1) / 2;
  const int n = e.n();
  for (double mp : {merge_prob, 0.0}) {
    std::vector<int> lab(n, -1);
    int next = 0;
    for (int v = 0; v < n; ++v) {  // index order is a topological order
      if (lab[v] >= 0) continue;
      const Genome& parent = (rng() & 1) ? mom : dad;
      std::vector<int> undecided, decided;
      for (int w : members_of(parent.label, parent.label[v]))
        (lab[w] >= 0 ? decided : undecided).push_back(w);
      int target = next;
      if (!decided.empty() && uniform(rng) < mp) {
        target = lab[decided[pick(rng, decided.size())]];
      } else {
        ++next;
      }
      for (int w : undecided) lab[w] = target;
    }
    split_components(e, lab);
    canonicalize(lab);
    if (partition_valid(e, lab)) {
      child.label = std::move(lab);
      return child;
    }
  }
  child.label = dad.label;
  return child;
}

void repair(Evaluator& e, Genome& g, std::mt19937_64& rng) {
  const Hardware hw = e.hardware(g);
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& b : e.blocks(g.label)) {
      if (e.fits(e.cost(b), hw)) continue;
      const size_t cut = 1 + pick(rng, b.size() - 1);
      const int k = num_labels(g.label);
      for (size_t i = cut; i < b.size(); ++i) g.label[b[i]] = k;
      split_components(e, g.label);
      canonicalize(g.label);
      changed = true;
      break;
    }
  }
}

namespace {

struct Scored {
  Genome g;
  double obj;
};

class Tracker {
 public:
  Tracker(int64_t budget, int64_t every, const Progress& progress)
      : budget_(budget), every_(std::max<int64_t>(1, every)), progress_(progress) {}
  void add(const Genome& g, double obj) {
    ++samples_;
    if (obj < best_obj_) {
      best_obj_ = obj;
      best_ = g;
    }
    if (samples_ % every_ == 0 || samples_ == budget_) {
      trace_.push_back({samples_, best_obj_});
      if (progress_) progress_(samples_, budget_, best_obj_);
    }
  }
  // Work that evaluated subgraphs without a whole genome (window re-segmentation).
  void charge(int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      ++samples_;
      if (samples_ % every_ == 0 || samples_ == budget_) trace_.push_back({samples_, best_obj_});
    }
  }
  bool done() const { return samples_ >= budget_; }
  int64_t left() const { return budget_ - samples_ - 1; }  // after the genome being made
  int64_t samples() const { return samples_; }
  const Genome& best() const { return best_; }
  double best_obj() const { return best_obj_; }
  std::vector<std::pair<int64_t, double>> trace_;

 private:
  int64_t budget_, every_;
  const Progress& progress_;
  int64_t samples_ = 0;
  double best_obj_ = kInf;
  Genome best_;
};

void mutate_caps(const Problem& p, Genome& g, std::mt19937_64& rng, double sigma) {
  auto step = [&](int& idx, size_t size) {
    const long v = std::lround(static_cast<double>(idx) + sigma * normal(rng));
    idx = static_cast<int>(std::clamp<long>(v, 0, static_cast<long>(size) - 1));
  };
  if (p.hw.shared) {
    step(g.cap_a, p.grids.shared.size());
  } else {
    step(g.cap_a, p.grids.gb.size());
    step(g.cap_b, p.grids.wb.size());
  }
}

void mutate_partition(Evaluator& e, Genome& g, std::mt19937_64& rng, const GaParams& p) {
  const double total = p.p_modify + p.p_split + p.p_merge;
  const double r = uniform(rng) * total;
  if (r < p.p_modify) {
    mutate_modify(e, g, rng);
  } else if (r < p.p_modify + p.p_split) {
    mutate_split(e, g, rng);
  } else {
    const int merged = merge_label(e, g, rng);
    // merge, then split the merged subgraph at a random topological cut: moves the boundary
    // between two neighbouring subgraphs by any number of layers in one step
    if (merged >= 0 && p.resplit_after_merge > 0 && uniform(rng) < p.resplit_after_merge)
      split_label(e, g, merged, rng);
  }
}

SearchResult run_ga(Evaluator& e, const GaParams& p, const Genome* fixed,
                    const Progress& progress) {
  if (p.population < 2 || p.tournament < 1 || p.samples < 1)
    throw UserError("GA: population >= 2, tournament >= 1 and samples >= 1 are required");
  std::mt19937_64 rng(p.seed);
  Tracker t(p.samples, p.trace_every, progress);
  auto score = [&](Genome& g) {
    if (fixed) {
      g.cap_a = fixed->cap_a;
      g.cap_b = fixed->cap_b;
    }
    repair(e, g, rng);
    const double obj = e.evaluate(g).objective;
    t.add(g, obj);
    return obj;
  };
  std::vector<Scored> pop;
  std::vector<Genome> initial = p.initial;
  if (p.seed_baselines) {
    // The baselines run at fixed capacities: the genome's (fixed) or the middle of the grids.
    Genome cap = fixed ? *fixed : Genome{};
    if (!fixed && e.problem().coexplore) {
      cap.cap_a = static_cast<int>(
          (e.problem().hw.shared ? e.problem().grids.shared : e.problem().grids.gb).size() / 2);
      cap.cap_b = e.problem().hw.shared ? 0 : static_cast<int>(e.problem().grids.wb.size() / 2);
    }
    initial.push_back(greedy(e, cap).best);
    initial.push_back(depth_dp(e, cap).best);
  }
  for (int i = 0; i < p.population && !t.done(); ++i) {
    Genome g = i < static_cast<int>(initial.size()) ? initial[i] : random_genome(e, rng);
    const double obj = score(g);
    pop.push_back({std::move(g), obj});
  }
  auto tournament = [&](const std::vector<Scored>& pool) -> const Scored& {
    size_t best = pick(rng, pool.size());
    for (int k = 1; k < p.tournament; ++k) {
      const size_t c = pick(rng, pool.size());
      if (pool[c].obj < pool[best].obj) best = c;
    }
    return pool[best];
  };
  while (!t.done()) {
    std::vector<Scored> pool = pop;
    for (int c = 0; c < p.population && !t.done(); ++c) {
      const Scored& a = tournament(pop);
      Genome child = a.g;
      if (uniform(rng) < p.crossover_rate)
        child = crossover(e, a.g, tournament(pop).g, rng, p.merge_on_conflict);
      const int n_mut =
          1 +
          static_cast<int>(std::floor(-std::log(std::max(uniform(rng), 1e-12)) * p.mutation_mean));
      for (int m = 0; m < n_mut; ++m) mutate_partition(e, child, rng, p);
      // Every subgraph the window operator evaluates counts as one sample of the budget.
      if (p.p_window > 0 && uniform(rng) < p.p_window)
        t.charge(mutate_window(e, child, rng, p.window_blocks, t.left()));
      if (!fixed && e.problem().coexplore && uniform(rng) < p.p_dse)
        mutate_caps(e.problem(), child, rng, p.dse_sigma);
      const double obj = score(child);
      pool.push_back({std::move(child), obj});
    }
    std::vector<Scored> next;
    next.push_back({t.best(), t.best_obj()});  // elitism
    while (static_cast<int>(next.size()) < p.population) next.push_back(tournament(pool));
    pop = std::move(next);
  }
  SearchResult r = finish(e, "ga", t.best(), t.samples());
  r.trace = std::move(t.trace_);
  return r;
}

}  // namespace

SearchResult ga(Evaluator& e, const GaParams& p, const Progress& progress) {
  return run_ga(e, p, nullptr, progress);
}

SearchResult ga_fixed(Evaluator& e, const Genome& cap, GaParams p, const Progress& progress) {
  for (Genome& g : p.initial) {
    g.cap_a = cap.cap_a;
    g.cap_b = cap.cap_b;
  }
  return run_ga(e, p, &cap, progress);
}

SearchResult greedy(Evaluator& e, const Genome& cap) {
  const Hardware hw = e.hardware(cap);
  Genome g = singletons(e, cap);
  int64_t samples = 0;
  for (;;) {
    const auto blocks = e.blocks(g.label);
    double best_gain = 0;
    std::vector<int> best_label;
    for (size_t a = 0; a < blocks.size(); ++a) {
      const int la = g.label[blocks[a].front()];
      std::vector<int> seen;
      for (int v : blocks[a])
        for (int w : e.succs()[v]) {
          const int lb = g.label[w];
          if (lb == la || std::find(seen.begin(), seen.end(), lb) != seen.end()) continue;
          seen.push_back(lb);
          std::vector<int> lab = g.label;
          for (int& l : lab)
            if (l == lb) l = la;
          ++samples;
          if (!partition_valid(e, lab)) continue;
          std::vector<int> merged = members_of(lab, la);
          const BlockCost& cm = e.cost(merged);
          if (!e.fits(cm, hw)) continue;
          const double gain = e.metric(e.cost(blocks[a]), hw) +
                              e.metric(e.cost(members_of(g.label, lb)), hw) - e.metric(cm, hw);
          if (gain > best_gain) {
            best_gain = gain;
            best_label = std::move(lab);
          }
        }
    }
    if (best_label.empty()) break;
    canonicalize(best_label);
    g.label = std::move(best_label);
  }
  return finish(e, "greedy", g, samples);
}

SearchResult depth_dp(Evaluator& e, const Genome& cap) {
  const int n = e.n();
  const Hardware hw = e.hardware(cap);
  std::vector<int> depth(n, 0);
  for (int v = 0; v < n; ++v)
    for (int u : e.preds()[v]) depth[v] = std::max(depth[v], depth[u] + 1);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return depth[a] < depth[b]; });
  int64_t samples = 0;
  const std::vector<int> from = segment_dp(e, order, hw, samples);
  Genome g = singletons(e, cap);
  for (int j = n, l = 0; j > 0 && from[j] >= 0; j = from[j], ++l)
    for (int k = from[j]; k < j; ++k) g.label[order[k]] = l;
  return finish(e, "dp", g, samples);
}

SearchResult simulated_annealing(Evaluator& e, const SaParams& p, const Progress& progress) {
  if (p.samples < 1 || !(p.t0_fraction > 0) || !(p.t_end_fraction > 0))
    throw UserError("SA: samples >= 1 and positive temperatures are required");
  std::mt19937_64 rng(p.seed);
  Tracker t(p.samples, p.trace_every, progress);
  const Problem& prob = e.problem();
  Genome cur = singletons(e, {});
  if (prob.coexplore) {
    cur.cap_a = static_cast<int>((prob.hw.shared ? prob.grids.shared : prob.grids.gb).size() / 2);
    cur.cap_b = prob.hw.shared ? 0 : static_cast<int>(prob.grids.wb.size() / 2);
  }
  double cur_obj = e.evaluate(cur).objective;
  t.add(cur, cur_obj);
  const double t0 = p.t0_fraction * cur_obj, t1 = p.t_end_fraction * cur_obj;
  GaParams mp;
  while (!t.done()) {
    const double frac = static_cast<double>(t.samples()) / static_cast<double>(p.samples);
    const double temp = t0 * std::pow(t1 / t0, frac);
    Genome g = cur;
    if (prob.coexplore && uniform(rng) < mp.p_dse) {
      mutate_caps(prob, g, rng, mp.dse_sigma);
    } else {
      mutate_partition(e, g, rng, mp);
    }
    repair(e, g, rng);
    const double obj = e.evaluate(g).objective;
    t.add(g, obj);
    if (obj <= cur_obj || uniform(rng) < std::exp((cur_obj - obj) / temp)) {
      cur = std::move(g);
      cur_obj = obj;
    }
  }
  SearchResult r = finish(e, "sa", t.best(), t.samples());
  r.trace = std::move(t.trace_);
  return r;
}

SearchResult two_step(Evaluator& e, bool grid, int64_t samples, int64_t per_candidate,
                      uint64_t seed, const Progress& progress) {
  const Problem& p = e.problem();
  if (!p.coexplore) throw UserError("two-step search needs co-exploration (capacities to search)");
  if (per_candidate < 1 || samples < per_candidate)
    throw UserError("two-step: samples must be >= samples per candidate");
  const int64_t count = samples / per_candidate;
  std::vector<Genome> caps;
  std::mt19937_64 rng(seed);
  const int na = static_cast<int>((p.hw.shared ? p.grids.shared : p.grids.gb).size());
  const int nb = p.hw.shared ? 1 : static_cast<int>(p.grids.wb.size());
  if (grid) {  // coarse grid, from large to small
    const int side =
        p.hw.shared
            ? static_cast<int>(count)
            : std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(count)))));
    auto axis = [&](int size) {
      std::vector<int> v;
      for (int i = 0; i < side; ++i)
        v.push_back(
            side == 1 ? size - 1
                      : static_cast<int>(std::lround((size - 1) * (1.0 - double(i) / (side - 1)))));
      return v;
    };
    for (int a : axis(na))
      for (int b : (p.hw.shared ? std::vector<int>{0} : axis(nb))) {
        Genome c;
        c.cap_a = a;
        c.cap_b = b;
        caps.push_back(c);
      }
  } else {
    for (int64_t i = 0; i < count; ++i) {
      Genome c;
      c.cap_a = static_cast<int>(pick(rng, na));
      c.cap_b = static_cast<int>(pick(rng, nb));
      caps.push_back(c);
    }
  }
  SearchResult best;
  best.cost.objective = kInf;
  int64_t done = 0;
  double best_obj = kInf;
  std::vector<std::pair<int64_t, double>> trace;
  for (size_t i = 0; i < caps.size(); ++i) {
    GaParams gp;
    gp.samples = per_candidate;
    gp.seed = seed + i;
    gp.trace_every = std::min<int64_t>(per_candidate, 1000);
    SearchResult r = ga_fixed(e, caps[i], gp);
    for (const auto& [s, o] : r.trace) {
      best_obj = std::min(best_obj, o);
      trace.push_back({done + s, best_obj});
    }
    done += r.samples;
    if (progress) progress(done, samples, best_obj);
    if (r.cost.objective < best.cost.objective) best = r;
  }
  best.method = grid ? "gs+ga" : "rs+ga";
  best.samples = done;
  best.trace = std::move(trace);
  return best;
}

}  // namespace accelgen::flows::cocco
