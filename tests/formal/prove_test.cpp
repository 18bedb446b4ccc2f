// `accelgen prove` (label `formal`): each block's emitted RTL is proved against the plain reference
// at small widths, and each mutation the co-simulation tests use yields a counterexample waveform.
// Expected outcomes are the specification's, not the prover's: a correct generator must prove, a
// mutated one must not (each mutation breaks the stated property; see the comments).
#include "generator/formal/prove.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <tuple>

#include "common/block_info.hpp"
#include "common/cvu_params.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "generator/formal/cvu_bw.hpp"
#include "generator/formal/mutations.hpp"

namespace accelgen::formal {
namespace {

namespace fs = std::filesystem;

fs::path tmp_path(const std::string& name) {
  return fs::temp_directory_path() / ("accelgen_formal_" + std::to_string(::getpid()) + "_" + name);
}

ProveResult run(const std::string& block, const std::vector<std::string>& sets,
                const std::string& mutation = "", int depth = 0, const std::string& vcd = "") {
  const BlockInfo& info = find_block(block);
  ParamSet params = resolve_params(info, "", sets, false);
  ProveOptions o;
  o.mutation = mutation;
  o.depth = depth;
  o.vcd = vcd;
  return prove(info, params, o);
}

void expect_proved(const ProveResult& r) {
  EXPECT_TRUE(r.proved) << r.property;
  EXPECT_TRUE(r.vcd.empty());
  EXPECT_FALSE(r.steps.empty());
  for (const auto& s : r.steps) EXPECT_TRUE(s.proved) << s.name;
}

// A counterexample: not proved, and a VCD that holds a waveform of the miter's signals.
void expect_counterexample(const std::string& block, const std::vector<std::string>& sets,
                           const std::string& mutation, int depth = 0) {
  const fs::path vcd = tmp_path(mutation + ".vcd");
  fs::remove(vcd);
  const ProveResult r = run(block, sets, mutation, depth, vcd.string());
  EXPECT_FALSE(r.proved) << mutation;
  ASSERT_EQ(r.vcd, vcd.string());
  std::ifstream in(vcd);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("$enddefinitions"), std::string::npos);
  EXPECT_NE(text.find("\n#2"), std::string::npos) << "several time steps";
  fs::remove(vcd);
}

// --- cvu: every (bx, bw) mode equals the plain dot product -------------------------------------
TEST(FormalCvu, B4SliceTwoOneLaneEveryModeProves) {
  const ProveResult r = run("cvu", {"slice_bits=2", "max_bits=4", "lanes=1"});
  expect_proved(r);
  EXPECT_FALSE(r.bounded);
  // Baugh-Wooley lemmas of modes 2x2, 2x4, 4x2, 4x4 (G*L elements, 2^(bx+bw) cases each), the
  // reset run, then one ABC check per mode (b = 2, B = 4: mode inputs are 1 bit, no illegal
  // encoding).
  ASSERT_EQ(r.steps.size(), 4u + 1u + 4u);
  const std::vector<std::string> engines = {
      "exhaustive, 64 cases",  "exhaustive, 128 cases", "exhaustive, 128 cases",
      "exhaustive, 256 cases", "yosys sat -seq 4",      "abc &cec, 4 frames",
      "abc &cec, 4 frames",    "abc &cec, 4 frames",    "abc &cec, 4 frames"};
  for (size_t i = 0; i < engines.size(); ++i) EXPECT_EQ(r.steps[i].engine, engines[i]) << i;
  EXPECT_EQ(r.steps.back().name, "mode 4x4");
}

// B = 8 in ctest: b = 2, one lane, all 9 modes and the 7 illegal encodings (about 20 s of CPU).
TEST(FormalCvu, B8SliceTwoOneLaneEveryModeProves) {
  const ProveResult r = run("cvu", {"slice_bits=2", "max_bits=8", "lanes=1"});
  expect_proved(r);
  EXPECT_FALSE(r.bounded);
  ASSERT_EQ(r.steps.size(), 9u + 1u + 16u);
  // 8x8: one element, every pair of 8-bit operands; 2x2: G = 16 elements of 16 pairs.
  EXPECT_EQ(r.steps[0].engine, "exhaustive, 256 cases");
  EXPECT_EQ(r.steps[8].engine, "exhaustive, 65536 cases");
  EXPECT_EQ(r.steps[9].engine, "yosys sat -seq 4");
  for (size_t i = 10; i < r.steps.size(); ++i) EXPECT_EQ(r.steps[i].engine, "abc &cec, 4 frames");
  EXPECT_EQ(r.steps[10].name, "mode 2x2");
  EXPECT_EQ(r.steps.back().name, "illegal mode 3,3");
}

// The widths: B = 8 with b = 2 and L = 4 lanes, all 9 modes and the 7 illegal encodings
// (minutes on the shared 2-core machine; README, "Formal proofs").
TEST(FormalCvu, B8SliceTwoFourLanesEveryModeProves) {
  if (std::getenv("ACCELGEN_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "minutes: set ACCELGEN_SLOW_TESTS=1 to run";
  const ProveResult r = run("cvu", {"slice_bits=2", "max_bits=8", "lanes=4"});
  expect_proved(r);
  ASSERT_EQ(r.steps.size(), 9u + 1u + 16u);
  // 8x8: G*L = 4 elements, every pair of 8-bit operands each.
  EXPECT_EQ(r.steps[8].engine, "exhaustive, 262144 cases");
  EXPECT_EQ(r.steps.back().name, "illegal mode 3,3");
}

TEST(FormalCvu, B2SliceOneTwoLanesUnsignedProves) {
  // b = 1, B = 2: levels 1 and 2; the mode inputs are 1 bit, so no illegal encoding exists.
  expect_proved(run("cvu", {"slice_bits=1", "max_bits=2", "lanes=2", "signed=false"}));
}

TEST(FormalCvu, WrongShiftGivesACounterexample) {
  // Multi-slice modes shift partial sums by half the weight: the 2x4 mode already differs. ABC
  // finds the miter satisfiable; Yosys SAT re-finds the counterexample for the waveform.
  expect_counterexample("cvu", {"slice_bits=2", "max_bits=4", "lanes=1"}, "WrongShift");
}

TEST(FormalCvu, WrongShiftAtB8GivesACounterexample) {
  if (std::getenv("ACCELGEN_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "minutes: set ACCELGEN_SLOW_TESTS=1 to run";
  expect_counterexample("cvu", {"slice_bits=2", "max_bits=8", "lanes=4"}, "WrongShift");
}

// --- cvu: the Baugh-Wooley lemma, the link between the intermediate reference and the plain
// dot product, holds for the specification's form and fails for every kind of broken form ------
TEST(FormalCvuBw, SmallestSignedFormByHand) {
  // b = 1, B = 2, L = 1, mode 2x2: one element, x = -2 x1 + x0, w = -2 w1 + w0, so
  // x*w = x0 w0 - 2 x0 w1 - 2 x1 w0 + 4 x1 w1; the two bits of weight -2 enter inverted and the
  // correction is -(2 + 2) mod 2^W.
  const CvuParams p = CvuParams::from(
      resolve_params(find_block("cvu"), "", {"slice_bits=1", "max_bits=2", "lanes=1"}, false));
  const BwForm f = cvu_bw_form(p, 1, 1, 6);
  ASSERT_EQ(f.elements, 1);
  // P = 2: four NBVEs (J, K); in mode 2x2 NBVE (J, K) takes x bit J, w bit K.
  ASSERT_EQ(f.nbves.size(), 4u);
  std::vector<std::tuple<int, int, bool, int>> bits;  // x bit, w bit, inverted, total shift
  for (const auto& n : f.nbves)
    for (const auto& b : n.bits)
      bits.emplace_back(b.x_bit, b.w_bit, b.inverted, n.x_shift + n.w_shift + b.shift);
  EXPECT_EQ(bits, (std::vector<std::tuple<int, int, bool, int>>{
                      {0, 0, false, 0}, {0, 1, true, 1}, {1, 0, true, 1}, {1, 1, false, 2}}));
  EXPECT_EQ(f.correction, 64u - 4u);
  const BwLemma l = cvu_bw_lemma(f, true, 6);
  EXPECT_TRUE(l.holds);
  EXPECT_EQ(l.cases, 16);
}

TEST(FormalCvuBw, EveryModeOfSeveralUnitsHolds) {
  for (const auto& sets : std::vector<std::vector<std::string>>{
           {"slice_bits=1", "max_bits=4", "lanes=2"},
           {"slice_bits=2", "max_bits=8", "lanes=3"},
           {"slice_bits=1", "max_bits=8", "lanes=1", "signed=false"},
           {"slice_bits=2", "max_bits=4", "lanes=1", "signed=false"}}) {
    const CvuParams p = CvuParams::from(resolve_params(find_block("cvu"), "", sets, false));
    for (int i = 0; i < p.levels(); ++i)
      for (int j = 0; j < p.levels(); ++j) {
        const BwForm f = cvu_bw_form(p, i, j, 24);
        EXPECT_EQ(f.elements, p.groups(f.bx, f.bw) * p.lanes);
        const BwLemma l = cvu_bw_lemma(f, p.is_signed, 24);
        EXPECT_TRUE(l.holds) << sets[0] << " " << sets[1] << " mode " << i << "," << j;
        EXPECT_EQ(l.cases, int64_t{f.elements} << (f.bx + f.bw));
      }
  }
}

TEST(FormalCvuBw, BrokenFormsFail) {
  const CvuParams p = CvuParams::from(
      resolve_params(find_block("cvu"), "", {"slice_bits=2", "max_bits=4", "lanes=2"}, false));
  const BwForm good = cvu_bw_form(p, 1, 0, 12);  // 4x2
  ASSERT_TRUE(cvu_bw_lemma(good, true, 12).holds);
  auto fails = [&](const std::function<void(BwForm&)>& edit, const char* what) {
    BwForm f = good;
    edit(f);
    EXPECT_FALSE(cvu_bw_lemma(f, true, 12).holds) << what;
  };
  int inverted_bit = 0;  // index in NBVE 2 (x top slice, w top slice) of a negative-weight bit
  while (!good.nbves[2].bits[inverted_bit].inverted) ++inverted_bit;
  fails([&](BwForm& f) { f.nbves[2].bits[inverted_bit].inverted = false; }, "sign not inverted");
  fails([](BwForm& f) { f.nbves[3].bits[0].inverted = true; }, "positive bit inverted");
  fails([](BwForm& f) { f.nbves[1].bits.pop_back(); }, "a partial-product bit missing");
  fails([](BwForm& f) { f.nbves[1].bits.push_back(f.nbves[1].bits.front()); }, "a bit twice");
  fails([](BwForm& f) { f.correction += 1; }, "correction off by one");
  fails([](BwForm& f) { f.nbves[3].w_shift += 2; }, "wrong NBVE shift");
  fails([](BwForm& f) { f.nbves[0].bits[0].w_bit += 2; }, "a bit reading another element's w");
  fails([](BwForm& f) { f.nbves[0].bits[0].x_bit += 4 * 4; }, "a bit reading a later element");
  fails([](BwForm& f) { f.nbves[0].bits[1].shift += 1; }, "wrong bit weight");
}

TEST(FormalCvuBw, ReferenceIsPrintedFromTheForm) {
  const CvuParams p = CvuParams::from(
      resolve_params(find_block("cvu"), "", {"slice_bits=1", "max_bits=2", "lanes=1"}, false));
  const BwForm f = cvu_bw_form(p, 1, 1, 6);
  // By hand: one NBVE sum per bit here (L = 1, b = 1), the negative-weight ones inverted, NBVE
  // (J, K) shifted by b*K within row J, row J by b*J, the correction 64 - 4 added once.
  EXPECT_EQ(cvu_bw_reference(&f, 2, 6),
            "module accelgen_ref_cvu_bw (\n"
            "  input logic [1:0] x_i,\n"
            "  input logic [1:0] w_i,\n"
            "  output logic [5:0] dot_o\n"
            ");\n"
            "  wire [0:0] s0 = {(x_i[0] & w_i[0])};\n"
            "  wire [0:0] s1 = {~(x_i[0] & w_i[1])};\n"
            "  wire [0:0] s2 = {~(x_i[1] & w_i[0])};\n"
            "  wire [0:0] s3 = {(x_i[1] & w_i[1])};\n"
            "  wire [1:0] r0 = {1'd0, s0} + {s1, 1'd0};\n"
            "  wire [1:0] r1 = {1'd0, s2} + {s3, 1'd0};\n"
            "  assign dot_o = 6'd60\n"
            "      + {4'd0, r0}\n"
            "      + {3'd0, r1, 1'd0};\n"
            "endmodule\n");
  EXPECT_NE(cvu_bw_reference(nullptr, 2, 6).find("assign dot_o = '0;"), std::string::npos);
}

// --- bihiwe: sign-magnitude partitions equal the plain MAC ---------------------------------------
TEST(FormalBihiwe, PartitionsEqualThePlainMacAcrossBatches) {
  // m = 1: every beat closes a batch, so 2-beat vectors cross a conversion boundary.
  const ProveResult r = run("bihiwe", {"lanes=1", "acc_cycles=1", "max_bits=4"}, "", 6);
  expect_proved(r);
  EXPECT_TRUE(r.bounded);
  EXPECT_EQ(r.depth, 6);
}

TEST(FormalBihiwe, WrongProductSignGivesACounterexample) {
  // OR instead of XOR of the signs: (-1)*(-1) accumulates as negative.
  expect_counterexample("bihiwe", {"lanes=1", "acc_cycles=1", "max_bits=8"}, "WrongProductSign", 6);
}

TEST(FormalBihiwe, SaturatingAdcIsRejected) {
  EXPECT_THROW(run("bihiwe", {"lanes=1", "acc_cycles=1", "adc_bits=4"}), UserError);
}

// --- leopard_qk: the margin is sound (and decisions exact) in both K encodings -------------------
const std::vector<std::string> kQkTwos = {"taps=1",           "q_bits=4", "k_bits=4",
                                          "bits_per_cycle=2", "n_dpu=1",  "seq_len=1"};
const std::vector<std::string> kQkSignmag = {
    "taps=1",  "q_bits=4",  "k_bits=4",          "bits_per_cycle=1",
    "n_dpu=1", "seq_len=1", "k_encoding=signmag"};

TEST(FormalLeopardQk, TwosComplementMarginIsSound) { expect_proved(run("leopard_qk", kQkTwos)); }

TEST(FormalLeopardQk, SignMagnitudeMarginIsSound) { expect_proved(run("leopard_qk", kQkSignmag)); }

// The mutations' anchors are in the 12-bit datapath of the co-simulation configuration.
const std::vector<std::string> kQkMut = {"taps=1", "n_dpu=1", "seq_len=1"};

TEST(FormalLeopardQk, PruningEqualScoresGivesACounterexample) {
  // A key whose score equals Th is pruned: "pruned => score < Th" fails.
  expect_counterexample("leopard_qk", kQkMut, "PruningEqualScores");
}

TEST(FormalLeopardQk, TooSmallMarginGivesACounterexample) {
  // A bound one S below the largest reachable score prunes a key that ends at exactly Th.
  expect_counterexample("leopard_qk", kQkMut, "TooSmallMargin");
}

TEST(FormalLeopardQk, XorMarginOnTwosComplementGivesACounterexample) {
  // golden_model/README.md's counterexample: q = 1, k = -1, Th = -1 is pruned in cycle 1.
  expect_counterexample("leopard_qk", kQkMut, "XorMarginOnTwosComplement");
}

// --- noc: no flit dropped or duplicated within k cycles ------------------------------------------
// The correct 2x2 mesh proves too (`accelgen prove noc --set rows=2 --set cols=2 --set
// buffer_depth=2
// --set flit_bits=2`: 19 steps, minutes rather than seconds, so not in ctest); the two mutations
// below show the property is not vacuous: the tracked flit is injected and followed.
TEST(FormalNoc, IgnoredBackPressureGivesACounterexample) {
  // A full FIFO overwrites a flit: the tracked one is never delivered.
  expect_counterexample("noc", {"rows=2", "cols=2", "buffer_depth=2", "flit_bits=2"},
                        "IgnoredBackPressure");
}

TEST(FormalNoc, CorruptedSourceIdGivesACounterexample) {
  // Node 1's flits arrive stamped with node 0: as node 1's flit it is never delivered.
  expect_counterexample("noc", {"rows=2", "cols=2", "buffer_depth=2", "flit_bits=2"},
                        "CorruptedSourceId");
}

// --- the CLI: JSON fields, exit status, bad input
// -------------------------------------------------
TEST(FormalCli, JsonAndExitStatus) {
  ProcessResult ok = run_process({ACCELGEN_BINARY, "prove", "cvu", "--set", "slice_bits=1", "--set",
                                  "max_bits=2", "--set", "lanes=1", "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const auto j = nlohmann::json::parse(ok.output.substr(ok.output.rfind("\n{\"") + 1));
  EXPECT_TRUE(j.at("proved").get<bool>());
  EXPECT_GT(j.at("seconds").get<double>(), 0.0);
  EXPECT_NE(j.at("property").get<std::string>().find("dot product"), std::string::npos);

  const fs::path vcd = tmp_path("cli.vcd");
  ProcessResult bad = run_process({ACCELGEN_BINARY, "prove", "bihiwe", "--set", "lanes=1", "--set",
                                   "acc_cycles=1", "--depth", "6", "--mutate", "WrongProductSign",
                                   "--vcd", vcd.string(), "--json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(fs::exists(vcd));
  const auto jb = nlohmann::json::parse(bad.output.substr(bad.output.rfind("\n{\"") + 1));
  EXPECT_FALSE(jb.at("proved").get<bool>());
  EXPECT_EQ(jb.at("vcd").get<std::string>(), vcd.string());
  fs::remove(vcd);

  ProcessResult unknown = run_process({ACCELGEN_BINARY, "prove", "cvu", "--mutate", "NoSuchBug"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("WrongShift"), std::string::npos)
      << "names the known mutations: " << unknown.output;
  ProcessResult systolic = run_process({ACCELGEN_BINARY, "prove", "systolic"});
  EXPECT_EQ(systolic.exit_code, 2) << systolic.output;
}

TEST(FormalMutations, EveryCatalogueEntryAppliesToItsExampleConfiguration) {
  for (const auto& m : all_mutations()) {
    const BlockInfo& info = find_block(m.block);
    GeneratedDesign d = generate_design(info, resolve_params(info, "", m.example_sets, false));
    const GeneratedDesign before = d;
    EXPECT_NO_THROW(apply_mutation(d, m)) << m.name;
    bool changed = false;
    for (size_t i = 0; i < d.files.size(); ++i)
      changed |= d.files[i].contents != before.files[i].contents;
    EXPECT_TRUE(changed) << m.name;
  }
}

}  // namespace
}  // namespace accelgen::formal
