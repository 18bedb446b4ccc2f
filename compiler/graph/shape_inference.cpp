#include "compiler/graph/shape_inference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"

namespace accelgen::graph {
namespace {

[[noreturn]] void fail(const Node& node, const std::string& why) {
  throw UserError(fmt::format("node '{}' ({}): {}", node.name, to_string(node.op), why));
}

void expect_inputs(const Node& node, const std::vector<Shape>& inputs, size_t count) {
  if (inputs.size() != count) {
    fail(node, fmt::format("expects {} input(s), got {}", count, inputs.size()));
  }
}

void expect_rank(const Node& node, const Shape& shape, size_t rank) {
  if (shape.size() != rank) {
    fail(node, fmt::format("expects a rank-{} input, got {}", rank, shape_string(shape)));
  }
}

void expect_positive(const Node& node, int64_t value, const char* what) {
  if (value < 1 || value > kMaxDim)
    fail(node, fmt::format("{} must be in 1..2^32, got {}", what, value));
}

// Pads (and a transposed convolution's output padding) must lie in 0..2^32.
void expect_pads(const Node& node) {
  for (int64_t p : node.attrs.pads) {
    if (p < 0 || p > kMaxDim) fail(node, fmt::format("padding must be in 0..2^32, got {}", p));
  }
  for (int64_t p : node.attrs.output_padding) {
    if (p < 0 || p > kMaxDim)
      fail(node, fmt::format("output padding must be in 0..2^32, got {}", p));
  }
}

// Sliding-window output size (convolution and pooling).
int64_t window_out(const Node& node, int64_t in, int64_t pad_sum, int64_t kernel, int64_t stride,
                   int64_t dilation, bool ceil_mode) {
  expect_positive(node, kernel, "kernel");
  expect_positive(node, stride, "stride");
  expect_positive(node, dilation, "dilation");
  const int64_t span = checked_mul(dilation, kernel - 1, "window span") + 1;
  const int64_t room = in + pad_sum - span;
  if (room < 0) {
    fail(node, fmt::format("window {} larger than padded input {}", span, in + pad_sum));
  }
  return (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
}

Shape conv_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  expect_pads(node);
  const Shape& in = inputs[0];
  expect_rank(node, in, 4);
  const Attrs& a = node.attrs;
  expect_positive(node, a.groups, "groups");
  expect_positive(node, a.out_channels, "out_channels");
  if (in[1] % a.groups != 0 || a.out_channels % a.groups != 0) {
    fail(node, fmt::format("channels {} -> {} not divisible by groups {}", in[1], a.out_channels,
                           a.groups));
  }
  return {in[0], a.out_channels,
          window_out(node, in[2], a.pads[0] + a.pads[2], a.kernel[0], a.stride[0], a.dilation[0],
                     false),
          window_out(node, in[3], a.pads[1] + a.pads[3], a.kernel[1], a.stride[1], a.dilation[1],
                     false)};
}

Shape conv_transpose_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  expect_pads(node);
  const Shape& in = inputs[0];
  expect_rank(node, in, 4);
  const Attrs& a = node.attrs;
  expect_positive(node, a.groups, "groups");
  expect_positive(node, a.out_channels, "out_channels");
  if (in[1] % a.groups != 0 || a.out_channels % a.groups != 0) {
    fail(node, fmt::format("channels {} -> {} not divisible by groups {}", in[1], a.out_channels,
                           a.groups));
  }
  Shape out = {in[0], a.out_channels, 0, 0};
  for (int d = 0; d < 2; ++d) {
    expect_positive(node, a.kernel[d], "kernel");
    expect_positive(node, a.stride[d], "stride");
    expect_positive(node, a.dilation[d], "dilation");
    const int64_t grown =
        checked_add(checked_mul(in[2 + d] - 1, a.stride[d], "output size"),
                    checked_mul(a.dilation[d], a.kernel[d] - 1, "window span"), "output size");
    out[2 + d] = grown - a.pads[d] - a.pads[d + 2] + a.output_padding[d] + 1;
    if (out[2 + d] < 1) fail(node, "transposed convolution output is empty");
  }
  return out;
}

Shape pool_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  expect_pads(node);
  const Shape& in = inputs[0];
  expect_rank(node, in, 4);
  const Attrs& a = node.attrs;
  if (a.mode == "global_avg" || a.mode == "global_max") return {in[0], in[1], 1, 1};
  if (a.mode != "max" && a.mode != "avg") {
    fail(node, fmt::format("unknown pool mode '{}' (max, avg, global_avg, global_max)", a.mode));
  }
  return {in[0], in[1],
          window_out(node, in[2], a.pads[0] + a.pads[2], a.kernel[0], a.stride[0], 1, a.ceil_mode),
          window_out(node, in[3], a.pads[1] + a.pads[3], a.kernel[1], a.stride[1], 1, a.ceil_mode)};
}

// Numpy-style broadcasting of every operand.
Shape broadcast_shape(const Node& node, const std::vector<Shape>& inputs) {
  if (inputs.size() < 2) fail(node, "expects at least 2 inputs");
  Shape out;
  for (const Shape& s : inputs) {
    if (s.size() > out.size()) out.insert(out.begin(), s.size() - out.size(), 1);
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[out.size() - s.size() + i];
      const int64_t v = s[i];
      if (o == 1) {
        o = v;
      } else if (v != 1 && v != o) {
        fail(node, fmt::format("operand shapes {} and {} do not broadcast", shape_string(inputs[0]),
                               shape_string(s)));
      }
    }
  }
  return out;
}

Shape concat_shape(const Node& node, const std::vector<Shape>& inputs) {
  if (inputs.empty()) fail(node, "expects at least 1 input");
  const size_t rank = inputs[0].size();
  const int64_t axis = normalize_axis(node, node.attrs.axis, rank);
  Shape out = inputs[0];
  out[axis] = 0;
  for (const Shape& s : inputs) {
    if (s.size() != rank) fail(node, "inputs of different ranks");
    for (size_t i = 0; i < rank; ++i) {
      if (static_cast<int64_t>(i) != axis && s[i] != out[i]) {
        fail(node, fmt::format("input shapes {} and {} differ off the concat axis {}",
                               shape_string(inputs[0]), shape_string(s), axis));
      }
    }
    out[axis] += s[axis];
  }
  return out;
}

Shape gemm_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  if (inputs[0].empty()) fail(node, "expects an input of rank >= 1");
  expect_positive(node, node.attrs.out_channels, "out_channels");
  Shape out = inputs[0];
  out[normalize_axis(node, node.attrs.axis, out.size())] = node.attrs.out_channels;
  return out;
}

Shape matmul_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 2);
  const Shape& a = inputs[0];
  const Shape& b = inputs[1];
  if (a.size() < 2 || b.size() < 2) fail(node, "expects operands of rank >= 2");
  if (a.back() != b[b.size() - 2]) {
    fail(node, fmt::format("inner dimensions differ: {} x {}", shape_string(a), shape_string(b)));
  }
  Node batch_node = node;
  Shape batch =
      broadcast_shape(batch_node, {Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2)});
  batch.push_back(a[a.size() - 2]);
  batch.push_back(b.back());
  return batch;
}

Shape upsample_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  expect_rank(node, in, 4);
  const Attrs& a = node.attrs;
  if (a.mode != "nearest" && a.mode != "bilinear" && a.mode != "bicubic" &&
      a.mode != "zero_insert") {
    fail(node, fmt::format("unknown upsample mode '{}' (nearest, bilinear, bicubic, zero_insert)",
                           a.mode));
  }
  if (a.dims.size() == 2) return {in[0], in[1], a.dims[0], a.dims[1]};  // explicit output size
  if (!a.dims.empty()) fail(node, "upsample size must have 2 entries (H, W)");
  Shape out = in;
  for (int d = 0; d < 2; ++d) {
    if (!(a.scale[d] > 0.0 && a.scale[d] < 1e6)) fail(node, "upsample scale must be positive");
    out[2 + d] = static_cast<int64_t>(std::floor(static_cast<double>(in[2 + d]) * a.scale[d]));
    if (out[2 + d] < 1) fail(node, "upsample output is empty");
  }
  return out;
}

Shape reshape_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  Shape out = node.attrs.dims;
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0) {
      if (i >= in.size()) fail(node, "reshape copies a dimension the input lacks");
      out[i] = in[i];
    }
    if (out[i] == -1) {
      if (infer_at >= 0) fail(node, "reshape has more than one -1");
      infer_at = static_cast<int>(i);
      continue;
    }
    if (out[i] < 1) fail(node, fmt::format("bad reshape dimension {}", out[i]));
    known = checked_mul(known, out[i], "reshape size");
  }
  const int64_t total = volume(in);
  if (infer_at >= 0) {
    if (total % known != 0) fail(node, "reshape cannot infer the -1 dimension");
    out[infer_at] = total / known;
  } else if (known != total) {
    fail(node, fmt::format("reshape {} -> {} changes the element count", shape_string(in),
                           shape_string(out)));
  }
  return out;
}

Shape flatten_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  const int64_t axis =
      node.attrs.axis < 0 ? node.attrs.axis + static_cast<int64_t>(in.size()) : node.attrs.axis;
  if (axis < 0 || axis > static_cast<int64_t>(in.size())) fail(node, "flatten axis out of range");
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer = checked_mul(outer, in[i], "flatten size");
  return {outer, volume(in) / outer};
}

Shape transpose_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  const std::vector<int64_t>& perm = node.attrs.dims;
  if (perm.size() != in.size()) fail(node, "transpose permutation rank differs from the input");
  std::vector<bool> seen(in.size(), false);
  Shape out(in.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(in.size()) || seen[perm[i]]) {
      fail(node, "transpose dims are not a permutation");
    }
    seen[perm[i]] = true;
    out[i] = in[perm[i]];
  }
  return out;
}

Shape embedding_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  expect_positive(node, node.attrs.out_channels, "out_channels");
  expect_positive(node, node.attrs.vocab, "vocab");
  Shape out = inputs[0];
  out.push_back(node.attrs.out_channels);
  return out;
}

Shape lstm_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  expect_rank(node, inputs[0], 3);
  expect_positive(node, node.attrs.out_channels, "out_channels");
  const int64_t dirs = node.attrs.bidirectional ? 2 : 1;
  return {inputs[0][0], inputs[0][1], node.attrs.out_channels * dirs};
}

Shape slice_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  const std::vector<int64_t>& d = node.attrs.dims;
  if (d.size() != 3 * in.size()) fail(node, "slice needs [start, end, step] for every axis");
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const int64_t dim = in[i];
    int64_t start = d[3 * i], end = d[3 * i + 1];
    if (d[3 * i + 2] == 0) fail(node, "slice step must not be 0");
    // A step longer than the axis takes one element either way; clamping keeps the arithmetic
    // below in range for any int64 step.
    const int64_t step = std::clamp<int64_t>(d[3 * i + 2], -dim - 1, dim + 1);
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    // Clamping as ONNX Slice does, so out-of-range bounds (e.g. INT64_MAX) mean "to the end".
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    const int64_t span = end - start;
    out[i] =
        (span == 0 || (span > 0) != (step > 0)) ? 0 : (span + step + (step > 0 ? -1 : 1)) / step;
    if (out[i] < 1) fail(node, fmt::format("slice leaves axis {} empty", i));
  }
  return out;
}

Shape pad_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  const std::vector<int64_t>& d = node.attrs.dims;
  if (d.size() != 2 * in.size()) fail(node, "pad needs a begin and an end for every axis");
  for (int64_t p : d) {
    if (p < -kMaxDim || p > kMaxDim) fail(node, fmt::format("padding {} is out of range", p));
  }
  Shape out(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] = in[i] + d[i] + d[i + in.size()];
    if (out[i] < 1) fail(node, fmt::format("padding empties axis {}", i));
  }
  return out;
}

Shape reduce_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  const Shape& in = inputs[0];
  std::vector<bool> reduced(in.size(), node.attrs.dims.empty());
  for (int64_t axis : node.attrs.dims) reduced[normalize_axis(node, axis, in.size())] = true;
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!reduced[i]) {
      out.push_back(in[i]);
    } else if (node.attrs.keepdims) {
      out.push_back(1);
    }
  }
  if (out.empty()) out.push_back(1);  // scalars are kept as [1]
  return out;
}

Shape same_shape(const Node& node, const std::vector<Shape>& inputs) {
  expect_inputs(node, inputs, 1);
  if (node.op == OpKind::kSoftmax || node.op == OpKind::kLayerNorm) {
    normalize_axis(node, node.attrs.axis, inputs[0].size());
  }
  if (node.op == OpKind::kBatchNorm && inputs[0].size() < 2) fail(node, "expects rank >= 2");
  return inputs[0];
}

}  // namespace

int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out))
    throw UserError(fmt::format("{} overflows 64 bits", what));
  return out;
}

int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) {
    throw UserError(fmt::format("{} overflows 64 bits", what));
  }
  return out;
}

int64_t volume(const Shape& shape) {
  int64_t v = 1;
  for (int64_t d : shape) {
    if (d < 1 || d > kMaxDim) {
      throw UserError(
          fmt::format("tensor {} has a dimension outside 1..2^32", shape_string(shape)));
    }
    v = checked_mul(v, d, "tensor size");
    if (v > kMaxVolume) {
      throw UserError(fmt::format("tensor {} exceeds 2^50 elements", shape_string(shape)));
    }
  }
  return v;
}

int64_t normalize_axis(const Node& node, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  const int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) fail(node, fmt::format("axis {} out of range for rank {}", axis, rank));
  return a;
}

Shape infer_shape(const Node& node, const std::vector<Shape>& inputs) {
  for (const Shape& s : inputs) volume(s);  // rejects absurd or empty dimensions early
  switch (node.op) {
    case OpKind::kInput:
    case OpKind::kCustom:
      if (node.shape.empty()) fail(node, "needs a declared shape");
      volume(node.shape);
      return node.shape;
    case OpKind::kConv:
      return conv_shape(node, inputs);
    case OpKind::kConvTranspose:
      return conv_transpose_shape(node, inputs);
    case OpKind::kGemm:
      return gemm_shape(node, inputs);
    case OpKind::kMatMul:
      return matmul_shape(node, inputs);
    case OpKind::kPool:
      return pool_shape(node, inputs);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return broadcast_shape(node, inputs);
    case OpKind::kElementwise:
      if (inputs.empty()) fail(node, "expects at least 1 input");
      return inputs.size() == 1 ? inputs[0] : broadcast_shape(node, inputs);
    case OpKind::kConcat:
      return concat_shape(node, inputs);
    case OpKind::kUpsample:
      return upsample_shape(node, inputs);
    case OpKind::kActivation:
    case OpKind::kBatchNorm:
    case OpKind::kLayerNorm:
    case OpKind::kSoftmax:
      return same_shape(node, inputs);
    case OpKind::kReshape:
      return reshape_shape(node, inputs);
    case OpKind::kFlatten:
      return flatten_shape(node, inputs);
    case OpKind::kTranspose:
      return transpose_shape(node, inputs);
    case OpKind::kSlice:
      return slice_shape(node, inputs);
    case OpKind::kPad:
      return pad_shape(node, inputs);
    case OpKind::kReduce:
      return reduce_shape(node, inputs);
    case OpKind::kEmbedding:
      return embedding_shape(node, inputs);
    case OpKind::kLstm:
      return lstm_shape(node, inputs);
  }
  fail(node, "unknown operator");
}

std::optional<Shape> expected_weight_shape(const Node& node, const std::vector<Shape>& inputs) {
  const Attrs& a = node.attrs;
  switch (node.op) {
    case OpKind::kConv:
      return Shape{a.out_channels, inputs.at(0)[1] / a.groups, a.kernel[0], a.kernel[1]};
    case OpKind::kConvTranspose:
      return Shape{inputs.at(0)[1], a.out_channels / a.groups, a.kernel[0], a.kernel[1]};
    case OpKind::kGemm: {
      const Shape& in = inputs.at(0);
      return Shape{in[normalize_axis(node, a.axis, in.size())], a.out_channels};
    }
    case OpKind::kEmbedding:
      return Shape{a.vocab, a.out_channels};
    case OpKind::kLstm:  // ONNX layout W: [directions, 4 * hidden, input]
      return Shape{a.bidirectional ? 2 : 1, 4 * a.out_channels, inputs.at(0)[2]};
    default:
      return std::nullopt;
  }
}

}  // namespace accelgen::graph
