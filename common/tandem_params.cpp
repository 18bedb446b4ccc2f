#include "common/tandem_params.hpp"

namespace accelgen {

TandemParams TandemParams::from(const ParamSet& set) {
  TandemParams p;
  p.lanes = static_cast<int>(set.integer("lanes"));
  p.interim_depth = static_cast<int>(set.integer("interim_depth"));
  p.imem_depth = static_cast<int>(set.integer("imem_depth"));
  return p;
}

TandemStimulus TandemStimulus::from(const ParamSet& set) {
  TandemStimulus s;
  s.program = set.choice("program");
  s.dram_words = set.integer("dram_words");
  return s;
}

BlockInfo tandem_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "tandem";
  b.description =
      "Tandem non-GEMM SIMD processor: INT32 lanes over namespaced buffers, iterator tables, code repeater, "
      "data access engine and permute engine";
  // Every range is per key, so the schema's own range check gives the one clear error.
  b.schema.integer("lanes", 32, 1, 128, "SIMD lanes: banks of every buffer, one 32-bit ALU each")
      .integer("interim_depth", 512, 8, 4096, "32-bit words per lane of each buffer (obuf, ibuf, vmem1, vmem2)")
      .integer("imem_depth", 1024, 16, 65536, "instruction memory words")
      .choice("program", {"random", "sweep", "loops", "dae", "permute", "all"},
              "verify: program family the testbench generates", R::kStimulus)
      .integer("dram_words", 65536, 16, 16777216, "verify: 32-bit words of the DRAM model", R::kStimulus);
  return b;
}

}  // namespace accelgen
