// Generator for `npu`: NPU-Tandem. Interface, block table, FSM, ownership and timing are specified
// in golden_model/README.md ("npu"); the golden model (golden_model/npu) implements that
// specification independently of this file. The GEMM unit is the `systolic` generator's array and
// the non-GEMM unit the `tandem` generator's processor in NPU mode (its obuf namespace maps to the
// Output BUF half Tandem owns; the GEMM unit writes the halves and reads ibuf through its ports).
#include "generator/npu/npu_gen.hpp"

#include <fmt/format.h>

#include "common/bits.hpp"
#include "common/systolic_params.hpp"
#include "common/tandem_params.hpp"
#include "generator/rtl_util.hpp"
#include "generator/systolic/systolic_gen.hpp"
#include "generator/tandem/tandem_gen.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

// Block-table entry (golden_model/README.md, npu, "Block table"): bit 0 has_gemm, bit 1 last, then
// 16-bit fields from bit 2 in this order; a weight scratchpad of more than 65,536 rows appends the
// weight base's high bits (index_bits(wbuf_depth) - 16 of them) from bit 162.
const char* kDescFields[] = {"words",   "m",      "m_tiles", "k_blocks", "n_blocks",
                             "in_base", "w_base", "tiles",   "base",     "len"};
constexpr int kDescFieldCount = 10;
constexpr int kDescBits = 2 + 16 * kDescFieldCount;  // without the weight base's high bits

// FSM state codes = golden::npu::FsmState order; half states = HalfState order.
enum { kIdle, kBlockStart, kDispatch, kGemm, kTandem, kGemmTandem, kBlockDone };
enum { kHalfGemm, kHalfReady, kHalfTandem };

std::string emit_top(const std::string& name, const std::string& array, const std::string& tandem,
                     const NpuParams& p, const TandemParams& tp, const nlohmann::json& params,
                     std::vector<TopPort>* ports) {
  const int R = p.rows, C = p.cols, L = p.lanes, LW = 32 * L;
  const int AW = index_bits(p.depth), WAW = index_bits(p.wbuf_depth), PW = index_bits(p.imem_depth);
  const int NW = clog2(p.imem_depth + 1), BW = index_bits(p.max_blocks), W = tp.bus_words();
  // The weight row counter's width and the weight base's high bits in the block-table entry.
  const int WRW = std::max(16, WAW), XW = WRW - 16, DB = kDescBits + XW;
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format("{}: NPU-Tandem, a {}x{} systolic GEMM unit and {}-lane Tandem sharing a "
                  "double-buffered Output BUF "
                  "({} rows per half), {}-row weight scratchpad, {}-entry block table.",
                  name, R, C, L, p.depth, p.wbuf_depth, p.max_blocks),
      "npu", params));
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("imem_we_i", 1, "host write of one Tandem instruction word (only while idle)")
      .input("imem_addr_i", PW)
      .input("imem_wdata_i", 32)
      .input("host_we_i", 1, "host write of one buffer row (only while idle)")
      .input("host_ns_i", 2, "0 Output BUF half host_obuf_sel_i, 1 ibuf, 2 vmem1, 3 vmem2")
      .input("host_addr_i", AW)
      .input("host_wdata_i", LW, "lane l in bits [32l +: 32]")
      .input("host_obuf_sel_i", 1, "the Output BUF half the host port reads and writes")
      .output("host_rdata_o", LW, "row host_addr_i of buffer host_ns_i (combinational)")
      .input("wbuf_we_i", 1, "host write of one weight-scratchpad row (only while idle)")
      .input("wbuf_addr_i", WAW)
      .input("wbuf_wdata_i", 8 * C, "column c in bits [8c +: 8]")
      .input("blk_we_i", 1, "host write of one block-table entry (only while idle)")
      .input("blk_addr_i", BW)
      .input("blk_wdata_i", DB,
             XW > 0 ? "bit 0 GEMM region, 1 last block, 16-bit fields from bit 2, the weight "
                      "base's high bits from bit 162"
                    : "bit 0 GEMM region, 1 last block, 16-bit fields from bit 2")
      .input("start_i", 1, "run the program from block 0 (only while idle)")
      .output("busy_o", 1)
      .output("done_o", 1, "high for one cycle: the FSM is back in IDLE")
      .output("fsm_state_o", 3,
              "0 IDLE 1 BLOCK_START 2 DISPATCH 3 GEMM 4 TANDEM 5 GEMM_TANDEM 6 BLOCK_DONE")
      .output("half_state_o", 4,
              "Output BUF half h's owner in bits [2h +: 2]: 0 GEMM, 1 READY, 2 TANDEM")
      .output("gemm_out_valid_o", 1,
              "an array output row accumulated into the Output BUF at the end of this cycle")
      .output("gemm_out_half_o", 1)
      .output("gemm_out_addr_o", AW)
      .output("gemm_out_data_o", 32 * C, "the row after accumulation, column c in bits [32c +: 32]")
      .output("commit_valid_o", 1, "a Tandem compute write-back in its W cycle")
      .output("commit_pc_o", PW, "instruction index within the block's Tandem region")
      .output("commit_ns_o", 3)
      .output("commit_addr_o", AW)
      .output("commit_mask_o", L, "", true)
      .output("commit_data_o", LW)
      .output("sync_valid_o", 1, "a Tandem synchronization instruction in its W cycle")
      .output("sync_func_o", 4)
      .output("sync_group_o", 5)
      .output("mem_valid_o", 1, "the shared DRAM interface (Tandem's Data Access Engine)")
      .output("mem_we_o", 1)
      .output("mem_addr_o", 32)
      .output("mem_wdata_o", 32 * W)
      .output("mem_wmask_o", W, "", true)
      .input("mem_rdata_i", 32 * W);
  *ports = top_ports(m);
  auto& b = m.body();
  b.localparam("StIdle", kIdle)
      .localparam("StBlockStart", kBlockStart)
      .localparam("StDispatch", kDispatch);
  b.localparam("StTandem", kTandem)
      .localparam("StGemmTandem", kGemmTandem)
      .localparam("StBlockDone", kBlockDone);
  b.localparam("HalfGemm", kHalfGemm)
      .localparam("HalfReady", kHalfReady)
      .localparam("HalfTandem", kHalfTandem);

  b.blank();
  b.comment(
      "Host-written storage: the block table and the weight scratchpad (written only while idle).");
  b.logic("running", 1);
  b.logic("blk_mem", DB, p.max_blocks).logic("wbuf_mem", 8 * C, p.wbuf_depth);
  auto& hw = b.always_ff_noreset();
  hw.if_("blk_we_i && !running",
         [](vlog::Block& x) { x.assign("blk_mem[blk_addr_i]", "blk_wdata_i"); });
  hw.if_("wbuf_we_i && !running",
         [](vlog::Block& x) { x.assign("wbuf_mem[wbuf_addr_i]", "wbuf_wdata_i"); });

  b.blank();
  b.comment("The current block's entry (loaded in BLOCK_START).");
  b.logic("st_q", 3).logic("blk_q", BW).logic("cnt_q", 16).logic("desc_q", DB).logic("done_q", 1);
  b.logic("d_gemm", 1).logic("d_last", 1);
  b.assign("d_gemm", "desc_q[0]").assign("d_last", "desc_q[1]");
  for (int f = 0; f < kDescFieldCount; ++f) {
    const std::string sig = fmt::format("d_{}", kDescFields[f]);
    b.logic(sig, 16);
    b.assign(sig, slice("desc_q", 2 + 16 * f, 16));
  }
  const std::string w_base = XW > 0 ? "w_base" : "d_w_base";
  if (XW > 0) {
    b.logic("w_base", WRW);
    b.assign("w_base", fmt::format("{{{}, d_w_base}}", slice("desc_q", kDescBits, XW)));
  }
  b.logic("n_tiles", 16).logic("nk", 16).logic("run", 1);
  b.comment(
      "Passes of the block: its GEMM tiles (M tiles x N blocks), or `tiles` for a Tandem-only "
      "block.");
  b.assign("n_tiles", "d_gemm ? 16'(d_m_tiles * d_n_blocks) : d_tiles");
  b.assign("nk", "16'(d_n_blocks * d_k_blocks)");
  b.assign("running", "st_q != 3'(StIdle)");
  b.assign("run", "st_q == 3'(StTandem) || st_q == 3'(StGemmTandem)");

  b.blank();
  b.comment(
      "Tandem passes. A pass of tile t takes half t mod 2 when Tandem is free and the half is "
      "READY");
  b.comment(
      "(a Tandem-only block: when Tandem is free); it starts in the done cycle of the previous "
      "pass.");
  b.logic("t_done", 1).logic("t_busy", 1).logic("t_sync_valid", 1).logic("t_sync_func", 4);
  b.logic("pass_q", 16)
      .logic("pass_run_q", 1)
      .logic("pass_half_q", 1)
      .logic("pass_own_q", 1)
      .logic("pass_rel_q", 1);
  b.logic("rel_q", 16).logic("hs_q", 4);
  b.logic("pass_done", 1)
      .logic("more", 1)
      .logic("take", 1)
      .logic("take_half", 1)
      .logic("rel_w", 1)
      .logic("rel_done", 1);
  b.logic("rel_eff", 17).logic("block_end", 1);
  b.assign("pass_done", "pass_run_q && t_done");
  b.assign("more", "pass_q < n_tiles");
  b.assign("take_half", "pass_q[0]");
  b.logic("take_own", 1);
  b.comment("Only a pass of a GEMM_TANDEM block takes a half (a Tandem-only block owns none).");
  b.assign("take_own", "take && st_q == 3'(StGemmTandem)");
  b.assign("take",
           "run && more && (!pass_run_q || t_done) && "
           "(st_q == 3'(StTandem) || (take_half ? hs_q[3:2] : hs_q[1:0]) == 2'(HalfReady))");
  b.comment(
      "Release: the BUF sync in its W cycle (the half is GEMM's from the next cycle), or the end "
      "of a pass");
  b.comment("that has none (the half is GEMM's from its done cycle).");
  b.assign("rel_w", "pass_run_q && pass_own_q && t_sync_valid && t_sync_func[1]");
  b.assign("rel_done", "pass_done && pass_own_q && !pass_rel_q");
  b.assign("rel_eff", "{1'b0, rel_q} + {16'd0, rel_done}");
  b.assign("block_end", "run && pass_done && !more");

  b.blank();
  b.comment(
      "GEMM unit: weight beats (bottom row first) and activation vectors in tile order (tile t = "
      "mt*N + nb,");
  b.comment(
      "K blocks inner); a tile's first vector waits until the pass two tiles before has released "
      "its half.");
  b.logic("w_valid", 1)
      .logic("w_ready", 1)
      .logic("w_fire", 1)
      .logic("w_addr", WAW)
      .logic("w_data", 8 * C);
  b.logic("wt_q", 16).logic("wkb_q", 16).logic("wj_q", 16).logic("wblk_q", 16).logic("wrow_q", WRW);
  b.assign("w_valid", "st_q == 3'(StGemmTandem) && wt_q < n_tiles");
  b.assign("w_addr", XW > 0 ? fmt::format("wrow_q + {}'d{} - {}'(wj_q)", WRW, R - 1, WRW)
                            : fmt::format("{}'(wrow_q + 16'd{} - wj_q)", WAW, R - 1));
  b.assign("w_data", "wbuf_mem[w_addr]");
  b.assign("w_fire", "w_valid && w_ready");
  b.logic("x_valid", 1)
      .logic("x_ready", 1)
      .logic("x_fire", 1)
      .logic("x_last", 1)
      .logic("x_data", 8 * R);
  b.logic("vt_q", 16)
      .logic("vkb_q", 16)
      .logic("vm_q", 16)
      .logic("vnb_q", 16)
      .logic("vrow_q", 16)
      .logic("vbase_q", 16);
  b.logic("v_gate", 1).logic("ibuf_row", LW);
  b.assign("v_gate",
           "vkb_q != 16'd0 || vm_q != 16'd0 || vt_q < 16'd2 || (rel_eff + 17'd1) >= {1'b0, vt_q}");
  b.assign("x_valid", "st_q == 3'(StGemmTandem) && vt_q < n_tiles && v_gate");
  b.assign("x_last", "vm_q + 16'd1 == d_m");
  b.assign("x_fire", "x_valid && x_ready");
  b.comment("Each activation is the low 8 bits of its ibuf lane.");
  {
    auto& g = b.generate_for("g_x", "r", R);
    g.assign("x_data[r*8 +: 8]", "ibuf_row[r*32 +: 8]");
  }
  b.logic("y_valid", 1).logic("y_data", 32 * C);
  b.instance(array, "u_array")
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("w_valid_i", "w_valid")
      .connect("w_ready_o", "w_ready")
      .connect("w_data_i", "w_data")
      .connect("x_valid_i", "x_valid")
      .connect("x_ready_o", "x_ready")
      .connect("x_last_i", "x_last")
      .connect("x_data_i", "x_data")
      .connect("y_valid_o", "y_valid")
      .connect("y_data_o", "y_data");

  b.blank();
  b.comment(
      "Output rows: K block 0 writes, later K blocks add (mod 2^32) to the row in the tile's "
      "half.");
  b.logic("ot_q", 16)
      .logic("okb_q", 16)
      .logic("om_q", 16)
      .logic("o_last", 1)
      .logic("o_row", LW)
      .logic("o_sum", 32 * C);
  b.logic("g_wdata", LW).logic("g_wmask", L);
  b.assign("o_last", "okb_q + 16'd1 == d_k_blocks && om_q + 16'd1 == d_m");
  {
    auto& g = b.generate_for("g_acc", "c", C);
    g.assign("o_sum[c*32 +: 32]",
             "(okb_q == 16'd0) ? y_data[c*32 +: 32] : o_row[c*32 +: 32] + y_data[c*32 +: 32]");
  }
  b.assign("g_wdata", L > C ? fmt::format("{{{}'d0, o_sum}}", 32 * (L - C)) : "o_sum");
  b.assign("g_wmask", L > C ? fmt::format("{{{}'d0, {{{}{{1'b1}}}}}}", L - C, C)
                            : fmt::format("{{{}{{1'b1}}}}", C));

  b.blank();
  b.comment("The Tandem processor (NPU mode): obuf is the half the running pass owns.");
  b.logic("t_obuf_sel", 1);
  b.assign("t_obuf_sel", "running ? pass_half_q : host_obuf_sel_i");
  b.instance(tandem, "u_tandem")
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("imem_we_i", "imem_we_i && !running")
      .connect("imem_addr_i", "imem_addr_i")
      .connect("imem_wdata_i", "imem_wdata_i")
      .connect("host_we_i", "host_we_i && !running")
      .connect("host_ns_i", "host_ns_i")
      .connect("host_addr_i", "host_addr_i")
      .connect("host_wdata_i", "host_wdata_i")
      .connect("host_rdata_o", "host_rdata_o")
      .connect("start_i", "take")
      .connect("prog_len_i", fmt::format("{}'(d_len)", NW))
      .connect("busy_o", "t_busy")
      .connect("done_o", "t_done")
      .connect("commit_valid_o", "commit_valid_o")
      .connect("commit_pc_o", "commit_pc_o")
      .connect("commit_ns_o", "commit_ns_o")
      .connect("commit_addr_o", "commit_addr_o")
      .connect("commit_mask_o", "commit_mask_o")
      .connect("commit_data_o", "commit_data_o")
      .connect("sync_valid_o", "t_sync_valid")
      .connect("sync_func_o", "t_sync_func")
      .connect("sync_group_o", "sync_group_o")
      .connect("mem_valid_o", "mem_valid_o")
      .connect("mem_we_o", "mem_we_o")
      .connect("mem_addr_o", "mem_addr_o")
      .connect("mem_wdata_o", "mem_wdata_o")
      .connect("mem_wmask_o", "mem_wmask_o")
      .connect("mem_rdata_i", "mem_rdata_i")
      .connect("prog_base_i", fmt::format("{}'(d_base)", PW))
      .connect("obuf_sel_i", "t_obuf_sel")
      .connect("gemm_we_i", "y_valid")
      .connect("gemm_half_i", "ot_q[0]")
      .connect("gemm_addr_i", fmt::format("{}'(om_q)", AW))
      .connect("gemm_wdata_i", "g_wdata")
      .connect("gemm_wmask_i", "g_wmask")
      .connect("gemm_obuf_rdata_o", "o_row")
      .connect("gemm_ibuf_addr_i", fmt::format("{}'(vrow_q)", AW))
      .connect("gemm_ibuf_rdata_o", "ibuf_row");
  b.assign("sync_valid_o", "t_sync_valid").assign("sync_func_o", "t_sync_func");

  b.blank();
  b.comment(
      "Observed state: a half taken this cycle is TANDEM, a half released by the end of a pass is "
      "GEMM.");
  b.logic("hs_show", 4);
  {
    auto& c = b.always_comb();
    c.assign("hs_show", "hs_q");
    for (int h = 0; h < 2; ++h) {
      c.if_(fmt::format("take_own && take_half == 1'b{}", h),
            [&](vlog::Block& x) { x.assign(slice("hs_show", 2 * h, 2), "2'(HalfTandem)"); });
      c.if_(fmt::format("rel_done && pass_half_q == 1'b{}", h),
            [&](vlog::Block& x) { x.assign(slice("hs_show", 2 * h, 2), "2'(HalfGemm)"); });
    }
  }
  b.assign("half_state_o", "hs_show");
  b.assign("fsm_state_o", "block_end ? 3'(StBlockDone) : st_q");
  b.assign("busy_o", "running").assign("done_o", "done_q");
  b.assign("gemm_out_valid_o", "y_valid")
      .assign("gemm_out_half_o", "ot_q[0]")
      .assign("gemm_out_addr_o", fmt::format("{}'(om_q)", AW));
  b.assign("gemm_out_data_o", "o_sum");

  b.blank();
  auto& ff = b.always_ff();
  for (auto [reg, wd] : std::vector<std::pair<std::string, int>>{
           {"st_q", 3},       {"blk_q", BW},     {"cnt_q", 16},      {"done_q", 1},
           {"pass_q", 16},    {"pass_run_q", 1}, {"pass_half_q", 1}, {"pass_own_q", 1},
           {"pass_rel_q", 1}, {"rel_q", 16},     {"hs_q", 4},        {"wt_q", 16},
           {"wkb_q", 16},     {"wj_q", 16},      {"wblk_q", 16},     {"wrow_q", WRW},
           {"vt_q", 16},      {"vkb_q", 16},     {"vm_q", 16},       {"vnb_q", 16},
           {"vrow_q", 16},    {"vbase_q", 16},   {"ot_q", 16},       {"okb_q", 16},
           {"om_q", 16}})
    ff.reset.assign(reg, lit(wd, 0));
  ff.reset.assign("desc_q", "'0");
  auto& f = ff.body;
  f.assign("done_q", "1'b0");
  f.comment(
      "FSM: IDLE -> BLOCK_START (one cycle) -> DISPATCH (one cycle per word of the block) -> "
      "TANDEM or");
  f.comment("GEMM_TANDEM -> (BLOCK_DONE, the last pass's done cycle) -> next BLOCK_START or IDLE.");
  f.case_(
      "st_q",
      {{"3'(StIdle)",
        [](vlog::Block& x) {
          x.if_("start_i",
                [](vlog::Block& y) { y.assign("st_q", "3'(StBlockStart)").assign("blk_q", "'0"); });
        }},
       {"3'(StBlockStart)",
        [](vlog::Block& x) {
          x.assign("desc_q", "blk_mem[blk_q]")
              .assign("cnt_q", "16'd1")
              .assign("st_q", "3'(StDispatch)");
        }},
       {"3'(StDispatch)",
        [&](vlog::Block& x) {
          x.if_(
              "cnt_q == d_words",
              [&](vlog::Block& y) {
                y.assign("st_q", "d_gemm ? 3'(StGemmTandem) : 3'(StTandem)");
                y.comment("the block's counters start afresh");
                for (const char* r : {"pass_q", "rel_q", "wt_q", "wkb_q", "wj_q", "wblk_q", "vt_q",
                                      "vkb_q", "vm_q", "vnb_q", "ot_q", "okb_q", "om_q"})
                  y.assign(r, "16'd0");
                y.assign("wrow_q", w_base)
                    .assign("vrow_q", "d_in_base")
                    .assign("vbase_q", "d_in_base");
              },
              [](vlog::Block& y) { y.assign("cnt_q", "cnt_q + 16'd1"); });
        }},
       {"3'(StTandem), 3'(StGemmTandem)",
        [&](vlog::Block& x) {
          x.if_("block_end", [&](vlog::Block& y) {
            y.assign("st_q", "d_last ? 3'(StIdle) : 3'(StBlockStart)");
            y.assign("blk_q", fmt::format("blk_q + {}", lit(BW, 1))).assign("done_q", "d_last");
          });
        }}},
      [](vlog::Block& x) { x.assign("st_q", "3'(StIdle)"); });
  f.comment("Passes and ownership.");
  f.if_(
      "take",
      [](vlog::Block& x) {
        x.assign("pass_q", "pass_q + 16'd1")
            .assign("pass_run_q", "1'b1")
            .assign("pass_half_q", "take_half");
        x.assign("pass_own_q", "take_own").assign("pass_rel_q", "1'b0");
      },
      [](vlog::Block& x) {
        x.if_("pass_done", [](vlog::Block& y) { y.assign("pass_run_q", "1'b0"); });
      });
  f.if_("rel_w", [](vlog::Block& x) { x.assign("pass_rel_q", "1'b1"); });
  f.if_("rel_w || rel_done", [](vlog::Block& x) { x.assign("rel_q", "rel_q + 16'd1"); });
  for (int h = 0; h < 2; ++h) {
    const std::string hs = slice("hs_q", 2 * h, 2);
    f.if_(fmt::format("y_valid && o_last && ot_q[0] == 1'b{}", h),
          [&](vlog::Block& x) { x.assign(hs, "2'(HalfReady)"); });
    f.if_(fmt::format("take_own && take_half == 1'b{}", h),
          [&](vlog::Block& x) { x.assign(hs, "2'(HalfTandem)"); });
    f.if_(fmt::format("(rel_w || rel_done) && pass_half_q == 1'b{}", h),
          [&](vlog::Block& x) { x.assign(hs, "2'(HalfGemm)"); });
  }
  f.comment(
      "Weight beats: row w_base + (nb*K + kb)*rows + (rows-1-j); (nb*K + kb) wraps after N*K "
      "blocks (next M tile).");
  f.if_("w_fire", [&](vlog::Block& x) {
    x.if_(
        fmt::format("wj_q == 16'd{}", R - 1),
        [&](vlog::Block& y) {
          y.assign("wj_q", "16'd0");
          y.if_(
              "wkb_q + 16'd1 == d_k_blocks",
              [](vlog::Block& z) { z.assign("wkb_q", "16'd0").assign("wt_q", "wt_q + 16'd1"); },
              [](vlog::Block& z) { z.assign("wkb_q", "wkb_q + 16'd1"); });
          y.if_(
              "wblk_q + 16'd1 == nk",
              [&](vlog::Block& z) { z.assign("wblk_q", "16'd0").assign("wrow_q", w_base); },
              [&](vlog::Block& z) {
                z.assign("wblk_q", "wblk_q + 16'd1")
                    .assign("wrow_q", fmt::format("wrow_q + {}'d{}", WRW, R));
              });
        },
        [](vlog::Block& y) { y.assign("wj_q", "wj_q + 16'd1"); });
  });
  f.comment(
      "Vectors: ibuf row in_base + (mt*K + kb)*M + m; every N block of an M tile rereads the M "
      "tile's rows.");
  f.if_("x_fire", [](vlog::Block& x) {
    x.if_(
        "x_last",
        [](vlog::Block& y) {
          y.assign("vm_q", "16'd0");
          y.if_(
              "vkb_q + 16'd1 == d_k_blocks",
              [](vlog::Block& z) {
                z.assign("vkb_q", "16'd0").assign("vt_q", "vt_q + 16'd1");
                z.if_(
                    "vnb_q + 16'd1 == d_n_blocks",
                    [](vlog::Block& q) {
                      q.assign("vnb_q", "16'd0")
                          .assign("vrow_q", "vrow_q + 16'd1")
                          .assign("vbase_q", "vrow_q + 16'd1");
                    },
                    [](vlog::Block& q) {
                      q.assign("vnb_q", "vnb_q + 16'd1").assign("vrow_q", "vbase_q");
                    });
              },
              [](vlog::Block& z) {
                z.assign("vkb_q", "vkb_q + 16'd1").assign("vrow_q", "vrow_q + 16'd1");
              });
        },
        [](vlog::Block& y) {
          y.assign("vm_q", "vm_q + 16'd1").assign("vrow_q", "vrow_q + 16'd1");
        });
  });
  f.comment("Output rows in the same order.");
  f.if_("y_valid", [](vlog::Block& x) {
    x.if_(
        "om_q + 16'd1 == d_m",
        [](vlog::Block& y) {
          y.assign("om_q", "16'd0");
          y.if_(
              "okb_q + 16'd1 == d_k_blocks",
              [](vlog::Block& z) { z.assign("okb_q", "16'd0").assign("ot_q", "ot_q + 16'd1"); },
              [](vlog::Block& z) { z.assign("okb_q", "okb_q + 16'd1"); });
        },
        [](vlog::Block& y) { y.assign("om_q", "om_q + 16'd1"); });
  });

  b.blank();
  b.comment("Bits no one reads.");
  b.logic("unused_bits", 1);
  std::string unused = "^{t_busy, t_sync_func[3:2], t_sync_func[0]";
  for (int r = 0; r < L; ++r)
    unused += r < R ? fmt::format(", ibuf_row[{}:{}]", 32 * r + 31, 32 * r + 8)
                    : fmt::format(", ibuf_row[{}:{}]", 32 * r + 31, 32 * r);
  if (L > C) unused += fmt::format(", o_row[{}:{}]", LW - 1, 32 * C);
  if (PW < 16) unused += fmt::format(", d_base[15:{}]", PW);
  if (NW < 16) unused += fmt::format(", d_len[15:{}]", NW);
  unused += ", ot_q[15:1]}";
  b.assign("unused_bits", unused);
  return m.emit();
}

}  // namespace

GeneratedDesign generate_npu(const NpuParams& p, const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "npu";
  d.params = params_json;
  d.top = fmt::format("npu_r{}c{}_l{}_d{}_w{}_i{}_b{}", p.rows, p.cols, p.lanes, p.depth,
                      p.wbuf_depth, p.imem_depth, p.max_blocks);
  if (p.dram_bus_bits != 0) d.top += fmt::format("_m{}", p.dram_bus_bits);
  SystolicParams sp;
  sp.rows = p.rows;
  sp.cols = p.cols;
  sp.in_bits = 8;
  sp.acc_bits = 32;
  const GeneratedDesign array = generate_systolic(sp, params_json);
  const TandemParams tp = p.tandem();
  const TandemNpuOptions npu{d.top + "_tandem"};
  const GeneratedDesign tandem = generate_tandem(tp, params_json, &npu);
  d.files = array.files;
  d.files.insert(d.files.end(), tandem.files.begin(), tandem.files.end());
  d.files.push_back(
      {d.top + ".sv", emit_top(d.top, array.top, tandem.top, p, tp, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
