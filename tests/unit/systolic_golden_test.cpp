// The systolic golden model against hand-computed values and the timing rules of
// golden_model/README.md applied by hand.
#include <gtest/gtest.h>

#include "golden_model/systolic/systolic_model.hpp"

namespace accelgen::golden {
namespace {

TEST(SystolicGolden, WrapSigned) {
  EXPECT_EQ(wrap_signed(255, 8), -1);
  EXPECT_EQ(wrap_signed(128, 8), -128);
  EXPECT_EQ(wrap_signed(127, 8), 127);
  EXPECT_EQ(wrap_signed(0x80000000ull, 32), -2147483648LL);
  EXPECT_EQ(wrap_signed(static_cast<uint64_t>(-5), 64), -5);
  EXPECT_EQ(wrap_signed(0x1234, 8), 0x34);
}

TEST(SystolicGolden, GemmReferenceByHand) {
  // [1 -2; 3 4] * [5 6; -7 8] = [19 -10; -13 50]
  EXPECT_EQ(gemm_reference(2, 2, 2, {1, -2, 3, 4}, {5, 6, -7, 8}, 32), (std::vector<int64_t>{19, -10, -13, 50}));
  // Overflow wraps: three products of (-128)(-128) = 49152 reads back as -16384 in 16 bits.
  EXPECT_EQ(gemm_reference(1, 3, 1, {-128, -128, -128}, {-128, -128, -128}, 16), (std::vector<int64_t>{-16384}));
}

SystolicTile tile_of(int rows, int cols, int m, int64_t value = 0) {
  SystolicTile t;
  t.weights.assign(rows * cols, value);
  t.vectors.assign(m, std::vector<int64_t>(rows, value));
  t.w_arrival.assign(rows, 0);
  t.x_arrival.assign(m, 0);
  return t;
}

TEST(SystolicGolden, SingleTileValuesAndCycles) {
  SystolicParams p{2, 2, 8, 32};
  SystolicTile t = tile_of(2, 2, 3);
  t.weights = {1, 2, 3, 4};                    // w[0][*] = 1 2, w[1][*] = 3 4
  t.vectors = {{1, 1}, {-1, 2}, {127, -128}};  // y = x0*w0 + x1*w1 per column
  SystolicPrediction pred = predict_systolic(p, {t});
  ASSERT_EQ(pred.outputs.size(), 3u);
  EXPECT_EQ(pred.outputs[0].y, (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(pred.outputs[1].y, (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(pred.outputs[2].y, (std::vector<int64_t>{127 - 384, 254 - 512}));
  // Beats at cycles 0 and 1; vectors at 2, 3, 4; latency rows+cols+1 = 5.
  EXPECT_EQ(pred.outputs[0].cycle, 7);
  EXPECT_EQ(pred.outputs[2].cycle, 9);
  EXPECT_EQ(pred.cycles, 10);
}

TEST(SystolicGolden, BackToBackTilesCostMCyclesEach) {
  // With M >= 2*rows - 2 the next tile's weights load under the current tile: cycles =
  // rows (first load) + tiles*M + rows + cols + 1.
  SystolicParams p{4, 3, 8, 32};
  const int tiles = 5, m = 6;
  std::vector<SystolicTile> ts(tiles, tile_of(4, 3, m));
  EXPECT_EQ(predict_systolic(p, ts).cycles, 4 + tiles * m + 4 + 3 + 1);
}

TEST(SystolicGolden, ShortTilesWaitForWeightLoads) {
  // M = 1: every tile waits for its own 4-beat load, so vectors issue at 4, 8, 12.
  SystolicParams p{4, 2, 8, 32};
  std::vector<SystolicTile> ts(3, tile_of(4, 2, 1));
  EXPECT_EQ(predict_systolic(p, ts).cycles, 12 + 4 + 2 + 1 + 1);
}

TEST(SystolicGolden, BankReuseWaitsForTheBottomRow) {
  // rows 4, M 3: tile 0 loads 0-3, computes 4-6; tile 1 loads 4-7, computes 8-10; tile 2 reuses
  // bank 0, free at 6 + 3 = 9, so loads 9-12 (not 8-11) and computes 13-15; tile 3's bank is
  // free at 10 + 3 = 13: loads 13-16, computes 17-19. Last output: 19 + 4 + 1 + 1 = 25.
  SystolicParams p{4, 1, 8, 32};
  std::vector<SystolicTile> ts(4, tile_of(4, 1, 3));
  EXPECT_EQ(predict_systolic(p, ts).outputs.back().cycle, 25);
}

TEST(SystolicGolden, ArrivalsDelayHandshakes) {
  SystolicParams p{1, 1, 8, 32};
  SystolicTile t = tile_of(1, 1, 2, 3);
  t.w_arrival = {5};
  t.x_arrival = {0, 10};
  SystolicPrediction pred = predict_systolic(p, {t});
  EXPECT_EQ(pred.outputs[0].cycle, 6 + 3);   // weight at 5, first vector at 6
  EXPECT_EQ(pred.outputs[1].cycle, 10 + 3);  // second vector offered at 10
  EXPECT_EQ(pred.outputs[1].y, (std::vector<int64_t>{9}));
}

TEST(SystolicGolden, LargeGemmReachesPeakUtilization) {
  // SYSTEM.md: >= 98% of peak MACs on large GEMMs. 1024x64x64 on 16x16 = 16 tiles of 1024 vectors.
  SystolicParams p{16, 16, 8, 32};
  std::vector<SystolicTile> ts(16, tile_of(16, 16, 1024));
  const int64_t cycles = predict_systolic(p, ts).cycles;
  const double utilization = 1024.0 * 64 * 64 / (double(cycles) * 16 * 16);
  EXPECT_GE(utilization, 0.98) << cycles;
}

TEST(SystolicGolden, RejectsMalformedTiles) {
  SystolicParams p{2, 2, 8, 32};
  SystolicTile t = tile_of(2, 2, 1);
  t.w_arrival = {0};
  EXPECT_THROW(predict_systolic(p, {t}), std::invalid_argument);
}

}  // namespace
}  // namespace accelgen::golden
