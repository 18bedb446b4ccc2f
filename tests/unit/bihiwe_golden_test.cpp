// BiHiWe's sign-magnitude partition arithmetic and the MS-WAGG golden model (batching, timing,
// ADC saturation) against direct arithmetic and hand-derived values.
#include <gtest/gtest.h>

#include "golden_model/bihiwe/bihiwe_model.hpp"
#include "golden_model/bitslice/bitslice.hpp"

namespace accelgen::golden {
namespace {

TEST(SignMagnitude, EveryInt8PairIsExact) {
  for (int64_t x = -128; x <= 127; ++x)
    for (int64_t w = -128; w <= 127; ++w) {
      SignMagnitudeDot d = sign_magnitude_dot(&x, &w, 1, 8, 2);
      int64_t sum = 0;
      for (size_t t = 0; t < d.pos.size(); ++t) {
        ASSERT_TRUE(d.pos[t] == 0 || d.neg[t] == 0);  // one pair has one sign
        ASSERT_LE(std::max(d.pos[t], d.neg[t]), 9);   // two 2-bit magnitudes
        sum += (d.pos[t] - d.neg[t]) << d.shift[t];
      }
      ASSERT_EQ(sum, x * w) << x << " * " << w;
    }
}

TEST(SignMagnitude, PartitionsByHand) {
  // -128 has magnitude 0b10'00'00'00: only partition 3 (value 2) is set; 7 = 0b00'00'01'11.
  int64_t x = -128, w = 7;
  SignMagnitudeDot d = sign_magnitude_dot(&x, &w, 1, 8, 2);
  EXPECT_EQ(d.neg[3 * 4 + 0], 2 * 3);  // j = 3, k = 0
  EXPECT_EQ(d.neg[3 * 4 + 1], 2 * 1);  // j = 3, k = 1
  EXPECT_EQ(d.pos[3 * 4 + 0], 0);
}

BihiweBeat beat(std::vector<int64_t> x, std::vector<int64_t> w, bool last, int64_t arrival = 0) {
  return {std::move(x), std::move(w), last, arrival};
}

TEST(BihiweGolden, BatchesCloseOnTheMthBeatOrTheLastOne) {
  BihiweParams p{2, 2, 0, 8};  // n = 2, m = 2
  // Vector A: 3 beats -> batches of 2 and 1; vector B: 1 beat.
  std::vector<BihiweBeat> beats = {beat({1, 2}, {3, 4}, false), beat({-5, 6}, {7, -8}, false),
                                   beat({100, -128}, {-128, -128}, true), beat({9, 0}, {9, 0}, true, 10)};
  auto out = predict_bihiwe(p, beats);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].result, 3 + 8 - 35 - 48 - 12800 + 16384);
  EXPECT_EQ(out[0].conversions.size(), 2u);
  EXPECT_EQ(out[0].conversions[0].cycle, 2);  // batch closed by the beat of cycle 1
  EXPECT_EQ(out[0].cycle, 2 + 3);             // closing beat in cycle 2, out 3 cycles later
  EXPECT_EQ(out[1].result, 81);
  EXPECT_EQ(out[1].cycle, 10 + 3);
}

TEST(BihiweGolden, AdcSaturationClipsEachConversion) {
  // n = 8, m = 32, all (-128)(-128): partition (3, 3) sums 32 beats * 8 lanes * (2*2) = 1024 into
  // Pos; a 10-bit ADC clips it to 511, so the result is 511 * 4^6 instead of 256 * 16384.
  BihiweParams exact{8, 32, 0, 8}, adc10{8, 32, 10, 8};
  std::vector<BihiweBeat> beats;
  for (int i = 0; i < 32; ++i) beats.push_back(beat(std::vector<int64_t>(8, -128), std::vector<int64_t>(8, -128), i == 31));
  EXPECT_EQ(predict_bihiwe(exact, beats)[0].result, 256 * 16384);
  auto clipped = predict_bihiwe(adc10, beats)[0];
  EXPECT_EQ(clipped.result, 511 * 4096);
  EXPECT_EQ(clipped.conversions[0].saturated, 1);
}

TEST(BihiweGolden, WidthsFollowTheWorstCase) {
  BihiweParams p{8, 32, 0, 8};
  EXPECT_EQ(p.lane_acc_bits(), 9);     // 32 * 9 = 288
  EXPECT_EQ(p.polarity_bits(), 12);    // 8 * 288 = 2304 (digest A.2.4)
  EXPECT_EQ(p.conversion_bits(), 13);  // signed difference
  EXPECT_EQ((BihiweParams{8, 32, 10, 8}).conversion_bits(), 10);
}

}  // namespace
}  // namespace accelgen::golden
