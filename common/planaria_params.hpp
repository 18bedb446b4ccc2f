// Parameters of the `planaria` block: omni-directional systolic subarrays with dynamic fission and
// fission pods (specification: golden_model/README.md, "planaria").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/block_info.hpp"

namespace accelgen {

struct PlanariaParams {
  int sub_rows = 32;   // R: PE rows of one subarray (reduction elements)
  int sub_cols = 32;   // C: PE columns of one subarray (output elements)
  int subarrays = 16;  // S: subarrays in ring order (a power of two)
  int pods = 4;        // P: fission pods of S/P >= 2 subarrays each (a power of two)
  int in_bits = 8;     // signed activation and weight width
  int acc_bits = 32;   // signed accumulator width; sums wrap modulo 2^acc_bits

  int per_pod() const { return subarrays / pods; }  // Q
  static PlanariaParams from(const ParamSet& set);
};

// A homogeneous fission configuration: k logical arrays of (i*R) x (j*C) PEs.
struct FissionShape {
  int i = 1;  // subarrays along the reduction (partial-sum chain length; PSR)
  int j = 1;  // subarrays along the outputs (IAR)
  int k = 1;  // clusters (parallelism P)
  bool operator==(const FissionShape&) const = default;
};

// "RxCxk" in PEs of this configuration (Table 5.2's `64x128x2` at 32 x 32 subarrays); UserError
// when malformed, not a multiple of the subarray size, or larger than the array.
FissionShape parse_fission(const std::string& text, const PlanariaParams& p);
// Writes a shape back as "RxCxk".
std::string fission_name(const FissionShape& s, const PlanariaParams& p);
// Every shape with i, j powers of two and i*j dividing S, k = S/(i*j) (Table 5.2: 15 for S = 16),
// ordered by k, then i.
std::vector<FissionShape> homogeneous_shapes(int subarrays);

// Verification-only knobs of `accelgen verify planaria`.
struct PlanariaStimulus {
  std::string fission;   // "all", "mixed", or one "RxCxk"
  int64_t m = 0;         // activation vectors per GEMM; 0 = random
  std::string operands;  // "mixed" cycles random/min/max/alternating/extremes per GEMM

  static PlanariaStimulus from(const ParamSet& set);
};

BlockInfo planaria_block_info();

}  // namespace accelgen
