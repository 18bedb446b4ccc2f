// `accelgen model ...` run in-process through CLI11, stdout captured.
#include "cli/model_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen {
namespace {

// Parses and runs `args` like the accelgen program would; returns stdout.
std::string run(std::vector<std::string> args) {
  CLI::App app("accelgen");
  register_model_command(app);
  args.insert(args.begin(), "accelgen");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  testing::internal::CaptureStdout();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (...) {
    testing::internal::GetCapturedStdout();
    throw;
  }
  return testing::internal::GetCapturedStdout();
}

nlohmann::json last_line_json(const std::string& out) {
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return nlohmann::json::parse(text.substr(text.rfind('\n') + 1));
}

TEST(ModelCommand, InfoJsonOfResnet50) {
  const nlohmann::json j = last_line_json(run({"model", "info", "resnet50", "--json"}));
  EXPECT_EQ(j["name"], "resnet50");
  EXPECT_EQ(j["params"], 25557032);  // torchvision's published count, which the zoo matches
  EXPECT_NEAR(j["macs"].get<double>(), 4.09e9, 0.01 * 4.09e9);
  EXPECT_EQ(j["skip_edges"], 16);
  EXPECT_EQ(j["layers"].get<int>(), j["op_histogram"]["conv"].get<int>() + 1 + 1 + 1 + 1 + 16);
}

TEST(ModelCommand, LayerTableCarriesLoopDimensions) {
  const nlohmann::json j = last_line_json(run({"model", "info", "resnet50", "--json", "--layers"}));
  const nlohmann::json& table = j["layer_table"];
  ASSERT_EQ(table.size(), 74u);  // 73 layers and the input
  const nlohmann::json& conv1 = table[1];
  EXPECT_EQ(conv1["name"], "conv1");
  EXPECT_EQ(conv1["conv"]["k"], 64);
  EXPECT_EQ(conv1["conv"]["p"], 112);
  EXPECT_EQ(conv1["conv"]["r"], 7);
  EXPECT_EQ(conv1["macs"], 118013952);  // 64 * 3 * 7 * 7 * 112 * 112
  const nlohmann::json& fc = table.back();
  EXPECT_EQ(fc["gemm"]["k"], 2048);
  EXPECT_EQ(fc["gemm"]["n"], 1000);
}

TEST(ModelCommand, InfoTextHasTheSections) {
  const std::string out = run({"model", "info", "mobilenet_v2"});
  for (const char* section : {"totals:", "activation/weight ratio", "skip edges: 10",
                              "operators:", "dwconv", "features.1.dw"}) {
    EXPECT_NE(out.find(section), std::string::npos) << section;
  }
}

TEST(ModelCommand, ListNamesEveryModel) {
  const std::string out = run({"model", "list"});
  for (const char* name : {"resnet50", "bert_base", "vit_b16", "yolo_v3", "gnmt"}) {
    EXPECT_NE(out.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(last_line_json(run({"model", "list", "--json"})).size(), graph::zoo_models().size() + 9);
}

TEST(ModelCommand, ExportThenInfoOfTheFileAgree) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "accelgen_model_export.json").string();
  run({"model", "export", "bert_base", "--seq-len", "64", "-o", path});
  const nlohmann::json from_zoo =
      last_line_json(run({"model", "info", "bert_base", "--seq-len", "64", "--json"}));
  const nlohmann::json from_file = last_line_json(run({"model", "info", path, "--json"}));
  EXPECT_EQ(from_zoo, from_file);
  std::filesystem::remove(path);
}

TEST(ModelCommand, InfoReadsXrbenchFiles) {
  const std::string path = std::string(ACCELGEN_XRBENCH_DIR) + "/res8_narrow.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const nlohmann::json j = last_line_json(run({"model", "info", path, "--json"}));
  EXPECT_EQ(j["macs"], 6752676);  // the README's exact total
  EXPECT_EQ(j["skip_edges"], 3);
  // The same graph by its built-in name.
  EXPECT_EQ(last_line_json(run({"model", "info", "res8_narrow", "--json"})), j);
}

TEST(ModelCommand, ListShowsTheXrbenchModelsByName) {
  const nlohmann::json rows = last_line_json(run({"model", "list", "--json"}));
  std::vector<std::string> xrbench;
  for (const nlohmann::json& r : rows)
    if (r["source"] == "xrbench") xrbench.push_back(r["name"]);
  const std::vector<std::string> expected = {"d2go_faster_rcnn_fbnetv3a_c4",
                                             "ed_tcn",
                                             "fbnet_c",
                                             "hand_graph_cnn",
                                             "midas_v21_small",
                                             "planercnn",
                                             "res8_narrow",
                                             "ritnet",
                                             "sparse_to_dense_rgbd200"};
  EXPECT_EQ(xrbench, expected);
  const std::string text = run({"model", "list"});
  EXPECT_NE(text.find("ritnet"), std::string::npos);
  EXPECT_NE(text.find("eye segmentation (ES)"), std::string::npos);
}

TEST(ModelCommand, BadInputIsAUserError) {
  const std::string corrupt =
      (std::filesystem::temp_directory_path() / "accelgen_model_corrupt.onnx").string();
  std::ofstream(corrupt) << "definitely not protobuf";
  EXPECT_THROW(run({"model", "info", corrupt}), UserError);
  std::filesystem::remove(corrupt);
  EXPECT_THROW(run({"model", "info", "no_such_model"}), UserError);
  EXPECT_THROW(run({"model", "info", "/nonexistent/graph.json"}), UserError);
  const std::string path =
      (std::filesystem::temp_directory_path() / "accelgen_model_cycle.json").string();
  std::ofstream(path) << R"({"format": "accelgen-graph", "version": 1, "nodes": [
      {"name": "a", "op": "activation", "inputs": ["b"], "attrs": {"mode": "relu"}},
      {"name": "b", "op": "activation", "inputs": ["a"], "attrs": {"mode": "relu"}}]})";
  try {
    run({"model", "info", path});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace accelgen
