// PipeOrgan flow speed: whole-model evaluations per second (one scheme, or all four of run_model).
// Every iteration empties the NoC-run cache first (cold cost: every segment simulated on the
// golden NoC); `--benchmark_filter=Pipeorgan` runs these alone.
#include <benchmark/benchmark.h>

#include "compiler/graph/xrbench_models.hpp"
#include "flows/pipeorgan/pipeorgan.hpp"

namespace {

using namespace accelgen;
using namespace accelgen::flows::pipeorgan;

void BM_PipeorganEvaluate(benchmark::State& state, const char* model, Scheme scheme) {
  const Workload w = make_workload(graph::build_xrbench_model(model));
  const flows::TechTable tech = flows::tech_preset("pipeorgan");
  for (auto _ : state) {
    clear_noc_cache();  // cold: every NoC run simulated
    const Evaluation e =
        evaluate(w, scheme, scheme == Scheme::kPipeOrgan ? "amp" : "mesh", Arch{}, tech);
    benchmark::DoNotOptimize(e.cycles);
  }
  state.counters["evaluations/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_PipeorganRunModel(benchmark::State& state, const char* model) {
  const graph::Graph g = graph::build_xrbench_model(model);
  const flows::TechTable tech = flows::tech_preset("pipeorgan");
  for (auto _ : state) {
    clear_noc_cache();
    benchmark::DoNotOptimize(run_model(g, Arch{}, tech).speedup_vs_tangram);
  }
  state.counters["models/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_PipeorganEvaluate, ritnet_pipeorgan, "ritnet", Scheme::kPipeOrgan)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PipeorganEvaluate, planercnn_pipeorgan, "planercnn", Scheme::kPipeOrgan)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PipeorganEvaluate, planercnn_tangram, "planercnn", Scheme::kTangram)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PipeorganRunModel, res8_narrow, "res8_narrow")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PipeorganRunModel, hand_graph_cnn, "hand_graph_cnn")
    ->Unit(benchmark::kMillisecond);

}  // namespace
