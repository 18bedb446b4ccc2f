// Speed of the graph front end (issue 7, item 8): import and analyse a 1,000-layer graph.
// Run: accelgen_graph_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "compiler/graph/analysis.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/onnx_import.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen::graph {
namespace {

// 1,000 layers: residual blocks of three convolutions and an add, every fourth block closing
// with a concatenation of its input, so the graph has the skip edges flows care about.
Graph thousand_layers() {
  Builder b("bench1000");
  std::string x = b.input("input", {1, 32, 56, 56});
  int layers = 0;
  for (int block = 0; layers < 1000; ++block) {
    const std::string name = fmt::format("b{}", block);
    std::string y = b.conv(name + ".c1", x, 32, 1);
    y = b.conv(name + ".c2", y, 32, 3);
    y = b.conv(name + ".c3", y, 32, 1, {.activation = ""});
    x = b.add(name + ".add", {y, x}, "relu");
    layers += 4;
    if (block % 4 == 3 && layers < 1000) {
      x = b.conv(name + ".squeeze", b.concat(name + ".cat", {x, y}), 32, 1);
      layers += 2;
    }
  }
  return b.take();
}

void BM_ParseJson1000(benchmark::State& state) {
  const std::string text = to_json(thousand_layers()).dump();
  for (auto _ : state) {
    Graph g = graph_from_json(nlohmann::json::parse(text));
    benchmark::DoNotOptimize(g.size());
  }
  state.counters["layers_per_s"] =
      benchmark::Counter(1000.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ParseJson1000)->Unit(benchmark::kMillisecond);

void BM_Analyze1000(benchmark::State& state) {
  const Graph g = thousand_layers();
  for (auto _ : state) benchmark::DoNotOptimize(analyze(g).macs);
  state.counters["layers"] = static_cast<double>(analyze(g).layers);
  state.counters["skip_edges"] = static_cast<double>(analyze(g).skips.size());
  state.counters["layers_per_s"] =
      benchmark::Counter(1000.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Analyze1000)->Unit(benchmark::kMillisecond);

void BM_ParseAndAnalyze1000(benchmark::State& state) {
  const std::string text = to_json(thousand_layers()).dump();
  for (auto _ : state) {
    const Graph g = graph_from_json(nlohmann::json::parse(text));
    benchmark::DoNotOptimize(analyze(g).macs);
  }
}
BENCHMARK(BM_ParseAndAnalyze1000)->Unit(benchmark::kMillisecond);

void BM_OnnxImportAndAnalyze1000(benchmark::State& state) {
  if (!onnx_import_available()) {
    state.SkipWithError("built without libonnx-dev");
    return;
  }
  const std::string bytes = export_onnx(thousand_layers());
  for (auto _ : state) {
    const OnnxImport r = import_onnx_bytes(bytes, "bench1000.onnx");
    benchmark::DoNotOptimize(analyze(r.graph).macs);
  }
}
BENCHMARK(BM_OnnxImportAndAnalyze1000)->Unit(benchmark::kMillisecond);

void BM_BuildResnet50(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(build_zoo_model("resnet50").size());
}
BENCHMARK(BM_BuildResnet50)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accelgen::graph
