// Every zoo model's total MACs and parameters against a published figure. Each row names its
// source and tolerance. "torchvision" = the torchvision 0.16 model documentation tables
// (pytorch.org/vision/stable/models.html: "Params" and "GFLOPS", the latter being multiply-adds,
// printed to two decimals). darknet's "Bn FLOPS" (pjreddie.com/darknet/yolo, yolov2) count two
// operations per multiply-add of the convolutions, so they are halved here.
#include "compiler/graph/zoo/zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/zoo/models.hpp"

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
    // Cocco (issue 15) workloads. RandWire: Xie et al. 2019, Table 2 (small regime, WS C=78:
    // 583 +- 6.2 M FLOPs, 5.6 +- 0.1 M params) and Table 3 (regular, WS C=109: 4.0 +- 0.09 B,
    // 31.9 +- 0.66 M): means over random graphs, one seeded graph here, hence 3 %.
    {"resnet152", 60192808, 0.001, 11.51e9, 0.01, "torchvision ResNet152_Weights.IMAGENET1K_V1"},
    {"randwire_a", 5.6e6, 0.03, 583e6, 0.03, "RandWire paper, Table 2 (WS, C=78)"},
    {"randwire_b", 31.9e6, 0.03, 4.0e9, 0.03, "RandWire paper, Table 3 (WS, C=109)"},
    // NASNet-A 6@4032: Zoph et al. 2018, Table 2, 23.8 B mult-adds; parameters as the Keras
    // NASNetLarge summary lists them (88,753,150 trainable: the batch norms' scale and shift, not
    // their moving statistics; the paper's 88.9 M is the total with them, 88,949,818).
    {"nasnet", 88753150, 0.00001, 23.8e9, 0.005, "NASNet paper, Table 2; Keras NASNetLarge"},
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
    // Redmon & Farhadi, "YOLO9000" (CVPR 2017), section 3: DarkNet-19 "only requires 5.58 billion
    // operations" at 224x224 (two per multiply-add). Parameters: the sum over the paper's Table 6
    // (18 convolutions with batch norm: 3x3/1x1 weights + scale + shift; the 1000-way 1x1 with
    // bias),
    // added up by hand: 20,826,976 weights + 2 x 7,200 batch-norm + 1,000 bias = 20,842,376.
    {"darknet19", 20842376, 0.0001, 5.58e9 / 2, 0.005, "YOLO9000 paper, section 3 and Table 6"},
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

// Transformer layers counted by hand: d model width, f feed-forward width, every projection with
// a bias, every layer norm a scale and a shift.
int64_t attention_params(int64_t d) { return 4 * (d * d + d); }
int64_t ffn_params(int64_t d, int64_t f) { return d * f + f + f * d + d; }

TEST(Zoo, TransformerBaseFollowsAHandCountAndThePaper) {
  const int64_t d = 512, f = 2048, vocab = 37000;
  const int64_t encoder = 6 * (attention_params(d) + ffn_params(d, f) + 2 * 2 * d);
  const int64_t decoder = 6 * (2 * attention_params(d) + ffn_params(d, f) + 3 * 2 * d);
  const int64_t expected = encoder + decoder + d * vocab;  // the tied projection, no bias
  const GraphStats s = analyze(build_zoo_model("transformer"));
  EXPECT_EQ(s.params, expected);
  // Vaswani et al. 2017, Table 3: 65 x 10^6 parameters for the base model (two digits; the
  // count also depends on the vocabulary size of its byte-pair encoding, ~37,000 tokens).
  EXPECT_LE(relative_error(static_cast<double>(s.params), 65e6), 0.035) << s.params;
  for (int64_t len : {128, 40}) {
    // Per token and layer: 4 d^2 projections and 2 d f feed-forward; attention 2 S^2 d; the
    // decoder's cross-attention projects the memory too (K, V) and attends S x S.
    const int64_t enc = 6 * (len * (4 * d * d + 2 * d * f) + 2 * len * len * d);
    const int64_t dec = 6 * (len * (8 * d * d + 2 * d * f) + 4 * len * len * d);
    ZooOptions o;
    o.seq_len = len;
    o.batch = 2;
    EXPECT_EQ(analyze(build_zoo_model("transformer", o)).macs, 2 * (enc + dec + len * d * vocab));
  }
}

TEST(Zoo, GptFollowsAHandCountAndThePublishedSize) {
  const int64_t d = 768, f = 3072, vocab = 40478, layers = 12;
  const int64_t blocks = layers * (attention_params(d) + ffn_params(d, f) + 2 * 2 * d);
  const int64_t expected = blocks + 512 * d + d * vocab;  // positions, the tied LM head
  ZooOptions full;
  full.seq_len = 512;  // the position table is the rows used: all 512 at the full context
  const GraphStats s = analyze(build_zoo_model("gpt", full));
  EXPECT_EQ(s.params, expected);
  // Radford et al. 2019 (GPT-2), Table 2: the smallest model, "117M", is the original GPT's size.
  EXPECT_LE(relative_error(static_cast<double>(s.params), 117e6), 0.005) << s.params;
  ZooOptions o;
  o.seq_len = 64;
  const int64_t len = o.seq_len;
  EXPECT_EQ(analyze(build_zoo_model("gpt", o)).macs,
            layers * (len * (4 * d * d + 2 * d * f) + 2 * len * len * d) + len * d * vocab);
  o.seq_len = 513;
  EXPECT_THROW(build_zoo_model("gpt", o), UserError);
}

// GNMT v2 as MLPerf's rnn_translator and NVIDIA's PyTorch GNMT build it: H = 1024, a shared
// vocabulary of V = 32,320, two bias vectors per LSTM direction (PyTorch nn.LSTM / cuDNN).
constexpr int64_t kGnmtHidden = 1024, kGnmtVocab = 32320;

// Weights and bias vectors of one LSTM layer with input width `in`.
int64_t lstm_params(int64_t in, int64_t directions) {
  const int64_t h = kGnmtHidden;
  return directions * (4 * h * in + 4 * h * h + 2 * 4 * h);
}

// MACs of one LSTM layer's gate GEMMs over `steps` steps.
int64_t lstm_macs(int64_t steps, int64_t in, int64_t directions) {
  return steps * directions * 4 * kGnmtHidden * (in + kGnmtHidden);
}

TEST(Zoo, GnmtParametersFollowTheLayerListAndThePublishedFigure) {
  const int64_t h = kGnmtHidden, v = kGnmtVocab;
  const int64_t embedding = v * h;  // one table, shared by encoder and decoder
  const int64_t encoder = lstm_params(h, 2) + lstm_params(2 * h, 1) + 2 * lstm_params(h, 1);
  const int64_t decoder = lstm_params(h, 1) + 3 * lstm_params(2 * h, 1);
  const int64_t attention = 2 * h * h + h + h + 1;  // Wq, Wk; v, normalize bias; normalize scalar
  const int64_t classifier = h * v + v;
  const int64_t expected = embedding + encoder + decoder + attention + classifier;
  const GraphStats s = analyze(build_zoo_model("gnmt"));
  EXPECT_EQ(expected, 160671297);
  EXPECT_EQ(s.params, expected);
  // Published: "over 160 million" parameters (Wikipedia, "Google Neural Machine Translation",
  // which lists the counts given for GNMT: over 160 M, about 210 M, 278 M, 380 M; the 210 M one is
  // Intel NLP Architect's for the tensorflow/nmt GNMT, which has separate source and target
  // embeddings). NVIDIA's GNMT v2 README and MLPerf's rnn_translator README state no count.
  // Tolerance: a three-digit lower bound, so a count written "over 160 million" lies in
  // [160 M, 161 M), at most 1/160 = 0.625 % above the figure.
  EXPECT_GT(s.params, 160e6);
  EXPECT_LE(relative_error(static_cast<double>(s.params), 160e6), 1.0 / 160) << s.params;
}

TEST(Zoo, GnmtMacsFollowAHandCountOfItsLayers) {
  // No MAC figure for GNMT v2 is published; count the layers by hand for a source of S and a
  // target of T tokens (teacher-forced pass), at batch 2 to check the batch scales every term.
  const int64_t h = kGnmtHidden, v = kGnmtVocab, batch = 2;
  const std::pair<int64_t, int64_t> lengths[] = {{50, 37}, {128, 128}, {1, 1}};
  for (const auto& [s, t] : lengths) {
    const int64_t encoder = lstm_macs(s, h, 2) + lstm_macs(s, 2 * h, 1) + 2 * lstm_macs(s, h, 1);
    const int64_t decoder = lstm_macs(t, h, 1) + 3 * lstm_macs(t, 2 * h, 1);
    const int64_t projections = s * h * h + t * h * h;  // Wk on the keys, Wq on the queries
    const int64_t scores = t * s * h;                   // v . tanh(...) for every (t, s)
    const int64_t context = t * s * h;                  // scores x encoder outputs
    const int64_t classifier = t * h * v;
    const int64_t expected =
        batch * (encoder + decoder + projections + scores + context + classifier);
    // The closed form stated in gnmt.cpp.
    EXPECT_EQ(expected, batch * (45 * h * h * (s + t) + 2 * s * t * h + t * h * v));
    EXPECT_EQ(analyze(zoo::gnmt_v2(batch, s, t)).macs, expected) << "S " << s << ", T " << t;
  }
  // Through the registry --seq-len sets both lengths: 128 + 128 tokens, 16.35 GMACs.
  EXPECT_EQ(analyze(build_zoo_model("gnmt")).macs, 16349396992);
  ZooOptions bad;
  bad.seq_len = 0;
  EXPECT_THROW(build_zoo_model("gnmt", bad), UserError);
  bad.seq_len = 1025;
  EXPECT_THROW(build_zoo_model("gnmt", bad), UserError);
}

TEST(Zoo, StructureOfGnmt) {
  ZooOptions o;
  o.batch = 3;
  o.seq_len = 20;
  const Graph g = build_zoo_model("gnmt", o);
  const GraphStats s = analyze(g);
  EXPECT_EQ(s.op_histogram.at("lstm"), 8u);
  EXPECT_TRUE(g.node("enc.layer0").attrs.bidirectional);
  EXPECT_EQ(g.node("enc.layer0").shape, (Shape{20, 3, 2048}));
  EXPECT_EQ(g.node("enc.layer1").shape, (Shape{20, 3, 1024}));
  EXPECT_EQ(s.weight_layers, 12u);  // 8 LSTMs, Wk, Wq, v, classifier
  // Residual connections from the third layer on, in both stacks: the add's second operand is the
  // layer's input, held while the LSTM runs.
  const std::pair<const char*, const char*> residuals[] = {{"enc.layer2", "enc.layer1"},
                                                           {"enc.layer3", "enc.layer2.residual"},
                                                           {"dec.layer2", "dec.layer1"},
                                                           {"dec.layer3", "dec.layer2.residual"}};
  for (const auto& [layer, skip] : residuals) {
    const std::string add = std::string(layer) + ".residual";
    EXPECT_EQ(g.node(add).inputs, (std::vector<std::string>{layer, skip})) << add;
    bool found = false;
    for (const SkipEdge& e : s.skips) found = found || (e.from == skip && e.to == add);
    EXPECT_TRUE(found) << skip << " -> " << add;
  }
  // The attention context joins the input of every decoder layer after the first.
  for (const char* concat : {"dec.layer1.input", "dec.layer2.input", "dec.layer3.input"}) {
    EXPECT_EQ(g.node(concat).inputs.back(), "attn.context_time_major") << concat;
    EXPECT_EQ(g.node(concat).shape, (Shape{20, 3, 2048})) << concat;
  }
  EXPECT_EQ(g.node("attn.energy").shape, (Shape{3, 20, 20, 1024}));
  // One embedding table: the decoder's lookup reuses the encoder's and is not counted again.
  EXPECT_EQ(g.node("dec.embedding").weight_shared_with, "embedding");
  EXPECT_EQ(node_stats(g, g.node("dec.embedding")).params, 0);
  EXPECT_EQ(g.node("classifier").shape, (Shape{20, 3, kGnmtVocab}));
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
