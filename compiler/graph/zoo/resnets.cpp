// ResNet-18 and ResNet-50 as in torchvision models/resnet.py (v1.5: the stride of a bottleneck
// sits on its 3x3 convolution). Batch norm is folded into each convolution, ReLU fused.
#include <fmt/format.h>

#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

const ConvOptions kLinear = {.activation = ""};  // conv + BN without the ReLU

std::string stem(Builder& b, const ZooOptions& o) {
  std::string x = b.input("input", {o.batch, 3, resolution(o, 224), resolution(o, 224)});
  x = b.conv("conv1", x, 64, 7, {.stride = 2});
  return b.pool("maxpool", x, "max", 3, 2, 1);
}

// The identity path, or a strided 1x1 projection when the shape changes. Built before the block's
// main branch, so in graph order the shortcut is the operand that waits (the skip edge).
std::string shortcut(Builder& b, const std::string& name, const std::string& x, int64_t out,
                     int64_t stride) {
  if (stride == 1 && b.shape(x)[1] == out) return x;
  return b.conv(name + ".downsample", x, out, 1, {.stride = stride, .activation = ""});
}

std::string basic_block(Builder& b, const std::string& name, const std::string& x, int64_t width,
                        int64_t stride) {
  const std::string skip = shortcut(b, name, x, width, stride);
  std::string y = b.conv(name + ".conv1", x, width, 3, {.stride = stride});
  y = b.conv(name + ".conv2", y, width, 3, kLinear);
  return b.add(name + ".add", {y, skip}, "relu");
}

std::string bottleneck(Builder& b, const std::string& name, const std::string& x, int64_t width,
                       int64_t stride) {
  const std::string skip = shortcut(b, name, x, 4 * width, stride);
  std::string y = b.conv(name + ".conv1", x, width, 1);
  y = b.conv(name + ".conv2", y, width, 3, {.stride = stride});
  y = b.conv(name + ".conv3", y, 4 * width, 1, kLinear);
  return b.add(name + ".add", {y, skip}, "relu");
}

template <typename Block>
Graph resnet(const char* name, const ZooOptions& o, const int (&blocks)[4], Block block) {
  Builder b(name);
  std::string x = stem(b, o);
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t width = int64_t{64} << stage;
    for (int i = 0; i < blocks[stage]; ++i) {
      const int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      x = block(b, fmt::format("layer{}.{}", stage + 1, i), x, width, stride);
    }
  }
  x = b.global_pool("avgpool", x);
  x = b.flatten("flatten", x);
  b.fc("fc", x, 1000);
  return b.take();
}

}  // namespace

std::string resnet34_to_layer3(Builder& b, const std::string& image) {
  std::string x = b.conv("conv1", image, 64, 7, {.stride = 2});
  x = b.pool("maxpool", x, "max", 3, 2, 1);
  const int blocks[3] = {3, 4, 6};
  for (int stage = 0; stage < 3; ++stage) {
    for (int i = 0; i < blocks[stage]; ++i) {
      const int64_t stride = (stage == 1 && i == 0) ? 2 : 1;  // layer3 keeps its resolution
      x = basic_block(b, fmt::format("layer{}.{}", stage + 1, i), x, int64_t{64} << stage, stride);
    }
  }
  return x;
}

Graph resnet18(const ZooOptions& o) {
  static constexpr int kBlocks[4] = {2, 2, 2, 2};
  return resnet("resnet18", o, kBlocks, basic_block);
}

Graph resnet50(const ZooOptions& o) {
  static constexpr int kBlocks[4] = {3, 4, 6, 3};
  return resnet("resnet50", o, kBlocks, bottleneck);
}

Graph resnet152(const ZooOptions& o) {
  static constexpr int kBlocks[4] = {3, 8, 36, 3};
  return resnet("resnet152", o, kBlocks, bottleneck);
}

}  // namespace accelgen::graph::zoo
