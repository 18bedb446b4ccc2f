// Layer 3 for `tandem`: the generated pipeline against the golden simulator — every commit (cycle,
// pc, row, lanes, data), every sync event, the done cycle and the final buffers and DRAM — for
// small configurations (lanes 1, 3, 4, 8) under every program family, plus mutations that each
// break one thing in the emitted RTL. First, the stimulus itself: every generated program is legal
// (the golden simulator, which enforces the placement and spacing rules, accepts it), fits the
// instruction memory, and the families cover what they promise.
#include <fmt/format.h>

#include <regex>
#include <set>
#include <sstream>

#include "isa/tandem/asm.hpp"
#include "isa/tandem/isa.hpp"
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"
#include "verilator_tb/tandem/tandem_tb.hpp"

namespace accelgen::sim {
namespace {

struct Shape {
  const char* name;
  TandemShape shape;
};

const Shape kShapes[] = {
    {"L1_D16", {1, 16, 256, 4096}},
    {"L4_D32", {4, 32, 512, 8192}},
    {"L8_D64", {8, 64, 1024, 1 << 16}},
};

void PrintTo(const Shape& s, std::ostream* os) { *os << s.name; }

class TandemStimulus : public ::testing::TestWithParam<Shape> {};

TEST_P(TandemStimulus, EveryProgramIsLegalAndFits) {
  const TandemShape& s = GetParam().shape;
  const uint64_t seed = 11;
  for (const char* family : {"sweep", "loops", "dae", "permute", "random"}) {
    const auto cases = make_tandem_cases(s, family, seed, 10);
    ASSERT_FALSE(cases.empty()) << family;
    int64_t commits = 0;
    for (const TandemCase& c : cases) {
      EXPECT_LE(static_cast<int64_t>(c.words.size()), s.imem_depth) << c.name;
      const TandemSide g = run_tandem_golden(s, c.words, c.init);
      ASSERT_TRUE(g.ran) << c.name << " (seed " << seed << "): " << g.error << "\n" << c.source;
      EXPECT_GT(g.done_cycle, 0) << c.name;
      commits += static_cast<int64_t>(g.commits.size());
    }
    EXPECT_GT(commits, 0) << family << ": the programs write nothing";
  }
}

TEST_P(TandemStimulus, SameSeedSamePrograms) {
  const TandemShape& s = GetParam().shape;
  const auto a = make_tandem_cases(s, "all", 5, 3), b = make_tandem_cases(s, "all", 5, 3);
  const auto c = make_tandem_cases(s, "random", 6, 3);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].words, b[i].words) << a[i].name;
    EXPECT_EQ(a[i].init.dram, b[i].init.dram) << a[i].name;
  }
  const auto a_random = make_tandem_cases(s, "random", 5, 3);
  EXPECT_NE(a_random[0].words, c[0].words);
}

// The spacing nops are needed: deleting any one of them from the random programs breaks the rule
// somewhere (the golden simulator then rejects the program, naming the rule).
TEST(TandemStimulusSpacing, RemovingASpacingNopBreaksTheRule) {
  const TandemShape s{4, 32, 512, 8192};
  const uint64_t seed = 21;
  int64_t removed = 0, rejected = 0;
  for (const TandemCase& c : make_tandem_cases(s, "random", seed, 6)) {
    std::vector<std::string> lines;
    std::istringstream in(c.source);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (size_t i = 1; i + 1 < lines.size() && removed < 200; ++i) {
      // Straight-line spacing nops: a nop right after a compute (not after a loop header).
      if (lines[i] != "nop" || lines[i - 1].rfind("loop.", 0) == 0 || lines[i - 1] == "nop") continue;
      std::string text;
      for (size_t k = 0; k < lines.size(); ++k)
        if (k != i) text += lines[k] + "\n";
      ++removed;
      const TandemSide g = run_tandem_golden(s, isa::tandem::Assemble(text), c.init);
      if (!g.ran && g.error.find("spacing rule") != std::string::npos) ++rejected;
    }
  }
  EXPECT_GT(removed, 0) << "seed " << seed;
  EXPECT_GT(rejected, 0) << "seed " << seed;
}

// The scoreboard on its own: an RTL side equal to the golden one passes; one changed lane value,
// one late commit, a lost sync, a wrong done cycle and one wrong DRAM word are each reported with
// the cycle, the commit index, the pc and its disassembly, expected and got.
TEST(TandemScoreboard, NamesTheFirstDifferenceOfEachKind) {
  const TandemShape s{2, 8, 256, 4096};
  const std::vector<uint32_t> prog = isa::tandem::Assemble(
      "imm.sext imm[0], 7\niter.base_zext vmem1[1], 3\nadd vmem1[1], imm[0], imm[0]\nsync.gemm.end.buf 9\n"
      "nop\nsub vmem2[0], vmem1[1], imm[0]\n");
  TandemRun run;
  run.golden = run_tandem_golden(s, prog, TandemState::zeros(s));
  ASSERT_TRUE(run.golden.ran) << run.golden.error;
  ASSERT_EQ(run.golden.commits.size(), 2u);
  // Independently: add issues in slot 2 (F cycle 3, W cycle 8); sub in slot 5 (F 6, W 11); done
  // in cycle 6 + 6 = 12.
  EXPECT_EQ(run.golden.done_cycle, 12);
  EXPECT_EQ(run.golden.commits[0].cycle, 8);
  EXPECT_EQ(run.golden.commits[1].cycle, 11);
  EXPECT_EQ(run.golden.commits[1].data, (std::vector<int32_t>{7, 7}));
  run.rtl = run.golden;
  VerifyResult ok;
  compare_tandem(run, s, prog, "p", ok);
  EXPECT_EQ(ok.mismatches, 0);
  EXPECT_GT(ok.outputs_checked, 0);

  run.rtl.commits[1].data[1] = 8;
  run.rtl.syncs.clear();
  run.rtl.done_cycle += 1;
  run.rtl.final_state.dram[17] = -5;
  VerifyResult bad;
  compare_tandem(run, s, prog, "prog (seed 4)", bad);
  EXPECT_EQ(bad.mismatches, 4);
  ASSERT_EQ(bad.first_mismatches.size(), 4u);
  EXPECT_NE(bad.first_mismatches[0].find("prog (seed 4): cycle 11: commit #1 pc 5 (sub vmem2[0], vmem1[1], imm[0])"),
            std::string::npos) << bad.first_mismatches[0];
  EXPECT_NE(bad.first_mismatches[0].find("lane 1: expected 7 got 8"), std::string::npos) << bad.first_mismatches[0];
  EXPECT_NE(bad.first_mismatches[1].find("sync #0: expected cycle 9 func 6 group 9, got none"), std::string::npos)
      << bad.first_mismatches[1];
  EXPECT_NE(bad.first_mismatches[2].find("done in cycle 12 expected, cycle 13 got"), std::string::npos)
      << bad.first_mismatches[2];
  EXPECT_NE(bad.first_mismatches[3].find("final DRAM word 17: expected 0, got -5"), std::string::npos)
      << bad.first_mismatches[3];

  run.rtl = run.golden;
  run.rtl.commits[0].cycle = 9;
  VerifyResult late;
  compare_tandem(run, s, prog, "p", late);
  EXPECT_EQ(late.mismatches, 1);
  EXPECT_NE(late.first_mismatches[0].find("cycle 8: commit #0 pc 2 (add vmem1[1], imm[0], imm[0]): expected cycle 8"),
            std::string::npos) << late.first_mismatches[0];
}

INSTANTIATE_TEST_SUITE_P(Shapes, TandemStimulus, ::testing::ValuesIn(kShapes),
                         [](const auto& info) { return std::string(info.param.name); });

// The families cover what they promise: every compute/calculus/comparison/cast mnemonic in the
// sweep, IMM as src1 and src2, five formats; 8-level nests, zero counts and negative strides in
// the loops; every DAE width, loads and stores; permutations between namespaces.
TEST(TandemStimulusCoverage, FamiliesCoverTheirFeatures) {
  const TandemShape s{4, 32, 512, 8192};
  auto text_of = [&](const std::string& family) {
    std::string all;
    for (const auto& c : make_tandem_cases(s, family, 3, 10)) all += c.source;
    return all;
  };
  const std::string sweep = text_of("sweep");
  for (const auto& d : isa::tandem::InstructionTable()) {
    const bool compute = d.opcode == isa::tandem::Opcode::kAlu || d.opcode == isa::tandem::Opcode::kCalculus ||
                         d.opcode == isa::tandem::Opcode::kComparison ||
                         d.opcode == isa::tandem::Opcode::kDatatypeCast;
    if (!compute || d.mnemonic == "nop") continue;
    std::string needle = "\n";
    needle += d.mnemonic;
    needle += ' ';
    EXPECT_NE(sweep.find(needle), std::string::npos) << d.mnemonic;
  }
  for (const char* f : {" 32, 32, 32", " 16, 16, 16", " 8, 8, 8", " 24, 28, 30", " 30, 16, 20", " 0, 0, 0", " 1, 40, 64"})
    EXPECT_NE(sweep.find(f), std::string::npos) << f;
  EXPECT_TRUE(std::regex_search(sweep, std::regex(R"(\n\w+ \w+\[0\], imm\[\d\], vmem1\[0\])")));
  EXPECT_TRUE(std::regex_search(sweep, std::regex(R"(\n\w+ \w+\[0\], vmem1\[0\], imm\[\d\])")));

  const std::string loops = text_of("loops");
  EXPECT_NE(loops.find("loop.set_iter 7, "), std::string::npos);
  EXPECT_TRUE(std::regex_search(loops, std::regex(R"(loop.set_iter \d, 0\n)")));
  EXPECT_TRUE(std::regex_search(loops, std::regex(R"(iter.stride_sext \w+\[\d+\], -\d)")));
  EXPECT_NE(loops.find("iter.base_hi"), std::string::npos);
  EXPECT_TRUE(std::regex_search(loops, std::regex(R"(loop.set_num_inst ([4-9]|\d\d)\n)")));  // long bodies
  EXPECT_NE(loops.find("loop.set_iter 0, 65535\n"), std::string::npos);
  EXPECT_TRUE(std::regex_search(loops, std::regex(R"(loop.set_index \w+\[\d+\], (\w+\[\d+\], imm|imm)\[)")));

  const std::string dae = text_of("dae");
  for (int w = 2; w <= 5; ++w) {
    EXPECT_TRUE(std::regex_search(dae, std::regex(fmt::format(R"(ld.start vmem[12], {}, )", w)))) << w;
    EXPECT_TRUE(std::regex_search(dae, std::regex(fmt::format(R"(st.start vmem[12], {}, )", w)))) << w;
  }
  EXPECT_NE(dae.find("ld.base_iter"), std::string::npos);
  // Line walks (isa/README.md item 11, beats): a level-7 run with stride +1 both ways.
  EXPECT_TRUE(std::regex_search(dae, std::regex(R"(ld.tile_stride lo, vmem[12], 7, 0x1\n)")));
  EXPECT_TRUE(std::regex_search(dae, std::regex(R"(st.tile_stride lo, vmem[12], 7, 0x1\n)")));

  const std::string perm = text_of("permute");
  EXPECT_NE(perm.find("perm.start"), std::string::npos);
  EXPECT_NE(perm.find("perm.set_stride src, 1, "), std::string::npos);
  // Row copies (item 12, beats): contiguous dim-7 runs on both walks.
  EXPECT_NE(perm.find("perm.set_stride src, 7, 1\n"), std::string::npos);
  EXPECT_NE(perm.find("perm.set_stride dst, 7, 1\n"), std::string::npos);
}

}  // namespace
}  // namespace accelgen::sim

namespace accelgen::sim {
namespace {

// ---- RTL against golden. Four configurations (one Verilator build each, shared by every
// family); the `dram_words` stimulus key does not change the RTL.
const std::vector<std::string> kL1 = {"lanes=1", "interim_depth=16", "imem_depth=256", "dram_words=4096"};
const std::vector<std::string> kL4 = {"lanes=4", "interim_depth=32", "imem_depth=512", "dram_words=8192"};
const std::vector<std::string> kL8 = {"lanes=8", "interim_depth=64", "imem_depth=1024"};
// Lanes, depth and instruction memory that are not powers of two (flat permute indices divide).
const std::vector<std::string> kL3 = {"lanes=3", "interim_depth=24", "imem_depth=300", "dram_words=5000"};

std::vector<std::string> with(std::vector<std::string> sets, const std::string& extra) {
  sets.push_back(extra);
  return sets;
}
const std::vector<std::string> kL4b64p3 = with(with(kL4, "dram_bus_bits=64"), "permute_width=3");
const std::vector<std::string> kL4b512 = with(kL4, "dram_bus_bits=512");

bool mentions(const VerifyResult& r, const std::string& what) {
  for (const auto& m : r.first_mismatches)
    if (m.find(what) != std::string::npos) return true;
  return false;
}

class TandemCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(TandemCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  const VerifyResult r = run_cosim("tandem", c.sets, c.seed, trace_path_for("TandemCosim_" + c.name), c.transactions);
  expect_exact(r, c.seed);
  EXPECT_GT(r.transactions, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, TandemCosim,
    ::testing::Values(CosimCase{"L1_sweep", with(kL1, "program=sweep"), 1},
                      CosimCase{"L1_loops", with(kL1, "program=loops"), 2},
                      CosimCase{"L1_dae", with(kL1, "program=dae"), 3},
                      CosimCase{"L1_permute", with(kL1, "program=permute"), 4},
                      CosimCase{"L1_random", with(kL1, "program=random"), 5, 10},
                      CosimCase{"L4_sweep", with(kL4, "program=sweep"), 11},
                      CosimCase{"L4_loops", with(kL4, "program=loops"), 12},
                      CosimCase{"L4_dae", with(kL4, "program=dae"), 13},
                      CosimCase{"L4_permute", with(kL4, "program=permute"), 14},
                      CosimCase{"L4_random", with(kL4, "program=random"), 15, 20},
                      CosimCase{"L8_all", with(kL8, "program=all"), 21, 10},
                      CosimCase{"L3_all", with(kL3, "program=all"), 22, 10},
                      // Engine widths (isa/README.md items 11, 12, beats): a 2-word bus and 3-element
                      // permute beats on 4 lanes; a 16-word bus wider than the 4 lanes; the one-word
                      // engines on 8 lanes.
                      CosimCase{"L4_b64_p3_dae", with(kL4b64p3, "program=dae"), 41},
                      CosimCase{"L4_b64_p3_permute", with(kL4b64p3, "program=permute"), 42},
                      CosimCase{"L4_b64_p3_random", with(kL4b64p3, "program=random"), 43, 10},
                      CosimCase{"L4_b512_dae", with(kL4b512, "program=dae"), 44},
                      CosimCase{"L8_b32_p1_all", with(with(with(kL8, "dram_bus_bits=32"), "permute_width=1"), "program=all"),
                                45, 5}),
    [](const auto& info) { return info.param.name; });

// The one-shot entry point compiled operators use: a model, the block parameters, a program and
// the buffers it starts from. relu over two rows of vmem1 into vmem2; values checked by hand.
TEST(TandemRunProgram, RunsBothSidesFromGivenBuffers) {
  const BlockInfo& info = find_block("tandem");
  const ParamSet params = resolve_params(info, "", kL4, true);
  auto model = build_model(generate_design(info, params), TraceKind::kNone);
  const TandemParams p = TandemParams::from(params);
  TandemState init = TandemState::zeros({p.lanes, p.interim_depth, p.imem_depth, 8192});
  const int32_t row0[] = {-5, 0, 7, INT32_MIN}, row1[] = {3, -1, INT32_MAX, -2};
  for (int l = 0; l < 4; ++l) {
    init.buffers[2][static_cast<size_t>(l) * p.interim_depth + 0] = row0[l];
    init.buffers[2][static_cast<size_t>(l) * p.interim_depth + 1] = row1[l];
  }
  const auto prog = isa::tandem::Assemble(
      "iter.stride_zext vmem1[1], 1\nloop.set_iter 0, 2\nloop.set_index vmem1[1], vmem1[1], vmem1[1]\n"
      "loop.set_num_inst 1\nrelu vmem2[0], vmem1[0]\n");
  VerifyResult res;
  const TandemRun run = run_tandem_program(*model, p, prog, init, res, 8192);
  EXPECT_TRUE(res.passed()) << report_of(res);
  EXPECT_EQ(res.golden_cycles, res.rtl_cycles);
  ASSERT_EQ(run.rtl.commits.size(), 2u);
  EXPECT_EQ(run.rtl.commits[0].data, (std::vector<int32_t>{0, 0, 7, 0}));
  EXPECT_EQ(run.rtl.commits[1].data, (std::vector<int32_t>{3, 0, INT32_MAX, 0}));
  EXPECT_EQ(run.rtl.final_state.buffers[3][static_cast<size_t>(2) * p.interim_depth + 1], INT32_MAX);
}

// The ends of the instruction memory: an empty program (done in cycle 1, golden_model/README.md)
// and one that fills all imem_depth words (its last word, a compute after nops, issues in cycle
// imem_depth and is done 6 cycles later).
TEST(TandemRunProgram, EmptyAndFullInstructionMemory) {
  const BlockInfo& info = find_block("tandem");
  const ParamSet params = resolve_params(info, "", kL4, true);
  auto model = build_model(generate_design(info, params), TraceKind::kNone);
  const TandemParams p = TandemParams::from(params);
  const TandemShape shape{p.lanes, p.interim_depth, p.imem_depth, 8192};
  TandemRtlDriver rtl(*model, shape);
  VerifyResult res;
  const std::vector<uint32_t> empty;
  TandemRun run = run_tandem_program(rtl, shape, empty, TandemState::zeros(shape), "empty", res);
  EXPECT_EQ(run.golden.done_cycle, 1);
  EXPECT_EQ(run.rtl.done_cycle, 1);
  std::string text;
  for (int i = 0; i + 1 < p.imem_depth; ++i) text += "nop\n";
  text += "add vmem1[0], imm[0], imm[0]\n";
  const auto full = isa::tandem::Assemble(text);
  ASSERT_EQ(static_cast<int>(full.size()), p.imem_depth);
  run = run_tandem_program(rtl, shape, full, TandemState::zeros(shape), "full", res);
  EXPECT_EQ(run.golden.done_cycle, p.imem_depth + 6);
  EXPECT_EQ(run.rtl.done_cycle, p.imem_depth + 6);
  ASSERT_EQ(run.rtl.commits.size(), 1u);
  EXPECT_EQ(run.rtl.commits[0].pc, p.imem_depth - 1);
  EXPECT_TRUE(res.passed()) << report_of(res);
}

// Mutations: each breaks one thing in the emitted RTL; the family that exercises it must see it,
// in the instruction or state it concerns.
TEST(TandemCosimMutation, AddThatSaturatesOneBelowMaxIsCaught) {
  const std::string vcd = traced_vcd("tandem_add_saturation");
  const VerifyResult r = run_cosim("tandem", with(kL4, "program=sweep"), 31, vcd, 0,
                                   mutation("sum33[32] ? 32'h80000000 : 32'h7fffffff", "sum33[32] ? 32'h80000000 : 32'h7ffffffe"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "(add ")) << "seed 31" << report_of(r);
  expect_gtkw_marks_first_mismatch(r, vcd);  // --trace's save file marks the first mismatch
  remove_trace(vcd);
}

TEST(TandemCosimMutation, LoopLevelOneEndingAnIterationEarlyIsCaught) {
  const VerifyResult r =
      run_cosim("tandem", with(kL4, "program=loops"), 32, "", 0,
                mutation("+ 17'd1) >= {1'b0, count_q[31:16]}", "+ 17'd2) >= {1'b0, count_q[31:16]}"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "commits differ")) << "seed 32" << report_of(r);
}

TEST(TandemCosimMutation, HostWritesWhileBusyAreCaught) {
  // The testbench offers garbage to the host write port in every busy cycle; it must be ignored.
  const VerifyResult r = run_cosim("tandem", with(kL4, "program=permute"), 34, "", 0,
                                   mutation("buf_we = host_we_i && !running_q;", "buf_we = host_we_i;"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "buffer words differ")) << "seed 34" << report_of(r);
}

TEST(TandemCosimMutation, ZeroExtendingEightBitLoadsIsCaught) {
  const VerifyResult r = run_cosim("tandem", with(kL4, "program=dae"), 33, "", 0,
                                   mutation("$signed(ld_wide[i*32 +: 32] << sext_sh) >>> sext_sh",
                                            "(ld_wide[i*32 +: 32] << sext_sh) >> sext_sh"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "buffer words differ") || mentions(r, "DRAM words differ")) << "seed 33" << report_of(r);
}

// A DAE whose beats ignore the DRAM line boundary (a partial line taken as a whole one) moves
// words of the next line and finishes early: caught in data and in cycles.
TEST(TandemCosimMutation, DaeBeatsCrossingALineEndAreCaught) {
  const VerifyResult r = run_cosim("tandem", with(kL4, "program=dae"), 35, "", 0,
                                   mutation("16'd4 - {14'd0, line_off}", "16'd4"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "done in cycle")) << "seed 35" << report_of(r);
}

// A permute engine whose beats ignore the end of the destination row writes lanes it should
// carry to the next row: caught.
TEST(TandemCosimMutation, PermuteBeatsIgnoringTheDestinationRowEndAreCaught) {
  const VerifyResult r = run_cosim("tandem", with(kL4, "program=permute"), 36, "", 0,
                                   mutation("(src_lrem < dst_lrem) ? src_lrem : dst_lrem", "src_lrem"));
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "buffer words differ") || mentions(r, "commits differ")) << "seed 36" << report_of(r);
}

}  // namespace
}  // namespace accelgen::sim
