// A BERT encoder layer for NPU-Tandem (compiler/README.md, "NPU: BERT encoder layer"): the
// float layer (random_bert), its INT8 quantization (quantize_bert) and its NPU program
// (compile_bert). The six projections run on the systolic array (one GEMM block each, whose
// Tandem region adds the bias, requantizes and, after the output projection and the second FFN
// layer, adds the residual); the attention products Q·K^T and P·V (both operands activations,
// which the host-loaded weight scratchpad cannot hold) run on Tandem as MACC loops; Softmax, GeLU
// and LayerNorm are the Tandem operator compiler's programs (compiler/tandem/ops.hpp), embedded as
// Tandem-only blocks. Blocks hand tensors over through DRAM.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/graph/graph.hpp"
#include "compiler/npu/lower.hpp"
#include "compiler/npu/quant.hpp"

namespace accelgen::compiler::npu {

struct BertConfig {
  int seq = 8;      // tokens S (<= Tandem lanes: a token per lane in the attention)
  int hidden = 16;  // H, a multiple of heads
  int heads = 2;
  int ffn = 64;  // the FFN's inner width
};

// The float layer (ONNX semantics, post-LN BERT): Q = X Wq + bq, K, V alike; per head h
// (columns h·dh .. h·dh+dh-1, dh = H / heads) P_h = Softmax(Q_h K_h^T / sqrt(dh)), C_h = P_h V_h;
// A1 = X + (C Wo + bo); N1 = LayerNorm(A1)·g1 + be1; F = Gelu(N1 W1 + b1) (erf form);
// A2 = N1 + (F W2 + b2); Y = LayerNorm(A2)·g2 + be2, epsilon 1e-5. Matrices row-major
// [in][out], X and Y [S][H].
struct BertFloat {
  BertConfig cfg;
  std::vector<float> x;
  std::vector<float> wq, wk, wv, wo, w1, w2;
  std::vector<float> bq, bk, bv, bo, b1, b2;
  std::vector<float> g1, be1, g2, be2;
  double epsilon = 1e-5;
};
// The configuration of the post-LN encoder layer named `prefix` in graph `g` (the model zoo's
// BERT layout: PREFIX.attn.{query,key,value} fully connected, .attn.scores and .attn.context
// matmuls around .attn.softmax, .attn.output, .attn_add + .attn_norm, .ffn.fc1 with GeLU,
// .ffn.fc2, .ffn_add + .ffn_norm) from its shapes: seq and hidden from the query's input
// [1, S, H], heads from the per-head reshape, ffn from fc1. UserError naming the node that is
// missing or has another operator, or for a batch other than 1.
BertConfig bert_config_of(const graph::Graph& g, const std::string& prefix);

// Deterministic parameters: weights uniform in ±sqrt(3 / fan-in), biases and betas in ±0.2,
// gammas in [0.5, 1.5], X in [-1, 1].
BertFloat random_bert(const BertConfig& cfg, uint64_t seed);

// One quantized projection y = clamp(r(sat32(x·w + bias)), -128, 127): w [out][in] INT8 at
// scale w_scale, bias INT32 at in_scale·w_scale, r = rq (quant.hpp's Requant).
struct QFc {
  int cin = 0, cout = 0;
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  Requant rq;
  double out_scale = 1;
};
// LayerNorm parameters in the Tandem operator compiler's form: gamma INT8 at gamma_scale, beta
// INT32 at 2^-12·gamma_scale; the output INT8 at out_scale, zero point 0.
struct QLayerNorm {
  std::vector<int8_t> gamma;
  std::vector<int32_t> beta;
  double gamma_scale = 1, out_scale = 1;
};
// The quantized layer. Every activation is INT8, zero point 0 except the Softmax output P (scale
// 1/256, zero point -128). Integer semantics (all exact, compiler/README.md):
//   Q, K, V = fc(X);  S_h[i][j] = clamp(r_scores(Σ_d Q[i][h dh + d]·K[j][h dh + d]));
//   P = Softmax_tandem(S) (scale s_scores); C[i][h dh + d] = clamp(r_ctx(Σ_j (P_h[i][j] + 128)·
//   V[j][h dh + d])); A1 = add(fc_o(C), X) with add(a, b) = clamp(sat32(ra(a << 8) + rb(b << 8)));
//   N1 = LayerNorm_tandem(A1); G = Gelu_tandem(fc_1(N1)); A2 = add(fc_2(G), N1);
//   Y = LayerNorm_tandem(A2).
struct QBert {
  BertConfig cfg;
  std::vector<int8_t> x;
  double x_scale = 1;
  QFc q, k, v, o, f1, f2;
  Requant r_scores, r_ctx;
  double s_scores = 1, s_ctx = 1;
  Requant a1_a, a1_b, a2_a, a2_b;  // the residual adds: a = the projection, b = the residual
  double s_a1 = 1, s_a2 = 1;
  QLayerNorm ln1, ln2;
  double s_gelu = 1;
  double epsilon = 1e-5;
};
// Scales from the float activations of f.x (max |value| / 127 per tensor, the scores' at least
// 2/127 for the Tandem Softmax's i-exp; per-tensor weight scales). UserError for a configuration
// the layer cannot have (sizes) or a scale the requantizer cannot represent.
QBert quantize_bert(const BertFloat& f);

// Compiles the layer for `config`. UserError naming the part that does not fit (seq > lanes,
// an N block not filled, buffers). The output is [S][H]: NpuProgram out_c = H, out_h = S,
// out_w = 1 (run_on_golden returns it H-major, [H][S]).
NpuProgram compile_bert(const QBert& q, const golden::npu::NpuConfig& config);

}  // namespace accelgen::compiler::npu
