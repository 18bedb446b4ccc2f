#include "verilator_tb/npu/npu_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "common/error.hpp"
#include "compiler/npu/workload.hpp"
#include "compiler/tandem/program.hpp"

namespace accelgen::sim {

namespace {

namespace gn = accelgen::golden::npu;
namespace gt = accelgen::golden::tandem;
using isa::tandem::Namespace;

// Cycles the RTL may run past the golden done cycle before the testbench gives up.
constexpr int64_t kTimeoutSlack = 2000;
constexpr uint32_t kPoison = 0xdeadbeefu;
constexpr int kDescFields =
    10;  // 16-bit fields of a block-table entry after bits 0 (GEMM) and 1 (last)

struct GemmRow {
  int64_t cycle;
  int half, addr;
  std::vector<int32_t> data;
};

// What the RTL produced.
struct RtlRun {
  std::string error;
  std::vector<GemmRow> gemm;
  std::vector<gt::Commit> commits;
  std::vector<gt::SyncEvent> syncs;
  std::vector<int> fsm, halves;  // per cycle from 0: FSM state, half states (2 bits per half)
  int64_t done = -1;
  std::vector<int32_t> dram;
  std::vector<std::vector<int32_t>>
      buffers;  // ibuf, vmem1, vmem2, Output BUF half 0, half 1: [row * lanes + lane]
};

// A block-table entry of BITS bits: bit 0 GEMM region, bit 1 last block, then words, m, m_tiles,
// k_blocks, n_blocks, in_base, w_base, tiles, base, len (16 bits each), then w_base's high bits
// (the BITS - 162 bits of a weight scratchpad of more than 65,536 rows).
std::vector<uint32_t> descriptor(const gn::NpuBlock& blk, bool last, int base, int bits,
                                 const std::string& name) {
  const gn::GemmDesc g = blk.gemm.value_or(gn::GemmDesc{});
  const int64_t fields[kDescFields] = {gn::DispatchWords(blk),
                                       g.m,
                                       g.m_tiles,
                                       g.k_blocks,
                                       g.n_blocks,
                                       g.in_base,
                                       g.w_base,
                                       blk.tiles,
                                       base,
                                       static_cast<int64_t>(blk.tandem.size())};
  constexpr int kWBase = 6, kLowBits = 2 + 16 * kDescFields;
  std::vector<uint32_t> words((bits + 31) / 32, 0);
  put_field(words, 0, 1, blk.gemm ? 1 : 0);
  put_field(words, 1, 1, last ? 1 : 0);
  for (int f = 0; f < kDescFields; ++f) {
    const int width = f == kWBase ? 16 + bits - kLowBits : 16;
    if (fields[f] < 0 || fields[f] >= (int64_t{1} << width))
      throw UserError(fmt::format("npu {}: block-table field {} = {} does not fit {} bits", name, f,
                                  fields[f], width));
    put_field(words, 2 + 16 * f, 16, static_cast<uint64_t>(fields[f]) & 0xffffu);
  }
  if (bits > kLowBits)
    put_field(words, kLowBits, bits - kLowBits, static_cast<uint64_t>(g.w_base) >> 16);
  return words;
}

// UserError unless BLOCKS fit the block table and their Tandem regions the instruction memory.
void check_fits(const NpuParams& p, const std::vector<gn::NpuBlock>& blocks) {
  if (static_cast<int>(blocks.size()) > p.max_blocks)
    throw UserError(
        fmt::format("npu: the program has {} blocks, the block table holds {} (max_blocks)",
                    blocks.size(), p.max_blocks));
  int64_t words = 0;
  for (const auto& blk : blocks) words += static_cast<int64_t>(blk.tandem.size());
  if (words > p.imem_depth)
    throw UserError(fmt::format("npu: the program's Tandem regions need {} words, imem_depth = {}",
                                words, p.imem_depth));
}

RtlRun run_rtl(const Model& model, const NpuParams& p, const gn::NpuConfig& cfg,
               const compiler::npu::NpuProgram& prog, const std::vector<gn::NpuBlock>& blocks,
               int64_t timeout, const std::string& trace_path, double* seconds) {
  RtlRun out;
  Harness h(model.create(trace_path));
  const int L = p.lanes, C = p.cols;
  const auto pt = [&](const char* n) { return h.port(n); };
  const int imem_we = pt("imem_we_i"), imem_addr = pt("imem_addr_i"),
            imem_wdata = pt("imem_wdata_i");
  const int host_we = pt("host_we_i"), host_ns = pt("host_ns_i"), host_addr = pt("host_addr_i"),
            host_wdata = pt("host_wdata_i"), host_sel = pt("host_obuf_sel_i"),
            host_rdata = pt("host_rdata_o");
  const int wbuf_we = pt("wbuf_we_i"), wbuf_addr = pt("wbuf_addr_i"),
            wbuf_wdata = pt("wbuf_wdata_i");
  const int blk_we = pt("blk_we_i"), blk_addr = pt("blk_addr_i"), blk_wdata = pt("blk_wdata_i");
  const int start = pt("start_i"), done = pt("done_o"), fsm = pt("fsm_state_o"),
            halves = pt("half_state_o");
  const int g_valid = pt("gemm_out_valid_o"), g_half = pt("gemm_out_half_o"),
            g_addr = pt("gemm_out_addr_o"), g_data = pt("gemm_out_data_o");
  const int c_valid = pt("commit_valid_o"), c_pc = pt("commit_pc_o"), c_ns = pt("commit_ns_o"),
            c_addr = pt("commit_addr_o"), c_mask = pt("commit_mask_o"),
            c_data = pt("commit_data_o");
  const int s_valid = pt("sync_valid_o"), s_func = pt("sync_func_o"), s_group = pt("sync_group_o");
  const int m_valid = pt("mem_valid_o"), m_we = pt("mem_we_o"), m_addr = pt("mem_addr_o"),
            m_wdata = pt("mem_wdata_o"), m_wmask = pt("mem_wmask_o"), m_rdata = pt("mem_rdata_i");
  if (h.width(c_mask) != L || h.width(g_data) != 32 * C)
    throw std::logic_error(
        fmt::format("npu model has {} lanes and {} columns, the testbench expects {} and {}",
                    h.width(c_mask), h.width(g_data) / 32, L, C));
  const auto W = static_cast<size_t>(h.width(m_wmask));

  for (int port : {imem_we, host_we, wbuf_we, blk_we, start, host_sel}) h.set(port, 0);
  h.set_wide(m_rdata, std::vector<uint32_t>(W, 0));
  h.reset();
  const auto write = [&](int we, std::initializer_list<std::pair<int, uint64_t>> sets) {
    h.set(we, 1);
    for (auto [port, v] : sets) h.set(port, v);
    h.settle();
    h.tick();
    h.set(we, 0);
  };
  // Instruction memory: every block's Tandem region, one after the other; the block table.
  check_fits(p, blocks);
  int base = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const auto& blk = blocks[b];
    for (size_t i = 0; i < blk.tandem.size(); ++i)
      write(imem_we, {{imem_addr, base + i}, {imem_wdata, blk.tandem[i]}});
    h.set_wide(blk_wdata,
               descriptor(blk, b + 1 == blocks.size(), base, h.width(blk_wdata), blk.name));
    write(blk_we, {{blk_addr, b}});
    base += static_cast<int>(blk.tandem.size());
  }
  std::vector<uint32_t> row(static_cast<size_t>(L)), wrow((8 * C + 31) / 32), data;
  for (const auto& r : prog.wbuf) {
    std::fill(wrow.begin(), wrow.end(), 0);
    for (size_t c = 0; c < r.lanes.size(); ++c)
      put_field(wrow, 8 * static_cast<int>(c), 8, static_cast<uint32_t>(r.lanes[c]) & 0xffu);
    h.set_wide(wbuf_wdata, wrow);
    write(wbuf_we, {{wbuf_addr, static_cast<uint64_t>(r.row)}});
  }
  for (const auto& r : prog.ibuf) {
    std::fill(row.begin(), row.end(), 0);
    for (size_t l = 0; l < r.lanes.size(); ++l) row[l] = static_cast<uint32_t>(r.lanes[l]);
    h.set_wide(host_wdata, row);
    write(host_we, {{host_ns, 1}, {host_addr, static_cast<uint64_t>(r.row)}});
  }
  out.dram.assign(static_cast<size_t>(cfg.dram_words), 0);
  for (const auto& [a, v] : prog.dram) out.dram.at(static_cast<size_t>(a)) = v;

  // Cycle 0 is the cycle in which start_i is high.
  const int64_t start_cycle = h.cycle();
  h.set(start, 1);
  std::vector<uint32_t> rdata(W, kPoison), line(W), wmask(1);
  const auto t0 = std::chrono::steady_clock::now();
  while (!h.error()) {
    const int64_t c = h.cycle() - start_cycle;
    if (c > timeout) {
      out.error = fmt::format("done_o never rose within {} cycles", timeout);
      break;
    }
    h.set_wide(m_rdata, rdata);
    h.settle();
    std::fill(rdata.begin(), rdata.end(), kPoison);
    out.fsm.push_back(static_cast<int>(h.get(fsm)));
    out.halves.push_back(static_cast<int>(h.get(halves)));
    if (h.get(g_valid)) {
      GemmRow g{c, static_cast<int>(h.get(g_half)), static_cast<int>(h.get(g_addr)), {}};
      h.get_wide(g_data, data);
      for (int k = 0; k < C; ++k) g.data.push_back(static_cast<int32_t>(data[k]));
      out.gemm.push_back(std::move(g));
    }
    if (h.get(c_valid)) {
      gt::Commit cm{c,
                    static_cast<int>(h.get(c_pc)),
                    static_cast<int>(h.get(c_ns)),
                    static_cast<int>(h.get(c_addr)),
                    {},
                    {}};
      h.get_wide(c_mask, data);
      for (int l = 0; l < L; ++l)
        cm.written.push_back(static_cast<uint8_t>((data[l / 32] >> (l % 32)) & 1u));
      h.get_wide(c_data, data);
      for (int l = 0; l < L; ++l) cm.data.push_back(static_cast<int32_t>(data[l]));
      out.commits.push_back(std::move(cm));
    }
    if (h.get(s_valid))
      out.syncs.push_back({c, static_cast<int>(h.get(s_func)), static_cast<int>(h.get(s_group))});
    if (h.get(m_valid)) {
      // One aligned line of W words: a write stores the words of mem_wmask_o at the end of the
      // cycle; a read returns the line in the next cycle (poison otherwise, and outside the DRAM).
      const auto addr = static_cast<int64_t>(h.get(m_addr));
      if (addr % static_cast<int64_t>(W) != 0 || addr >= cfg.dram_words) {
        out.error = fmt::format(
            "cycle {}: DRAM request to word {}, not a {}-word line start inside the DRAM", c, addr,
            W);
        break;
      }
      if (h.get(m_we)) {
        h.get_wide(m_wdata, line);
        h.get_wide(m_wmask, wmask);
        for (size_t j = 0; j < W; ++j)
          if (((wmask[j / 32] >> (j % 32)) & 1u) && addr + static_cast<int64_t>(j) < cfg.dram_words)
            out.dram[static_cast<size_t>(addr) + j] = static_cast<int32_t>(line[j]);
      } else {
        for (size_t j = 0; j < W; ++j)
          if (addr + static_cast<int64_t>(j) < cfg.dram_words)
            rdata[j] = static_cast<uint32_t>(out.dram[static_cast<size_t>(addr) + j]);
      }
    }
    if (h.get(done)) {
      out.done = c;
      h.tick();
      break;
    }
    h.tick();
    h.set(start, 0);
  }
  *seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  h.set(start, 0);
  if (h.error()) out.error = "the simulation raised a Verilog error";
  // Final buffers through the combinational host read port.
  for (int k = 0; k < 5; ++k) {
    std::vector<int32_t> buf(static_cast<size_t>(p.depth) * L);
    h.set(host_ns, k < 3 ? k + 1 : 0);
    h.set(host_sel, k == 4 ? 1 : 0);
    for (int r = 0; r < p.depth; ++r) {
      h.set(host_addr, r);
      h.settle();
      h.get_wide(host_rdata, data);
      for (int l = 0; l < L; ++l)
        buf[static_cast<size_t>(r) * L + l] = static_cast<int32_t>(data[l]);
    }
    out.buffers.push_back(std::move(buf));
  }
  return out;
}

// The state holding in each cycle 0 .. n-1 from "first cycle in which it holds" events (INITIAL
// before the first); several events in one cycle: the last one holds.
template <typename Event, typename Get>
std::vector<int> per_cycle(const std::vector<Event>& events, int64_t n, int initial, Get get) {
  std::vector<int> s(static_cast<size_t>(std::max<int64_t>(n, 0)), initial);
  for (const auto& e : events)
    for (int64_t c = std::max<int64_t>(e.cycle, 0); c < n; ++c)
      s[static_cast<size_t>(c)] = get(e, s[static_cast<size_t>(c)]);
  return s;
}

std::string fsm_name(int s) {
  return s >= 0 && s <= 6 ? gn::FsmStateName(static_cast<gn::FsmState>(s)) : "?";
}
std::string halves_name(int s) {
  const auto n = [](int v) {
    return v <= 2 ? gn::HalfStateName(static_cast<gn::HalfState>(v)) : "?";
  };
  return fmt::format("half 0 {}, half 1 {}", n(s & 3), n((s >> 2) & 3));
}

// `workload=random`: 2..4 blocks (at most max_blocks) of seeded shapes on random scratchpads. A
// GEMM block (M 1..4, 1..3 M tiles, 1..3 K blocks, 1..2 N blocks, random bases) adds each tile's
// Output BUF rows into vmem1, releases the half (in two of three blocks; else at the pass's end),
// then idles 0..12 nops and takes a max into vmem2 after the release; a Tandem-only block (1..3
// passes) adds an IMM value to vmem2 rows. No DRAM traffic.
compiler::npu::NpuProgram random_program(const NpuParams& p, const gn::NpuConfig& cfg,
                                         uint64_t seed) {
  using compiler::tandem::Operand;
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 13);
  const auto draw = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  compiler::npu::NpuProgram prog;
  prog.config = cfg;
  const int R = p.rows, C = p.cols, L = p.lanes;
  for (int r = 0; r < p.depth; ++r) {
    compiler::npu::NpuProgram::RowWrite w{r, std::vector<int32_t>(static_cast<size_t>(L))};
    for (auto& v : w.lanes) v = draw(-300, 300);  // the array reads the low 8 bits
    prog.ibuf.push_back(std::move(w));
  }
  for (int r = 0; r < p.wbuf_depth; ++r) {
    compiler::npu::NpuProgram::RowWrite w{r, std::vector<int32_t>(static_cast<size_t>(C))};
    for (auto& v : w.lanes) v = draw(-128, 127);
    prog.wbuf.push_back(std::move(w));
  }
  const int blocks = std::min(p.max_blocks, draw(2, 4));
  for (int b = 0; b < blocks; ++b) {
    gn::NpuBlock blk;
    blk.name = fmt::format("random {}", b);
    compiler::tandem::ProgramBuilder pb(L, p.depth);
    if (draw(0, 3) > 0) {
      gn::GemmDesc g{draw(1, 4), draw(1, 3), draw(1, 3), draw(1, 2), draw(0, 3), draw(0, 5)};
      // Shrink the shape until it fits the scratchpads.
      while (g.in_base + g.m_tiles * g.k_blocks * g.m > p.depth &&
             (g.m_tiles > 1 || g.k_blocks > 1 || g.m > 1 || g.in_base > 0)) {
        if (g.in_base > 0)
          g.in_base = 0;
        else if (g.m_tiles > 1)
          --g.m_tiles;
        else if (g.k_blocks > 1)
          --g.k_blocks;
        else
          --g.m;
      }
      while (g.w_base + g.n_blocks * g.k_blocks * R > p.wbuf_depth &&
             (g.w_base > 0 || g.n_blocks > 1 || g.k_blocks > 1)) {
        if (g.w_base > 0)
          g.w_base = 0;
        else if (g.n_blocks > 1)
          --g.n_blocks;
        else
          --g.k_blocks;
      }
      if (g.in_base + g.m_tiles * g.k_blocks * g.m > p.depth ||
          g.n_blocks * g.k_blocks * R > p.wbuf_depth)
        throw UserError(
            fmt::format("npu: workload=random needs depth >= 1 and wbuf_depth >= rows ({})", R));
      blk.gemm = g;
      pb.Rows("add", g.m, Operand::Buf(Namespace::kVmem1, 0), Operand::Buf(Namespace::kVmem1, 0),
              Operand::Buf(Namespace::kObuf, 0));
      if (draw(0, 2) > 0) pb.Emit("sync.tandem.end.buf", {{0}});
      for (int i = draw(0, 12); i > 0; --i) pb.Emit("nop", {});
      pb.Rows("max", g.m, Operand::Buf(Namespace::kVmem2, 0), Operand::Buf(Namespace::kVmem1, 0),
              Operand::Imm(draw(-1000, 1000)));
    } else {
      blk.tiles = draw(1, 3);
      pb.Rows("add", draw(1, std::min(4, p.depth)), Operand::Buf(Namespace::kVmem2, 0),
              Operand::Buf(Namespace::kVmem2, 0), Operand::Imm(draw(-50, 50)));
    }
    blk.tandem = pb.words();
    prog.blocks.push_back(std::move(blk));
  }
  return prog;
}

}  // namespace

golden::npu::NpuConfig npu_config(const NpuParams& p, int64_t dram_words) {
  gn::NpuConfig c;
  c.rows = p.rows;
  c.cols = p.cols;
  c.lanes = p.lanes;
  c.depth = p.depth;
  c.wbuf_depth = p.wbuf_depth;
  c.dram_words = dram_words;
  c.dram_bus_words = p.dram_bus_bits / 32;
  return c;
}

void run_npu_program(const Model& model, const NpuParams& params,
                     const compiler::npu::NpuProgram& program, VerifyResult& res,
                     const std::string& trace_path, const std::vector<gn::NpuBlock>* rtl_blocks) {
  const gn::NpuConfig& cfg = program.config;
  check_fits(params, program.blocks);
  gn::NpuSim sim(cfg);
  const std::vector<int8_t> out = compiler::npu::run_on_golden(program, sim);
  const int64_t n = sim.DoneCycle() + 1;
  RtlRun rtl = run_rtl(model, params, cfg, program, rtl_blocks ? *rtl_blocks : program.blocks,
                       sim.DoneCycle() + kTimeoutSlack, trace_path, &res.sim_seconds);
  res.transactions += 1;
  res.golden_cycles += sim.DoneCycle();
  res.rtl_cycles += rtl.done >= 0 ? rtl.done : static_cast<int64_t>(rtl.fsm.size());
  if (!rtl.error.empty()) res.report("npu: " + rtl.error, static_cast<int64_t>(rtl.fsm.size()) - 1);

  // Every cycle: the FSM state and both halves' owners.
  const auto fsm = per_cycle(sim.Fsm(), n, 0,
                             [](const gn::FsmEvent& e, int) { return static_cast<int>(e.state); });
  const auto own = per_cycle(sim.Ownership(), n, 0, [](const gn::OwnEvent& e, int s) {
    return (s & ~(3 << (2 * e.half))) | (static_cast<int>(e.state) << (2 * e.half));
  });
  int64_t fsm_bad = 0, own_bad = 0;
  for (int64_t c = 0; c < n && c < static_cast<int64_t>(rtl.fsm.size()); ++c) {
    const auto i = static_cast<size_t>(c);
    if (fsm[i] != rtl.fsm[i] && fsm_bad++ == 0)
      res.report(fmt::format("cycle {}: FSM expected {} got {}", c, fsm_name(fsm[i]),
                             fsm_name(rtl.fsm[i])),
                 c);
    if (own[i] != rtl.halves[i] && own_bad++ == 0)
      res.report(fmt::format("cycle {}: Output BUF expected {} got {}", c, halves_name(own[i]),
                             halves_name(rtl.halves[i])),
                 c);
    res.outputs_checked += 2;
  }
  if (fsm_bad > 1) res.report(fmt::format("FSM state differs in {} more cycles", fsm_bad - 1));
  if (own_bad > 1)
    res.report(fmt::format("Output BUF ownership differs in {} more cycles", own_bad - 1));
  if (rtl.done != sim.DoneCycle())
    res.report(fmt::format("done cycle: expected {} got {}", sim.DoneCycle(), rtl.done),
               std::min(rtl.done < 0 ? n : rtl.done, sim.DoneCycle()));

  // GEMM output rows, in order (only the first difference is described: one slip shifts the rest).
  const auto& gg = sim.GemmOut();
  for (size_t i = 0; i < std::min(gg.size(), rtl.gemm.size()); ++i) {
    const auto& w = gg[i];
    const auto& g = rtl.gemm[i];
    ++res.outputs_checked;
    if (w.cycle != g.cycle || w.half != g.half || w.addr != g.addr || w.data != g.data) {
      size_t col = 0;
      while (col < w.data.size() && col < g.data.size() && w.data[col] == g.data[col]) ++col;
      res.report(
          fmt::format(
              "GEMM output {}: expected cycle {} half {} row {}, got cycle {} half {} row {}{}", i,
              w.cycle, w.half, w.addr, g.cycle, g.half, g.addr,
              col < w.data.size() && col < g.data.size()
                  ? fmt::format(" (column {}: expected {} got {})", col, w.data[col], g.data[col])
                  : ""),
          std::min(w.cycle, g.cycle));
      break;
    }
  }
  if (gg.size() != rtl.gemm.size())
    res.report(fmt::format("GEMM output rows: expected {} got {}", gg.size(), rtl.gemm.size()));

  // Tandem commits and syncs, in order.
  const auto& gc = sim.Commits();
  for (size_t i = 0; i < std::min(gc.size(), rtl.commits.size()); ++i) {
    const auto& w = gc[i];
    const auto& g = rtl.commits[i];
    ++res.outputs_checked;
    if (w.cycle != g.cycle || w.pc != g.pc || w.ns != g.ns || w.addr != g.addr ||
        w.written != g.written || w.data != g.data) {
      size_t l = 0;
      while (l < w.data.size() && l < g.data.size() && w.data[l] == g.data[l] &&
             w.written[l] == g.written[l])
        ++l;
      res.report(
          fmt::format("Tandem commit {}: expected cycle {} pc {} ns {} row {}, got cycle {} pc {} "
                      "ns {} row {}{}",
                      i, w.cycle, w.pc, w.ns, w.addr, g.cycle, g.pc, g.ns, g.addr,
                      l < w.data.size() && l < g.data.size()
                          ? fmt::format(" (lane {}: expected {} got {})", l, w.data[l], g.data[l])
                          : ""),
          std::min(w.cycle, g.cycle));
      break;
    }
  }
  if (gc.size() != rtl.commits.size())
    res.report(fmt::format("Tandem commits: expected {} got {}", gc.size(), rtl.commits.size()));
  const auto& gs = sim.Syncs();
  for (size_t i = 0; i < std::min(gs.size(), rtl.syncs.size()); ++i) {
    ++res.outputs_checked;
    if (gs[i].cycle != rtl.syncs[i].cycle || gs[i].func != rtl.syncs[i].func ||
        gs[i].group != rtl.syncs[i].group) {
      res.report(
          fmt::format("sync {}: expected cycle {} func {} group {}, got cycle {} func {} group {}",
                      i, gs[i].cycle, gs[i].func, gs[i].group, rtl.syncs[i].cycle,
                      rtl.syncs[i].func, rtl.syncs[i].group),
          std::min(gs[i].cycle, rtl.syncs[i].cycle));
      break;
    }
  }
  if (gs.size() != rtl.syncs.size())
    res.report(fmt::format("syncs: expected {} got {}", gs.size(), rtl.syncs.size()));

  // Final state: DRAM (the network output among it) and the buffers.
  int64_t dram_bad = 0;
  for (int64_t a = 0; a < cfg.dram_words; ++a) {
    const int32_t want = sim.Tandem().ReadDram(a), got = rtl.dram[static_cast<size_t>(a)];
    if (want != got && dram_bad++ == 0)
      res.report(fmt::format("final DRAM word {}: expected {} got {}", a, want, got));
  }
  int64_t out_bad = 0;
  for (int hh = 0; hh < program.out_h; ++hh)
    for (int ww = 0; ww < program.out_w; ++ww)
      for (int ch = 0; ch < program.out_c; ++ch) {
        const int64_t a =
            program.out_base + (int64_t{hh} * program.out_w + ww) * program.out_c + ch;
        ++res.outputs_checked;
        if (static_cast<int8_t>(rtl.dram[static_cast<size_t>(a)]) !=
            out[(ch * program.out_h + hh) * program.out_w + ww])
          ++out_bad;
      }
  if (out_bad > 0)
    res.report(fmt::format("{} of the network's {} output values differ", out_bad, out.size()));
  const char* names[] = {"ibuf", "vmem1", "vmem2", "Output BUF half 0", "Output BUF half 1"};
  for (int k = 0; k < 5; ++k) {
    int64_t bad = 0;
    std::string first;
    for (int r = 0; r < params.depth; ++r)
      for (int l = 0; l < params.lanes; ++l) {
        const int32_t want = k < 3 ? sim.Tandem().Read(static_cast<Namespace>(k + 1), l, r)
                                   : sim.ReadObuf(k - 3, l, r);
        const int32_t got =
            rtl.buffers[static_cast<size_t>(k)][static_cast<size_t>(r) * params.lanes + l];
        if (want != got && bad++ == 0)
          first = fmt::format("row {} lane {}: expected {} got {}", r, l, want, got);
      }
    if (bad > 0)
      res.report(fmt::format("final {}: {} words differ, first {}", names[k], bad, first));
  }
  res.details["gemm_rows"] = static_cast<int64_t>(gg.size());
  res.details["tandem_commits"] = static_cast<int64_t>(gc.size());
  res.details["ownership_changes"] = static_cast<int64_t>(sim.Ownership().size());
  res.details["blocks"] = static_cast<int64_t>(program.blocks.size());
  res.details["outputs"] = static_cast<int64_t>(out.size());
}

compiler::npu::NpuProgram compile_npu_workload(const ParamSet& params, uint64_t seed) {
  const NpuParams p = NpuParams::from(params);
  const NpuStimulus s = NpuStimulus::from(params);
  if (s.workload == "random") return random_program(p, npu_config(p, s.dram_words), seed);
  const compiler::npu::WorkloadOptions o{.channels = s.channels_for(p.cols),
                                         .size = s.size,
                                         .seq = s.seq,
                                         .hidden = s.hidden,
                                         .heads = s.heads,
                                         .ffn = s.ffn,
                                         .tile_m = s.tile_m,
                                         .seed = seed};
  compiler::npu::NpuProgram prog =
      compiler::npu::compile_workload(s.workload, npu_config(p, s.dram_words), o);
  check_fits(p, prog.blocks);
  return prog;
}

VerifyResult run_npu_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const NpuParams p = NpuParams::from(params);
  const compiler::npu::NpuProgram program = compile_npu_workload(params, options.seed);
  VerifyResult res;
  run_npu_program(model, p, program, res, options.trace_path);
  return res;
}

}  // namespace accelgen::sim
