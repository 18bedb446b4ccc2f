#include "common/cvu_array_params.hpp"

#include <fmt/format.h>

#include <bit>

#include "common/bits.hpp"
#include "common/error.hpp"

namespace accelgen {

CvuArrayParams CvuArrayParams::from(const ParamSet& set) {
  CvuArrayParams p;
  p.rows = static_cast<int>(set.integer("rows"));
  p.cols = static_cast<int>(set.integer("cols"));
  p.cvu = CvuParams::from(set);
  p.acc_bits = static_cast<int>(set.integer("acc_bits"));
  p.wbuf_depth = static_cast<int>(set.integer("wbuf_depth"));
  return p;
}

int CvuArrayParams::addr_bits() const { return index_bits(wbuf_depth); }
int CvuArrayParams::row_bits() const { return index_bits(rows); }
int CvuArrayParams::col_bits() const { return index_bits(cols); }
int CvuArrayParams::psum_bits() const { return cvu.result_bits() + static_cast<int>(std::bit_width(static_cast<unsigned>(rows))); }

CvuArrayStimulus CvuArrayStimulus::from(const ParamSet& set) {
  CvuArrayStimulus s;
  s.m = set.integer("m");
  s.k = set.integer("k");
  s.n = set.integer("n");
  s.workload = set.choice("workload");
  s.bx = static_cast<int>(set.integer("bx"));
  s.bw = static_cast<int>(set.integer("bw"));
  s.operands = set.choice("operands");
  return s;
}

BlockInfo cvu_array_block_info() {
  using R = ParamRole;
  BlockInfo b = cvu_block_info();  // the CVU keys, their ranges and checks
  BlockInfo a;
  a.name = "cvu_array";
  a.description = "BPVeC core: rows x cols systolic array of CVUs with private weight scratchpads and wide column accumulators";
  a.schema.integer("rows", 2, 1, 16, "CVU rows: each takes one slice of the reduction")
      .integer("cols", 2, 1, 16, "CVU columns: one output channel each");
  for (const auto& spec : b.schema.specs()) {
    if (spec.role == R::kStimulus) continue;
    if (spec.type == ParamType::kBool) a.schema.boolean(spec.key, spec.int_default != 0, spec.help);
    else a.schema.integer(spec.key, spec.key == "lanes" ? 4 : spec.int_default, spec.min, spec.max, spec.help);
  }
  a.schema.integer("acc_bits", 64, 16, 64, "column accumulator width; sums wrap modulo 2^acc_bits")
      .integer("wbuf_depth", 8, 2, 256, "weight vectors each CVU's scratchpad holds")
      .integer("m", 0, 0, 4096, "verify: GEMM rows M; 0 = random", R::kStimulus)
      .integer("k", 0, 0, 1 << 16, "verify: GEMM reduction K; 0 = random (must fit the scratchpads)", R::kStimulus)
      .integer("n", 0, 0, 4096, "verify: GEMM columns N; 0 = random", R::kStimulus)
      .choice("workload", {"mixed", "gemm", "conv"}, "verify: GEMMs, convolutions lowered to GEMM (im2col), or both",
              R::kStimulus)
      .integer("bx", 0, 0, 16, "verify: activation width; 0 = every mode in turn", R::kStimulus)
      .integer("bw", 0, 0, 16, "verify: weight width; 0 = every mode in turn", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "alternating", "extremes"}, "verify: operand pattern",
              R::kStimulus);
  auto cvu_check = b.check;
  a.check = [cvu_check](const ParamSet& set) {
    // The CVU checks read the CVU's verify keys too; give them neutral values.
    ParamSet cvu_view = cvu_block_info().schema.defaults();
    for (const char* key : {"slice_bits", "max_bits", "lanes", "signed", "bx", "bw"}) {
      const auto& v = set.values().at(key);
      cvu_view.put(key, v);
    }
    cvu_check(cvu_view);
    const CvuArrayParams p = CvuArrayParams::from(set);
    if (p.acc_bits < p.psum_bits())
      throw UserError(fmt::format("acc_bits = {} must be at least {}, the width of one column's exact sum", p.acc_bits,
                                  p.psum_bits()));
  };
  return a;
}

}  // namespace accelgen
