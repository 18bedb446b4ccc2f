// `accelgen flow nn-baton` end to end: map and explore with --json (the last stdout line is one
// object with the documented keys), the explore CSV/plot files, and every bad-input path (one line
// on stderr, exit status 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/process.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

ProcessResult run(std::vector<std::string> args) {
  args.insert(args.begin(), ACCELGEN_BINARY);
  return run_process(args);
}

nlohmann::json last_line_json(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return nlohmann::json::parse(s.substr(s.rfind('\n') + 1));
}

void expect_rejected(const std::vector<std::string>& args, const std::string& fragment) {
  const ProcessResult r = run(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_EQ(r.output.rfind("accelgen: error: ", 0), 0u) << r.output;
  EXPECT_NE(r.output.find(fragment), std::string::npos)
      << "wanted '" << fragment << "' in: " << r.output;
}

TEST(NnBatonCli, MapJson) {
  const fs::path csv =
      fs::temp_directory_path() / ("accelgen_nnb_map_" + std::to_string(getpid()) + ".csv");
  const ProcessResult r =
      run({"flow", "nn-baton", "map", "--layer", "a:16x12x12->32,k3x3,s1,p1", "--layer",
           "b:32x12x12->16,k1x1", "--np", "2", "--nc", "2", "--json", "--csv", csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The CSV has a header and one row per layer.
  std::ifstream f(csv);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  fs::remove(csv);
  const auto j = last_line_json(r.output);
  EXPECT_EQ(j["command"], "map");
  EXPECT_GT(j["energy_pj"].get<double>(), 0);
  EXPECT_GT(j["cycles"].get<int64_t>(), 0);
  EXPECT_GT(j["energy_vs_simba"].get<double>(), 0);
  ASSERT_EQ(j["layers"].size(), 2u);
  // The model's energy is the sum of the layers' and of its own breakdown.
  const double sum =
      j["layers"][0]["energy_pj"].get<double>() + j["layers"][1]["energy_pj"].get<double>();
  EXPECT_NEAR(j["energy_pj"].get<double>(), sum, 1e-9 * sum);
  double parts = 0;
  for (const char* k : {"dram", "d2d", "l2", "l1", "rf", "mac"})
    parts += j["breakdown_pj"][k].get<double>();
  EXPECT_NEAR(parts, sum, 1e-9 * sum);
  // MACs of layer a: 32 x 12 x 12 x 16 x 9, times 0.024 pJ.
  EXPECT_NEAR(j["layers"][0]["breakdown_pj"]["mac"].get<double>(), 32 * 144 * 16 * 9 * 0.024, 1e-6);
  EXPECT_NEAR(j["energy_vs_simba"].get<double>(), sum / j["simba_energy_pj"].get<double>(), 1e-12);
}

TEST(NnBatonCli, ExploreJsonCsvAndPlot) {
  const fs::path dir = fs::temp_directory_path() / ("accelgen_nnb_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const ProcessResult r =
      run({"flow", "nn-baton", "explore", "--macs", "2048", "--area-mm2", "2", "--model", "alexnet",
           "--resolution", "64", "-o", dir.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = last_line_json(r.output);
  EXPECT_TRUE(std::regex_match(j["best"].get<std::string>(), std::regex(R"(\d+-\d+-\d+-\d+)")))
      << j["best"];
  // 32 compute options x 7 O-L1 x 8 A-L1 x 13 W-L1 x 8 A-L2 sizes.
  EXPECT_EQ(j["points"].get<int64_t>(), 32 * 7 * 8 * 13 * 8);
  EXPECT_GT(j["evaluations_per_second"].get<double>(), 0);
  EXPECT_TRUE(fs::exists(dir / "nn_baton_explore.csv"));
  EXPECT_TRUE(fs::exists(dir / "nn_baton_explore.gp"));
  if (!find_program("gnuplot").empty()) {
    EXPECT_TRUE(fs::exists(dir / "nn_baton_explore.png"));
  }
  fs::remove_all(dir);
}

TEST(NnBatonCli, BadInputIsOneLineAndExitTwo) {
  expect_rejected({"flow", "nn-baton", "explore", "--macs", "3000", "--area-mm2", "2"},
                  "3000 MACs");
  expect_rejected({"flow", "nn-baton", "explore", "--macs", "2048", "--area-mm2", "0.05", "--model",
                   "alexnet", "--resolution", "64"},
                  "no design with 2048 MACs fits");
  expect_rejected({"flow", "nn-baton", "map", "--layer", "nonsense"}, "malformed layer");
  expect_rejected({"flow", "nn-baton", "map", "--layer", "x:3x2x2->8,k5x5"}, "kernel larger");
  expect_rejected({"flow", "nn-baton", "map", "--layer", "x:3x8x8->0,k3x3"}, "CO must be");
  expect_rejected({"flow", "nn-baton", "map", "--np", "0", "--layer", "x:3x8x8->8,k3x3"}, "N_P");
  expect_rejected({"flow", "nn-baton", "map", "--model", "nosuchnet"}, "unknown model");
  expect_rejected({"flow", "nn-baton", "map", "--layer", "x:4096x8x8->8,k3x3", "--al2", "1024"},
                  "does not fit");
  expect_rejected({"flow", "nn-baton", "map", "--tech", "nosuchtech", "--layer", "x:3x8x8->8,k3x3"},
                  "nosuchtech");
}

}  // namespace
}  // namespace accelgen
