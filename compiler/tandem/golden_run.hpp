// Runs a compiled Tandem operator on the golden simulator (golden_model/tandem): DRAM prepared
// with PrepareDram, the whole program (DAE transfers included) executed, outputs read back.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/tandem/ops.hpp"

namespace accelgen::compiler::tandem {

struct GoldenRun {
  std::vector<std::vector<int32_t>> outputs;    // one per CompiledOp::outputs region
  int64_t cycles = 0;                           // done cycle of the generated pipeline
  int64_t slots = 0;                            // issue slots
  int64_t compute = 0;                          // compute instructions executed (all lanes each)
  int64_t engine_starts = 0, engine_beats = 0;  // DAE/permute starts and their beats (cycles)
};

// Throws accelgen::UserError if the simulator rejects the program or its slot count differs from
// the builder's (which would make the builder's spacing check meaningless).
GoldenRun RunOnGolden(const CompiledOp& op, const std::vector<std::vector<int32_t>>& inputs);

// Cycles per element of input 0 on the golden cycle model, beside the ideal: every lane busy on
// one primitive per cycle, ceil(elements / lanes) · (core + extra primitives) cycles, no DAE,
// configuration or loop-setup slots.
struct Throughput {
  int64_t elements = 0;
  int64_t cycles = 0;
  int64_t slots = 0, compute = 0;  // as GoldenRun
  int64_t engine_beats = 0;        // as GoldenRun
  double cycles_per_element = 0;
  double ideal_cycles_per_element = 0;
  // Without the engines' time (golden cycle model: a start costs its beat count + 7 cycles).
  double compute_cycles_per_element = 0;
};
// Cycles of a run without the engines' time (the golden cycle model charges a start instruction
// its beat count + 7 cycles; one beat per element with the one-word engines).
int64_t ComputeCycles(const GoldenRun& run);

// OP with the one-word engines (dram_bus_words 1, permute_width 1): the same program and results,
// the engine cycles of the original one-word DAE and permute engine.
CompiledOp OneWordEngines(CompiledOp op);

Throughput MeasureThroughput(const CompiledOp& op, const std::vector<std::vector<int32_t>>& inputs);

}  // namespace accelgen::compiler::tandem
