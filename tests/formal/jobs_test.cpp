// `accelgen jobs` (label `jobs`): one small lint sweep run unsharded, sharded under GNU parallel,
// and as a Slurm job array on a real single-node Slurm started here; the merged outputs must equal
// the unsharded ones byte for byte; a killed shard reruns without losing or duplicating a result.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/process.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// stdout only (run_process interleaves stderr): through a shell redirect into a file.
struct Shell {
  int exit_code;
  std::string out, err;
};

class Jobs : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = fs::temp_directory_path() /
           ("accelgen_jobs_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
    // Four noc shapes, lint: a few seconds each.
    spec_ = tmp_ / "spec.json";
    std::ofstream(spec_) << R"({"name": "noc-lint-small", "kind": "lint", "block": "noc",
      "grid": [{"rows": ["2", "3"]}, {"cols": [2, 3]}], "fixed": {"flit_bits": "8"}})";
  }
  void TearDown() override {
    std::error_code ec;  // a daemon may still be writing into its state directory
    fs::remove_all(tmp_, ec);
  }

  Shell sh(const std::string& command) {
    const fs::path out = tmp_ / "stdout.txt", err = tmp_ / "stderr.txt";
    ProcessResult r =
        run_process({"bash", "-c", command + " >" + out.string() + " 2>" + err.string()});
    return {r.exit_code, slurp(out), slurp(err)};
  }
  std::string bin() const { return ACCELGEN_BINARY; }
  size_t result_files(const fs::path& dir) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind("noc-lint-", 0) == 0 &&
          e.path().extension() == ".json")
        ++n;
    return n;
  }
  bool have(const std::string& tool) { return !find_program(tool).empty(); }

  fs::path tmp_, spec_;
};

TEST_F(Jobs, ParallelShardsMergeToTheUnshardedOutputByteForByte) {
  if (!have("parallel"))
    GTEST_SKIP() << "GNU parallel is not installed (scripts/setup.sh installs it)";
  const Shell whole =
      sh(bin() + " jobs run " + spec_.string() + " --csv " + (tmp_ / "whole.csv").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const Shell whole_json = sh(bin() + " jobs run " + spec_.string() + " --json");
  // The expected table, independently: four shapes, all lint clean.
  EXPECT_NE(whole.out.find("4 points, 4 passed, 0 failed"), std::string::npos) << whole.out;
  EXPECT_EQ(nlohmann::json::parse(whole_json.out).at("rows").size(), 4u);

  const fs::path dir = tmp_ / "shards";
  const Shell emit = sh(bin() + " jobs emit " + spec_.string() + " -o " + dir.string());
  ASSERT_EQ(emit.exit_code, 0) << emit.err;
  EXPECT_EQ(std::count(emit.out.begin(), emit.out.end(), '\n'), 4);
  const Shell par = sh("parallel --will-cite -j2 < " + (dir / "commands.txt").string());
  ASSERT_EQ(par.exit_code, 0) << par.out << par.err;
  EXPECT_EQ(result_files(dir), 4u);
  const Shell merged =
      sh(bin() + " jobs merge " + dir.string() + " --csv " + (tmp_ / "merged.csv").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(merged.out, whole.out);
  EXPECT_EQ(slurp(tmp_ / "merged.csv"), slurp(tmp_ / "whole.csv"));
  EXPECT_EQ(sh(bin() + " jobs merge " + dir.string() + " --json").out, whole_json.out);

  // The script does the same in one line.
  const Shell script = sh(std::string(ACCELGEN_SOURCE_DIR_FOR_TESTS) + "/scripts/run_parallel.sh " +
                          spec_.string() + " " + (tmp_ / "script").string() + " -j2");
  EXPECT_EQ(script.exit_code, 0) << script.err;
  EXPECT_EQ(script.out, whole.out);
}

TEST_F(Jobs, AKilledShardIsNamedAndRerunsWithoutDuplicatesOrLosses) {
  if (!have("parallel"))
    GTEST_SKIP() << "GNU parallel is not installed (scripts/setup.sh installs it)";
  const Shell whole = sh(bin() + " jobs run " + spec_.string());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const fs::path dir = tmp_ / "shards";
  ASSERT_EQ(sh(bin() + " jobs emit " + spec_.string() + " -o " + dir.string()).exit_code, 0);
  // Every shard but the last, then the last one killed almost at once (SIGKILL: no clean-up).
  const fs::path cmds = dir / "commands.txt";
  ASSERT_EQ(sh("head -n 3 " + cmds.string() + " | parallel --will-cite -j2").exit_code, 0);
  sh("timeout -s KILL 0.05 bash -c \"$(sed -n 4p " + cmds.string() + ")\"");
  ASSERT_EQ(result_files(dir), 3u)
      << "the killed shard left no result (results are written atomically)";
  const Shell partial = sh(bin() + " jobs merge " + dir.string());
  EXPECT_EQ(partial.exit_code, 1);
  EXPECT_TRUE(partial.out.empty()) << "no table from an incomplete sweep";
  EXPECT_NE(partial.err.find("missing shard noc-lint-"), std::string::npos) << partial.err;
  EXPECT_NE(partial.err.find("rows=3 --set cols=3"), std::string::npos)
      << "names the lost point: " << partial.err;

  // Rerun everything: three shards say they are done already, one computes.
  const Shell rerun = sh("parallel --will-cite -j2 < " + cmds.string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  size_t skipped = 0;
  for (size_t pos = 0; (pos = rerun.out.find("already done", pos)) != std::string::npos; ++pos)
    ++skipped;
  EXPECT_EQ(skipped, 3u) << rerun.out;
  EXPECT_EQ(result_files(dir), 4u);
  const Shell merged = sh(bin() + " jobs merge " + dir.string());
  EXPECT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(merged.out, whole.out);
}

TEST_F(Jobs, AFailedShardIsNamed) {
  const fs::path dir = tmp_ / "shards";
  ASSERT_EQ(sh(bin() + " jobs emit " + spec_.string() + " -o " + dir.string()).exit_code, 0);
  // One shard that failed: its tool could not run (recorded as status "error").
  const std::string first =
      slurp(dir / "commands.txt").substr(0, slurp(dir / "commands.txt").find('\n'));
  ASSERT_EQ(sh(first).exit_code, 0);
  ASSERT_EQ(result_files(dir), 1u);
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("noc-lint-", 0) != 0) continue;
    auto j = nlohmann::json::parse(slurp(e.path()));
    j["status"] = "error";
    j["error"] = "verilator crashed";
    std::ofstream(e.path()) << j.dump();
  }
  const Shell merged = sh(bin() + " jobs merge " + dir.string());
  EXPECT_EQ(merged.exit_code, 1);
  EXPECT_NE(merged.err.find("failed shard noc-lint-"), std::string::npos) << merged.err;
  EXPECT_NE(merged.err.find("verilator crashed"), std::string::npos) << merged.err;
  EXPECT_NE(merged.err.find("4 of 4 shards missing or failed"), std::string::npos) << merged.err;
}

TEST_F(Jobs, SlurmJobArrayOnARealSingleNodeSlurm) {
  const std::string src = ACCELGEN_SOURCE_DIR_FOR_TESTS;
  const fs::path sdir = tmp_ / "slurm";
  const Shell start = sh(src + "/scripts/slurm_local.sh start " + sdir.string());
  if (start.exit_code != 0) {
    sh(src + "/scripts/slurm_local.sh stop " + sdir.string());
    GTEST_SKIP() << start.out;  // one line: why Slurm cannot start on this machine
  }
  const Shell whole = sh(bin() + " jobs run " + spec_.string());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const Shell arr = sh("export SLURM_CONF=" + (sdir / "slurm.conf").string() +
                       " PATH=$PATH:/usr/sbin; timeout 600 " + src + "/scripts/run_slurm.sh " +
                       spec_.string() + " " + (tmp_ / "out").string());
  sh(src + "/scripts/slurm_local.sh stop " + sdir.string());
  EXPECT_EQ(arr.exit_code, 0) << arr.err << slurp(tmp_ / "out" / "sbatch.log");
  EXPECT_EQ(arr.out, whole.out);
  EXPECT_EQ(result_files(tmp_ / "out"), 4u);
}

}  // namespace
}  // namespace accelgen
