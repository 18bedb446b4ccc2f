#include "compiler/npu/quant.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"

namespace accelgen::compiler::npu {

using graph::Graph;
using graph::Node;
using graph::OpKind;

Requant Requant::FromScale(double scale, std::string_view what) {
  const double lo = std::ldexp(1.0, -(kMaxShift + 1));
  if (!(scale >= lo && scale < 0.5)) {
    throw UserError(
        fmt::format("{}: requantization scale {:.6g} outside the requantizer's range [2^-{}, 1/2)",
                    what, scale, kMaxShift + 1));
  }
  int e = 0;
  const double f = std::frexp(scale, &e);  // scale = f * 2^e, f in [1/2, 1)
  Requant r;
  r.s = -e;
  int64_t m = std::llround(std::ldexp(f, 31));
  if (m == (int64_t{1} << 31)) {  // rounded up to the next power of two
    m = int64_t{1} << 30;
    --r.s;
  }
  if (r.s < 1) {
    throw UserError(fmt::format("{}: requantization scale {:.6g} rounds to 1/2", what, scale));
  }
  r.m = static_cast<int32_t>(m);
  return r;
}

double Requant::Scale() const { return std::ldexp(static_cast<double>(m), -(31 + s)); }

const QTensor& QModel::tensor(const std::string& name) const {
  if (name == input.name) return input;
  for (const auto& l : layers)
    if (l.out.name == name) return l.out;
  throw UserError(fmt::format("npu compiler: no tensor '{}'", name));
}

FloatModel random_float_model(const Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&](double a, double b) {
    return static_cast<float>(std::uniform_real_distribution<double>(a, b)(rng));
  };
  FloatModel f;
  for (const Node& n : g.nodes()) {
    if (n.op == OpKind::kInput) {
      int64_t size = 1;
      for (int64_t d : n.shape) size *= d;
      f.input.resize(static_cast<size_t>(size));
      for (auto& v : f.input) v = uniform(-1, 1);
    }
    if (n.op != OpKind::kConv && n.op != OpKind::kGemm) continue;
    FloatConv c;
    int64_t fan_in = 1, size = 1;
    for (const auto& wt : n.weights) {
      if (wt.name != "weight") continue;
      for (size_t i = 0; i < wt.shape.size(); ++i) size *= wt.shape[i];
      // conv [K][C][R][S]: fan-in C*R*S; fully connected [in][out]: fan-in `in`.
      if (n.op == OpKind::kGemm) {
        fan_in = wt.shape.at(0);
      } else {
        for (size_t i = 1; i < wt.shape.size(); ++i) fan_in *= wt.shape[i];
      }
    }
    const double a = std::sqrt(3.0 / static_cast<double>(fan_in));
    c.w.resize(static_cast<size_t>(size));
    for (auto& v : c.w) v = uniform(-a, a);
    const auto k = static_cast<size_t>(n.attrs.out_channels);
    c.scale.assign(k, 1.0f);
    c.shift.assign(k, 0.0f);
    for (const auto& wt : n.weights) {
      if (wt.name == "bn_scale")
        for (auto& v : c.scale) v = uniform(0.5, 1.5);
    }
    for (const auto& wt : n.weights) {
      if (wt.name == "bn_shift" || wt.name == "bias")
        for (auto& v : c.shift) v += uniform(-0.2, 0.2);
    }
    f.convs[n.name] = std::move(c);
  }
  return f;
}

namespace {

float MaxAbs(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) m = std::max(m, std::fabs(x));
  return m;
}

double ScaleOf(const std::vector<float>& v) {
  const float m = MaxAbs(v);
  return m > 0 ? m / 127.0 : 1.0;
}

int8_t QuantizeValue(double v, double scale) {
  return static_cast<int8_t>(std::clamp<long long>(std::llround(v / scale), -127, 127));
}

// The float activation of a convolution (calibration only): input h x w, output oh x ow.
std::vector<float> FloatConvForward(const std::vector<float>& x, const QLayer& l, bool relu6, int h,
                                    int w, const FloatConv& f) {
  const int oh_n = (h + 2 * l.pad - l.k) / l.stride + 1,
            ow_n = (w + 2 * l.pad - l.k) / l.stride + 1;
  std::vector<float> y(static_cast<size_t>(l.cout) * oh_n * ow_n);
  for (int k = 0; k < l.cout; ++k)
    for (int oh = 0; oh < oh_n; ++oh)
      for (int ow = 0; ow < ow_n; ++ow) {
        double sum = 0;
        const bool dw = l.kind == QLayer::Kind::kDepthwise;
        for (int c = dw ? k : 0; c < (dw ? k + 1 : l.cin); ++c)
          for (int i = 0; i < l.k; ++i)
            for (int j = 0; j < l.k; ++j) {
              const int ih = oh * l.stride + i - l.pad, iw = ow * l.stride + j - l.pad;
              if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
              const int wc = dw ? 0 : c, wcin = dw ? 1 : l.cin;
              sum += double{f.w[((k * wcin + wc) * l.k + i) * l.k + j]} * x[(c * h + ih) * w + iw];
            }
        double v = f.scale[k] * sum + f.shift[k];
        if (l.relu) v = std::max(v, 0.0);
        if (relu6) v = std::min(v, 6.0);
        y[(k * oh_n + oh) * ow_n + ow] = static_cast<float>(v);
      }
  return y;
}

std::string Describe(const Node& n) {
  return fmt::format("layer '{}' ({})", n.name, to_string(n.op));
}

}  // namespace

QModel quantize(const Graph& g, const FloatModel& f) {
  QModel q;
  std::map<std::string, std::vector<float>> act;  // float activations, CHW
  for (const Node& n : g.nodes()) {
    const std::string what = Describe(n);
    if (n.op == OpKind::kInput) {
      if (!q.input.name.empty()) {
        throw UserError(fmt::format("npu compiler: {}: the network has more than one input", what));
      }
      const bool rows = n.shape.size() == 2;  // [N, F]: N vectors of F features
      if (!(n.shape.size() == 4 && n.shape[0] == 1) && !rows) {
        throw UserError(fmt::format("npu compiler: {}: the input must be 1xCxHxW or NxF, not {}",
                                    what, graph::shape_string(n.shape)));
      }
      // Internally every tensor is C x H x W; N x F is F channels of N x 1 pixels.
      q.input = {n.name, static_cast<int>(n.shape[1]), static_cast<int>(n.shape[rows ? 0 : 2]),
                 static_cast<int>(rows ? 1 : n.shape[3]), ScaleOf(f.input)};
      const size_t size = static_cast<size_t>(q.input.c) * q.input.h * q.input.w;
      if (f.input.size() != size) {
        throw UserError(
            fmt::format("npu compiler: {}: the float input has {} values", what, f.input.size()));
      }
      const size_t pixels = size / static_cast<size_t>(q.input.c);
      std::vector<float> chw(size);
      for (size_t i = 0; i < size; ++i)
        chw[i] = rows ? f.input[(i % pixels) * q.input.c + i / pixels] : f.input[i];
      q.x.resize(size);
      for (size_t i = 0; i < size; ++i) q.x[i] = QuantizeValue(chw[i], q.input.scale);
      act[n.name] = std::move(chw);
      continue;
    }
    if (n.activation != "" && n.activation != "relu" && n.activation != "relu6") {
      throw UserError(
          fmt::format("npu compiler: {}: fused activation '{}' is not supported (ReLU, "
                      "ReLU6 or none)",
                      what, n.activation));
    }
    QLayer l;
    l.name = n.name;
    l.inputs = n.inputs;
    l.relu = n.activation == "relu" || n.activation == "relu6";
    const bool relu6 = n.activation == "relu6";
    if (n.op == OpKind::kConv || n.op == OpKind::kGemm) {
      const auto& a = n.attrs;
      const bool dense = n.op == OpKind::kGemm;  // a 1x1 convolution over N x 1 pixels
      const int64_t k = dense ? 1 : a.kernel[0];
      if (dense && (g.node(n.inputs.at(0)).shape.size() != 2 || (a.axis != 1 && a.axis != -1))) {
        throw UserError(fmt::format(
            "npu compiler: {}: only fully connected layers on N x F inputs (axis 1) are mapped",
            what));
      }
      const QTensor& in = q.tensor(n.inputs.at(0));
      const bool depthwise = !dense && a.groups > 1 && a.groups == in.c && a.out_channels == in.c;
      if (!dense &&
          ((a.groups != 1 && !depthwise) || a.stride[0] != a.stride[1] || a.stride[0] < 1 ||
           (depthwise && a.stride[0] != 1) || a.dilation != std::array<int64_t, 2>{1, 1} ||
           a.kernel[1] != k || k % 2 == 0 ||
           a.pads != std::array<int64_t, 4>{(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2})) {
        throw UserError(fmt::format(
            "npu compiler: {}: only convolutions with groups 1 (any square stride) or depthwise "
            "(stride 1), dilation 1 and an odd square kernel with padding (k - 1) / 2 are mapped",
            what));
      }
      const auto it = f.convs.find(n.name);
      if (it == f.convs.end()) {
        throw UserError(fmt::format("npu compiler: {}: no float parameters", what));
      }
      const FloatConv& fc = it->second;
      l.kind = depthwise ? QLayer::Kind::kDepthwise : QLayer::Kind::kConv;
      l.cin = in.c;
      l.cout = static_cast<int>(a.out_channels);
      l.k = static_cast<int>(k);
      l.pad = static_cast<int>((k - 1) / 2);
      l.stride = dense ? 1 : static_cast<int>(a.stride[0]);
      // Fold the per-channel scale into the weights, quantize per tensor.
      std::vector<float> wf(fc.w.size());
      const size_t per_k = fc.w.size() / static_cast<size_t>(l.cout);
      for (size_t i = 0; i < wf.size(); ++i) wf[i] = fc.w[i] * fc.scale[i / per_k];
      const double sw = ScaleOf(wf);
      l.w.resize(wf.size());
      for (size_t i = 0; i < wf.size(); ++i) l.w[i] = QuantizeValue(wf[i], sw);
      const double sacc = in.scale * sw;
      l.bias.resize(static_cast<size_t>(l.cout));
      for (int c = 0; c < l.cout; ++c) {
        const double b = std::round(fc.shift[c] / sacc);
        if (std::fabs(b) > 2147483647.0) {
          throw UserError(fmt::format("npu compiler: {}: bias {} overflows INT32", what, c));
        }
        l.bias[c] = static_cast<int32_t>(b);
      }
      std::vector<float> y = FloatConvForward(act.at(in.name), l, relu6, in.h, in.w, fc);
      l.out = {n.name, l.cout, (in.h + 2 * l.pad - l.k) / l.stride + 1,
               (in.w + 2 * l.pad - l.k) / l.stride + 1, ScaleOf(y)};
      if (relu6) l.hi = static_cast<int>(std::min<long long>(127, std::llround(6 / l.out.scale)));
      l.rq = Requant::FromScale(sacc / l.out.scale, "npu compiler: " + what);
      act[n.name] = std::move(y);
    } else if (n.op == OpKind::kAdd && n.inputs.size() == 2) {
      const QTensor& a = q.tensor(n.inputs[0]);
      const QTensor& b = q.tensor(n.inputs[1]);
      if (a.c != b.c || a.h != b.h || a.w != b.w) {
        throw UserError(fmt::format("npu compiler: {}: broadcasting adds are not mapped", what));
      }
      std::vector<float> y(act.at(a.name).size());
      for (size_t i = 0; i < y.size(); ++i) {
        float v = act.at(a.name)[i] + act.at(b.name)[i];
        if (l.relu) v = std::max(v, 0.0f);
        if (relu6) v = std::min(v, 6.0f);
        y[i] = v;
      }
      l.kind = QLayer::Kind::kAdd;
      l.out = {n.name, a.c, a.h, a.w, ScaleOf(y)};
      l.ra = Requant::FromScale(a.scale / (l.out.scale * 256), "npu compiler: " + what);
      l.rb = Requant::FromScale(b.scale / (l.out.scale * 256), "npu compiler: " + what);
      if (relu6) l.hi = static_cast<int>(std::min<long long>(127, std::llround(6 / l.out.scale)));
      act[n.name] = std::move(y);
    } else if (n.op == OpKind::kPool && n.attrs.mode == "global_avg" && n.inputs.size() == 1) {
      const QTensor& in = q.tensor(n.inputs[0]);
      const std::vector<float>& x = act.at(in.name);
      const size_t hw = static_cast<size_t>(in.h) * in.w;
      std::vector<float> y(static_cast<size_t>(in.c), 0.0f);
      for (int c = 0; c < in.c; ++c) {
        double sum = 0;
        for (size_t i = 0; i < hw; ++i) sum += x[c * hw + i];
        y[c] = static_cast<float>(sum / static_cast<double>(hw));
      }
      l.kind = QLayer::Kind::kGlobalAvgPool;
      l.cin = l.cout = in.c;
      l.out = {n.name, in.c, 1, 1, ScaleOf(y)};
      l.rq = Requant::FromScale(in.scale / (256.0 * static_cast<double>(hw) * l.out.scale),
                                "npu compiler: " + what);
      act[n.name] = std::move(y);
    } else if (n.op == OpKind::kPool && n.attrs.mode == "max" && n.inputs.size() == 1 &&
               n.attrs.kernel[0] == n.attrs.kernel[1] && n.attrs.stride[0] == n.attrs.stride[1] &&
               n.attrs.pads[0] == n.attrs.pads[1] && n.attrs.pads[0] == n.attrs.pads[2] &&
               n.attrs.pads[0] == n.attrs.pads[3] && n.attrs.pads[0] < n.attrs.kernel[0] &&
               !n.attrs.ceil_mode) {
      const QTensor& in = q.tensor(n.inputs[0]);
      l.kind = QLayer::Kind::kMaxPool;
      l.cin = l.cout = in.c;
      l.k = static_cast<int>(n.attrs.kernel[0]);
      l.stride = static_cast<int>(n.attrs.stride[0]);
      l.pad = static_cast<int>(n.attrs.pads[0]);
      const int oh = (in.h + 2 * l.pad - l.k) / l.stride + 1,
                ow = (in.w + 2 * l.pad - l.k) / l.stride + 1;
      const std::vector<float>& x = act.at(in.name);
      std::vector<float> y;
      for (int c = 0; c < in.c; ++c)
        for (int i = 0; i < oh; ++i)
          for (int j = 0; j < ow; ++j) {
            float m = -std::numeric_limits<float>::infinity();
            for (int di = 0; di < l.k; ++di)
              for (int dj = 0; dj < l.k; ++dj) {
                const int r = i * l.stride + di - l.pad, s = j * l.stride + dj - l.pad;
                if (r >= 0 && r < in.h && s >= 0 && s < in.w)
                  m = std::max(m, x[(static_cast<size_t>(c) * in.h + r) * in.w + s]);
              }
            y.push_back(m);
          }
      l.out = {n.name, in.c, oh, ow, in.scale};
      act[n.name] = std::move(y);
    } else if (n.op == OpKind::kFlatten && n.inputs.size() == 1) {
      const QTensor& in = q.tensor(n.inputs[0]);
      if (in.h != 1 || in.w != 1) {
        throw UserError(fmt::format(
            "npu compiler: {}: only a flatten of a 1x1 tensor (after a global pool) is mapped",
            what));
      }
      l.kind = QLayer::Kind::kFlatten;
      l.cin = l.cout = in.c;
      l.out = {n.name, in.c, 1, 1, in.scale};
      act[n.name] = act.at(in.name);
    } else {
      throw UserError(fmt::format(
          "npu compiler: {}: operator not supported by the NPU compiler "
          "(it maps convolutions, depthwise convolutions, fully connected layers, adds, global "
          "average pools, max pools, flatten, ReLU and ReLU6)",
          what));
    }
    q.layers.push_back(std::move(l));
  }
  if (q.input.name.empty()) throw UserError("npu compiler: the network has no input");
  return q;
}

graph::Graph resnet_basic_block(int64_t channels, int64_t h, int64_t w) {
  graph::Builder b("resnet_block");
  const std::string x = b.input("x", {1, channels, h, w});
  std::string y = b.conv("conv1", x, channels, 3);
  y = b.conv("conv2", y, channels, 3, {.activation = ""});
  b.add("add", {y, x}, "relu");
  return b.take();
}

graph::Graph mobilenet_v2_block(int64_t channels, int64_t expanded, int64_t h, int64_t w) {
  graph::Builder b("mbv2_block");
  const std::string x = b.input("x", {1, channels, h, w});
  std::string y = b.conv("expand", x, expanded, 1, {.activation = "relu6"});
  y = b.dwconv("depthwise", y, 3, {.activation = "relu6"});
  y = b.conv("project", y, channels, 1, {.activation = ""});
  b.add("add", {y, x});
  return b.take();
}

}  // namespace accelgen::compiler::npu
