#include "compiler/graph/report.hpp"

#include <algorithm>
#include <cmath>

namespace accelgen::graph {
namespace {

nlohmann::json ratio_summary(std::vector<double> ratios) {
  if (ratios.empty()) return nullptr;
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  const double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  nlohmann::json histogram = nlohmann::json::object();
  const auto counts = aw_histogram(ratios);
  for (int i = 0; i < kAwBuckets; ++i) histogram[aw_bucket_label(i)] = counts[i];
  return {{"min", ratios.front()},
          {"median", median},
          {"max", ratios.back()},
          {"histogram", histogram}};
}

}  // namespace

std::array<size_t, kAwBuckets> aw_histogram(const std::vector<double>& ratios) {
  std::array<size_t, kAwBuckets> counts{};
  for (double r : ratios) {
    const int decade = r > 0 ? static_cast<int>(std::floor(std::log10(r))) + 4 : 0;
    ++counts[std::clamp(decade, 0, kAwBuckets - 1)];
  }
  return counts;
}

const char* aw_bucket_label(int bucket) {
  static const char* const kLabels[kAwBuckets] = {"<1e-3", "1e-3..1e-2", "1e-2..0.1", "0.1..1",
                                                  "1..10", "10..100",    "100..1e3",  ">=1e3"};
  return kLabels[bucket];
}

nlohmann::json summary_json(const Graph& graph, const GraphStats& s) {
  nlohmann::json skips = nlohmann::json::array();
  for (const SkipEdge& e : s.skips)
    skips.push_back({{"from", e.from}, {"to", e.to}, {"span", e.span}});
  return {{"name", graph.name()},
          {"layers", s.layers},
          {"weight_layers", s.weight_layers},
          {"macs", s.macs},
          {"params", s.params},
          {"skip_edges", s.skips.size()},
          {"skips", skips},
          {"max_edge_span", s.max_edge_span},
          {"peak_activation", s.peak_activation},
          {"op_histogram", s.op_histogram},
          {"aw_in", ratio_summary(s.aw_in)},
          {"aw_out", ratio_summary(s.aw_out)}};
}

nlohmann::json layer_table_json(const Graph& graph) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Node& node : graph.nodes()) {
    const NodeStats s = node_stats(graph, node);
    nlohmann::json row = {
        {"name", node.name},
        {"op", op_label(graph, node)},
        {"inputs", node.inputs},
        {"shape", node.shape},
        {"macs", s.macs},
        {"params", s.params},
        {"aw_in", s.aw_in ? nlohmann::json(*s.aw_in) : nlohmann::json(nullptr)},
        {"aw_out", s.aw_out ? nlohmann::json(*s.aw_out) : nlohmann::json(nullptr)}};
    if (auto c = conv_dims(graph, node)) {
      row["conv"] = {{"n", c->n},
                     {"k", c->k},
                     {"c", c->c},
                     {"p", c->p},
                     {"q", c->q},
                     {"r", c->r},
                     {"s", c->s},
                     {"stride", {c->stride_h, c->stride_w}},
                     {"dilation", {c->dilation_h, c->dilation_w}},
                     {"groups", c->groups},
                     {"depthwise", c->depthwise},
                     {"transposed", c->transposed}};
    }
    if (auto g = gemm_dims(graph, node)) {
      row["gemm"] = {{"batch", g->batch}, {"m", g->m}, {"n", g->n}, {"k", g->k}};
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace accelgen::graph
