// Every zoo model's total MACs and parameters against a published figure. Each row names its
// source and tolerance. "torchvision" = the torchvision 0.16 model documentation tables
// (pytorch.org/vision/stable/models.html: "Params" and "GFLOPS", the latter being multiply-adds,
// printed to two decimals). darknet's "Bn FLOPS" (pjreddie.com/darknet/yolo, yolov2) count two
// operations per multiply-add of the convolutions, so they are halved here.
#include "compiler/graph/zoo/zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/json_io.hpp"

namespace accelgen::graph {
namespace {

struct Published {
  const char* model;
  double params;
  double params_tolerance;  // relative
  double macs;
  double macs_tolerance;  // relative
  const char* source;
};

const Published kPublished[] = {
    // Exact parameter counts: 0.1% covers nothing but rounding; GFLOPS has two decimals.
    {"alexnet", 61100840, 0.001, 0.71e9, 0.01, "torchvision AlexNet_Weights.IMAGENET1K_V1"},
    {"vgg16", 138357544, 0.001, 15.47e9, 0.005, "torchvision VGG16_Weights.IMAGENET1K_V1"},
    {"googlenet", 6624904, 0.001, 1.50e9, 0.01, "torchvision GoogLeNet_Weights.IMAGENET1K_V1"},
    {"resnet18", 11689512, 0.001, 1.81e9, 0.01, "torchvision ResNet18_Weights.IMAGENET1K_V1"},
    {"resnet50", 25557032, 0.001, 4.09e9, 0.01, "torchvision ResNet50_Weights.IMAGENET1K_V1"},
    {"mobilenet_v2", 3504872, 0.001, 0.30e9, 0.02,
     "torchvision MobileNet_V2_Weights.IMAGENET1K_V1"},
    {"efficientnet_b0", 5288548, 0.001, 0.39e9, 0.02,
     "torchvision EfficientNet_B0_Weights.IMAGENET1K_V1"},
    {"vit_b16", 86567656, 0.001, 17.56e9, 0.005, "torchvision ViT_B_16_Weights.IMAGENET1K_V1"},
    // Howard et al. 2017, Table 8: 569 million mult-adds, 4.2 million parameters (two digits).
    {"mobilenet_v1", 4.2e6, 0.015, 569e6, 0.005, "MobileNets paper, Table 8"},
    // Redmon & Farhadi 2018 / darknet YOLOv3 page: YOLOv3-416 65.86 Bn FLOPS; ultralytics/yolov3
    // README: 61.9 M parameters (the same darknet architecture).
    {"yolo_v3", 61.9e6, 0.005, 65.86e9 / 2, 0.005, "darknet YOLOv3-416 page; ultralytics README"},
    // Reddi et al., "MLPerf Inference Benchmark" (ISCA 2020), model table: SSD-MobileNet-v1,
    // 300x300, 6.91 M parameters and 2.47 GOPs (two per multiply-add). The graph has 1.3 % fewer
    // parameters (folded batch norm counted as scale + shift only), hence 2 %.
    {"ssd_mobilenet_v1", 6.91e6, 0.02, 2.47e9 / 2, 0.01, "MLPerf Inference paper"},
    // SSD-ResNet34 at 1200x1200: 433 GOPs in the same MLPerf model table; parameters from the ONNX
    // model zoo's published file size for resnet34-ssd1200.onnx, 80.4 MB of float32 weights
    // (20.1 M; the file also holds the graph, hence 1 %).
    {"ssd_resnet34", 80.4e6 / 4, 0.01, 433e9 / 2, 0.005, "MLPerf paper; ONNX model zoo"},
    // Devlin et al. 2019, section 3: BERT-base 110 M parameters (MACs checked separately below).
    {"bert_base", 110e6, 0.01, 0, 0, "BERT paper, section 3"},
};

double relative_error(double got, double want) { return std::fabs(got - want) / want; }

class ZooPublished : public testing::TestWithParam<Published> {};

TEST_P(ZooPublished, TotalsMatchThePublishedFigures) {
  const Published& p = GetParam();
  const GraphStats s = analyze(build_zoo_model(p.model));
  EXPECT_LE(relative_error(static_cast<double>(s.params), p.params), p.params_tolerance)
      << p.model << ": " << s.params << " parameters vs " << p.params << " (" << p.source << ")";
  if (p.macs > 0) {
    EXPECT_LE(relative_error(static_cast<double>(s.macs), p.macs), p.macs_tolerance)
        << p.model << ": " << s.macs << " MACs vs " << p.macs << " (" << p.source << ")";
  }
}

void PrintTo(const Published& p, std::ostream* os) { *os << p.model; }

INSTANTIATE_TEST_SUITE_P(Zoo, ZooPublished, testing::ValuesIn(kPublished),
                         [](const testing::TestParamInfo<Published>& info) {
                           return std::string(info.param.model);
                         });

TEST(Zoo, TinyYoloV2MatchesDarknetAndAHandCountOfItsCfg) {
  const GraphStats s = analyze(build_zoo_model("tiny_yolo_v2"));
  // pjreddie.com/darknet/yolov2 table: Tiny YOLO (VOC 2007+2012), 6.97 Bn FLOPS at 416x416.
  EXPECT_LE(relative_error(static_cast<double>(s.macs), 6.97e9 / 2), 0.005) << s.macs;
  // No parameter count is published; count yolov2-tiny-voc.cfg by hand: 3x3 convolutions with
  // batch norm (scale + shift per channel), then a 1x1 convolution to 125 channels with bias.
  const int64_t channels[] = {3, 16, 32, 64, 128, 256, 512, 1024, 1024};
  int64_t params = 0;
  for (int i = 0; i + 1 < 9; ++i) params += 9 * channels[i] * channels[i + 1] + 2 * channels[i + 1];
  params += 1024 * 125 + 125;
  EXPECT_EQ(s.params, params);
}

TEST(Zoo, BertMacsFollowTheClosedForm) {
  // Per encoder layer: Q, K, V and output projections 4*S*H^2, attention scores and context
  // 2*S^2*H, feed-forward 2*S*H*F; plus the pooler H^2 on one token.
  for (int64_t seq : {128, 384}) {
    const int64_t h = 768, f = 3072, layers = 12;
    const int64_t expected =
        layers * (4 * seq * h * h + 2 * seq * seq * h + 2 * seq * h * f) + h * h;
    ZooOptions o;
    o.seq_len = seq;
    EXPECT_EQ(analyze(build_zoo_model("bert_base", o)).macs, expected) << "seq " << seq;
  }
  ZooOptions bad;
  bad.seq_len = 4096;
  EXPECT_THROW(build_zoo_model("bert_base", bad), UserError);
}

TEST(Zoo, StructureOfResNet50AndYoloV3) {
  const Graph resnet = build_zoo_model("resnet50");
  const GraphStats r = analyze(resnet);
  EXPECT_EQ(r.skips.size(), 16u);   // one residual add per bottleneck (3 + 4 + 6 + 3)
  EXPECT_EQ(r.weight_layers, 54u);  // 53 convolutions (incl. 4 projections) + fc
  EXPECT_EQ(resnet.node("layer4.2.add").shape, (Shape{1, 2048, 7, 7}));
  const GraphStats y = analyze(build_zoo_model("yolo_v3"));
  EXPECT_EQ(y.skips.size(), 23u + 2u);  // Darknet-53's residual adds + two route concats
  EXPECT_EQ(y.weight_layers, 75u);      // yolov3.cfg has 75 convolutional layers
}

TEST(Zoo, BatchScalesMacsButNotParameters) {
  ZooOptions four;
  four.batch = 4;
  const GraphStats one = analyze(build_zoo_model("mobilenet_v2"));
  const GraphStats many = analyze(build_zoo_model("mobilenet_v2", four));
  EXPECT_EQ(many.macs, 4 * one.macs);
  EXPECT_EQ(many.params, one.params);
}

TEST(Zoo, EveryModelRoundTripsThroughJson) {
  for (const ZooModel& m : zoo_models()) {
    const Graph g = m.build({});
    EXPECT_EQ(to_json(graph_from_json(to_json(g))), to_json(g)) << m.name;
  }
}

TEST(Zoo, UnknownModelsAndBadOptionsAreUserErrors) {
  EXPECT_THROW(build_zoo_model("resnet51"), UserError);
  ZooOptions o;
  o.batch = 0;
  EXPECT_THROW(build_zoo_model("resnet50", o), UserError);
  o = {};
  o.resolution = 16;  // too small for five stride-2 stages with a 7x7 stem
  EXPECT_THROW(build_zoo_model("alexnet", o), UserError);
}

}  // namespace
}  // namespace accelgen::graph
