// LeOPArd benchmarks (never timed tests): golden-model scoring speed at the thesis's design point,
// Verilated co-simulation speed of leopard_qk, and the flow's evaluations per second.
//   build/accelgen_bench --benchmark_filter=Leopard --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "common/block_info.hpp"
#include "flows/leopard/leopard_flow.hpp"
#include "generator/design.hpp"
#include "golden_model/leopard/leopard_model.hpp"
#include "verilator_tb/leopard/leopard_qk_tb.hpp"
#include "verilator_tb/model_builder.hpp"

namespace accelgen {
namespace {

// The thesis's point: 64 taps, 12-bit, B = 2, 6 units, 512 keys; 8 Q vectors (0/50/90/100/random).
void BM_LeopardQkGolden(benchmark::State& state) {
  const BlockInfo& info = find_block("leopard_qk");
  ParamSet params = resolve_params(info, "", {}, true);
  const LeopardQkParams p = LeopardQkParams::from(params);
  const sim::LeopardQkWorkload wl = sim::make_leopard_qk_workload(p, LeopardQkStimulus::from(params), 1, 8);
  int64_t scores = 0, cycles = 0;
  for (auto _ : state) {
    golden::LeopardQkPrediction pred = golden::predict_leopard_qk(p, wl.keys, wl.qs);
    benchmark::DoNotOptimize(pred.rows.data());
    scores += static_cast<int64_t>(wl.qs.size()) * p.seq_len;
    cycles += pred.cycles;
  }
  state.counters["scores_per_s"] = benchmark::Counter(static_cast<double>(scores), benchmark::Counter::kIsRate);
  state.counters["model_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LeopardQkGolden)->Unit(benchmark::kMillisecond);

// RTL co-simulation with the full per-cycle scoreboard: 16 taps, 6 units, 96 keys, 16 Q vectors.
void BM_LeopardQkRtlCosim(benchmark::State& state) {
  const BlockInfo& info = find_block("leopard_qk");
  ParamSet params = resolve_params(info, "", {"taps=16", "n_dpu=6", "seq_len=96"}, true);
  static std::shared_ptr<sim::Model> model;
  if (!model) model = sim::build_model(generate_design(info, params), sim::TraceKind::kNone);
  int64_t cycles = 0;
  double sim_seconds = 0;
  for (auto _ : state) {
    sim::VerifyResult r = sim::run_testbench(info, params, *model, sim::VerifyOptions{1, 16, "", {}, nullptr});
    if (!r.passed()) state.SkipWithError("co-simulation mismatch");
    cycles += r.rtl_cycles;
    sim_seconds += r.sim_seconds;
  }
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles) / sim_seconds);
}
BENCHMARK(BM_LeopardQkRtlCosim)->Unit(benchmark::kMillisecond);

// One flow evaluation = one (pruning rate, N) design point of a 512 x 512 x 64 head, exact tile included.
void BM_LeopardFlowEvaluations(benchmark::State& state) {
  flows::LeopardFlowOptions o;
  o.rates = {75};
  int64_t evaluations = 0;
  for (auto _ : state) {
    auto rows = flows::run_leopard_flow(o);
    benchmark::DoNotOptimize(rows.data());
    evaluations += static_cast<int64_t>(rows.size());
  }
  state.counters["evaluations_per_s"] = benchmark::Counter(static_cast<double>(evaluations), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LeopardFlowEvaluations)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accelgen
