// Parameters of the LeOPArd blocks (docs: golden_model/README.md, section "leopard_qk").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

struct LeopardQkParams {
  int taps = 64;            // D: elements per Q/K vector (dot-product length)
  int q_bits = 12;          // signed two's-complement Q width
  int k_bits = 12;          // K word width
  int bits_per_cycle = 2;   // B: K bits consumed per cycle, most significant first
  int n_dpu = 6;            // N: dot-product units sharing the broadcast Q vector
  bool signmag = false;     // K encoding: false = two's complement, true = sign-magnitude
  int seq_len = 512;        // keys held in the key buffers (interleaved over the DPUs)

  int cycles_per_key() const { return k_bits / bits_per_cycle; }
  int keys_per_dpu() const { return (seq_len + n_dpu - 1) / n_dpu; }
  // Keys held by DPU n (key j lives in DPU j mod N at local index j div N).
  int keys_of_dpu(int n) const { return (seq_len - n + n_dpu - 1) / n_dpu; }
  // Signed width of an exact score: QW + KW - 1 + bit_width(D).
  int score_bits() const;
  // Signed width of the bound P + M and of the threshold.
  int bound_bits() const { return score_bits() + 1; }
  static constexpr int kFifoScoreBits = 24;

  static LeopardQkParams from(const ParamSet& set);
};

// Verification-only knobs of `accelgen verify leopard_qk`.
struct LeopardQkStimulus {
  std::string prune;     // "mixed" cycles 0/50/90/100 per Q vector; "random" draws Th uniformly
  std::string operands;  // "mixed" cycles random/min/max/extremes/sparse per Q vector

  static LeopardQkStimulus from(const ParamSet& set);
};

BlockInfo leopard_qk_block_info();

}  // namespace accelgen

namespace accelgen {

struct LeopardVpuParams {
  int taps = 64;       // D: MAC lanes (V vector length)
  int n_dpu = 6;       // N: dot-product units of the QK-PU feeding the score stream
  int v_bits = 16;     // signed V element width
  int seq_len = 512;   // V vectors held (keys per head)
  int exp_shift = 8;   // softmax scale: LUT index = (max - score) >> exp_shift

  static constexpr int kScoreBits = 24;
  static constexpr int kLutEntries = 512;
  static constexpr int kWeightBits = 16;
  int keys_per_dpu() const { return (seq_len + n_dpu - 1) / n_dpu; }
  int att_bits() const;    // 16 + v_bits + bit_width(seq_len)
  int sum_bits() const;    // 16 + bit_width(seq_len)
  int count_bits() const;  // bit_width(seq_len)

  static LeopardVpuParams from(const ParamSet& set);
};

struct LeopardVpuStimulus {
  std::string prune;     // kept fraction per row: "mixed" cycles 0/50/90/100%, or one of them
  std::string operands;  // V values and scores: "mixed", "random", "min", "max"
  int gap_percent = 0;   // chance of an idle cycle before a score beat

  static LeopardVpuStimulus from(const ParamSet& set);
};

BlockInfo leopard_vpu_block_info();

}  // namespace accelgen

namespace accelgen {

struct LeopardTileParams {
  int taps = 64, n_dpu = 6, v_bits = 16, seq_len = 512, exp_shift = 8;
  int bits_per_cycle = 2;  // B of the QK-PU
  bool signmag = false;    // K encoding of the QK-PU

  LeopardQkParams qk() const;    // 12-bit Q and K, B and K encoding as above
  LeopardVpuParams vpu() const;
  int fifo_depth() const { return 2 * qk().keys_per_dpu(); }

  static LeopardTileParams from(const ParamSet& set);
};

BlockInfo leopard_tile_block_info();

}  // namespace accelgen
