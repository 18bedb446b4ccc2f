// Benchmarks of `npu` (issue 13): Verilated simulation speed of NPU-Tandem on a compiled ResNet
// basic block against the golden model's speed on the same program, in one process.
//   build/accelgen_bench --benchmark_filter=Npu
#include <benchmark/benchmark.h>

#include <chrono>

#include "common/block_info.hpp"
#include "common/npu_params.hpp"
#include "generator/design.hpp"
#include "golden_model/npu/npu_model.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/npu/npu_tb.hpp"

namespace accelgen {
namespace {

// A 4x4 array with 4 lanes (ctest's NpuCosim array and depth, smaller weight scratchpad,
// instruction memory and block table) and the ResNet block at C = 4 in 4 tiles.
ParamSet npu_params() {
  const BlockInfo& info = find_block("npu");
  return resolve_params(info, "",
                        {"rows=4", "cols=4", "lanes=4", "depth=320", "wbuf_depth=576",
                         "imem_depth=512", "max_blocks=8", "channels=4", "tile_m=4"},
                        true);
}

void BM_NpuRtlCosim(benchmark::State& state) {
  const BlockInfo& info = find_block("npu");
  const ParamSet params = npu_params();
  static const auto model = sim::build_model(generate_design(info, params), sim::TraceKind::kNone);
  int64_t cycles = 0;
  double sim_seconds = 0;
  for (auto _ : state) {
    sim::VerifyResult r =
        sim::run_testbench(info, params, *model, sim::VerifyOptions{1, 0, "", {}, nullptr});
    if (!r.passed()) state.SkipWithError("co-simulation mismatch");
    cycles += r.rtl_cycles;
    sim_seconds += r.sim_seconds;
  }
  state.counters["sim_cycles_per_s"] =
      benchmark::Counter(static_cast<double>(cycles) / sim_seconds);
}
BENCHMARK(BM_NpuRtlCosim)->Unit(benchmark::kMillisecond);

void BM_NpuGolden(benchmark::State& state) {
  const compiler::npu::NpuProgram program = sim::compile_npu_workload(npu_params(), 1);
  int64_t cycles = 0;
  for (auto _ : state) {
    golden::npu::NpuSim sim(program.config);
    benchmark::DoNotOptimize(compiler::npu::run_on_golden(program, sim));
    cycles += sim.DoneCycle();
  }
  state.counters["golden_cycles_per_s"] =
      benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NpuGolden)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accelgen
