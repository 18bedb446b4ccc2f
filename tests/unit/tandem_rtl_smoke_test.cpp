// A small Verilator smoke test of the generated Tandem RTL (lanes=4, interim_depth=16,
// imem_depth=64, with the one-word engines dram_bus_bits=32 and permute_width=1; the line-wide
// engines are co-simulated against the golden model in tests/cosim): a few hand-written programs with results and cycles computed by hand from
// isa/README.md and golden_model/README.md ("tandem", timing). The full bit- and cycle-exact
// comparison against the golden model is the co-simulation testbench's job; this test catches
// gross bugs in the generator on its own.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "isa/tandem/asm.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/model_builder.hpp"

namespace accelgen {
namespace {

constexpr int kLanes = 4;
using Row = std::vector<int32_t>;

struct Commit {
  int64_t cycle;
  uint64_t pc, ns, addr, mask;
  Row data;
};

struct Result {
  std::vector<Commit> commits;
  int64_t done_cycle = -1;
  int64_t busy_cycles = 0;
  std::vector<std::pair<int64_t, uint64_t>> syncs;  // cycle, {func, group}
};

class TandemSmoke : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const BlockInfo& info = find_block("tandem");
    GeneratedDesign d = generate_design(
        info, resolve_params(info, "", {"lanes=4", "interim_depth=16", "imem_depth=64", "dram_bus_bits=32", "permute_width=1"},
                               false));
    model_ = sim::build_model(d, sim::TraceKind::kNone);
  }
  void SetUp() override {
    ASSERT_NE(model_, nullptr);
    h_ = std::make_unique<sim::Harness>(model_->create());
    h_->reset();
  }

  int p(const char* name) { return h_->port(name); }

  void idle_inputs() {
    for (const char* n : {"imem_we_i", "host_we_i", "start_i", "mem_rdata_i"}) h_->set(p(n), 0);
  }

  void write_row(int ns, int addr, const Row& row) {
    idle_inputs();
    std::vector<uint32_t> words(row.begin(), row.end());
    h_->set(p("host_we_i"), 1);
    h_->set(p("host_ns_i"), ns);
    h_->set(p("host_addr_i"), addr);
    h_->set_wide(p("host_wdata_i"), words);
    h_->settle();
    h_->tick();
    idle_inputs();
  }

  Row read_row(int ns, int addr) {
    h_->set(p("host_ns_i"), ns);
    h_->set(p("host_addr_i"), addr);
    h_->settle();
    std::vector<uint32_t> words;
    h_->get_wide(p("host_rdata_o"), words);
    return Row(words.begin(), words.begin() + kLanes);
  }

  // Loads PROGRAM, starts it (cycle 0) and runs to done_o, serving DRAM from dram_.
  Result run(const std::string& program) {
    const std::vector<uint32_t> words = isa::tandem::Assemble(program);
    idle_inputs();
    for (size_t i = 0; i < words.size(); ++i) {
      h_->set(p("imem_we_i"), 1);
      h_->set(p("imem_addr_i"), i);
      h_->set(p("imem_wdata_i"), words[i]);
      h_->settle();
      h_->tick();
    }
    idle_inputs();
    Result r;
    uint32_t rdata = 0;
    for (int64_t c = 0; c < 400; ++c) {
      h_->set(p("start_i"), c == 0);
      h_->set(p("prog_len_i"), words.size());
      h_->set(p("mem_rdata_i"), rdata);
      h_->settle();
      if (h_->get(p("busy_o"))) ++r.busy_cycles;
      if (h_->get(p("commit_valid_o"))) {
        std::vector<uint32_t> data;
        h_->get_wide(p("commit_data_o"), data);
        r.commits.push_back({c, h_->get(p("commit_pc_o")), h_->get(p("commit_ns_o")), h_->get(p("commit_addr_o")),
                             h_->get(p("commit_mask_o")), Row(data.begin(), data.begin() + kLanes)});
      }
      if (h_->get(p("sync_valid_o")))
        r.syncs.push_back({c, (h_->get(p("sync_func_o")) << 8) | h_->get(p("sync_group_o"))});
      // DRAM: the word of this cycle's request is mem_rdata_i next cycle; writes land now.
      if (h_->get(p("mem_valid_o"))) {
        const uint64_t a = h_->get(p("mem_addr_o"));
        if (h_->get(p("mem_we_o"))) dram_[a] = static_cast<uint32_t>(h_->get(p("mem_wdata_o")));
        rdata = dram_.count(a) ? dram_[a] : 0;
      }
      const bool done = h_->get(p("done_o"));
      h_->tick();
      if (done) {
        r.done_cycle = c;
        break;
      }
    }
    EXPECT_FALSE(h_->error());
    return r;
  }

  static std::shared_ptr<sim::Model> model_;
  std::unique_ptr<sim::Harness> h_;
  std::map<uint64_t, uint32_t> dram_;
};

std::shared_ptr<sim::Model> TandemSmoke::model_;

constexpr int kObuf = 0, kVmem1 = 2, kVmem2 = 3;
constexpr int32_t kMax = INT32_MAX, kMin = INT32_MIN;

TEST_F(TandemSmoke, AddTimingAndHostAccess) {
  write_row(kVmem1, 0, {1, 2, 3, -4});
  write_row(kVmem2, 0, {10, 20, kMax, kMin});
  Result r = run("add obuf[0], vmem1[0], vmem2[0]\n");
  ASSERT_EQ(r.commits.size(), 1u);
  // Slot 0 is in F in cycle 1, so in W in cycle 6; done = L + 6 = 7.
  EXPECT_EQ(r.commits[0].cycle, 6);
  EXPECT_EQ(r.commits[0].pc, 0u);
  EXPECT_EQ(r.commits[0].ns, 0u);
  EXPECT_EQ(r.commits[0].mask, 0xfu);
  EXPECT_EQ(r.commits[0].data, (Row{11, 22, kMax, kMin}));  // saturating
  EXPECT_EQ(r.done_cycle, 7);
  EXPECT_EQ(r.busy_cycles, 6);  // cycles 1..6
  EXPECT_EQ(read_row(kObuf, 0), (Row{11, 22, kMax, kMin}));
}

TEST_F(TandemSmoke, EmptyProgramIsDoneInCycleOne) {
  Result r = run("");
  EXPECT_EQ(r.done_cycle, 1);
  EXPECT_EQ(r.busy_cycles, 0);
}

TEST_F(TandemSmoke, LoopNestWithImmAndStrides) {
  for (int i = 0; i < 3; ++i) write_row(kVmem1, i, {i, 10 * i, -i, 100});
  Result r = run(
      "iter.stride_sext vmem1[1], 1\n"
      "iter.stride_sext obuf[1], 2\n"
      "iter.base_sext obuf[0], 1\n"
      "imm.sext imm[3], -5\n"
      "loop.set_iter 0, 3\n"
      "loop.set_index obuf[1], vmem1[1], imm[0]\n"
      "loop.set_num_inst 1\n"
      "add obuf[0], vmem1[0], imm[3]\n"
      "sync.tandem.end.exec 7\n");
  ASSERT_EQ(r.commits.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    // Body slots are 7, 8, 9: F in cycles 8..10, W in 13..15; obuf row 1 + 2i.
    EXPECT_EQ(r.commits[i].cycle, 13 + i);
    EXPECT_EQ(r.commits[i].pc, 7u);
    EXPECT_EQ(r.commits[i].addr, static_cast<uint64_t>(1 + 2 * i));
    EXPECT_EQ(r.commits[i].data, (Row{i - 5, 10 * i - 5, -i - 5, 95}));
  }
  // The sync is slot 10: F in cycle 11, W in 16; done = 11 + 6 = 17.
  ASSERT_EQ(r.syncs.size(), 1u);
  EXPECT_EQ(r.syncs[0].first, 16);
  EXPECT_EQ(r.syncs[0].second, (0xcu << 8) | 7u);
  EXPECT_EQ(r.done_cycle, 17);
}

TEST_F(TandemSmoke, SkippedNestStillOccupiesItsSlots) {
  write_row(kVmem1, 0, {1, 2, 3, 4});
  Result r = run(
      "add obuf[0], vmem1[0], vmem1[0]\n"
      "loop.set_iter 0, 0\n"
      "loop.set_num_inst 1\n"
      "add obuf[1], vmem1[0], vmem1[0]\n");
  // The body is skipped (count 0); the last slot is set_num_inst in F in cycle 3: done = 3 + 6.
  ASSERT_EQ(r.commits.size(), 1u);
  EXPECT_EQ(r.commits[0].cycle, 6);
  EXPECT_EQ(r.done_cycle, 9);
  EXPECT_EQ(read_row(kObuf, 1), (Row{0, 0, 0, 0}));
}

TEST_F(TandemSmoke, NestWithNoLevelRunsItsBodyOnce) {
  write_row(kVmem1, 0, {1, 2, 3, 4});
  Result r = run(
      "iter.base_zext obuf[1], 1\n"
      "loop.set_iter 0, 2\n"
      "loop.set_num_inst 1\n"
      "add obuf[0], vmem1[0], vmem1[0]\n"
      "loop.set_num_inst 1\n"
      "add obuf[1], vmem1[0], vmem1[0]\n");
  // Slots: 0..2 in F in cycles 1..3, the body twice (4, 5), set_num_inst (6), its body once (7).
  ASSERT_EQ(r.commits.size(), 3u);
  EXPECT_EQ(r.commits[0].cycle, 9);
  EXPECT_EQ(r.commits[1].cycle, 10);
  EXPECT_EQ(r.commits[2].cycle, 12);
  EXPECT_EQ(r.commits[2].addr, 1u);
  EXPECT_EQ(r.done_cycle, 13);
}

TEST_F(TandemSmoke, FixedPointMulDivAndCasts) {
  write_row(kVmem1, 0, {3 << 16, -7, kMin, 0x12345});
  write_row(kVmem2, 0, {1 << 15, 2, -1, 0});
  Result r = run(
      "div obuf[0], vmem1[0], vmem2[0]\n"
      "abs obuf[1], vmem1[0]\n"
      "sign ibuf[2], vmem1[0]\n"
      "dtype.fxp32 16, 16, 16\n"
      "mul obuf[3], vmem1[0], vmem2[0]\n"
      "cast.fxp32_fxp8 obuf[4], vmem1[0]\n");
  ASSERT_EQ(r.commits.size(), 5u);
  // div: 3<<16 / 2^15 = 6; -7/2 = -3 (toward zero); MIN/-1 saturates; x/0 with x >= 0 is MAX.
  EXPECT_EQ(r.commits[0].data, (Row{6, -3, kMax, kMax}));
  EXPECT_EQ(r.commits[1].data, (Row{3 << 16, 7, kMax, 0x12345}));
  EXPECT_EQ(r.commits[2].data, (Row{1, -1, -1, 1}));
  EXPECT_EQ(r.commits[2].ns, 1u);
  // Q16.16: 3.0 * 0.5 = 1.5; (-7 * 2) >> 16 = -1 (toward -inf); (MIN * -1) >> 16 = 2^15; 0.
  EXPECT_EQ(r.commits[3].data, (Row{3 << 15, -1, 1 << 15, 0}));
  // f1 = fd = 16: no shift, saturate to 8 bits.
  EXPECT_EQ(r.commits[4].data, (Row{127, -7, -128, 127}));
  // The div takes slots 0..33 (isa/README.md item 14), W in cycle 1 + 33 + 5 = 39; then slots
  // 34..38 (the dtype slot writes nothing): the cast is slot 38, W in cycle 44.
  EXPECT_EQ(r.commits[0].cycle, 39);
  EXPECT_EQ(r.commits[1].cycle, 40);
  EXPECT_EQ(r.commits[4].cycle, 44);
}

TEST_F(TandemSmoke, IterativeDividerSignsAndBackToBackDivs) {
  write_row(kVmem1, 0, {kMin, -100, 100, kMin});
  write_row(kVmem2, 0, {0, 7, -7, 1});
  Result r = run(
      "div obuf[0], vmem1[0], vmem2[0]\n"
      "div ibuf[0], vmem2[0], vmem1[0]\n");
  ASSERT_EQ(r.commits.size(), 2u);
  // x < 0 over 0 is MIN; -100/7 = -14 and 100/-7 = -14 (toward zero); MIN/1 = MIN.
  EXPECT_EQ(r.commits[0].data, (Row{kMin, -14, -14, kMin}));
  // 0/MIN = 0; 7/-100 = 0; -7/100 = 0; 1/MIN = 0.
  EXPECT_EQ(r.commits[1].data, (Row{0, 0, 0, 0}));
  // Slots 0..33 and 34..67: W in cycles 39 and 73; done = 68 + 6 = 74 (the last slot is 67, F68).
  EXPECT_EQ(r.commits[0].cycle, 39);
  EXPECT_EQ(r.commits[1].cycle, 73);
  EXPECT_EQ(r.done_cycle, 74);
}

TEST_F(TandemSmoke, FloorAndCeilSaturate) {
  write_row(kVmem1, 0, {-5, 5, kMax, 0});
  Result r = run(
      "iter.base_zext obuf[1], 1\n"
      "iter.base_zext obuf[2], 2\n"
      "iter.base_zext obuf[3], 3\n"
      "dtype.fxp32 32, 0, 32\n"
      "floor obuf[0], vmem1[0]\n"
      "ceil obuf[1], vmem1[0]\n"
      "dtype.fxp32 32, 16, 32\n"
      "floor obuf[2], vmem1[0]\n"
      "ceil obuf[3], vmem1[0]\n");
  ASSERT_EQ(r.commits.size(), 4u);
  // f1 = 32: floor(-5 / 2^32) * 2^32 = -2^32 saturates to MIN; ceil(5) = 2^32 saturates to MAX.
  EXPECT_EQ(r.commits[0].data, (Row{kMin, 0, 0, 0}));
  EXPECT_EQ(r.commits[1].data, (Row{0, kMax, kMax, 0}));
  // f1 = 16: multiples of 65536.
  EXPECT_EQ(r.commits[2].data, (Row{-65536, 0, 0x7fff0000, 0}));
  EXPECT_EQ(r.commits[3].data, (Row{0, 65536, kMax, 0}));
  EXPECT_EQ(r.commits[3].addr, 3u);
}

TEST_F(TandemSmoke, DaeLoadThenStoreAndPermute) {
  for (uint32_t a = 0; a < 64; ++a) dram_[100 + a] = a * 3 + 1;
  // 8 elements (tile loop 7 counts 8, stride 1) from DRAM 100.. into vmem1, 3 lanes per row.
  Result r = run(
      "ld.base_addr lo, vmem1, 100\n"
      "ld.tile_iter vmem1, 7, 8\n"
      "ld.tile_stride lo, vmem1, 7, 1\n"
      "ld.start vmem1, 5, 3\n"
      "add obuf[0], vmem1[0], vmem1[0]\n");
  // ld.start in F in cycle 4: engine s = 10 .. 18, next F in 4 + 8 + 7 = 19, W in 24, done 25.
  ASSERT_EQ(r.commits.size(), 1u);
  EXPECT_EQ(r.commits[0].cycle, 24);
  EXPECT_EQ(r.done_cycle, 25);
  EXPECT_EQ(read_row(kVmem1, 0), (Row{1, 4, 7, 0}));
  EXPECT_EQ(read_row(kVmem1, 1), (Row{10, 13, 16, 0}));
  EXPECT_EQ(read_row(kVmem1, 2), (Row{19, 22, 0, 0}));
  EXPECT_EQ(r.commits[0].data, (Row{2, 8, 14, 0}));

  // Store vmem1 rows 0..1 (lanes 0..1 of each) as 8-bit values to DRAM 500..503; a second start
  // advances the base loop: base loop 7 counts 2 with stride 10.
  write_row(kVmem1, 3, {300, -2, 9, 9});
  Result s = run(
      "st.base_addr lo, vmem1, 500\n"
      "st.base_iter vmem1, 7, 2\n"
      "st.base_stride lo, vmem1, 7, 10\n"
      "st.tile_addr lo, vmem1, 3\n"
      "st.tile_iter vmem1, 7, 2\n"
      "st.tile_stride lo, vmem1, 7, 1\n"
      "st.start vmem1, 3, 2\n"
      "st.start vmem1, 4, 2\n");
  // 300 as 8 bits is 44; -2 stays -2. Second start: base index 1, DRAM 510.., 16-bit: 300.
  EXPECT_EQ(dram_[500], 44u);
  EXPECT_EQ(dram_[501], static_cast<uint32_t>(-2));
  EXPECT_EQ(dram_[510], 300u);
  EXPECT_EQ(dram_[511], static_cast<uint32_t>(-2));
  // Starts in F in cycles 7 and 7 + 2 + 7 = 16; done = 16 + 2 + 7 = 25.
  EXPECT_EQ(s.done_cycle, 25);

  // Transpose-like permute: vmem2 flat 0..3 (row 0) <- vmem1 lanes 0 of rows 0..3 (flat 0,4,8,12).
  Result t = run(
      "perm.set_iter src, 7, 4\n"
      "perm.set_stride src, 7, 4\n"
      "perm.set_iter dst, 7, 4\n"
      "perm.set_stride dst, 7, 1\n"
      "perm.start vmem2, vmem1, 0\n");
  EXPECT_EQ(read_row(kVmem2, 0), (Row{1, 10, 19, 300}));
  // perm.start in F in cycle 5: done = 5 + 4 + 7 = 16.
  EXPECT_EQ(t.done_cycle, 16);
}

}  // namespace
}  // namespace accelgen
