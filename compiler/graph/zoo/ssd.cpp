// SSD-MobileNet-v1 as in the TensorFlow object detection API's ssd_mobilenet_v1_coco.config (the
// MLPerf Inference v0.5 reference): MobileNet-v1 taps at Conv2d_11 (19x19) and Conv2d_13 (10x10),
// four extra 1x1 + 3x3/2 feature layers, and 1x1 box predictors (3 anchors on the first map, 6 on
// the others; 90 COCO classes + background).
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {

Graph ssd_mobilenet_v1(const ZooOptions& o) {
  Builder b("ssd_mobilenet_v1");
  const int64_t side = resolution(o, 300);
  std::string conv11;
  std::string x = mobilenet_v1_body(b, b.input("input", {o.batch, 3, side, side}), &conv11);
  std::vector<std::string> maps = {conv11, x};
  const int64_t depths[] = {512, 256, 256, 128};
  for (int i = 0; i < 4; ++i) {
    const std::string name = fmt::format("extra{}", i + 1);
    x = b.conv(name + ".reduce", x, depths[i] / 2, 1, {.activation = "relu6"});
    x = b.conv(name + ".conv", x, depths[i], 3, {.stride = 2, .activation = "relu6"});
    maps.push_back(x);
  }
  constexpr int64_t kClasses = 91;
  const ConvOptions kPredictor = {.bias = true, .batch_norm = false, .activation = ""};
  for (size_t i = 0; i < maps.size(); ++i) {
    const int64_t anchors = i == 0 ? 3 : 6;
    b.conv(fmt::format("box{}.loc", i), maps[i], anchors * 4, 1, kPredictor);
    b.conv(fmt::format("box{}.conf", i), maps[i], anchors * kClasses, 1, kPredictor);
  }
  return b.take();
}

// SSD-ResNet34 at 1200x1200 as in MLPerf Inference v0.5 (mlcommons/inference, ssd_r34.py):
// ResNet-34 to layer3 at stride 8, five extra blocks (1x1 + 3x3, biases, ReLU), and 3x3 heads of
// stride 3 (4 or 6 anchors, 81 classes) on the six feature maps.
Graph ssd_resnet34(const ZooOptions& o) {
  Builder b("ssd_resnet34");
  const int64_t side = resolution(o, 1200);
  std::string x = resnet34_to_layer3(b, b.input("input", {o.batch, 3, side, side}));
  std::vector<std::string> maps = {x};
  struct Extra {
    int64_t mid, out, stride, pad;
  };
  const Extra extras[] = {
      {256, 512, 2, 1}, {256, 512, 2, 1}, {128, 256, 2, 1}, {128, 256, 2, 0}, {128, 256, 1, 0}};
  const ConvOptions relu_bias = {.bias = true, .batch_norm = false};
  for (int i = 0; i < 5; ++i) {
    const std::string name = fmt::format("extra{}", i + 1);
    x = b.conv(name + ".reduce", x, extras[i].mid, 1, relu_bias);
    ConvOptions o3 = relu_bias;
    o3.stride = extras[i].stride;
    o3.pad = extras[i].pad;
    x = b.conv(name + ".conv", x, extras[i].out, 3, o3);
    maps.push_back(x);
  }
  constexpr int64_t kClasses = 81;
  const int64_t anchors[] = {4, 6, 6, 6, 4, 4};
  const ConvOptions head = {
      .stride = 3, .pad = 1, .bias = true, .batch_norm = false, .activation = ""};
  for (size_t i = 0; i < maps.size(); ++i) {
    b.conv(fmt::format("head{}.loc", i), maps[i], anchors[i] * 4, 3, head);
    b.conv(fmt::format("head{}.conf", i), maps[i], anchors[i] * kClasses, 3, head);
  }
  return b.take();
}

}  // namespace accelgen::graph::zoo
