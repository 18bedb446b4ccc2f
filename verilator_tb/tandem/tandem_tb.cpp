#include "verilator_tb/tandem/tandem_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "common/error.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::sim {

namespace {

namespace gt = accelgen::golden::tandem;
using isa::tandem::Namespace;

constexpr int64_t kDefaultRandomPrograms = 20;
// Cycles the RTL may run past the golden done cycle before the testbench gives up.
constexpr int64_t kTimeoutSlack = 1000;

std::string ns_name(int ns) {
  const std::string_view n = isa::tandem::NamespaceName(ns);
  return n.empty() ? fmt::format("ns{}", ns) : std::string(n);
}

std::string disasm(std::span<const uint32_t> program, int pc) {
  if (pc < 0 || pc >= static_cast<int>(program.size())) return "?";
  try {
    return isa::tandem::Disassemble(program[static_cast<size_t>(pc)]);
  } catch (const UserError&) {
    return fmt::format("0x{:08x}", program[static_cast<size_t>(pc)]);
  }
}

// Lane mask, lane 0 rightmost: binary up to 8 lanes, hexadecimal beyond.
std::string mask_text(const std::vector<uint8_t>& written) {
  std::string s;
  if (written.size() <= 8) {
    for (size_t l = written.size(); l-- > 0;) s += written[l] ? '1' : '0';
    return s;
  }
  for (size_t top = (written.size() + 3) / 4 * 4; top > 0; top -= 4) {
    int nibble = 0;
    for (size_t b = 0; b < 4; ++b)
      if (top - 4 + b < written.size() && written[top - 4 + b]) nibble |= 1 << b;
    s += "0123456789abcdef"[nibble];
  }
  return "0x" + s;
}

// The first lanes in which two commits differ, as "lane l: expected a got b".
std::string lane_diff(const gt::Commit& want, const gt::Commit& got) {
  std::vector<std::string> parts;
  for (size_t l = 0; l < want.data.size() && l < got.data.size() && parts.size() < 4; ++l) {
    if (want.written[l] != got.written[l] || want.data[l] != got.data[l])
      parts.push_back(fmt::format("lane {}: expected {}{} got {}{}", l, want.data[l], want.written[l] ? "" : " (unwritten)",
                                  got.data[l], got.written[l] ? "" : " (unwritten)"));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string commit_text(const gt::Commit& c) {
  return fmt::format("cycle {} {}[{}] lanes {}", c.cycle, ns_name(c.ns), c.addr, mask_text(c.written));
}

}  // namespace

TandemShape tandem_shape(const ParamSet& params) {
  const TandemParams p = TandemParams::from(params);
  TandemShape s{p.lanes, p.interim_depth, p.imem_depth, 1 << 16, p.bus_words(), p.perm_width()};
  if (params.has("dram_words")) s.dram_words = TandemStimulus::from(params).dram_words;
  return s;
}

TandemSide run_tandem_golden(const TandemShape& shape, std::span<const uint32_t> program, const TandemState& init) {
  TandemSide side;
  gt::TandemSimConfig cfg;
  cfg.lanes = shape.lanes;
  cfg.depth = shape.depth;
  cfg.dram_words = shape.dram_words;
  cfg.record_commits = true;
  cfg.dram_bus_words = shape.bus_words;
  cfg.permute_width = shape.perm_width;
  gt::TandemSim sim(cfg);
  for (int ns = 0; ns < 4; ++ns)
    for (int l = 0; l < shape.lanes; ++l)
      for (int r = 0; r < shape.depth; ++r) {
        const int32_t v = init.buffers[ns][static_cast<size_t>(l) * shape.depth + r];
        if (v != 0) sim.Write(static_cast<Namespace>(ns), l, r, v);
      }
  for (int64_t a = 0; a < static_cast<int64_t>(init.dram.size()); ++a)
    if (init.dram[a] != 0) sim.WriteDram(a, init.dram[a]);
  try {
    sim.Run(program);
  } catch (const UserError& e) {
    side.error = e.what();
    return side;
  }
  side.ran = true;
  side.commits = sim.Commits();
  side.syncs = sim.Syncs();
  side.done_cycle = sim.DoneCycle();
  side.compute_count = sim.ComputeCount();
  side.final_state = TandemState::zeros(shape);
  for (int ns = 0; ns < 4; ++ns)
    for (int l = 0; l < shape.lanes; ++l)
      for (int r = 0; r < shape.depth; ++r)
        side.final_state.buffers[ns][static_cast<size_t>(l) * shape.depth + r] = sim.Read(static_cast<Namespace>(ns), l, r);
  for (int64_t a = 0; a < shape.dram_words; ++a) side.final_state.dram[a] = sim.ReadDram(a);
  return side;
}

TandemRtlDriver::TandemRtlDriver(const Model& model, const TandemShape& shape, const std::string& trace_path,
                                 ActivityRecord* activity)
    : shape_(shape), h_(model.create(trace_path), activity) {
  imem_we_ = h_.port("imem_we_i");
  imem_addr_ = h_.port("imem_addr_i");
  imem_wdata_ = h_.port("imem_wdata_i");
  host_we_ = h_.port("host_we_i");
  host_ns_ = h_.port("host_ns_i");
  host_addr_ = h_.port("host_addr_i");
  host_wdata_ = h_.port("host_wdata_i");
  host_rdata_ = h_.port("host_rdata_o");
  start_ = h_.port("start_i");
  prog_len_ = h_.port("prog_len_i");
  busy_ = h_.port("busy_o");
  done_ = h_.port("done_o");
  c_valid_ = h_.port("commit_valid_o");
  c_pc_ = h_.port("commit_pc_o");
  c_ns_ = h_.port("commit_ns_o");
  c_addr_ = h_.port("commit_addr_o");
  c_mask_ = h_.port("commit_mask_o");
  c_data_ = h_.port("commit_data_o");
  s_valid_ = h_.port("sync_valid_o");
  s_func_ = h_.port("sync_func_o");
  s_group_ = h_.port("sync_group_o");
  m_valid_ = h_.port("mem_valid_o");
  m_we_ = h_.port("mem_we_o");
  m_addr_ = h_.port("mem_addr_o");
  m_wdata_ = h_.port("mem_wdata_o");
  m_rdata_ = h_.port("mem_rdata_i");
  m_wmask_ = h_.port("mem_wmask_o");
  if (h_.width(c_mask_) != shape.lanes || h_.width(host_wdata_) != 32 * shape.lanes)
    throw std::logic_error(fmt::format("tandem model has {} lanes, the testbench expects {}", h_.width(c_mask_), shape.lanes));
  bus_words_ = h_.width(m_wmask_);
  const int want_bus = gt::DramBusWords({shape.lanes, shape.depth, shape.dram_words, 1, false, shape.bus_words, 0});
  if (h_.width(m_rdata_) != 32 * bus_words_ || bus_words_ != want_bus)
    throw std::logic_error(fmt::format("tandem model has a {}-word DRAM bus, the testbench expects {}", bus_words_, want_bus));
}

TandemSide TandemRtlDriver::run(std::span<const uint32_t> program, const TandemState& init, int64_t timeout) {
  TandemSide side;
  if (static_cast<int64_t>(program.size()) > shape_.imem_depth)
    throw UserError(fmt::format("the program has {} words, the instruction memory holds {} (imem_depth)",
                                program.size(), shape_.imem_depth));
  std::vector<int32_t> dram = init.dram;
  const size_t row_words = static_cast<size_t>(shape_.lanes);
  std::vector<uint32_t> row(row_words), data;

  h_.set(start_, 0);
  h_.set(imem_we_, 0);
  h_.set(host_we_, 0);
  h_.set(m_rdata_, 0);
  h_.reset();
  // Load the instruction memory, then every non-zero buffer row (reset cleared the buffers).
  h_.set(imem_we_, 1);
  for (size_t i = 0; i < program.size(); ++i) {
    h_.set(imem_addr_, i);
    h_.set(imem_wdata_, program[i]);
    h_.settle();
    h_.tick();
  }
  h_.set(imem_we_, 0);
  h_.set(host_we_, 1);
  for (int ns = 0; ns < 4; ++ns)
    for (int r = 0; r < shape_.depth; ++r) {
      bool any = false;
      for (int l = 0; l < shape_.lanes; ++l) {
        row[l] = static_cast<uint32_t>(init.buffers[ns][static_cast<size_t>(l) * shape_.depth + r]);
        any = any || row[l] != 0;
      }
      if (!any) continue;
      h_.set(host_ns_, ns);
      h_.set(host_addr_, r);
      h_.set_wide(host_wdata_, row);
      h_.settle();
      h_.tick();
    }
  h_.set(host_we_, 0);

  // Cycle 0 is the cycle in which start_i is high.
  h_.set(start_, 1);
  h_.set(prog_len_, program.size());
  const int64_t start_cycle = h_.cycle();
  // Simulation speed counts the program's own cycles, not the loading and read-back around them.
  const auto t0 = std::chrono::steady_clock::now();
  // mem_rdata_i carries a poison word in every cycle whose previous cycle made no read request,
  // so reading it a cycle late (or early) cannot pass by luck.
  constexpr uint32_t kPoison = 0xdeadbeefu;
  std::mt19937_64 poke_rng(program.size() * 7919 + 1);
  const auto W = static_cast<size_t>(bus_words_);
  std::vector<uint32_t> rdata(W, kPoison), line(W), wmask(1);
  bool done = false;
  std::string busy_problem;
  while (!h_.error()) {
    const int64_t c = h_.cycle() - start_cycle;
    if (c > timeout) break;
    h_.set_wide(m_rdata_, rdata);
    // Host writes while busy must be ignored: offer garbage to both host write ports in every
    // cycle after the start, withdrawn again in a cycle where busy_o is low (the done cycle).
    const bool poke = c >= 1;
    if (poke) {
      for (auto& w : row) w = static_cast<uint32_t>(poke_rng()) | 0x80000001u;
      h_.set(host_we_, 1);
      h_.set(host_ns_, poke_rng() % 4);
      h_.set(host_addr_, poke_rng() % static_cast<uint64_t>(shape_.depth));
      h_.set_wide(host_wdata_, row);
      h_.set(imem_we_, 1);
      h_.set(imem_addr_, poke_rng() % static_cast<uint64_t>(shape_.imem_depth));
      h_.set(imem_wdata_, static_cast<uint32_t>(poke_rng()));
    }
    h_.settle();
    if (poke && !h_.get(busy_)) {
      h_.set(host_we_, 0);
      h_.set(imem_we_, 0);
      h_.settle();
    }
    std::fill(rdata.begin(), rdata.end(), kPoison);
    if (h_.get(c_valid_)) {
      gt::Commit cm;
      cm.cycle = c;
      cm.pc = static_cast<int>(h_.get(c_pc_));
      cm.ns = static_cast<int>(h_.get(c_ns_));
      cm.addr = static_cast<int>(h_.get(c_addr_));
      h_.get_wide(c_mask_, data);
      for (int l = 0; l < shape_.lanes; ++l) cm.written.push_back(static_cast<uint8_t>((data[l / 32] >> (l % 32)) & 1u));
      h_.get_wide(c_data_, data);
      for (int l = 0; l < shape_.lanes; ++l) cm.data.push_back(static_cast<int32_t>(data[l]));
      side.commits.push_back(std::move(cm));
    }
    if (h_.get(s_valid_))
      side.syncs.push_back({c, static_cast<int>(h_.get(s_func_)), static_cast<int>(h_.get(s_group_))});
    if (h_.get(m_valid_)) {
      // One aligned line of W words: a write stores the words of mem_wmask_o at the end of the
      // cycle; a read returns the line in the next cycle (words outside the DRAM read as poison,
      // so using one cannot pass by luck; a masked write outside it is an error).
      const auto addr = static_cast<int64_t>(h_.get(m_addr_));
      if (addr % static_cast<int64_t>(W) != 0 || addr >= shape_.dram_words) {
        side.error = fmt::format("cycle {}: DRAM request to word {}, not a {}-word line start inside the {}-word DRAM", c,
                                 addr, W, shape_.dram_words);
        break;
      }
      if (h_.get(m_we_)) {
        h_.get_wide(m_wdata_, line);
        h_.get_wide(m_wmask_, wmask);
        bool outside = false;
        for (size_t j = 0; j < W; ++j) {
          if (!((wmask[j / 32] >> (j % 32)) & 1u)) continue;
          if (addr + static_cast<int64_t>(j) >= shape_.dram_words) outside = true;
          else dram[static_cast<size_t>(addr) + j] = static_cast<int32_t>(line[j]);
        }
        if (outside) {
          side.error = fmt::format("cycle {}: DRAM write of line {} reaches past the {}-word DRAM", c, addr, shape_.dram_words);
          break;
        }
      } else {
        for (size_t j = 0; j < W; ++j)
          if (addr + static_cast<int64_t>(j) < shape_.dram_words) rdata[j] = static_cast<uint32_t>(dram[static_cast<size_t>(addr) + j]);
      }
    }
    const bool busy = h_.get(busy_) != 0;
    if (h_.get(done_)) {
      if (busy && busy_problem.empty()) busy_problem = fmt::format("cycle {}: busy_o still high in the done cycle", c);
      side.done_cycle = c;
      done = true;
      // done_o is a one-cycle pulse, and the pipeline is idle after it.
      h_.set(host_we_, 0);
      h_.set(imem_we_, 0);
      h_.tick();
      h_.settle();
      if ((h_.get(done_) || h_.get(busy_) || h_.get(m_valid_) || h_.get(c_valid_)) && busy_problem.empty())
        busy_problem = fmt::format("cycle {}: done_o, busy_o, mem_valid_o or commit_valid_o high after the done cycle", c + 1);
      break;
    }
    if (c >= 1 && !busy && busy_problem.empty()) busy_problem = fmt::format("cycle {}: busy_o low before done_o", c);
    h_.tick();
    h_.set(start_, 0);
  }
  sim_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  h_.set(start_, 0);
  h_.set(host_we_, 0);
  h_.set(imem_we_, 0);
  if (h_.error()) side.error = "the simulation raised a Verilog error";
  else if (!done && side.error.empty()) side.error = fmt::format("done_o never rose within {} cycles", timeout);
  else if (!busy_problem.empty()) side.error = busy_problem;

  // Final buffers through the combinational host read port.
  side.final_state = TandemState::zeros(shape_);
  for (int ns = 0; ns < 4; ++ns)
    for (int r = 0; r < shape_.depth; ++r) {
      h_.set(host_ns_, ns);
      h_.set(host_addr_, r);
      h_.settle();
      h_.get_wide(host_rdata_, data);
      for (int l = 0; l < shape_.lanes; ++l)
        side.final_state.buffers[ns][static_cast<size_t>(l) * shape_.depth + r] = static_cast<int32_t>(data[l]);
    }
  side.final_state.dram = std::move(dram);
  side.ran = true;
  return side;
}

void compare_tandem(const TandemRun& run, const TandemShape& shape, std::span<const uint32_t> program,
                    const std::string& label, VerifyResult& res) {
  const TandemSide& want = run.golden;
  const TandemSide& got = run.rtl;
  if (!want.ran) {
    res.report(fmt::format("{}: the golden simulator rejected the program: {}", label, want.error));
    return;
  }
  if (!got.error.empty()) res.report(fmt::format("{}: {}", label, got.error));

  // Commits, in order; only the first difference is described (one slip shifts all the rest).
  const size_t n = std::max(want.commits.size(), got.commits.size());
  int64_t bad = 0, first_cycle = -1;
  std::string first;
  for (size_t k = 0; k < n; ++k) {
    if (k >= got.commits.size()) {
      if (first.empty()) {
        first_cycle = want.commits[k].cycle;
        first = fmt::format("commit #{} pc {} ({}): expected {}, never produced", k, want.commits[k].pc,
                            disasm(program, want.commits[k].pc), commit_text(want.commits[k]));
      }
      ++bad;
      continue;
    }
    if (k >= want.commits.size()) {
      if (first.empty()) {
        first_cycle = got.commits[k].cycle;
        first = fmt::format("cycle {}: commit #{} pc {} ({}): expected no more commits, got {}", got.commits[k].cycle, k,
                            got.commits[k].pc, disasm(program, got.commits[k].pc), commit_text(got.commits[k]));
      }
      ++bad;
      continue;
    }
    ++res.outputs_checked;
    const gt::Commit& w = want.commits[k];
    const gt::Commit& g = got.commits[k];
    if (w.cycle == g.cycle && w.pc == g.pc && w.ns == g.ns && w.addr == g.addr && w.written == g.written && w.data == g.data)
      continue;
    if (first.empty()) {
      first_cycle = std::min<int64_t>(w.cycle, g.cycle);
      first = fmt::format("cycle {}: commit #{} pc {} ({}): expected {}, got pc {} {}", w.cycle, k, w.pc,
                          disasm(program, w.pc), commit_text(w), g.pc, commit_text(g));
      const std::string lanes = lane_diff(w, g);
      if (!lanes.empty()) first += "; " + lanes;
    }
    ++bad;
  }
  if (bad > 0) {
    res.report(fmt::format("{}: {} ({} of {} commits differ)", label, first, bad, n), first_cycle);
    res.mismatches += bad - 1;
  }

  // Sync events.
  const size_t ns = std::max(want.syncs.size(), got.syncs.size());
  bad = 0;
  first_cycle = -1;
  first.clear();
  for (size_t k = 0; k < ns; ++k) {
    const bool have_w = k < want.syncs.size(), have_g = k < got.syncs.size();
    if (have_w && have_g) {
      ++res.outputs_checked;
      const auto& w = want.syncs[k];
      const auto& g = got.syncs[k];
      if (w.cycle == g.cycle && w.func == g.func && w.group == g.group) continue;
    }
    if (first.empty()) {
      const auto fmt_sync = [](const gt::SyncEvent& s) {
        return fmt::format("cycle {} func {} group {}", s.cycle, s.func, s.group);
      };
      first_cycle = have_w && have_g ? std::min<int64_t>(want.syncs[k].cycle, got.syncs[k].cycle)
                    : have_w        ? want.syncs[k].cycle
                                    : got.syncs[k].cycle;
      first = fmt::format("sync #{}: expected {}, got {}", k, have_w ? fmt_sync(want.syncs[k]) : "none",
                          have_g ? fmt_sync(got.syncs[k]) : "none");
    }
    ++bad;
  }
  if (bad > 0) {
    res.report(fmt::format("{}: {} ({} of {} sync events differ)", label, first, bad, ns), first_cycle);
    res.mismatches += bad - 1;
  }

  // Done cycle.
  ++res.outputs_checked;
  if (want.done_cycle != got.done_cycle)
    res.report(fmt::format("{}: done in cycle {} expected, cycle {} got", label, want.done_cycle, got.done_cycle),
               got.done_cycle < 0 ? want.done_cycle : std::min<int64_t>(want.done_cycle, got.done_cycle));

  // Final buffers and DRAM, word by word (counted apart from the outputs: they are state).
  const int64_t words = static_cast<int64_t>(want.final_state.dram.size()) +
                        4 * static_cast<int64_t>(want.final_state.buffers[0].size());
  res.details["final_words_compared"] = res.details.value("final_words_compared", int64_t{0}) + words;
  bad = 0;
  first.clear();
  for (int b = 0; b < 4; ++b) {
    const auto& wv = want.final_state.buffers[b];
    const auto& gv = got.final_state.buffers[b];
    for (size_t i = 0; i < wv.size() && i < gv.size(); ++i) {
      if (wv[i] == gv[i]) continue;
      if (first.empty())
        first = fmt::format("final {}[{}] lane {}: expected {}, got {}", ns_name(b), i % shape.depth, i / shape.depth,
                            wv[i], gv[i]);
      ++bad;
    }
  }
  if (bad > 0) {
    res.report(fmt::format("{}: {} ({} buffer words differ)", label, first, bad));
    res.mismatches += bad - 1;
  }
  bad = 0;
  first.clear();
  const auto& wd = want.final_state.dram;
  const auto& gd = got.final_state.dram;
  for (size_t i = 0; i < wd.size() && i < gd.size(); ++i) {
    if (wd[i] == gd[i]) continue;
    if (first.empty()) first = fmt::format("final DRAM word {}: expected {}, got {}", i, wd[i], gd[i]);
    ++bad;
  }
  if (bad > 0) {
    res.report(fmt::format("{}: {} ({} DRAM words differ)", label, first, bad));
    res.mismatches += bad - 1;
  }
}

TandemRun run_tandem_program(TandemRtlDriver& rtl, const TandemShape& shape, std::span<const uint32_t> program,
                             const TandemState& init, const std::string& label, VerifyResult& res) {
  TandemRun run;
  run.golden = run_tandem_golden(shape, program, init);
  ++res.transactions;
  if (!run.golden.ran) {
    compare_tandem(run, shape, program, label, res);
    return run;
  }
  run.rtl = rtl.run(program, init, run.golden.done_cycle + kTimeoutSlack);
  res.golden_cycles += run.golden.done_cycle;
  res.rtl_cycles += run.rtl.done_cycle;
  compare_tandem(run, shape, program, label, res);
  return run;
}

TandemRun run_tandem_program(const Model& model, const TandemParams& params, std::span<const uint32_t> program,
                             const TandemState& init, VerifyResult& res, int64_t dram_words,
                             const std::string& trace_path) {
  const TandemShape shape{params.lanes, params.interim_depth, params.imem_depth, dram_words, params.bus_words(),
                          params.perm_width()};
  TandemRtlDriver rtl(model, shape, trace_path);
  TandemRun run = run_tandem_program(rtl, shape, program, init, "program", res);
  res.sim_seconds += rtl.sim_seconds();
  return run;
}

VerifyResult run_tandem_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const TandemShape shape = tandem_shape(params);
  const std::string family = params.has("program") ? params.choice("program") : "random";
  const int64_t randoms = options.transactions > 0 ? options.transactions : kDefaultRandomPrograms;
  const std::vector<TandemCase> cases = make_tandem_cases(shape, family, options.seed, randoms);
  if (options.progress)
    options.progress(fmt::format("tandem: {} programs (program={}, seed {})", cases.size(), family, options.seed));

  VerifyResult res;
  TandemRtlDriver rtl(model, shape, options.trace_path, options.activity);
  std::map<std::string, int64_t> per_family;
  int64_t commits = 0, syncs = 0, computes = 0, words = 0;
  // ACCELGEN_TANDEM_PROGRAMS=DIR keeps the source of every failing program there, for run-tasm
  // and for reading beside the mismatch report.
  const char* keep_dir = std::getenv("ACCELGEN_TANDEM_PROGRAMS");
  for (const TandemCase& c : cases) {
    const int64_t before = res.mismatches;
    const TandemRun run =
        run_tandem_program(rtl, shape, c.words, c.init, fmt::format("program {} (seed {})", c.name, c.seed), res);
    if (keep_dir && *keep_dir && res.mismatches > before) {
      std::filesystem::create_directories(keep_dir);
      std::string file = c.name;
      for (char& ch : file)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      std::ofstream(std::filesystem::path(keep_dir) / (file + ".tasm")) << c.source;
    }
    ++per_family[c.family];
    commits += static_cast<int64_t>(run.golden.commits.size());
    syncs += static_cast<int64_t>(run.golden.syncs.size());
    computes += run.golden.compute_count;
    words += static_cast<int64_t>(c.words.size());
  }
  res.sim_seconds = rtl.sim_seconds();
  res.cycle_exact = true;
  const int64_t final_words = res.details.value("final_words_compared", int64_t{0});
  res.details = {{"program", family}, {"final_words_compared", final_words},  {"programs", cases.size()}, {"per_family", per_family},
                 {"commits", commits}, {"syncs", syncs},           {"compute_instructions", computes},
                 {"program_words", words}};
  return res;
}

}  // namespace accelgen::sim
