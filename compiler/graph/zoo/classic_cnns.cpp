// AlexNet, VGG-16 and GoogLeNet as defined in torchvision (models/alexnet.py, vgg.py,
// googlenet.py), whose documentation publishes the parameter and MAC counts the tests check.
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

// Convolution with bias and ReLU, no batch norm (AlexNet, VGG).
ConvOptions plain(int64_t stride = 1, int64_t pad = -1) {
  return {.stride = stride, .pad = pad, .bias = true, .batch_norm = false};
}

// The classifier both AlexNet and VGG end with: two 4096-wide hidden layers.
std::string classifier(Builder& b, std::string x) {
  x = b.flatten("flatten", x);
  x = b.fc("fc6", x, 4096, "relu");
  x = b.fc("fc7", x, 4096, "relu");
  return b.fc("fc8", x, 1000);
}

}  // namespace

Graph alexnet(const ZooOptions& o) {
  Builder b("alexnet");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = b.conv("conv1", x, 64, 11, plain(4, 2));
  x = b.pool("pool1", x, "max", 3, 2);
  x = b.conv("conv2", x, 192, 5, plain());
  x = b.pool("pool2", x, "max", 3, 2);
  x = b.conv("conv3", x, 384, 3, plain());
  x = b.conv("conv4", x, 256, 3, plain());
  x = b.conv("conv5", x, 256, 3, plain());
  x = b.pool("pool5", x, "max", 3, 2);
  classifier(b, x);
  return b.take();
}

Graph vgg16(const ZooOptions& o) {
  Builder b("vgg16");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  const int64_t widths[] = {64, 128, 256, 512, 512};
  const int convs[] = {2, 2, 3, 3, 3};
  for (int stage = 0; stage < 5; ++stage) {
    for (int i = 0; i < convs[stage]; ++i) {
      x = b.conv(fmt::format("conv{}_{}", stage + 1, i + 1), x, widths[stage], 3, plain());
    }
    x = b.pool(fmt::format("pool{}", stage + 1), x, "max", 2, 2);
  }
  classifier(b, x);
  return b.take();
}

namespace {

// torchvision's Inception module. Its "5x5" branch uses a 3x3 kernel (a known quirk kept for
// compatibility with the released weights), and so does this graph, to match the published count.
std::string inception(Builder& b, const std::string& name, const std::string& x, int64_t c1,
                      int64_t c3r, int64_t c3, int64_t c5r, int64_t c5, int64_t pool_proj) {
  const std::string b1 = b.conv(name + ".b1", x, c1, 1);
  const std::string b2 = b.conv(name + ".b2b", b.conv(name + ".b2a", x, c3r, 1), c3, 3);
  const std::string b3 = b.conv(name + ".b3b", b.conv(name + ".b3a", x, c5r, 1), c5, 3);
  const std::string p = b.pool(name + ".pool", x, "max", 3, 1, 1, true);
  const std::string b4 = b.conv(name + ".b4", p, pool_proj, 1);
  return b.concat(name, {b1, b2, b3, b4});
}

}  // namespace

Graph googlenet(const ZooOptions& o) {
  Builder b("googlenet");
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = b.conv("conv1", x, 64, 7, {.stride = 2});
  x = b.pool("pool1", x, "max", 3, 2, 0, true);
  x = b.conv("conv2", x, 64, 1);
  x = b.conv("conv3", x, 192, 3);
  x = b.pool("pool2", x, "max", 3, 2, 0, true);
  x = inception(b, "inception3a", x, 64, 96, 128, 16, 32, 32);
  x = inception(b, "inception3b", x, 128, 128, 192, 32, 96, 64);
  x = b.pool("pool3", x, "max", 3, 2, 0, true);
  x = inception(b, "inception4a", x, 192, 96, 208, 16, 48, 64);
  x = inception(b, "inception4b", x, 160, 112, 224, 24, 64, 64);
  x = inception(b, "inception4c", x, 128, 128, 256, 24, 64, 64);
  x = inception(b, "inception4d", x, 112, 144, 288, 32, 64, 64);
  x = inception(b, "inception4e", x, 256, 160, 320, 32, 128, 128);
  x = b.pool("pool4", x, "max", 2, 2, 0, true);
  x = inception(b, "inception5a", x, 256, 160, 320, 32, 128, 128);
  x = inception(b, "inception5b", x, 384, 192, 384, 48, 128, 128);
  x = b.global_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.fc("fc", x, 1000);
  return b.take();
}

}  // namespace accelgen::graph::zoo
