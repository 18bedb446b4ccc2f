// `accelgen flow tandem-ops`: every operator template of compiler/tandem compiled on one full
// tile and run on the golden simulator, whose cycle model is the generated pipeline's (RTL and
// golden agree cycle for cycle in co-simulation). Per operator: cycles per element in total,
// without the engines' time, and the ideal (every lane busy on one primitive per cycle); the
// lowered instruction mix beside thesis Table 4.3; and the address-calculation ablation (thesis
// Fig. 4.5).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/tandem/ops.hpp"

namespace accelgen::flows {

struct TandemOpsOptions {
  int lanes = 32;
  int depth = 512;
  uint32_t seed = 1;
  // Engine widths of the measured configuration (compiler::tandem::TandemTarget): DAE bus words
  // (0 = a lanes-wide line) and permute elements per cycle (0 = lanes). Every operator is also run
  // with the one-word engines (1, 1): the `word_*` columns.
  int dram_bus_words = 0;
  int permute_width = 0;
};

struct TandemOpsRow {
  std::string op, shape;
  int64_t elements = 0, cycles = 0, slots = 0, compute_instructions = 0, nops = 0;
  int64_t engine_elements = 0, engine_starts = 0, program_words = 0;
  int64_t engine_beats = 0;  // engine cycles (beats) with the configured widths
  double cycles_per_element = 0, compute_cycles_per_element = 0, ideal_cycles_per_element = 0;
  // The same program on the one-word engines (one element per engine cycle): the "before" column.
  int64_t word_cycles = 0;
  double word_cycles_per_element = 0;
  std::map<std::string, int> core_mix, extra_mix;
  std::string thesis_mix;  // Table 4.3's primitive list, "" where the thesis lists none
};

struct TandemAblation {
  int64_t elements = 0;
  int64_t iterator_cycles = 0, alu_cycles = 0;                  // whole programs
  int64_t iterator_compute_cycles = 0, alu_compute_cycles = 0;  // without the DAE's time
  int64_t iterator_word_cycles = 0, alu_word_cycles = 0;        // whole programs, one-word engines
  int64_t iterator_instructions = 0, alu_instructions = 0;      // compute instructions executed
};

struct TandemOpsResult {
  std::vector<TandemOpsRow> rows;
  TandemAblation ablation;
};

// Throws UserError if an operator does not fit the target or a program is rejected.
TandemOpsResult run_tandem_ops_flow(const TandemOpsOptions& o);
// Writes DIR/<operator>.tasm (the listing) and DIR/<operator>.dram (its input image, one word a
// line, the format of `accelgen run-tasm --dram`) for every operator of the flow; returns the
// programs written. DIR is created; a file that cannot be written is a UserError.
struct EmittedProgram {
  std::string op;
  int64_t words = 0, dram_words = 0;  // program length; DRAM words it uses
};
std::vector<EmittedProgram> emit_tandem_ops(const TandemOpsOptions& o, const std::string& dir);
std::string tandem_ops_csv(const TandemOpsResult& r);
nlohmann::json tandem_ops_json(const TandemOpsOptions& o, const TandemOpsResult& r);
// "4 Mul, 3 Add, Sign" from a mix, most frequent first.
std::string mix_text(const std::map<std::string, int>& mix);

}  // namespace accelgen::flows
