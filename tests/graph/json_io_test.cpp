// The JSON form round-trips, and every kind of bad file is one UserError naming the problem.
#include "compiler/graph/json_io.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"

namespace accelgen::graph {
namespace {

using nlohmann::json;

Graph small_graph() {
  Builder b("small");
  b.input("x", {1, 3, 32, 32}, DType::kU8);
  b.conv("c1", "x", 16, 3, {.stride = 2, .bias = true});
  b.dwconv("dw", "c1", 3, {.activation = "relu6"});
  b.add("res", {"dw", "c1"});
  b.upsample("up", "res", 2.0, "bilinear");
  b.pool("mp", "up", "max", 2, 2);
  b.flatten("f", "mp");
  b.fc("fc", "f", 10, "softmax");
  return b.take();
}

std::string error_of(const json& j) {
  try {
    graph_from_json(j);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonIo, RoundTripIsExact) {
  const Graph g = small_graph();
  const json first = to_json(g);
  const Graph back = graph_from_json(first);
  EXPECT_EQ(to_json(back), first);
  ASSERT_EQ(back.size(), g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    EXPECT_EQ(back.node(i).name, g.node(i).name);
    EXPECT_EQ(back.node(i).shape, g.node(i).shape);
    EXPECT_EQ(back.node(i).weights.size(), g.node(i).weights.size());
  }
  EXPECT_EQ(back.node("x").dtype, DType::kU8);
  EXPECT_EQ(back.node("dw").activation, "relu6");
}

TEST(JsonIo, FileRoundTripAndNodeOrderIsRepaired) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "accelgen_graph_roundtrip.json").string();
  save_graph_file(small_graph(), path);
  EXPECT_EQ(to_json(load_graph_file(path)), to_json(small_graph()));
  std::filesystem::remove(path);

  json j = to_json(small_graph());
  std::reverse(j["nodes"].begin(), j["nodes"].end());  // any order loads; storage is topological
  EXPECT_EQ(to_json(graph_from_json(j)), to_json(small_graph()));
}

TEST(JsonIo, ShapesAreOptionalButCheckedWhenPresent) {
  json j = to_json(small_graph());
  for (json& node : j["nodes"]) {
    if (node["op"] != "input") node.erase("shape");
  }
  EXPECT_EQ(to_json(graph_from_json(j)), to_json(small_graph()));
  j["nodes"][1]["shape"] = {1, 16, 17, 17};
  EXPECT_NE(error_of(j).find("declared shape 1x16x17x17"), std::string::npos) << error_of(j);
}

TEST(JsonIo, BadGraphsGiveOneLineNamingTheProblem) {
  const json good = to_json(small_graph());
  struct Case {
    const char* what;
    std::function<void(json&)> spoil;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"cycle", [](json& j) { j["nodes"][1]["inputs"] = {"res"}; }, "cycle"},
      {"dangling", [](json& j) { j["nodes"][3]["inputs"][1] = "ghost"; }, "dangling"},
      {"duplicate", [](json& j) { j["nodes"][2]["name"] = "c1"; }, "duplicate"},
      {"unknown op", [](json& j) { j["nodes"][2]["op"] = "warp"; }, "unknown operator 'warp'"},
      {"unknown key", [](json& j) { j["nodes"][2]["colour"] = 1; }, "unknown key 'colour'"},
      {"wrong type", [](json& j) { j["nodes"][1]["attrs"]["groups"] = "two"; }, "node 'c1'"},
      {"bad weight",
       [](json& j) {
         j["nodes"][1]["weights"][0]["shape"] = {16, 3, 5, 5};
       },
       "first weight"},
      {"absurd",
       [](json& j) {
         j["nodes"][0]["shape"] = {1, 3, 1 << 30, 1 << 30};
       },
       "2^50"},
      {"format", [](json& j) { j["format"] = "onnx"; }, "format"},
      {"no nodes", [](json& j) { j.erase("nodes"); }, "nodes"},
      {"mismatch", [](json& j) { j["nodes"][3]["inputs"][1] = "x"; }, "broadcast"},
      {"huge pads",
       [](json& j) {
         j["nodes"][1]["attrs"]["pads"] = {1, 1, INT64_MAX, 1};
       },
       "padding"},
      {"huge window",
       [](json& j) {
         j["nodes"][1]["attrs"]["kernel"] = {int64_t{1} << 32, 3};
         j["nodes"][1]["attrs"]["dilation"] = {int64_t{1} << 32, 1};
       },
       "overflows"},
      {"negative size",
       [](json& j) {
         j["nodes"][0]["shape"] = {1, 3, -32, 32};
       },
       "dimension"},
  };
  for (const Case& c : cases) {
    json j = good;
    c.spoil(j);
    const std::string message = error_of(j);
    EXPECT_NE(message.find(c.expect), std::string::npos) << c.what << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << c.what;
  }
}

TEST(JsonIo, FileErrorsNameTheFile) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "accelgen_graph_truncated.json").string();
  const std::string text = to_json(small_graph()).dump();
  std::ofstream(path) << text.substr(0, text.size() / 2);
  try {
    load_graph_file(path);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_graph_file("/nonexistent/graph.json"), UserError);
}

// Random byte flips and truncations of a valid file: the loader either succeeds or throws
// UserError, never anything else (fixed seed, printed on failure).
TEST(JsonIo, FuzzedFilesNeverCrash) {
  const std::string text = to_json(small_graph()).dump();
  const unsigned seed = 20261123;
  std::mt19937 rng(seed);
  int rejected = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string spoiled = text;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !spoiled.empty(); ++e) {
      const size_t at = rng() % spoiled.size();
      switch (rng() % 3) {
        case 0:
          spoiled[at] = static_cast<char>("0123456789-[]{}\",:ae"[rng() % 20]);
          break;
        case 1:
          spoiled.erase(at, 1);
          break;
        default:
          spoiled.resize(at);
          break;
      }
    }
    try {
      const json j = json::parse(spoiled, nullptr, false);
      if (j.is_discarded()) {
        ++rejected;
        continue;
      }
      graph_from_json(j);
    } catch (const UserError&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "seed " << seed << " trial " << trial << ": " << e.what() << "\n" << spoiled;
    }
  }
  EXPECT_GT(rejected, 1000);
}

// Regressions found by the libFuzzer target tests/fuzz/graph_json_fuzzer.cpp.

// A float too large for an int64 field was converted anyway (undefined behaviour, UBSan abort).
TEST(JsonIo, NumbersBeyondInt64AreRejected) {
  json j = to_json(small_graph());
  j["nodes"][1]["attrs"]["pads"] = {2, 2.33333e119, 2, 2};
  EXPECT_NE(error_of(j).find("number 2.33333e+119 is out of range"), std::string::npos)
      << error_of(j);
  j = to_json(small_graph());
  j["nodes"][0]["shape"][1] = -1e300;
  EXPECT_NE(error_of(j).find("out of range"), std::string::npos) << error_of(j);
  j = to_json(small_graph());
  j["nodes"][0]["shape"][1] = uint64_t{1} << 63;
  EXPECT_NE(error_of(j).find("number 9223372036854775808 is out of range"), std::string::npos)
      << error_of(j);
  // Beyond a double, the JSON parser itself refuses the number (out_of_range, not parse_error).
  try {
    json_graph_from_text(R"({"format": "accelgen-graph", "version": 1, "nodes": [1e400]})",
                         "f.json", graph_from_json);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "f.json: not valid JSON (a number is out of range)");
  }
}

// Node names from the file appear in messages: control characters in them are escaped, so the
// message stays one line.
TEST(JsonIo, ControlCharactersInNamesKeepTheErrorOnOneLine) {
  json j = to_json(small_graph());
  j["nodes"][2]["name"] = "bad\nname\x01";
  j["nodes"][2]["op"] = "warp";
  const std::string what = error_of(j);
  EXPECT_EQ(what.find_first_of("\n\x01"), std::string::npos) << what;
  EXPECT_NE(what.find("node 'bad\\nname\\x01': unknown operator 'warp'"), std::string::npos)
      << what;
  EXPECT_EQ(one_line("a\tb\\n\x7f"), "a\\tb\\n\\x7f");
  EXPECT_EQ(one_line(one_line("x\ny")), "x\\ny");
}

}  // namespace
}  // namespace accelgen::graph
