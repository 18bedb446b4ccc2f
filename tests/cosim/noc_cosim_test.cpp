// Layer 3 for `noc`: RTL against the golden NoC model, in lockstep, over every traffic kind on
// mesh and AMP networks from 2x2 up: each packet delivered exactly once at its destination, payload
// intact, per-flow order, injection handshakes and delivery cycles equal to the golden prediction.
// Mutations of flow control, arbitration and routing must be caught.
//
// Waveforms: ACCELGEN_TRACE_DIR=/some/dir ctest -R NocCosim writes one FST per test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "tests/cosim/gtkw_check.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  std::vector<std::string> sets;
  uint64_t seed;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string trace_path_for(const std::string& test) {
  const char* dir = std::getenv("ACCELGEN_TRACE_DIR");
  if (!dir || !*dir) return "";
  fs::create_directories(dir);
  return (fs::path(dir) / (test + ".fst")).string();
}

VerifyResult run_case(const std::vector<std::string>& sets, uint64_t seed, const std::string& trace,
                      const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block("noc");
  ParamSet params = resolve_params(info, "", sets, true);
  GeneratedDesign design = generate_design(info, params);
  if (mutate) mutate(design);
  auto model = build_model(design, trace_kind_for(trace));
  return run_testbench(info, params, *model, VerifyOptions{seed, 0, trace, {}, nullptr});
}

class NocCosim : public ::testing::TestWithParam<Case> {};

TEST_P(NocCosim, EveryPacketOnceIntactInOrderAtThePredictedCycle) {
  const Case& c = GetParam();
  VerifyResult r = run_case(c.sets, c.seed, trace_path_for("NocCosim_" + c.name));
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_EQ(r.outputs_checked, r.transactions) << "every created packet is delivered and checked";
  EXPECT_TRUE(r.passed());
}

// Small networks keep Verilation cheap; each configuration is one cached model shared by its cases.
std::vector<Case> scan() {
  const std::vector<std::string> mesh2 = {"rows=2", "cols=2"};
  const std::vector<std::string> mesh4 = {"rows=4", "cols=4", "buffer_depth=2", "flit_bits=16"};
  const std::vector<std::string> amp54 = {"rows=5", "cols=4", "topology=amp", "express_len=2", "buffer_depth=2"};
  const std::vector<std::string> amp43 = {"rows=4", "cols=3", "topology=amp", "express_len=2", "routing=yx",
                                          "buffer_depth=3", "flit_bits=70"};
  const std::vector<std::string> mesh32 = {"rows=3", "cols=2", "buffer_depth=1", "flit_bits=4", "routing=yx"};
  auto with = [](std::vector<std::string> base, std::initializer_list<std::string> more) {
    base.insert(base.end(), more);
    return base;
  };
  std::vector<Case> out;
  uint64_t seed = 100;
  const std::vector<std::pair<std::string, std::vector<std::string>>> nets = {
      {"mesh2x2", mesh2}, {"mesh4x4", mesh4}, {"amp5x4", amp54}, {"amp4x3_yx_f70", amp43}, {"mesh3x2_d1_yx", mesh32}};
  for (const auto& [net, base] : nets) {
    out.push_back({net + "_uniform", with(base, {"traffic=uniform", "injection_rate=20", "cycles=600"}), ++seed});
    out.push_back({net + "_uniform_saturated",
                   with(base, {"traffic=uniform", "injection_rate=100", "source_queue=4", "cycles=600"}), ++seed});
    out.push_back({net + "_transpose", with(base, {"traffic=transpose", "injection_rate=60", "cycles=400"}), ++seed});
    out.push_back({net + "_hotspot", with(base, {"traffic=hotspot", "injection_rate=40", "cycles=400"}), ++seed});
    out.push_back({net + "_neighbour", with(base, {"traffic=neighbour", "injection_rate=90", "cycles=400"}), ++seed});
    out.push_back({net + "_blocked1d_i1",
                   with(base, {"traffic=pipeorgan", "organization=blocked_1d", "interval=1", "cycles=300"}), ++seed});
    out.push_back({net + "_striped_unequal_i2",
                   with(base, {"traffic=pipeorgan", "organization=fine_striped", "allocation=unequal", "interval=2",
                               "cycles=300"}),
                   ++seed});
  }
  // Depth 4, 2-D organizations and skip connections need a few more PEs per layer.
  for (const auto& [net, base] : {nets[1], nets[2], nets[3]}) {
    out.push_back({net + "_blocked2d_d4_skip",
                   with(base, {"traffic=pipeorgan", "organization=blocked_2d", "depth=4", "skip=true", "interval=2",
                               "cycles=300"}),
                   ++seed});
    out.push_back({net + "_checkerboard_d4_unequal",
                   with(base, {"traffic=pipeorgan", "organization=checkerboard", "depth=4", "allocation=unequal",
                               "interval=1", "cycles=300"}),
                   ++seed});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scan, NocCosim, ::testing::ValuesIn(scan()), [](const auto& info) { return info.param.name; });

// The checker must be able to fail: break the RTL on purpose and expect it to be caught.
void replace_all(GeneratedDesign& d, const std::string& pattern, const std::string& with) {
  bool changed = false;
  for (auto& f : d.files) {
    std::string next = std::regex_replace(f.contents, std::regex(pattern), with);
    changed |= next != f.contents;
    f.contents = next;
  }
  ASSERT_TRUE(changed) << "mutation pattern not found: " << pattern;
}

// Runs `config` with every match of `pattern` in the emitted RTL replaced by `with`; the
// co-simulation must report it.
void expect_caught(const std::vector<std::string>& config, std::uint64_t seed, const std::string& pattern,
                   const std::string& with) {
  VerifyResult r = run_case(config, seed, "", [&](GeneratedDesign& d) { replace_all(d, pattern, with); });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

// Small (cheap to Verilate) but with express links, contention and full buffers.
const std::vector<std::string> kMutant = {"rows=3", "cols=3", "topology=amp", "express_len=2", "buffer_depth=2",
                                          "traffic=uniform", "injection_rate=60", "cycles=300"};

TEST(NocCosimMutation, IgnoredBackPressureIsCaught) {
  // A FIFO that always claims room overwrites flits: drops must be reported.
  expect_caught(kMutant, 7, R"(assign ready_o = cnt_q != 2'd2;)", "assign ready_o = 1'b1;");
}

TEST(NocCosimMutation, FixedPriorityInsteadOfRoundRobinIsCaught) {
  // Values and routes stay right; only who goes first changes, so only the cycles can tell.
  expect_caught(kMutant, 7, R"(assign (above\d) = (cand\d) & )", "assign $1 = 9'd0 & $2 & ");
}

TEST(NocCosimMutation, LateExpressRoutingIsCaught) {
  // Express links taken one hop later than specified: every packet still arrives, later.
  expect_caught(kMutant, 7, R"(- my_row_i >= 2'd2)", "- my_row_i > 2'd2");
}

TEST(NocCosimMutation, CorruptedSourceIdIsCaught) {
  // The network stamps node 0's id on node 1's packets.
  const std::string vcd = traced_vcd("noc_corrupted_source");
  VerifyResult r = run_case({"rows=2", "cols=2", "traffic=uniform", "injection_rate=30", "cycles=200"}, 7, vcd,
                            [](GeneratedDesign& d) { replace_all(d, R"(2'd1, inj_data_i\[)", "2'd0, inj_data_i["); });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

// The VC/wormhole router (vcs > 1 or packet_flits > 1): every traffic kind with multi-flit
// packets on small meshes and AMPs; lockstep at flit granularity (every flit once, in order within
// its packet, in the predicted cycle, at its destination, intact).
class NocVcCosim : public ::testing::TestWithParam<Case> {};

TEST_P(NocVcCosim, EveryFlitOnceInOrderAtThePredictedCycle) {
  const Case& c = GetParam();
  VerifyResult r = run_case(c.sets, c.seed, trace_path_for("NocVcCosim_" + c.name));
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_EQ(r.outputs_checked, r.transactions) << "every created packet is delivered and checked";
  EXPECT_EQ(r.details.value("flits_checked", int64_t{0}),
            r.transactions * r.details.value("packet_flits", int64_t{0}));
  EXPECT_TRUE(r.passed());
}

std::vector<Case> vc_scan() {
  // Three Verilated models (the VC router is large; Verilating one takes minutes on a busy machine):
  // two VCs with 4-flit packets; AMP (express links of 2) with two one-slot VCs and 2-flit packets;
  // wormhole without VCs (1 VC, 3-flit packets) under yx routing — also the mutation base.
  const std::vector<std::pair<std::string, std::vector<std::string>>> nets = {
      {"mesh3x3_v2d2k4", {"rows=3", "cols=3", "vcs=2", "vc_depth=2", "packet_flits=4", "flit_bits=16"}},
      {"amp3x3_v2d1k2",
       {"rows=3", "cols=3", "topology=amp", "express_len=2", "vcs=2", "vc_depth=1", "packet_flits=2", "flit_bits=8"}},
      {"mesh2x3_v1d2k3_yx", {"rows=2", "cols=3", "vcs=1", "vc_depth=2", "packet_flits=3", "routing=yx", "flit_bits=4"}}};
  auto with = [](std::vector<std::string> base, std::initializer_list<std::string> more) {
    base.insert(base.end(), more);
    return base;
  };
  std::vector<Case> out;
  uint64_t seed = 500;
  for (const auto& [net, base] : nets) {
    out.push_back({net + "_uniform", with(base, {"traffic=uniform", "injection_rate=30", "cycles=500"}), ++seed});
    out.push_back({net + "_uniform_saturated",
                   with(base, {"traffic=uniform", "injection_rate=100", "source_queue=4", "cycles=500"}), ++seed});
    out.push_back({net + "_transpose", with(base, {"traffic=transpose", "injection_rate=70", "cycles=300"}), ++seed});
    out.push_back({net + "_hotspot", with(base, {"traffic=hotspot", "injection_rate=50", "cycles=300"}), ++seed});
    out.push_back({net + "_neighbour", with(base, {"traffic=neighbour", "injection_rate=100", "cycles=300"}), ++seed});
    out.push_back({net + "_blocked1d_i2",
                   with(base, {"traffic=pipeorgan", "organization=blocked_1d", "interval=2", "cycles=200"}), ++seed});
    out.push_back({net + "_striped_unequal_tiles",
                   with(base, {"traffic=pipeorgan", "organization=fine_striped", "allocation=unequal", "interval=24",
                               "cycles=200", "tile_flits=24"}),  // 24: a multiple of every packet size here
                   ++seed});
  }
  for (const auto& [net, base] : {nets[0], nets[1]}) {
    out.push_back({net + "_blocked2d_d4_skip",
                   with(base, {"traffic=pipeorgan", "organization=blocked_2d", "depth=4", "skip=true", "interval=4",
                               "cycles=200"}),
                   ++seed});
    out.push_back({net + "_checkerboard_d4_unequal",
                   with(base, {"traffic=pipeorgan", "organization=checkerboard", "depth=4", "allocation=unequal",
                               "interval=1", "cycles=200"}),
                   ++seed});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Scan, NocVcCosim, ::testing::ValuesIn(vc_scan()),
                         [](const auto& info) { return info.param.name; });

// The wormhole configuration of the scan (one VC of two slots, 3-flit packets) under heavy load.
const std::vector<std::string> kVcMutant = {"rows=2",          "cols=3",           "vcs=1",      "vc_depth=2",
                                            "packet_flits=3",  "routing=yx",       "flit_bits=4", "traffic=uniform",
                                            "injection_rate=80", "cycles=300"};

TEST(NocVcCosimMutation, ALostCreditIsCaught) {
  // Output E (2) of every router loses the credits of VC 0 that come back: the link runs dry.
  expect_caught(kVcMutant, 9, R"(cred2_0_q <= cred2_0_q \+ 2'd1;)", "cred2_0_q <= cred2_0_q;");
}

TEST(NocVcCosimMutation, AVcSharedByTwoPacketsIsCaught) {
  // VC allocation ignores whether the output VC is held: a second packet is granted a VC that
  // still carries another packet, and their flits interleave in one buffer.
  expect_caught(kVcMutant, 9, R"(assign ok(\d) = ~held\d_q & )", "assign ok$1 = ");
}

TEST(NocVcCosimMutation, FixedPrioritySwitchAllocationIsCaught) {
  // The first iteration's output stage always prefers the lowest input instead of round robin: with
  // one VC per link it decides who goes first, so only the cycles can tell.
  expect_caught(kVcMutant, 9, R"(assign above_win1_(\d) = cand1_\d & )", "assign above_win1_$1 = 5'd0 & ");
}

// Two VCs of one-flit packets (the configuration the saturation target is about), loaded beyond
// saturation so that both switch-allocation iterations and the VC selection matter.
const std::vector<std::string> kVc2 = {"rows=2",          "cols=3",           "vcs=2",      "vc_depth=2",
                                       "flit_bits=4",     "traffic=uniform",  "injection_rate=90", "cycles=400"};

TEST(NocVcCosim, TwoVcsOfOneFlitPacketsBeyondSaturation) {
  VerifyResult r = run_case(kVc2, 21, "");
  EXPECT_EQ(r.mismatches, 0);
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles);
  EXPECT_GT(r.outputs_checked, 1000);
  EXPECT_TRUE(r.passed());
}

TEST(NocVcCosimMutation, ASingleSwitchAllocationIterationIsCaught) {
  // Iteration 2 never matches: inputs whose first pick lost stay idle although another of their VCs
  // could use a free output.
  expect_caught(kVc2, 21, R"(assign fire2_(\d) = \|cand2_\d;)", "assign fire2_$1 = 1'b0;");
}

TEST(NocVcCosimMutation, LowestFreeVcInsteadOfMostCreditsIsCaught) {
  // VC selection takes the lowest free VC with a credit instead of the one with the most credits.
  expect_caught(kVc2, 21, R"(cred(\d)_(\d)_q > best\d\))", "best$1 == 2'd0)");
}

// The smallest network Verilated hierarchically (4x4 mesh, 4 VCs: 320 input VCs; the router is
// built once and instanced 16 times, as for the 8x8 mesh with 8 VCs of the million-cycle
// benchmark), near its saturation: every flit in the predicted cycle.
TEST(NocVcCosim, HierarchicallyVerilatedFourByFourMeshNearSaturation) {
  const std::vector<std::string> sets = {"rows=4",
                                         "cols=4",
                                         "vcs=4",
                                         "vc_depth=2",
                                         "flit_bits=4",
                                         "traffic=uniform",
                                         "injection_rate=45",
                                         "cycles=400"};
  const BlockInfo& info = find_block("noc");
  ASSERT_TRUE(generate_design(info, resolve_params(info, "", sets, true)).verilate_hierarchical);
  VerifyResult r = run_case(sets, 31, "");
  std::string report;
  for (const auto& m : r.first_mismatches) report += "\n  " + m;
  EXPECT_EQ(r.mismatches, 0) << report;
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles);
  EXPECT_GT(r.outputs_checked, 2000);
  EXPECT_EQ(r.outputs_checked, r.transactions);
  EXPECT_TRUE(r.passed());
}

TEST(NocCosimTrace, WritesAnFstWaveform) {
  const fs::path trace = fs::temp_directory_path() / ("accelgen_noc_trace_" + std::to_string(::getpid()) + ".fst");
  VerifyResult r = run_case({"rows=2", "cols=2", "cycles=100"}, 3, trace.string());
  EXPECT_TRUE(r.passed());
  ASSERT_TRUE(fs::exists(trace));
  EXPECT_GT(fs::file_size(trace), 200u);
  fs::remove(trace);
}

}  // namespace
}  // namespace accelgen::sim
