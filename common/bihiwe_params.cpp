#include "common/bihiwe_params.hpp"

#include <fmt/format.h>

#include <bit>

#include "common/error.hpp"

namespace accelgen {

BihiweParams BihiweParams::from(const ParamSet& set) {
  BihiweParams p;
  p.lanes = static_cast<int>(set.integer("lanes"));
  p.acc_cycles = static_cast<int>(set.integer("acc_cycles"));
  p.adc_bits = static_cast<int>(set.integer("adc_bits"));
  p.max_bits = static_cast<int>(set.integer("max_bits"));
  return p;
}

namespace {
constexpr uint64_t kMaxPartitionProduct = 9;  // 3 * 3: two 2-bit magnitudes
}

int BihiweParams::lane_acc_bits() const {
  return static_cast<int>(std::bit_width(kMaxPartitionProduct * static_cast<uint64_t>(acc_cycles)));
}

int BihiweParams::polarity_bits() const {
  return static_cast<int>(std::bit_width(kMaxPartitionProduct * static_cast<uint64_t>(acc_cycles) * lanes));
}

int BihiweParams::conversion_bits() const {
  const int exact = polarity_bits() + 1;  // Pos - Neg
  return adc_bits > 0 && adc_bits < exact ? adc_bits : exact;
}

BihiweStimulus BihiweStimulus::from(const ParamSet& set) {
  BihiweStimulus s;
  s.length = set.integer("length");
  s.operands = set.choice("operands");
  s.gap_percent = static_cast<int>(set.integer("gap_percent"));
  return s;
}

BlockInfo bihiwe_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "bihiwe";
  b.description =
      "BiHiWe MS-WAGG, digital stand-in: (B/2)^2 bit-partitioned MACC arrays with per-lane +/- accumulators, "
      "conversion after m cycles";
  b.schema.integer("lanes", 8, 1, 32, "n: 2-bit sign-magnitude MACC lanes per MS-BPMACC")
      .integer("acc_cycles", 32, 1, 64, "m: accumulation cycles per conversion")
      .integer("adc_bits", 0, 0, 24, "0 = exact conversions; else each conversion saturates to this signed width")
      .integer("max_bits", 8, 4, 8, "operand width in bits (4 or 8), two's complement at the interface")
      .integer("length", 0, 0, 1 << 16, "verify: elements per dot product; 0 = random per vector", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "alternating", "extremes", "exhaustive"},
              "verify: operand pattern; exhaustive enumerates every operand combination of one beat "
              "(or every element pair)",
              R::kStimulus)
      .integer("gap_percent", 0, 0, 90, "verify: chance (%) of an idle cycle before a beat", R::kStimulus);
  b.check = [](const ParamSet& set) {
    BihiweParams p = BihiweParams::from(set);
    if (p.max_bits != 4 && p.max_bits != 8)
      throw UserError(fmt::format("max_bits = {} must be 4 or 8 (2-bit partitions)", p.max_bits));
    if (p.adc_bits == 1) throw UserError("adc_bits = 1 cannot hold a signed conversion; use 0 (exact) or >= 2");
  };
  return b;
}

}  // namespace accelgen
