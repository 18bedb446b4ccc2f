// The quantized graph the NPU compiler maps (compiler/README.md, "NPU"): per-tensor symmetric
// INT8 activations and weights, INT32 biases, and INT32 -> INT8 requantization by a 31-bit
// multiplier and a shift, exactly as Tandem computes it. The graph IR carries shapes only, so the
// float parameters come from a seeded generator (random_float_model) or the caller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::compiler::npu {

// r(v) = sat32(floor(v * m / 2^31) + 2^(s-1)) >> s (arithmetic shift), with m in [2^30, 2^31)
// and s in 1..kMaxShift. Without the saturation (|v| * m < 2^62 - 2^(30+s)) this is
// floor((v * m + 2^(30+s)) / 2^(31+s)): v * m / 2^(31+s) rounded to nearest, ties toward +inf;
// with it, r >= 2^(31-s) - 1 >= 255, which every use clamps to 127 as the exact value would be.
struct Requant {
  static constexpr int kMaxShift = 23;
  int32_t m = int32_t{1} << 30;
  int s = 1;

  // The multiplier and shift closest to `scale` (2^-24 <= scale < 1/2); UserError naming `what`
  // otherwise.
  static Requant FromScale(double scale, std::string_view what);
  double Scale() const;
};

// Float parameters of a convolution: weights [K][C][R][S] and the folded per-output-channel affine
// y = scale[k] * conv + shift[k] (bias and batch norm folded together). A fully connected layer is
// a 1x1 convolution: weights [out][in] (transposed from the graph's [in][out] shape).
struct FloatConv {
  std::vector<float> w;
  std::vector<float> scale, shift;
};
struct FloatModel {
  std::vector<float> input;  // the network input, CHW (or N x F, row-major)
  std::map<std::string, FloatConv> convs;
};
// Deterministic float parameters for every convolution and fully connected layer of `g` and an
// input in [-1, 1].
FloatModel random_float_model(const graph::Graph& g, uint64_t seed);

struct QTensor {
  std::string name;
  int c = 0, h = 0, w = 0;
  double scale = 1.0;  // real value = scale * int8 value
};
// One layer. kConv: out = clamp(r(sat32(conv(in) + bias)), lo, hi); kDepthwise: the same with
// one input channel per output channel; kAdd: out = clamp(sat32(ra(a << 8) + rb(b << 8)), lo, hi);
// kGlobalAvgPool: out[c] = clamp(r(256 Σ_pixels in[c]), -128, 127) with r the multiplier
// in scale / (256 H W out scale) (the 256 keeps it below 1/2 also for 1x1 inputs); kFlatten: out =
// in (a 1x1 tensor as a vector); kMaxPool: the maximum over the k x k window (stride, symmetric
// padding that never wins), out scale = in scale. lo = 0 with a fused ReLU or ReLU6, -128
// otherwise; hi = min(127, round(6 / out scale)) with ReLU6, 127 otherwise.
struct QLayer {
  enum class Kind { kConv, kDepthwise, kAdd, kGlobalAvgPool, kFlatten, kMaxPool };
  Kind kind = Kind::kConv;
  std::string name;
  std::vector<std::string> inputs;  // producer tensors (the network input's name for it)
  QTensor out;
  bool relu = false;  // ReLU or ReLU6
  int hi = 127;
  // kConv: weights [cout][cin][k][k], kDepthwise: [c][1][k][k]; padding (k - 1) / 2, output
  // (H + 2 pad - k) / stride + 1 (kDepthwise: stride 1).
  int cin = 0, cout = 0, k = 1, pad = 0, stride = 1;
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  Requant rq;
  Requant ra, rb;  // kAdd
};
struct QModel {
  QTensor input;
  std::vector<int8_t> x;  // the quantized input, CHW
  std::vector<QLayer> layers;
  const QTensor& tensor(const std::string& name) const;
};

// Quantizes `g` with the float parameters: scales from the float activations of f.input
// (max |value| / 127 per tensor, weights after folding). UserError naming the layer for an
// operator or attribute outside the supported set (input 1xCxHxW; convolution with groups 1 or
// depthwise, a square stride (depthwise: 1), dilation 1, odd square kernel, padding (k - 1) / 2,
// fused ReLU, ReLU6 or none; fully connected on an N x F input (axis 1), mapped as a 1x1
// convolution over N x 1 pixels; two-input add with ReLU or none; global average pool; max pool
// (square kernel, stride and padding, pad < kernel, no ceil mode); flatten
// of a 1x1 tensor) or a scale the requantizer cannot represent. The input may be 1xCxHxW or NxF.
QModel quantize(const graph::Graph& g, const FloatModel& f);

// A reduced ResNet basic block (conv-BN-ReLU, conv-BN, add of the input, ReLU) on a 1xCxHxW input.
graph::Graph resnet_basic_block(int64_t channels, int64_t h, int64_t w);
// A reduced MobileNet-v2 inverted residual (1x1 expansion to `expanded` channels with BN and
// ReLU6, 3x3 depthwise with BN and ReLU6, 1x1 projection with BN, add of the input).
graph::Graph mobilenet_v2_block(int64_t channels, int64_t expanded, int64_t h, int64_t w);

}  // namespace accelgen::compiler::npu
