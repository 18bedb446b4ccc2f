// Layer 3 for `cvu`: RTL against the golden model — exhaustive where the space allows (every
// 8b x 8b pair through an L = 1 unit in every mode; every 4-bit two-element vector pair through a
// B = 4, b = 2, L = 2 unit), seeded random and corner operands for full-size units with the mode
// changing every cycle, unsigned and other slice widths, driver gaps; plus a mutation.
#include <unistd.h>

#include <set>

#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"

namespace accelgen::sim {
namespace {

class CvuCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(CvuCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  expect_exact(run_cosim("cvu", c.sets, c.seed, trace_path_for("CvuCosim_" + c.name)), c.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, CvuCosim,
    ::testing::Values(
        CosimCase{"L1_all_8bit_pairs_every_mode", {"lanes=1", "operands=exhaustive"}, 1},
        CosimCase{"B4_L2_all_4bit_vector_pairs", {"max_bits=4", "lanes=2", "operands=exhaustive"}, 1},
        CosimCase{"B4_L2_unsigned_exhaustive", {"max_bits=4", "lanes=2", "signed=false", "operands=exhaustive"}, 1},
        CosimCase{"L16_mixed_modes", {"lanes=16"}, 31},
        CosimCase{"L16_all_min", {"lanes=16", "operands=min"}, 32},
        CosimCase{"L16_all_max", {"lanes=16", "operands=max"}, 33},
        CosimCase{"L16_unsigned", {"lanes=16", "signed=false"}, 34},
        CosimCase{"b1_B8_L4_gaps", {"slice_bits=1", "lanes=4", "gap_percent=30"}, 35},
        CosimCase{"b4_B16_L3", {"slice_bits=4", "max_bits=16", "lanes=3"}, 36},
        CosimCase{"L16_8x2_only", {"lanes=16", "bx=8", "bw=2", "operands=extremes"}, 37}),
    [](const auto& info) { return info.param.name; });

TEST(CvuCosimMutation, WrongShiftIsCaught) {
  // Shift every NBVE by b(j+k)/2 instead of b(j+k): only multi-slice modes can catch it, and must.
  VerifyResult r = run_cosim("cvu", {"lanes=2"}, 9, "", 0, mutation("<< (2*(", "<< (1*("));
  EXPECT_GT(r.mismatches, 0);
}

// Testbenches report per output, not in time order: the marker goes to the earliest cycle named.
TEST(VerifyResultReport, MarksTheEarliestCycleNotTheFirstReported) {
  VerifyResult r;
  r.report("cycle 7: late output");
  EXPECT_EQ(r.first_mismatch_cycle, -1) << "no cycle named yet";
  r.report("cycle 7: late output", 7);
  r.report("cycle 3: early output", 3);
  r.report("cycle 5: another", 5);
  r.report("end state");
  EXPECT_EQ(r.first_mismatch_cycle, 3);
  EXPECT_EQ(r.first_mismatch_time, trace_time_of_cycle(3));
  EXPECT_EQ(r.mismatches, 5);
  EXPECT_EQ(r.first_mismatches.size(), 5u);
}

TEST(CvuCosimMutation, UncomplementedClassCountIsCaught) {
  // L = 3 counts a negatable class's bits as one 2-bit number (C = 3 lanes); forgetting to
  // complement the count of a negative class must be caught.
  VerifyResult r = run_cosim("cvu", {"lanes=3"}, 10, "", 0, mutation("^ {2{x_top_i}}", "^ {2{1'b0}}"));
  EXPECT_GT(r.mismatches, 0);
}

// --trace writes a gtkwave save file beside the waveform: every port of the top module, grouped as
// inputs and outputs, under the names the waveform has, and a marker at the first mismatch
// (checked against the waveform itself by expect_gtkw_marks_first_mismatch).
TEST(CvuCosimMutation, TraceSaveFileGroupsThePortsAndMarksTheFirstMismatch) {
  const std::string vcd = traced_vcd("cvu_wrong_shift");
  VerifyResult r = run_cosim("cvu", {"lanes=1", "max_bits=4"}, 9, vcd, 0, mutation("<< (2*(", "<< (1*("));
  ASSERT_GT(r.mismatches, 0);
  std::filesystem::path gtkw(vcd);
  ASSERT_EQ(r.gtkw, gtkw.replace_extension(".gtkw").string());
  EXPECT_EQ(r.first_mismatches[0].rfind("cycle " + std::to_string(r.first_mismatch_cycle) + ":", 0), 0u)
      << r.first_mismatches[0];
  expect_gtkw_marks_first_mismatch(r, vcd);

  const GtkwFile g = read_gtkw(r.gtkw);
  EXPECT_EQ(g.groups, (std::vector<std::string>{"Inputs", "Inputs", "Outputs", "Outputs"}));
  const std::string top = "TOP.cvu_b2_B4_L1_s.";
  const std::vector<std::string> expected = {top + "clk_i",       top + "rst_ni",     top + "in_valid_i",
                                             top + "mode_x_i",    top + "mode_w_i",   top + "x_i[7:0]",
                                             top + "w_i[7:0]",    top + "out_valid_o", top + "out_o[7:0]"};
  EXPECT_EQ(g.signals, expected);
  const VcdFile v = read_vcd(vcd);
  const std::set<std::string> names(v.names.begin(), v.names.end());
  for (const auto& sig : g.signals) EXPECT_TRUE(names.count(sig)) << sig << " is not in the waveform";
  remove_trace(vcd);
}

}  // namespace
}  // namespace accelgen::sim
