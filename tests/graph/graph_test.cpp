// Graph construction, shape inference, topological sorting and subgraph extraction, on small
// examples whose answers are worked out by hand in the comments.
#include "compiler/graph/graph.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph {
namespace {

Node make(const std::string& name, OpKind op, std::vector<std::string> inputs) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(inputs);
  return n;
}

TEST(ShapeInference, ConvolutionFollowsTheWindowFormula) {
  Builder b("t");
  b.input("x", {1, 3, 224, 224});
  // (224 + 3 + 3 - 7) / 2 + 1 = 112
  b.conv("c", "x", 64, 7, {.stride = 2, .pad = 3});
  EXPECT_EQ(b.shape("c"), (Shape{1, 64, 112, 112}));
  // Dilation 2, kernel 3: span 5; (112 + 2 + 2 - 5) / 1 + 1 = 112
  b.conv("d", "c", 32, 3, {.pad = 2, .dilation = 2});
  EXPECT_EQ(b.shape("d"), (Shape{1, 32, 112, 112}));
  EXPECT_EQ(b.graph().node("d").weights.front().shape, (Shape{32, 64, 3, 3}));
}

TEST(ShapeInference, PoolingFloorsUnlessCeilModeIsSet) {
  Builder b("t");
  b.input("x", {1, 8, 112, 112});
  b.pool("floor", "x", "max", 3, 2);          // (112 - 3) / 2 + 1 = 55
  b.pool("ceil", "x", "max", 3, 2, 0, true);  // ceil(109 / 2) + 1 = 56
  b.global_pool("gap", "x");
  EXPECT_EQ(b.shape("floor")[2], 55);
  EXPECT_EQ(b.shape("ceil")[2], 56);
  EXPECT_EQ(b.shape("gap"), (Shape{1, 8, 1, 1}));
}

TEST(ShapeInference, BroadcastConcatReshapeTranspose) {
  Builder b("t");
  b.input("x", {2, 16, 7, 7});
  b.input("gate", {2, 16, 1, 1});
  b.input("y", {2, 8, 7, 7});
  EXPECT_EQ(b.shape(b.mul("se", {"x", "gate"})), (Shape{2, 16, 7, 7}));
  EXPECT_EQ(b.shape(b.concat("cat", {"x", "y"})), (Shape{2, 24, 7, 7}));
  EXPECT_EQ(b.shape(b.reshape("r", "cat", {0, -1})), (Shape{2, 24 * 49}));
  EXPECT_EQ(b.shape(b.transpose("t", "x", {0, 2, 3, 1})), (Shape{2, 7, 7, 16}));
  EXPECT_EQ(b.shape(b.flatten("f", "x")), (Shape{2, 16 * 49}));
}

TEST(ShapeInference, TransposedConvolutionDoublesResolution) {
  Builder b("t");
  b.input("x", {1, 256, 14, 14});
  Node n = make("up", OpKind::kConvTranspose, {"x"});
  n.attrs.out_channels = 128;
  n.attrs.kernel = {2, 2};
  n.attrs.stride = {2, 2};
  b.node(n);  // (14 - 1) * 2 + 2 = 28
  EXPECT_EQ(b.shape("up"), (Shape{1, 128, 28, 28}));
  EXPECT_EQ(b.graph().node("up").weights.front().shape, (Shape{256, 128, 2, 2}));
}

TEST(GraphErrors, MismatchesAreUserErrorsNamingTheNode) {
  Builder b("t");
  b.input("x", {1, 3, 8, 8});
  b.input("y", {1, 4, 8, 8});
  try {
    b.add("sum", {"x", "y"});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'sum'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(b.conv("c", "x", 8, 3, {.groups = 2}), UserError);  // 3 channels, 2 groups
  EXPECT_THROW(b.conv("big", "x", 8, 11, {.pad = 0}), UserError);  // window larger than input
  EXPECT_THROW(b.input("x", {1, 1}), UserError);                   // duplicate name
  EXPECT_THROW(b.conv("c2", "nope", 8, 3), UserError);             // unknown producer
  Node declared = make("c3", OpKind::kConv, {"x"});
  declared.attrs.out_channels = 8;
  declared.shape = {1, 8, 9, 9};
  EXPECT_THROW(b.node(declared), UserError);  // declared shape disagrees with the inferred 8x8
}

TEST(GraphErrors, AbsurdSizesAreRejected) {
  Builder b("t");
  EXPECT_THROW(b.input("huge", {int64_t{1} << 33, 1}), UserError);
  EXPECT_THROW(b.input("vast", {1 << 20, 1 << 20, 1 << 20}), UserError);
  EXPECT_THROW(b.input("zero", {1, 0, 4}), UserError);
  EXPECT_THROW(b.input("negative", {1, -3}), UserError);
}

TEST(TopologicalSort, KeepsValidOrderAndRepairsShuffledOrder) {
  std::vector<Node> nodes = {make("c", OpKind::kAdd, {"a", "b"}),
                             make("b", OpKind::kActivation, {"a"}), make("a", OpKind::kInput, {})};
  const std::vector<Node> sorted = topological_sort(nodes);
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].name, "a");
  EXPECT_EQ(sorted[1].name, "b");
  EXPECT_EQ(sorted[2].name, "c");
}

TEST(TopologicalSort, RejectsCyclesDanglingEdgesAndDuplicates) {
  EXPECT_THROW(topological_sort({make("a", OpKind::kInput, {}), make("b", OpKind::kAdd, {"a", "c"}),
                                 make("c", OpKind::kActivation, {"b"})}),
               UserError);
  EXPECT_THROW(topological_sort({make("a", OpKind::kActivation, {"ghost"})}), UserError);
  EXPECT_THROW(topological_sort({make("a", OpKind::kInput, {}), make("a", OpKind::kInput, {})}),
               UserError);
}

TEST(Subgraph, BoundaryEdgesBecomeInputs) {
  Builder b("t");
  b.input("x", {1, 8, 16, 16});
  b.conv("c1", "x", 8, 3);
  b.conv("c2", "c1", 8, 3);
  b.add("sum", {"c2", "c1"});
  b.conv("c3", "sum", 4, 1);
  const Graph sub = subgraph(b.graph(), {"c2", "sum"});
  ASSERT_EQ(sub.size(), 3u);  // c1 (now an input), c2, sum
  EXPECT_EQ(sub.node(0).name, "c1");
  EXPECT_EQ(sub.node(0).op, OpKind::kInput);
  EXPECT_EQ(sub.node(0).shape, (Shape{1, 8, 16, 16}));
  EXPECT_EQ(sub.node("sum").inputs, (std::vector<std::string>{"c2", "c1"}));
  EXPECT_THROW(subgraph(b.graph(), {"missing"}), UserError);
}

TEST(Volume, OverflowIsCaught) {
  EXPECT_EQ(volume({2, 3, 4}), 24);
  EXPECT_EQ(volume({}), 1);
  EXPECT_THROW(checked_mul(int64_t{1} << 40, int64_t{1} << 40, "x"), UserError);
}

}  // namespace
}  // namespace accelgen::graph
