// ONNX import on models written here through the protobuf classes, with hand-worked answers:
// folding of batch norm, bias and activations, constant shape subgraphs, clear errors, and a fuzz
// of corrupted files.
#include "compiler/graph/onnx_import.hpp"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"

namespace accelgen::graph {
namespace {

// A small ONNX model under construction.
class Model {
 public:
  Model() {
    model_.set_ir_version(8);
    auto* opset = model_.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    model_.mutable_graph()->set_name("test");
  }
  void input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = model_.mutable_graph()->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void output(const std::string& name) { model_.mutable_graph()->add_output()->set_name(name); }
  void weight(const std::string& name, const std::vector<int64_t>& dims) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t count = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      count *= d;
    }
    for (int64_t i = 0; i < count; ++i) t->add_float_data(0.5f);
  }
  void scalar(const std::string& name, float value) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(value);
  }
  void ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in,
                        std::vector<std::string> out, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
};

// conv(3x3, pad 1) -> BN -> Relu -> conv(1x1) + skip -> global pool -> flatten -> MatMul + Add.
Model residual_model() {
  Model m;
  m.input("x", {1, 8, 16, 16});
  m.weight("w1", {8, 8, 3, 3});
  for (const char* bn : {"scale", "shift", "mean", "var"}) m.weight(bn, {8});
  m.weight("w2", {8, 8, 1, 1});
  m.weight("b2", {8});
  m.weight("fc_w", {8, 10});
  m.weight("fc_b", {10});
  Model::attr(m.node("Conv", {"x", "w1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  m.node("BatchNormalization", {"c1", "scale", "shift", "mean", "var"}, {"bn1"});
  m.node("Relu", {"bn1"}, {"r1"});
  m.node("Conv", {"r1", "w2", "b2"}, {"c2"});
  m.node("Add", {"c2", "x"}, {"sum"});
  m.node("GlobalAveragePool", {"sum"}, {"gap"});
  m.node("Flatten", {"gap"}, {"flat"});
  m.node("MatMul", {"flat", "fc_w"}, {"mm"});
  m.node("Add", {"mm", "fc_b"}, {"logits"});
  m.output("logits");
  return m;
}

TEST(OnnxImport, FoldsBatchNormActivationAndBias) {
  const OnnxImport r = import_onnx_bytes(residual_model().bytes(), "residual.onnx");
  const Graph& g = r.graph;
  // input, c1 (+BN, ReLU), c2, sum, gap, flat, mm (+bias): BN, Relu and the bias Add folded.
  EXPECT_EQ(g.size(), 7u);
  const Node& c1 = g.node("c1");
  EXPECT_EQ(c1.activation, "relu");
  ASSERT_EQ(c1.weights.size(), 3u);
  EXPECT_EQ(c1.weights[1].name, "bn_scale");
  EXPECT_EQ(g.node("mm").weights.back().name, "bias");
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].first, "logits");
  EXPECT_EQ(r.outputs[0].second, (Shape{1, 10}));
  const GraphStats s = analyze(g);
  // 8*8*9*256 + 8*8*256 MACs for the convolutions, 8*10 for the classifier.
  EXPECT_EQ(s.macs, 8 * 8 * 9 * 256 + 8 * 8 * 256 + 80);
  // 576 + 2*8 (folded BN scale, shift) + 64 + 8 + 80 + 10
  EXPECT_EQ(s.params, 576 + 16 + 64 + 8 + 80 + 10);
  EXPECT_EQ(s.skips.size(), 1u);
  EXPECT_EQ(s.skips[0].from, "x");
}

TEST(OnnxImport, EvaluatesConstantShapeSubgraphs) {
  // Reshape(x, Concat(Gather(Shape(x), 0), [-1])) as exporters write flatten.
  Model m;
  m.input("x", {2, 3, 4, 5});
  m.ints("zero", {0});
  m.ints("minus_one", {-1});
  m.node("Shape", {"x"}, {"shape"});
  m.node("Gather", {"shape", "zero"}, {"batch"});
  Model::attr(m.node("Concat", {"batch", "minus_one"}, {"target"}), "axis", 0);
  m.node("Reshape", {"x", "target"}, {"y"});
  m.output("y");
  const OnnxImport r = import_onnx_bytes(m.bytes(), "flatten.onnx");
  EXPECT_EQ(r.outputs[0].second, (Shape{2, 60}));
  EXPECT_EQ(r.graph.size(), 2u);  // the input and one reshape; the shape arithmetic is gone
}

// y = x * 0.5 * (1 + erf(x / sqrt(2))), as PyTorch exports GELU.
void gelu_pattern(Model& m, const std::string& x, const std::string& y) {
  m.scalar(x + ".sqrt2", 1.4142135f);
  m.scalar(x + ".one", 1.0f);
  m.scalar(x + ".half", 0.5f);
  m.node("Div", {x, x + ".sqrt2"}, {x + ".d"});
  m.node("Erf", {x + ".d"}, {x + ".e"});
  m.node("Add", {x + ".one", x + ".e"}, {x + ".a"});
  m.node("Mul", {x, x + ".a"}, {x + ".m"});
  m.node("Mul", {x + ".m", x + ".half"}, {y});
}

TEST(OnnxImport, RecognizesTheErfGeluPattern) {
  Model m;
  m.input("x", {2, 16});
  m.weight("w", {16, 32});
  m.weight("b", {32});
  m.node("MatMul", {"x", "w"}, {"mm"});
  m.node("Add", {"mm", "b"}, {"h"});
  gelu_pattern(m, "h", "y");
  gelu_pattern(m, "x", "z");  // on a graph input: a standalone activation
  m.output("y");
  m.output("z");
  const OnnxImport r = import_onnx_bytes(m.bytes(), "gelu.onnx");
  ASSERT_EQ(r.graph.size(), 3u);  // x, the GEMM with bias and fused GELU, the GELU on x
  EXPECT_EQ(r.graph.node("mm").activation, "gelu");  // the bias Add and the GELU folded into it
  EXPECT_EQ(r.graph.node("mm").weights.back().name, "bias");
  EXPECT_EQ(r.graph.node("z").attrs.mode, "gelu");
  EXPECT_EQ(r.outputs[0].second, (Shape{2, 32}));
  EXPECT_EQ(r.outputs[1].second, (Shape{2, 16}));
}

TEST(OnnxImport, OneDimensionalConvolutionRunsAsTwoDimensional) {
  Model m;
  m.input("x", {1, 4, 10});
  m.weight("w", {6, 4, 3});
  auto* conv = m.node("Conv", {"x", "w"}, {"y"});
  Model::attr(conv, "pads", {1, 1});
  Model::attr(conv, "strides", std::vector<int64_t>{2});
  Model::attr(m.node("MaxPool", {"y"}, {"p"}), "kernel_shape", std::vector<int64_t>{2});
  m.output("p");
  const OnnxImport r = import_onnx_bytes(m.bytes(), "conv1d.onnx");
  EXPECT_EQ(r.graph.node("y").shape, (Shape{1, 6, 5}));  // (10 + 2 - 3) / 2 + 1 = 5
  EXPECT_EQ(r.outputs[0].second, (Shape{1, 6, 4}));      // (5 - 2) / 1 + 1 = 4
  EXPECT_EQ(analyze(r.graph).macs, 6 * 4 * 3 * 5);
  EXPECT_EQ(analyze(r.graph).params, 6 * 4 * 3);
}

TEST(OnnxImport, UnsupportedOperatorNamesOperatorAndNode) {
  Model m;
  m.input("x", {1, 4});
  m.node("Hypot", {"x", "x"}, {"y"}, "the_node");
  m.output("y");
  try {
    import_onnx_bytes(m.bytes(), "bad.onnx");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unsupported ONNX operator 'Hypot'"), std::string::npos) << what;
    EXPECT_NE(what.find("'the_node'"), std::string::npos) << what;
    EXPECT_NE(what.find("bad.onnx"), std::string::npos) << what;
  }
}

TEST(OnnxImport, ShapeMismatchAndSymbolicDimsAreUserErrors) {
  Model mismatch;
  mismatch.input("x", {1, 3, 8, 8});
  mismatch.weight("w", {4, 5, 3, 3});  // expects 5 input channels
  mismatch.node("Conv", {"x", "w"}, {"y"});
  mismatch.output("y");
  EXPECT_THROW(import_onnx_bytes(mismatch.bytes(), "m.onnx"), UserError);

  onnx::ModelProto symbolic;
  symbolic.ParseFromString(residual_model().bytes());
  symbolic.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(0)
      ->set_dim_param("batch");
  try {
    import_onnx_bytes(symbolic.SerializeAsString(), "s.onnx");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("symbolic dimension 'batch'"), std::string::npos);
  }
}

TEST(OnnxImport, TruncatedCorruptAndFuzzedFilesNeverCrash) {
  const std::string good = residual_model().bytes();
  EXPECT_THROW(import_onnx_bytes(good.substr(0, good.size() / 3), "t.onnx"), UserError);
  EXPECT_THROW(import_onnx_bytes("this is not protobuf at all", "c.onnx"), UserError);
  EXPECT_THROW(import_onnx_file("/nonexistent/model.onnx"), UserError);
  const unsigned seed = 7;
  std::mt19937 rng(seed);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = rng() % bytes.size();
      if (rng() % 4 == 0) {
        bytes.resize(at);
      } else {
        bytes[at] = static_cast<char>(rng());
      }
    }
    try {
      import_onnx_bytes(bytes, "fuzz.onnx");
    } catch (const UserError&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "seed " << seed << " trial " << trial << ": " << e.what();
    }
  }
  EXPECT_GT(rejected, 100);
}

// Regressions found by the libFuzzer target tests/fuzz/onnx_fuzzer.cpp.

// Names are copied from the file into the message: a newline in one must not split the line.
TEST(OnnxImport, ControlCharactersInNamesKeepTheErrorOnOneLine) {
  Model m;
  m.input("x", {1, 4});
  m.node("Hy\npot", {"x", "x"}, {"y"}, "trans\nposed\r");
  m.output("y");
  try {
    import_onnx_bytes(m.bytes(), "bad.onnx");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find_first_of("\n\r"), std::string::npos) << what;
    EXPECT_NE(what.find("'trans\\nposed\\r'"), std::string::npos) << what;
    EXPECT_NE(what.find("unsupported ONNX operator 'Hy\\npot'"), std::string::npos) << what;
  }
}

// A node with neither a name nor an output: the message named it by output(0), out of bounds.
// And an operator given fewer inputs than it reads (Slice without its ends) or a Div with no
// output: each was an out-of-bounds read of the protobuf's repeated field.
TEST(OnnxImport, NodesMissingInputsOrOutputsAreUserErrors) {
  auto error_of = [](const Model& m) -> std::string {
    try {
      import_onnx_bytes(m.bytes(), "m.onnx");
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  };
  Model no_output;
  no_output.input("x", {1, 4});
  no_output.node("Relu", {"x"}, {});
  no_output.output("x");
  EXPECT_EQ(error_of(no_output), "m.onnx: node '(unnamed)' (Relu): has no outputs");

  Model short_slice;
  short_slice.input("x", {1, 4});
  short_slice.ints("starts", {0});
  short_slice.node("Slice", {"x", "starts"}, {"y"});
  short_slice.output("y");
  EXPECT_EQ(error_of(short_slice), "m.onnx: node 'y' (Slice): missing input 2");

  Model div;
  div.input("x", {1, 4});
  div.scalar("two", 1.41421f);
  div.node("Div", {"x", "two"}, {});
  div.output("x");
  EXPECT_NE(error_of(div).find("has no outputs"), std::string::npos) << error_of(div);
}

}  // namespace
}  // namespace accelgen::graph
