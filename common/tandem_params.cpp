#include "common/tandem_params.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen {

TandemParams TandemParams::from(const ParamSet& set) {
  TandemParams p;
  p.lanes = static_cast<int>(set.integer("lanes"));
  p.interim_depth = static_cast<int>(set.integer("interim_depth"));
  p.imem_depth = static_cast<int>(set.integer("imem_depth"));
  p.dram_bus_bits = static_cast<int>(set.integer("dram_bus_bits"));
  p.permute_width = static_cast<int>(set.integer("permute_width"));
  p.check();
  return p;
}

void TandemParams::check() const {
  const int b = dram_bus_bits;
  if (b != 0 && (b < 32 || (b & (b - 1)) != 0)) {
    throw UserError(fmt::format(
        "parameter 'dram_bus_bits' = {} must be 0 (a lanes-wide line) or a power of two 32..4096", b));
  }
  if (permute_width > lanes) {
    throw UserError(fmt::format("parameter 'permute_width' = {} exceeds lanes ({})", permute_width, lanes));
  }
}

int TandemParams::bus_words() const {
  if (dram_bus_bits != 0) return dram_bus_bits / 32;
  int w = 1;
  while (w * 2 <= lanes) w *= 2;
  return w;
}

int TandemParams::perm_width() const { return permute_width != 0 ? permute_width : lanes; }

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
      .integer("dram_bus_bits", 0, 0, 4096,
               "DAE DRAM data bus: 0 = a lanes-wide line (32 x largest power of two <= lanes), else a power of two "
               ">= 32 (32 = one word per cycle)")
      .integer("permute_width", 0, 0, 128, "permute engine elements per cycle: 0 = lanes, else 1..lanes (1 = one per cycle)")
      ;
  b.check = [](const ParamSet& set) { TandemParams::from(set); };
  b.schema.choice("program", {"random", "sweep", "loops", "dae", "permute", "all"},
              "verify: program family the testbench generates", R::kStimulus)
      .integer("dram_words", 65536, 16, 16777216, "verify: 32-bit words of the DRAM model", R::kStimulus);
  return b;
}

}  // namespace accelgen
