#include "flows/planaria/fission.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "common/bits.hpp"
#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"

namespace accelgen::flows::planaria {

namespace {

int largest_pow2_divisor(int n) { return n & -n; }

}  // namespace

std::string Fission::name(int s) const { return fmt::format("({}x{})-{}", rows(s), cols(s), k); }

std::vector<Fission> fission_candidates(int n) {
  if (n < 1) throw UserError(fmt::format("subarray count must be >= 1, got {}", n));
  const int cap = largest_pow2_divisor(n);
  std::vector<Fission> out;
  for (int size = cap; size >= 1; size /= 2)  // i·j, largest first, so k ascends
    for (int i = size; i >= 1; i /= 2) out.push_back({i, size / i, n / size});
  return out;
}

Fission parse_fission(const std::string& text, int s, int n) {
  static const std::regex form(R"(^\(?(\d{1,6})x(\d{1,6})\)?[-x](\d{1,3})$)");
  std::smatch m;
  if (!std::regex_match(text, m, form))
    throw UserError(
        fmt::format("fission configuration '{}': write it as (RxC)-k, e.g. (256x64)-1 or 256x64x1",
                    one_line(text)));
  const int rows = std::stoi(m[1]), cols = std::stoi(m[2]), k = std::stoi(m[3]);
  for (const Fission& f : fission_candidates(n))
    if (f.rows(s) == rows && f.cols(s) == cols && f.k == k) return f;
  throw UserError(fmt::format(
      "fission configuration '{}' is not one of the {} configurations of {} subarrays of {}x{}",
      one_line(text), fission_candidates(n).size(), n, s, s));
}

int64_t stream_cycles(int64_t r, int64_t c, int64_t m, int64_t tiles, int64_t extra_latency) {
  if (tiles <= 0 || m <= 0) return 0;
  // Cycles of the last weight beat (f) and of the first/last activation vector (e) of the two
  // previous tiles; the rules of golden_model/README.md `systolic`, "Timing", with arrivals at 0.
  int64_t f_last_prev = -1, e_last_prev = -1, e_last_prev2 = -1;
  for (int64_t t = 0; t < tiles; ++t) {
    int64_t f_first = f_last_prev + 1;
    if (t >= 2) f_first = std::max(f_first, e_last_prev2 + std::max<int64_t>(1, r - 1));
    const int64_t f_last = f_first + r - 1;
    const int64_t e_first = std::max(f_last + 1, e_last_prev + 1);
    const int64_t e_last = e_first + m - 1;
    f_last_prev = f_last;
    e_last_prev2 = e_last_prev;
    e_last_prev = e_last;
  }
  return e_last_prev + r + c + 1 + extra_latency + 1;  // last output cycle + 1
}

std::vector<GemmWork> lower_node(const graph::Graph& g, const graph::Node& node) {
  using graph::OpKind;
  if (auto c = graph::conv_dims(g, node)) {
    if (c->transposed) {
      // Each input pixel scatters into an R×S window of every output channel: a GEMM of
      // [H_in·W_in × C/groups] · [C/groups × K/groups · R·S] per group.
      const auto in = g.input_shapes(node)[0];
      return {
          {c->groups, c->n * in[2] * in[3], c->c / c->groups, (c->k / c->groups) * c->r * c->s}};
    }
    const int64_t m = c->n * c->p * c->q;
    if (c->depthwise) return {{c->c, m, c->r * c->s, 1}};
    return {{c->groups, m, (c->c / c->groups) * c->r * c->s, c->k / c->groups}};
  }
  if (auto d = graph::gemm_dims(g, node)) return {{d->batch, d->m, d->k, d->n}};
  if (node.op == OpKind::kLstm) {
    const auto in = g.input_shapes(node).at(0);  // [S, N, I]
    const int64_t hidden = node.attrs.out_channels;
    const int64_t dirs = node.attrs.bidirectional ? 2 : 1;
    // Input projection for all steps at once, then the step-by-step recurrent products.
    return {{dirs, in[0] * in[1], in[2], 4 * hidden}, {dirs * in[0], in[1], hidden, 4 * hidden}};
  }
  return {};
}

LayerCost layer_cost(const std::vector<GemmWork>& work, const Fission& f, const ArrayConfig& a) {
  const int64_t r = f.rows(a.subarray), c = f.cols(a.subarray);
  const int64_t ring = static_cast<int64_t>(a.ring_regs) * ((f.i - 1) + (f.j - 1));
  LayerCost cost;
  for (const GemmWork& w : work) {
    const int64_t tiles = w.count * ceil_div(w.n, c) * ceil_div(w.k, r);
    // Split the tiles over the k clusters, or every tile's rows: whichever finishes first.
    const int64_t per_cluster = ceil_div(tiles, f.k);
    const int64_t by_tiles = stream_cycles(r, c, w.m, per_cluster, ring);
    const int64_t by_rows = stream_cycles(r, c, ceil_div(w.m, f.k), tiles, ring);
    cost.compute_cycles += std::min(by_tiles, by_rows);
    cost.tiles += by_tiles <= by_rows ? per_cluster : tiles;
    cost.dram_bytes += a.data_bytes * w.count * (w.k * w.n + w.m * w.k + w.m * w.n);
    const int64_t col_blocks = ceil_div(w.n, c), row_blocks = ceil_div(w.k, r);
    cost.sram_bytes += w.count * (a.data_bytes * (col_blocks * w.m * w.k + w.k * w.n) +
                                  a.acc_bytes * row_blocks * w.m * w.n);
    cost.ring_bits +=
        tiles * w.m * 8 * (r * (f.j - 1) * a.data_bytes + c * (f.i - 1) * a.acc_bytes);
  }
  const double bytes_per_cycle = a.dram_gbps * 1e9 / (a.freq_mhz * 1e6);
  cost.memory_cycles =
      static_cast<int64_t>(std::ceil(static_cast<double>(cost.dram_bytes) / bytes_per_cycle));
  cost.cycles = std::max(cost.compute_cycles, cost.memory_cycles);
  return cost;
}

double layer_energy_pj(const LayerCost& c, int64_t macs, const TechTable& tech) {
  return static_cast<double>(macs) * tech.mac_pj.value +
         static_cast<double>(c.dram_bytes) * 8 * tech.dram_pj_per_bit.value +
         static_cast<double>(c.sram_bytes) * 8 * tech.sram_pj_per_bit.at(kBankKib) +
         static_cast<double>(c.ring_bits) * tech.hop_pj_per_bit.value;
}

double ConfigTable::total_energy_pj() const {
  double e = 0;
  for (const auto& l : layers) e += l.energy_pj;
  return e;
}

int64_t ConfigTable::total_cycles() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.cost.cycles;
  return t;
}

namespace {

ConfigTable table_over(const graph::Graph& g, int n, const std::vector<Fission>& candidates,
                       const ArrayConfig& a, const TechTable& tech, Objective objective) {
  ConfigTable t;
  t.subarrays = n;
  for (const graph::Node& node : g.nodes()) {
    const auto work = lower_node(g, node);
    if (work.empty()) continue;
    LayerEntry best;
    best.layer = node.name;
    best.macs = graph::node_stats(g, node).macs;
    bool first = true;
    double best_score = 0;
    for (const Fission& f : candidates) {
      const LayerCost c = layer_cost(work, f, a);
      const double e = layer_energy_pj(c, best.macs, tech);
      const double score =
          objective == Objective::kCycles ? static_cast<double>(c.cycles) : e * c.cycles;
      if (first || score < best_score) {
        best.fission = f;
        best.cost = c;
        best.energy_pj = e;
        best_score = score;
        first = false;
      }
    }
    t.layers.push_back(best);
  }
  return t;
}

}  // namespace

ConfigTable build_table(const graph::Graph& g, int n, const ArrayConfig& a, const TechTable& tech,
                        Objective objective) {
  return table_over(g, n, fission_candidates(n), a, tech, objective);
}

ConfigTable monolithic_table(const graph::Graph& g, const ArrayConfig& a, const TechTable& tech) {
  // The squarest single array of all subarrays (i >= j), with no ring registers.
  Fission mono;
  for (const Fission& f : fission_candidates(a.subarrays))
    if (f.k == 1 && f.i >= f.j) mono = f;
  ArrayConfig plain = a;
  plain.ring_regs = 0;
  return table_over(g, a.subarrays, {mono}, plain, tech, Objective::kCycles);
}

}  // namespace accelgen::flows::planaria
