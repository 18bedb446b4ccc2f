// `accelgen flow npu` end to end: --json (last stdout line, documented keys), --csv, and layers
// the compiler cannot map (one line on stderr naming the layer, exit status 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/process.hpp"

namespace accelgen {
namespace {

ProcessResult run(std::vector<std::string> args) {
  args.insert(args.begin(), ACCELGEN_BINARY);
  return run_process(args);
}

void expect_rejected(const std::vector<std::string>& args, const std::string& fragment) {
  const ProcessResult r = run(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(fragment), std::string::npos) << r.output;
}

TEST(NpuCli, JsonAndCsv) {
  const std::string csv = std::filesystem::temp_directory_path() /
                          ("accelgen_npu_cli_" + std::to_string(getpid()) + ".csv");
  const ProcessResult r = run({"flow", "npu", "--tile-m", "4", "--json", "--csv", csv});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
  for (const char* key :
       {"cycles", "gemm_busy", "tandem_busy", "overlap", "non_gemm_only_share", "blocks"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["blocks"].size(), 4u);
  EXPECT_EQ(j["blocks"][3]["cycles"], j["cycles"]);
  std::ifstream f(csv);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("block,regions,tiles", 0), 0u) << text;
  std::filesystem::remove(csv);
}

TEST(NpuCli, PlotScriptAndPng) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("accelgen_npu_plot_" + std::to_string(getpid()));
  const ProcessResult r = run({"flow", "npu", "--tile-m", "4", "-o", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "npu_runtime.gp")) << r.output;
  if (!find_program("gnuplot").empty()) {
    EXPECT_GT(std::filesystem::file_size(dir / "npu_runtime.png"), 1000u) << r.output;
  }
  std::filesystem::remove_all(dir);
}

TEST(NpuCli, MobilenetBlock) {
  const ProcessResult r =
      run({"flow", "npu", "--workload", "mbv2_block", "--channels", "4", "--tile-m", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("project.dae_setup"), std::string::npos) << r.output;
  // expand 4 -> 8 (16 pixels), depthwise 3x3 on 8 channels, project 8 -> 4.
  EXPECT_NE(r.output.find(std::to_string(16 * 4 * 8 + 16 * 8 * 9 + 16 * 8 * 4) + " MACs"),
            std::string::npos)
      << r.output;
}

TEST(NpuCli, BertLayer) {
  const ProcessResult r = run({"flow", "npu", "--workload", "bert_layer", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
  EXPECT_EQ(j["workload"], "bert_layer");
  EXPECT_EQ(j["outputs"], 8 * 16);
  // Projections 4 x 8 x 16 x 16 + 2 x 8 x 16 x 64 on the array; Q K^T and P V 2 x 2 x 8 x 8 x 8
  // on Tandem.
  EXPECT_EQ(j["macs"], 4 * 8 * 16 * 16 + 2 * 8 * 16 * 64 + 2 * 2 * 8 * 8 * 8);
  bool softmax = false;
  for (const auto& b : j["blocks"]) softmax = softmax || b["block"] == "softmax";
  EXPECT_TRUE(softmax) << r.output;
}

TEST(NpuCli, ZooDownsamplingBlock) {
  // ResNet-18's layer2.0: a stride-2 3x3 convolution and a stride-2 1x1 projection of the block
  // input, added (compile_network).
  const ProcessResult r =
      run({"flow", "npu", "--model", "resnet18", "--block", "layer2.0", "--resolution", "32",
           "--rows", "64", "--cols", "64", "--lanes", "64", "--depth", "2048"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("layer2.0.downsample.im2col"), std::string::npos) << r.output;
}

TEST(NpuCli, WholeZooModel) {
  // The whole ResNet-18 at a 16x16 input (the stem's 8x8 output, down to 1x1 in layer3).
  const ProcessResult r = run({"flow", "npu", "--model", "resnet18", "--resolution", "16",
                               "--wbuf-depth", "1500000", "--depth", "1024", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
  EXPECT_EQ(j["workload"], "resnet18");
  EXPECT_EQ(j["outputs"], 1000);
  // Without room for every weight: one line naming the first layer that does not fit.
  expect_rejected({"flow", "npu", "--model", "resnet18", "--resolution", "16", "--depth", "1024"},
                  "the weights need");
}

TEST(NpuCli, ZooBertBaseLayer) {
  const ProcessResult r =
      run({"flow", "npu", "--model", "bert_base", "--block", "layer0", "--seq", "8", "--rows", "32",
           "--cols", "32", "--lanes", "32", "--depth", "4096", "--wbuf-depth", "300000", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
  EXPECT_EQ(j["outputs"], 8 * 768);
  // 4 x 8 x 768^2 + 2 x 8 x 768 x 3072 on the array, 2 x 12 x 8 x 8 x 64 on Tandem.
  EXPECT_EQ(j["macs"], 4 * 8 * 768 * 768 + 2 * 8 * 768 * 3072 + 2 * 12 * 8 * 8 * 64);
  // At 512-row buffers a LayerNorm row of 768 does not fit: one line naming the part.
  expect_rejected({"flow", "npu", "--model", "bert_base", "--block", "layer0", "--rows", "32",
                   "--cols", "32", "--lanes", "32", "--wbuf-depth", "300000"},
                  "bert layer: layernorm1: LayerNormalization: one reduction of 768 elements");
}

TEST(NpuCli, TinyResnetWholeNetwork) {
  const ProcessResult r = run({"flow", "npu", "--workload", "tiny_resnet", "--size", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* block : {"block2.conv1.im2col", "block2.add", "pool", "fc"})
    EXPECT_NE(r.output.find(block), std::string::npos) << block << r.output;
  EXPECT_NE(r.output.find(" 8 outputs"), std::string::npos) << r.output;
}

TEST(NpuCli, ZooBlock) {
  const ProcessResult r = run({"flow", "npu", "--model", "resnet18", "--block", "layer1.0",
                               "--resolution", "32", "--rows", "64", "--cols", "64", "--lanes",
                               "64", "--depth", "2048", "--tile-m", "8", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const auto j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
  EXPECT_EQ(j["workload"], "resnet18.layer1.0");
  EXPECT_EQ(j["macs"], 2 * 64 * 64 * 9 * 64);  // two 3x3 convolutions, 64 -> 64, 8x8 pixels
  EXPECT_EQ(j["blocks"][2]["block"], "layer1.0.conv2");
  EXPECT_EQ(j["blocks"][2]["tiles"], 8);
}

TEST(NpuCli, UnmappableLayersExitTwoNamingTheLayer) {
  expect_rejected({"flow", "npu", "--model", "resnet18", "--block", "layer2.0", "--resolution",
                   "32", "--rows", "64", "--cols", "64", "--lanes", "64", "--depth", "32"},
                  "layer 'layer2.0.downsample': its input (8x8 pixels) needs 64 Interim BUF rows");
  expect_rejected({"flow", "npu", "--model", "resnet18", "--block", "layer9"},
                  "no layer named 'layer9.*'");
  expect_rejected({"flow", "npu", "--size", "16"}, "layer 'conv1': its im2col needs");
  expect_rejected({"flow", "npu", "--channels", "12"}, "layer 'conv1': 12 output channels");
  expect_rejected({"flow", "npu", "--tile-m", "3"}, "layer 'conv2': tile_m 3");
  expect_rejected({"flow", "npu", "--workload", "gpt_layer"},
                  "unknown workload 'gpt_layer' (resnet_block, mbv2_block, bert_layer, "
                  "tiny_resnet, resnet18)");
  expect_rejected({"flow", "npu", "--workload", "tiny_resnet", "--size", "32"},
                  "layer 'stem': its input (32x32 pixels) needs 1024");
  expect_rejected({"flow", "npu", "--workload", "bert_layer", "--seq", "16"},
                  "bert layer: attention: 16 tokens exceed the 8 Tandem lanes");
  expect_rejected({"flow", "npu", "--workload", "bert_layer", "--ffn", "12"},
                  "bert layer: projection 'ffn1': 12 outputs");
}

nlohmann::json last_json_line(std::string out) {
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return nlohmann::json::parse(out.substr(out.rfind('\n') + 1));
}

TEST(NpuCli, AnalyticZooJsonCsvAndPlot) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("accelgen_npu_zoo_" + std::to_string(getpid()));
  const std::string csv = (dir / "zoo.csv").string();
  std::filesystem::create_directories(dir);
  const ProcessResult r = run({"flow", "npu", "--zoo", "--json", "--csv", csv, "-o", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = last_json_line(r.output);
  ASSERT_EQ(j["models"].size(), 6u);
  ASSERT_EQ(j["summary"].size(), 6u);
  double mean = 0;
  for (const auto& m : j["models"]) mean += m["speedup2"].get<double>() / 6;
  EXPECT_NEAR(j["mean"]["speedup2"].get<double>(), mean, 1e-9);
  for (const auto& m : j["models"]) {
    EXPECT_EQ(m["rows"], 32);
    EXPECT_EQ(m["lanes"], 32);
    // Speedups are the baselines' runtimes over NPU-Tandem's.
    EXPECT_NEAR(m["speedup1"].get<double>(),
                m["baseline1_ns"].get<double>() / m["npu_ns"].get<double>(), 1e-9);
    EXPECT_GT(m["non_gemm_share1"].get<double>(), 0.0);
    EXPECT_LT(m["non_gemm_share1"].get<double>(), 1.0);
  }
  EXPECT_EQ(j["models"][0]["model"], "vgg16");
  std::ifstream f(csv);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("model,npu_cycles", 0), 0u) << text;
  EXPECT_TRUE(std::filesystem::exists(dir / "npu_analytic.gp"));
  std::filesystem::remove_all(dir);
}

TEST(NpuCli, AnalyticSweep) {
  const ProcessResult r =
      run({"flow", "npu", "--sweep", "8", "32", "--model", "resnet50", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("flow npu: size 8 done"), std::string::npos) << r.output;  // progress
  const auto j = last_json_line(r.output)["sweep"];
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["size"], 8);
  EXPECT_EQ(j[1]["size"], 32);
  // A 16x larger array (and 4x the lanes) finishes ResNet-50 in fewer cycles.
  EXPECT_LT(j[1]["cycles"].get<int64_t>(), j[0]["cycles"].get<int64_t>());
}

TEST(NpuCli, AnalyticErrorsExitTwo) {
  expect_rejected({"flow", "npu", "--analytic"}, "--model NAME");
  expect_rejected({"flow", "npu", "--analytic", "--model", "resnet18", "--block", "layer1.0"},
                  "--analytic takes the whole --model");
  expect_rejected({"flow", "npu", "--analytic", "--model", "gnmt"}, "(lstm) has no NPU mapping");
  expect_rejected({"flow", "npu", "--analytic", "--model", "nosuch"}, "nosuch");
  expect_rejected({"flow", "npu", "--analytic", "--model", "vgg16", "--rows", "64"},
                  "rows and cols must be 1..lanes");
}

// The `npu` block (issue 13): bad parameters and a workload the compiler cannot map are refused
// with one line before anything is written or Verilated.
TEST(NpuCli, NpuBlockRejectsBadInputBeforeBuilding) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("accelgen_npu_gen_" + std::to_string(getpid()));
  expect_rejected({"generate", "npu", "--set", "rows=8", "--set", "lanes=4", "-o", dir},
                  "must fit the Tandem lanes (4)");
  EXPECT_FALSE(std::filesystem::exists(dir));
  expect_rejected({"verify", "npu", "--set", "rows=4", "--set", "cols=4", "--set", "lanes=4",
                   "--set", "depth=64", "--set", "channels=8"},
                  "layer 'conv1'");
  expect_rejected({"verify", "npu", "--set", "workload=bert"}, "workload");
  // The named workloads: a BERT layer whose tokens exceed the lanes, a program longer than the
  // block table or the instruction memory, the zoo's ResNet-18 whose weights exceed the
  // scratchpad.
  const auto with = [](std::initializer_list<std::string> extra) {
    std::vector<std::string> a = {"verify", "npu",    "--set", "rows=4",
                                  "--set",  "cols=4", "--set", "lanes=4"};
    a.insert(a.end(), extra);
    return a;
  };
  expect_rejected(with({"--set", "workload=bert_layer", "--set", "seq=8"}),
                  "8 tokens exceed the 4 Tandem lanes");
  expect_rejected(with({"--set", "workload=bert_layer", "--set", "max_blocks=8"}),
                  "the program has 22 blocks, the block table holds 8");
  expect_rejected(with({"--set", "workload=bert_layer", "--set", "imem_depth=1024"}),
                  "need 2633 words, imem_depth = 1024");
  expect_rejected(with({"--set", "workload=resnet18", "--set", "size=8"}),
                  "layer 'layer1.0.conv1': the weights need 12352 weight-scratchpad rows");
}

}  // namespace
}  // namespace accelgen
