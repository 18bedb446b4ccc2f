// The accelgen binary end to end: help, the generate/lint round trip, and every bad-input path
// (one line on stderr, exit status 2, nothing written).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/process.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = fs::temp_directory_path() / ("accelgen_cli_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void TearDown() override { fs::remove_all(tmp_); }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), ACCELGEN_BINARY);
    return run_process(args);
  }
  // A bad-input run: exit 2, exactly one line naming the problem, and OUT_DIR not created.
  void expect_rejected(const std::vector<std::string>& args, const std::string& fragment,
                       const fs::path& out_dir = {}) {
    ProcessResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_EQ(r.output.rfind("accelgen: error: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << "wanted '" << fragment << "' in: " << r.output;
    if (!out_dir.empty()) {
      EXPECT_FALSE(fs::exists(out_dir)) << out_dir;
    }
    // No temporary directories left beside the target either.
    for (const auto& e : fs::directory_iterator(tmp_))
      EXPECT_EQ(e.path().filename().string().find(".accelgen-tmp"), std::string::npos) << e.path();
  }
  fs::path tmp_;
};

TEST_F(Cli, HelpAndList) {
  ProcessResult r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"list", "generate", "lint", "synth", "verify"}) EXPECT_NE(r.output.find(cmd), std::string::npos);
  r = run({"list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("systolic"), std::string::npos);
  r = run({"verify", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--trace"), std::string::npos);
}

TEST_F(Cli, GenerateWritesManifestAndLintsClean) {
  const fs::path out = tmp_ / "sa";
  ProcessResult r = run({"generate", "systolic", "--set", "rows=3", "--set", "cols=2", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(out / "manifest.json");
  nlohmann::json m = nlohmann::json::parse(in);
  EXPECT_EQ(m["block"], "systolic");
  EXPECT_EQ(m["top"], "systolic_3x2_i8a32");
  EXPECT_EQ(m["params"], (nlohmann::json{{"rows", 3}, {"cols", 2}, {"in_bits", 8}, {"acc_bits", 32}}));
  EXPECT_EQ(m["generator_version"], "0.1.0");
  for (const auto& f : m["files"]) EXPECT_TRUE(fs::exists(out / f.get<std::string>())) << f;
  r = run({"lint", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Regenerating into the same directory (it holds a manifest) is allowed and byte-identical.
  std::stringstream before;
  before << std::ifstream(out / "systolic_3x2_i8a32.sv").rdbuf();
  ASSERT_EQ(run({"generate", "systolic", "--config", (out / "manifest.json").string(), "-o", out.string()}).exit_code, 0);
  std::stringstream after;
  after << std::ifstream(out / "systolic_3x2_i8a32.sv").rdbuf();
  EXPECT_EQ(before.str(), after.str());
}

TEST_F(Cli, BadParametersAreRejected) {
  const fs::path out = tmp_ / "out";
  expect_rejected({"generate", "nosuch", "-o", out.string()}, "unknown block 'nosuch' (known: systolic", out);
  expect_rejected({"generate", "systolic", "--set", "depth=3", "-o", out.string()}, "unknown parameter 'depth'", out);
  expect_rejected({"generate", "systolic", "--set", "rows=0", "-o", out.string()}, "out of range [1, 128]", out);
  expect_rejected({"generate", "systolic", "--set", "rows=abc", "-o", out.string()}, "needs an integer", out);
  expect_rejected({"generate", "systolic", "--set", "rows", "-o", out.string()}, "--set needs KEY=VALUE", out);
  expect_rejected({"generate", "systolic", "--set", "in_bits=16", "--set", "acc_bits=20", "-o", out.string()},
                  "acc_bits = 20 must be at least 2*in_bits = 32", out);
  expect_rejected({"generate", "systolic", "--set", "m=4", "-o", out.string()}, "steers verification only", out);
  expect_rejected({"verify", "systolic", "--set", "cols=999"}, "out of range");
}

TEST_F(Cli, BadConfigFilesAreRejected) {
  const fs::path out = tmp_ / "out";
  std::ofstream(tmp_ / "broken.json") << "{\"rows\": 4,,}";
  expect_rejected({"generate", "systolic", "--config", (tmp_ / "broken.json").string(), "-o", out.string()},
                  "malformed JSON", out);
  std::ofstream(tmp_ / "typed.json") << "{\"rows\": true}";
  expect_rejected({"generate", "systolic", "--config", (tmp_ / "typed.json").string(), "-o", out.string()},
                  "parameter 'rows' needs an integer", out);
  expect_rejected({"generate", "systolic", "--config", (tmp_ / "missing.json").string(), "-o", out.string()},
                  "cannot read config file", out);
}

TEST_F(Cli, BadOutputDirectoriesAreRejected) {
  std::ofstream(tmp_ / "plainfile") << "x";
  expect_rejected({"generate", "systolic", "-o", (tmp_ / "plainfile" / "sub").string()}, "cannot write output directory");
  expect_rejected({"generate", "systolic", "-o", (tmp_ / "plainfile").string()}, "exists and is not a directory");
  fs::create_directories(tmp_ / "precious");
  std::ofstream(tmp_ / "precious" / "notes.txt") << "mine";
  expect_rejected({"generate", "systolic", "-o", (tmp_ / "precious").string()}, "refusing to overwrite");
  EXPECT_TRUE(fs::exists(tmp_ / "precious" / "notes.txt"));
}

TEST_F(Cli, BadUsageIsRejected) {
  expect_rejected({}, "accelgen --help");
  expect_rejected({"frobnicate"}, "accelgen --help");
  expect_rejected({"generate", "systolic"}, "--out is required");
  expect_rejected({"verify", "systolic", "--transactions", "-3"}, "--transactions");
  expect_rejected({"verify", "systolic", "--trace", (tmp_ / "wave.txt").string()}, "must end in .fst or .vcd");
  expect_rejected({"lint", tmp_.string()}, "holds no manifest.json");
  expect_rejected({"synth", (tmp_ / "nowhere").string()}, "holds no manifest.json");
}

TEST_F(Cli, MissingToolsAreNamed) {
  const fs::path out = tmp_ / "sa";
  ASSERT_EQ(run({"generate", "systolic", "--set", "rows=2", "--set", "cols=2", "-o", out.string()}).exit_code, 0);
  for (std::vector<std::string> cmd : {std::vector<std::string>{"lint"}, {"synth", "--generic"}, {"synth"}}) {
    std::vector<std::string> argv = {"/usr/bin/env", "PATH=" + (tmp_ / "empty").string(), ACCELGEN_BINARY};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    argv.push_back(out.string());
    ProcessResult r = run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    // The standard-cell flow looks for OpenSTA first and names its Debian package.
    const char* wanted = cmd.size() == 1 && cmd[0] == "synth" ? "install the Debian package opensta"
                                                              : "not found on PATH (run scripts/setup.sh to install it)";
    EXPECT_NE(r.output.find(wanted), std::string::npos) << r.output;
  }
  // A missing liberty file or STA binary named explicitly: one line naming the package, exit 2.
  const std::vector<std::pair<std::string, std::string>> missing = {
      {"ACCELGEN_LIBERTY=" + (tmp_ / "none.lib").string(), "install the Debian package qflow-tech-osu018"},
      {"ACCELGEN_STA=" + (tmp_ / "bin" / "sta").string(), "install the Debian package opensta"}};
  for (const auto& [env, wanted] : missing) {
    ProcessResult r = run_process({"/usr/bin/env", env, ACCELGEN_BINARY, "synth", out.string()});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find(wanted), std::string::npos) << r.output;
  }
  expect_rejected({"synth", out.string(), "--liberty", (tmp_ / "x.lib").string()}, "qflow-tech-osu018");
  expect_rejected({"synth", out.string(), "--activity", "often"}, "--activity must be 'sim' or a rate");
}

TEST_F(Cli, NocVcDeadlockAndBadTrafficAreRefused) {
  // The VC-granularity dependency check names the cycle VC by VC; nothing is written.
  expect_rejected({"generate", "noc", "--set", "routing=xy_yx", "--set", "vcs=2", "--set", "packet_flits=4", "-o",
                   (tmp_ / "bad").string()},
                  ".vc", tmp_ / "bad");
  expect_rejected({"generate", "noc", "--set", "topology=amp", "--set", "rows=8", "--set", "cols=8", "--set",
                   "routing=xy_yx", "--set", "vcs=4", "-o", (tmp_ / "bad").string()},
                  "channel dependency graph has a cycle (", tmp_ / "bad");
  // Bad traffic parameters: one line, exit 2.
  expect_rejected({"verify", "noc", "--set", "packet_flits=4", "--set", "traffic=pipeorgan", "--set", "tile_flits=6"},
                  "tile_flits = 6 is not a multiple of packet_flits = 4");
  expect_rejected({"verify", "noc", "--set", "packet_flits=2", "--set", "tile_flits=4"}, "applies to traffic=pipeorgan");
  expect_rejected({"verify", "noc", "--set", "vcs=9"}, "vcs");
  expect_rejected({"verify", "noc", "--set", "topology=amp", "--set", "vcs=8"}, "at most 64 (vcs <= 7)");
  expect_rejected({"verify", "noc", "--set", "packet_flits=0"}, "packet_flits");
  expect_rejected({"flow", "noc-sweep", "--vcs", "1,9"}, "--vcs");
}

TEST_F(Cli, NocDeadlockingRoutingIsRefusedAndFlowRuns) {
  // The generator's channel-dependency check: a cyclic routing is bad input (exit 2), nothing written.
  expect_rejected({"generate", "noc", "--set", "routing=xy_yx", "-o", (tmp_ / "bad").string()},
                  "channel dependency graph has a cycle", tmp_ / "bad");
  expect_rejected({"verify", "noc", "--set", "traffic=pipeorgan", "--set", "skip=true"}, "skip=true needs depth >= 3");
  // verify end to end through the binary (the 2x2 model is shared with the co-simulation scan).
  {
    ProcessResult v = run({"verify", "noc", "--set", "rows=2", "--set", "cols=2", "--set", "traffic=hotspot", "--set",
                           "injection_rate=50", "--seed", "9", "--json"});
    EXPECT_EQ(v.exit_code, 0) << v.output;
    std::string out = v.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    nlohmann::json j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << v.output;
    EXPECT_EQ(j["block"], "noc");
    EXPECT_EQ(j["mismatches"], 0);
    EXPECT_EQ(j["rtl_cycles"], j["golden_cycles"]);
    EXPECT_GT(j["transactions"].get<int64_t>(), 100);
    EXPECT_EQ(j["details"]["traffic"], "hotspot");
    EXPECT_EQ(j["passed"], true);
  }
  // `list` names the block and the flow.
  ProcessResult r = run({"list"});
  EXPECT_NE(r.output.find("noc "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("noc-sweep"), std::string::npos) << r.output;
  // The flow end to end on a small study: tables, CSVs and gnuplot scripts.
  r = run({"flow", "noc-sweep", "-o", (tmp_ / "sweep").string(), "--rows", "4", "--cols", "4", "--rates",
                         "10,50", "--cycles", "500", "--warmup", "100", "--fig15-size", "8", "--max-interval", "3",
                         "--rounds", "4", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PipeOrgan Fig. 15"), std::string::npos) << r.output;
  for (const char* f : {"noc_latency.csv", "noc_fig15.csv", "noc_latency.gp", "noc_fig15.gp"})
    EXPECT_TRUE(fs::exists(tmp_ / "sweep" / f)) << f;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  nlohmann::json j = nlohmann::json::parse(out.substr(out.rfind('\n') + 1), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output;
  EXPECT_EQ(j["latency"].size(), 4u);          // 2 rates x mesh, AMP
  EXPECT_EQ(j["fig15"].size(), 2u * 3u * 3u);  // allocations x cases x intervals
  EXPECT_EQ(j["passed"], true);
}

}  // namespace
}  // namespace accelgen

namespace accelgen {
namespace {

TEST_F(Cli, LeopardFlowPrintsTheSpeedupTableAndJson) {
  const fs::path csv = tmp_ / "leopard.csv";
  ProcessResult r = run({"flow", "leopard", "--seq-len", "24", "--taps", "4", "--rates", "0,90", "--json", "--csv",
                         csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("speedup"), std::string::npos) << r.output;
  const std::string last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
  nlohmann::json j = nlohmann::json::parse(last);
  EXPECT_EQ(j["flow"], "leopard");
  ASSERT_EQ(j["rows"].size(), 4u);  // 2 rates x N in {6, 8}
  EXPECT_GT(j["rows"][2]["speedup"].get<double>(), 1.0);
  EXPECT_TRUE(fs::exists(csv));
  r = run({"list"});
  EXPECT_NE(r.output.find("leopard_qk"), std::string::npos);
  {
    // The flow is listed, its description aligned with the longest flow name's column.
    const size_t at = r.output.find("\nleopard ");
    ASSERT_NE(at, std::string::npos) << r.output;
    EXPECT_EQ(r.output.compare(at + 1 + 16, 12, "LeOPArd tile"), 0) << r.output;  // "planaria-tables" + 1
  }
  EXPECT_EQ(r.output.find("none yet"), std::string::npos) << r.output;
  expect_rejected({"flow", "leopard", "--rates", "150"}, "must be a percentage");
}

}  // namespace
}  // namespace accelgen

namespace accelgen {
namespace {

// `accelgen run-tasm`: a small program on golden and RTL (lanes 4, the configuration the tandem
// co-simulation tests also build), then the bad-input paths.
constexpr const char* kTasmConfig[] = {"--set", "lanes=4", "--set", "interim_depth=32", "--set", "imem_depth=512"};

// 11 issue slots: 6 setup words, 4 body instances, 1 sync; the last slot is in F in cycle 11 and
// the pipeline drains 6 cycles later (golden_model/README.md, tandem timing): done in cycle 17.
constexpr const char* kGoodTasm = R"(# rows 0..3 of vmem2 = 5 + 5 in every lane
      imm.sext imm[0], 5
      iter.base_zext vmem2[0], 0
      iter.stride_zext vmem2[1], 1
      loop.set_iter 0, 4
      loop.set_index vmem2[1], vmem2[1], vmem2[1]
      loop.set_num_inst 1
      add vmem2[0], imm[0], imm[0]
      sync.tandem.end.exec 3
)";

TEST_F(Cli, RunTasmAgreesOnGoldenAndRtl) {
  const fs::path prog = tmp_ / "good.tasm";
  std::ofstream(prog) << kGoodTasm;
  std::vector<std::string> args = {"run-tasm", prog.string()};
  args.insert(args.end(), std::begin(kTasmConfig), std::end(kTasmConfig));
  args.insert(args.end(), {"--dump", "vmem2:0-4", "--json"});
  ProcessResult r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("AGREE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    3: 10 10 10 10\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    4: 0 0 0 0\n"), std::string::npos) << r.output;
  const std::string last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
  nlohmann::json j = nlohmann::json::parse(last);
  EXPECT_EQ(j["golden_cycles"], 17);
  EXPECT_EQ(j["rtl_cycles"], 17);
  EXPECT_EQ(j["commits"], 4);
  EXPECT_EQ(j["syncs"], 1);
  EXPECT_EQ(j["mismatches"], 0);
  EXPECT_EQ(j["passed"], true);

  // Golden only: no Verilator, same cycle count.
  args = {"run-tasm", prog.string(), "--golden-only", "--set", "lanes=4"};
  r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("golden: done in cycle 17, 4 commits, 1 sync events"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("rtl:"), std::string::npos) << r.output;
}

TEST_F(Cli, RunTasmLoadsBuffersAndDram) {
  // Row 2 of vmem1 comes from --buffer (line 3; the comment line is row 1, all zeros); DRAM words
  // 0..3 come from --dram and an 8-bit load takes their low bytes, sign-extended, into vmem2 row 1.
  const fs::path prog = tmp_ / "load.tasm", buf = tmp_ / "vmem1.txt", dram = tmp_ / "dram.txt";
  std::ofstream(prog) << "iter.base_zext vmem1[1], 2\nadd obuf[0], vmem1[1], imm[0]\n"
                         "ld.tile_addr lo, vmem2, 0x1\nld.tile_iter vmem2, 7, 4\nld.tile_stride lo, vmem2, 7, 0x1\n"
                         "ld.start vmem2, 3, 4\n";
  std::ofstream(buf) << "9 9 9 9\n# row 1\n-1 0x7fffffff 3\n";
  std::ofstream(dram) << "0x17f 0x80 -1 0x1234  # low bytes 127, -128, -1, 52\n";
  std::vector<std::string> args = {"run-tasm", prog.string(), "--buffer", "vmem1:" + buf.string(), "--dram",
                                   dram.string(), "--dump", "obuf:0", "--dump", "vmem2:1"};
  args.insert(args.end(), std::begin(kTasmConfig), std::end(kTasmConfig));
  ProcessResult r = run(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("AGREE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    0: -1 2147483647 3 0\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    1: 127 -128 -1 52\n"), std::string::npos) << r.output;
}

TEST_F(Cli, RunTasmRejectsBadPrograms) {
  const fs::path bad = tmp_ / "bad.tasm";
  std::ofstream(bad) << "imm.sext imm[0], 5\n\n  add vmem1[0], vmem9[0], imm[0]\n";
  expect_rejected({"run-tasm", bad.string(), "--golden-only"}, bad.string() + ":3:");
  // Legal words, but the second add reads the row the first writes one cycle earlier.
  const fs::path hazard = tmp_ / "hazard.tasm";
  std::ofstream(hazard) << "add vmem1[0], vmem2[0], imm[0]\nadd vmem2[0], vmem1[0], imm[0]\n";
  expect_rejected({"run-tasm", hazard.string(), "--golden-only"}, "spacing rule");
  const fs::path good = tmp_ / "good.tasm";
  std::ofstream(good) << kGoodTasm;
  expect_rejected({"run-tasm", good.string(), "--golden-only", "--dump", "vmem7:0-2"}, "--dump 'vmem7:0-2'");
  expect_rejected({"run-tasm", good.string(), "--golden-only", "--dump", "vmem1:5-600"}, "--dump 'vmem1:5-600'");
  expect_rejected({"run-tasm", (tmp_ / "missing.tasm").string()}, "cannot read");
  const fs::path dram = tmp_ / "dram.txt";
  std::ofstream(dram) << "1 2 0x10\n-4 seven\n";
  expect_rejected({"run-tasm", good.string(), "--golden-only", "--dram", dram.string()}, dram.string() + ":2: 'seven'");
}

TEST_F(Cli, TandemOpsFlowEmitsProgramsThatRunTasmRuns) {
  const fs::path dir = tmp_ / "ops";
  ProcessResult r = run({"flow", "tandem-ops", "--lanes", "4", "--depth", "64", "--emit", dir.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
  const nlohmann::json j = nlohmann::json::parse(last);
  ASSERT_EQ(j["rows"].size(), 16u);
  for (const auto& row : j["rows"]) {
    const std::string op = row["operator"];
    ASSERT_TRUE(fs::exists(dir / (op + ".tasm"))) << op;
    ASSERT_TRUE(fs::exists(dir / (op + ".dram"))) << op;
  }
  // The emitted Softmax program, run from its files, takes the cycles the flow measured.
  const auto& softmax = *std::find_if(j["rows"].begin(), j["rows"].end(),
                                      [](const auto& row) { return row["operator"] == "Softmax"; });
  r = run({"run-tasm", (dir / "Softmax.tasm").string(), "--dram", (dir / "Softmax.dram").string(), "--golden-only",
           "--set", "lanes=4", "--set", "interim_depth=64", "--set", "imem_depth=4096", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string run_last = r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1);
  EXPECT_EQ(nlohmann::json::parse(run_last)["golden_cycles"], softmax["cycles"]) << r.output;
  expect_rejected({"flow", "tandem-ops", "--lanes", "0"}, "--lanes");
}

}  // namespace
}  // namespace accelgen

namespace accelgen {
namespace {

// `accelgen flow planaria-tables` and `planaria-sched`: tables, JSON, determinism, bad input.
TEST_F(Cli, PlanariaFlowsPrintTablesScheduleDeterministicallyAndRejectBadInput) {
  ProcessResult r = run({"flow", "planaria-tables", "--model", "mobilenet_v1,resnet50", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1));
  ASSERT_EQ(j["networks"].size(), 2u);
  EXPECT_GT(j["networks"][0]["speedup"].get<double>(), 4.0);  // depthwise: (32x32)-16 pays off
  EXPECT_GE(j["networks"][1]["speedup"].get<double>(), 1.0);
  r = run({"flow", "planaria-tables", "--layers", "mobilenet_v1", "--n", "6"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("-6"), std::string::npos) << r.output;  // a six-cluster configuration is chosen

  const std::vector<std::string> sched{"flow", "planaria-sched", "--mix", "B", "--qos", "S", "--rates", "20,200",
                                       "--tasks", "12", "--workloads", "2", "--seed", "5", "--json"};
  r = run(sched);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1));
  ASSERT_EQ(j["summary"].size(), 1u);
  EXPECT_EQ(j["isolated"].size(), 4u);
  EXPECT_GT(j["events"].get<int64_t>(), 0);
  EXPECT_EQ(run(sched).output, r.output) << "same seed, same output";
  // -o draws one panel per simulated (mix, QoS) pair: with only B/S the plot has one panel and
  // gnuplot (when installed) renders it, rather than failing on empty A and C panels.
  const fs::path curves = tmp_ / "curves";
  std::vector<std::string> with_out(sched.begin(), sched.end() - 1);
  with_out.insert(with_out.end(), {"-o", curves.string()});
  r = run(with_out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream gp(curves / "planaria_sched.gp");
  const std::string script((std::istreambuf_iterator<char>(gp)), std::istreambuf_iterator<char>());
  EXPECT_NE(script.find("layout 1,1"), std::string::npos) << script;
  EXPECT_NE(script.find("workload B, QoS-S"), std::string::npos) << script;
  EXPECT_EQ(script.find("workload A"), std::string::npos) << script;

  expect_rejected({"flow", "planaria-tables", "--subarrays", "12"}, "power of two");
  expect_rejected({"flow", "planaria-tables", "--model", "nonet"}, "unknown model");
  expect_rejected({"flow", "planaria-tables", "--tech", "nowhere.json"}, "nowhere.json");
  expect_rejected({"flow", "planaria-tables", "--layers", "resnet50", "--n", "32"}, "exceeds");
  expect_rejected({"flow", "planaria-sched", "--rates", "-3"}, "must be > 0");
  expect_rejected({"flow", "planaria-sched", "--mix", "D"}, "--mix");
  // Unknown configurations and allocations beyond the array, for the flows and for verify.
  expect_rejected({"flow", "planaria-sched", "--subarrays", "6"}, "power of two");
  expect_rejected({"flow", "planaria-tables", "--layers", "mobilenet_v1", "--n", "17"}, "exceeds");
  expect_rejected({"verify", "planaria", "--set", "fission=bogus"}, "fission");
  expect_rejected({"verify", "planaria", "--set", "fission=65x128x2"}, "unknown fission configuration");
  expect_rejected({"verify", "planaria", "--set", "fission=256x256x1"}, "allocation beyond the array");
  expect_rejected({"verify", "planaria", "--set", "sub_rows=4", "--set", "sub_cols=4", "--set", "fission=64x64x1"},
                  "allocation beyond the array");
}

// `flow planaria-sched --workload FILE`: a JSON workload runs deterministically, and every malformed
// file is one line and exit 2.
TEST_F(Cli, PlanariaSchedRunsWorkloadFilesAndRejectsMalformedOnes) {
  auto write = [&](const std::string& name, const std::string& text) {
    const fs::path p = tmp_ / name;
    std::ofstream(p) << text;
    return p.string();
  };
  const std::string good = write("w.json", R"({"name": "pair", "tasks": [
      {"network": "mobilenet_v1", "priority": 9, "qos": "M", "rate_qps": 400, "count": 8},
      {"network": "tiny_yolo_v2", "priority": 2, "qos_ms": 40, "arrivals_ms": [0, 0.5, 30]}]})");
  const std::vector<std::string> cmd{"flow", "planaria-sched", "--workload", good, "--workloads", "2", "--json"};
  ProcessResult r = run(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output.substr(r.output.rfind('\n', r.output.size() - 2) + 1));
  EXPECT_EQ(j["workload"], "pair");
  ASSERT_EQ(j["streams"].size(), 2u);
  EXPECT_EQ(j["streams"][0]["tasks"], 8);
  EXPECT_EQ(j["streams"][1]["tasks"], 3);
  EXPECT_DOUBLE_EQ(j["streams"][0]["qos_ms"].get<double>(), 2.5);  // MobileNet 10 ms / 4
  EXPECT_GT(j["events"].get<int64_t>(), 0);
  EXPECT_EQ(run(cmd).output, r.output) << "same seed, same output";
  const std::string csv = (tmp_ / "w.csv").string();
  r = run({"flow", "planaria-sched", "--workload", good, "--csv", csv});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(csv));

  expect_rejected({"flow", "planaria-sched", "--workload", (tmp_ / "none.json").string()}, "no such file");
  expect_rejected({"flow", "planaria-sched", "--workload", write("a.json", "{\"tasks\": [")}, "not valid JSON");
  expect_rejected({"flow", "planaria-sched", "--workload", write("b.json", "[1, 2]")}, "JSON object");
  expect_rejected({"flow", "planaria-sched", "--workload", write("c.json", R"({"tasks": [{"network": "nonet",
      "priority": 1, "arrivals_ms": [0]}]})")},
                  "unknown model 'nonet'");
  expect_rejected({"flow", "planaria-sched", "--workload", write("d.json", R"({"tasks": [{"network": "gnmt",
      "priority": 0, "arrivals_ms": [0]}]})")},
                  "tasks[0]: priority");
  expect_rejected({"flow", "planaria-sched", "--workload", write("e.json", R"({"tasks": [{"network": "gnmt",
      "priority": 1, "rate_qps": -1, "count": 3}]})")},
                  "rate_qps");
  expect_rejected({"flow", "planaria-sched", "--workload", write("f.json", R"({"tasks": [{"network": "gnmt",
      "priority": 1, "arrivals_ms": [0]}, {"network": "gnmt", "priority": 1}]})")},
                  "tasks[1]");
  expect_rejected({"flow", "planaria-sched", "--workload", write("g.json", "{\"tasks\": [{\"network\": \"a\nb\"}]}")},
                  "not valid JSON");
  expect_rejected({"flow", "planaria-sched", "--workload", good, "--mix", "A"}, "excludes");
  expect_rejected({"flow", "planaria-sched", "--workload", good, "-o", (tmp_ / "o").string()}, "not with --workload",
                  tmp_ / "o");
}

}  // namespace
}  // namespace accelgen

namespace accelgen {
namespace {

// `accelgen tech`: presets listed, shown with sources, printed in the file format that --tech reads
// back, and bad tables rejected in one line.
TEST_F(Cli, TechTablesListShowRoundTripAndRejectBadFiles) {
  ProcessResult r = run({"tech", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* p : {"nn_baton_16nm", "cocco_12nm", "planaria_45nm", "pipeorgan"})
    EXPECT_NE(r.output.find(p), std::string::npos) << p;
  r = run({"tech", "show", "nn_baton_16nm"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("NN-Baton Table I: DRAM 8.75 pJ/bit"), std::string::npos) << r.output;
  r = run({"tech", "show", "cocco_12nm", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output);
  j["name"] = "edited";
  j["dram_pj_per_bit"]["value"] = 3.5;
  const fs::path file = tmp_ / "edited.json";
  std::ofstream(file) << j.dump();
  r = run({"tech", "show", file.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(r.output)["dram_pj_per_bit"]["value"].get<double>(), 3.5);
  // A flow reads the same file.
  r = run({"flow", "planaria-tables", "--model", "tiny_yolo_v2", "--tech", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  j.erase("mac_pj");
  std::ofstream(file) << j.dump();
  expect_rejected({"tech", "show", file.string()}, "missing \"mac_pj\"");
  expect_rejected({"tech", "show", "no_such_preset"}, "unknown technology preset");
  std::ofstream(file) << "{";
  expect_rejected({"tech", "show", file.string()}, "not valid JSON");
}

// region_manager (issue 15): bad parameters give one line and exit 2, before anything is written.
TEST_F(Cli, RegionManagerBadParameters) {
  const fs::path out = tmp_ / "rm";
  const std::string o = out.string();
  expect_rejected({"generate", "region_manager", "--set", "addr_bits=4", "--set", "capacity_words=17", "-o", o},
                  "capacity_words = 17 exceeds 2^addr_bits = 16", out);
  expect_rejected({"generate", "region_manager", "--set", "regions=0", "-o", o}, "'regions' = 0", out);
  expect_rejected({"generate", "region_manager", "--set", "regions=257", "-o", o}, "'regions' = 257", out);
  expect_rejected({"generate", "region_manager", "--set", "addr_bits=25", "-o", o}, "'addr_bits' = 25", out);
  expect_rejected({"generate", "region_manager", "--set", "word_bits=12", "-o", o}, "multiple of 8", out);
  expect_rejected({"generate", "region_manager", "--set", "stream=random", "-o", o}, "verification only", out);
  expect_rejected({"verify", "region_manager", "--set", "stream=bogus"}, "'stream' = 'bogus'");
}

// A flow's -o that cannot be a directory fails at once, in one line, before the (long) run prints
// anything: noc-sweep, nn-baton explore, planaria-sched and cvu-dse create it first.
TEST_F(Cli, FlowOutputDirectoryThatCannotBeCreatedFailsFirst) {
  const fs::path file = tmp_ / "a_file";
  std::ofstream(file) << "x";
  const std::string bad = (file / "out").string();
  expect_rejected({"flow", "noc-sweep", "--no-fig15", "--cycles", "3000", "--warmup", "100", "--rates", "10", "-o", bad},
                  "cannot create");
  expect_rejected({"flow", "nn-baton", "explore", "--model", "resnet50", "--macs", "1024", "--area-mm2", "10", "-o", bad},
                  "cannot create");
  expect_rejected({"flow", "planaria-sched", "--mix", "B", "--qos", "S", "--rates", "20", "-o", bad}, "cannot create");
  expect_rejected({"flow", "cvu-dse", "--throughput-only", "-o", bad}, "cannot create");
}

// `synth --row` (scripts/ppa_table.sh) prints one Markdown row of the PPA table with the README's 11
// columns, and names ABC's fast script in the block column when it was used.
TEST_F(Cli, SynthRowIsOneTableRowNamingTheFastScript) {
  const fs::path out = tmp_ / "sa";
  ASSERT_EQ(run({"generate", "systolic", "--set", "rows=2", "--set", "cols=2", "-o", out.string()}).exit_code, 0);
  for (const bool fast : {false, true}) {
    std::vector<std::string> cmd = {"synth", out.string(), "--row", "--activity", "0.1"};
    if (fast) cmd.push_back("--abc-fast");
    ProcessResult r = run(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string row = r.output.substr(0, r.output.find('\n'));
    EXPECT_EQ(std::count(row.begin(), row.end(), '|'), 12) << row;
    EXPECT_EQ(row.rfind(fast ? "| `systolic` (`--abc-fast`) | acc_bits=32 cols=2" : "| `systolic` | acc_bits=32 cols=2", 0), 0u)
        << row;
  }
}

}  // namespace
}  // namespace accelgen
