// Layer 3 for `leopard_qk`: RTL against the golden model, every busy cycle of every dot-product
// unit (key index, P_c, M_c, 24-bit score, done, pruned) and every Q handshake, over a deliberate
// scan: both K encodings, B from 1 to 12, the thesis's Fig. 6.3 shape (4 taps, 4-bit sign-magnitude
// K, B = 1), exhaustive 2-tap 4-bit operands, thresholds for 0/50/90/100% and random pruning,
// corner operands (all minimum, all maximum), 24-bit score shifting; plus mutations that must be
// caught (equal pruned, a wrong margin, a lost barrier cycle). Then leopard_vpu and leopard_tile.
//
// Waveforms: ACCELGEN_TRACE_DIR=/some/dir ctest -R LeopardQkCosim writes one FST per test.
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"

namespace accelgen::sim {
namespace {

namespace fs = std::filesystem;

using Case = CosimCase;

VerifyResult run_block(const std::string& block, const std::vector<std::string>& sets, uint64_t seed,
                       int64_t transactions, const std::string& trace,
                       const std::function<void(GeneratedDesign&)>& mutate = {}) {
  return run_cosim(block, sets, seed, trace, transactions, mutate);
}

VerifyResult run_case(const std::vector<std::string>& sets, uint64_t seed, int64_t q_vectors, const std::string& trace,
                      const std::function<void(GeneratedDesign&)>& mutate = {}) {
  return run_block("leopard_qk", sets, seed, q_vectors, trace, mutate);
}

class LeopardQkCosim : public ::testing::TestWithParam<Case> {};

TEST_P(LeopardQkCosim, MatchesGoldenEveryCycle) {
  const Case& c = GetParam();
  VerifyResult r = run_case(c.sets, c.seed, c.transactions, trace_path_for("LeopardQkCosim_" + c.name));
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report_of(r);
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_TRUE(r.passed());
}

// Small on purpose: two cores are shared, and every configuration is one Verilation.
std::vector<Case> scan() {
  const std::vector<std::string> twobit4 = {"taps=2", "q_bits=4", "k_bits=4", "seq_len=256", "n_dpu=3",
                                            "operands=exhaustive"};
  auto with = [](std::vector<std::string> v, std::initializer_list<std::string> more) {
    v.insert(v.end(), more);
    return v;
  };
  return {
      {"fig63_d4_sm_b1", {"taps=4", "q_bits=5", "k_bits=4", "bits_per_cycle=1", "k_encoding=signmag", "n_dpu=2", "seq_len=6"}, 1, 40},
      {"exhaustive_d2_4bit_tc_b1", with(twobit4, {"bits_per_cycle=1", "prune=random"}), 2, 0},
      {"exhaustive_d2_4bit_sm_b2", with(twobit4, {"bits_per_cycle=2", "k_encoding=signmag", "prune=random"}), 3, 0},
      {"exhaustive_d2_4bit_tc_b2_mixed", with(twobit4, {"bits_per_cycle=2"}), 4, 0},
      {"d4_tc_b2_n3", {"taps=4", "n_dpu=3", "seq_len=7"}, 5, 30},
      {"d4_sm_b2_n3", {"taps=4", "n_dpu=3", "seq_len=7", "k_encoding=signmag"}, 6, 30},
      {"d5_tc_b3", {"taps=5", "bits_per_cycle=3", "n_dpu=2", "seq_len=5"}, 7, 25},
      {"d3_sm_b4", {"taps=3", "bits_per_cycle=4", "n_dpu=2", "seq_len=6", "k_encoding=signmag"}, 8, 25},
      {"d3_tc_b6", {"taps=3", "bits_per_cycle=6", "n_dpu=3", "seq_len=9"}, 9, 25},
      {"d3_tc_b12_baseline", {"taps=3", "bits_per_cycle=12", "n_dpu=1", "seq_len=4"}, 10, 25},
      {"d2_sm_b1_n1", {"taps=2", "bits_per_cycle=1", "n_dpu=1", "seq_len=3", "k_encoding=signmag"}, 11, 25},
      {"d1_tc_b1_n2", {"taps=1", "bits_per_cycle=1", "n_dpu=2", "seq_len=5"}, 16, 25},  // found by the soak
      {"d8_tc_min_operands", {"taps=8", "n_dpu=2", "seq_len=4", "operands=min"}, 12, 10},
      {"d8_tc_max_operands", {"taps=8", "n_dpu=2", "seq_len=4", "operands=max"}, 13, 10},
      {"d8_sm_extremes", {"taps=8", "n_dpu=2", "seq_len=4", "operands=extremes", "k_encoding=signmag"}, 14, 15},
      {"d16_tc_n6_score24_shift", {"taps=16", "n_dpu=6", "seq_len=24"}, 15, 15},
  };
}

INSTANTIATE_TEST_SUITE_P(Scan, LeopardQkCosim, ::testing::ValuesIn(scan()),
                         [](const auto& info) { return info.param.name; });

// The checker must be able to fail: break the RTL on purpose and expect it to be caught.
void replace_in(GeneratedDesign& d, const std::string& from, const std::string& to) {
  bool found = false;
  for (auto& f : d.files) {
    auto pos = f.contents.find(from);
    if (pos != std::string::npos) {
      f.contents.replace(pos, from.size(), to);
      found = true;
    }
  }
  ASSERT_TRUE(found) << "mutation anchor '" << from << "' not in the RTL";
}

const std::vector<std::string> kMutationConfig = {"taps=4", "n_dpu=2", "seq_len=6"};

std::vector<std::string> with_prune(std::vector<std::string> sets, const std::string& prune) {
  sets.push_back("prune=" + prune);
  return sets;
}

TEST(LeopardQkCosim, ThesisFigure63OnTheRtl) {
  // Fig. 6.3 (integer-scaled): the RTL's bounds 98, 34, 12, 12 meet Th = 99, 40, 13 in cycles 1,
  // 2, 3 and keep the score at Th = 12 — every cycle's P and M checked against the golden model.
  VerifyResult r = run_case({"taps=4", "q_bits=5", "k_bits=4", "bits_per_cycle=1", "k_encoding=signmag", "n_dpu=2",
                             "seq_len=3", "operands=fig63"},
                            1, 0, trace_path_for("LeopardQkCosim_fig63"));
  EXPECT_TRUE(r.passed()) << report_of(r);
  EXPECT_EQ(r.details["key0_termination_cycles"], nlohmann::json({1, 2, 3, 0}));
  EXPECT_EQ(r.outputs_checked, 12);
}

TEST(LeopardQkCosimMutation, PruningEqualScoresIsCaught) {
  // 0% pruning sets Th to the smallest score: with <= that score would be pruned.
  const std::string vcd = traced_vcd("leopard_qk_pruning_equal");
  VerifyResult r = run_case(with_prune(kMutationConfig, "0"), 1, 5, vcd, [](GeneratedDesign& d) {
    replace_in(d, "$signed(bound) < $signed(th_i)", "$signed(bound) <= $signed(th_i)");
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(LeopardQkCosimMutation, TooSmallMarginIsCaught) {
  // A margin without its last term (S * 2^p instead of S * (2^p - 1)) would still be exact in the
  // end, but terminates at other cycles: the per-cycle M and the termination cycles catch it.
  VerifyResult r = run_case(kMutationConfig, 2, 10, "", [](GeneratedDesign& d) {
    replace_in(d, "(s_sum << rem) - s_sum", "(s_sum << rem) - (s_sum << 1)");
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(LeopardQkCosimMutation, XorMarginOnTwosComplementIsCaught) {
  // The thesis's sign-XOR margin applied to two's-complement K (digest B.3.3(b)) in the first
  // bit-serial cycle, where digit[2] is the K sign bit; later cycles keep the positive-q margin.
  VerifyResult r = run_case(with_prune(kMutationConfig, "random"), 3, 30, "", [](GeneratedDesign& d) {
    replace_in(d, "assign s_term = q_t[11] ? 12'd0 : q_t;",
               "assign s_term = (q_t != 12'd0 && q_t[11] == digit[2]) ? (q_t[11] ? 12'd0 - q_t : q_t) : 12'd0;");
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(LeopardQkCosimMutation, MissingBarrierIsCaught) {
  // Accepting the next Q vector while units are still busy breaks the per-Q barrier timing.
  VerifyResult r = run_case(kMutationConfig, 4, 6, "", [](GeneratedDesign& d) {
    replace_in(d, "assign q_ready_o = !(|busy);", "assign q_ready_o = !(&busy);");
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(LeopardQkCosimTrace, WritesAnFstWaveform) {
  const fs::path trace = fs::temp_directory_path() / ("accelgen_leopard_trace_" + std::to_string(::getpid()) + ".fst");
  VerifyResult r = run_case(kMutationConfig, 3, 3, trace.string());
  EXPECT_TRUE(r.passed());
  ASSERT_TRUE(fs::exists(trace));
  EXPECT_GT(fs::file_size(trace), 200u);
  fs::remove(trace);
}

// ---- leopard_vpu: every beat's handshake cycle, every row result (cycle, lanes, sum, count) and
// the MAC-busy cycle count, over all-pruned rows, 0/50/90/100% pruning, stalls of the ping-pong
// row buffers, driver gaps, LUT saturation and the extreme V values.
class LeopardVpuCosim : public ::testing::TestWithParam<Case> {};

TEST_P(LeopardVpuCosim, MatchesGoldenBitAndCycleExact) {
  const Case& c = GetParam();
  VerifyResult r = run_block("leopard_vpu", c.sets, c.seed, c.transactions, trace_path_for("LeopardVpuCosim_" + c.name));
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report_of(r);
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_TRUE(r.passed());
}

INSTANTIATE_TEST_SUITE_P(
    Scan, LeopardVpuCosim,
    ::testing::Values(Case{"d4_n3_s7", {"taps=4", "n_dpu=3", "seq_len=7"}, 1, 24},
                      Case{"d1_n1_s1_shift0", {"taps=1", "n_dpu=1", "seq_len=1", "exp_shift=0"}, 2, 16},
                      Case{"d3_n2_s16_gaps", {"taps=3", "n_dpu=2", "seq_len=16", "gap_percent=40"}, 3, 24},
                      Case{"d5_v5_shift20_random", {"taps=5", "v_bits=5", "n_dpu=4", "seq_len=12", "exp_shift=20",
                                                    "operands=random"}, 4, 16},
                      Case{"d8_n6_s24_min", {"taps=8", "n_dpu=6", "seq_len=24", "operands=min"}, 5, 8},
                      Case{"d8_n6_s24_max", {"taps=8", "n_dpu=6", "seq_len=24", "operands=max"}, 6, 8},
                      Case{"d4_n2_s8_all_pruned", {"taps=4", "n_dpu=2", "seq_len=8", "prune=100"}, 7, 6}),
    [](const auto& info) { return info.param.name; });

// ---- leopard_tile: Q handshakes, every beat into the V-PU, every row result, MAC-busy cycles.
class LeopardTileCosim : public ::testing::TestWithParam<Case> {};

TEST_P(LeopardTileCosim, MatchesGoldenBitAndCycleExact) {
  const Case& c = GetParam();
  VerifyResult r = run_block("leopard_tile", c.sets, c.seed, c.transactions, trace_path_for("LeopardTileCosim_" + c.name));
  EXPECT_EQ(r.mismatches, 0) << "seed " << c.seed << report_of(r);
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << c.seed;
  EXPECT_GT(r.outputs_checked, 0);
  EXPECT_TRUE(r.passed());
}

INSTANTIATE_TEST_SUITE_P(
    Scan, LeopardTileCosim,
    ::testing::Values(Case{"d4_n3_s7_mixed", {"taps=4", "n_dpu=3", "seq_len=7"}, 1, 20},
                      Case{"d1_n1_s1", {"taps=1", "n_dpu=1", "seq_len=1"}, 2, 12},
                      Case{"d2_n12_s24_stall_rule", {"taps=2", "n_dpu=12", "seq_len=24", "prune=0"}, 3, 12},
                      Case{"d3_n4_s16_random_th", {"taps=3", "n_dpu=4", "seq_len=16", "prune=random"}, 4, 16},
                      Case{"d8_n6_s30_extremes", {"taps=8", "n_dpu=6", "seq_len=30", "operands=extremes"}, 5, 12},
                      Case{"d2_n2_s9_all_pruned", {"taps=2", "n_dpu=2", "seq_len=9", "prune=100"}, 6, 8},
                      Case{"d4_n3_s12_sm_b1", {"taps=4", "n_dpu=3", "seq_len=12", "k_encoding=signmag",
                                               "bits_per_cycle=1"}, 7, 12},
                      Case{"d4_n2_s8_tc_b4", {"taps=4", "n_dpu=2", "seq_len=8", "bits_per_cycle=4"}, 8, 12}),
    [](const auto& info) { return info.param.name; });

TEST(LeopardTileCosimMutation, MissingStallRuleIsCaught) {
  VerifyResult r = run_block("leopard_tile", {"taps=2", "n_dpu=12", "seq_len=24", "prune=0"}, 3, 8, "",
                             [](GeneratedDesign& d) { replace_in(d, "assign gate = inflight <= 2'd1;", "assign gate = 1'b1;"); });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_FALSE(r.passed());
}

TEST(LeopardTileCosimMutation, BrokenMergerIsCaught) {
  // Unit 0 is never granted: its kept scores never reach the V-PU and its rows never end.
  const std::string vcd = traced_vcd("leopard_tile_broken_merger");
  VerifyResult r = run_block("leopard_tile", {"taps=2", "n_dpu=4", "seq_len=16", "prune=0"}, 4, 6, vcd,
                             [](GeneratedDesign& d) {
                               replace_in(d, "if (cand[0]) begin", "if (1'b0) begin");
                             });
  EXPECT_GT(r.mismatches, 0);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(LeopardVpuCosimMutation, WrongSoftmaxEntryIsCaught) {
  // Entry 0 weights the row maximum of every row with a kept score.
  const std::string vcd = traced_vcd("leopard_vpu_softmax_entry");
  VerifyResult r = run_block("leopard_vpu", {"taps=2", "n_dpu=2", "seq_len=6", "exp_shift=0"}, 1, 8, vcd,
                             [](GeneratedDesign& d) { replace_in(d, "= 16'd65535;", "= 16'd65534;"); });
  EXPECT_GT(r.mismatches, 0);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(LeopardVpuCosimMutation, SingleRowBufferIsCaught) {
  // Without the ping-pong buffer the front end would stall one row earlier: cycles change.
  VerifyResult r = run_block("leopard_vpu", {"taps=2", "n_dpu=2", "seq_len=6"}, 2, 8, "", [](GeneratedDesign& d) {
    replace_in(d, "assign s_ready_o = !full_q[wr_q];", "assign s_ready_o = !full_q[wr_q] && !full_q[!wr_q];");
  });
  EXPECT_GT(r.mismatches, 0);
  EXPECT_NE(r.rtl_cycles, r.golden_cycles);
}

}  // namespace
}  // namespace accelgen::sim
