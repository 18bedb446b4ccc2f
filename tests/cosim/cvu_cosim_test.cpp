// Layer 3 for `cvu`: RTL against the golden model — exhaustive where the space allows (every
// 8b x 8b pair through an L = 1 unit in every mode; every 4-bit two-element vector pair through a
// B = 4, b = 2, L = 2 unit), seeded random and corner operands for full-size units with the mode
// changing every cycle, unsigned and other slice widths, driver gaps; plus a mutation.
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/cosim/cosim_case.hpp"

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

TEST(CvuCosimMutation, UncomplementedClassCountIsCaught) {
  // L = 3 counts a negatable class's bits as one 2-bit number (C = 3 lanes); forgetting to
  // complement the count of a negative class must be caught.
  VerifyResult r = run_cosim("cvu", {"lanes=3"}, 10, "", 0, mutation("^ {2{x_top_i}}", "^ {2{1'b0}}"));
  EXPECT_GT(r.mismatches, 0);
}

// --trace writes a gtkwave save file beside the waveform: every port of the top module, grouped as
// inputs and outputs, under the names the waveform has, and a marker at the first mismatch. The
// marker is checked against the waveform itself: at that time the clock is low and exactly
// first_mismatch_cycle rising edges have happened since reset was released, and the first
// mismatch the testbench reports is about that cycle.
TEST(CvuCosimMutation, TraceSaveFileGroupsThePortsAndMarksTheFirstMismatch) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("accelgen_gtkw_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string vcd = (dir / "wrong_shift.vcd").string();
  VerifyResult r = run_cosim("cvu", {"lanes=1", "max_bits=4"}, 9, vcd, 0, mutation("<< (2*(", "<< (1*("));
  ASSERT_GT(r.mismatches, 0);
  ASSERT_EQ(r.gtkw, (dir / "wrong_shift.gtkw").string());
  ASSERT_GE(r.first_mismatch_cycle, 0);
  EXPECT_EQ(r.first_mismatches[0].rfind("cycle " + std::to_string(r.first_mismatch_cycle) + ":", 0), 0u)
      << r.first_mismatches[0];

  // The waveform's signals as gtkwave names them: scope path, name, [msb:lsb] for vectors.
  std::ifstream vin(vcd);
  std::set<std::string> names;
  std::map<std::string, std::string> id_of;  // full name without range -> VCD id
  std::vector<std::string> scope;
  std::string line;
  std::vector<std::string> changes;
  bool header = true;
  while (std::getline(vin, line)) {
    std::istringstream in(line);
    std::string tok;
    in >> tok;
    if (header && tok == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scope.push_back(name);
    } else if (header && tok == "$upscope") {
      scope.pop_back();
    } else if (header && tok == "$var") {
      std::string kind, width, id, ref, range;
      in >> kind >> width >> id >> ref >> range;
      std::string full;
      for (const auto& sc : scope) full += sc + ".";
      full += ref;
      id_of[full] = id;
      names.insert(range.rfind("[", 0) == 0 ? full + range : full);
    } else if (tok == "$enddefinitions") {
      header = false;
    } else if (!header) {
      changes.push_back(line);
    }
  }
  // The save file: signal lines, groups, the marker.
  std::ifstream gin(r.gtkw);
  std::vector<std::string> signals, groups;
  int64_t marker = -2;
  while (std::getline(gin, line)) {
    if (line.empty() || line[0] == '@' || line[0] == '[') continue;
    if (line[0] == '*') {
      std::istringstream in(line);
      std::string zoom;
      in >> zoom >> marker;
    } else if (line[0] == '-') {
      groups.push_back(line.substr(1));
    } else {
      signals.push_back(line);
    }
  }
  EXPECT_EQ(groups, (std::vector<std::string>{"Inputs", "Inputs", "Outputs", "Outputs"}));
  const std::string top = "TOP.cvu_b2_B4_L1_s.";
  const std::vector<std::string> expected = {top + "clk_i",       top + "rst_ni",     top + "in_valid_i",
                                             top + "mode_x_i",    top + "mode_w_i",   top + "x_i[7:0]",
                                             top + "w_i[7:0]",    top + "out_valid_o", top + "out_o[7:0]"};
  EXPECT_EQ(signals, expected);
  for (const auto& sig : signals) EXPECT_TRUE(names.count(sig)) << sig << " is not in the waveform";

  // Replay the clock and reset up to the marker.
  ASSERT_EQ(marker, r.first_mismatch_time);
  const std::string clk = id_of.at(top + "clk_i"), rst = id_of.at(top + "rst_ni");
  int64_t time = 0, edges = 0;
  char clk_v = 'x', rst_v = 'x';
  bool marker_seen = false;
  for (const auto& c : changes) {
    if (c.empty()) continue;
    if (c[0] == '#') {
      time = std::stoll(c.substr(1));
      if (time >= marker) {
        marker_seen = time == marker;
        break;
      }
      continue;
    }
    if (c.substr(1) == clk) {
      if (c[0] == '1' && clk_v == '0' && rst_v == '1') ++edges;
      clk_v = c[0];
    }
    if (c.substr(1) == rst) rst_v = c[0];
  }
  EXPECT_TRUE(marker_seen) << "a dump at the marker's time";
  EXPECT_EQ(edges, r.first_mismatch_cycle);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace accelgen::sim
