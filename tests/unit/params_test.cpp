// Parameter schemas, --set parsing, JSON configs and the systolic cross-parameter check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/systolic_params.hpp"

namespace accelgen {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Params, DefaultsAndTextAssignments) {
  const BlockInfo& b = find_block("systolic");
  ParamSet set = b.schema.defaults();
  EXPECT_EQ(set.integer("rows"), 8);
  EXPECT_EQ(set.choice("operands"), "mixed");
  b.schema.set_text(set, "rows", "16");
  EXPECT_EQ(set.integer("rows"), 16);
  EXPECT_EQ(error_of([&] { b.schema.set_text(set, "rows", "0"); }), "parameter 'rows' = 0 is out of range [1, 128]");
  EXPECT_EQ(error_of([&] { b.schema.set_text(set, "rows", "12x"); }), "parameter 'rows' needs an integer, got '12x'");
  EXPECT_EQ(error_of([&] { b.schema.set_text(set, "rows", ""); }), "parameter 'rows' needs an integer, got ''");
  EXPECT_NE(error_of([&] { b.schema.set_text(set, "depth", "1"); }).find("unknown parameter 'depth' (known: rows, cols"),
            std::string::npos);
  EXPECT_NE(error_of([&] { b.schema.set_text(set, "operands", "zeros"); }).find("is not one of: mixed, random"),
            std::string::npos);
  EXPECT_EQ(error_of([] { split_assignment("rows"); }), "--set needs KEY=VALUE, got 'rows'");
}

TEST(Params, UnknownBlockListsKnownOnes) {
  EXPECT_EQ(error_of([] { find_block("tpu"); }), "unknown block 'tpu' (known: systolic, noc)");
}

class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() / ("accelgen_params_test_" + std::to_string(::getpid()) + ".json");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ConfigFile, PlainObjectAndManifestShapes) {
  const BlockInfo& b = find_block("systolic");
  ParamSet p = resolve_params(b, write(R"({"rows": 3, "cols": 5})"), {"cols=6"}, false);
  EXPECT_EQ(p.integer("rows"), 3);
  EXPECT_EQ(p.integer("cols"), 6);  // --set wins over the file
  p = resolve_params(b, write(R"({"block": "systolic", "params": {"rows": 2}})"), {}, false);
  EXPECT_EQ(p.integer("rows"), 2);
}

TEST_F(ConfigFile, BadConfigsAreOneLineErrors) {
  const BlockInfo& b = find_block("systolic");
  std::string f = write(R"({"rows": 3,)");
  EXPECT_NE(error_of([&] { resolve_params(b, f, {}, false); }).find(": malformed JSON: "), std::string::npos);
  f = write(R"({"rows": "three"})");
  EXPECT_EQ(error_of([&] { resolve_params(b, f, {}, false); }), f + ": parameter 'rows' needs an integer");
  f = write(R"({"block": "noc", "params": {}})");
  EXPECT_EQ(error_of([&] { resolve_params(b, f, {}, false); }), f + ": config is for block \"noc\", not 'systolic'");
  f = write(R"([1, 2])");
  EXPECT_EQ(error_of([&] { resolve_params(b, f, {}, false); }), f + ": expected a JSON object of parameters");
  EXPECT_EQ(error_of([&] { resolve_params(b, "/nonexistent/x.json", {}, false); }),
            "cannot read config file '/nonexistent/x.json'");
}

TEST(Params, SystolicCrossChecksAndStimulusKeys) {
  const BlockInfo& b = find_block("systolic");
  EXPECT_EQ(error_of([&] { resolve_params(b, "", {"in_bits=16", "acc_bits=16"}, false); }),
            "acc_bits = 16 must be at least 2*in_bits = 32 (a product must fit the accumulator)");
  EXPECT_NE(error_of([&] { resolve_params(b, "", {"m=4"}, false); }).find("steers verification only"),
            std::string::npos);
  EXPECT_EQ(resolve_params(b, "", {"m=4"}, true).integer("m"), 4);
  // Hardware JSON excludes stimulus keys; the full form includes them.
  ParamSet p = resolve_params(b, "", {}, false);
  EXPECT_FALSE(b.schema.to_json(p).contains("m"));
  EXPECT_TRUE(b.schema.to_json(p, true).contains("m"));
}

}  // namespace
}  // namespace accelgen
