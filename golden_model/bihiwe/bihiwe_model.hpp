// Golden model of the `bihiwe` block, from the specification in golden_model/README.md ("bihiwe").
#pragma once

#include <cstdint>
#include <vector>

#include "common/bihiwe_params.hpp"

namespace accelgen::golden {

struct BihiweBeat {
  std::vector<int64_t> x, w;  // lanes elements each (zero-padded past the vector's end)
  bool last = false;          // last beat of its dot product
  int64_t arrival = 0;
};

struct BihiweConversion {
  int64_t cycle = 0;                  // cycle in which the conversion is computed (closing beat + 1)
  std::vector<int64_t> pos, neg;      // per MS-BPMACC (j*P + k), summed over lanes and beats
  std::vector<int64_t> value;         // pos - neg, saturated to adc_bits when set
  int saturated = 0;                  // how many of the values the ADC model clipped
};

struct BihiweOutput {
  int64_t cycle = 0;   // out_valid_o cycle
  int64_t result = 0;  // 32-bit two's complement
  std::vector<BihiweConversion> conversions;
};

inline constexpr int kBihiweLatency = 3;  // closing beat -> out_valid_o

std::vector<BihiweOutput> predict_bihiwe(const BihiweParams& p, const std::vector<BihiweBeat>& beats);

}  // namespace accelgen::golden
