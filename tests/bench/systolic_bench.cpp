// Benchmarks (never timed tests): Verilated simulation speed of the systolic array, the golden
// model's speed on the same work and their ratio measured in the same process, and generator time.
//   build/accelgen_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <chrono>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "golden_model/systolic/systolic_model.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/systolic/systolic_tb.hpp"

namespace accelgen {
namespace {

// A 512x64x64 GEMM: 16 tiles of 512 vectors on a 16x16 array (about 8.3k cycles).
std::vector<std::string> workload(int n) {
  return {"rows=" + std::to_string(n), "cols=" + std::to_string(n), "m=512", "k=64", "n=64", "operands=random"};
}

const sim::Model& model_for(const ParamSet& params) {
  static std::map<std::string, std::shared_ptr<sim::Model>> models;
  const BlockInfo& info = find_block("systolic");
  GeneratedDesign d = generate_design(info, params);
  auto& m = models[d.top];
  if (!m) m = sim::build_model(d, sim::TraceKind::kNone);
  return *m;
}

void BM_SystolicRtlCosim(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const BlockInfo& info = find_block("systolic");
  ParamSet params = resolve_params(info, "", workload(n), true);
  const sim::Model& model = model_for(params);
  int64_t cycles = 0;
  double sim_seconds = 0;
  for (auto _ : state) {
    sim::VerifyResult r = sim::run_testbench(info, params, model, sim::VerifyOptions{1, 1, "", {}, nullptr});
    if (!r.passed()) state.SkipWithError("co-simulation mismatch");
    cycles += r.rtl_cycles;
    sim_seconds += r.sim_seconds;
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles) / sim_seconds);
}
BENCHMARK(BM_SystolicRtlCosim)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);

void BM_SystolicGolden(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const BlockInfo& info = find_block("systolic");
  ParamSet params = resolve_params(info, "", workload(n), true);
  SystolicParams p = SystolicParams::from(params);
  sim::SystolicWorkload wl = sim::make_systolic_workload(p, SystolicStimulus::from(params), 1, 1);
  int64_t cycles = 0;
  for (auto _ : state) {
    golden::SystolicPrediction pred = golden::predict_systolic(p, wl.tiles);
    benchmark::DoNotOptimize(pred.outputs.data());
    cycles += pred.cycles;
  }
  state.counters["model_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SystolicGolden)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);

// Golden model versus Verilated RTL on the same 16x16 work, timed back to back in one iteration.
void BM_GoldenOverRtlSpeedRatio(benchmark::State& state) {
  const BlockInfo& info = find_block("systolic");
  ParamSet params = resolve_params(info, "", workload(16), true);
  SystolicParams p = SystolicParams::from(params);
  const sim::Model& model = model_for(params);
  sim::SystolicWorkload wl = sim::make_systolic_workload(p, SystolicStimulus::from(params), 1, 1);
  double ratio_sum = 0;
  for (auto _ : state) {
    sim::VerifyResult r = sim::run_testbench(info, params, model, sim::VerifyOptions{1, 1, "", {}, nullptr});
    auto start = std::chrono::steady_clock::now();
    golden::SystolicPrediction pred = golden::predict_systolic(p, wl.tiles);
    benchmark::DoNotOptimize(pred.outputs.data());
    double golden_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ratio_sum += r.sim_seconds / golden_s;
  }
  state.counters["golden_speedup"] = benchmark::Counter(ratio_sum / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_GoldenOverRtlSpeedRatio)->Unit(benchmark::kMillisecond);

void BM_GenerateSystolic(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const BlockInfo& info = find_block("systolic");
  ParamSet params = resolve_params(info, "", {"rows=" + std::to_string(n), "cols=" + std::to_string(n)}, false);
  for (auto _ : state) {
    GeneratedDesign d = generate_design(info, params);
    benchmark::DoNotOptimize(d.files.data());
  }
}
BENCHMARK(BM_GenerateSystolic)->Arg(4)->Arg(16)->Arg(64)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace accelgen

BENCHMARK_MAIN();
