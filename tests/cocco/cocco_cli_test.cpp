// `accelgen flow cocco` end to end: bad input (malformed graph, impossible buffer limits, unknown
// method) is one line and exit 2; the same seed gives byte-identical output; --json's last line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/process.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

ProcessResult run(std::vector<std::string> args) {
  args.insert(args.begin(), {ACCELGEN_BINARY, "flow", "cocco"});
  return run_process(args);
}

void expect_rejected(const std::vector<std::string>& args, const std::string& fragment) {
  const ProcessResult r = run(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_NE(r.output.find(fragment), std::string::npos)
      << "wanted '" << fragment << "' in: " << r.output;
}

fs::path temp_file(const std::string& name, const std::string& text) {
  const fs::path p =
      fs::temp_directory_path() / ("accelgen_cocco_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

// A small graph: conv -> conv -> add(skip) -> pool.
const char* kTiny = R"({"format": "accelgen-graph", "version": 1, "name": "tiny", "nodes": [
  {"name": "x", "op": "input", "shape": [1, 8, 16, 16]},
  {"name": "c1", "op": "conv", "inputs": ["x"], "attrs": {"out_channels": 8, "kernel": [3, 3], "pads": [1, 1, 1, 1]}},
  {"name": "c2", "op": "conv", "inputs": ["c1"], "attrs": {"out_channels": 8, "kernel": [3, 3], "pads": [1, 1, 1, 1]}},
  {"name": "a", "op": "add", "inputs": ["c2", "x"]},
  {"name": "p", "op": "pool", "inputs": ["a"], "attrs": {"mode": "max", "kernel": [2, 2], "stride": [2, 2]}}]})";

TEST(CoccoCli, BadInputIsOneLineExit2) {
  const fs::path bad =
      temp_file("bad.json", R"({"format": "accelgen-graph", "version": 1, "name": "b", "nodes": [
    {"name": "c", "op": "conv", "inputs": ["nowhere"], "attrs": {"out_channels": 8}}]})");
  expect_rejected({"--model", bad.string()}, "nowhere");
  const fs::path cyc =
      temp_file("cyc.json", R"({"format": "accelgen-graph", "version": 1, "name": "b", "nodes": [
    {"name": "a", "op": "add", "inputs": ["b", "b"]}, {"name": "b", "op": "add", "inputs": ["a", "a"]}]})");
  expect_rejected({"--model", cyc.string()}, "cycle");
  const fs::path tiny = temp_file("tiny.json", kTiny);
  expect_rejected({"--model", tiny.string(), "--shared-kib", "0"}, "impossible");
  expect_rejected({"--model", tiny.string(), "--gb-kib", "-4"}, "impossible");
  expect_rejected({"--model", tiny.string(), "--max-nodes", "0"}, "max-nodes");
  expect_rejected({"--model", tiny.string(), "--method", "magic"}, "unknown method");
  expect_rejected({"--model", tiny.string(), "--alpha", "-1"}, "alpha");
  expect_rejected({"--model", tiny.string(), "--method", "rs+ga", "--mode", "partition"},
                  "co-exploration");
  expect_rejected({"--model", "no_such_model"}, "no_such_model");
  expect_rejected({"--model", tiny.string(), "--cores", "0"}, "cores");
  fs::remove(bad);
  fs::remove(cyc);
  fs::remove(tiny);
}

TEST(CoccoCli, SameSeedSameBytesAndJson) {
  const fs::path tiny = temp_file("tiny2.json", kTiny);
  const std::vector<std::string> args{
      "--model",   tiny.string(), "--method", "ga,sa,exact,exhaustive,greedy,dp",
      "--samples", "3000",        "--seed",   "5",
      "--json",    "--buffers",   "shared"};
  const ProcessResult a = run(args), b = run(args);
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(a.output, b.output);
  const std::string last = a.output.substr(a.output.rfind('\n', a.output.size() - 2) + 1);
  const auto j = nlohmann::json::parse(last);
  for (const char* k : {"method", "cost", "buffer_bytes", "ema_bytes", "energy_pj", "subgraphs"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["method"], "ga");
  // The GA (co-exploration) and the exact methods agree with each other where they share hardware:
  // exact = exhaustive on this 4-layer graph.
  const auto& rows = j["methods"];
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_DOUBLE_EQ(rows[2]["cost"].get<double>(), rows[3]["cost"].get<double>());
  fs::remove(tiny);
}

TEST(CoccoCli, SequenceAndNasNetModelsRunOnCoresAndBatches) {
  // Transformer, GPT (16 tokens) and NASNet-A Large through the flow: depth-ordered DP, 1 and 2
  // cores.
  for (const char* m : {"transformer", "gpt", "nasnet"}) {
    const ProcessResult r = run({"--model", m, "--method", "dp", "--cores", "1,2", "--batch", "1",
                                 "--seq-len", "16", "--json", "--mode", "partition"});
    ASSERT_EQ(r.exit_code, 0) << m << ": " << r.output;
    const std::string last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
    const auto rows = nlohmann::json::parse(last)["methods"];
    ASSERT_EQ(rows.size(), 2u) << m;
    EXPECT_EQ(rows[0]["cores"], 1);
    EXPECT_EQ(rows[1]["cores"], 2);
    EXPECT_EQ(rows[0]["xbar_bytes"], 0.0);
    EXPECT_GT(rows[1]["xbar_bytes"].get<double>(), 0.0) << m;
  }
}

}  // namespace
}  // namespace accelgen
