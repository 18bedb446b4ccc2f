// MACs, parameters, activation volumes, loop dimensions and skip edges on hand-worked examples.
#include "compiler/graph/analysis.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"

namespace accelgen::graph {
namespace {

TEST(Analysis, ConvolutionLoopDimensionsAndCounts) {
  Builder b("t");
  b.input("x", {1, 3, 224, 224});
  b.conv("c", "x", 64, 7, {.stride = 2, .pad = 3, .batch_norm = false});
  const Graph& g = b.graph();
  const ConvDims d = *conv_dims(g, g.node("c"));
  EXPECT_EQ(d.n, 1);
  EXPECT_EQ(d.k, 64);
  EXPECT_EQ(d.c, 3);
  EXPECT_EQ(d.p, 112);
  EXPECT_EQ(d.q, 112);
  EXPECT_EQ(d.r, 7);
  EXPECT_EQ(d.stride_h, 2);
  EXPECT_FALSE(d.depthwise);
  const NodeStats s = node_stats(g, g.node("c"));
  EXPECT_EQ(s.macs, 118013952);             // 64 * 3 * 7 * 7 * 112 * 112
  EXPECT_EQ(s.weight_volume, 9408);         // 64 * 3 * 7 * 7
  EXPECT_EQ(s.input_activations, 150528);   // 3 * 224 * 224
  EXPECT_EQ(s.output_activations, 802816);  // 64 * 112 * 112
  EXPECT_DOUBLE_EQ(*s.aw_in, 16.0);         // 150528 / 9408
}

TEST(Analysis, DepthwiseAndGroupedConvolution) {
  Builder b("t");
  b.input("x", {1, 32, 10, 10});
  b.dwconv("dw", "x", 3, {.batch_norm = false});
  b.conv("grouped", "x", 64, 1, {.groups = 4, .bias = true, .batch_norm = false});
  const Graph& g = b.graph();
  EXPECT_TRUE(conv_dims(g, g.node("dw"))->depthwise);
  EXPECT_EQ(node_stats(g, g.node("dw")).macs, 28800);  // 32 * 1 * 9 * 100
  EXPECT_EQ(op_label(g, g.node("dw")), "dwconv");
  EXPECT_FALSE(conv_dims(g, g.node("grouped"))->depthwise);
  EXPECT_EQ(node_stats(g, g.node("grouped")).macs, 51200);          // 64 * 8 * 1 * 100
  EXPECT_EQ(node_stats(g, g.node("grouped")).params, 64 * 8 + 64);  // weight + bias
}

TEST(Analysis, GemmAndMatmulDimensions) {
  Builder b("t");
  b.input("tokens", {2, 128, 768});
  b.fc("proj", "tokens", 3072);
  b.input("k", {2, 12, 64, 128});
  b.input("q", {2, 12, 128, 64});
  b.matmul("scores", "q", "k");
  const Graph& g = b.graph();
  const GemmDims fc = *gemm_dims(g, g.node("proj"));
  EXPECT_EQ(fc.m, 256);
  EXPECT_EQ(fc.n, 3072);
  EXPECT_EQ(fc.k, 768);
  EXPECT_EQ(node_stats(g, g.node("proj")).macs, int64_t{256} * 3072 * 768);
  EXPECT_EQ(node_stats(g, g.node("proj")).params, 768 * 3072 + 3072);
  const GemmDims mm = *gemm_dims(g, g.node("scores"));
  EXPECT_EQ(mm.batch, 24);
  EXPECT_EQ(mm.m, 128);
  EXPECT_EQ(mm.n, 128);
  EXPECT_EQ(mm.k, 64);
  EXPECT_EQ(node_stats(g, g.node("scores")).params, 0);
  EXPECT_FALSE(node_stats(g, g.node("scores")).aw_in.has_value());
}

TEST(Analysis, LstmCountsGateMacs) {
  Builder b("t");
  b.input("x", {10, 1, 32});  // [sequence, batch, features]
  b.lstm("l", "x", 16);
  const Graph& g = b.graph();
  EXPECT_EQ(g.node("l").shape, (Shape{10, 1, 16}));
  EXPECT_EQ(node_stats(g, g.node("l")).macs, 10 * 4 * 16 * (32 + 16));
  EXPECT_EQ(node_stats(g, g.node("l")).params, 4 * 16 * 32 + 4 * 16 * 16 + 8 * 16);
}

TEST(Analysis, SkipEdgesAreTheOperandsThatWait) {
  Builder b("t");
  b.input("x", {1, 8, 8, 8});
  b.conv("stem", "x", 8, 3);           // 1
  b.conv("a", "stem", 8, 3);           // 2
  b.conv("b", "a", 8, 3);              // 3
  b.add("res", {"b", "stem"});         // 4: stem waits 3 steps
  b.conv("c", "res", 8, 1);            // 5
  b.concat("cat", {"res", "c", "x"});  // 6: res waits 2, x (graph input) waits 6
  const GraphStats s = analyze(b.graph());
  ASSERT_EQ(s.skips.size(), 3u);
  EXPECT_EQ(s.skips[0].from, "stem");
  EXPECT_EQ(s.skips[0].to, "res");
  EXPECT_EQ(s.skips[0].span, 3u);
  EXPECT_EQ(s.skips[1].from, "res");
  EXPECT_EQ(s.skips[1].span, 2u);
  EXPECT_EQ(s.skips[2].from, "x");
  EXPECT_EQ(s.max_edge_span, 3u);  // edges out of graph inputs are not counted
  EXPECT_EQ(s.layers, 6u);
  EXPECT_EQ(s.weight_layers, 4u);
  EXPECT_EQ(s.op_histogram.at("conv"), 4u);
  EXPECT_EQ(s.op_histogram.at("concat"), 1u);
}

TEST(Analysis, SharedWeightsAreCountedOnce) {
  Builder b("t");
  b.input("x", {1, 8, 8, 8});
  b.conv("p2", "x", 8, 3, {.batch_norm = false});
  Node shared = b.graph().node("p2");
  shared.name = "p3";
  shared.shape.clear();
  shared.weight_shared_with = "p2";
  b.node(shared);
  const GraphStats s = analyze(b.graph());
  EXPECT_EQ(s.params, 8 * 8 * 9);
  EXPECT_EQ(s.macs, 2 * 8 * 8 * 9 * 64);
}

TEST(Analysis, OverflowingTotalsAreUserErrors) {
  Builder b("t");
  b.input("x", {1, 4});
  for (const char* name : {"a", "b"}) {  // two opaque operators declaring 2^62 MACs each
    Node n;
    n.name = name;
    n.op = OpKind::kCustom;
    n.inputs = {"x"};
    n.shape = {1, 4};
    n.attrs.macs = int64_t{1} << 62;
    b.node(n);
  }
  EXPECT_EQ(node_stats(b.graph(), b.graph().node("a")).macs, int64_t{1} << 62);
  EXPECT_THROW(analyze(b.graph()), UserError);  // 2^63 does not fit in int64
}

}  // namespace
}  // namespace accelgen::graph
