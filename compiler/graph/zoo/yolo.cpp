// Tiny YOLOv2 (VOC), YOLOv3 and the DarkNet-19 classifier as in darknet's
// cfg/yolov2-tiny-voc.cfg, cfg/yolov3.cfg and cfg/darknet19.cfg (pjreddie/darknet). Convolutions carry folded batch norm and leaky ReLU; the detection
// convolutions are linear with a bias.
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

const ConvOptions kLeaky = {.activation = "leaky_relu"};
ConvOptions leaky_stride(int64_t stride) { return {.stride = stride, .activation = "leaky_relu"}; }
const ConvOptions kDetect = {.bias = true, .batch_norm = false, .activation = ""};

}  // namespace

Graph tiny_yolo_v2(const ZooOptions& o) {
  Builder b("tiny_yolo_v2");
  const int64_t side = resolution(o, 416);
  std::string x = b.input("input", {o.batch, 3, side, side});
  const int64_t widths[] = {16, 32, 64, 128, 256, 512};
  for (int i = 0; i < 6; ++i) {
    x = b.conv(fmt::format("conv{}", i + 1), x, widths[i], 3, kLeaky);
    if (i < 5) {
      x = b.pool(fmt::format("pool{}", i + 1), x, "max", 2, 2);
    } else {
      // darknet's size-2 stride-1 max pool pads one row and column at the end: 13x13 stays 13x13.
      Node pool;
      pool.name = "pool6";
      pool.op = OpKind::kPool;
      pool.inputs = {x};
      pool.attrs.mode = "max";
      pool.attrs.kernel = {2, 2};
      pool.attrs.pads = {0, 0, 1, 1};
      x = b.node(pool);
    }
  }
  x = b.conv("conv7", x, 1024, 3, kLeaky);
  x = b.conv("conv8", x, 1024, 3, kLeaky);
  b.conv("detect", x, 125, 1, kDetect);  // 5 anchors x (20 classes + 5)
  return b.take();
}

// DarkNet-19 (Redmon & Farhadi, YOLO9000, Table 6; darknet19.cfg): 19 convolutions with folded batch
// norm and leaky ReLU, five 2x2 max pools, a linear 1x1 classifier convolution with bias and a global
// average pool.
Graph darknet19(const ZooOptions& o) {
  Builder b("darknet19");
  const int64_t side = resolution(o, 224);
  std::string x = b.input("input", {o.batch, 3, side, side});
  // Each stage: {width, convolutions}; convolutions alternate 3x3 at `width` and 1x1 at width / 2.
  const int64_t widths[] = {32, 64, 128, 256, 512, 1024};
  const int convs[] = {1, 1, 3, 3, 5, 5};
  int index = 0;
  for (int stage = 0; stage < 6; ++stage) {
    for (int i = 0; i < convs[stage]; ++i) {
      const bool pointwise = i % 2 == 1;
      x = b.conv(fmt::format("conv{}", ++index), x, pointwise ? widths[stage] / 2 : widths[stage],
                 pointwise ? 1 : 3, kLeaky);
    }
    if (stage < 5) x = b.pool(fmt::format("pool{}", stage + 1), x, "max", 2, 2);
  }
  x = b.conv("conv19", x, 1000, 1, kDetect);
  b.global_pool("avgpool", x);
  return b.take();
}

namespace {

// Darknet-53 residual unit: 1x1 halving the channels, 3x3 restoring them, shortcut add.
std::string residual(Builder& b, const std::string& name, const std::string& x) {
  const int64_t channels = b.shape(x)[1];
  std::string y = b.conv(name + ".conv1", x, channels / 2, 1, kLeaky);
  y = b.conv(name + ".conv2", y, channels, 3, kLeaky);
  return b.add(name + ".add", {y, x});
}

// Five alternating 1x1/3x3 convolutions ending in a 1x1 (the branch point), then the 3x3 and
// the detection convolution. Returns the branch point.
std::string detection_head(Builder& b, const std::string& name, std::string x, int64_t width) {
  for (int i = 0; i < 5; ++i) {
    x = b.conv(fmt::format("{}.conv{}", name, i + 1), x, i % 2 == 0 ? width : 2 * width,
               i % 2 == 0 ? 1 : 3, kLeaky);
  }
  const std::string y = b.conv(name + ".conv6", x, 2 * width, 3, kLeaky);
  b.conv(name + ".detect", y, 255, 1, kDetect);  // 3 anchors x (80 classes + 5)
  return x;
}

}  // namespace

Graph yolo_v3(const ZooOptions& o) {
  Builder b("yolo_v3");
  const int64_t side = resolution(o, 416);
  std::string x = b.input("input", {o.batch, 3, side, side});
  x = b.conv("conv0", x, 32, 3, kLeaky);
  const int repeats[] = {1, 2, 8, 8, 4};
  std::string route36, route61;  // darknet's layer numbers of the two feature-pyramid taps
  for (int stage = 0; stage < 5; ++stage) {
    x = b.conv(fmt::format("down{}", stage + 1), x, int64_t{64} << stage, 3, leaky_stride(2));
    for (int i = 0; i < repeats[stage]; ++i) {
      x = residual(b, fmt::format("stage{}.{}", stage + 1, i), x);
    }
    if (stage == 2) route36 = x;
    if (stage == 3) route61 = x;
  }
  std::string branch = detection_head(b, "head13", x, 512);
  x = b.conv("route1.conv", branch, 256, 1, kLeaky);
  x = b.concat("route1.cat", {b.upsample("route1.up", x, 2.0), route61});
  branch = detection_head(b, "head26", x, 256);
  x = b.conv("route2.conv", branch, 128, 1, kLeaky);
  x = b.concat("route2.cat", {b.upsample("route2.up", x, 2.0), route36});
  detection_head(b, "head52", x, 128);
  return b.take();
}

}  // namespace accelgen::graph::zoo
