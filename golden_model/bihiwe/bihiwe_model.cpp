#include "golden_model/bihiwe/bihiwe_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "golden_model/arith.hpp"
#include "golden_model/bitslice/bitslice.hpp"

namespace accelgen::golden {

std::vector<BihiweOutput> predict_bihiwe(const BihiweParams& p, const std::vector<BihiweBeat>& beats) {
  const int n = p.lanes, P = p.partitions();
  std::vector<BihiweOutput> outs;
  BihiweOutput current;
  uint64_t vector_sum = 0;  // the MS-WAGG output register, modulo 2^32
  std::vector<int64_t> batch_x, batch_w;
  int batch_beats = 0;
  int64_t last = -1;
  for (const BihiweBeat& beat : beats) {
    if (beat.x.size() != static_cast<size_t>(n) || beat.w.size() != beat.x.size())
      throw std::invalid_argument("a BiHiWe beat has lanes elements per operand");
    last = std::max(beat.arrival, last + 1);
    batch_x.insert(batch_x.end(), beat.x.begin(), beat.x.end());
    batch_w.insert(batch_w.end(), beat.w.begin(), beat.w.end());
    if (++batch_beats < p.acc_cycles && !beat.last) continue;
    // The batch closes: convert in the next cycle, shift-add in the one after.
    SignMagnitudeDot d = sign_magnitude_dot(batch_x.data(), batch_w.data(), static_cast<int>(batch_x.size()),
                                            p.max_bits, kBihiwePartitionBits);
    BihiweConversion conv{last + 1, d.pos, d.neg, {}, 0};
    for (int t = 0; t < P * P; ++t) {
      const int64_t exact = d.pos[t] - d.neg[t];
      const int64_t v = p.adc_bits > 0 ? saturate_signed(exact, p.adc_bits) : exact;
      conv.saturated += v != exact;
      conv.value.push_back(v);
      vector_sum += static_cast<uint64_t>(v) << d.shift[t];
    }
    current.conversions.push_back(std::move(conv));
    batch_x.clear();
    batch_w.clear();
    batch_beats = 0;
    if (beat.last) {
      current.cycle = last + kBihiweLatency;
      current.result = wrap_signed(vector_sum, kBihiweOutBits);
      outs.push_back(std::move(current));
      current = BihiweOutput{};
      vector_sum = 0;
    }
  }
  return outs;
}

}  // namespace accelgen::golden
