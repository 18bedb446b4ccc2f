#include "common/cvu_params.hpp"

#include <fmt/format.h>

#include <bit>

#include "common/error.hpp"

namespace accelgen {

CvuParams CvuParams::from(const ParamSet& set) {
  CvuParams p;
  p.slice_bits = static_cast<int>(set.integer("slice_bits"));
  p.max_bits = static_cast<int>(set.integer("max_bits"));
  p.lanes = static_cast<int>(set.integer("lanes"));
  p.is_signed = set.boolean("signed");
  return p;
}

int CvuParams::levels() const { return std::bit_width(static_cast<unsigned>(max_bits / slice_bits)); }

int CvuParams::mode_bits() const { return std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(levels() - 1)))); }

int CvuParams::result_bits() const {
  // Largest |x_i * w_i| summed over G*L pairs, for the worst mode; +1 for the sign.
  uint64_t worst = 0;
  for (int i = 0; i < levels(); ++i)
    for (int k = 0; k < levels(); ++k) {
      const int bx = width_of_level(i), bw = width_of_level(k);
      const uint64_t mx = is_signed ? (uint64_t{1} << (bx - 1)) : (uint64_t{1} << bx) - 1;
      const uint64_t mw = is_signed ? (uint64_t{1} << (bw - 1)) : (uint64_t{1} << bw) - 1;
      worst = std::max(worst, static_cast<uint64_t>(groups(bx, bw)) * lanes * mx * mw);
    }
  return static_cast<int>(std::bit_width(worst)) + 1;
}

CvuStimulus CvuStimulus::from(const ParamSet& set) {
  CvuStimulus s;
  s.bx = static_cast<int>(set.integer("bx"));
  s.bw = static_cast<int>(set.integer("bw"));
  s.operands = set.choice("operands");
  s.gap_percent = static_cast<int>(set.integer("gap_percent"));
  return s;
}

BlockInfo cvu_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "cvu";
  b.description = "BPVeC composable vector unit: (B/b)^2 narrow-bitwidth vector engines regrouped at run time per operand widths";
  b.schema.integer("slice_bits", 2, 1, 4, "b: slice width of the narrow multipliers (1, 2 or 4)")
      .integer("max_bits", 8, 1, 16, "B: widest operand in bits; B/b a power of two")
      .integer("lanes", 16, 1, 64, "L: multipliers per NBVE (vector length in the widest mode)")
      .boolean("signed", true, "operands are two's complement (top slice signed) rather than unsigned")
      .integer("bx", 0, 0, 16, "verify: activation width of every operation; 0 = cycle through all modes", R::kStimulus)
      .integer("bw", 0, 0, 16, "verify: weight width of every operation; 0 = cycle through all modes", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "alternating", "extremes", "exhaustive"},
              "verify: operand pattern; exhaustive enumerates every operand combination of each mode",
              R::kStimulus)
      .integer("gap_percent", 0, 0, 90, "verify: chance (%) of an idle cycle before an operation", R::kStimulus);
  b.check = [](const ParamSet& set) {
    CvuParams p = CvuParams::from(set);
    if (p.slice_bits != 1 && p.slice_bits != 2 && p.slice_bits != 4)
      throw UserError(fmt::format("slice_bits = {} must be 1, 2 or 4", p.slice_bits));
    const int ratio = p.max_bits / p.slice_bits;
    if (p.max_bits % p.slice_bits != 0 || !std::has_single_bit(static_cast<unsigned>(ratio)))
      throw UserError(fmt::format("max_bits = {} must be slice_bits = {} times a power of two", p.max_bits, p.slice_bits));
    if (p.nbves() > 64)
      throw UserError(fmt::format("(max_bits/slice_bits)^2 = {} NBVEs is more than 64", p.nbves()));
    CvuStimulus s = CvuStimulus::from(set);
    for (int w : {s.bx, s.bw}) {
      bool legal = w == 0;
      for (int i = 0; i < p.levels(); ++i) legal = legal || w == p.width_of_level(i);
      if (!legal)
        throw UserError(fmt::format("operand width {} is not a legal mode: widths are slice_bits*2^i up to max_bits", w));
    }
    if ((s.bx == 0) != (s.bw == 0)) throw UserError("set both bx and bw, or neither");
  };
  return b;
}

}  // namespace accelgen
