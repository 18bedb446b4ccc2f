#include "compiler/tandem/golden_run.hpp"

#include <algorithm>

#include "golden_model/tandem/tandem_sim.hpp"

namespace accelgen::compiler::tandem {

GoldenRun RunOnGolden(const CompiledOp& op, const std::vector<std::vector<int32_t>>& inputs) {
  const std::vector<int32_t> image = PrepareDram(op, inputs);
  golden::tandem::TandemSimConfig cfg;
  cfg.lanes = op.target.lanes;
  cfg.depth = op.target.depth;
  cfg.dram_words = std::max<int64_t>(op.dram_words, 1);
  cfg.record_commits = false;
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
  return run;
}

}  // namespace accelgen::compiler::tandem
