#include "common/leopard_params.hpp"

#include <fmt/format.h>

#include <bit>

#include "common/error.hpp"

namespace accelgen {

int LeopardQkParams::score_bits() const {
  return q_bits + k_bits - 1 + static_cast<int>(std::bit_width(static_cast<unsigned>(taps)));
}

LeopardQkParams LeopardQkParams::from(const ParamSet& set) {
  LeopardQkParams p;
  p.taps = static_cast<int>(set.integer("taps"));
  p.q_bits = static_cast<int>(set.integer("q_bits"));
  p.k_bits = static_cast<int>(set.integer("k_bits"));
  p.bits_per_cycle = static_cast<int>(set.integer("bits_per_cycle"));
  p.n_dpu = static_cast<int>(set.integer("n_dpu"));
  p.signmag = set.choice("k_encoding") == "signmag";
  p.seq_len = static_cast<int>(set.integer("seq_len"));
  return p;
}

LeopardQkStimulus LeopardQkStimulus::from(const ParamSet& set) {
  LeopardQkStimulus s;
  s.prune = set.choice("prune");
  s.operands = set.choice("operands");
  return s;
}

BlockInfo leopard_qk_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "leopard_qk";
  b.description =
      "LeOPArd QK processing unit: n_dpu bit-serial dot-product units with exact early termination "
      "against a threshold";
  b.schema.integer("taps", 64, 1, 128, "D: elements per Q/K vector (taps of each dot-product unit)")
      .integer("q_bits", 12, 2, 16, "signed Q element width in bits")
      .integer("k_bits", 12, 2, 16, "K element width in bits")
      .integer("bits_per_cycle", 2, 1, 16, "B: K bits read per cycle, most significant first; divides k_bits")
      .integer("n_dpu", 6, 1, 16, "N: dot-product units (the thesis: 6 area-equal, 8 high-performance)")
      .choice("k_encoding", {"twos", "signmag"},
              "K encoding: two's complement (positive-q margin) or sign-magnitude (sign-XOR margin)")
      .integer("seq_len", 512, 1, 1024, "keys in the key buffers, interleaved over the DPUs (>= n_dpu)")
      .choice("prune", {"mixed", "0", "50", "90", "100", "random"},
              "verify: per-Q threshold giving 0/50/90/100% pruning (mixed cycles them; random = uniform Th)",
              R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "extremes", "sparse", "exhaustive", "fig63"},
              "verify: Q/K values; mixed cycles random/min/max/extremes/sparse per Q vector; exhaustive "
              "makes every K word combination a key (seq_len = 2^(taps*k_bits)) and every Q combination a "
              "Q vector; fig63 is the thesis's Fig. 6.3 example (every key K = [1,-7,-4,2], Q = [9,-5,7,-2], "
              "Th = 99, 40, 13, 12: pruned in cycle 1, 2, 3, kept)", R::kStimulus);
  b.check = [](const ParamSet& set) {
    LeopardQkParams p = LeopardQkParams::from(set);
    if (p.k_bits % p.bits_per_cycle != 0)
      throw UserError(fmt::format("bits_per_cycle = {} must divide k_bits = {}", p.bits_per_cycle, p.k_bits));
    if (set.choice("operands") == "exhaustive") {
      if (p.taps * p.q_bits > 12 || p.taps * p.k_bits > 10)
        throw UserError(fmt::format("operands=exhaustive needs taps*q_bits <= 12 and taps*k_bits <= 10 (got {} and {})",
                                    p.taps * p.q_bits, p.taps * p.k_bits));
      if (p.seq_len != (1 << (p.taps * p.k_bits)))
        throw UserError(fmt::format("operands=exhaustive needs seq_len = 2^(taps*k_bits) = {}", 1 << (p.taps * p.k_bits)));
    }
    if (set.choice("operands") == "fig63" &&
        (p.taps != 4 || p.q_bits < 5 || p.k_bits != 4 || p.bits_per_cycle != 1 || !p.signmag))
      throw UserError("operands=fig63 needs taps=4, q_bits>=5, k_bits=4, bits_per_cycle=1, k_encoding=signmag");
    if (p.seq_len < p.n_dpu)
      throw UserError(fmt::format("seq_len = {} must be at least n_dpu = {} (every DPU holds a key)",
                                  p.seq_len, p.n_dpu));
  };
  return b;
}

}  // namespace accelgen

namespace accelgen {

namespace {
int bw(int x) { return static_cast<int>(std::bit_width(static_cast<unsigned>(x))); }
}  // namespace

int LeopardVpuParams::att_bits() const { return kWeightBits + v_bits + bw(seq_len); }
int LeopardVpuParams::sum_bits() const { return kWeightBits + bw(seq_len); }
int LeopardVpuParams::count_bits() const { return bw(seq_len); }

LeopardVpuParams LeopardVpuParams::from(const ParamSet& set) {
  LeopardVpuParams p;
  p.taps = static_cast<int>(set.integer("taps"));
  p.n_dpu = static_cast<int>(set.integer("n_dpu"));
  p.v_bits = static_cast<int>(set.integer("v_bits"));
  p.seq_len = static_cast<int>(set.integer("seq_len"));
  p.exp_shift = static_cast<int>(set.integer("exp_shift"));
  return p;
}

LeopardVpuStimulus LeopardVpuStimulus::from(const ParamSet& set) {
  LeopardVpuStimulus s;
  s.prune = set.choice("prune");
  s.operands = set.choice("operands");
  s.gap_percent = static_cast<int>(set.integer("gap_percent"));
  return s;
}

BlockInfo leopard_vpu_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "leopard_vpu";
  b.description =
      "LeOPArd V processing unit: 1 KB LUT softmax over the surviving scores and a D-way 16x16-bit MAC array "
      "reading only their V vectors";
  b.schema.integer("taps", 64, 1, 128, "D: MAC lanes (elements per V vector)")
      .integer("n_dpu", 6, 1, 16, "N: dot-product units of the QK-PU (key j = idx * N + dpu)")
      .integer("v_bits", 16, 2, 16, "signed V element width in bits")
      .integer("seq_len", 512, 1, 1024, "V vectors held in the V buffer (keys per head, >= n_dpu)")
      .integer("exp_shift", 8, 0, 23, "softmax scale: LUT index = min(511, (row max - score) >> exp_shift)")
      .choice("prune", {"mixed", "0", "50", "90", "100"},
              "verify: share of keys pruned per row (mixed cycles 0/50/90/100%)", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max"},
              "verify: V values and scores; mixed cycles random/min/max per row", R::kStimulus)
      .integer("gap_percent", 0, 0, 90, "verify: chance (%) that the driver idles a cycle before a score beat",
               R::kStimulus);
  b.check = [](const ParamSet& set) {
    LeopardVpuParams p = LeopardVpuParams::from(set);
    if (p.seq_len < p.n_dpu)
      throw UserError(fmt::format("seq_len = {} must be at least n_dpu = {}", p.seq_len, p.n_dpu));
  };
  return b;
}

}  // namespace accelgen

namespace accelgen {

LeopardQkParams LeopardTileParams::qk() const {
  LeopardQkParams p;
  p.taps = taps;
  p.n_dpu = n_dpu;
  p.seq_len = seq_len;
  p.bits_per_cycle = bits_per_cycle;
  p.signmag = signmag;
  return p;
}

LeopardVpuParams LeopardTileParams::vpu() const {
  LeopardVpuParams p;
  p.taps = taps;
  p.n_dpu = n_dpu;
  p.v_bits = v_bits;
  p.seq_len = seq_len;
  p.exp_shift = exp_shift;
  return p;
}

LeopardTileParams LeopardTileParams::from(const ParamSet& set) {
  LeopardTileParams p;
  p.taps = static_cast<int>(set.integer("taps"));
  p.n_dpu = static_cast<int>(set.integer("n_dpu"));
  p.v_bits = static_cast<int>(set.integer("v_bits"));
  p.seq_len = static_cast<int>(set.integer("seq_len"));
  p.exp_shift = static_cast<int>(set.integer("exp_shift"));
  p.bits_per_cycle = static_cast<int>(set.integer("bits_per_cycle"));
  p.signmag = set.choice("k_encoding") == "signmag";
  return p;
}

BlockInfo leopard_tile_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "leopard_tile";
  b.description =
      "LeOPArd tile: QK-PU (12-bit Q/K) -> per-unit Score/IDX FIFOs -> V-PU, with the thesis's stall rule";
  b.schema.integer("taps", 64, 1, 128, "D: elements per Q/K/V vector")
      .integer("n_dpu", 6, 1, 16, "N: bit-serial dot-product units")
      .integer("v_bits", 16, 2, 16, "signed V element width in bits")
      .integer("seq_len", 512, 1, 1024, "keys (and V vectors) of the head, >= n_dpu")
      .integer("exp_shift", 8, 0, 23, "softmax scale: LUT index = min(511, (row max - score) >> exp_shift)")
      .integer("bits_per_cycle", 2, 1, 12, "B of the QK units: K bits per cycle (divides 12)")
      .choice("k_encoding", {"twos", "signmag"}, "K encoding of the QK units")
      .choice("prune", {"mixed", "0", "50", "90", "100", "random"},
              "verify: per-Q threshold giving 0/50/90/100% pruning (mixed cycles them)", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "extremes", "sparse"},
              "verify: Q/K values; mixed cycles the patterns per Q vector", R::kStimulus);
  b.check = [](const ParamSet& set) {
    LeopardTileParams p = LeopardTileParams::from(set);
    if (12 % p.bits_per_cycle != 0)
      throw UserError(fmt::format("bits_per_cycle = {} must divide the 12-bit K width", p.bits_per_cycle));
    if (p.seq_len < p.n_dpu)
      throw UserError(fmt::format("seq_len = {} must be at least n_dpu = {}", p.seq_len, p.n_dpu));
  };
  return b;
}

}  // namespace accelgen
