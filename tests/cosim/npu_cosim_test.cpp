// Layer 3 for `npu` (issue 13): compiled workloads (compiler/npu) on the generated NPU-Tandem
// against the golden model (golden_model/npu) — every GEMM output row, Tandem commit and sync,
// the FSM state and both Output BUF halves' owners in every cycle, the done cycle, and the final
// DRAM (the network's output) and buffers. One Verilated configuration (a 4x4 array, 4 lanes),
// built with a VCD tracer so that the mutation below can check its gtkwave marker; a second one
// carries an RTL mutation.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/npu_params.hpp"
#include "isa/tandem/isa.hpp"
#include "tests/cosim/cosim_case.hpp"
#include "tests/cosim/gtkw_check.hpp"
#include "verilator_tb/gtkw.hpp"
#include "verilator_tb/npu/npu_tb.hpp"

namespace accelgen::sim {
namespace {

// 1,536 weight rows, 3,072 instruction words and 32 blocks: enough for the whole tiny_resnet
// (24 blocks, 2,450 words, every weight resident) and the BERT layer (22 blocks, 2,633 words).
const std::vector<std::string> kNpu4 = {"rows=4",       "cols=4",          "lanes=4",
                                        "depth=320",    "wbuf_depth=1536", "imem_depth=3072",
                                        "max_blocks=32"};

std::vector<std::string> with(std::vector<std::string> sets,
                              std::initializer_list<std::string> extra) {
  sets.insert(sets.end(), extra);
  return sets;
}

// The traced model of kNpu4 (the cache shares it between the test processes).
std::shared_ptr<Model> npu4_model(const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block("npu");
  GeneratedDesign design = generate_design(info, resolve_params(info, "", kNpu4, true));
  if (mutate) mutate(design);
  return build_model(design, mutate ? TraceKind::kNone : TraceKind::kVcd);
}

class NpuCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(NpuCosim, MatchesGoldenBitAndCycleExact) {
  const CosimCase& c = GetParam();
  const BlockInfo& info = find_block("npu");
  const ParamSet params = resolve_params(info, "", c.sets, true);
  const auto model = npu4_model();
  const VerifyResult r = run_testbench(
      info, params, *model, VerifyOptions{c.seed, 0, trace_path_for("NpuCosim_" + c.name), {}});
  expect_exact(r, c.seed);
  EXPECT_EQ(r.transactions, 1);
  // The events compared are the workload's: GEMM rows, commits, ownership changes.
  EXPECT_GT(r.details.value("gemm_rows", 0), 0);
  EXPECT_GT(r.details.value("tandem_commits", 0), 0);
  EXPECT_GT(r.details.value("ownership_changes", 0), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Workloads, NpuCosim,
    // The ResNet basic block (conv-BN-ReLU-conv-BN-add-ReLU) at C = 4 in one tile per convolution,
    // in 4 tiles (double buffering: GEMM tile t + 2 waits for pass t's release), in 2 tiles; at
    // C = 8 (2 K groups and 2 N blocks per convolution, hand-over through DRAM); the MobileNet-v2
    // inverted residual 2 -> 4 -> 2 with the depthwise convolution on Tandem, whole and in 4 tiles;
    // seeded random programs (GEMM blocks of random M, tiles, K and N blocks and bases, with and
    // without a BUF release, Tandem-only blocks of several passes); the BERT encoder layer (4
    // tokens, hidden 8, 2 heads, FFN 16: six projections on the array, attention, Softmax, GeLU
    // and LayerNorm on Tandem, hand-over through DRAM) and with one head; the whole tiny_resnet
    // (stem, basic block, strided downsampling block with projection, pooling, classifier) at a
    // 4x4 input.
    ::testing::Values(
        CosimCase{"resnet_c4", with(kNpu4, {"channels=4"}), 1},
        CosimCase{"resnet_c4_tiles4", with(kNpu4, {"channels=4", "tile_m=4"}), 2},
        CosimCase{"resnet_c4_tiles2", with(kNpu4, {"channels=4", "tile_m=8"}), 3},
        CosimCase{"resnet_c8", with(kNpu4, {"channels=8"}), 4},
        CosimCase{"mbv2_c2", with(kNpu4, {"workload=mbv2_block", "channels=2"}), 5},
        CosimCase{"mbv2_c2_tiles4", with(kNpu4, {"workload=mbv2_block", "channels=2", "tile_m=4"}),
                  6},
        CosimCase{"random_7", with(kNpu4, {"workload=random"}), 7},
        CosimCase{"random_8", with(kNpu4, {"workload=random"}), 8},
        CosimCase{"random_9", with(kNpu4, {"workload=random"}), 9},
        CosimCase{"random_10", with(kNpu4, {"workload=random"}), 10},
        CosimCase{"bert_layer", with(kNpu4, {"workload=bert_layer"}), 11},
        CosimCase{"bert_layer_1head", with(kNpu4, {"workload=bert_layer", "heads=1", "ffn=8"}), 12},
        CosimCase{"tiny_resnet", with(kNpu4, {"workload=tiny_resnet", "size=4"}), 13}),
    [](const auto& info) { return info.param.name; });

bool mentions(const VerifyResult& r, const std::string& what) {
  for (const auto& m : r.first_mismatches)
    if (m.find(what) != std::string::npos) return true;
  return false;
}

// The compiled ResNet block in 4 tiles with the last convolution's Output BUF release moved one
// instruction early — in front of the loop nest whose body is obuf's last consumer — in the
// program the RTL runs (the golden model rejects that program outright, so it runs the correct
// one): the harness sees the half change owner too early, and the save file marks that cycle.
TEST(NpuCosimMutation, OutputBufReleasedOneInstructionEarlyIsCaught) {
  const BlockInfo& info = find_block("npu");
  const ParamSet params = resolve_params(info, "", with(kNpu4, {"channels=4", "tile_m=4"}), true);
  const compiler::npu::NpuProgram prog = compile_npu_workload(params, 2);
  std::vector<golden::npu::NpuBlock> blocks = prog.blocks;
  auto& words = blocks.back().tandem;
  const auto mnemonic = [](uint32_t w) {
    return std::string(isa::tandem::Decode(w).def->mnemonic);
  };
  auto it = std::find_if(words.begin(), words.end(),
                         [&](uint32_t w) { return mnemonic(w) == "sync.tandem.end.buf"; });
  ASSERT_NE(it, words.end());
  const uint32_t sync = *it;
  auto at = words.erase(it) - 1;  // the loop body instruction that reads obuf
  while (mnemonic(*at) != "loop.set_iter") --at;
  words.insert(at, sync);

  const auto model = npu4_model();
  const std::string vcd = traced_vcd("npu_early_release");
  VerifyResult r;
  run_npu_program(*model, NpuParams::from(params), prog, r, vcd, &blocks);
  r.gtkw = write_gtkw(vcd, "TOP." + model->top(), model->ports(), r.first_mismatch_time);
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "Output BUF expected")) << report_of(r);
  expect_gtkw_marks_first_mismatch(r, vcd);
  remove_trace(vcd);

  // The unmutated program on the same model passes (the mutation, not the model, is caught).
  VerifyResult ok;
  run_npu_program(*model, NpuParams::from(params), prog, ok);
  expect_exact(ok, 2);
}

// RTL mutation: the GEMM unit no longer waits for the release of the half it reuses (tile t + 2
// may start before pass t has released its half) — the half turns READY while the golden model
// still has the GEMM unit waiting on it.
TEST(NpuCosimMutation, GemmNotWaitingForTheReleaseIsCaught) {
  const BlockInfo& info = find_block("npu");
  const ParamSet params = resolve_params(info, "", with(kNpu4, {"channels=4", "tile_m=4"}), true);
  const auto model = npu4_model(
      mutation("(rel_eff + 17'd1) >= {1'b0, vt_q}", "(rel_eff + 17'd2) >= {1'b0, vt_q}"));
  const VerifyResult r = run_testbench(info, params, *model, VerifyOptions{2, 0, "", {}});
  EXPECT_GT(r.mismatches, 0);
  EXPECT_TRUE(mentions(r, "Output BUF expected")) << report_of(r);
}

// The Table 4.4 point (32x32 array, 32 lanes, 512-row halves): the ResNet block at C = 32 in 4
// tiles and the MobileNet-v2 block 16 -> 32 -> 16. Its model build takes about 10 minutes: a soak,
// run with ACCELGEN_SLOW_TESTS=1 (README, NPU-Tandem).
TEST(NpuCosimSlow, TableFourFourPoint) {
  if (std::getenv("ACCELGEN_SLOW_TESTS") == nullptr)
    GTEST_SKIP() << "soak: set ACCELGEN_SLOW_TESTS=1 to run";
  for (const auto& sets :
       {std::vector<std::string>{"tile_m=4"}, std::vector<std::string>{"workload=mbv2_block"}}) {
    const VerifyResult r = run_cosim("npu", sets, 1);
    expect_exact(r, 1);
  }
}

// The zoo's whole ResNet-18 at an 8x8 input on an 8x8 array with 8 lanes: 73 blocks, 26,502
// Tandem words, every weight resident (1.46 M weight rows, a weight base wider than 16 bits),
// 1,539,551 cycles: a whole network from the model zoo, RTL = golden. About 15 s with a warm
// ccache (its own model build); it runs in ctest because it is the one zoo model end to end.
TEST(NpuCosim, WholeResNet18FromTheZoo) {
  const VerifyResult r =
      run_cosim("npu",
                {"rows=8", "cols=8", "lanes=8", "depth=1024", "wbuf_depth=1500000",
                 "imem_depth=32768", "max_blocks=128", "workload=resnet18", "size=8"},
                1);
  expect_exact(r, 1);
  EXPECT_EQ(r.details.value("outputs", 0), 1000);
  EXPECT_EQ(r.details.value("blocks", 0), 73);
}

}  // namespace
}  // namespace accelgen::sim
