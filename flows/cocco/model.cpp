#include "flows/cocco/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "common/bits.hpp"
#include "common/error.hpp"

namespace accelgen::flows::cocco {

nlohmann::json Hardware::to_json() const {
  nlohmann::json j = {{"buffers", shared ? "shared" : "separate"},
                      {"macs_per_cycle", macs_per_cycle},
                      {"freq_ghz", freq_ghz},
                      {"dram_gb_per_s", dram_gb_per_s},
                      {"max_nodes", max_nodes},
                      {"cores", cores},
                      {"xbar_bytes_per_cycle", xbar_bytes_per_cycle}};
  if (shared) {
    j["shared_bytes"] = shared_bytes;
  } else {
    j["gb_bytes"] = gb_bytes;
    j["wb_bytes"] = wb_bytes;
  }
  return j;
}

Grids Grids::paper() {
  Grids g;
  for (int64_t k = 128; k <= 2048; k += 64) g.gb.push_back(k * 1024);
  for (int64_t k = 144; k <= 2304; k += 72) g.wb.push_back(k * 1024);
  for (int64_t k = 128; k <= 3072; k += 64) g.shared.push_back(k * 1024);
  return g;
}

EnergyModel energy_from_tech(const TechTable& t, double bank_kib) {
  if (!(bank_kib >= 0) || !std::isfinite(bank_kib))
    throw UserError("the SRAM bank size must be >= 0 KiB");
  EnergyModel e;
  e.name = t.name;
  e.dram_pj_per_bit = t.dram_pj_per_bit.value;
  e.mac_pj = t.mac_pj.value;
  e.xbar_pj_per_bit = t.hop_pj_per_bit.value;  // a crossbar traversal as one on-chip hop
  const TechCurve curve = t.sram_pj_per_bit;
  e.sram_pj_per_bit = [curve, bank_kib](double kib) {
    return curve.at(bank_kib > 0 ? std::min(kib, bank_kib) : kib);
  };
  e.source = fmt::format(
      "{}; SRAM read at {}", t.name,
      bank_kib > 0 ? fmt::format("min(capacity, {} KiB bank)", bank_kib) : "the full capacity");
  return e;
}

std::string metric_name(Metric m) { return m == Metric::kEma ? "ema" : "energy"; }

size_t Evaluator::KeyHash::operator()(const std::vector<uint64_t>& k) const {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (uint64_t w : k) {
    h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  }
  return static_cast<size_t>(h ^ (h >> 33));
}

Evaluator::Evaluator(const Problem& p) : p_(p) {
  if (!p.graph) throw UserError("no graph to partition");
  const LayerGraph& g = *p.graph;
  g.validate();
  if (p.hw.max_nodes < 1) throw UserError("the subgraph size limit must be >= 1");
  if (p.hw.macs_per_cycle < 1 || p.hw.freq_ghz <= 0 || p.hw.dram_gb_per_s <= 0)
    throw UserError("MACs per cycle, clock and DRAM bandwidth must be positive");
  if (p.hw.cores < 1 || p.hw.cores > 64 || !(p.hw.xbar_bytes_per_cycle > 0))
    throw UserError("cores must be 1..64 and the crossbar bandwidth positive");
  if (!(p.alpha >= 0) || !std::isfinite(p.alpha))
    throw UserError("alpha must be a finite number >= 0");
  if (!p.energy.sram_pj_per_bit) throw UserError("the energy model has no SRAM curve");
  std::vector<int> index(g.size(), -1);
  for (size_t i = 0; i < g.compute.size(); ++i) index[g.compute[i]] = static_cast<int>(i);
  preds_.resize(g.compute.size());
  succs_.resize(g.compute.size());
  for (size_t i = 0; i < g.compute.size(); ++i)
    for (int u : g.layers[g.compute[i]].preds)
      if (index[u] >= 0) {
        preds_[i].push_back(index[u]);
        succs_[index[u]].push_back(static_cast<int>(i));
      }
}

const BlockCost& Evaluator::cost(const std::vector<int>& members) {
  std::vector<uint64_t> key((n() + 63) / 64, 0);
  for (int m : members) key[m / 64] |= uint64_t{1} << (m % 64);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  ++evaluations_;
  std::vector<int> ids;
  ids.reserve(members.size());
  for (int m : members) ids.push_back(p_.graph->compute[m]);
  return cache_.emplace(std::move(key), block_cost(*p_.graph, ids, p_.scheme, p_.hw.macs_per_cycle))
      .first->second;
}

Hardware Evaluator::hardware(const Genome& g) const {
  Hardware hw = p_.hw;
  if (!p_.coexplore) return hw;
  if (hw.shared) {
    hw.shared_bytes = p_.grids.shared.at(g.cap_a);
  } else {
    hw.gb_bytes = p_.grids.gb.at(g.cap_a);
    hw.wb_bytes = p_.grids.wb.at(g.cap_b);
  }
  return hw;
}

int64_t Evaluator::weights_per_core(const BlockCost& c, const Hardware& hw) {
  return ceil_div(c.weight_bytes, int64_t{hw.cores});
}

double Evaluator::xbar_bytes(const BlockCost& c, const Hardware& hw) {
  return static_cast<double>(c.elementary_ops) * static_cast<double>(c.weight_bytes) *
         (hw.cores - 1) / hw.cores;
}

bool Evaluator::fits(const BlockCost& c, const Hardware& hw) const {
  if (c.nodes <= 1) return true;  // layer-level fallback: a single layer always runs (streamed)
  if (c.nodes > hw.max_nodes) return false;
  const int64_t w = weights_per_core(c, hw);
  if (hw.shared) return c.act_bytes + w <= hw.shared_bytes;
  return c.act_bytes <= hw.gb_bytes && w <= hw.wb_bytes;
}

double Evaluator::energy_pj(const BlockCost& c, const Hardware& hw) const {
  const EnergyModel& e = p_.energy;
  const double eg = e.sram_pj_per_bit((hw.shared ? hw.shared_bytes : hw.gb_bytes) / 1024.0);
  const double ew = e.sram_pj_per_bit((hw.shared ? hw.shared_bytes : hw.wb_bytes) / 1024.0);
  return 8.0 * static_cast<double>(c.ema_bytes) * e.dram_pj_per_bit +
         8.0 * static_cast<double>(c.gb_access_bytes) * eg +
         8.0 * static_cast<double>(c.wb_access_bytes) * ew +
         static_cast<double>(c.macs) * e.mac_pj + 8.0 * xbar_bytes(c, hw) * e.xbar_pj_per_bit;
}

double Evaluator::metric(const BlockCost& c, const Hardware& hw) const {
  return p_.metric == Metric::kEma ? static_cast<double>(c.ema_bytes) : energy_pj(c, hw);
}

std::vector<std::vector<int>> Evaluator::blocks(const std::vector<int>& label) const {
  int k = 0;
  for (int l : label) k = std::max(k, l + 1);
  std::vector<std::vector<int>> b(k);
  for (int i = 0; i < n(); ++i) b[label[i]].push_back(i);
  std::vector<std::vector<int>> out_edges(k);
  std::vector<int> indeg(k, 0);
  for (int i = 0; i < n(); ++i)
    for (int j : succs_[i])
      if (label[i] != label[j]) {
        out_edges[label[i]].push_back(label[j]);
        ++indeg[label[j]];
      }
  std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>, std::greater<>> ready;
  for (int x = 0; x < k; ++x)
    if (indeg[x] == 0 && !b[x].empty()) ready.push({b[x].front(), x});
  std::vector<std::vector<int>> order;
  while (!ready.empty()) {
    const int x = ready.top().second;
    ready.pop();
    order.push_back(b[x]);
    for (int y : out_edges[x])
      if (--indeg[y] == 0) ready.push({b[y].front(), y});
  }
  return order;
}

PartitionCost Evaluator::evaluate(const Genome& g) {
  PartitionCost r;
  const Hardware hw = hardware(g);
  r.buffer_bytes = hw.total_buf_size();
  const auto order = blocks(g.label);
  r.blocks = static_cast<int>(order.size());
  std::vector<const BlockCost*> costs;
  double msum = 0;
  r.feasible = true;
  for (const auto& b : order) {
    const BlockCost& c = cost(b);
    costs.push_back(&c);
    if (!fits(c, hw)) r.feasible = false;
    r.ema_bytes += c.ema_bytes;
    r.energy_pj += energy_pj(c, hw);
    msum += metric(c, hw);
  }
  // Every core has its own DRAM channel; compute and crossbar traffic are spread evenly.
  const double bpc = hw.dram_gb_per_s / hw.freq_ghz * hw.cores;
  double bytes_all = 0, comp_all = 0;
  if (!costs.empty()) r.latency_cycles = static_cast<double>(costs.front()->weight_total) / bpc;
  for (size_t i = 0; i < costs.size(); ++i) {
    const double bytes =
        static_cast<double>(costs[i]->in_bytes + costs[i]->out_bytes) +
        (i + 1 < costs.size() ? static_cast<double>(costs[i + 1]->weight_total) : 0.0);
    const double comp = static_cast<double>(ceil_div(costs[i]->comp_cycles, int64_t{hw.cores}));
    const double xbar = xbar_bytes(*costs[i], hw);
    r.xbar_bytes += xbar;
    r.latency_cycles += std::max({comp, bytes / bpc, xbar / (hw.xbar_bytes_per_cycle * hw.cores)});
    bytes_all += bytes;
    comp_all += comp;
    if (comp > 0) r.peak_bw_bytes_per_cycle = std::max(r.peak_bw_bytes_per_cycle, bytes / comp);
  }
  r.avg_bw_bytes_per_cycle = comp_all > 0 ? bytes_all / comp_all : 0;
  r.objective = r.feasible
                    ? (p_.coexplore ? static_cast<double>(r.buffer_bytes) + p_.alpha * msum : msum)
                    : std::numeric_limits<double>::infinity();
  return r;
}

bool block_connected(const Evaluator& e, const std::vector<int>& members) {
  if (members.size() <= 1) return true;
  std::vector<char> in(e.n(), 0), seen(e.n(), 0);
  for (int m : members) in[m] = 1;
  std::vector<int> st{members.front()};
  seen[members.front()] = 1;
  size_t count = 1;
  while (!st.empty()) {
    const int u = st.back();
    st.pop_back();
    for (const auto* adj : {&e.preds()[u], &e.succs()[u]})
      for (int v : *adj)
        if (in[v] && !seen[v]) {
          seen[v] = 1;
          ++count;
          st.push_back(v);
        }
  }
  return count == members.size();
}

bool partition_valid(const Evaluator& e, const std::vector<int>& label) {
  if (static_cast<int>(label.size()) != e.n()) return false;
  int k = 0;
  for (int l : label) {
    if (l < 0) return false;
    k = std::max(k, l + 1);
  }
  std::vector<std::vector<int>> b(k);
  for (int i = 0; i < e.n(); ++i) b[label[i]].push_back(i);
  for (const auto& m : b)
    if (!m.empty() && !block_connected(e, m)) return false;
  size_t nonempty = 0;
  for (const auto& m : b) nonempty += !m.empty();
  return e.blocks(label).size() ==
         nonempty;  // Kahn reaches every block iff the quotient is acyclic
}

void canonicalize(std::vector<int>& label) {
  std::unordered_map<int, int> re;
  for (int& l : label) {
    auto it = re.find(l);
    if (it == re.end()) it = re.emplace(l, static_cast<int>(re.size())).first;
    l = it->second;
  }
}

void split_components(const Evaluator& e, std::vector<int>& label) {
  const int n = e.n();
  std::vector<int> out(n, -1);
  int next = 0;
  for (int s = 0; s < n; ++s) {
    if (out[s] >= 0) continue;
    out[s] = next;
    std::vector<int> st{s};
    while (!st.empty()) {
      const int u = st.back();
      st.pop_back();
      for (const auto* adj : {&e.preds()[u], &e.succs()[u]})
        for (int v : *adj)
          if (out[v] < 0 && label[v] == label[u]) {
            out[v] = next;
            st.push_back(v);
          }
    }
    ++next;
  }
  label = out;
}

nlohmann::json partition_json(const Evaluator& e, const Genome& g) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& b : e.blocks(g.label)) {
    nlohmann::json names = nlohmann::json::array();
    for (int m : b) names.push_back(e.problem().graph->layers[e.problem().graph->compute[m]].name);
    blocks.push_back(names);
  }
  return blocks;
}

}  // namespace accelgen::flows::cocco
