// Tandem operation templates (compiler/tandem) against double-precision references written from
// the ONNX operator definitions. Each compiled program (DAE loads and stores included) runs on the
// golden simulator, which also enforces the spacing rule; outputs are dequantized and compared
// with a stated bound. Shapes include sizes that are not multiples of the lane count and sizes
// that need several tiles (small buffer depths make tiling cheap to exercise).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "common/error.hpp"
#include "compiler/tandem/golden_run.hpp"
#include "compiler/tandem/ops.hpp"
#include "compiler/tandem/program.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::compiler::tandem {
namespace {

using Shape = std::vector<int64_t>;

// Seeded int8 data with the corners -128, -1, 0, 1, 127 at the front.
std::vector<int32_t> Int8Data(int64_t n, uint32_t seed, int lo = -128, int hi = 127) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int32_t> v(n);
  const int corners[] = {lo, hi, 0, -1, 1};
  for (int64_t i = 0; i < n; ++i) v[i] = i < 5 ? std::clamp(corners[i], lo, hi) : d(rng);
  return v;
}

double Deq(int32_t q, QParams p) { return p.scale * (q - p.zero_point); }

// Largest |dequantized output − reference| in units of the output scale; the reference is
// clamped to what int8 at that scale can represent.
double MaxErrorLsb(const std::vector<int32_t>& got, const std::vector<double>& ref, QParams y) {
  EXPECT_EQ(got.size(), ref.size());
  const double lo = Deq(-128, y), hi = Deq(127, y);
  double worst = 0;
  for (size_t i = 0; i < got.size() && i < ref.size(); ++i) {
    EXPECT_GE(got[i], -128);
    EXPECT_LE(got[i], 127);
    worst = std::max(worst, std::fabs(Deq(got[i], y) - std::clamp(ref[i], lo, hi)) / y.scale);
  }
  return worst;
}

const std::vector<TandemTarget> kTargets = {{8, 64}, {32, 64}};

void ExpectListingAssembles(const CompiledOp& op) {
  EXPECT_EQ(isa::tandem::Assemble(op.tasm, op.name), op.program) << op.name;
}

// --- element-wise ---------------------------------------------------------------------------

const std::vector<Shape> kEltShapes = {{1}, {7}, {3, 5, 7}, {2, 700}, {1, 3, 33, 29}};

void CheckUnary(const std::function<CompiledOp(const TandemTarget&, const Shape&)>& compile,
                const std::function<double(double)>& ref_fn, QParams x, QParams y, double bound_lsb,
                uint32_t seed) {
  for (const TandemTarget& t : kTargets) {
    for (const Shape& s : kEltShapes) {
      const CompiledOp op = compile(t, s);
      const auto in = Int8Data(ElementCount(s), seed++);
      const GoldenRun run = RunOnGolden(op, {in});
      std::vector<double> ref(in.size());
      for (size_t i = 0; i < in.size(); ++i) ref[i] = ref_fn(Deq(in[i], x));
      const double err = MaxErrorLsb(run.outputs[0], ref, y);
      EXPECT_LE(err, bound_lsb) << op.name << " lanes " << t.lanes << " n " << in.size() << " seed "
                                << seed - 1;
      ExpectListingAssembles(op);
    }
  }
}

TEST(TandemCompiler, ReluIsExact) {
  fmt::print("seed 100\n");
  const QParams x{0.05, 0};
  CheckUnary([&](const TandemTarget& t, const Shape& s) { return CompileRelu(t, s, x); },
             [](double v) { return std::max(v, 0.0); }, x, x, 0.0, 100);
  const QParams xz{0.05, -20};  // non-zero zero point: max(q, zp)
  CheckUnary([&](const TandemTarget& t, const Shape& s) { return CompileRelu(t, s, xz); },
             [](double v) { return std::max(v, 0.0); }, xz, xz, 0.0, 150);
}

TEST(TandemCompiler, LeakyReluWithinOneLsb) {
  // alpha·x floors once: below 1 LSB, plus alpha's Q16 rounding (|x| <= 128 levels times
  // 2^-17: 0.001 LSB).
  fmt::print("seed 200\n");
  const QParams x{0.1, 0};
  for (double alpha : {0.01, 0.1, 0.5}) {
    CheckUnary(
        [&](const TandemTarget& t, const Shape& s) { return CompileLeakyRelu(t, s, x, alpha); },
        [&](double v) { return v < 0 ? alpha * v : v; }, x, x, 1.001, 200);
  }
}

TEST(TandemCompiler, ClipWithinHalfLsb) {
  // Bounds are rounded to the nearest level: at most half an LSB, elsewhere exact.
  fmt::print("seed 300\n");
  const QParams x{0.1, 3};
  CheckUnary(
      [&](const TandemTarget& t, const Shape& s) { return CompileClip(t, s, x, -2.02, 6.0); },
      [](double v) { return std::clamp(v, -2.02, 6.0); }, x, x, 0.5 + 1e-9, 300);
}

TEST(TandemCompiler, CastIsExactFloorWithSaturation) {
  // int32 in Q8 to int8 in Q2: floor(x / 2^6), saturated to int8; the reference is that exactly.
  fmt::print("seed 400\n");
  for (const TandemTarget& t : kTargets) {
    for (const Shape& s : kEltShapes) {
      const CompiledOp op = CompileCast(t, s, 8, 2);
      std::mt19937 rng(400 + ElementCount(s));
      std::uniform_int_distribution<int32_t> d(-20000, 20000);
      std::vector<int32_t> in(ElementCount(s));
      for (auto& v : in) v = d(rng);
      in[0] = INT32_MIN;
      if (in.size() > 1) in[1] = INT32_MAX;
      const auto got = RunOnGolden(op, {in}).outputs[0];
      for (size_t i = 0; i < in.size(); ++i) {
        const double ref = std::clamp(std::floor(in[i] / 64.0), -128.0, 127.0);
        ASSERT_EQ(got[i], ref) << "element " << i << " of " << in[i];
      }
      ExpectListingAssembles(op);
    }
  }
}

void CheckBinary(Binary kind, QParams a, QParams b, QParams y, double bound_lsb, uint32_t seed) {
  for (const TandemTarget& t : kTargets) {
    for (const Shape& s : kEltShapes) {
      const CompiledOp op = CompileBinary(t, kind, s, a, b, y);
      const auto va = Int8Data(ElementCount(s), seed++), vb = Int8Data(ElementCount(s), seed++);
      const auto got = RunOnGolden(op, {va, vb}).outputs[0];
      std::vector<double> ref(va.size());
      for (size_t i = 0; i < va.size(); ++i) {
        const double p = Deq(va[i], a), q = Deq(vb[i], b);
        ref[i] = kind == Binary::kAdd ? p + q : (kind == Binary::kSub ? p - q : p * q);
      }
      EXPECT_LE(MaxErrorLsb(got, ref, y), bound_lsb)
          << op.name << " lanes " << t.lanes << " n " << va.size();
    }
  }
}

TEST(TandemCompiler, AddSubWithinHalfLsb) {
  // Integer sum at scale 2^-s·sy with 22-bit multipliers, one rounding shift: 0.5 LSB plus the
  // multipliers' relative error 2^-21 (about 0.02 LSB at these scales).
  fmt::print("seed 500\n");
  CheckBinary(Binary::kAdd, {0.05, 0}, {0.03, 0}, {0.08, 0}, 0.52, 500);
  CheckBinary(Binary::kAdd, {0.02, 10}, {0.07, -5}, {0.06, -3}, 0.52, 520);
  CheckBinary(Binary::kSub, {0.04, 2}, {0.05, 0}, {0.09, 1}, 0.52, 540);
}

TEST(TandemCompiler, MulWithinOneLsb) {
  // Exact integer product, then the gemmlowp requantization: one floor and round half up, below
  // 1 LSB in total (m0 has 31 bits).
  fmt::print("seed 600\n");
  CheckBinary(Binary::kMul, {0.05, 0}, {0.04, 0}, {0.1, 0}, 1.0, 600);
  CheckBinary(Binary::kMul, {0.02, 7}, {0.03, -9}, {0.02, 4}, 1.0, 620);
}

// GELU(x) = x/2 · (1 + erf(x/√2)) (ONNX Gelu, approximate = "none").
double Gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
// I-BERT's real-valued i-GELU (the polynomial alone, no integer effects): the approximation error.
double IGeluReal(double x) {
  constexpr double a = -0.2888, b = -1.769;
  const double u = x / std::sqrt(2.0);
  const double l =
      (u < 0 ? -1 : (u > 0 ? 1 : 0)) * (a * std::pow(std::min(std::fabs(u), -b) + b, 2) + 1);
  return 0.5 * x * (1 + l);
}

TEST(TandemCompiler, GeluWithinIBertApproximation) {
  // Bound: I-BERT's polynomial error (max over the input range, computed below in real
  // arithmetic) + 1 LSB of output requantization + 1 LSB for the integer constants qb, qc, q1
  // (floors of b/S', 1/(aS'²)).
  fmt::print("seed 700\n");
  const QParams x{1.0 / 16, 0}, y{1.0 / 16, 0};
  double poly = 0;
  for (int q = -128; q <= 127; ++q)
    poly = std::max(poly, std::fabs(IGeluReal(q * x.scale) - Gelu(q * x.scale)));
  fmt::print("i-GELU polynomial error on the input grid: {:.4f} ({:.2f} LSB)\n", poly,
             poly / y.scale);
  // Every int8 input once, on each target, plus a tiled shape.
  std::vector<int32_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = i - 128;
  for (const TandemTarget& t : kTargets) {
    for (const Shape& s : std::vector<Shape>{{256}, {5, 300}, {3001}}) {
      const CompiledOp op = CompileGelu(t, s, x, y);
      const auto in = s[0] == 256 ? all : Int8Data(ElementCount(s), 700);
      const auto got = RunOnGolden(op, {in}).outputs[0];
      std::vector<double> ref(in.size());
      for (size_t i = 0; i < in.size(); ++i) ref[i] = Gelu(Deq(in[i], x));
      const double err = MaxErrorLsb(got, ref, y);
      fmt::print("Gelu lanes {} n {}: max error {:.3f} LSB\n", t.lanes, in.size(), err);
      EXPECT_LE(err, poly / y.scale + 2.0);
    }
  }
}

// --- reductions -----------------------------------------------------------------------------

TEST(TandemCompiler, ReduceMeanAndGlobalAveragePoolWithinOneLsb) {
  // Exact integer sum, one requantization by sx/(K·sy): below 1 LSB.
  fmt::print("seed 800\n");
  const QParams x{0.05, 4}, y{0.02, -2};
  for (const TandemTarget& t : kTargets) {
    for (const auto& [m, k] : std::vector<std::pair<int64_t, int64_t>>{
             {1, 1}, {5, 7}, {45, 13}, {70, 64}, {3, 33}, {11, 200}}) {  // K = 200: split
      const CompiledOp op = CompileReduceMean(t, m, k, x, y);
      const auto in = Int8Data(m * k, 800 + m);
      const auto got = RunOnGolden(op, {in}).outputs[0];
      std::vector<double> ref(m, 0);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < k; ++j) ref[i] += Deq(in[i * k + j], x) / k;
      }
      EXPECT_LE(MaxErrorLsb(got, ref, y), 1.0) << "lanes " << t.lanes << " M " << m << " K " << k;
    }
    // GlobalAveragePool: NCHW, one output per (n, c).
    const Shape nchw{2, 19, 9, 10};  // 90 > 64 rows: split reduction
    const CompiledOp op = CompileGlobalAveragePool(t, nchw, x, y);
    const auto in = Int8Data(ElementCount(nchw), 850);
    const auto got = RunOnGolden(op, {in}).outputs[0];
    std::vector<double> ref(2 * 19, 0);
    for (int64_t p = 0; p < 2 * 19; ++p) {
      for (int64_t j = 0; j < 90; ++j) ref[p] += Deq(in[p * 90 + j], x) / 90;
    }
    EXPECT_LE(MaxErrorLsb(got, ref, y), 1.0) << "GlobalAveragePool lanes " << t.lanes;
    ExpectListingAssembles(op);
  }
}

TEST(TandemCompiler, ReductionThatDoesNotFitIsRejected) {
  EXPECT_THROW(CompileSoftmax({8, 64}, 4, 100, {0.1, 0}), UserError);
  EXPECT_THROW(CompileLayerNorm({8, 64}, 4, 30, {}, {}, {}), UserError);  // X, gamma, beta: 90 rows
  // One output row of a 3x3 window over a 100-wide plane needs 300 rows.
  EXPECT_THROW(CompileMaxPool({8, 64}, {1, 1, 4, 100}, {3, 3, 1, 1}, {}), UserError);
}

// Softmax(axis = -1): exp(x − max) / Σ exp(x − max).
TEST(TandemCompiler, SoftmaxWithinIBertApproximation) {
  // Output scale 1/256 (zero point −128). Bound: 1 LSB for the truncating DIV + 1 LSB for the
  // i-exp error. With exp_i·(1 + δ_i) in place of exp_i, p_i moves by at most p_i(1 − p_i)·Δ ≤ Δ/4,
  // Δ = max δ − min δ; I-BERT's polynomial gives Δ ≈ 0.56% (computed below), i.e. ≤ 0.36 LSB;
  // ln2 at the upscaled scale 1/256 (0.2% per halving) and the integer floors add the rest.
  fmt::print("seed 900\n");
  double dmin = 1, dmax = -1;
  for (int i = 0; i <= 1000; ++i) {
    const double p = -std::log(2.0) * i / 1000;
    const double d = (0.3585 * std::pow(p + 1.353, 2) + 0.344) / std::exp(p) - 1;
    dmin = std::min(dmin, d);
    dmax = std::max(dmax, d);
  }
  fmt::print("i-exp relative error on [-ln2, 0]: {:.4f} .. {:.4f}\n", dmin, dmax);
  EXPECT_LT(dmax - dmin, 0.01);
  const QParams x{1.0 / 16, 0}, y{1.0 / 256, -128};
  for (const TandemTarget& t : kTargets) {
    for (const auto& [m, k] :
         std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 10}, {37, 16}, {20, 64}}) {
      const CompiledOp op = CompileSoftmax(t, m, k, x);
      const auto in = Int8Data(m * k, 900 + k);
      const auto got = RunOnGolden(op, {in}).outputs[0];
      std::vector<double> ref(m * k);
      for (int64_t i = 0; i < m; ++i) {
        double mx = -1e9, sum = 0;
        for (int64_t j = 0; j < k; ++j) mx = std::max(mx, Deq(in[i * k + j], x));
        for (int64_t j = 0; j < k; ++j) sum += std::exp(Deq(in[i * k + j], x) - mx);
        for (int64_t j = 0; j < k; ++j) ref[i * k + j] = std::exp(Deq(in[i * k + j], x) - mx) / sum;
      }
      const double err = MaxErrorLsb(got, ref, y);
      fmt::print("Softmax lanes {} M {} K {}: max error {:.3f} LSB\n", t.lanes, m, k, err);
      EXPECT_LE(err, 2.0);
    }
  }
}

// LayerNormalization(axis = -1): (x − mean)/sqrt(var + epsilon) · gamma + beta.
TEST(TandemCompiler, LayerNormWithinTwoLsb) {
  // Bound: 1 LSB requantization + 1 LSB for the integer square root (floor, relative error
  // < 1/sqrt(V)), the Q12 normalised value and the variance shift.
  fmt::print("seed 1000\n");
  const QParams x{0.05, 3}, g{0.02, 0}, y{0.05, 0};
  for (const TandemTarget& t : kTargets) {
    for (const auto& [m, k] : std::vector<std::pair<int64_t, int64_t>>{{3, 8}, {37, 16}, {5, 20}}) {
      const double eps = k == 20 ? 1.0 : 1e-5;  // the ONNX default, and one that matters
      const CompiledOp op = CompileLayerNorm(t, m, k, x, g, y, eps);
      const auto in = Int8Data(m * k, 1000 + k);
      const auto gamma = Int8Data(k, 1001 + k, 20, 127);
      std::mt19937 rng(1002 + k);
      std::uniform_int_distribution<int32_t> bd(-40000, 40000);
      std::vector<int32_t> beta(k);
      for (auto& v : beta) v = bd(rng);
      const auto got = RunOnGolden(op, {in, gamma, beta}).outputs[0];
      std::vector<double> ref(m * k);
      for (int64_t i = 0; i < m; ++i) {
        double mean = 0, var = 0;
        for (int64_t j = 0; j < k; ++j) mean += Deq(in[i * k + j], x) / k;
        for (int64_t j = 0; j < k; ++j) var += std::pow(Deq(in[i * k + j], x) - mean, 2) / k;
        for (int64_t j = 0; j < k; ++j) {
          ref[i * k + j] =
              (Deq(in[i * k + j], x) - mean) / std::sqrt(var + eps) * g.scale * gamma[j] +
              beta[j] * g.scale / 4096.0;
        }
      }
      const double err = MaxErrorLsb(got, ref, y);
      fmt::print("LayerNorm lanes {} M {} K {}: max error {:.3f} LSB\n", t.lanes, m, k, err);
      EXPECT_LE(err, 2.0);
    }
  }
}

// --- windows --------------------------------------------------------------------------------

struct WindowCase {
  Shape nchw;
  Window w;
};
const std::vector<WindowCase> kWindowCases = {
    {{1, 3, 4, 4}, {2, 2, 2, 2}},
    {{2, 5, 7, 7}, {3, 3, 2, 2}},
    {{1, 40, 5, 6}, {2, 3, 1, 2}},
    {{1, 9, 3, 3}, {3, 3, 1, 1}},
    {{1, 3, 20, 9}, {3, 3, 2, 2}}};  // 180 rows per plane: bands of output rows
// With symmetric padding (MaxPool and depthwise Conv only).
const std::vector<WindowCase> kPaddedCases = {{{1, 6, 6, 5}, {3, 3, 2, 2, 1, 1}},
                                              {{2, 5, 4, 5}, {3, 3, 1, 1, 1, 1}},
                                              {{1, 11, 5, 3}, {2, 3, 1, 2, 1, 2}},
                                              {{2, 5, 12, 10}, {3, 3, 1, 1, 1, 1}}};  // banded

// ONNX pooling: output (oh, ow) covers padded rows oh·sh .. + kh − 1 (columns likewise); `fold`
// gets the in-bounds elements only (pads are ignored by MaxPool).
template <typename F>
std::vector<double> PoolRef(const WindowCase& c, const std::vector<int32_t>& in, QParams x,
                            F fold) {
  const int64_t h = c.nchw[2], w = c.nchw[3];
  const int64_t oh = (h + 2 * c.w.ph - c.w.kh) / c.w.sh + 1,
                ow = (w + 2 * c.w.pw - c.w.kw) / c.w.sw + 1;
  std::vector<double> out;
  for (int64_t p = 0; p < c.nchw[0] * c.nchw[1]; ++p) {
    for (int64_t i = 0; i < oh; ++i) {
      for (int64_t j = 0; j < ow; ++j) {
        std::vector<double> win;
        for (int a = 0; a < c.w.kh; ++a) {
          for (int b = 0; b < c.w.kw; ++b) {
            const int64_t r = i * c.w.sh + a - c.w.ph, q = j * c.w.sw + b - c.w.pw;
            if (r >= 0 && r < h && q >= 0 && q < w) win.push_back(Deq(in[(p * h + r) * w + q], x));
          }
        }
        out.push_back(fold(win));
      }
    }
  }
  return out;
}

TEST(TandemCompiler, MaxPoolIsExactAndAveragePoolWithinOneLsb) {
  fmt::print("seed 1100\n");
  const QParams x{0.1, -3}, y{0.05, 2};
  for (const TandemTarget& t : kTargets) {
    for (const WindowCase& c : kWindowCases) {
      const auto in = Int8Data(ElementCount(c.nchw), 1100 + c.nchw[1]);
      const CompiledOp mp = CompileMaxPool(t, c.nchw, c.w, x);
      const auto ref_max = PoolRef(c, in, x, [](const std::vector<double>& v) {
        return *std::max_element(v.begin(), v.end());
      });
      EXPECT_EQ(MaxErrorLsb(RunOnGolden(mp, {in}).outputs[0], ref_max, x), 0.0)
          << "MaxPool lanes " << t.lanes;
      const CompiledOp ap = CompileAveragePool(t, c.nchw, c.w, x, y);
      const auto ref_avg = PoolRef(c, in, x, [](const std::vector<double>& v) {
        double s = 0;
        for (double e : v) s += e;
        return s / v.size();
      });
      EXPECT_LE(MaxErrorLsb(RunOnGolden(ap, {in}).outputs[0], ref_avg, y), 1.0)
          << "AveragePool lanes " << t.lanes;
      ExpectListingAssembles(ap);
    }
    for (const WindowCase& c : kPaddedCases) {
      const auto in = Int8Data(ElementCount(c.nchw), 1150 + c.nchw[1]);
      const CompiledOp mp = CompileMaxPool(t, c.nchw, c.w, x);
      const auto ref_max = PoolRef(c, in, x, [](const std::vector<double>& v) {
        return *std::max_element(v.begin(), v.end());
      });
      EXPECT_EQ(MaxErrorLsb(RunOnGolden(mp, {in}).outputs[0], ref_max, x), 0.0)
          << "padded MaxPool lanes " << t.lanes;
      EXPECT_THROW(CompileAveragePool(t, c.nchw, c.w, x, y), UserError);
    }
  }
}

TEST(TandemCompiler, DepthwiseConvWithinOneLsb) {
  // Exact int32 accumulation (MACC with strided iterators), one requantization: below 1 LSB.
  // Unpadded and zero-padded cases.
  fmt::print("seed 1200\n");
  const QParams x{0.05, 0}, wq{0.01, 0}, y{0.02, 0};
  for (const TandemTarget& t : kTargets) {
    std::vector<WindowCase> cases = kWindowCases;
    cases.insert(cases.end(), kPaddedCases.begin(), kPaddedCases.end());
    for (const WindowCase& c : cases) {
      const int64_t n = c.nchw[0], ch = c.nchw[1], h = c.nchw[2], w = c.nchw[3];
      const CompiledOp op = CompileDepthwiseConv(t, c.nchw, c.w, x, wq, y);
      const auto in = Int8Data(ElementCount(c.nchw), 1200 + ch);
      const auto wt = Int8Data(ch * c.w.kh * c.w.kw, 1201 + ch);
      std::mt19937 rng(1202 + ch);
      std::uniform_int_distribution<int32_t> bd(-3000, 3000);
      std::vector<int32_t> bias(ch);
      for (auto& v : bias) v = bd(rng);
      const auto got = RunOnGolden(op, {in, wt, bias}).outputs[0];
      const int64_t oh = (h + 2 * c.w.ph - c.w.kh) / c.w.sh + 1,
                    ow = (w + 2 * c.w.pw - c.w.kw) / c.w.sw + 1;
      std::vector<double> ref;
      for (int64_t img = 0; img < n; ++img) {
        for (int64_t cc = 0; cc < ch; ++cc) {
          for (int64_t i = 0; i < oh; ++i) {
            for (int64_t j = 0; j < ow; ++j) {
              double acc = bias[cc] * x.scale * wq.scale;
              for (int a = 0; a < c.w.kh; ++a) {
                for (int b = 0; b < c.w.kw; ++b) {
                  const int64_t r = i * c.w.sh + a - c.w.ph, q = j * c.w.sw + b - c.w.pw;
                  if (r < 0 || r >= h || q < 0 || q >= w) continue;  // zero padding
                  acc += Deq(in[((img * ch + cc) * h + r) * w + q], x) *
                         Deq(wt[(cc * c.w.kh + a) * c.w.kw + b], wq);
                }
              }
              ref.push_back(acc);
            }
          }
        }
      }
      EXPECT_LE(MaxErrorLsb(got, ref, y), 1.0) << "DepthwiseConv lanes " << t.lanes << " C " << ch;
    }
  }
}

// --- data movement --------------------------------------------------------------------------

TEST(TandemCompiler, TransposeIsExact) {
  fmt::print("seed 1300\n");
  const std::vector<std::pair<Shape, std::vector<int>>> cases = {
      {{5, 7}, {1, 0}}, {{2, 3, 4}, {2, 0, 1}}, {{40, 30}, {1, 0}}, {{2, 3, 5, 7}, {3, 1, 0, 2}}};
  for (const TandemTarget& t : kTargets) {
    for (const auto& [shape, perm] : cases) {
      const CompiledOp op = CompileTranspose(t, shape, perm);
      std::mt19937 rng(1300);
      std::vector<int32_t> in(ElementCount(shape));
      for (auto& v : in) v = static_cast<int32_t>(rng());
      const auto got = RunOnGolden(op, {in}).outputs[0];
      // Reference: output index (o_0..o_r-1) reads input index with i[perm[j]] = o_j.
      const size_t r = shape.size();
      std::vector<int64_t> o(r, 0);
      for (size_t k = 0; k < got.size(); ++k) {
        int64_t src = 0;
        std::vector<int64_t> idx(r);
        for (size_t j = 0; j < r; ++j) idx[perm[j]] = o[j];
        for (size_t i = 0; i < r; ++i) src = src * shape[i] + idx[i];
        ASSERT_EQ(got[k], in[src]) << "output element " << k;
        for (int j = static_cast<int>(r) - 1; j >= 0; --j) {
          if (++o[j] < shape[perm[j]]) break;
          o[j] = 0;
        }
      }
      ExpectListingAssembles(op);
    }
  }
}

// Odd targets (1 and 3 lanes, 8..40 rows) and random shapes: the tiling edge cases.
TEST(TandemCompiler, RandomTargetsAndShapes) {
  constexpr uint32_t kSeed = 1600;
  fmt::print("seed {}\n", kSeed);
  std::mt19937 rng(kSeed);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const QParams q{0.05, 0}, a{0.05, 3}, y{0.07, -1};
  for (int trial = 0; trial < 12; ++trial) {
    const TandemTarget t{std::vector<int>{1, 3, 8, 32}[trial % 4], pick(8, 40)};
    const int64_t n = pick(1, 300), m = pick(1, 40), k = pick(1, t.depth / 3);
    const std::string what =
        fmt::format("lanes {} depth {} n {} m {} k {}", t.lanes, t.depth, n, m, k);
    // Add (0.52 LSB).
    const auto va = Int8Data(n, kSeed + trial), vb = Int8Data(n, kSeed + 50 + trial);
    const auto add = RunOnGolden(CompileBinary(t, Binary::kAdd, {n}, a, q, y), {va, vb}).outputs[0];
    std::vector<double> ref(n);
    for (int64_t i = 0; i < n; ++i) ref[i] = Deq(va[i], a) + Deq(vb[i], q);
    EXPECT_LE(MaxErrorLsb(add, ref, y), 0.52) << "Add " << what;
    // ReduceMean (1 LSB) and Softmax (2 LSB) over [m][k].
    const auto x = Int8Data(m * k, kSeed + 100 + trial);
    const auto mean = RunOnGolden(CompileReduceMean(t, m, k, a, y), {x}).outputs[0];
    const auto sm = RunOnGolden(CompileSoftmax(t, m, k, q), {x}).outputs[0];
    std::vector<double> ref_mean(m, 0), ref_sm(m * k);
    for (int64_t i = 0; i < m; ++i) {
      double mx = -1e9, sum = 0;
      for (int64_t j = 0; j < k; ++j) {
        ref_mean[i] += Deq(x[i * k + j], a) / k;
        mx = std::max(mx, Deq(x[i * k + j], q));
      }
      for (int64_t j = 0; j < k; ++j) sum += std::exp(Deq(x[i * k + j], q) - mx);
      for (int64_t j = 0; j < k; ++j) ref_sm[i * k + j] = std::exp(Deq(x[i * k + j], q) - mx) / sum;
    }
    EXPECT_LE(MaxErrorLsb(mean, ref_mean, y), 1.0) << "ReduceMean " << what;
    EXPECT_LE(MaxErrorLsb(sm, ref_sm, {1.0 / 256, -128}), 2.0) << "Softmax " << what;
    // MaxPool 3x3/2 pad 1 (exact) on a random plane.
    const WindowCase c{{1, pick(1, 20), pick(3, 12), pick(3, 12)}, {3, 3, 2, 2, 1, 1}};
    if ((3 * (c.nchw[3] + 2)) > t.depth) continue;  // one output row must fit
    const auto xp = Int8Data(ElementCount(c.nchw), kSeed + 200 + trial);
    const auto mp = RunOnGolden(CompileMaxPool(t, c.nchw, c.w, q), {xp}).outputs[0];
    const auto ref_mp = PoolRef(c, xp, q, [](const std::vector<double>& v) {
      return *std::max_element(v.begin(), v.end());
    });
    EXPECT_EQ(MaxErrorLsb(mp, ref_mp, q), 0.0) << "MaxPool " << what;
  }
}

// --- builder --------------------------------------------------------------------------------

TEST(TandemProgramBuilder, SpacingRuleInsertsNopsOnlyForShortChains) {
  // A running sum over 8 rows into one row: each add reads the previous one's result, so the
  // builder must space them 3 slots apart (2 nops); the golden simulator rejects a violation.
  ProgramBuilder pb(8, 16);
  pb.Loop({8},
          {{"add", Operand::Buf(Namespace::kVmem2, 0, {0}), Operand::Buf(Namespace::kVmem2, 0, {0}),
            Operand::Buf(Namespace::kVmem1, 0, {1})}},
          "sum");
  EXPECT_EQ(pb.nops_inserted(), 2);
  golden::tandem::TandemSim sim({8, 16});
  for (int r = 0; r < 8; ++r) sim.Write(Namespace::kVmem1, 3, r, r + 1);
  sim.Run(pb.words());
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 3, 0), 36);
  // Three independent rows inner: no nops.
  ProgramBuilder pb2(8, 16);
  pb2.Loop(
      {4, 3},
      {{"add", Operand::Buf(Namespace::kVmem2, 0, {0, 1}),
        Operand::Buf(Namespace::kVmem2, 0, {0, 1}), Operand::Buf(Namespace::kVmem1, 0, {3, 1})}},
      "sums");
  EXPECT_EQ(pb2.nops_inserted(), 0);
}

TEST(TandemProgramBuilder, LargeConstantsUseBothHalves) {
  ProgramBuilder pb(4, 16);
  pb.Rows("add", 2, Operand::Buf(Namespace::kVmem1, 0), Operand::Buf(Namespace::kVmem1, 0),
          Operand::Imm(0x12345678));
  golden::tandem::TandemSim sim({4, 16});
  sim.Write(Namespace::kVmem1, 1, 1, -5);
  sim.Run(pb.words());
  EXPECT_EQ(sim.Read(Namespace::kVmem1, 1, 1), 0x12345678 - 5);
  EXPECT_EQ(isa::tandem::Assemble(pb.Tasm()), pb.words());
}

TEST(TandemProgramBuilder, GoldenSimulatorRejectsWhatTheBuilderSpaces) {
  // The same running sum without the nops: the golden simulator must refuse it (item 14), so the
  // builder's spacing is what makes programs legal.
  const std::string tasm = R"(
    iter.stride_sext vmem1[1], 1
    loop.set_iter 0, 4
    loop.set_index vmem2[0], vmem2[0], vmem1[1]
    loop.set_num_inst 1
    add vmem2[0], vmem2[0], vmem1[0]
  )";
  golden::tandem::TandemSim sim({8, 16});
  EXPECT_THROW(sim.Run(isa::tandem::Assemble(tasm)), UserError);
}

TEST(TandemProgramBuilder, BadInputIsAUserError) {
  ProgramBuilder pb(8, 16);
  const auto v1 = [](int64_t base, std::vector<int64_t> st) {
    return Operand::Buf(Namespace::kVmem1, base, std::move(st));
  };
  // Two body instructions with different dst strides: the Code Repeater has one iterator each.
  EXPECT_THROW(pb.Loop({4},
                       {{"add", v1(0, {1}), v1(0, {1}), Operand::Imm(1)},
                        {"add", v1(8, {2}), v1(8, {2}), Operand::Imm(1)}},
                       ""),
               UserError);
  EXPECT_THROW(pb.Rows("add", 17, v1(0, {}), v1(0, {}), Operand::Imm(1)), UserError);  // row 16
  EXPECT_THROW(pb.Emit("frobnicate", {}), UserError);
  EXPECT_THROW(pb.Load(Namespace::kObuf, {0, {{8, 1}}, 0, 8, 3}, ""), UserError);  // DAE: vmem only
  EXPECT_THROW(pb.Load(Namespace::kVmem1, {0, {{200, 1}}, 0, 8, 3}, ""), UserError);  // 25 rows
  EXPECT_THROW(pb.Loop({70000}, {{"relu", v1(0, {0}), v1(0, {0}), {}}}, ""), UserError);
  EXPECT_THROW(CompileRelu({0, 64}, {4}, {}), UserError);
  EXPECT_THROW(CompileTranspose({8, 64}, {2, 3}, {0, 0}), UserError);
  EXPECT_THROW(CompileRelu({8, 64}, {4}, {0.0, 0}), UserError);  // scale must be positive
  EXPECT_THROW(PrepareDram(CompileRelu({8, 64}, {4}, {}), {{1, 2, 3, 200}}),
               UserError);  // not int8
}

// --- instruction mix, throughput, ablation ---------------------------------------------------

std::map<std::string, int> Without(std::map<std::string, int> m, const std::string& key, int n) {
  if ((m[key] -= n) == 0) m.erase(key);
  return m;
}

TEST(TandemInstructionMix, GeluAndSoftmaxAgainstThesisTable43) {
  // Thesis Table 4.3 (primitives of the integer lowering): GeLU 5 Mul, 3 Add, Sign, Abs, Min;
  // Softmax 4 Add, 4 Mul, Floor, Max, Sub.
  const std::map<std::string, int> gelu_thesis{
      {"mul", 5}, {"add", 3}, {"sign", 1}, {"abs", 1}, {"min", 1}};
  const std::map<std::string, int> softmax_thesis{
      {"add", 4}, {"mul", 4}, {"floor", 1}, {"max", 1}, {"sub", 1}};
  std::map<std::string, OperatorMix> mixes;
  for (const auto& m : OperatorMixes()) mixes[m.op] = m;
  // Ours folds I-BERT's a into the constant c/a (as I-BERT's own code does), so one Mul fewer in
  // both; the rest of the core is the thesis's sequence.
  EXPECT_EQ(mixes.at("Gelu").core, Without(gelu_thesis, "mul", 1));
  EXPECT_EQ(mixes.at("Softmax").core, Without(softmax_thesis, "mul", 1));
  // Extra: GeLU's requantization (round, shift, cast); Softmax's upscale and x256 shifts, the
  // exponent shift (integer z, clamp, shift), the DIV by the sum, zero point and cast.
  EXPECT_EQ(mixes.at("Gelu").extra,
            (std::map<std::string, int>{{"add", 1}, {"rshift", 1}, {"cast.fxp32_fxp8", 1}}));
  EXPECT_EQ(mixes.at("Softmax").extra, (std::map<std::string, int>{{"lshift", 2},
                                                                   {"rshift", 2},
                                                                   {"min", 1},
                                                                   {"div", 1},
                                                                   {"add", 1},
                                                                   {"cast.fxp32_fxp8", 1}}));
  for (const auto& m : OperatorMixes()) {
    std::string core, extra;
    for (const auto& [k, v] : m.core) core += fmt::format("{} {}, ", v, k);
    for (const auto& [k, v] : m.extra) extra += fmt::format("{} {}, ", v, k);
    fmt::print("| {} | {} | {} | {} |\n", m.op, m.shape, core, extra);
    EXPECT_FALSE(m.core.empty()) << m.op;
  }
}

TEST(TandemThroughput, CyclesPerElementAtThirtyTwoLanes) {
  // Not a speed assertion: the measured cycles must cover at least the ideal (every lane busy on
  // one primitive per cycle) and the numbers are printed for the README table.
  const TandemTarget t{32, 512};
  const QParams q{1.0 / 16, 0};
  const int64_t n = 16384;  // one full tile of 512 rows x 32 lanes
  const auto x = Int8Data(n, 1400), x2 = Int8Data(n, 1401);
  const std::vector<std::pair<CompiledOp, std::vector<std::vector<int32_t>>>> cases = {
      {CompileRelu(t, {n}, q), {x}},
      {CompileClip(t, {n}, q, -1, 1), {x}},
      {CompileBinary(t, Binary::kAdd, {n}, q, q, q), {x, x2}},
      {CompileGelu(t, {n}, q, q), {x}},
      {CompileSoftmax(t, 256, 64, q), {x}},
  };
  for (const auto& [op, in] : cases) {
    const Throughput th = MeasureThroughput(op, in);
    fmt::print("| {} | {} | {:.3f} | {:.3f} | {:.3f} |\n", op.name, th.elements,
               th.cycles_per_element, th.compute_cycles_per_element, th.ideal_cycles_per_element);
    EXPECT_GE(th.cycles_per_element, th.compute_cycles_per_element) << op.name;
    EXPECT_GE(th.compute_cycles_per_element, th.ideal_cycles_per_element) << op.name;
    EXPECT_GT(th.ideal_cycles_per_element, 0) << op.name;
  }
}

TEST(TandemAblation, AluAddressingCostsThreeInstructionsPerTwoOperandOp) {
  fmt::print("seed 1500\n");
  const TandemTarget t{32, 512};
  const QParams a{0.05, 1}, b{0.03, -2}, y{0.08, 0};
  const int64_t n = 4000;
  const auto va = Int8Data(n, 1500), vb = Int8Data(n, 1501);
  const CompiledOp base = CompileBinary(t, Binary::kAdd, {n}, a, b, y);
  const CompiledOp ablated = CompileAddWithAluAddressing(t, {n}, a, b, y);
  const GoldenRun rb = RunOnGolden(base, {va, vb}), ra = RunOnGolden(ablated, {va, vb});
  EXPECT_EQ(ra.outputs, rb.outputs);  // same results
  // Five instructions per element row with iterators; each gets three address updates.
  const int64_t rows = (n + t.lanes - 1) / t.lanes;
  EXPECT_EQ(rb.compute, 5 * rows);
  EXPECT_EQ(ra.compute, 5 * 4 * rows);
  const int64_t engine_b = rb.cycles - ComputeCycles(rb);
  const int64_t engine_a = ra.cycles - ComputeCycles(ra);
  fmt::print(
      "Add {} elements: {} cycles with iterators, {} with ALU addressing ({:.2f}x); without DAE "
      "time {} vs {} ({:.2f}x)\n",
      n, rb.cycles, ra.cycles, static_cast<double>(ra.cycles) / rb.cycles, rb.cycles - engine_b,
      ra.cycles - engine_a, static_cast<double>(ra.cycles - engine_a) / (rb.cycles - engine_b));
}

}  // namespace
}  // namespace accelgen::compiler::tandem
