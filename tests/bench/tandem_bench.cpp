// Benchmarks (never timed tests) of the `tandem` block: the golden simulator's speed on compiled
// operator programs (compiler/tandem's catalog at bench size: one full lanes x 512-row tile),
// Verilated co-simulation speed of the same programs, their ratio measured back to back in one
// process, and generator time.
//   build/accelgen_bench --benchmark_filter=Tandem --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>

#include <time.h>

#include "common/block_info.hpp"
#include "common/tandem_params.hpp"
#include "compiler/tandem/catalog.hpp"
#include "generator/design.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/tandem/tandem_tb.hpp"

namespace accelgen {
namespace {

namespace ct = compiler::tandem;
namespace gt = golden::tandem;

constexpr int kDepth = 512;      // interim_depth of every configuration here (the bench tile)
constexpr int kImemDepth = 1024;
constexpr uint32_t kSeed = 7;

// Operators benchmarked, by index into CatalogOperators() order.
const char* const kOps[] = {"Gelu", "Softmax"};

struct Work {
  ct::OperatorCase c;
  std::vector<int32_t> dram;  // PrepareDram image
  int64_t dram_words = 0;
};

// The bench-size compiled program of OP for LANES lanes (cached: compiling is not what is timed).
const Work& work_for(int lanes, const std::string& op) {
  static std::map<std::pair<int, std::string>, std::unique_ptr<Work>> cache;
  auto& w = cache[{lanes, op}];
  if (!w) {
    auto cases = ct::OperatorCatalog({lanes, kDepth}, ct::CatalogSize::kBench, kSeed);
    auto it = std::find_if(cases.begin(), cases.end(), [&](const auto& c) { return c.op == op; });
    if (it == cases.end()) throw std::runtime_error("no catalog operator " + op);
    w = std::make_unique<Work>();
    w->c = std::move(*it);
    w->dram = ct::PrepareDram(w->c.compiled, w->c.inputs);
    w->dram_words = std::max<int64_t>(int64_t{1} << 16, w->c.compiled.dram_words);
  }
  return *w;
}

ParamSet params_for(int lanes) {
  return resolve_params(find_block("tandem"), "",
                        {"lanes=" + std::to_string(lanes), "interim_depth=" + std::to_string(kDepth),
                         "imem_depth=" + std::to_string(kImemDepth)},
                        true);
}

const sim::Model& model_for(const ParamSet& params) {
  static std::map<std::string, std::shared_ptr<sim::Model>> models;
  GeneratedDesign d = generate_design(find_block("tandem"), params);
  auto& m = models[d.top];
  if (!m) m = sim::build_model(d, sim::TraceKind::kNone);
  return *m;
}

// CPU time of the calling thread: the machine is shared, so the tables give CPU-time rates beside
// the wall-clock ones (the README convention).
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One golden run of W's program from its DRAM image; returns wall seconds spent in Run only (CPU
// seconds of the same interval added to *cpu when given).
double golden_once(const Work& w, int lanes, bool record, int64_t& cycles, int64_t& slots, double* cpu = nullptr) {
  gt::TandemSimConfig cfg;
  cfg.lanes = lanes;
  cfg.depth = kDepth;
  cfg.dram_words = w.dram_words;
  cfg.record_commits = record;
  gt::TandemSim sim(cfg);
  for (int64_t a = 0; a < static_cast<int64_t>(w.dram.size()); ++a)
    if (w.dram[a] != 0) sim.WriteDram(a, w.dram[a]);
  const double cpu0 = thread_cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  sim.Run(w.c.compiled.program);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cpu) *cpu += thread_cpu_seconds() - cpu0;
  benchmark::DoNotOptimize(sim.Commits().data());
  cycles += sim.DoneCycle();
  slots += sim.Slots();
  return s;
}

// Args: lanes, operator index, record_commits.
void BM_TandemGolden(benchmark::State& state) {
  const int lanes = static_cast<int>(state.range(0));
  const std::string op = kOps[state.range(1)];
  const bool record = state.range(2) != 0;
  const Work& w = work_for(lanes, op);
  state.SetLabel(op + " " + w.c.shape + (record ? " commits on" : " commits off"));
  int64_t cycles = 0, slots = 0;
  double seconds = 0, cpu = 0;
  for (auto _ : state) {
    double s = golden_once(w, lanes, record, cycles, slots, &cpu);
    seconds += s;
    state.SetIterationTime(s);
  }
  state.counters["cycles_per_run"] = benchmark::Counter(static_cast<double>(cycles) / state.iterations());
  state.counters["model_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles) / seconds);
  state.counters["model_slots_per_s"] = benchmark::Counter(static_cast<double>(slots) / seconds);
  state.counters["model_cycles_per_cpu_s"] = benchmark::Counter(static_cast<double>(cycles) / cpu);
  state.counters["model_slots_per_cpu_s"] = benchmark::Counter(static_cast<double>(slots) / cpu);
}
BENCHMARK(BM_TandemGolden)
    ->ArgsProduct({{8, 32}, {0, 1}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The Verilated configuration for W at LANES lanes, with W's DRAM image as the initial state. The
// first call per (lanes, operator) co-simulates once against the golden simulator (every
// write-back, sync, done cycle and final state compared) and fails the benchmark on a mismatch.
struct RtlSetup {
  TandemParams p;
  sim::TandemShape shape;
  sim::TandemState init;
  int64_t golden_cycles = 0;
  std::string error;
};

RtlSetup rtl_setup(const Work& w, int lanes) {
  RtlSetup r;
  const ParamSet params = params_for(lanes);
  r.p = TandemParams::from(params);
  r.shape = sim::TandemShape{r.p.lanes, r.p.interim_depth, r.p.imem_depth, w.dram_words, r.p.bus_words(), r.p.perm_width()};
  r.init = sim::TandemState::zeros(r.shape);
  std::copy(w.dram.begin(), w.dram.end(), r.init.dram.begin());
  sim::VerifyResult res;
  sim::run_tandem_program(model_for(params), r.p, w.c.compiled.program, r.init, res, r.shape.dram_words);
  if (!res.passed() || res.rtl_cycles != res.golden_cycles) r.error = "co-simulation mismatch";
  r.golden_cycles = res.golden_cycles;
  return r;
}

// Args: lanes, operator index. The Verilated RTL alone through the testbench driver (program and
// buffers loaded through the host ports, DRAM model, port-contract checks, commit capture).
// sim_cycles_per_s: the driver's own clock (its cycle loop, wall time, as the other blocks'
// benchmarks); sim_cycles_per_cpu_s: thread CPU time of the whole run() call (loading included).
void BM_TandemRtlCosim(benchmark::State& state) {
  const int lanes = static_cast<int>(state.range(0));
  const std::string op = kOps[state.range(1)];
  const Work& w = work_for(lanes, op);
  const RtlSetup r = rtl_setup(w, lanes);
  if (!r.error.empty()) state.SkipWithError(r.error.c_str());
  sim::TandemRtlDriver rtl(model_for(params_for(lanes)), r.shape);
  state.SetLabel(op + " " + w.c.shape);
  int64_t cycles = 0;
  double cpu = 0;
  for (auto _ : state) {
    const double cpu0 = thread_cpu_seconds();
    sim::TandemSide side = rtl.run(w.c.compiled.program, r.init, r.golden_cycles + 1000);
    cpu += thread_cpu_seconds() - cpu0;
    if (!side.ran || side.done_cycle != r.golden_cycles) state.SkipWithError("RTL run differs from golden");
    cycles += side.done_cycle;
  }
  state.counters["cycles_per_run"] = benchmark::Counter(static_cast<double>(cycles) / state.iterations());
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles) / rtl.sim_seconds());
  state.counters["sim_cycles_per_cpu_s"] = benchmark::Counter(static_cast<double>(cycles) / cpu);
}
BENCHMARK(BM_TandemRtlCosim)->ArgsProduct({{8, 32}, {0, 1}})->Unit(benchmark::kMillisecond);

// Golden (commit recording on, as the testbench runs it) versus Verilated RTL on the same program,
// timed back to back in one iteration. Args: lanes, operator index. golden_speedup: the RTL
// driver's cycle-loop wall time over golden Run() wall time; golden_speedup_cpu: thread CPU time
// of the RTL run() (loading included) over golden Run() CPU time.
void BM_TandemGoldenOverRtlSpeedRatio(benchmark::State& state) {
  const int lanes = static_cast<int>(state.range(0));
  const std::string op = kOps[state.range(1)];
  const Work& w = work_for(lanes, op);
  const RtlSetup r = rtl_setup(w, lanes);
  if (!r.error.empty()) state.SkipWithError(r.error.c_str());
  sim::TandemRtlDriver rtl(model_for(params_for(lanes)), r.shape);
  state.SetLabel(op + " " + w.c.shape);
  double ratio_sum = 0, cpu_ratio_sum = 0;
  for (auto _ : state) {
    const double wall0 = rtl.sim_seconds();
    const double cpu0 = thread_cpu_seconds();
    sim::TandemSide side = rtl.run(w.c.compiled.program, r.init, r.golden_cycles + 1000);
    const double rtl_cpu = thread_cpu_seconds() - cpu0;
    const double rtl_wall = rtl.sim_seconds() - wall0;
    if (!side.ran || side.done_cycle != r.golden_cycles) state.SkipWithError("RTL run differs from golden");
    int64_t cycles = 0, slots = 0;
    double golden_cpu = 0;
    const double golden_s = golden_once(w, lanes, true, cycles, slots, &golden_cpu);
    ratio_sum += rtl_wall / golden_s;
    cpu_ratio_sum += rtl_cpu / golden_cpu;
  }
  state.counters["golden_speedup"] = benchmark::Counter(ratio_sum / static_cast<double>(state.iterations()));
  state.counters["golden_speedup_cpu"] =
      benchmark::Counter(cpu_ratio_sum / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_TandemGoldenOverRtlSpeedRatio)->ArgsProduct({{8, 32}, {0, 1}})->Unit(benchmark::kMillisecond);

void BM_GenerateTandem(benchmark::State& state) {
  const int lanes = static_cast<int>(state.range(0));
  const BlockInfo& info = find_block("tandem");
  ParamSet params = resolve_params(info, "", {"lanes=" + std::to_string(lanes)}, false);
  for (auto _ : state) {
    GeneratedDesign d = generate_design(info, params);
    benchmark::DoNotOptimize(d.files.data());
  }
}
BENCHMARK(BM_GenerateTandem)->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace accelgen
