// The cvu_array golden model (scratchpad read timing, accumulation, latency) by hand, and the
// GEMM lowering checked by running its program through the golden model against direct products.
#include <gtest/gtest.h>

#include <random>

#include "compiler/cvu_array/gemm_lowering.hpp"
#include "golden_model/cvu_array/cvu_array_model.hpp"

namespace accelgen::golden {
namespace {

CvuArrayParams small(int rows, int cols) {
  CvuArrayParams p;
  p.rows = rows;
  p.cols = cols;
  p.cvu = CvuParams{2, 4, 1, true};  // bus = 1 * 16 / 2 = 8 bits; 4b x 4b has G = 1
  p.acc_bits = 32;
  p.wbuf_depth = 4;
  return p;
}

BusWord word(int64_t a, int bits, int64_t b = 0) {
  BusWord w(1, 0);
  compiler::put_bus_element(w, 0, bits, a);
  if (bits <= 4) compiler::put_bus_element(w, 1, bits, b);
  return w;
}

TEST(CvuArrayGolden, ReadsSeeOnlyEarlierWritesAndAccumulate) {
  CvuArrayParams p = small(1, 1);
  // Mode (1, 1) = 4b x 4b. The write of cycle 5 is not visible to the operation issued in
  // cycle 4 (row 0 reads in cycle 5), only to the one issued in cycle 5.
  std::vector<CvuArrayWrite> writes = {{0, 0, 0, 2, word(-2, 4)}, {5, 0, 0, 2, word(5, 4)}};
  std::vector<CvuArrayOp> ops = {{4, 1, 1, 2, false, {word(3, 4)}}, {5, 1, 1, 2, true, {word(3, 4)}}};
  auto out = predict_cvu_array(p, writes, ops);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].y[0], 3 * -2 + 3 * 5);
  EXPECT_EQ(out[0].cycle, 5 + p.latency());
  EXPECT_EQ(p.latency(), 1 + 5);
}

TEST(CvuArrayGolden, LoweredGemmsReproduceDirectProductsInEveryMode) {
  CvuArrayParams p = small(2, 3);
  p.cvu.lanes = 2;
  std::mt19937_64 rng(5);
  for (int mx = 0; mx < p.cvu.levels(); ++mx)
    for (int mw = 0; mw < p.cvu.levels(); ++mw) {
      const int bx = p.cvu.width_of_level(mx), bw = p.cvu.width_of_level(mw);
      compiler::CvuGemm g{mx, mw, 3, 2 * compiler::cvu_array_k_per_op(p, mx, mw) + 1, 4, {}, {}};
      auto value = [&](int bits) {
        return std::uniform_int_distribution<int64_t>(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)(rng);
      };
      for (int64_t i = 0; i < g.M * g.K; ++i) g.x.push_back(value(bx));
      for (int64_t i = 0; i < g.K * g.N; ++i) g.w.push_back(value(bw));
      auto prog = compiler::lower_gemms(p, {g});
      auto out = predict_cvu_array(p, prog.writes, prog.ops);
      ASSERT_EQ(out.size(), prog.outputs.size());
      for (size_t i = 0; i < out.size(); ++i) {
        const auto& ref = prog.outputs[i];
        for (int c = 0; c < p.cols && ref.n0 + c < g.N; ++c) {
          int64_t direct = 0;
          for (int64_t k = 0; k < g.K; ++k) direct += g.x[ref.m * g.K + k] * g.w[k * g.N + ref.n0 + c];
          ASSERT_EQ(out[i].y[c], direct) << "mode " << bx << "x" << bw;
        }
      }
    }
}

TEST(CvuArrayGolden, WiderModesTakeProportionallyFewerOperations) {
  CvuArrayParams p = small(2, 2);
  p.cvu = CvuParams{2, 8, 4, true};
  // K per operation = rows * G * lanes: 8 for 8b x 8b, 4x that for 4b x 4b (G = 4), 16x for 2b x 2b.
  EXPECT_EQ(compiler::cvu_array_k_per_op(p, 2, 2), 8);
  EXPECT_EQ(compiler::cvu_array_k_per_op(p, 1, 1), 32);
  EXPECT_EQ(compiler::cvu_array_k_per_op(p, 0, 0), 128);
}

}  // namespace
}  // namespace accelgen::golden
