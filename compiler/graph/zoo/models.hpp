// Builders of the zoo's models, one family per source file; registered in zoo.cpp.
#pragma once

#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen::graph::zoo {

Graph alexnet(const ZooOptions& o);
Graph vgg16(const ZooOptions& o);
Graph googlenet(const ZooOptions& o);
Graph resnet18(const ZooOptions& o);
Graph resnet50(const ZooOptions& o);
Graph mobilenet_v1(const ZooOptions& o);
Graph mobilenet_v2(const ZooOptions& o);
Graph efficientnet_b0(const ZooOptions& o);
Graph ssd_mobilenet_v1(const ZooOptions& o);
Graph ssd_resnet34(const ZooOptions& o);
Graph tiny_yolo_v2(const ZooOptions& o);
Graph yolo_v3(const ZooOptions& o);
Graph darknet19(const ZooOptions& o);
Graph bert_base(const ZooOptions& o);
Graph vit_b16(const ZooOptions& o);
Graph gnmt(const ZooOptions& o);
// Cocco (issue 15)
Graph resnet152(const ZooOptions& o);
Graph randwire_a(const ZooOptions& o);
Graph randwire_b(const ZooOptions& o);
Graph transformer_base(const ZooOptions& o);
Graph gpt(const ZooOptions& o);
Graph nasnet_large(const ZooOptions& o);

// GNMT v2 with the source and target lengths set apart (gnmt() uses --seq-len for both).
Graph gnmt_v2(int64_t batch, int64_t source_len, int64_t target_len);

// MobileNet-v1's convolutions (no classifier) on `x`; returns the last feature map and, when
// `conv11` is set, stores the 11th separable layer's output (an SSD feature tap) there.
std::string mobilenet_v1_body(class Builder& b, std::string x, std::string* conv11);

// ResNet-34 through layer3 with layer3's stride set to 1, the SSD-ResNet34 backbone (MLPerf).
std::string resnet34_to_layer3(class Builder& b, const std::string& image);

// A learned tensor (class token, position embedding, attention bias) presented as an activation of
// `shape`: a custom "parameter" node without inputs whose one weight is `weight`.
std::string parameter(class Builder& b, const std::string& name, Shape shape, Shape weight);

// The image side to build at: the option when set, else the model's default.
inline int64_t resolution(const ZooOptions& o, int64_t fallback) {
  return o.resolution > 0 ? o.resolution : fallback;
}

}  // namespace accelgen::graph::zoo
