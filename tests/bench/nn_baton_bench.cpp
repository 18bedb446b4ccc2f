// NN-Baton: evaluations per second of the pre-design sweep (designs swept per second, the issue's
// figure), and the analytical model against the trace simulator on the same mapping (how much the
// closed form saves over executing the loop nest).
#include <benchmark/benchmark.h>

#include "flows/nn_baton/flow.hpp"
#include "flows/nn_baton/trace_sim.hpp"

namespace {

namespace nb = accelgen::flows::nn_baton;

// The Fig. 15 sweep (4096 MACs, 3 mm^2) on one model: every Table II grid point.
void BM_NnBatonExplore(benchmark::State& state) {
  const nb::Tech tech = nb::load_tech("nn_baton_16nm");
  nb::ExploreOptions e;
  e.macs = 4096;
  e.area_mm2 = 3;
  e.models = {state.range(0) == 0 ? "resnet50" : "vgg16"};
  int64_t points = 0, valid = 0;
  for (auto _ : state) {
    const nb::ExploreResult r = nb::run_explore(e, tech);
    points += r.points;
    valid = r.valid;
    benchmark::DoNotOptimize(r.best);
  }
  state.SetLabel(e.models[0] + " at 224");
  state.counters["points"] = static_cast<double>(points) / static_cast<double>(state.iterations());
  state.counters["valid_points"] = static_cast<double>(valid);
  state.counters["evaluations_per_second"] =
      benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NnBatonExplore)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->Repetitions(3);

// One mapping of a small layer: C3P (analyse + traffic) and the trace simulator, in one run.
void BM_NnBatonC3pVsTrace(benchmark::State& state) {
  const nb::Layer l = nb::parse_layer("c:16x16x16->32,k3x3,s1,p1");
  const nb::Hardware hw{2, 4, 4, 4, 3 * 4 * 16, 2048, 4096, 1 << 16, 0};
  const nb::Mapping m{nb::Part::kP, 2, 1, 2, 4, 4, 2, 1, 2, nb::Order::kChannel, nb::Order::kPlane};
  const bool trace = state.range(0) == 1;
  for (auto _ : state) {
    if (trace) {
      benchmark::DoNotOptimize(nb::trace_simulate(l, hw, m).wl1_fill);
    } else {
      const nb::MappingStreams s = nb::analyse(l, hw, m);
      benchmark::DoNotOptimize(nb::traffic(s, hw, m).wl1_fill);
    }
  }
  state.SetLabel(trace ? "trace simulator" : "C3P");
  state.counters["mappings_per_second"] =
      benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_NnBatonC3pVsTrace)->Arg(0)->Arg(1);

}  // namespace
