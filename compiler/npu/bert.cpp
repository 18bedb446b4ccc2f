#include "compiler/npu/bert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "common/error.hpp"
#include "compiler/npu/dram_blocks.hpp"
#include "compiler/tandem/ops.hpp"
#include "compiler/tandem/program.hpp"

namespace accelgen::compiler::npu {

using golden::npu::GemmDesc;
using golden::npu::NpuBlock;
using isa::tandem::Namespace;
using tandem::MixRole;
using tandem::Operand;
using tandem::ProgramBuilder;
using tandem::TileWalk;

namespace {

void CheckConfig(const BertConfig& c) {
  if (c.seq < 1 || c.hidden < 1 || c.heads < 1 || c.ffn < 1 || c.hidden % c.heads != 0) {
    throw UserError(fmt::format(
        "npu compiler: bert layer: seq {}, hidden {}, heads {}, ffn {}: sizes must be positive "
        "and hidden a multiple of heads",
        c.seq, c.hidden, c.heads, c.ffn));
  }
}

// ---- the float layer (calibration) ----

using Mat = std::vector<double>;  // row-major

Mat MatMul(const Mat& a, const std::vector<float>& w, const std::vector<float>& b, int n, int k,
           int m) {
  Mat y(static_cast<size_t>(n) * m);
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < m; ++o) {
      double s = b[o];
      for (int j = 0; j < k; ++j) s += a[i * k + j] * double{w[j * m + o]};
      y[i * m + o] = s;
    }
  return y;
}

Mat LayerNormF(const Mat& x, const std::vector<float>& g, const std::vector<float>& b, int n, int h,
               double eps) {
  Mat y(x.size());
  for (int i = 0; i < n; ++i) {
    double mean = 0, var = 0;
    for (int j = 0; j < h; ++j) mean += x[i * h + j] / h;
    for (int j = 0; j < h; ++j) var += (x[i * h + j] - mean) * (x[i * h + j] - mean) / h;
    for (int j = 0; j < h; ++j)
      y[i * h + j] = (x[i * h + j] - mean) / std::sqrt(var + eps) * g[j] + b[j];
  }
  return y;
}

double ScaleOf(const Mat& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m > 0 ? m / 127.0 : 1.0;
}

int8_t Quantize(double v, double scale) {
  return static_cast<int8_t>(std::clamp<long long>(std::llround(v / scale), -127, 127));
}

QFc QuantizeFc(const std::vector<float>& w, const std::vector<float>& b, int cin, int cout,
               double in_scale, double out_scale, const char* name) {
  QFc f;
  f.cin = cin;
  f.cout = cout;
  Mat wd(w.begin(), w.end());
  const double sw = ScaleOf(wd);
  f.w.resize(w.size());
  for (int o = 0; o < cout; ++o)
    for (int i = 0; i < cin; ++i) f.w[o * cin + i] = Quantize(w[i * cout + o], sw);
  f.bias.resize(cout);
  for (int o = 0; o < cout; ++o)
    f.bias[o] = static_cast<int32_t>(std::llround(b[o] / (in_scale * sw)));
  f.rq = Requant::FromScale(in_scale * sw / out_scale,
                            fmt::format("npu compiler: bert layer: projection '{}'", name));
  f.out_scale = out_scale;
  return f;
}

QLayerNorm QuantizeLn(const std::vector<float>& g, const std::vector<float>& b, double out_scale) {
  QLayerNorm l;
  const Mat gd(g.begin(), g.end());
  l.gamma_scale = ScaleOf(gd);
  for (float v : g) l.gamma.push_back(Quantize(v, l.gamma_scale));
  for (float v : b)
    l.beta.push_back(static_cast<int32_t>(std::llround(v / std::ldexp(l.gamma_scale, -12))));
  l.out_scale = out_scale;
  return l;
}

}  // namespace

BertConfig bert_config_of(const graph::Graph& g, const std::string& prefix) {
  using graph::OpKind;
  const auto node = [&](const std::string& suffix, OpKind op) -> const graph::Node& {
    const std::string name = prefix + suffix;
    const std::optional<size_t> i = g.find(name);
    if (!i || g.node(*i).op != op) {
      throw UserError(
          fmt::format("npu compiler: bert layer '{}': no {} node '{}' in the graph (the compiler "
                      "maps the zoo's post-LN BERT encoder layer)",
                      prefix, graph::to_string(op), name));
    }
    return g.node(*i);
  };
  const graph::Node& query = node(".attn.query", OpKind::kGemm);
  const graph::Node& fc1 = node(".ffn.fc1", OpKind::kGemm);
  for (const char* s : {".attn.key", ".attn.value", ".attn.output", ".ffn.fc2"})
    node(s, OpKind::kGemm);
  node(".attn.scores", OpKind::kMatMul);
  node(".attn.context", OpKind::kMatMul);
  node(".attn.softmax", OpKind::kSoftmax);
  node(".attn_add", OpKind::kAdd);
  node(".ffn_add", OpKind::kAdd);
  node(".attn_norm", OpKind::kLayerNorm);
  node(".ffn_norm", OpKind::kLayerNorm);
  const graph::Node& heads = node(".attn.q.heads", OpKind::kReshape);
  const auto& in = g.node(query.inputs.at(0)).shape;
  if (in.size() != 3 || in[0] != 1 || heads.shape.size() != 4 || fc1.activation != "gelu") {
    throw UserError(fmt::format(
        "npu compiler: bert layer '{}': the input must be [1, S, H] (batch 1) with GeLU in "
        "'{}'",
        prefix, fc1.name));
  }
  return BertConfig{static_cast<int>(in[1]), static_cast<int>(in[2]),
                    static_cast<int>(heads.shape[2]), static_cast<int>(fc1.shape.back())};
}

BertFloat random_bert(const BertConfig& cfg, uint64_t seed) {
  CheckConfig(cfg);
  std::mt19937_64 rng(seed);
  const auto fill = [&](std::vector<float>& v, size_t n, double a, double b) {
    v.resize(n);
    for (auto& x : v) x = static_cast<float>(std::uniform_real_distribution<double>(a, b)(rng));
  };
  BertFloat f;
  f.cfg = cfg;
  const size_t S = cfg.seq, H = cfg.hidden, F = cfg.ffn;
  fill(f.x, S * H, -1, 1);
  const double ah = std::sqrt(3.0 / static_cast<double>(H)),
               af = std::sqrt(3.0 / static_cast<double>(F));
  for (auto* w : {&f.wq, &f.wk, &f.wv, &f.wo}) fill(*w, H * H, -ah, ah);
  fill(f.w1, H * F, -ah, ah);
  fill(f.w2, F * H, -af, af);
  for (auto* b : {&f.bq, &f.bk, &f.bv, &f.bo, &f.b2, &f.be1, &f.be2}) fill(*b, H, -0.2, 0.2);
  fill(f.b1, F, -0.2, 0.2);
  fill(f.g1, H, 0.5, 1.5);
  fill(f.g2, H, 0.5, 1.5);
  return f;
}

QBert quantize_bert(const BertFloat& f) {
  const BertConfig& c = f.cfg;
  CheckConfig(c);
  const int S = c.seq, H = c.hidden, F = c.ffn, dh = H / c.heads;
  QBert q;
  q.cfg = c;
  q.epsilon = f.epsilon;
  const Mat x(f.x.begin(), f.x.end());
  q.x_scale = ScaleOf(x);
  for (double v : x) q.x.push_back(Quantize(v, q.x_scale));
  const Mat Q = MatMul(x, f.wq, f.bq, S, H, H), K = MatMul(x, f.wk, f.bk, S, H, H),
            V = MatMul(x, f.wv, f.bv, S, H, H);
  q.q = QuantizeFc(f.wq, f.bq, H, H, q.x_scale, ScaleOf(Q), "q");
  q.k = QuantizeFc(f.wk, f.bk, H, H, q.x_scale, ScaleOf(K), "k");
  q.v = QuantizeFc(f.wv, f.bv, H, H, q.x_scale, ScaleOf(V), "v");
  Mat scores(static_cast<size_t>(c.heads) * S * S), ctx(static_cast<size_t>(S) * H, 0.0);
  for (int h = 0; h < c.heads; ++h)
    for (int i = 0; i < S; ++i) {
      double mx = -1e300;
      for (int j = 0; j < S; ++j) {
        double s = 0;
        for (int d = 0; d < dh; ++d) s += Q[i * H + h * dh + d] * K[j * H + h * dh + d];
        scores[(h * S + i) * S + j] = s / std::sqrt(static_cast<double>(dh));
        mx = std::max(mx, scores[(h * S + i) * S + j]);
      }
      double sum = 0;
      for (int j = 0; j < S; ++j) sum += std::exp(scores[(h * S + i) * S + j] - mx);
      for (int j = 0; j < S; ++j) {
        const double p = std::exp(scores[(h * S + i) * S + j] - mx) / sum;
        for (int d = 0; d < dh; ++d) ctx[i * H + h * dh + d] += p * V[j * H + h * dh + d];
      }
    }
  // The Softmax input's scale is at least 2/127 (a range of at least +-2): the Tandem i-exp
  // needs (1.353 / S)^2 + 0.344 / (0.3585 S^2) < 2^23 at S = scale / 16.
  q.s_scores = std::max(ScaleOf(scores), 2.0 / 127);
  q.s_ctx = ScaleOf(ctx);
  const std::string what = "npu compiler: bert layer: ";
  q.r_scores = Requant::FromScale(
      q.q.out_scale * q.k.out_scale / (std::sqrt(static_cast<double>(dh)) * q.s_scores),
      what + "Q K^T");
  q.r_ctx = Requant::FromScale(q.v.out_scale / (256 * q.s_ctx), what + "P V");
  const Mat attn = MatMul(ctx, f.wo, f.bo, S, H, H);
  q.o = QuantizeFc(f.wo, f.bo, H, H, q.s_ctx, ScaleOf(attn), "o");
  Mat a1(attn.size());
  for (size_t i = 0; i < a1.size(); ++i) a1[i] = attn[i] + x[i];
  q.s_a1 = ScaleOf(a1);
  q.a1_a = Requant::FromScale(q.o.out_scale / (256 * q.s_a1), what + "residual add 1");
  q.a1_b = Requant::FromScale(q.x_scale / (256 * q.s_a1), what + "residual add 1");
  const Mat n1 = LayerNormF(a1, f.g1, f.be1, S, H, f.epsilon);
  q.ln1 = QuantizeLn(f.g1, f.be1, ScaleOf(n1));
  Mat h1 = MatMul(n1, f.w1, f.b1, S, H, F);
  q.f1 = QuantizeFc(f.w1, f.b1, H, F, q.ln1.out_scale, ScaleOf(h1), "ffn1");
  for (double& v : h1) v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  q.s_gelu = ScaleOf(h1);
  const Mat h2 = MatMul(h1, f.w2, f.b2, S, F, H);
  q.f2 = QuantizeFc(f.w2, f.b2, F, H, q.s_gelu, ScaleOf(h2), "ffn2");
  Mat a2(h2.size());
  for (size_t i = 0; i < a2.size(); ++i) a2[i] = h2[i] + n1[i];
  q.s_a2 = ScaleOf(a2);
  q.a2_a = Requant::FromScale(q.f2.out_scale / (256 * q.s_a2), what + "residual add 2");
  q.a2_b = Requant::FromScale(q.ln1.out_scale / (256 * q.s_a2), what + "residual add 2");
  q.ln2 = QuantizeLn(f.g2, f.be2, ScaleOf(LayerNormF(a2, f.g2, f.be2, S, H, f.epsilon)));
  return q;
}

NpuProgram compile_bert(const QBert& q, const golden::npu::NpuConfig& config) {
  const BertConfig& c = q.cfg;
  CheckConfig(c);
  NpuProgram p;
  p.config = config;
  const int L = config.lanes, D = config.depth;
  const int S = c.seq, H = c.hidden, F = c.ffn, dh = H / c.heads;
  if (S > L) {
    throw UserError(fmt::format(
        "npu compiler: bert layer: attention: {} tokens exceed the {} Tandem lanes (a token per "
        "lane)",
        S, L));
  }
  if (S + dh > D || S * dh > D) {
    throw UserError(
        fmt::format("npu compiler: bert layer: attention: a head ({} tokens x {}) does not fit the "
                    "Interim BUF ({} rows)",
                    S, dh, D));
  }
  DramBlocks blocks(p, "npu compiler: bert layer", "projection");
  const auto fc = [&](const std::string& name, const QFc& f, int64_t out,
                      const DramBlocks::Residual* res) {
    blocks.GemmBlock(name, f.cin, f.cout, 1, f.w, f.bias, f.rq, false, 127, S, out, res);
  };
  // The operator compiler's limits (rows per reduction, scales) named by the layer's part.
  const auto compile_op = [](const char* part, const auto& fn) {
    try {
      return fn();
    } catch (const UserError& e) {
      throw UserError(fmt::format("npu compiler: bert layer: {}: {}", part, e.what()));
    }
  };
  const auto op_block = [&](const std::string& name, const tandem::CompiledOp& op) {
    blocks.OpBlock(name, op);
    p.layers.push_back(LayerPlan{name, static_cast<int>(p.blocks.size()) - 1, 1, 0, S, 0});
  };
  const auto alloc = [&](int64_t words) { return blocks.Alloc(words); };

  // The input X.
  const int64_t x_addr = alloc(int64_t{S} * H);
  for (int i = 0; i < S * H; ++i) p.dram.push_back({x_addr + i, q.x[i]});
  const int64_t q_addr = alloc(int64_t{S} * H), k_addr = alloc(int64_t{S} * H),
                v_addr = alloc(int64_t{S} * H), ctx_addr = alloc(int64_t{S} * H);
  blocks.Im2col("q", x_addr, H, S, 1, 1, 1, 0);
  fc("q", q.q, q_addr, nullptr);
  fc("k", q.k, k_addr, nullptr);
  fc("v", q.v, v_addr, nullptr);

  // Attention: a token per lane; Q_h rows d, the scores rows j; K_h and V_h broadcast to every
  // lane (rows j dh + d).
  const tandem::CompiledOp softmax = compile_op("softmax", [&] {
    return tandem::CompileSoftmax(blocks.OpTarget(), int64_t{c.heads} * S, S, {q.s_scores, 0});
  });
  const int64_t sm_in = softmax.inputs.at(0).dram_base, sm_out = softmax.outputs.at(0).dram_base;
  blocks.TandemBlock("scores", [&](ProgramBuilder& pb) {
    pb.IntegerDtype();
    for (int h = 0; h < c.heads; ++h) {
      pb.Load(Namespace::kVmem1, TileWalk{q_addr + h * dh, {{dh, 1}, {S, H}}, S, S, 3},
              fmt::format("Q of head {}", h));
      pb.Load(Namespace::kVmem2, TileWalk{k_addr + h * dh, {{S, H}, {dh, 1}, {L, 0}}, 0, L, 3},
              fmt::format("K of head {}, every lane", h));
      pb.Rows("move", S, Operand::Buf(Namespace::kVmem1, 0), Operand::Imm(0), {}, MixRole::kExtra,
              "scores = 0");
      pb.Loop({dh, S},
              {tandem::BodyOp{"macc", Operand::Buf(Namespace::kVmem1, 0, {0, 1}),
                              Operand::Buf(Namespace::kVmem1, S, {1, 0}),
                              Operand::Buf(Namespace::kVmem2, 0, {1, dh}), MixRole::kCore}},
              "scores[j] += Q[d] K[j][d]");
      emit_requant(pb, Namespace::kVmem1, S, q.r_scores, false, true, false);
      pb.Store(Namespace::kVmem1, TileWalk{sm_in + h * S * S, {{S, 1}, {S, S}}, 0, S, 3},
               fmt::format("scores of head {}", h));
    }
  });
  p.layers.push_back(LayerPlan{"scores", static_cast<int>(p.blocks.size()) - 1, 1, 0, S,
                               int64_t{c.heads} * S * S * dh});
  op_block("softmax", softmax);
  blocks.TandemBlock("context", [&](ProgramBuilder& pb) {
    pb.IntegerDtype();
    for (int h = 0; h < c.heads; ++h) {
      pb.Load(Namespace::kVmem1, TileWalk{sm_out + h * S * S, {{S, 1}, {S, S}}, 0, S, 3},
              fmt::format("P of head {}", h));
      pb.Rows("add", S, Operand::Buf(Namespace::kVmem1, 0), Operand::Buf(Namespace::kVmem1, 0),
              Operand::Imm(128), MixRole::kExtra, "P + 128 (zero point -128)");
      pb.Load(Namespace::kVmem2, TileWalk{v_addr + h * dh, {{S, H}, {dh, 1}, {L, 0}}, 0, L, 3},
              fmt::format("V of head {}, every lane", h));
      pb.Rows("move", dh, Operand::Buf(Namespace::kVmem1, S), Operand::Imm(0), {}, MixRole::kExtra,
              "context = 0");
      pb.Loop({S, dh},
              {tandem::BodyOp{"macc", Operand::Buf(Namespace::kVmem1, S, {0, 1}),
                              Operand::Buf(Namespace::kVmem1, 0, {1, 0}),
                              Operand::Buf(Namespace::kVmem2, 0, {dh, 1}), MixRole::kCore}},
              "context[d] += P[j] V[j][d]");
      emit_requant(pb, Namespace::kVmem1, dh, q.r_ctx, false, true, false, 127, S);
      pb.Store(Namespace::kVmem1, TileWalk{ctx_addr + h * dh, {{dh, 1}, {S, H}}, S, S, 3},
               fmt::format("context of head {}", h));
    }
  });
  p.layers.push_back(LayerPlan{"context", static_cast<int>(p.blocks.size()) - 1, 1, 0, S,
                               int64_t{c.heads} * S * S * dh});

  // Output projection + residual X, LayerNorm.
  const tandem::CompiledOp ln1 = compile_op("layernorm1", [&] {
    return tandem::CompileLayerNorm(blocks.OpTarget(), S, H, {q.s_a1, 0}, {q.ln1.gamma_scale, 0},
                                    {q.ln1.out_scale, 0}, q.epsilon);
  });
  blocks.Im2col("o", ctx_addr, H, S, 1, 1, 1, 0);
  const DramBlocks::Residual res1{x_addr, q.a1_a, q.a1_b};
  fc("o", q.o, ln1.inputs.at(0).dram_base, &res1);
  op_block("layernorm1", ln1);
  for (int i = 0; i < H; ++i) {
    p.dram.push_back({ln1.inputs.at(1).dram_base + i, q.ln1.gamma[i]});
    p.dram.push_back({ln1.inputs.at(2).dram_base + i, q.ln1.beta[i]});
  }
  const int64_t n1_addr = ln1.outputs.at(0).dram_base;

  // FFN: W1 -> GeLU -> W2 + residual N1, LayerNorm.
  const tandem::CompiledOp gelu = compile_op("gelu", [&] {
    return tandem::CompileGelu(blocks.OpTarget(), {S, F}, {q.f1.out_scale, 0}, {q.s_gelu, 0});
  });
  blocks.Im2col("ffn1", n1_addr, H, S, 1, 1, 1, 0);
  fc("ffn1", q.f1, gelu.inputs.at(0).dram_base, nullptr);
  op_block("gelu", gelu);
  const tandem::CompiledOp ln2 = compile_op("layernorm2", [&] {
    return tandem::CompileLayerNorm(blocks.OpTarget(), S, H, {q.s_a2, 0}, {q.ln2.gamma_scale, 0},
                                    {q.ln2.out_scale, 0}, q.epsilon);
  });
  blocks.Im2col("ffn2", gelu.outputs.at(0).dram_base, F, S, 1, 1, 1, 0);
  const DramBlocks::Residual res2{n1_addr, q.a2_a, q.a2_b};
  fc("ffn2", q.f2, ln2.inputs.at(0).dram_base, &res2);
  op_block("layernorm2", ln2);
  for (int i = 0; i < H; ++i) {
    p.dram.push_back({ln2.inputs.at(1).dram_base + i, q.ln2.gamma[i]});
    p.dram.push_back({ln2.inputs.at(2).dram_base + i, q.ln2.beta[i]});
  }
  p.out_base = ln2.outputs.at(0).dram_base;
  p.out_c = H;
  p.out_h = S;
  p.out_w = 1;
  return p;
}

}  // namespace accelgen::compiler::npu
