#include "common/region_manager_params.hpp"

#include <fmt/format.h>

#include <bit>

#include "common/error.hpp"

namespace accelgen {

RegionManagerParams RegionManagerParams::from(const ParamSet& set) {
  RegionManagerParams p;
  p.regions = static_cast<int>(set.integer("regions"));
  p.addr_bits = static_cast<int>(set.integer("addr_bits"));
  p.capacity_words = set.integer("capacity_words");
  p.word_bits = static_cast<int>(set.integer("word_bits"));
  return p;
}

int RegionManagerParams::id_bits() const {
  return regions <= 1 ? 1 : static_cast<int>(std::bit_width(static_cast<unsigned>(regions - 1)));
}

int RegionManagerParams::live_bits() const {
  return static_cast<int>(std::bit_width(static_cast<unsigned>(regions)));
}

int64_t RegionManagerParams::register_bits() const {
  // table + valid bits + top + used + live + response (valid, error, address)
  return table_bits() + regions + addr_bits + (addr_bits + 1) + live_bits() + 2 + addr_bits;
}

RegionManagerStimulus RegionManagerStimulus::from(const ParamSet& set) {
  RegionManagerStimulus s;
  s.stream = set.choice("stream");
  s.gap_percent = static_cast<int>(set.integer("gap_percent"));
  s.model = set.choice("model");
  s.partition = set.choice("partition");
  return s;
}

BlockInfo region_manager_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "region_manager";
  b.description =
      "Cocco buffer region manager: 2N-entry register file of region start/end addresses with "
      "allocate / free / translate (ring placement, wrap at the buffer end, error responses)";
  b.schema
      .integer("regions", 64, 1, 256,
               "N: regions (start/end entry pairs) = the maximum subgraph size")
      .integer("addr_bits", 17, 2, 24,
               "A: physical word address width (2^17 words = 1 MB of 64-bit words)")
      .integer("capacity_words", 0, 0, int64_t{1} << 24,
               "words of the managed buffer; 0 = 2^addr_bits; else at most 2^addr_bits")
      .integer("word_bits", 64, 8, 1024, "width of one buffer word (byte <-> word conversion only)")
      .choice("stream", {"mixed", "random", "corners", "cocco"},
              "verify: command stream; mixed = the corner sequence, then seeded random commands; "
              "cocco = the "
              "region trace of a flows/cocco partition of `model` (1 MB + 1.125 MB buffers, EMA)",
              R::kStimulus)
      .open_choice("model", {"resnet50", "googlenet", "vgg16", "resnet152", "randwire_a"},
                   "verify, stream=cocco: zoo model or graph file to partition", R::kStimulus)
      .choice("partition", {"dp", "greedy"},
              "verify, stream=cocco: the partition (Irregular-NN depth-ordered DP or Halide-style "
              "greedy)",
              R::kStimulus)
      .integer("gap_percent", 0, 0, 90, "verify: chance (%) of an idle cycle before a command",
               R::kStimulus);
  b.check = [](const ParamSet& set) {
    const RegionManagerParams p = RegionManagerParams::from(set);
    if (p.capacity_words > (int64_t{1} << p.addr_bits))
      throw UserError(fmt::format("capacity_words = {} exceeds 2^addr_bits = {}", p.capacity_words,
                                  int64_t{1} << p.addr_bits));
    if (p.word_bits % 8 != 0)
      throw UserError(fmt::format("word_bits = {} must be a multiple of 8", p.word_bits));
  };
  return b;
}

}  // namespace accelgen
