// Planaria flow benchmarks (never timed tests): scheduler events per second for the spatial
// scheduler (Algorithm 1) and the PREMA-like baseline, and the per-layer table construction.
//   build/accelgen_bench --benchmark_filter=Planaria --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "compiler/graph/zoo/zoo.hpp"
#include "flows/planaria/planaria_flow.hpp"

namespace accelgen {
namespace {

namespace pl = flows::planaria;

std::vector<pl::TaskModel> workload_c() {
  static const std::vector<pl::TaskModel> models = [] {
    const flows::TechTable tech = flows::tech_preset("planaria_45nm");
    std::vector<pl::TaskModel> m;
    for (const auto& name : pl::workload_models("C"))
      m.push_back(pl::task_model(name, pl::ArrayConfig{}, tech, pl::Objective::kCycles,
                                 pl::qos_soft_ms(name), 0.99));
    return m;
  }();
  return models;
}

// 200 tasks of workload C at 200 queries/s (a loaded but not saturated node).
template <bool kPlanaria>
void BM_PlanariaScheduler(benchmark::State& state) {
  const auto models = workload_c();
  const auto tasks = pl::poisson_tasks(200, 700e6 / 200, static_cast<int>(models.size()), 7);
  int64_t events = 0;
  for (auto _ : state) {
    const pl::RunResult r =
        kPlanaria ? pl::run_planaria(models, tasks, {}) : pl::run_prema(models, tasks, {});
    benchmark::DoNotOptimize(r.tasks.data());
    events += r.events;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlanariaScheduler<true>)
    ->Name("BM_PlanariaSchedulerSpatial")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PlanariaScheduler<false>)
    ->Name("BM_PlanariaSchedulerPremaLike")
    ->Unit(benchmark::kMillisecond);

// The 16 per-layer tables (n = 1..16) of ResNet-50: 15 candidates x 54 layers at n = 16.
void BM_PlanariaTables(benchmark::State& state) {
  graph::ZooOptions zo;
  const graph::Graph g = graph::build_zoo_model("resnet50", zo);
  const flows::TechTable tech = flows::tech_preset("planaria_45nm");
  int64_t layers = 0;
  for (auto _ : state) {
    for (int n = 1; n <= 16; ++n)
      layers += static_cast<int64_t>(pl::build_table(g, n, {}, tech).layers.size());
  }
  state.counters["layer_tables_per_s"] =
      benchmark::Counter(static_cast<double>(layers), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlanariaTables)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accelgen
