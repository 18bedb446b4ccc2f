// ONNX layers: convolutions, GEMM/MatMul, pooling, reductions, resizing.
#include <algorithm>
#include <functional>
#include <limits>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph::onnx_detail {

std::array<int64_t, 4> Importer::window_pads(const onnx::NodeProto& n, const Shape& in,
                                             const std::array<int64_t, 2>& kernel,
                                             const std::array<int64_t, 2>& stride,
                                             const std::array<int64_t, 2>& dilation) {
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  if (auto_pad == "NOTSET") {
    if (auto p = attr_ints(n, "pads")) {
      if (p->size() != 4) fail("pads must have 4 entries for a 2-D window");
      std::copy(p->begin(), p->end(), pads.begin());
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      if (stride[d] < 1 || stride[d] > kMaxDim) fail("strides must be in 1..2^32");
      if (dilation[d] < 1 || dilation[d] > kMaxDim) fail("dilations must be in 1..2^32");
      if (kernel[d] < 1 || kernel[d] > kMaxDim) fail("kernel sizes must be in 1..2^32");
      const int64_t out = (in[2 + d] + stride[d] - 1) / stride[d];
      const int64_t total = std::max<int64_t>(
          (out - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1 - in[2 + d], 0);
      const int64_t small = total / 2;
      pads[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      pads[d + 2] = total - pads[d];
    }
  } else if (auto_pad != "VALID") {
    fail(fmt::format("unknown auto_pad '{}'", auto_pad));
  }
  return pads;
}

// 1-D convolution and pooling run as 2-D ones over [N, C, L, 1], with reshapes around them.
bool Importer::lift_1d(const onnx::NodeProto& n, int w_index,
                       const std::function<void(const onnx::NodeProto&)>& import_2d) {
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  if (in.size() != 3) return false;
  const std::string lifted = n.output(0) + ".as_2d";
  onnx::NodeProto m = n;
  Node r = make(OpKind::kReshape, {x});
  r.name = lifted + ".in";
  r.attrs.dims = {in[0], in[1], in[2], 1};
  r.dtype = graph_.node(x).dtype;
  graph_.add(std::move(r));
  produced_[lifted + ".in"] = lifted + ".in";
  m.set_input(0, lifted + ".in");
  if (w_index >= 0 && has_input(n, w_index)) {
    if (std::optional<Shape> w = static_shape(input_of(n, w_index)); w && w->size() == 3) {
      Constant c;
      c.dims = *w;
      c.dims.push_back(1);
      consts_[lifted + ".w"] = c;
      m.set_input(w_index, lifted + ".w");
    }
  }
  for (auto& a : *m.mutable_attribute()) {
    const std::string& name = a.name();
    if (name == "pads" && a.ints_size() == 2) {
      const int64_t begin = a.ints(0), end = a.ints(1);
      a.clear_ints();
      for (int64_t v : {begin, int64_t{0}, end, int64_t{0}}) a.add_ints(v);
    } else if (name == "output_padding") {
      a.add_ints(0);
    } else if (name == "kernel_shape" || name == "strides" || name == "dilations" ||
               name == "output_shape") {
      a.add_ints(1);
    }
  }
  m.set_output(0, lifted);
  uses_[lifted] = 1;
  const onnx::NodeProto* outer = node_;
  node_ = &m;
  import_2d(m);
  node_ = outer;
  const Shape out = graph_.node(produced_.at(lifted)).shape;
  reshape_to(lifted, {out[0], out[1], out[2]});
  return true;
}

// Pads of a transposed convolution that give output size `want` on spatial axis `d` (the odd one
// at the end, or at the start for SAME_LOWER). A negative total means the output is larger than
// the kernel sweep: the difference becomes output padding.
void Importer::pad_transposed_to(Attrs& a, int64_t in, int64_t want, int d, bool lower) {
  for (int64_t v : {a.stride[d], a.kernel[d], a.dilation[d], want, a.output_padding[d] + 1}) {
    if (v < 1 || v > kMaxDim) fail("strides, kernel, dilations and sizes must be in 1..2^32");
  }
  const int64_t sweep =
      checked_add(checked_mul(in - 1, a.stride[d], "output size"),
                  checked_mul(a.kernel[d] - 1, a.dilation[d], "window span"), "output size");
  const int64_t total = sweep + a.output_padding[d] + 1 - want;
  if (total < 0) {
    a.output_padding[d] -= total;
    return;
  }
  a.pads[lower ? d : d + 2] = total - total / 2;
  a.pads[lower ? d + 2 : d] = total / 2;
}

void Importer::conv(const onnx::NodeProto& n, bool transposed, int w_index, int b_index,
                    DType dtype) {
  if (lift_1d(n, w_index,
              [&](const onnx::NodeProto& m) { conv(m, transposed, w_index, b_index, dtype); })) {
    return;
  }
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  const std::optional<Shape> w = static_shape(input_of(n, w_index));
  if (!w) fail("weights must be a constant or a graph input");
  if (in.size() != 4 || w->size() != 4) {
    fail(fmt::format("only 1-D and 2-D convolutions are supported (input {})", shape_string(in)));
  }
  Node c = make(transposed ? OpKind::kConvTranspose : OpKind::kConv, {x});
  Attrs& a = c.attrs;
  a.groups = attr_int(n, "group", 1);
  if (a.groups < 1) fail("group must be positive");
  a.kernel = {(*w)[2], (*w)[3]};
  a.out_channels = transposed ? (*w)[1] * a.groups : (*w)[0];
  if (auto s = attr_ints(n, "strides")) {
    if (s->size() != 2) fail("strides must have 2 entries");
    a.stride = {(*s)[0], (*s)[1]};
  }
  if (auto d = attr_ints(n, "dilations")) {
    if (d->size() != 2) fail("dilations must have 2 entries");
    a.dilation = {(*d)[0], (*d)[1]};
  }
  if (transposed) {
    if (auto op = attr_ints(n, "output_padding")) {
      if (op->size() != 2) fail("output_padding must have 2 entries");
      a.output_padding = {(*op)[0], (*op)[1]};
    }
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    const bool lower = auto_pad == "SAME_LOWER";
    if (auto out = attr_ints(n, "output_shape")) {
      if (out->size() != 2) fail("output_shape must give H and W");
      for (int d = 0; d < 2; ++d) pad_transposed_to(a, in[2 + d], (*out)[d], d, lower);
    } else if (auto_pad == "SAME_UPPER" || lower) {
      for (int d = 0; d < 2; ++d) {
        pad_transposed_to(a, in[2 + d], checked_mul(in[2 + d], a.stride[d], "output size"), d,
                          lower);
      }
    } else {
      a.pads = window_pads(n, in, a.kernel, a.stride, a.dilation);
    }
  } else {
    a.pads = window_pads(n, in, a.kernel, a.stride, a.dilation);
  }
  if (auto k = attr_ints(n, "kernel_shape");
      k && (k->size() != 2 || (*k)[0] != a.kernel[0] || (*k)[1] != a.kernel[1])) {
    fail("kernel_shape disagrees with the weight shape");
  }
  if (transposed) {
    if (in[1] != (*w)[0]) fail("weight shape does not match the input channels");
    c.weights = {{"weight", {in[1], a.out_channels / a.groups, a.kernel[0], a.kernel[1]}}};
  } else {
    if (a.groups < 1 || in[1] % a.groups != 0 || in[1] / a.groups != (*w)[1]) {
      fail(fmt::format("weight {} does not fit input {} with {} groups", shape_string(*w),
                       shape_string(in), a.groups));
    }
    c.weights = {{"weight", *w}};
  }
  if (b_index >= 0 && has_input(n, b_index)) {
    const std::optional<Shape> b = static_shape(input_of(n, b_index));
    if (!b) fail("bias must be a constant or a graph input");
    c.weights.push_back({"bias", *b});
  }
  emit(std::move(c), dtype);
}

void Importer::gemm_like(const std::string& a_name, const std::string& b_name,
                         const std::string& bias, bool trans_a, bool trans_b, DType dtype) {
  const std::optional<Shape> b_static = static_shape(b_name);
  std::string a = activation(a_name);
  if (trans_a) {
    Node t = make(OpKind::kTranspose, {a});
    t.name = node_->output(0) + ".transpose_a";
    t.attrs.dims = {1, 0};
    a = graph_.add(std::move(t)).name;
  }
  const Shape a_shape = graph_.node(a).shape;
  if (b_static && b_static->size() == 2 && a_shape.size() >= 2) {
    // A weight matrix: a fully connected layer over A's last axis.
    const int64_t k = trans_b ? (*b_static)[1] : (*b_static)[0];
    const int64_t out = trans_b ? (*b_static)[0] : (*b_static)[1];
    if (k != a_shape.back()) {
      fail(fmt::format("inner dimensions differ: {} x {}", shape_string(a_shape),
                       shape_string(*b_static)));
    }
    Node g = make(OpKind::kGemm, {a});
    g.attrs.axis = static_cast<int64_t>(a_shape.size()) - 1;
    g.attrs.out_channels = out;
    g.weights = {{"weight", {k, out}}};
    if (!bias.empty()) {
      const std::optional<Shape> c = static_shape(bias);
      if (!c) fail("a bias computed at run time is not supported");
      g.weights.push_back({"bias", *c});
    }
    emit(std::move(g), dtype);
    return;
  }
  if (a_shape.size() < 2 || shape_of(b_name).size() < 2)
    fail("MatMul of a 1-D operand is not supported");
  std::string b = activation(b_name);
  if (trans_b) {
    Node t = make(OpKind::kTranspose, {b});
    t.name = node_->output(0) + ".transpose_b";
    t.attrs.dims = {1, 0};
    b = graph_.add(std::move(t)).name;
  }
  if (!bias.empty()) fail("Gemm of two activations with a bias is not supported");
  emit(make(OpKind::kMatMul, {a, b}), dtype);
}

void Importer::pool(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  only_first_output(n);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    const std::string mode = op == "GlobalAveragePool" ? "mean" : "max";
    if (in.size() == 4) {
      Node p = make(OpKind::kPool, {x});
      p.attrs.mode = op == "GlobalAveragePool" ? "global_avg" : "global_max";
      return emit(std::move(p), graph_.node(x).dtype);
    }
    std::vector<int64_t> axes;
    for (size_t i = 2; i < in.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    return reduce(n, mode, axes, true);
  }
  if (lift_1d(n, -1, [&](const onnx::NodeProto& m) { pool(m); })) return;
  if (in.size() != 4) {
    fail(fmt::format("only 1-D and 2-D pooling are supported (input {})", shape_string(in)));
  }
  const auto k = attr_ints(n, "kernel_shape");
  if (!k || k->size() != 2) fail("kernel_shape must have 2 entries");
  Node p = make(OpKind::kPool, {x});
  p.attrs.mode = op == "MaxPool" ? "max" : "avg";
  p.attrs.kernel = {(*k)[0], (*k)[1]};
  if (auto s = attr_ints(n, "strides")) {
    if (s->size() != 2) fail("strides must have 2 entries");
    p.attrs.stride = {(*s)[0], (*s)[1]};
  }
  if (auto d = attr_ints(n, "dilations"); d && (d->size() != 2 || (*d)[0] != 1 || (*d)[1] != 1)) {
    fail("dilated pooling is not supported");
  }
  p.attrs.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  p.attrs.pads = window_pads(n, in, p.attrs.kernel, p.attrs.stride, {1, 1});
  emit(std::move(p), graph_.node(x).dtype);
}

void Importer::reduce(const onnx::NodeProto& n, const std::string& mode, std::vector<int64_t> axes,
                      bool keepdims) {
  const std::string x = activation(input_of(n, 0));
  const size_t rank = graph_.node(x).shape.size();
  if (!keepdims && (axes.empty() || axes.size() >= rank)) {
    fail("reducing to a scalar is not supported");
  }
  Node r = make(OpKind::kReduce, {x});
  r.attrs.mode = mode;
  r.attrs.dims = std::move(axes);
  r.attrs.keepdims = keepdims;
  emit(std::move(r), graph_.node(x).dtype);
}

void Importer::resize(const onnx::NodeProto& n) {
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  if (n.op_type() == "Upsample" && opset_ < 9) {
    if (auto s = attr_floats(n, "scales")) scales = *s;
  } else if (n.op_type() == "Upsample" || opset_ < 11) {
    scales = const_reals(input_of(n, 1));
  } else {
    if (has_input(n, 3)) sizes = const_ints(input_of(n, 3));
    if (sizes.empty() && has_input(n, 2)) scales = const_reals(input_of(n, 2));
  }
  if (in.size() != 4) fail("only resizing NCHW tensors over H and W is supported");
  Node u = make(OpKind::kUpsample, {x});
  const std::string mode = attr_string(n, "mode", "nearest");
  u.attrs.mode = mode == "nearest"  ? "nearest"
                 : mode == "linear" ? "bilinear"
                 : mode == "cubic"  ? "bicubic"
                                    : "";
  if (u.attrs.mode.empty()) fail(fmt::format("unknown resize mode '{}'", mode));
  if (!sizes.empty()) {
    if (sizes.size() != 4 || sizes[0] != in[0] || sizes[1] != in[1]) {
      fail("only resizing over H and W is supported");
    }
    u.attrs.dims = {sizes[2], sizes[3]};
  } else {
    if (scales.size() != 4 || scales[0] != 1.0 || scales[1] != 1.0) {
      fail("only resizing over H and W is supported");
    }
    u.attrs.scale = {scales[2], scales[3]};
  }
  emit(std::move(u), graph_.node(x).dtype);
}

}  // namespace accelgen::graph::onnx_detail
