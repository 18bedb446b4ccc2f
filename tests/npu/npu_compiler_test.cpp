// The NPU compiler: requantization on Tandem against an exact integer reference (boundary cases),
// layers it cannot map, and a reduced ResNet basic block end to end on the `npu` golden model
// against a plain integer reference of the same quantized graph (bit for bit) and against the
// float semantics (within a stated bound).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/lower.hpp"
#include "golden_model/tandem/tandem_sim.hpp"

namespace accelgen::compiler::npu {
namespace {

using isa::tandem::Namespace;

// floor(a / 2^k) by integer division (no shifts of negative numbers).
__int128 FloorDivPow2(__int128 a, int k) {
  const __int128 d = static_cast<__int128>(1) << k;
  __int128 q = a / d;
  if (a % d != 0 && a < 0) --q;
  return q;
}

// v * m / 2^(31+s) rounded to nearest, ties toward +infinity, clamped to [lo, 127].
int32_t ExactRequant(int64_t v, int64_t m, int s, int lo) {
  const __int128 num = static_cast<__int128>(v) * m + (static_cast<__int128>(1) << (30 + s));
  const __int128 r = FloorDivPow2(num, 31 + s);
  return static_cast<int32_t>(std::clamp<__int128>(r, lo, 127));
}

TEST(NpuRequant, FromScaleIsExactAtPowersOfTwoAndRejectsTheRest) {
  const Requant quarter = Requant::FromScale(0.25, "t");
  EXPECT_EQ(quarter.m, 1 << 30);
  EXPECT_EQ(quarter.s, 1);
  const Requant low = Requant::FromScale(std::ldexp(1.0, -24), "t");
  EXPECT_EQ(low.m, 1 << 30);
  EXPECT_EQ(low.s, 23);
  // 0.3 = 0.6 * 2^-1: m = round(0.6 * 2^31) = 1288490189, s = 1.
  const Requant r = Requant::FromScale(0.3, "t");
  EXPECT_EQ(r.m, 1288490189);
  EXPECT_EQ(r.s, 1);
  // Just below 1/4 rounds up to the next power of two: 2^30 with one shift more... less.
  const Requant up = Requant::FromScale(0.25 - 1e-15, "t");
  EXPECT_EQ(up.m, 1 << 30);
  EXPECT_EQ(up.s, 1);
  EXPECT_THROW(Requant::FromScale(0.5, "t"), UserError);
  EXPECT_THROW(Requant::FromScale(0.5 - 1e-15, "t"), UserError);  // rounds to 1/2
  EXPECT_THROW(Requant::FromScale(std::ldexp(1.0, -25), "t"), UserError);
  EXPECT_THROW(Requant::FromScale(0.0, "t"), UserError);
}

// Runs the Tandem requantization sequence over `values` (lanes of consecutive vmem1 rows) and
// compares every result with ExactRequant.
void CheckRequant(const Requant& rq, const std::vector<int64_t>& values, bool relu) {
  const int lanes = 4;
  const int rows = static_cast<int>((values.size() + lanes - 1) / lanes);
  tandem::ProgramBuilder pb(lanes, 64);
  emit_requant(pb, Namespace::kVmem1, rows, rq, false, true, relu);
  golden::tandem::TandemSim sim({lanes, 64});
  for (size_t i = 0; i < values.size(); ++i)
    sim.Write(Namespace::kVmem1, static_cast<int>(i % lanes), static_cast<int>(i / lanes),
              static_cast<int32_t>(values[i]));
  sim.Run(pb.words());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(sim.Read(Namespace::kVmem1, static_cast<int>(i % lanes), static_cast<int>(i / lanes)),
              ExactRequant(values[i], rq.m, rq.s, relu ? 0 : -128))
        << "v " << values[i] << " m " << rq.m << " s " << rq.s;
  }
}

TEST(NpuRequant, TandemSequenceEqualsExactRoundingAtTheBoundaries) {
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  // Multipliers: one ULP below 2^31, exactly 2^30, one above; shifts 1, 2, 8, 23.
  for (int64_t m : {kMax, int64_t{1} << 30, (int64_t{1} << 30) + 1, int64_t{1288490189}}) {
    for (int s : {1, 2, 8, 23}) {
      std::vector<int64_t> v = {kMin, kMin + 1, kMax, kMax - 1, 0, 1, -1, 2, -2};
      // Values whose exact quotient is t + 1/2 (ties) when m = 2^30: v = (2t + 1) 2^s; for other
      // m the same v lie next to the rounding boundary. t covers 0, -1, the clamp edges 127 and
      // -129, and their neighbours.
      for (int64_t t : {0, -1, 126, 127, 128, -128, -129, -130}) {
        for (int64_t d : {-1, 0, 1}) {
          const __int128 tie = static_cast<__int128>(2 * t + 1) << s;
          const __int128 x = tie + d;
          if (x >= kMin && x <= kMax) v.push_back(static_cast<int64_t>(x));
        }
      }
      // The exact preimage of the ties for general m: v = ceil((2t + 1) 2^(30+s) / m) and -1.
      for (int64_t t : {0, 127, -129}) {
        const __int128 target = static_cast<__int128>(2 * t + 1) << (30 + s);
        __int128 q = target / m;
        if (q * m < target && target > 0) ++q;
        for (__int128 x : {q - 1, q, q + 1})
          if (x >= kMin && x <= kMax) v.push_back(static_cast<int64_t>(x));
      }
      const Requant rq{static_cast<int32_t>(m), s};
      CheckRequant(rq, v, false);
      CheckRequant(rq, v, true);
    }
  }
}

TEST(NpuRequant, TiesRoundHalfUpByHand) {
  // m = 2^30, s = 1: r = v / 4 rounded half up. 2 -> 0.5 -> 1; -2 -> -0.5 -> 0; 6 -> 1.5 -> 2;
  // -6 -> -1.5 -> -1; 509 -> 127.25 -> 127; 510 -> 127.5 -> 128 -> 127; -514 -> -128.5 -> -128;
  // -518 -> -129.5 -> -129 -> -128.
  tandem::ProgramBuilder pb(4, 16);
  emit_requant(pb, Namespace::kVmem1, 2, Requant{1 << 30, 1}, false, true, false);
  golden::tandem::TandemSim sim({4, 16});
  const int32_t in[8] = {2, -2, 6, -6, 509, 510, -514, -518};
  const int32_t want[8] = {1, 0, 2, -1, 127, 127, -128, -128};
  for (int i = 0; i < 8; ++i) sim.Write(Namespace::kVmem1, i % 4, i / 4, in[i]);
  sim.Run(pb.words());
  for (int i = 0; i < 8; ++i) EXPECT_EQ(sim.Read(Namespace::kVmem1, i % 4, i / 4), want[i]) << i;
}

golden::npu::NpuConfig SmallNpu() {
  golden::npu::NpuConfig c;
  c.rows = c.cols = c.lanes = 8;
  c.depth = 512;
  c.wbuf_depth = 1024;
  c.dram_words = 4096;
  return c;
}

// Expects `fn` to throw a UserError whose message contains `what`.
template <class F>
void ExpectUserError(F fn, const std::string& what) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one naming " << what;
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(NpuCompiler, LayersItCannotMapAreNamed) {
  {  // an unsupported operator
    graph::Builder b("pool");
    const auto x = b.input("x", {1, 4, 4, 4});
    const auto y = b.conv("c1", x, 4, 3);
    b.pool("pool1", y, "avg", 2, 2);  // (max pools map: network.hpp)
    const auto g = b.take();
    ExpectUserError([&] { quantize(g, random_float_model(g, 1)); }, "layer 'pool1' (pool)");
  }
  {  // a strided convolution in a chain with a depthwise convolution
    graph::Builder b("stride");
    const auto x = b.input("x", {1, 4, 4, 4});
    b.dwconv("dw", b.conv("c_s2", x, 4, 3, {.stride = 2}), 3);
    const auto g = b.take();
    ExpectUserError([&] { compile(quantize(g, random_float_model(g, 1)), SmallNpu()); },
                    "layer 'c_s2': a strided convolution is mapped only");
  }
  {  // a dilated convolution
    graph::Builder b("dilated");
    b.conv("c_d2", b.input("x", {1, 4, 4, 4}), 4, 3, {.dilation = 2});
    const auto g = b.take();
    ExpectUserError([&] { quantize(g, random_float_model(g, 1)); }, "layer 'c_d2'");
  }
  {  // a tile that cannot fit: 16x16 pixels need 2 x 9 x 256 im2col rows > 512
    const auto g = resnet_basic_block(8, 16, 16);
    const QModel q = quantize(g, random_float_model(g, 1));
    ExpectUserError([&] { compile(q, SmallNpu()); }, "layer 'conv1': its im2col needs 4608");
  }
  {  // output channels in more than one N block that do not fill the last one
    graph::Builder b("twelve");
    b.conv("c12", b.input("x", {1, 4, 2, 2}), 12, 3);
    const auto g = b.take();
    const QModel q = quantize(g, random_float_model(g, 1));
    ExpectUserError([&] { compile(q, SmallNpu()); }, "layer 'c12': 12 output channels");
  }
  {  // an Output BUF tile larger than a half
    auto c = SmallNpu();
    c.depth = 20;
    graph::Builder b("one");
    b.conv("c1x1", b.input("x", {1, 4, 5, 5}), 4, 1);
    const auto g = b.take();
    const QModel q = quantize(g, random_float_model(g, 1));
    ExpectUserError([&] { compile(q, c); }, "layer 'c1x1': a tile of 25 output pixels");
  }
}

// ---- Plain integer reference of the quantized graph (quant.hpp's definitions, simple loops) ----

int32_t Sat32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}
// r(v) = sat32(floor(v m / 2^31) + 2^(s-1)) >> s, as quant.hpp defines it.
int32_t R(int64_t v, const Requant& rq) {
  const int64_t t = static_cast<int64_t>(FloorDivPow2(static_cast<__int128>(v) * rq.m, 31));
  const int64_t u = Sat32(t + (int64_t{1} << (rq.s - 1)));
  return static_cast<int32_t>(FloorDivPow2(u, rq.s));
}

std::vector<int32_t> IntegerReference(const QModel& q) {
  std::map<std::string, std::vector<int32_t>> t;
  t[q.input.name].assign(q.x.begin(), q.x.end());
  const int H = q.input.h, W = q.input.w;
  std::vector<int32_t> last;
  for (const QLayer& l : q.layers) {
    std::vector<int32_t> y(static_cast<size_t>(l.out.c) * H * W);
    if (l.kind == QLayer::Kind::kConv) {
      const auto& x = t.at(l.inputs[0]);
      for (int k = 0; k < l.cout; ++k)
        for (int h = 0; h < H; ++h)
          for (int w = 0; w < W; ++w) {
            uint32_t acc = 0;  // the array's 32-bit accumulator wraps
            for (int c = 0; c < l.cin; ++c)
              for (int i = 0; i < l.k; ++i)
                for (int j = 0; j < l.k; ++j) {
                  const int ih = h + i - l.pad, iw = w + j - l.pad;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  acc += static_cast<uint32_t>(l.w[((k * l.cin + c) * l.k + i) * l.k + j] *
                                               x[(c * H + ih) * W + iw]);
                }
            const int32_t v = Sat32(int64_t{static_cast<int32_t>(acc)} + l.bias[k]);
            y[(k * H + h) * W + w] = std::clamp(R(v, l.rq), l.relu ? 0 : -128, l.hi);
          }
    } else if (l.kind == QLayer::Kind::kDepthwise) {
      const auto& x = t.at(l.inputs[0]);
      for (int c = 0; c < l.cout; ++c)
        for (int h = 0; h < H; ++h)
          for (int w = 0; w < W; ++w) {
            int64_t sum = l.bias[c];
            for (int i = 0; i < l.k; ++i)
              for (int j = 0; j < l.k; ++j) {
                const int ih = h + i - l.pad, iw = w + j - l.pad;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                sum += l.w[(c * l.k + i) * l.k + j] * x[(c * H + ih) * W + iw];
              }
            y[(c * H + h) * W + w] = std::clamp(R(Sat32(sum), l.rq), l.relu ? 0 : -128, l.hi);
          }
    } else {
      const auto& a = t.at(l.inputs[0]);
      const auto& b = t.at(l.inputs[1]);
      for (size_t i = 0; i < y.size(); ++i) {
        const int64_t sum = int64_t{R(a[i] * 256, l.ra)} + R(b[i] * 256, l.rb);
        y[i] = std::clamp<int32_t>(Sat32(sum), l.relu ? 0 : -128, l.hi);
      }
    }
    t[l.out.name] = y;
    last = std::move(y);
  }
  return last;
}

// ---- Float semantics of the block (ONNX-style conv + folded BN, ReLU, add), double precision ---

struct FloatResult {
  std::vector<double> y;      // the block output
  std::vector<double> bound;  // per element: the worst-case quantization error bound
};

std::vector<double> FloatConv3x3(const std::vector<double>& x, const FloatConv& f, int C, int K,
                                 int H, int W, bool relu) {
  std::vector<double> y(static_cast<size_t>(K) * H * W);
  for (int k = 0; k < K; ++k)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        double s = 0;
        for (int c = 0; c < C; ++c)
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
              const int ih = h + i - 1, iw = w + j - 1;
              if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                s += f.w[((k * C + c) * 3 + i) * 3 + j] * x[(c * H + ih) * W + iw];
            }
        const double v = f.scale[k] * s + f.shift[k];
        y[(k * H + h) * W + w] = relu ? std::max(v, 0.0) : v;
      }
  return y;
}

// Worst-case bound, per output element, on |NPU output * output scale - float output|. With
// e(x) the error of an input tensor element (s_x / 2 for the network input), one convolution
// output (before its requantization) errs by at most
//   Σ |w_q s_w - w_f| (|x| + e(x)) + Σ |w_f| e(x) + s_acc / 2 (bias rounding),
// |w_q s_w - w_f| <= s_w / 2; its requantization to scale s_o adds s_o / 2 (rounding) plus
// |value| * 2^-30 (multiplier rounding, relative error < 2^-31 per factor) and ReLU/clamping never
// increase it (the scales come from the same float tensors, so clamping cuts at most that
// error). The add requantizes both operands to the output scale (s_o / 2 each, with the same
// multiplier term) and the final clamp does not increase the error.
double ConvErrorBound(const std::vector<double>& x, const std::vector<double>& ex,
                      const std::vector<float>& wf, double sw, double sacc, int C, int H, int W,
                      int k, int h, int w) {
  double e = sacc / 2;
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const int ih = h + i - 1, iw = w + j - 1;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        const size_t xi = (c * H + ih) * W + iw;
        e += sw / 2 * (std::fabs(x[xi]) + ex[xi]) +
             std::fabs(wf[((k * C + c) * 3 + i) * 3 + j]) * ex[xi];
      }
  return e;
}

FloatResult FloatBlock(const FloatModel& f, const QModel& q) {
  const int C = q.input.c, H = q.input.h, W = q.input.w;
  const std::vector<double> x(f.input.begin(), f.input.end());
  const FloatConv& f1 = f.convs.at("conv1");
  const FloatConv& f2 = f.convs.at("conv2");
  const auto h = FloatConv3x3(x, f1, C, C, H, W, true);
  const auto a = FloatConv3x3(h, f2, C, C, H, W, false);
  FloatResult r;
  r.y.resize(a.size());
  for (size_t i = 0; i < a.size(); ++i) r.y[i] = std::max(a[i] + x[i], 0.0);
  // Error bounds, layer by layer.
  const auto folded = [&](const FloatConv& fc) {
    std::vector<float> wf(fc.w.size());
    for (size_t i = 0; i < wf.size(); ++i) wf[i] = fc.w[i] * fc.scale[i / (wf.size() / C)];
    return wf;
  };
  const auto w1 = folded(f1), w2 = folded(f2);
  const double sx = q.input.scale;
  const QLayer& l1 = q.layers[0];
  const QLayer& l2 = q.layers[1];
  const QLayer& la = q.layers[2];
  const auto max_abs = [](const std::vector<float>& v) {
    double m = 0;
    for (float e : v) m = std::max(m, double{std::fabs(e)});
    return m;
  };
  const double s_w1 = max_abs(w1) / 127, s_w2 = max_abs(w2) / 127;
  const std::vector<double> ex(x.size(), sx / 2);
  std::vector<double> eh(h.size()), ea(a.size());
  const double rel = std::ldexp(1.0, -30);
  for (int k = 0; k < C; ++k)
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < W; ++j) {
        const size_t o = (k * H + i) * W + j;
        eh[o] = ConvErrorBound(x, ex, w1, s_w1, sx * s_w1, C, H, W, k, i, j) + l1.out.scale / 2 +
                (std::fabs(h[o]) + 1) * rel;
      }
  for (int k = 0; k < C; ++k)
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < W; ++j) {
        const size_t o = (k * H + i) * W + j;
        ea[o] = ConvErrorBound(h, eh, w2, s_w2, l1.out.scale * s_w2, C, H, W, k, i, j) +
                l2.out.scale / 2 + (std::fabs(a[o]) + 1) * rel;
      }
  r.bound.resize(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    r.bound[i] = ea[i] + ex[i] + la.out.scale + (std::fabs(a[i]) + std::fabs(x[i]) + 2) * rel;
  return r;
}

struct E2E {
  std::vector<int8_t> npu;
  std::vector<int32_t> ref;
  FloatResult fl;
  double out_scale;
  golden::npu::NpuSim sim;
};

E2E RunBlock(uint64_t seed, int tile_m, const golden::npu::NpuConfig& cfg, int c, int hw) {
  const auto g = resnet_basic_block(c, hw, hw);
  const FloatModel f = random_float_model(g, seed);
  const QModel q = quantize(g, f);
  const NpuProgram p = compile(q, cfg, {tile_m});
  E2E e{{},
        IntegerReference(q),
        FloatBlock(f, q),
        q.layers.back().out.scale,
        golden::npu::NpuSim(cfg)};
  e.npu = run_on_golden(p, e.sim);
  return e;
}

TEST(NpuEndToEnd, ResnetBlockEqualsTheIntegerReferenceBitForBit) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    E2E e = RunBlock(seed, 4, SmallNpu(), 8, 4);
    ASSERT_EQ(e.npu.size(), e.ref.size());
    int64_t nonzero = 0;
    for (size_t i = 0; i < e.ref.size(); ++i) {
      EXPECT_EQ(int32_t{e.npu[i]}, e.ref[i]) << "seed " << seed << " element " << i;
      nonzero += e.ref[i] != 0;
    }
    EXPECT_GT(nonzero, static_cast<int64_t>(e.ref.size() / 4));  // a non-trivial output
    // conv1 (1 tile), the DAE setup block, conv2 + add (4 tiles of one image row each).
    EXPECT_EQ(e.sim.Passes().size(), 1u + 1u + 4u);
  }
}

TEST(NpuEndToEnd, ResnetBlockStaysWithinTheStatedFloatBound) {
  double worst = 0, worst_lsb = 0;  // largest error / bound, error in output LSBs
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const E2E e = RunBlock(seed, 4, SmallNpu(), seed <= 4 ? 8 : 16, 4);  // 16: channel blocks
    for (size_t i = 0; i < e.npu.size(); ++i) {
      const double err = std::fabs(e.npu[i] * e.out_scale - e.fl.y[i]);
      EXPECT_LE(err, e.fl.bound[i]) << "seed " << seed << " element " << i;
      worst = std::max(worst, err / e.fl.bound[i]);
      worst_lsb = std::max(worst_lsb, err / e.out_scale);
    }
  }
  RecordProperty("worst_error_over_bound", std::to_string(worst));
  RecordProperty("worst_error_output_lsb", std::to_string(worst_lsb));
}

TEST(NpuEndToEnd, TilingDoesNotChangeTheResult) {
  const E2E one = RunBlock(7, 0, SmallNpu(), 8, 4);  // conv2 as one tile
  const E2E four = RunBlock(7, 4, SmallNpu(), 8, 4);
  EXPECT_EQ(one.npu, four.npu);
  EXPECT_EQ(one.sim.Passes().size(), 2u);  // no DAE setup block for a single tile
}

// Compiles and runs `g` and compares with the integer reference; returns the passes run.
size_t ExpectBitExact(const graph::Graph& g, const golden::npu::NpuConfig& cfg, int tile_m,
                      uint64_t seed) {
  const QModel q = quantize(g, random_float_model(g, seed));
  const NpuProgram p = compile(q, cfg, {tile_m});
  golden::npu::NpuSim sim(cfg);
  const std::vector<int8_t> out = run_on_golden(p, sim);
  const std::vector<int32_t> ref = IntegerReference(q);
  EXPECT_EQ(out.size(), ref.size());
  int64_t mismatches = 0, nonzero = 0;
  for (size_t i = 0; i < std::min(out.size(), ref.size()); ++i) {
    mismatches += int32_t{out[i]} != ref[i];
    nonzero += ref[i] != 0;
  }
  EXPECT_EQ(mismatches, 0) << g.name();
  EXPECT_GT(nonzero, static_cast<int64_t>(ref.size() / 8)) << g.name();
  return sim.Passes().size();
}

TEST(NpuEndToEnd, ResnetBlockAtTheThesisArrayAndLanes) {
  // Table 4.4's point: 32x32 array, 32 lanes, 512-row buffers, 6144 weight rows; C = 32, 4x4.
  golden::npu::NpuConfig cfg;
  EXPECT_EQ(ExpectBitExact(resnet_basic_block(32, 4, 4), cfg, 4, 11), 1u + 1u + 4u);
}

TEST(NpuEndToEnd, ZooResnet18BasicBlockAtReducedResolution) {
  // ResNet-18's layer1.0 (64 channels; 8x8 pixels at a 32x32 input) from the model zoo, on a 64x64
  // array with 64 lanes, conv2 in 8 tiles of one image row.
  const graph::Graph net = graph::build_zoo_model("resnet18", {.resolution = 32});
  const graph::Graph g = graph::subgraph(net, {"layer1.0.conv1", "layer1.0.conv2", "layer1.0.add"});
  golden::npu::NpuConfig cfg;
  cfg.rows = cfg.cols = cfg.lanes = 64;
  cfg.depth = 2048;
  cfg.wbuf_depth = 2 * 9 * 64;
  EXPECT_EQ(ExpectBitExact(g, cfg, 8, 5), 1u + 1u + 8u);
  // At the thesis's 512-row buffers its im2col (9 offsets x 2 channel groups x 64 pixels) is
  // refused, naming the layer; at a 16x16 input (4x4 pixels) it runs in channel blocks.
  ExpectUserError([&] { compile(quantize(g, random_float_model(g, 5)), golden::npu::NpuConfig{}); },
                  "layer 'layer1.0.conv1': its im2col needs 1152");
  const graph::Graph small = graph::subgraph(graph::build_zoo_model("resnet18", {.resolution = 16}),
                                             {"layer1.0.conv1", "layer1.0.conv2", "layer1.0.add"});
  // conv1's DAE setup, conv1 (2 N blocks), its im2col block, conv2's DAE setup, conv2 in 4 M
  // tiles x 2 N blocks.
  EXPECT_EQ(ExpectBitExact(small, golden::npu::NpuConfig{}, 4, 6), 1u + 2u + 1u + 1u + 8u);
  // The whole network maps too (compile_network; npu_network_test).
}

TEST(NpuEndToEnd, ChainsOfThreeConvolutionsAndNoResidual) {
  graph::Builder b("chain");
  std::string x = b.input("x", {1, 6, 3, 5});
  x = b.conv("a", x, 7, 3);
  x = b.conv("b", x, 5, 1, {.bias = true, .batch_norm = false});
  b.conv("c", x, 8, 3, {.activation = ""});  // no ReLU: clamps at -128
  const graph::Graph g = b.take();
  // Three blocks: the im2col regions alternate between the two halves of ibuf.
  EXPECT_EQ(ExpectBitExact(g, SmallNpu(), 0, 2), 3u);
  EXPECT_EQ(ExpectBitExact(g, SmallNpu(), 5, 3), 2u + 1u + 3u);
}

TEST(NpuEndToEnd, ChannelBlocking) {
  // 16 channels on an 8x8 array: two K groups and two N blocks per convolution; conv1 hands its
  // output to conv2 through DRAM and an im2col block.
  EXPECT_EQ(ExpectBitExact(resnet_basic_block(16, 4, 4), SmallNpu(), 4, 8), 1u + 2u + 1u + 1u + 8u);
  EXPECT_EQ(ExpectBitExact(resnet_basic_block(16, 3, 3), SmallNpu(), 0, 9), 1u + 2u + 1u + 1u + 2u);
  // 12 input channels (a partial second group), 16 -> 8 (1x1) -> 8: DRAM, then direct hand-over.
  graph::Builder b("groups");
  std::string x = b.input("x", {1, 12, 3, 4});
  x = b.conv("a", x, 16, 3);
  x = b.conv("b", x, 8, 1);
  b.conv("c", x, 8, 3, {.activation = ""});
  EXPECT_EQ(ExpectBitExact(b.take(), SmallNpu(), 4, 4), 1u + 2u + 1u + 1u + 1u + 3u);
}

// x [12 vectors, F features] -> fc 24 + ReLU -> fc F -> + x -> ReLU.
graph::Graph ResidualMlp(int64_t features) {
  graph::Builder b("mlp");
  const std::string x = b.input("x", {12, features});
  std::string y = b.fc("fc1", x, 24, "relu");
  y = b.fc("fc2", y, features);
  b.add("add", {y, x}, "relu");
  return b.take();
}

TEST(NpuEndToEnd, FullyConnectedResidualMlp) {
  // 10 outputs would need two N blocks of 8, the second one partial: refused.
  const graph::Graph ten = ResidualMlp(10);
  ExpectUserError([&] { compile(quantize(ten, random_float_model(ten, 1)), SmallNpu()); },
                  "layer 'fc2': 10 output channels");
  // F = 8: GEMMs of 12 x 8 x 24 and 12 x 24 x 8 on the 8x8 array (24 outputs = 3 N blocks, 24
  // inputs = 3 K groups).
  const graph::Graph g = ResidualMlp(8);
  // fc1: DAE setup + 3 N blocks, its im2col block; fc2 in 3 tiles of 4 vectors (+ DAE setup).
  EXPECT_EQ(ExpectBitExact(g, SmallNpu(), 4, 12), 1u + 3u + 1u + 1u + 3u);
  // The float input is N x F row-major; the quantized one C x H x W (features x vectors).
  const FloatModel f = random_float_model(g, 12);
  const QModel q = quantize(g, f);
  EXPECT_EQ(q.input.c, 8);
  EXPECT_EQ(q.input.h, 12);
  EXPECT_EQ(q.input.w, 1);
  EXPECT_EQ(q.x[1 * 12 + 5],
            std::clamp<long long>(std::llround(f.input[5 * 8 + 1] / q.input.scale), -127, 127));
}

TEST(NpuEndToEnd, MobilenetV2InvertedResidualWithDepthwiseOnTandem) {
  // 1x1 expansion 4 -> 8 (ReLU6) with the 3x3 depthwise (ReLU6) fused into its block on Tandem,
  // then the 1x1 projection 8 -> 4 and the residual add, on the 8x8 array.
  const graph::Graph g = mobilenet_v2_block(4, 8, 4, 4);
  EXPECT_EQ(ExpectBitExact(g, SmallNpu(), 4, 21), 1u + 1u + 4u);
  EXPECT_EQ(ExpectBitExact(g, SmallNpu(), 0, 22), 1u + 1u);
  const QModel q = quantize(g, random_float_model(g, 21));
  EXPECT_EQ(q.layers[1].kind, QLayer::Kind::kDepthwise);
  // ReLU6's bound min(127, round(6 / scale)) is 127 here: calibrated on the same input, the
  // scale already maps the largest activation (<= 6) to 127.
  EXPECT_EQ(q.layers[0].hi, 127);
  // Expanded to 16 channels the expansion no longer hands over directly (16 > 8 rows): refused.
  const graph::Graph wide = mobilenet_v2_block(4, 16, 4, 4);
  ExpectUserError([&] { compile(quantize(wide, random_float_model(wide, 1)), SmallNpu()); },
                  "layer 'depthwise': runs on Tandem in the block of 'expand'");
}

TEST(NpuEndToEnd, AnEarlyReleaseInTheCompiledProgramIsCaught) {
  const auto g = resnet_basic_block(8, 4, 4);
  const QModel q = quantize(g, random_float_model(g, 3));
  NpuProgram p = compile(q, SmallNpu(), {4});
  // Mutations of conv2's BUF release, one instruction early: (a) before the loop nest whose body
  // is obuf's last consumer, (b) into that body, in front of the consumer.
  const auto mutate = [&](bool into_body) {
    NpuProgram m = p;
    auto& words = m.blocks.back().tandem;
    const auto mnemonic = [](uint32_t w) { return isa::tandem::Decode(w).def->mnemonic; };
    auto it = std::find_if(words.begin(), words.end(),
                           [&](uint32_t w) { return mnemonic(w) == "sync.tandem.end.buf"; });
    EXPECT_NE(it, words.end());
    const uint32_t sync = *it;
    const auto consumer = words.erase(it) - 1;  // the loop body instruction that reads obuf
    auto at = consumer;
    if (!into_body)
      while (mnemonic(*at) != "loop.set_iter") --at;
    words.insert(at, sync);
    return m;
  };
  golden::npu::NpuSim before(SmallNpu());
  ExpectUserError([&] { run_on_golden(mutate(false), before); },
                  "touches obuf after the Output BUF was released");
  golden::npu::NpuSim inside(SmallNpu());
  ExpectUserError([&] { run_on_golden(mutate(true), inside); }, "stands in a loop body");
  golden::npu::NpuSim ok(SmallNpu());
  EXPECT_NO_THROW(run_on_golden(p, ok));
}

}  // namespace
}  // namespace accelgen::compiler::npu
