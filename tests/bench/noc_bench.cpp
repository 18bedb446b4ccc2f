// NoC benchmarks (never timed tests): golden-model and Verilated-RTL speed on 8x8 mesh and AMP,
// saturation throughput under uniform random traffic, million-cycle saturated runs that must drain
// (no deadlock) on the golden model and on the RTL in lockstep, and generator time.
//   ACCELGEN_CACHE=... build/accelgen_bench --benchmark_filter=Noc
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <memory>

#include "common/block_info.hpp"
#include "common/noc_params.hpp"
#include "generator/design.hpp"
#include "golden_model/noc/noc_traffic.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen {
namespace {

const char* topology(int64_t arg) { return arg ? "amp" : "mesh"; }

std::vector<std::string> net(int n, int64_t topo, std::vector<std::string> more) {
  std::vector<std::string> s = {"rows=" + std::to_string(n), "cols=" + std::to_string(n),
                                std::string("topology=") + topology(topo)};
  s.insert(s.end(), more.begin(), more.end());
  return s;
}

const sim::Model& noc_model(const ParamSet& params) {
  static std::map<std::string, std::shared_ptr<sim::Model>> models;
  GeneratedDesign d = generate_design(find_block("noc"), params);
  auto& m = models[d.top];
  if (!m) m = sim::build_model(d, sim::TraceKind::kNone);
  return *m;
}

// Golden model alone, 8x8, uniform traffic at 30% (below saturation for both topologies).
void BM_NocGolden(benchmark::State& state) {
  ParamSet set = resolve_params(find_block("noc"), "", net(8, state.range(0), {"injection_rate=30", "cycles=20000"}), true);
  int64_t cycles = 0;
  for (auto _ : state) {
    golden::NocRunStats st = golden::run_noc_golden(NocParams::from(set), NocStimulus::from(set), 1);
    cycles += st.cycles;
  }
  state.SetLabel(topology(state.range(0)));
  state.counters["model_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NocGolden)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Verilated 8x8 RTL in lockstep with the golden model and the scoreboard (what `verify` runs).
void BM_NocRtlCosim(benchmark::State& state) {
  const BlockInfo& info = find_block("noc");
  ParamSet set = resolve_params(info, "", net(8, state.range(0), {"injection_rate=30", "cycles=5000"}), true);
  const sim::Model& model = noc_model(set);
  int64_t cycles = 0;
  double seconds = 0;
  for (auto _ : state) {
    sim::VerifyResult r = sim::run_testbench(info, set, model, sim::VerifyOptions{1, 0, "", {}, nullptr});
    if (!r.passed()) state.SkipWithError("co-simulation mismatch");
    cycles += r.rtl_cycles;
    seconds += r.sim_seconds;
  }
  state.SetLabel(topology(state.range(0)));
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles) / seconds);
}
BENCHMARK(BM_NocRtlCosim)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

// Saturation throughput, 8x8 uniform random: every source always holds packets (injection 100%,
// queue of 4); accepted packets per node per cycle over 1M cycles after 10k of warm-up. The run
// must drain completely afterwards: no deadlock.
void BM_NocSaturationGolden(benchmark::State& state) {
  ParamSet set = resolve_params(find_block("noc"), "",
                                net(8, state.range(0), {"injection_rate=100", "source_queue=4", "cycles=1010000"}), true);
  golden::NocRunStats st;
  for (auto _ : state) st = golden::run_noc_golden(NocParams::from(set), NocStimulus::from(set), 1, 10000);
  state.SetLabel(topology(state.range(0)));
  state.counters["accepted_per_node_cycle"] = st.accepted_rate;
  state.counters["delivered"] = static_cast<double>(st.delivered);
  state.counters["drained"] = st.drained && st.delivered == st.created ? 1 : 0;
  state.counters["cycles"] = static_cast<double>(st.cycles);
  if (!st.drained) state.SkipWithError("deadlock: the network did not drain");
}
BENCHMARK(BM_NocSaturationGolden)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

// A million saturated cycles on the 8x8 RTL (mesh, AMP), checked packet by packet against the
// golden model; the run must then drain (the testbench reports a deadlock after 20k idle cycles).
void BM_NocRtlSaturationMillionCycles(benchmark::State& state) {
  const BlockInfo& info = find_block("noc");
  ParamSet set = resolve_params(info, "", net(8, state.range(0), {"injection_rate=100", "source_queue=4", "cycles=1000000"}),
                                true);
  const sim::Model& model = noc_model(set);
  sim::VerifyResult r;
  for (auto _ : state) r = sim::run_testbench(info, set, model, sim::VerifyOptions{1, 0, "", {}, nullptr});
  if (!r.passed()) state.SkipWithError("co-simulation mismatch or deadlock");
  state.SetLabel(topology(state.range(0)));
  state.counters["rtl_cycles"] = static_cast<double>(r.rtl_cycles);
  state.counters["packets_checked"] = static_cast<double>(r.outputs_checked);
  state.counters["mismatches"] = static_cast<double>(r.mismatches);
  state.counters["accepted_per_node_cycle"] = r.details.value("accepted_per_node_per_cycle", 0.0);
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(r.rtl_cycles) / r.sim_seconds);
}
BENCHMARK(BM_NocRtlSaturationMillionCycles)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->Iterations(1);

// VC routers, 8x8, uniform random, 1-flit packets, every source backlogged: accepted flits per
// node per cycle over 200k cycles after 10k of warm-up, golden model. Args: topology (0 mesh, 1
// AMP), vcs, VC depth.
void BM_NocVcSaturationGolden(benchmark::State& state) {
  const int64_t vcs = state.range(1), depth = state.range(2);
  ParamSet set = resolve_params(find_block("noc"), "",
                                net(8, state.range(0),
                                    {"injection_rate=100", "source_queue=4", "cycles=210000",
                                     "vcs=" + std::to_string(vcs), "vc_depth=" + std::to_string(depth),
                                     "buffer_depth=" + std::to_string(depth)}),
                                true);
  golden::NocRunStats st;
  for (auto _ : state) st = golden::run_noc_golden(NocParams::from(set), NocStimulus::from(set), 1, 10000);
  state.SetLabel(fmt::format("{} {}VC depth {}", topology(state.range(0)), vcs, depth));
  state.counters["accepted_flits_per_node_cycle"] = st.accepted_flit_rate;
  state.counters["drained"] = st.drained && st.delivered == st.created ? 1 : 0;
  state.counters["model_cycles_per_s"] =
      benchmark::Counter(static_cast<double>(st.cycles), benchmark::Counter::kIsRate);
  if (!st.drained) state.SkipWithError("deadlock: the network did not drain");
}
BENCHMARK(BM_NocVcSaturationGolden)
    ->Args({0, 1, 4})->Args({0, 2, 4})->Args({0, 4, 4})->Args({0, 8, 4})->Args({0, 2, 8})->Args({0, 4, 8})
    ->Args({1, 1, 4})->Args({1, 2, 4})->Args({1, 4, 4})
    ->Unit(benchmark::kMillisecond)->Iterations(1);

// The 8x8 VC mesh (1-flit packets, VC depth 4) near saturation on the RTL in lockstep with the
// golden model: Bernoulli uniform traffic at the offered rate (percent of a flit per node per cycle,
// unbounded source queues), every flit checked in its predicted cycle, then drained (the testbench
// reports a deadlock after 20k cycles without a delivery). Reports the accepted flits per node per
// cycle of the injection window on both sides. Args: vcs, rate, injection window in cycles.
//   BM_NocVcRtlNearSaturation/8/46/1000000 is the million-cycle run of README's VC section.
void BM_NocVcRtlNearSaturation(benchmark::State& state) {
  const BlockInfo& info = find_block("noc");
  ParamSet set = resolve_params(info, "",
                                net(8, 0, {"vcs=" + std::to_string(state.range(0)), "vc_depth=4",
                                           "injection_rate=" + std::to_string(state.range(1)),
                                           "source_queue=1048576", "cycles=" + std::to_string(state.range(2))}),
                                true);
  const sim::Model& model = noc_model(set);
  sim::VerifyResult r;
  for (auto _ : state) r = sim::run_testbench(info, set, model, sim::VerifyOptions{1, 0, "", {}});
  if (!r.passed()) state.SkipWithError("co-simulation mismatch or deadlock");
  golden::NocRunStats st = golden::run_noc_golden(NocParams::from(set), NocStimulus::from(set), 1);
  state.SetLabel(fmt::format("mesh {}VC, offered {}%", state.range(0), state.range(1)));
  state.counters["rtl_cycles"] = static_cast<double>(r.rtl_cycles);
  state.counters["flits_checked"] = static_cast<double>(r.details.value("flits_checked", int64_t{0}));
  state.counters["mismatches"] = static_cast<double>(r.mismatches);
  state.counters["rtl_accepted_flits_per_node_cycle"] = r.details.value("window_flits_per_node_per_cycle", 0.0);
  state.counters["golden_accepted_flits_per_node_cycle"] = st.accepted_flit_rate;
  state.counters["golden_drained"] = st.drained && st.delivered == st.created ? 1 : 0;
  state.counters["sim_cycles_per_s"] = benchmark::Counter(static_cast<double>(r.rtl_cycles) / r.sim_seconds);
}
BENCHMARK(BM_NocVcRtlNearSaturation)
    ->Args({2, 40, 20000})->Args({8, 46, 1000000})
    ->Unit(benchmark::kSecond)->Iterations(1);

void BM_GenerateNoc(benchmark::State& state) {
  const BlockInfo& info = find_block("noc");
  ParamSet set = resolve_params(info, "", net(static_cast<int>(state.range(0)), 1, {}), false);
  for (auto _ : state) {
    GeneratedDesign d = generate_design(info, set);
    benchmark::DoNotOptimize(d.files.data());
  }
}
BENCHMARK(BM_GenerateNoc)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace accelgen
