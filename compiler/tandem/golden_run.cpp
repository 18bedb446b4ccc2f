#include "compiler/tandem/golden_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "golden_model/tandem/tandem_sim.hpp"

namespace accelgen::compiler::tandem {

GoldenRun RunOnGolden(const CompiledOp& op, const std::vector<std::vector<int32_t>>& inputs) {
  const std::vector<int32_t> image = PrepareDram(op, inputs);
  golden::tandem::TandemSimConfig cfg;
  cfg.lanes = op.target.lanes;
  cfg.depth = op.target.depth;
  cfg.dram_words = std::max<int64_t>(op.dram_words, 1);
  cfg.record_commits = false;
  cfg.dram_bus_words = op.target.dram_bus_words;
  cfg.permute_width = op.target.permute_width;
  golden::tandem::TandemSim sim(cfg);
  for (size_t a = 0; a < image.size(); ++a) sim.WriteDram(static_cast<int64_t>(a), image[a]);
  sim.Run(op.program);
  std::vector<int32_t> dram(image.size());
  for (size_t a = 0; a < dram.size(); ++a) dram[a] = sim.ReadDram(static_cast<int64_t>(a));
  GoldenRun run;
  for (size_t i = 0; i < op.outputs.size(); ++i) run.outputs.push_back(ReadOutput(op, dram, i));
  run.cycles = sim.DoneCycle();
  run.slots = sim.Slots();
  run.compute = sim.ComputeCount();
  run.engine_starts = sim.EngineStarts();
  run.engine_beats = sim.EngineBeats();
  if (sim.EngineElements() != op.engine_elements || run.engine_starts != op.engine_starts) {
    throw UserError(fmt::format(
        "{}: the golden simulator moved {} elements in {} starts, the builder counted {} in {}",
        op.name, sim.EngineElements(), run.engine_starts, op.engine_elements, op.engine_starts));
  }
  if (run.slots != op.slots) {
    throw UserError(fmt::format("{}: the golden simulator issued {} slots, the builder counted {}",
                                op.name, run.slots, op.slots));
  }
  return run;
}

int64_t ComputeCycles(const GoldenRun& run) {
  return run.cycles - run.engine_beats - 7 * run.engine_starts;
}

CompiledOp OneWordEngines(CompiledOp op) {
  op.target.dram_bus_words = 1;
  op.target.permute_width = 1;
  return op;
}

Throughput MeasureThroughput(const CompiledOp& op,
                             const std::vector<std::vector<int32_t>>& inputs) {
  Throughput t;
  t.elements = op.inputs.at(0).Elements();
  const GoldenRun run = RunOnGolden(op, inputs);
  t.cycles = run.cycles;
  t.slots = run.slots;
  t.compute = run.compute;
  t.engine_beats = run.engine_beats;
  int primitives = 0;
  for (const auto* mix : {&op.core_mix, &op.extra_mix}) {
    for (const auto& [name, n] : *mix) primitives += n;
  }
  const int64_t rows = (t.elements + op.target.lanes - 1) / op.target.lanes;
  t.cycles_per_element = static_cast<double>(t.cycles) / t.elements;
  t.compute_cycles_per_element = static_cast<double>(ComputeCycles(run)) / t.elements;
  t.ideal_cycles_per_element = static_cast<double>(rows * primitives) / t.elements;
  return t;
}

}  // namespace accelgen::compiler::tandem
