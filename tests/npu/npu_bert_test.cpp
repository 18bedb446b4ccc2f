// A reduced BERT encoder layer compiled for NPU-Tandem (compiler/npu/bert.hpp) and run on the
// `npu` golden model: bit for bit against a plain integer reference written here from the integer
// semantics compiler/README.md ("NPU: BERT encoder layer") defines, and within a stated bound of
// the float layer (also written here, from the ONNX operator definitions).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/bert.hpp"
#include "compiler/npu/workload.hpp"

namespace accelgen::compiler::npu {
namespace {

using I = int64_t;
using Vec = std::vector<I>;

__int128 FloorDiv(__int128 a, __int128 d) {
  __int128 q = a / d;
  if (a % d != 0 && ((a < 0) != (d < 0))) --q;
  return q;
}
I Sat(__int128 v, I lo, I hi) { return static_cast<I>(std::clamp<__int128>(v, lo, hi)); }
I Sat32(__int128 v) {
  return Sat(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
}
I Sat8(__int128 v) { return Sat(v, -128, 127); }
// Arithmetic right shift of an INT32 by 0..31 as floor division.
I Shr(I v, I k) { return static_cast<I>(FloorDiv(v, static_cast<__int128>(1) << k)); }
// Division truncated toward zero (the `div` instruction; no divisor here is 0).
I Div(I a, I b) { return a / b; }

// quant.hpp: r(v) = sat32(floor(v m / 2^31) + 2^(s-1)) >> s.
I R(I v, const Requant& rq) {
  const I t = Sat32(FloorDiv(static_cast<__int128>(v) * rq.m, static_cast<__int128>(1) << 31));
  return Shr(Sat32(t + (I{1} << (rq.s - 1))), rq.s);
}

// The Tandem operator compiler's requantization by a real multiplier m to INT8 with zero point
// zp (compiler/README.md): m0 = round(2|m| 2^(30-e)) with e = floor(log2(2|m|)) (31 bits, e + 1
// and m0 / 2 when it rounds to 2^31), sh = 30 - e; t = sat32(floor(v sign(m) m0 / 2^sh));
// y = sat8((sat32(t + 1 + 2 zp)) >> 1).
I OpRequant(I v, double m, int zp) {
  int e = static_cast<int>(std::floor(std::log2(2 * std::fabs(m))));
  I m0 = std::llround(2 * std::fabs(m) * std::ldexp(1.0, 30 - e));
  if (m0 >= (I{1} << 31)) {
    m0 >>= 1;
    ++e;
  }
  const int sh = 30 - e;
  const I t = Sat32(
      FloorDiv(static_cast<__int128>(v) * (m < 0 ? -m0 : m0), static_cast<__int128>(1) << sh));
  return Sat8(Shr(Sat32(t + 1 + 2 * zp), 1));
}

// y[S][cout] = clamp(r(sat32(x w + bias))).
Vec Fc(const Vec& x, const QFc& f, int S) {
  Vec y(static_cast<size_t>(S) * f.cout);
  for (int i = 0; i < S; ++i)
    for (int o = 0; o < f.cout; ++o) {
      I acc = 0;
      for (int c = 0; c < f.cin; ++c) acc += x[i * f.cin + c] * f.w[o * f.cin + c];
      y[i * f.cout + o] = Sat8(R(Sat32(acc + f.bias[o]), f.rq));
    }
  return y;
}

Vec Add(const Vec& a, const Vec& b, const Requant& ra, const Requant& rb) {
  Vec y(a.size());
  for (size_t i = 0; i < a.size(); ++i) y[i] = Sat8(Sat32(R(a[i] * 256, ra) + R(b[i] * 256, rb)));
  return y;
}

// Softmax over a row, I-BERT's integer exp on (x - max) upscaled by 16 (S = scale / 16):
// q_ln2 = floor(ln2 / S), z = floor(-X / q_ln2) by the multiply with recip = ceil(2^f / q_ln2),
// f = ceil(log2(4081 q_ln2)); p = X + z q_ln2; L = (p + qb)^2 + qc with qb = floor(1.353 / S),
// qc = floor(0.344 / (0.3585 S^2)); e = L >> min(z, 31); y = sat8(floor(256 e / Σe) - 128).
Vec Softmax(const Vec& x, double scale) {
  const double s = scale / 16;
  const I q_ln2 = static_cast<I>(std::floor(std::log(2.0) / s));
  const int f = static_cast<int>(std::ceil(std::log2(4081.0 * static_cast<double>(q_ln2))));
  const I recip = ((I{1} << f) + q_ln2 - 1) / q_ln2;
  const I qb = static_cast<I>(std::floor(1.353 / s));
  const I qc = static_cast<I>(std::floor(0.344 / (0.3585 * s * s)));
  const I mx = *std::max_element(x.begin(), x.end());
  Vec e(x.size());
  I sum = 0;
  for (size_t j = 0; j < x.size(); ++j) {
    const I X = (x[j] - mx) * 16;
    const I z = Shr(Sat32(X * -recip), f);
    const I L = Sat32(Sat32((X + z * q_ln2 + qb) * (X + z * q_ln2 + qb)) + qc);
    e[j] = Shr(L, std::min<I>(z, 31));
    sum += e[j];
  }
  Vec y(x.size());
  for (size_t j = 0; j < x.size(); ++j) y[j] = Sat8(Div(e[j] * 256, sum) - 128);
  return y;
}

// i-GELU (I-BERT): S' = scale / sqrt(2), a = -0.2888, b = -1.769, qb = floor(b / S'),
// qc = q1 = floor(1 / (a S'^2)); L = sign(x) ((min(|x|, -qb) + qb)^2 + qc); t = x (L + q1);
// y = OpRequant(t, scale a S'^2 / 2 / y_scale).
I Gelu(I x, double scale, double y_scale) {
  const double s1 = scale / std::sqrt(2.0), sl = -0.2888 * s1 * s1;
  const I qb = static_cast<I>(std::floor(-1.769 / s1));
  const I qc = static_cast<I>(std::floor(1.0 / sl)), q1 = qc;
  const I m = std::min<I>(std::abs(x), -qb) + qb;
  const I sign = x > 0 ? 1 : (x < 0 ? -1 : 0);
  const I L = Sat32(Sat32(Sat32(m * m) + qc) * sign);
  return OpRequant(Sat32(x * Sat32(L + q1)), scale * sl / 2 / y_scale, 0);
}

// LayerNorm of a row of K: s = the least shift with (255 K / 2^s)^2 K < 2e9,
// c1 = round(sqrt(K) 2^(12-s)); D = K x - Σx; V = max(Σ (D >> s)^2, 1) + eps_q
// (eps_q = round(K^3 eps / (4^s scale^2)), added when positive); r = isqrt by 20 Newton steps
// from 46341, r = min(r, (r + V / r) >> 1); y = OpRequant(D c1 / r · gamma + beta,
// gamma_scale 2^-12 / y_scale).
Vec LayerNorm(const Vec& x, double scale, const QLayerNorm& ln, double eps) {
  const I K = static_cast<I>(x.size());
  int s = 0;
  while (std::pow(255.0 * K / std::ldexp(1.0, s), 2) * K >= 2.0e9) ++s;
  const I c1 = std::llround(std::sqrt(static_cast<double>(K)) * std::ldexp(1.0, 12 - s));
  I sum = 0;
  for (I v : x) sum += v;
  Vec d(x.size());
  I V = 0;
  for (size_t j = 0; j < x.size(); ++j) {
    d[j] = K * x[j] - sum;
    V += Shr(d[j], s) * Shr(d[j], s);
  }
  V = std::max<I>(V, 1);
  const double eps_q = std::nearbyint(std::pow(static_cast<double>(K), 3) * eps /
                                      (std::ldexp(1.0, 2 * s) * scale * scale));
  if (eps_q > 0) V = Sat32(V + static_cast<I>(std::min(eps_q, 2.0e9)));
  I r = 46341;
  for (int it = 0; it < 20; ++it) r = std::min(r, Shr(Div(V, r) + r, 1));
  Vec y(x.size());
  for (size_t j = 0; j < x.size(); ++j) {
    const I n = Div(Sat32(d[j] * c1), r);
    y[j] = OpRequant(Sat32(Sat32(n * ln.gamma[j]) + ln.beta[j]),
                     std::ldexp(ln.gamma_scale, -12) / ln.out_scale, 0);
  }
  return y;
}

Vec Rows(const Vec& x, int S, int K, const std::function<Vec(const Vec&)>& f) {
  Vec y;
  for (int i = 0; i < S; ++i) {
    const Vec r = f(Vec(x.begin() + i * K, x.begin() + (i + 1) * K));
    y.insert(y.end(), r.begin(), r.end());
  }
  return y;
}

// The integer layer, [S][H].
Vec IntegerBert(const QBert& q) {
  const int S = q.cfg.seq, H = q.cfg.hidden, F = q.cfg.ffn, dh = H / q.cfg.heads;
  const Vec x(q.x.begin(), q.x.end());
  const Vec Q = Fc(x, q.q, S), K = Fc(x, q.k, S), V = Fc(x, q.v, S);
  Vec ctx(static_cast<size_t>(S) * H);
  for (int h = 0; h < q.cfg.heads; ++h)
    for (int i = 0; i < S; ++i) {
      Vec sc(S);
      for (int j = 0; j < S; ++j) {
        I acc = 0;
        for (int d = 0; d < dh; ++d) acc += Q[i * H + h * dh + d] * K[j * H + h * dh + d];
        sc[j] = Sat8(R(acc, q.r_scores));
      }
      const Vec p = Softmax(sc, q.s_scores);
      for (int d = 0; d < dh; ++d) {
        I acc = 0;
        for (int j = 0; j < S; ++j) acc += (p[j] + 128) * V[j * H + h * dh + d];
        ctx[i * H + h * dh + d] = Sat8(R(acc, q.r_ctx));
      }
    }
  const Vec a1 = Add(Fc(ctx, q.o, S), x, q.a1_a, q.a1_b);
  const Vec n1 =
      Rows(a1, S, H, [&](const Vec& r) { return LayerNorm(r, q.s_a1, q.ln1, q.epsilon); });
  Vec g = Fc(n1, q.f1, S);
  for (I& v : g) v = Gelu(v, q.f1.out_scale, q.s_gelu);
  const Vec a2 = Add(Fc(g, q.f2, S), n1, q.a2_a, q.a2_b);
  (void)F;
  return Rows(a2, S, H, [&](const Vec& r) { return LayerNorm(r, q.s_a2, q.ln2, q.epsilon); });
}

// ---- The float layer (ONNX semantics, double precision) ----

using F = std::vector<double>;

F MatMul(const F& a, const std::vector<float>& w, const std::vector<float>& b, int n, int k,
         int m) {
  F y(static_cast<size_t>(n) * m);
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < m; ++o) {
      double acc = b[o];
      for (int j = 0; j < k; ++j) acc += a[i * k + j] * w[j * m + o];
      y[i * m + o] = acc;
    }
  return y;
}

F Norm(const F& x, const std::vector<float>& g, const std::vector<float>& b, int n, int h,
       double eps) {
  F y(x.size());
  for (int i = 0; i < n; ++i) {
    double mean = 0, var = 0;
    for (int j = 0; j < h; ++j) mean += x[i * h + j];
    mean /= h;
    for (int j = 0; j < h; ++j) var += std::pow(x[i * h + j] - mean, 2);
    var /= h;
    for (int j = 0; j < h; ++j)
      y[i * h + j] = g[j] * (x[i * h + j] - mean) / std::sqrt(var + eps) + b[j];
  }
  return y;
}

F FloatBert(const BertFloat& f) {
  const int S = f.cfg.seq, H = f.cfg.hidden, Fn = f.cfg.ffn, dh = H / f.cfg.heads;
  const F x(f.x.begin(), f.x.end());
  const F Q = MatMul(x, f.wq, f.bq, S, H, H), K = MatMul(x, f.wk, f.bk, S, H, H),
          V = MatMul(x, f.wv, f.bv, S, H, H);
  F ctx(static_cast<size_t>(S) * H, 0.0);
  for (int h = 0; h < f.cfg.heads; ++h)
    for (int i = 0; i < S; ++i) {
      F e(S);
      double sum = 0;
      for (int j = 0; j < S; ++j) {
        double dot = 0;
        for (int d = 0; d < dh; ++d) dot += Q[i * H + h * dh + d] * K[j * H + h * dh + d];
        e[j] = std::exp(dot / std::sqrt(double(dh)));
        sum += e[j];
      }
      for (int j = 0; j < S; ++j)
        for (int d = 0; d < dh; ++d) ctx[i * H + h * dh + d] += e[j] / sum * V[j * H + h * dh + d];
    }
  F a1 = MatMul(ctx, f.wo, f.bo, S, H, H);
  for (size_t i = 0; i < a1.size(); ++i) a1[i] += x[i];
  const F n1 = Norm(a1, f.g1, f.be1, S, H, f.epsilon);
  F g = MatMul(n1, f.w1, f.b1, S, H, Fn);
  for (double& v : g) v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  F a2 = MatMul(g, f.w2, f.b2, S, Fn, H);
  for (size_t i = 0; i < a2.size(); ++i) a2[i] += n1[i];
  return Norm(a2, f.g2, f.be2, S, H, f.epsilon);
}

golden::npu::NpuConfig SmallNpu() {
  golden::npu::NpuConfig c;
  c.rows = c.cols = c.lanes = 8;
  c.depth = 512;
  c.wbuf_depth = 1024;
  c.dram_words = 8192;
  return c;
}

// The NPU's output [S][H] (run_on_golden returns it [H][S]).
Vec RunBert(const QBert& q, const golden::npu::NpuConfig& cfg) {
  const NpuProgram p = compile_bert(q, cfg);
  golden::npu::NpuSim sim(cfg);
  const std::vector<int8_t> out = run_on_golden(p, sim);
  const int S = q.cfg.seq, H = q.cfg.hidden;
  Vec y(static_cast<size_t>(S) * H);
  for (int i = 0; i < S; ++i)
    for (int c = 0; c < H; ++c) y[i * H + c] = out[c * S + i];
  return y;
}

TEST(NpuBert, EncoderLayerEqualsTheIntegerReferenceBitForBit) {
  for (uint64_t seed : {1, 2, 3}) {
    const QBert q = quantize_bert(random_bert({8, 16, 2, 64}, seed));
    const Vec want = IntegerBert(q), got = RunBert(q, SmallNpu());
    ASSERT_EQ(got.size(), want.size());
    int diff = 0;
    for (size_t i = 0; i < got.size(); ++i) diff += got[i] != want[i];
    EXPECT_EQ(diff, 0) << "seed " << seed;
    // Not a constant output: the layer's values spread over the INT8 range.
    const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    EXPECT_LT(*lo, -60) << seed;
    EXPECT_GT(*hi, 60) << seed;
  }
}

// The float bound. Every tensor is INT8 with a per-tensor scale, and Softmax, GeLU, LayerNorm
// are integer approximations (I-BERT), so the error is not one of rounding alone; the bound
// stated in compiler/README.md is measured, with a margin: over 8 seeds the largest
// |float - dequantized| of the layer's output (values within about +-3) is at most 6 LSB of the
// output scale (measured 2.0 to 4.0 LSB, 0.04 to 0.10; printed below).
TEST(NpuBert, EncoderLayerStaysWithinTheStatedFloatBound) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const BertFloat f = random_bert({8, 16, 2, 64}, seed);
    const QBert q = quantize_bert(f);
    const Vec y = RunBert(q, SmallNpu());
    const F want = FloatBert(f);
    double err = 0, range = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      err = std::max(err, std::fabs(want[i] - static_cast<double>(y[i]) * q.ln2.out_scale));
      range = std::max(range, std::fabs(want[i]));
    }
    std::printf("bert layer seed %d: max |float - npu| %.4f (outputs within +-%.2f, %.2f LSB)\n",
                static_cast<int>(seed), err, range, err / q.ln2.out_scale);
    EXPECT_LE(err, 6 * q.ln2.out_scale) << seed;
  }
}

TEST(NpuBert, ProjectionsOnTheArrayTheRestOnTandem) {
  const QBert q = quantize_bert(random_bert({8, 16, 2, 64}, 1));
  const NpuProgram p = compile_bert(q, SmallNpu());
  std::vector<std::string> gemm, tandem_only;
  for (const auto& b : p.blocks) (b.gemm ? gemm : tandem_only).push_back(b.name);
  EXPECT_EQ(gemm, (std::vector<std::string>{"q", "k", "v", "o", "ffn1", "ffn2"}));
  for (const char* name : {"scores", "softmax", "context", "layernorm1", "gelu", "layernorm2"})
    EXPECT_NE(std::find(tandem_only.begin(), tandem_only.end(), name), tandem_only.end()) << name;
  // ffn1: 16 inputs in 2 K blocks of 8 rows, 64 outputs in 8 N blocks of 8 columns.
  const auto& f1 = *std::find_if(p.blocks.begin(), p.blocks.end(),
                                 [](const auto& b) { return b.name == "ffn1"; });
  EXPECT_EQ(f1.gemm->k_blocks, 2);
  EXPECT_EQ(f1.gemm->n_blocks, 8);
  EXPECT_EQ(f1.gemm->m, 8);
}

TEST(NpuBert, AtTheThesisArrayAndLanes) {
  const QBert q = quantize_bert(random_bert({16, 32, 2, 128}, 4));
  EXPECT_EQ(RunBert(q, golden::npu::NpuConfig{}), IntegerBert(q));
}

TEST(NpuBert, WhatDoesNotFitIsNamed) {
  const auto expect = [](const BertConfig& c, const std::string& what) {
    try {
      compile_bert(quantize_bert(random_bert(c, 1)), SmallNpu());
      ADD_FAILURE() << "no error; expected " << what;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect({16, 16, 2, 64}, "bert layer: attention: 16 tokens exceed the 8 Tandem lanes");
  expect({8, 16, 2, 12}, "bert layer: projection 'ffn1': 12 outputs");
  EXPECT_THROW(random_bert({8, 15, 2, 64}, 1), UserError);  // hidden not a multiple of heads
}

// The named-workload API: the program, its inputs and the expected outputs.
TEST(NpuWorkload, NamedWorkloadsCarryTheirExpectedOutputs) {
  auto cfg = SmallNpu();
  cfg.dram_words = 1 << 16;
  for (const std::string& name : workload_names()) {
    auto c = cfg;
    if (name == "resnet18") {  // every weight resident; layer4's 576 K blocks of 8 channels
      c.wbuf_depth = 1500000;
      c.depth = 1024;
    }
    const NpuWorkload w = make_workload(name, c, {.channels = 4, .seed = 2});
    EXPECT_GT(w.cycles, 0) << name;
    EXPECT_FALSE(w.program.blocks.empty()) << name;
    EXPECT_EQ(w.expected.size(),
              static_cast<size_t>(w.program.out_c) * w.program.out_h * w.program.out_w)
        << name;
  }
  // bert_layer's expected outputs are the integer reference's ([H][S] order).
  const NpuWorkload w = make_workload("bert_layer", cfg, {.seed = 5});
  const Vec want = IntegerBert(quantize_bert(random_bert({8, 16, 2, 64}, 5)));
  for (int i = 0; i < 8; ++i)
    for (int c = 0; c < 16; ++c) EXPECT_EQ(w.expected[c * 8 + i], want[i * 16 + c]) << i << c;
  EXPECT_THROW(make_workload("gpt_layer", cfg), UserError);
}

// The output projection's Output BUF release moved one instruction early (in front of the loop
// whose body is obuf's last consumer) is caught by the golden model's ownership check.
TEST(NpuBert, AnEarlyReleaseIsCaught) {
  const QBert q = quantize_bert(random_bert({8, 16, 2, 64}, 1));
  NpuProgram p = compile_bert(q, SmallNpu());
  auto& words = std::find_if(p.blocks.begin(), p.blocks.end(), [](const auto& b) {
                  return b.name == "o";
                })->tandem;
  const auto mnemonic = [](uint32_t w) { return isa::tandem::Decode(w).def->mnemonic; };
  auto it = std::find_if(words.begin(), words.end(),
                         [&](uint32_t w) { return mnemonic(w) == "sync.tandem.end.buf"; });
  ASSERT_NE(it, words.end());
  const uint32_t sync = *it;
  auto at = words.erase(it) - 1;
  while (mnemonic(*at) != "loop.set_iter") --at;
  words.insert(at, sync);
  golden::npu::NpuSim sim(SmallNpu());
  try {
    run_on_golden(p, sim);
    ADD_FAILURE() << "the early release was not caught";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("touches obuf after the Output BUF was released"),
              std::string::npos)
        << e.what();
  }
}

// One encoder layer of the zoo's BERT-base, recognized in the graph IR (hidden 768, 12 heads, FFN
// 3072) at 8 tokens, bit-exact on the Table 4.4 array and lanes (4096-row buffers: a LayerNorm
// row of 768 needs 3 x 768 Interim BUF rows; every weight resident).
TEST(NpuBert, ZooBertBaseLayerFromTheGraph) {
  const graph::Graph net = graph::build_zoo_model("bert_base", {.seq_len = 8});
  const BertConfig c = bert_config_of(net, "layer3");
  EXPECT_EQ(c.seq, 8);
  EXPECT_EQ(c.hidden, 768);
  EXPECT_EQ(c.heads, 12);
  EXPECT_EQ(c.ffn, 3072);
  golden::npu::NpuConfig cfg;
  cfg.depth = 4096;
  cfg.wbuf_depth = 300000;
  cfg.dram_words = 1 << 18;
  const QBert q = quantize_bert(random_bert(c, 9));
  EXPECT_EQ(RunBert(q, cfg), IntegerBert(q));
  try {
    bert_config_of(graph::build_zoo_model("resnet18", {.resolution = 32}), "layer1.0");
    ADD_FAILURE() << "a ResNet block taken for a BERT layer";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("no gemm node 'layer1.0.attn.query'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace accelgen::compiler::npu
