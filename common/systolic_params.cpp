#include "common/systolic_params.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen {

SystolicParams SystolicParams::from(const ParamSet& set) {
  SystolicParams p;
  p.rows = static_cast<int>(set.integer("rows"));
  p.cols = static_cast<int>(set.integer("cols"));
  p.in_bits = static_cast<int>(set.integer("in_bits"));
  p.acc_bits = static_cast<int>(set.integer("acc_bits"));
  return p;
}

SystolicStimulus SystolicStimulus::from(const ParamSet& set) {
  SystolicStimulus s;
  s.m = set.integer("m");
  s.k = set.integer("k");
  s.n = set.integer("n");
  s.operands = set.choice("operands");
  s.gap_percent = static_cast<int>(set.integer("gap_percent"));
  return s;
}

BlockInfo systolic_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "systolic";
  b.description =
      "weight-stationary systolic GEMM array (TPU-like; Planaria baseline) with double-buffered "
      "weights";
  b.schema.integer("rows", 8, 1, 128, "PE rows: reduction (K) elements per tile")
      .integer("cols", 8, 1, 128, "PE columns: output (N) elements per tile")
      .integer("in_bits", 8, 2, 16, "signed activation and weight width in bits")
      .integer("acc_bits", 32, 4, 64,
               "signed accumulator width in bits (>= 2*in_bits); sums wrap modulo 2^acc_bits")
      .integer("m", 0, 0, 1 << 20, "verify: GEMM rows M (activation vectors); 0 = random",
               R::kStimulus)
      .integer("k", 0, 0, 1 << 16, "verify: GEMM reduction depth K; 0 = random", R::kStimulus)
      .integer("n", 0, 0, 1 << 16, "verify: GEMM columns N; 0 = random", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "alternating", "extremes", "exhaustive"},
              "verify: operand pattern; mixed cycles through the first five per transaction; "
              "exhaustive is one GEMM multiplying every in_bits value by every in_bits value",
              R::kStimulus)
      .integer("gap_percent", 0, 0, 90,
               "verify: chance (%) that the driver idles a cycle before an input beat",
               R::kStimulus);
  b.check = [](const ParamSet& set) {
    SystolicParams p = SystolicParams::from(set);
    if (p.acc_bits < 2 * p.in_bits)
      throw UserError(fmt::format(
          "acc_bits = {} must be at least 2*in_bits = {} (a product must fit the accumulator)",
          p.acc_bits, 2 * p.in_bits));
    if (set.choice("operands") == "exhaustive" && p.in_bits > 8)
      throw UserError(fmt::format("operands=exhaustive needs in_bits <= 8 (in_bits = {} gives {} products)",
                                  p.in_bits, uint64_t{1} << (2 * p.in_bits)));
  };
  return b;
}

}  // namespace accelgen
