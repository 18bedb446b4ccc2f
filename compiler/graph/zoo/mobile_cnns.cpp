// MobileNet-v1 (Howard et al. 2017, Table 1), MobileNet-v2 and EfficientNet-B0 (torchvision
// models/mobilenetv2.py, efficientnet.py). Batch norm folded, activations fused.
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

std::string classifier(Builder& b, std::string x) {
  x = b.global_pool("avgpool", x);
  x = b.flatten("flatten", x);
  return b.fc("fc", x, 1000);
}

}  // namespace

std::string mobilenet_v1_body(Builder& b, std::string x, std::string* conv11) {
  x = b.conv("conv0", x, 32, 3, {.stride = 2});
  // (pointwise output channels, depthwise stride) of the 13 separable layers in Table 1.
  const std::pair<int64_t, int64_t> layers[] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                                                {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                                                {512, 1}, {1024, 2}, {1024, 1}};
  int i = 1;
  for (const auto& [out, stride] : layers) {
    x = b.dwconv(fmt::format("conv{}.dw", i), x, 3, {.stride = stride});
    x = b.conv(fmt::format("conv{}.pw", i), x, out, 1);
    if (i == 11 && conv11 != nullptr) *conv11 = x;
    ++i;
  }
  return x;
}

Graph mobilenet_v1(const ZooOptions& o) {
  Builder b("mobilenet_v1");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = mobilenet_v1_body(b, x, nullptr);
  classifier(b, x);
  return b.take();
}

Graph mobilenet_v2(const ZooOptions& o) {
  Builder b("mobilenet_v2");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = b.conv("features.0", x, 32, 3, {.stride = 2, .activation = "relu6"});
  struct Stage {
    int64_t expand, out, repeats, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block = 1;
  for (const Stage& s : stages) {
    for (int64_t i = 0; i < s.repeats; ++i, ++block) {
      const std::string name = fmt::format("features.{}", block);
      const int64_t stride = i == 0 ? s.stride : 1;
      const int64_t in = b.shape(x)[1];
      std::string y = x;
      if (s.expand != 1) y = b.conv(name + ".expand", y, in * s.expand, 1, {.activation = "relu6"});
      y = b.dwconv(name + ".dw", y, 3, {.stride = stride, .activation = "relu6"});
      y = b.conv(name + ".project", y, s.out, 1, {.activation = ""});
      x = (stride == 1 && in == s.out) ? b.add(name + ".add", {y, x}) : y;
    }
  }
  x = b.conv(fmt::format("features.{}", block), x, 1280, 1, {.activation = "relu6"});
  classifier(b, x);
  return b.take();
}

namespace {

// Squeeze-and-excitation gate: global pool, two 1x1 convolutions with bias, sigmoid, multiply.
std::string squeeze_excite(Builder& b, const std::string& name, const std::string& x,
                           int64_t squeeze) {
  const int64_t channels = b.shape(x)[1];
  std::string s = b.global_pool(name + ".pool", x);
  s = b.conv(name + ".fc1", s, squeeze, 1,
             {.bias = true, .batch_norm = false, .activation = "swish"});
  s = b.conv(name + ".fc2", s, channels, 1,
             {.bias = true, .batch_norm = false, .activation = "sigmoid"});
  return b.mul(name + ".scale", {x, s});
}

}  // namespace

Graph efficientnet_b0(const ZooOptions& o) {
  Builder b("efficientnet_b0");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = b.conv("stem", x, 32, 3, {.stride = 2, .activation = "swish"});
  struct Stage {
    int64_t expand, kernel, stride, out, repeats;
  };
  const Stage stages[] = {{1, 3, 1, 16, 1},  {6, 3, 2, 24, 2},  {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
                          {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}};
  for (int stage = 0; stage < 7; ++stage) {
    const Stage& s = stages[stage];
    for (int64_t i = 0; i < s.repeats; ++i) {
      const std::string name = fmt::format("stage{}.{}", stage + 1, i);
      const int64_t stride = i == 0 ? s.stride : 1;
      const int64_t in = b.shape(x)[1];
      std::string y = x;
      if (s.expand != 1) y = b.conv(name + ".expand", y, in * s.expand, 1, {.activation = "swish"});
      y = b.dwconv(name + ".dw", y, s.kernel, {.stride = stride, .activation = "swish"});
      y = squeeze_excite(b, name + ".se", y, std::max<int64_t>(1, in / 4));
      y = b.conv(name + ".project", y, s.out, 1, {.activation = ""});
      x = (stride == 1 && in == s.out) ? b.add(name + ".add", {y, x}) : y;
    }
  }
  x = b.conv("head", x, 1280, 1, {.activation = "swish"});
  classifier(b, x);
  return b.take();
}

}  // namespace accelgen::graph::zoo
