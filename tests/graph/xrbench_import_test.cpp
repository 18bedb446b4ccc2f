// XRBench import against data nobody here wrote: the totals below are the exact figures printed in
// data/xrbench/README.md ("Exact totals" and the per-model table); the importer itself
// also checks every layer's listed MACs and weights against what the IR derives from the shapes.
#include "compiler/graph/xrbench_import.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/model_source.hpp"
#include "compiler/graph/xrbench_models.hpp"

namespace accelgen::graph {
namespace {

struct Published {
  const char* file;
  size_t layers;
  size_t weight_layers;
  int64_t macs;
  int64_t weights;
  size_t skips;
  size_t max_edge_span;
};

// From the README's "Per-model summary" table and "Exact totals" paragraph.
const Published kModels[] = {
    {"ritnet.json", 68, 42, 16420864000, 247264, 18, 55},
    {"fbnet_c.json", 79, 63, 139977760, 5525424, 15, 4},
    {"hand_graph_cnn.json", 337, 224, 4075407872, 20085504, 79, 129},
    {"res8_narrow.json", 13, 8, 6752676, 19893, 3, 3},
    {"midas_v21_small.json", 129, 97, 3446376192, 16523424, 27, 76},
    {"sparse_to_dense_rgbd200.json", 52, 34, 14709002240, 13673104, 12, 3},
    {"ed_tcn.json", 9, 5, 368137472, 743104, 0, 1},
    {"d2go_faster_rcnn_fbnetv3a_c4.json", 208, 138, 980176368, 5270832, 25, 44},
    {"planercnn.json", 213, 150, 220793753600, 69374912, 41, 131},
};

void PrintTo(const Published& p, std::ostream* os) { *os << p.file; }

std::string data_path(const char* file) {
  return (std::filesystem::path(ACCELGEN_XRBENCH_DIR) / file).string();
}

class XrbenchModel : public testing::TestWithParam<Published> {};

TEST_P(XrbenchModel, TotalsSkipEdgesAndSpansMatchTheReadme) {
  const Published& p = GetParam();
  ASSERT_TRUE(std::filesystem::exists(data_path(p.file))) << data_path(p.file);
  const Graph g = load_xrbench_file(data_path(p.file));
  const GraphStats s = analyze(g);
  EXPECT_EQ(s.layers, p.layers);
  EXPECT_EQ(s.weight_layers, p.weight_layers);
  EXPECT_EQ(s.macs, p.macs);
  EXPECT_EQ(s.params, p.weights);
  EXPECT_EQ(s.skips.size(), p.skips);
  EXPECT_EQ(s.max_edge_span, p.max_edge_span);
  // Each file's own "stats" block (written by the data's author): A/W extremes and peak tensor.
  std::ifstream in(data_path(p.file));
  const nlohmann::json stats = nlohmann::json::parse(in)["stats"];
  const auto [in_min, in_max] = std::minmax_element(s.aw_in.begin(), s.aw_in.end());
  const auto [out_min, out_max] = std::minmax_element(s.aw_out.begin(), s.aw_out.end());
  EXPECT_DOUBLE_EQ(*in_min, stats["aw_in_min"].get<double>());
  EXPECT_DOUBLE_EQ(*in_max, stats["aw_in_max"].get<double>());
  EXPECT_DOUBLE_EQ(*out_min, stats["aw_out_min"].get<double>());
  EXPECT_DOUBLE_EQ(*out_max, stats["aw_out_max"].get<double>());
  EXPECT_EQ(s.peak_activation, stats["peak_act"].get<int64_t>());
  // Operator counts: the IR's labels map onto the file's op names; pooling modes are one "pool";
  // the file's "other" kinds became mul, reshape, conv_transpose or custom nodes.
  auto count = [&](const std::string& label) {
    size_t n = 0;
    for (const auto& [op, c] : s.op_histogram) {
      if (op == label || op.rfind(label + ":", 0) == 0) n += c;
    }
    return n;
  };
  const nlohmann::json& by_op = stats["by_op"];
  size_t listed = 0;
  for (const char* op : {"conv", "dwconv", "gemm", "pool", "add", "concat", "upsample"}) {
    EXPECT_EQ(count(op), by_op[op].get<size_t>()) << op;
    listed += count(op);
  }
  EXPECT_EQ(s.layers - listed, by_op["other"].get<size_t>());
  // The exported IR loads back to the same graph.
  EXPECT_EQ(to_json(graph_from_json(to_json(g))), to_json(g));
}

INSTANTIATE_TEST_SUITE_P(AllNine, XrbenchModel, testing::ValuesIn(kModels),
                         [](const testing::TestParamInfo<Published>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

// The copy compiled into the library is byte for byte the file in data/xrbench/, every file there
// is built in, and the model name loads the same graph as the file.
TEST_P(XrbenchModel, BuiltInCopyEqualsTheShippedFile) {
  const Published& p = GetParam();
  std::ostringstream text;
  text << std::ifstream(data_path(p.file), std::ios::binary).rdbuf();
  const std::string name = std::string(p.file).substr(0, std::string(p.file).size() - 5);
  ASSERT_TRUE(is_xrbench_model(name));
  const auto& models = xrbench_models();
  const auto it = std::find_if(models.begin(), models.end(),
                               [&](const graph::XrbenchModel& m) { return m.name == name; });
  ASSERT_NE(it, models.end());
  EXPECT_EQ(it->file, p.file);
  EXPECT_EQ(std::string(it->json), text.str());
  EXPECT_EQ(analyze(load_model(name)).macs, p.macs);
}

TEST(Xrbench, NineModelsAreBuiltInAndUnknownNamesAreUserErrors) {
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(ACCELGEN_XRBENCH_DIR))
    files += e.path().extension() == ".json";
  EXPECT_EQ(files, 9u);
  EXPECT_EQ(xrbench_models().size(), 9u);
  EXPECT_THROW(build_xrbench_model("ritnet2"), UserError);
  EXPECT_FALSE(is_xrbench_model("ritnet.json"));
}

TEST(Xrbench, ActivationWeightRangeOfRitnetMatchesTheReadme) {
  // README table: RITNet A/W(in) 3.5 - 6.4e4, A/W(out) 3.5 - 2.8e4.
  const GraphStats s = analyze(load_xrbench_file(data_path("ritnet.json")));
  const auto [in_min, in_max] = std::minmax_element(s.aw_in.begin(), s.aw_in.end());
  const auto [out_min, out_max] = std::minmax_element(s.aw_out.begin(), s.aw_out.end());
  EXPECT_NEAR(*in_min, 3.5, 0.05);
  EXPECT_NEAR(*in_max, 6.4e4, 0.05e4);
  EXPECT_NEAR(*out_min, 3.5, 0.05);
  EXPECT_NEAR(*out_max, 2.8e4, 0.05e4);
}

TEST(Xrbench, InconsistentLayersAreRejectedWithTheirName) {
  const nlohmann::json base = {{"model", "tiny"},
                               {"input", {1, 4, 8, 8}},
                               {"layers",
                                {{{"name", "c"},
                                  {"op", "conv"},
                                  {"in", {4, 8, 8}},
                                  {"out", {8, 8, 8}},
                                  {"kernel", {3, 3}},
                                  {"stride", {1, 1}},
                                  {"groups", 1},
                                  {"inputs", {"input"}},
                                  {"macs", 8 * 4 * 9 * 64},
                                  {"weights", 8 * 4 * 9},
                                  {"padding", {1, 1}}}}}};
  EXPECT_EQ(analyze(graph_from_xrbench(base)).macs, 8 * 4 * 9 * 64);
  auto expect_error = [&](const char* key, const nlohmann::json& value, const char* text) {
    nlohmann::json j = base;
    j["layers"][0][key] = value;
    try {
      graph_from_xrbench(j);
      ADD_FAILURE() << key << ": expected a UserError";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("layer 'c'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_error("macs", 1, "MACs");
  expect_error("weights", 1, "weights");
  expect_error("out", {8, 9, 9}, "declared shape");
  expect_error("in", {4, 9, 9}, "\"in\"");
  expect_error("inputs", {"nothing"}, "not an earlier node");
  expect_error("op", "warp", "unknown op");
  expect_error("kernel", "big", "");
}

// Random edits of a real file (digits, brackets, deletions, truncation): each result either loads
// or is one UserError line, never another exception (fixed seed, printed on failure).
TEST(Xrbench, FuzzedFilesNeverCrash) {
  std::ostringstream text;
  text << std::ifstream(data_path("res8_narrow.json")).rdbuf();
  const std::string good = text.str();
  const unsigned seed = 11;
  std::mt19937 rng(seed);
  int rejected = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    std::string s = good;
    for (int e = 0; e < 1 + static_cast<int>(rng() % 3) && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[at] = "0123456789-[]{}\",:"[rng() % 19];
          break;
        case 1:
          s.erase(at, 1);
          break;
        default:
          s.resize(at);
          break;
      }
    }
    try {
      const nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
      if (j.is_discarded()) {
        ++rejected;
        continue;
      }
      graph_from_xrbench(j);
    } catch (const UserError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "seed " << seed << " trial " << trial << ": " << e.what();
    }
  }
  EXPECT_GT(rejected, 500);
}

// Regressions found by the libFuzzer target tests/fuzz/xrbench_fuzzer.cpp: a number beyond a
// double escaped the loader as nlohmann's out_of_range exception; one beyond int64 (here a float
// in "input") would be converted with undefined behaviour.
TEST(Xrbench, NumbersOutOfRangeAreUserErrors) {
  try {
    json_graph_from_text(
        R"({"model": "m", "input": [1, 3, 8, 444.0e24444444444444], "layers": []})", "x.json",
        graph_from_xrbench);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "x.json: not valid JSON (a number is out of range)");
  }
  const nlohmann::json j = {
      {"model", "tiny"}, {"input", {1, 4, 8, 8e30}}, {"layers", nlohmann::json::array()}};
  try {
    graph_from_xrbench(j);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("number 8e+30 is out of range"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace accelgen::graph
