#include "compiler/npu/bert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "common/error.hpp"
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
  const int R = config.rows, C = config.cols, L = config.lanes, D = config.depth;
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
  const tandem::TandemTarget target{.lanes = L,
                                    .depth = D,
                                    .dram_bus_words = config.dram_bus_words,
                                    .permute_width = 0,
                                    .dram_base = 0,
                                    .npu_block = true};
  const int64_t line = target.LineWords();
  int64_t top = 0;
  const auto alloc = [&](int64_t words) {
    top = (top + line - 1) / line * line;
    const int64_t at = top;
    top += words;
    return at;
  };
  int group = 0;  // sync group of the next Output BUF release
  int w_rows = 0;

  // A Tandem-only block: it forgets the builder state and resets the DAE base loops earlier
  // blocks may have set.
  const auto reset_base_loops = [](ProgramBuilder& pb) {
    for (const char* dir : {"ld", "st"})
      for (int buf : {kBufVmem1, kBufVmem2}) EmitBaseLoops(pb, dir, buf, 1, 0, 1, 0);
  };
  const auto tandem_block = [&](const std::string& name,
                                const std::function<void(ProgramBuilder&)>& body) {
    ProgramBuilder pb(L, D);
    pb.ForgetState();
    reset_base_loops(pb);
    body(pb);
    NpuBlock b;
    b.tandem = pb.words();
    b.name = name;
    p.blocks.push_back(std::move(b));
  };
  // An operator program of the Tandem operator compiler as a Tandem-only block (its
  // sync.tandem.start.exec / end.exec brackets become the block's).
  const auto op_block = [&](const std::string& name, const tandem::CompiledOp& op) {
    ProgramBuilder brackets(L, D);
    brackets.Emit("sync.tandem.start.exec", {{0}});
    brackets.Emit("sync.tandem.end.exec", {{0}});
    if (op.program.size() < 2 || op.program.front() != brackets.words()[0] ||
        op.program.back() != brackets.words()[1]) {
      throw std::logic_error("npu compiler: an operator program without its exec brackets");
    }
    ProgramBuilder pb(L, D);
    reset_base_loops(pb);
    NpuBlock b;
    b.tandem = pb.words();
    b.tandem.insert(b.tandem.end(), op.program.begin() + 1, op.program.end() - 1);
    b.name = name;
    p.blocks.push_back(std::move(b));
    top = std::max(top, op.dram_words);
    p.layers.push_back(LayerPlan{name, static_cast<int>(p.blocks.size()) - 1, 1, 0, S, 0});
  };
  const auto op_target = [&] {
    tandem::TandemTarget t = target;
    t.dram_base = top;
    return t;
  };
  // The input of a projection, [S][cin] INT8 in DRAM, into the input scratchpad: K block kb
  // (channels kb R .. kb R + R - 1) in rows kb S .. kb S + S - 1, a channel per lane.
  const auto load_ibuf = [&](const std::string& name, int64_t addr, int cin) {
    if ((cin + R - 1) / R * S > D) {
      throw UserError(fmt::format(
          "npu compiler: bert layer: projection '{}': {} input rows exceed the input scratchpad "
          "({} rows)",
          name, (cin + R - 1) / R * S, D));
    }
    tandem_block(name + ".load", [&](ProgramBuilder& pb) {
      pb.IntegerDtype();
      for (int g = 0; g * R < cin; ++g) {
        const int cg = std::min(R, cin - g * R);
        pb.Load(Namespace::kVmem1, TileWalk{addr + g * R, {{S, cin}, {cg, 1}}, 0, cg, 3},
                fmt::format("channels {}..{} of '{}''s input", g * R, g * R + cg - 1, name));
        pb.Rows("move", S, Operand::Buf(Namespace::kIbuf, g * S),
                Operand::Buf(Namespace::kVmem1, 0), {}, MixRole::kExtra,
                "into the input scratchpad");
      }
    });
  };
  struct Residual {
    int64_t addr;
    Requant ra, rb;
  };
  // One projection as a GEMM block reading ibuf rows 0.. and storing [S][cout] INT8 at `out`.
  const auto fc_block = [&](const std::string& name, const QFc& f, int64_t out,
                            const Residual* res) {
    const std::string what = fmt::format("npu compiler: bert layer: projection '{}'", name);
    if (f.cout > C && f.cout % C != 0) {
      throw UserError(
          fmt::format("{}: {} outputs in N blocks of the array's {} columns must be a "
                      "multiple of {}",
                      what, f.cout, C, C));
    }
    if (S + 1 > D) throw UserError(fmt::format("{}: {} tokens do not fit a tile", what, S));
    const int kb = (f.cin + R - 1) / R, nb = (f.cout + C - 1) / C, cn = std::min(C, f.cout);
    const int w_base = w_rows;
    w_rows += kb * nb * R;
    if (w_rows > config.wbuf_depth) {
      throw UserError(fmt::format("{}: the weights need {} weight-scratchpad rows, the NPU has {}",
                                  what, w_rows, config.wbuf_depth));
    }
    for (int n = 0; n < nb; ++n)
      for (int k = 0; k < kb; ++k)
        for (int r = 0; r < R; ++r) {
          NpuProgram::RowWrite row{w_base + (n * kb + k) * R + r, std::vector<int32_t>(C, 0)};
          const int ci = k * R + r;
          for (int col = 0; col < C && ci < f.cin; ++col) {
            const int o = n * C + col;
            if (o < f.cout) row.lanes[col] = f.w[o * f.cin + ci];
          }
          p.wbuf.push_back(std::move(row));
        }
    const int64_t bias = alloc(f.cout);
    for (int o = 0; o < f.cout; ++o) p.dram.push_back({bias + o, f.bias[o]});
    if (nb > 1) {
      ProgramBuilder setup(L, D);
      EmitBaseLoops(setup, "ld", kBufVmem1, 1, 0, nb, cn);
      EmitBaseLoops(setup, "st", kBufVmem1, 1, 0, nb, cn);
      if (res) EmitBaseLoops(setup, "ld", kBufVmem2, 1, 0, nb, cn);
      NpuBlock b;
      b.tandem = setup.words();
      b.name = name + ".dae_setup";
      p.blocks.push_back(std::move(b));
    }
    ProgramBuilder pb(L, D);
    pb.ForgetState();
    if (nb == 1) reset_base_loops(pb);
    pb.Load(Namespace::kVmem1, TileWalk{bias, {{cn, 1}}, D - 1, cn, 5}, "bias");
    pb.IntegerDtype();
    pb.Loop({S},
            {tandem::BodyOp{"add", Operand::Buf(Namespace::kVmem1, 0, {1}),
                            Operand::Buf(Namespace::kObuf, 0, {1}),
                            Operand::Buf(Namespace::kVmem1, D - 1, {0}), MixRole::kCore}},
            "accumulators + bias");
    pb.Emit("sync.tandem.end.buf", {{group++ % 32}},
            "release the Output BUF: the line above was its last consumer");
    emit_requant(pb, Namespace::kVmem1, S, f.rq, false, true, false);
    if (res != nullptr) {
      const Operand a = Operand::Buf(Namespace::kVmem1, 0);
      pb.Load(Namespace::kVmem2, TileWalk{res->addr, {{S, f.cout}, {cn, 1}}, 0, cn, 3},
              "the residual");
      emit_requant(pb, Namespace::kVmem1, S, res->ra, true, false, false);
      emit_requant(pb, Namespace::kVmem2, S, res->rb, true, false, false);
      pb.Rows("add", S, a, a, Operand::Buf(Namespace::kVmem2, 0), MixRole::kCore, "residual add");
      pb.Rows("max", S, a, a, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
      pb.Rows("min", S, a, a, Operand::Imm(127), MixRole::kCore, "clamp to INT8");
    }
    pb.Store(Namespace::kVmem1, TileWalk{out, {{S, f.cout}, {cn, 1}}, 0, cn, 3}, "output tile");
    NpuBlock b;
    b.gemm = GemmDesc{S, 1, kb, nb, 0, w_base};
    b.tandem = pb.words();
    b.name = name;
    p.blocks.push_back(std::move(b));
    p.layers.push_back(LayerPlan{name, static_cast<int>(p.blocks.size()) - 1, nb, kb, S,
                                 int64_t{S} * f.cin * f.cout});
  };

  // The input X.
  const int64_t x_addr = alloc(int64_t{S} * H);
  for (int i = 0; i < S * H; ++i) p.dram.push_back({x_addr + i, q.x[i]});
  const int64_t q_addr = alloc(int64_t{S} * H), k_addr = alloc(int64_t{S} * H),
                v_addr = alloc(int64_t{S} * H), ctx_addr = alloc(int64_t{S} * H);
  load_ibuf("q", x_addr, H);
  fc_block("q", q.q, q_addr, nullptr);
  fc_block("k", q.k, k_addr, nullptr);
  fc_block("v", q.v, v_addr, nullptr);

  // Attention: a token per lane; Q_h rows d, the scores rows j; K_h and V_h broadcast to every
  // lane (rows j dh + d).
  const tandem::CompiledOp softmax =
      tandem::CompileSoftmax(op_target(), int64_t{c.heads} * S, S, {q.s_scores, 0});
  const int64_t sm_in = softmax.inputs.at(0).dram_base, sm_out = softmax.outputs.at(0).dram_base;
  tandem_block("scores", [&](ProgramBuilder& pb) {
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
  tandem_block("context", [&](ProgramBuilder& pb) {
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
  const tandem::CompiledOp ln1 = tandem::CompileLayerNorm(
      op_target(), S, H, {q.s_a1, 0}, {q.ln1.gamma_scale, 0}, {q.ln1.out_scale, 0}, q.epsilon);
  load_ibuf("o", ctx_addr, H);
  const Residual res1{x_addr, q.a1_a, q.a1_b};
  fc_block("o", q.o, ln1.inputs.at(0).dram_base, &res1);
  op_block("layernorm1", ln1);
  for (int i = 0; i < H; ++i) {
    p.dram.push_back({ln1.inputs.at(1).dram_base + i, q.ln1.gamma[i]});
    p.dram.push_back({ln1.inputs.at(2).dram_base + i, q.ln1.beta[i]});
  }
  const int64_t n1_addr = ln1.outputs.at(0).dram_base;

  // FFN: W1 -> GeLU -> W2 + residual N1, LayerNorm.
  const tandem::CompiledOp gelu =
      tandem::CompileGelu(op_target(), {S, F}, {q.f1.out_scale, 0}, {q.s_gelu, 0});
  load_ibuf("ffn1", n1_addr, H);
  fc_block("ffn1", q.f1, gelu.inputs.at(0).dram_base, nullptr);
  op_block("gelu", gelu);
  const tandem::CompiledOp ln2 = tandem::CompileLayerNorm(
      op_target(), S, H, {q.s_a2, 0}, {q.ln2.gamma_scale, 0}, {q.ln2.out_scale, 0}, q.epsilon);
  load_ibuf("ffn2", gelu.outputs.at(0).dram_base, F);
  const Residual res2{n1_addr, q.a2_a, q.a2_b};
  fc_block("ffn2", q.f2, ln2.inputs.at(0).dram_base, &res2);
  op_block("layernorm2", ln2);
  for (int i = 0; i < H; ++i) {
    p.dram.push_back({ln2.inputs.at(1).dram_base + i, q.ln2.gamma[i]});
    p.dram.push_back({ln2.inputs.at(2).dram_base + i, q.ln2.beta[i]});
  }
  p.out_base = ln2.outputs.at(0).dram_base;
  p.out_c = H;
  p.out_h = S;
  p.out_w = 1;
  if (top > config.dram_words) {
    throw UserError(fmt::format(
        "npu compiler: bert layer: the program's DRAM data ({} words) exceeds the DRAM model ({} "
        "words)",
        top, config.dram_words));
  }
  return p;
}

}  // namespace accelgen::compiler::npu
