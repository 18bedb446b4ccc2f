#include "golden_model/npu/npu_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "golden_model/arith.hpp"

namespace accelgen::golden::npu {

using isa::tandem::InstrClass;
using isa::tandem::Namespace;
using isa::tandem::Opcode;
using isa::tandem::OperandKind;

namespace {

constexpr int kObuf = static_cast<int>(Namespace::kObuf);
constexpr int kIbuf = static_cast<int>(Namespace::kIbuf);
// Words of a GEMM region: sync.gemm.start.exec, six gemm.set, gemm.run, sync.gemm.end.exec.
constexpr int kGemmRegionWords = 9;

tandem::TandemSimConfig TandemConfig(const NpuConfig& c) {
  tandem::TandemSimConfig t;
  t.lanes = c.lanes;
  t.depth = c.depth;
  t.dram_words = c.dram_words;
  t.dram_bus_words = c.dram_bus_words;
  return t;
}

std::string BlockName(const NpuBlock& block, int b) {
  return block.name.empty() ? fmt::format("block {}", b)
                            : fmt::format("block {} ({})", b, block.name);
}

// Does the instruction read or write the Output BUF (a compute operand or a permute side)?
bool TouchesObuf(const isa::tandem::Instruction& instr) {
  const auto cls = instr.def->cls;
  if (cls == InstrClass::kLoop || cls == InstrClass::kConfiguration) return false;
  if (instr.def->opcode == Opcode::kPermutation && instr.def->func == 3) {
    return instr.operands[0].value == kObuf || instr.operands[1].value == kObuf;
  }
  for (size_t k = 0; k < instr.operands.size(); ++k) {
    if (instr.def->operands[k].kind == OperandKind::kSlot && instr.operands[k].value == kObuf) {
      return true;
    }
  }
  return false;
}

}  // namespace

int DispatchWords(const NpuBlock& block) {
  int words = 1;  // block.end
  if (block.gemm) words += kGemmRegionWords;
  if (!block.tandem.empty()) words += 2 + static_cast<int>(block.tandem.size());
  return words;
}

const char* FsmStateName(FsmState s) {
  switch (s) {
    case FsmState::kIdle:
      return "IDLE";
    case FsmState::kBlockStart:
      return "BLOCK_START";
    case FsmState::kDispatch:
      return "DISPATCH";
    case FsmState::kGemm:
      return "GEMM";
    case FsmState::kTandem:
      return "TANDEM";
    case FsmState::kGemmTandem:
      return "GEMM_TANDEM";
    case FsmState::kBlockDone:
      return "BLOCK_DONE";
  }
  return "?";
}

const char* HalfStateName(HalfState s) {
  switch (s) {
    case HalfState::kGemm:
      return "GEMM";
    case HalfState::kReady:
      return "READY";
    case HalfState::kTandem:
      return "TANDEM";
  }
  return "?";
}

NpuSim::NpuSim(const NpuConfig& config) : config_(config), tandem_(TandemConfig(config)) {
  if (config.rows < 1 || config.cols < 1 || config.cols > config.lanes ||
      config.rows > config.lanes) {
    throw UserError(
        fmt::format("npu: the array ({}x{}) must fit the Tandem lanes ({}): rows and cols 1..lanes",
                    config.rows, config.cols, config.lanes));
  }
  if (config.wbuf_depth < 1) throw UserError("npu: wbuf_depth must be positive");
  for (auto& h : obuf_) h.assign(static_cast<size_t>(config.depth) * config.lanes, 0);
  wbuf_.assign(static_cast<size_t>(config.wbuf_depth) * config.cols, 0);
}

int32_t NpuSim::ReadObuf(int half, int lane, int row) const {
  return obuf_[half].at(static_cast<size_t>(row) * config_.lanes + lane);
}
void NpuSim::WriteObuf(int half, int lane, int row, int32_t value) {
  obuf_[half].at(static_cast<size_t>(row) * config_.lanes + lane) = value;
}
void NpuSim::WriteWbuf(int lane, int row, int32_t value) {
  if (lane < 0 || lane >= config_.cols || row < 0 || row >= config_.wbuf_depth) {
    throw UserError(fmt::format("npu: weight scratchpad lane {} row {} out of range", lane, row));
  }
  wbuf_[static_cast<size_t>(row) * config_.cols + lane] =
      static_cast<int32_t>(wrap_signed(static_cast<uint64_t>(value), 8));
}

void NpuSim::Own(int64_t cycle, int half, HalfState s) { own_.push_back({cycle, half, s}); }

void NpuSim::CheckRegion(const NpuBlock& block, int b) const {
  int release = -1;  // index of the BUF sync; -1: released at the end of the pass
  const int n = static_cast<int>(block.tandem.size());
  std::vector<isa::tandem::Instruction> instrs;
  instrs.reserve(block.tandem.size());
  int body_end = -1;  // last instruction of the loop body being scanned
  for (int i = 0; i < n; ++i) {
    const std::string problem = isa::tandem::DecodeProblem(block.tandem[i]);
    if (!problem.empty()) {
      throw UserError(
          fmt::format("npu {}: Tandem instruction {}: {}", BlockName(block, b), i, problem));
    }
    instrs.push_back(isa::tandem::Decode(block.tandem[i]));
    const auto& in = instrs.back();
    if (in.def->opcode == Opcode::kLoop && in.def->func == 2) {
      body_end = i + static_cast<int>(in.operands[0].value);
    } else if (in.def->opcode == Opcode::kSync) {
      const int func = in.def->func;
      if ((func & 2) == 0 || (func & 8) == 0) {
        throw UserError(fmt::format(
            "npu {}: Tandem instruction {}: '{}' — a Tandem region holds only sync.tandem.*.buf "
            "(its exec brackets and GEMM syncs are the dispatcher's)",
            BlockName(block, b), i, in.def->mnemonic));
      }
      if (!block.gemm) {
        throw UserError(
            fmt::format("npu {}: Tandem instruction {}: a block without a GEMM region "
                        "owns no Output BUF to release",
                        BlockName(block, b), i));
      }
      if (release >= 0) {
        throw UserError(
            fmt::format("npu {}: Tandem instructions {} and {} both release the Output "
                        "BUF",
                        BlockName(block, b), release, i));
      }
      if (i <= body_end) {
        throw UserError(
            fmt::format("npu {}: Tandem instruction {}: the Output BUF release stands in "
                        "a loop body (the body's earlier instructions would run after it)",
                        BlockName(block, b), i));
      }
      release = i;
    }
  }
  // Ownership: nothing after the release (or anywhere, in a block that owns no half) may touch
  // obuf.
  const int first = block.gemm ? (release >= 0 ? release + 1 : n) : 0;
  for (int i = first; i < n; ++i) {
    if (TouchesObuf(instrs[i])) {
      throw UserError(
          block.gemm ? fmt::format(
                           "npu {}: Tandem instruction {} ('{}') touches obuf after the Output BUF "
                           "was released at instruction {}",
                           BlockName(block, b), i, instrs[i].def->mnemonic, release)
                     : fmt::format(
                           "npu {}: Tandem instruction {} ('{}') touches obuf in a block that owns "
                           "no Output BUF half",
                           BlockName(block, b), i, instrs[i].def->mnemonic));
    }
  }
}

int64_t NpuSim::GemmTile(const GemmDesc& g, int t, int64_t start, int64_t earliest) {
  const int R = config_.rows, C = config_.cols, L = config_.lanes;
  const int mt = t / g.n_blocks, nb = t % g.n_blocks, h = t % 2;
  int64_t last = 0;
  for (int kb = 0; kb < g.k_blocks; ++kb) {
    SystolicTile tile;
    tile.weights.resize(static_cast<size_t>(R) * C);
    const int wrow = g.w_base + (nb * g.k_blocks + kb) * R;
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) tile.weights[r * C + c] = wbuf_[(wrow + r) * C + c];
    tile.w_arrival.assign(R, start);
    const int irow = g.in_base + (mt * g.k_blocks + kb) * g.m;
    for (int m = 0; m < g.m; ++m) {
      std::vector<int64_t> v(R);
      for (int r = 0; r < R; ++r) {
        v[r] = wrap_signed(static_cast<uint64_t>(
                               static_cast<int64_t>(tandem_.Read(Namespace::kIbuf, r, irow + m))),
                           8);
      }
      tile.vectors.push_back(std::move(v));
      tile.x_arrival.push_back(kb == 0 && m == 0 ? std::max(start, earliest) : start);
    }
    const auto outs = array_->Push(tile);
    if (kb == 0) gemm_iv_.push_back({outs.front().cycle - (R + C + 1), 0});
    for (int m = 0; m < g.m; ++m) {
      int32_t* row = &obuf_[h][static_cast<size_t>(m) * L];
      GemmOutEvent ev{outs[m].cycle, h, m, std::vector<int32_t>(C)};
      for (int c = 0; c < C; ++c) {
        const int64_t y = outs[m].y[c];
        row[c] = kb == 0 ? static_cast<int32_t>(y)
                         : static_cast<int32_t>(wrap_signed(
                               static_cast<uint64_t>(row[c]) + static_cast<uint64_t>(y), 32));
        ev.data[c] = row[c];
      }
      gemm_out_.push_back(std::move(ev));
    }
    gemm_vectors_ += g.m;
    last = outs.back().cycle;
  }
  gemm_iv_.back().second = last;
  Own(last + 1, h, HalfState::kReady);
  return last + 1;
}

PassInfo NpuSim::Pass(const NpuBlock& block, int b, int t, int half, int64_t take) {
  const int L = config_.lanes;
  if (half >= 0) {
    Own(take, half, HalfState::kTandem);
    for (int row = 0; row < config_.depth; ++row)
      for (int l = 0; l < L; ++l) tandem_.Write(Namespace::kObuf, l, row, obuf_[half][row * L + l]);
  }
  try {
    tandem_.Run(block.tandem);
  } catch (const UserError& e) {
    throw UserError(fmt::format("npu {}, tile {}: Tandem {}", BlockName(block, b), t, e.what()));
  }
  PassInfo p{b, t, half, take, 0, take + tandem_.DoneCycle()};
  for (auto c : tandem_.Commits()) {
    if (c.ns == kIbuf && !gemm_reads_ibuf_.empty() && gemm_reads_ibuf_[c.addr]) {
      throw UserError(
          fmt::format("npu {}, tile {}: Tandem instruction {} writes ibuf row {}, which "
                      "this block's GEMM reads",
                      BlockName(block, b), t, c.pc, c.addr));
    }
    c.cycle += take;
    commits_.push_back(std::move(c));
  }
  int64_t release = p.done;
  for (auto s : tandem_.Syncs()) {
    s.cycle += take;
    if ((s.func & 2) != 0) release = s.cycle + 1;  // released at the end of its W cycle
    syncs_.push_back(s);
  }
  if (half >= 0) {
    for (int row = 0; row < config_.depth; ++row)
      for (int l = 0; l < L; ++l) obuf_[half][row * L + l] = tandem_.Read(Namespace::kObuf, l, row);
    p.release = release;
    Own(release, half, HalfState::kGemm);
  }
  tandem_iv_.push_back({take, p.done - 1});
  passes_.push_back(p);
  return p;
}

void NpuSim::Run(const std::vector<NpuBlock>& program) {
  gemm_out_.clear();
  own_.clear();
  fsm_.clear();
  passes_.clear();
  commits_.clear();
  syncs_.clear();
  gemm_iv_.clear();
  tandem_iv_.clear();
  gemm_vectors_ = 0;
  array_.emplace(SystolicParams{config_.rows, config_.cols, 8, 32});
  int64_t gemm_from[2] = {0, 0};  // cycle from which each half is GEMM-owned
  int64_t s = 1;                  // cycle 0: start_i; BLOCK_START from cycle 1
  for (int b = 0; b < static_cast<int>(program.size()); ++b) {
    const NpuBlock& block = program[b];
    CheckRegion(block, b);
    fsm_.push_back({s, FsmState::kBlockStart});
    fsm_.push_back({s + 1, FsmState::kDispatch});
    const int64_t r = s + 1 + DispatchWords(block);
    tandem_free_ = r;
    int64_t end = r;
    gemm_reads_ibuf_.clear();
    if (block.gemm) {
      const GemmDesc& g = *block.gemm;
      if (block.tandem.empty()) {
        throw UserError(
            fmt::format("npu {}: a GEMM-only block needs the GEMM unit's DRAM engine, "
                        "which this model does not have; give it a Tandem region",
                        BlockName(block, b)));
      }
      if (g.m < 1 || g.m_tiles < 1 || g.k_blocks < 1 || g.n_blocks < 1 || g.in_base < 0 ||
          g.w_base < 0 || g.m > config_.depth ||
          g.in_base + static_cast<int64_t>(g.m_tiles) * g.k_blocks * g.m > config_.depth ||
          g.w_base + static_cast<int64_t>(g.n_blocks) * g.k_blocks * config_.rows >
              config_.wbuf_depth) {
        throw UserError(fmt::format(
            "npu {}: GEMM region (M {} x {} tiles, {} K blocks, {} N blocks, input row {}, weight "
            "row {}) does not fit the scratchpads ({} input/Output BUF rows, {} weight rows)",
            BlockName(block, b), g.m, g.m_tiles, g.k_blocks, g.n_blocks, g.in_base, g.w_base,
            config_.depth, config_.wbuf_depth));
      }
      gemm_reads_ibuf_.assign(config_.depth, 0);
      for (int64_t row = g.in_base; row < g.in_base + int64_t{g.m_tiles} * g.k_blocks * g.m; ++row)
        gemm_reads_ibuf_[row] = 1;
      fsm_.push_back({r, FsmState::kGemmTandem});
      const int T = g.Tiles();
      std::vector<int64_t> ready(T);
      int passes = 0;
      const auto pass = [&] {
        const int t = passes++;
        const int h = t % 2;
        const PassInfo p = Pass(block, b, t, h, std::max(ready[t], tandem_free_));
        tandem_free_ = p.done;
        gemm_from[h] = p.release;
      };
      for (int t = 0; t < T; ++t) {
        if (t >= 2) pass();  // tile t reuses tile t-2's half: its pass must have released it
        ready[t] = GemmTile(g, t, r, gemm_from[t % 2]);
      }
      while (passes < T) pass();
      end = tandem_free_;
    } else {
      fsm_.push_back({r, FsmState::kTandem});
      for (int t = 0; t < block.tiles; ++t) tandem_free_ = Pass(block, b, t, -1, tandem_free_).done;
      end = tandem_free_;
    }
    fsm_.push_back({end, FsmState::kBlockDone});
    s = end + 1;
  }
  fsm_.push_back({s, FsmState::kIdle});
  done_ = s;
  std::stable_sort(own_.begin(), own_.end(),
                   [](const OwnEvent& a, const OwnEvent& b) { return a.cycle < b.cycle; });
  std::stable_sort(gemm_out_.begin(), gemm_out_.end(),
                   [](const GemmOutEvent& a, const GemmOutEvent& b) { return a.cycle < b.cycle; });
}

}  // namespace accelgen::golden::npu
