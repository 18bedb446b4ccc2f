// The bit-slicing kernel and the CVU golden model against direct arithmetic and hand examples.
#include <gtest/gtest.h>

#include "golden_model/bitslice/bitslice.hpp"
#include "golden_model/cvu/cvu_model.hpp"

namespace accelgen::golden {
namespace {

TEST(BitSlice, SlicesByHand) {
  // 0b1011 = 11 unsigned: slices 3, 2; signed (-5): top slice 0b10 reads -2, so -2*4 + 3 = -5.
  EXPECT_EQ(to_slices(11, 4, 2, false), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(to_slices(-5, 4, 2, true), (std::vector<int64_t>{3, -2}));
  EXPECT_EQ(to_slices(-128, 8, 2, true), (std::vector<int64_t>{0, 0, 0, -2}));
  EXPECT_EQ(to_slices(127, 8, 4, true), (std::vector<int64_t>{15, 7}));
  EXPECT_EQ(to_slices(-1, 3, 1, true), (std::vector<int64_t>{1, 1, -1}));
}

// Eq. 3.3/3.4 must equal the plain dot product for every pair of values, every width, both signs.
TEST(BitSlice, SlicedDotEqualsDirectProductExhaustively) {
  for (int b : {1, 2, 4})
    for (int bx = b; bx <= 8; bx *= 2)
      for (int bw = b; bw <= 8; bw *= 2)
        for (bool sgn : {false, true}) {
          const int64_t xlo = sgn ? -(1 << (bx - 1)) : 0, xhi = sgn ? (1 << (bx - 1)) - 1 : (1 << bx) - 1;
          const int64_t wlo = sgn ? -(1 << (bw - 1)) : 0, whi = sgn ? (1 << (bw - 1)) - 1 : (1 << bw) - 1;
          for (int64_t x = xlo; x <= xhi; ++x)
            for (int64_t w = wlo; w <= whi; ++w) {
              SlicedDot d = sliced_dot(&x, &w, 1, bx, bw, b, sgn);
              ASSERT_EQ(d.result, x * w) << "b=" << b << " bx=" << bx << " bw=" << bw << " signed=" << sgn;
            }
        }
}

TEST(CvuGolden, FlexibleWidthExampleOfFigure32b) {
  // B = 4, b = 2, L = 2: in 4b x 2b mode the 4 NBVEs form G = 2 groups, so one operation is a
  // 4-element dot product (twice the 4b x 4b length), as in the thesis's Fig. 3.2(b).
  CvuParams p{2, 4, 2, true};
  EXPECT_EQ(p.groups(4, 2), 2);
  CvuOp op{1, 0, {7, -8, 3, -1}, {1, -2, -1, 1}, 0};
  CvuOutput o = cvu_compute(p, op);
  EXPECT_EQ(o.result, 7 * 1 + -8 * -2 + 3 * -1 + -1 * 1);
  ASSERT_EQ(o.nbve_sums.size(), 4u);
  // Group 0 (elements 0, 1): x slices of 7 = (3, 1), of -8 = (0, -2); w slices 1, -2.
  EXPECT_EQ(o.nbve_sums[0], 3 * 1 + 0 * -2);  // j = 0
  EXPECT_EQ(o.nbve_sums[1], 1 * 1 + -2 * -2); // j = 1
  EXPECT_EQ(o.nbve_shifts, (std::vector<int>{0, 2, 0, 2}));
}

TEST(CvuGolden, IllegalModesGiveZeroAndTimingIsThreeCycles) {
  CvuParams p{2, 8, 1, true};  // levels 2, 4, 8: encoding 3 is illegal
  EXPECT_EQ(p.levels(), 3);
  EXPECT_FALSE(cvu_mode_legal(p, 3, 0));
  std::vector<CvuOp> ops = {{3, 0, {}, {}, 0}, {2, 2, {-128}, {-128}, 0}, {2, 2, {127}, {-128}, 5}};
  auto out = predict_cvu(p, ops);
  EXPECT_EQ(out[0].result, 0);
  EXPECT_EQ(out[0].cycle, 3);
  EXPECT_EQ(out[1].result, 16384);
  EXPECT_EQ(out[1].cycle, 4);
  EXPECT_EQ(out[2].cycle, 8);  // offered at cycle 5
}

TEST(CvuGolden, ResultWidthCoversTheWorstMode) {
  // 16 lanes of (-128)(-128) = 262144 needs 19 magnitude bits + sign = 20 (digest B.2).
  EXPECT_EQ((CvuParams{2, 8, 16, true}).result_bits(), 20);
  // Unsigned 8b: 16 * 255 * 255 = 1040400 -> 20 bits + sign.
  EXPECT_EQ((CvuParams{2, 8, 16, false}).result_bits(), 21);
  // b = 1, B = 2, L = 1, unsigned: 1b x 1b has G = 4 groups: 4 * 1 * 1 = 4 < 2b x 2b's 3 * 3 = 9.
  EXPECT_EQ((CvuParams{1, 2, 1, false}).result_bits(), 5);
}

}  // namespace
}  // namespace accelgen::golden
