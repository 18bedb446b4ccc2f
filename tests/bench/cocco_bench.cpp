// Cocco GA speed: genomes evaluated per second on ResNet-50 (the paper's partition study runs
// 400,000 samples), partition-only (Eq. 1) and co-exploration (Eq. 2, separate buffers).
#include <benchmark/benchmark.h>

#include "compiler/graph/zoo/zoo.hpp"
#include "flows/cocco/search.hpp"

namespace {

using namespace accelgen::flows::cocco;

void BM_CoccoGaResNet50(benchmark::State& state) {
  const accelgen::graph::Graph ir = accelgen::graph::build_zoo_model("resnet50");
  const LayerGraph g = from_ir(ir);
  Problem p;
  p.graph = &g;
  p.energy = energy_from_tech(accelgen::flows::tech_preset("cocco_12nm"), 32);
  p.coexplore = state.range(1) != 0;
  p.metric = p.coexplore ? Metric::kEnergy : Metric::kEma;
  int64_t samples = 0;
  for (auto _ : state) {
    Evaluator e(p);  // a fresh block-cost cache every run
    GaParams gp;
    gp.samples = state.range(0);
    gp.seed = 1;
    const SearchResult r = ga(e, gp);
    benchmark::DoNotOptimize(r.cost.objective);
    samples += r.samples;
  }
  state.counters["samples_per_second"] =
      benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CoccoGaResNet50)
    ->ArgsProduct({{50000, 400000}, {0, 1}})
    ->ArgNames({"samples", "coexplore"})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
