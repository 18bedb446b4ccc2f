// Parameters of the `region_manager` block: Cocco's buffer region manager (ASPLOS '24, Fig. 8;
// spec in golden_model/README.md, section "region_manager").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

// Command opcodes on cmd_op_i.
enum class RegionOp : int { kAlloc = 0, kFree = 1, kTranslate = 2, kReserved = 3 };

struct RegionManagerParams {
  int regions = 64;            // N: entry pairs (start, end)
  int addr_bits = 17;          // A: physical word address width
  int64_t capacity_words = 0;  // C; 0 = 2^A
  int word_bits = 64;          // width of a buffer word (bytes <-> words only)

  static RegionManagerParams from(const ParamSet& set);

  int64_t capacity() const { return capacity_words > 0 ? capacity_words : int64_t{1} << addr_bits; }
  int id_bits() const;  // max(1, ceil(log2 N))
  int arg_bits() const { return addr_bits + 1; }
  int live_bits() const;  // ceil(log2(N + 1))
  int64_t table_bits() const {
    return int64_t{2} * regions * addr_bits;
  }                               // the paper's register file
  int64_t register_bits() const;  // every flip-flop of the block
};

struct RegionManagerStimulus {
  std::string stream;  // random | corners | mixed | cocco
  int gap_percent = 0;
  std::string model;      // stream=cocco: the workload
  std::string partition;  // stream=cocco: dp | greedy

  static RegionManagerStimulus from(const ParamSet& set);
};

BlockInfo region_manager_block_info();

}  // namespace accelgen
