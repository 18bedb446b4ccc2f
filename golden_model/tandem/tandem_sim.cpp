#include "golden_model/tandem/tandem_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "common/error.hpp"

namespace accelgen::golden::tandem {

using isa::tandem::Instruction;
using isa::tandem::Namespace;
using isa::tandem::NamespaceName;
using isa::tandem::Opcode;

namespace {

constexpr int kImmNs = static_cast<int>(Namespace::kImm);
constexpr int kVmem1 = static_cast<int>(Namespace::kVmem1);
// "Never written" for the spacing rule: far enough back that no distance underflows.
constexpr int64_t kLongAgo = std::numeric_limits<int64_t>::min() / 4;
// Products of engine counts saturate here (well above any max_slots) instead of overflowing.
constexpr int64_t kCountCap = int64_t{1} << 40;

int32_t SetHalf(int32_t old, int64_t value, bool high) {
  const auto u = static_cast<uint32_t>(old);
  const auto v = static_cast<uint32_t>(value) & 0xffffu;
  return static_cast<int32_t>(high ? ((u & 0x0000ffffu) | (v << 16)) : ((u & 0xffff0000u) | v));
}

uint32_t SetHalfU(uint32_t old, int64_t value, bool high) {
  return static_cast<uint32_t>(SetHalf(static_cast<int32_t>(old), value, high));
}

// The low `bits` bits of v, sign-extended to 32 bits.
int32_t SignExtend(int32_t v, int bits) {
  if (bits >= 32) return v;
  const int s = 32 - bits;
  return static_cast<int32_t>(static_cast<uint32_t>(v) << s) >> s;
}

int64_t Product(const std::array<int64_t, isa::tandem::kMaxLoopLevels>& counts) {
  int64_t e = 1;
  for (int64_t c : counts) e = std::min(e * c, kCountCap);
  return e;
}

// d[l] = f(x[l * sx], y[l * sy], d[l]) for every lane; d may alias x or y (same lane only).
// The common all-buffer case has its own loop so the compiler can vectorize it.
template <class F>
void Map(int lanes, int32_t* d, const int32_t* x, int sx, const int32_t* y, int sy, F f) {
  if (sx == 1 && sy == 1) {
    for (int l = 0; l < lanes; ++l) d[l] = f(x[l], y[l], d[l]);
  } else {
    for (int l = 0; l < lanes; ++l) d[l] = f(x[l * sx], y[l * sy], d[l]);
  }
}

}  // namespace

int DramBusWords(const TandemSimConfig& config) {
  if (config.dram_bus_words != 0) return config.dram_bus_words;
  int w = 1;
  while (w * 2 <= config.lanes) w *= 2;
  return w;
}

int PermuteWidth(const TandemSimConfig& config) {
  return config.permute_width != 0 ? config.permute_width : config.lanes;
}

TandemSim::TandemSim(const TandemSimConfig& config) : config_(config) {
  if (config.lanes < 1 || config.lanes > 4096 || config.depth < 1 || config.depth > (1 << 20)) {
    throw UserError(
        fmt::format("tandem simulator: lanes must be 1..4096 and depth 1..{}, got {} and {}",
                    1 << 20, config.lanes, config.depth));
  }
  if (config.dram_words < 1 || config.dram_words > (int64_t{1} << 28) || config.max_slots < 0) {
    throw UserError(
        fmt::format("tandem simulator: dram_words must be 1..{} and max_slots >= 0, got {} and {}",
                    int64_t{1} << 28, config.dram_words, config.max_slots));
  }
  const int bus = config.dram_bus_words;
  if (bus < 0 || bus > 128 || (bus & (bus - 1)) != 0) {
    throw UserError(fmt::format(
        "tandem simulator: dram_bus_words must be 0 (lanes-wide) or a power of two 1..128, got {}",
        bus));
  }
  if (config.permute_width < 0 || config.permute_width > config.lanes) {
    throw UserError(
        fmt::format("tandem simulator: permute_width must be 0 (lanes) or 1..{} (lanes), got {}",
                    config.lanes, config.permute_width));
  }
  bus_words_ = DramBusWords(config);
  perm_width_ = PermuteWidth(config);
  const size_t words = static_cast<size_t>(config.lanes) * config.depth;
  for (auto& b : buffers_) b.assign(words, 0);
  for (auto& w : write_cycle_) w.assign(config.depth, kLongAgo);
  for (auto& w : write_pc_) w.assign(config.depth, -1);
  dram_.assign(static_cast<size_t>(config.dram_words), 0);
  mark_.assign(words, 0);
  mask_.assign(config.lanes, 0);
}

void TandemSim::CheckRow(int ns, int64_t addr, int pc) const {
  if (addr < 0 || addr >= config_.depth) {
    throw UserError(fmt::format("instruction {}: address {} of {} is outside 0..{}", pc, addr,
                                NamespaceName(ns), config_.depth - 1));
  }
}

int32_t TandemSim::Read(Namespace ns, int lane, int addr) const {
  const int n = static_cast<int>(ns);
  if (n < 0 || n >= kImmNs || lane < 0 || lane >= config_.lanes || addr < 0 ||
      addr >= config_.depth) {
    throw UserError(fmt::format("tandem simulator: no buffer word {} lane {} addr {}",
                                NamespaceName(n), lane, addr));
  }
  return buffers_[n][static_cast<size_t>(addr) * config_.lanes + lane];
}

void TandemSim::Write(Namespace ns, int lane, int addr, int32_t value) {
  Read(ns, lane, addr);  // range check
  buffers_[static_cast<int>(ns)][static_cast<size_t>(addr) * config_.lanes + lane] = value;
}

int32_t TandemSim::ReadDram(int64_t addr) const {
  if (addr < 0 || addr >= config_.dram_words) {
    throw UserError(fmt::format("tandem simulator: DRAM word {} is outside 0..{}", addr,
                                config_.dram_words - 1));
  }
  return dram_[static_cast<size_t>(addr)];
}

void TandemSim::WriteDram(int64_t addr, int32_t value) {
  ReadDram(addr);  // range check
  dram_[static_cast<size_t>(addr)] = value;
}

const IteratorEntry& TandemSim::Iterator(Namespace ns, int index) const {
  return iterators_.at(static_cast<size_t>(ns)).at(static_cast<size_t>(index));
}

int64_t TandemSim::Issue(const Op& op) {
  const int n = isa::tandem::IssueSlots(op.opcode, op.func);
  if (slots_ + n > config_.max_slots) {
    throw UserError(fmt::format(
        "tandem simulator: the program needs more than {} issue slots (config max_slots)",
        config_.max_slots));
  }
  slots_ += n;
  const int64_t first = next_f_;
  next_f_ += n;
  last_f_ = next_f_ - 1;
  return first;
}

void TandemSim::Run(std::span<const uint32_t> program) {
  program_.clear();
  program_.reserve(program.size());
  for (size_t pc = 0; pc < program.size(); ++pc) {
    Instruction instr;
    try {
      instr = isa::tandem::Decode(program[pc]);
    } catch (const UserError& e) {
      throw UserError(fmt::format("instruction {}: {}", pc, e.what()));
    }
    Op op;
    op.def = instr.def;
    op.opcode = instr.def->opcode;
    op.func = instr.def->func;
    op.num_ops = static_cast<int>(instr.operands.size());
    if (instr.operands.size() > op.ops.size()) {
      throw UserError(fmt::format("instruction {}: '{}' has more operands than the simulator holds",
                                  pc, instr.def->mnemonic));
    }
    std::copy(instr.operands.begin(), instr.operands.end(), op.ops.begin());
    program_.push_back(op);
  }
  levels_.clear();
  current_level_ = -1;
  active_levels_ = 0;
  for (auto& w : write_cycle_) std::fill(w.begin(), w.end(), kLongAgo);
  commits_.clear();
  syncs_.clear();
  next_f_ = 1;
  last_f_ = 0;
  slots_ = 0;
  engine_starts_ = 0;
  engine_beats_ = 0;
  engine_elements_ = 0;

  const int size = static_cast<int>(program_.size());
  int pc = 0;
  while (pc < size) {
    const Op& op = program_[pc];
    const int64_t cycle = Issue(op);
    if (op.opcode != Opcode::kLoop) {
      const int64_t beats = Execute(op, pc, cycle);
      // The engine runs after the start's W, one beat per cycle; fetch resumes when it is done.
      if (beats >= 0) {
        next_f_ = cycle + beats + 7;
        ++engine_starts_;
        engine_beats_ += beats;
      }
      ++pc;
      continue;
    }
    const auto& ops = op.ops;
    switch (op.func) {
      case 1:  // loop.set_iter level, count
        if (ops[0].value != static_cast<int64_t>(levels_.size())) {
          throw UserError(fmt::format(
              "instruction {}: loop.set_iter configures level {} but level {} is next (levels "
              "are configured outermost first)",
              pc, ops[0].value, levels_.size()));
        }
        levels_.push_back(LoopLevel{ops[1].value, {}});
        levels_.back().iter = {{{-1, 0}, {-1, 0}, {-1, 0}}};
        current_level_ = static_cast<int>(ops[0].value);
        ++pc;
        break;
      case 0:  // loop.set_index dst, src1, src2
        if (current_level_ < 0) {
          throw UserError(fmt::format("instruction {}: loop.set_index before loop.set_iter", pc));
        }
        for (int k = 0; k < 3; ++k) {
          levels_[current_level_].iter[k] = {static_cast<int>(ops[k].value),
                                             static_cast<int>(ops[k].iter)};
        }
        ++pc;
        break;
      default: {  // loop.set_num_inst count: run the nest, close the configuration
        const int n = static_cast<int>(ops[0].value);
        RunNest(pc + 1, n);
        levels_.clear();
        current_level_ = -1;
        pc += n + 1;
        break;
      }
    }
  }
  done_cycle_ = slots_ == 0 ? 1 : std::max(next_f_, last_f_ + 6);
}

void TandemSim::RunNest(int first_pc, int n) {
  const int size = static_cast<int>(program_.size());
  if (first_pc + n > size) {
    throw UserError(fmt::format(
        "instruction {}: loop body of {} instructions runs past the end of the program ({} "
        "instructions)",
        first_pc - 1, n, size));
  }
  // Placement (isa/README.md item 13): no loop instruction and no engine start in a body.
  for (int pc = first_pc; pc < first_pc + n; ++pc) {
    const Op& op = program_[pc];
    const bool start = (op.opcode == Opcode::kTileLdSt && (op.func & 7) == 5) ||
                       (op.opcode == Opcode::kPermutation && op.func == 3);
    if (op.opcode == Opcode::kLoop || start) {
      throw UserError(fmt::format(
          "instruction {}: '{}' may not stand in a loop body (the body of instruction {} holds "
          "no loop instruction and no ld.start, st.start or perm.start)",
          pc, op.def->mnemonic, first_pc - 1));
    }
  }
  if (n == 0) return;
  for (const LoopLevel& l : levels_) {
    if (l.count == 0) return;
  }
  const int depth = static_cast<int>(levels_.size());
  index_.fill(0);
  active_levels_ = depth;
  while (true) {
    for (int pc = first_pc; pc < first_pc + n; ++pc) Execute(program_[pc], pc, Issue(program_[pc]));
    int l = depth - 1;
    while (l >= 0 && ++index_[l] == levels_[l].count) index_[l--] = 0;
    if (l < 0) break;
  }
  active_levels_ = 0;
}

int64_t TandemSim::Execute(const Op& op, int pc, int64_t cycle) {
  switch (op.opcode) {
    case Opcode::kSync:
      syncs_.push_back(SyncEvent{cycle + 5, op.func, static_cast<int>(op.ops[0].value)});
      return -1;
    case Opcode::kTileLdSt:
      if ((op.func & 7) == 5) return TileLdSt(op, pc);
      Configure(op, pc);
      return -1;
    case Opcode::kPermutation:
      if (op.func == 3) return Permute(op, pc);
      Configure(op, pc);
      return -1;
    case Opcode::kIteratorConfig:
    case Opcode::kDatatypeConfig:
      Configure(op, pc);
      return -1;
    case Opcode::kLoop:
      throw UserError(fmt::format("instruction {}: unexpected loop instruction", pc));
    case Opcode::kAlu:
    case Opcode::kCalculus:
    case Opcode::kComparison:
    case Opcode::kDatatypeCast:
      if (op.opcode == Opcode::kAlu && op.func == 15) return -1;  // nop: no read, no write
      Compute(op, pc, cycle);
      return -1;
  }
  return -1;
}

void TandemSim::Configure(const Op& op, int pc) {
  const auto& ops = op.ops;
  const int func = op.func;
  switch (op.opcode) {
    case Opcode::kIteratorConfig: {
      const auto ns = static_cast<size_t>(ops[0].value);
      const auto i = static_cast<size_t>(ops[0].iter);
      const int64_t v = ops[1].value;
      if (func >= 8) {
        int32_t& slot = imm_[i];
        slot = func == 10 ? static_cast<int32_t>(v) : SetHalf(slot, v, func == 9);
        return;
      }
      int32_t& field = func < 4 ? iterators_[ns][i].offset : iterators_[ns][i].stride;
      switch (func % 4) {
        case 0:  // sign-extended by the decoder
          field = static_cast<int32_t>(v);
          break;
        case 1:
          field = SetHalf(field, v, false);
          break;
        case 2:
          field = SetHalf(field, v, true);
          break;
        default:  // zero-extended
          field = static_cast<int32_t>(v & 0xffff);
          break;
      }
      return;
    }
    case Opcode::kDatatypeConfig:
      format_ = FixedPoint{32 - static_cast<int>(ops[0].value), 32 - static_cast<int>(ops[1].value),
                           32 - static_cast<int>(ops[2].value)};
      return;
    case Opcode::kPermutation: {  // set_base side, addr | set_iter/set_stride side, dim, value
      PermWalk& w = perm_[static_cast<size_t>(ops[0].value)];
      if (func == 0) {
        w.base = ops[1].value;
        return;
      }
      const int64_t dim = ops[1].value;
      if (dim >= kLevels) {
        throw UserError(fmt::format("instruction {}: {} dimension {} is illegal (dims are 0..7)",
                                    pc, op.def->mnemonic, dim));
      }
      (func == 1 ? w.count : w.stride)[static_cast<size_t>(dim)] = ops[2].value;
      return;
    }
    case Opcode::kTileLdSt: {
      const int kind = func & 7;
      // Operand layout: half first for the 16-bit-half writes, then buf, [loop], value.
      const bool has_half = kind == 0 || kind == 2 || kind == 4 || kind == 6;
      const bool high = has_half && ops[0].value == 1;
      const int b = has_half ? 1 : 0;
      DaeConfig& cfg = dae_[static_cast<size_t>((func >> 3) * 2 + ops[b].value)];
      if (kind == 0) {
        cfg.base_addr = SetHalfU(cfg.base_addr, ops[2].value, high);
        return;
      }
      if (kind == 6) {
        cfg.tile_addr = SetHalfU(cfg.tile_addr, ops[2].value, high);
        return;
      }
      const int64_t loop = ops[b + 1].value;
      if (loop >= kLevels) {
        throw UserError(fmt::format("instruction {}: {} loop {} is illegal (loops are 0..7)", pc,
                                    op.def->mnemonic, loop));
      }
      const auto l = static_cast<size_t>(loop);
      const int64_t v = ops[b + 2].value;
      switch (kind) {
        case 1:
          cfg.base_count[l] = v;
          cfg.base_index.fill(0);  // a new base-loop shape restarts the tile walk
          break;
        case 2:
          cfg.base_stride[l] = SetHalf(cfg.base_stride[l], v, high);
          break;
        case 3:
          cfg.tile_count[l] = v;
          break;
        default:
          cfg.tile_stride[l] = SetHalf(cfg.tile_stride[l], v, high);
          break;
      }
      return;
    }
    default:
      throw UserError(fmt::format("instruction {}: '{}' is not a configuration instruction", pc,
                                  op.def->mnemonic));
  }
}

int64_t TandemSim::TileLdSt(const Op& op, int pc) {
  const bool store = (op.func >> 3) != 0;
  const int buf = static_cast<int>(op.ops[0].value);
  DaeConfig& cfg = dae_[static_cast<size_t>((store ? 2 : 0) + buf)];
  const int ns = kVmem1 + buf;
  const int64_t width = op.ops[1].value;
  const int64_t size = op.ops[2].value;
  const char* name = store ? "st.start" : "ld.start";
  if (width < 2 || width > 5) {
    throw UserError(fmt::format(
        "instruction {}: {} width code {} is illegal (2 = 4-bit, 3 = 8-bit, 4 = 16-bit, 5 = "
        "32-bit)",
        pc, name, width));
  }
  const int lanes = config_.lanes;
  if (size < 1 || size > lanes) {
    throw UserError(
        fmt::format("instruction {}: {} size {} is outside 1..{} (lanes)", pc, name, size, lanes));
  }
  const int64_t elements = Product(cfg.tile_count);
  if (elements > config_.max_slots) {
    throw UserError(fmt::format(
        "instruction {}: {} moves {} elements, more than the simulator's bound of {} (config "
        "max_slots)",
        pc, name, elements, config_.max_slots));
  }
  if (elements > 0) {
    const int64_t last_row = int64_t{cfg.tile_addr} + (elements - 1) / size;
    if (last_row >= config_.depth) {
      throw UserError(fmt::format(
          "instruction {}: {} of {} elements, {} per row from row {}, reaches row {} of {}, "
          "outside 0..{}",
          pc, name, elements, size, cfg.tile_addr, last_row, NamespaceName(ns), config_.depth - 1));
    }
  }
  const int bits = 1 << width;
  int64_t addr = cfg.base_addr;
  for (int l = 0; l < kLevels; ++l) addr += cfg.base_index[l] * cfg.base_stride[l];
  std::array<int64_t, kLevels> t{};
  int32_t* row =
      elements > 0 ? buffers_[ns].data() + static_cast<size_t>(cfg.tile_addr) * lanes : nullptr;
  int lane = 0;
  // Beats (item 11): a beat ends with the innermost run (level-7 stride +1), the row or the
  // aligned DRAM line of W words, whichever comes first; `left` counts the current beat's rest.
  const int64_t w = bus_words_;
  const bool contiguous = cfg.tile_stride[kLevels - 1] == 1;
  int64_t beats = 0, left = 0;
  for (int64_t k = 0; k < elements; ++k) {
    if (addr < 0 || addr >= config_.dram_words) {
      throw UserError(fmt::format("instruction {}: {} element {} {} DRAM word {}, outside 0..{}",
                                  pc, name, k, store ? "writes" : "reads", addr,
                                  config_.dram_words - 1));
    }
    if (left == 0) {
      const int64_t run = contiguous ? cfg.tile_count[kLevels - 1] - t[kLevels - 1] : 1;
      left = std::min({run, size - lane, w - addr % w});
      ++beats;
    }
    --left;
    int32_t& word = dram_[static_cast<size_t>(addr)];
    if (store) {
      word = SignExtend(row[lane], bits);
    } else {
      row[lane] = SignExtend(word, bits);
    }
    if (++lane == size) {
      lane = 0;
      row += lanes;
    }
    for (int l = kLevels - 1; l >= 0; --l) {  // tile odometer, level 7 fastest
      addr += cfg.tile_stride[l];
      if (++t[l] < cfg.tile_count[l]) break;
      addr -= t[l] * cfg.tile_stride[l];
      t[l] = 0;
    }
  }
  for (int l = kLevels - 1; l >= 0; --l) {  // base odometer: the next start walks the next tile
    if (++cfg.base_index[l] < cfg.base_count[l]) break;
    cfg.base_index[l] = 0;
  }
  engine_elements_ += elements;
  return beats;
}

namespace {

// Odometer over a permute walk (dim 7 fastest): the flat position of element 0, 1, 2, ...
class Cursor {
 public:
  Cursor(int64_t base, const std::array<int64_t, isa::tandem::kMaxLoopLevels>& count,
         const std::array<int64_t, isa::tandem::kMaxLoopLevels>& stride)
      : count_(count), stride_(stride), pos_(base) {}
  int64_t Pos() const { return pos_; }
  // Elements left in the current run of the innermost dimension (1 unless its stride is +1).
  int64_t Run() const {
    constexpr int kIn = isa::tandem::kMaxLoopLevels - 1;
    return stride_[kIn] == 1 ? count_[kIn] - i_[kIn] : 1;
  }
  void Next() {
    for (int d = isa::tandem::kMaxLoopLevels - 1; d >= 0; --d) {
      pos_ += stride_[d];
      if (++i_[d] < count_[d]) return;
      pos_ -= i_[d] * stride_[d];
      i_[d] = 0;
    }
  }

 private:
  const std::array<int64_t, isa::tandem::kMaxLoopLevels>& count_;
  const std::array<int64_t, isa::tandem::kMaxLoopLevels>& stride_;
  int64_t pos_;
  std::array<int64_t, isa::tandem::kMaxLoopLevels> i_{};
};

}  // namespace

void TandemSim::CheckWalk(const PermWalk& w, int64_t count, int ns, const char* side,
                          int pc) const {
  const int64_t flat = static_cast<int64_t>(config_.lanes) * config_.depth;
  Cursor c(w.base, w.count, w.stride);
  for (int64_t k = 0; k < count; ++k, c.Next()) {
    if (c.Pos() < 0 || c.Pos() >= flat) {
      throw UserError(fmt::format(
          "instruction {}: perm.start {} element {} is at flat position {} of {}, outside 0..{}",
          pc, side, k, c.Pos(), NamespaceName(ns), flat - 1));
    }
  }
}

int64_t TandemSim::Permute(const Op& op, int pc) {
  const int dst_ns = static_cast<int>(op.ops[0].value);
  const int src_ns = static_cast<int>(op.ops[1].value);
  if (dst_ns == kImmNs || src_ns == kImmNs) {
    throw UserError(fmt::format(
        "instruction {}: perm.start cannot use imm (source and destination are obuf, ibuf, "
        "vmem1 or vmem2)",
        pc));
  }
  if (op.ops[2].value != 0) {
    throw UserError(fmt::format(
        "instruction {}: perm.start shuffle = 1 is reserved (the bank shuffle is not defined)",
        pc));
  }
  const PermWalk& rd = perm_[0];
  const PermWalk& wr = perm_[1];
  const int64_t n = Product(rd.count);
  const int64_t n_dst = Product(wr.count);
  if (n != n_dst) {
    throw UserError(fmt::format(
        "instruction {}: perm.start src walk has {} elements but dst walk has {}", pc, n, n_dst));
  }
  if (n > config_.max_slots) {
    throw UserError(fmt::format(
        "instruction {}: perm.start moves {} elements, more than the simulator's bound of {} "
        "(config max_slots)",
        pc, n, config_.max_slots));
  }
  CheckWalk(rd, n, src_ns, "src", pc);
  CheckWalk(wr, n, dst_ns, "dst", pc);
  if (src_ns == dst_ns) {  // disjoint walks: the result cannot depend on read/write timing
    const auto mark = [&](uint8_t v) {
      Cursor c(rd.base, rd.count, rd.stride);
      for (int64_t k = 0; k < n; ++k, c.Next()) mark_[static_cast<size_t>(c.Pos())] = v;
    };
    mark(1);
    int64_t shared = -1;
    Cursor c(wr.base, wr.count, wr.stride);
    for (int64_t k = 0; k < n && shared < 0; ++k, c.Next()) {
      if (mark_[static_cast<size_t>(c.Pos())]) shared = c.Pos();
    }
    mark(0);
    if (shared >= 0) {
      throw UserError(fmt::format(
          "instruction {}: perm.start src and dst walks in {} share flat position {} (row {}, "
          "lane {})",
          pc, NamespaceName(src_ns), shared, shared / config_.lanes, shared % config_.lanes));
    }
  }
  const int32_t* src = buffers_[src_ns].data();
  int32_t* dst = buffers_[dst_ns].data();
  Cursor from(rd.base, rd.count, rd.stride);
  Cursor to(wr.base, wr.count, wr.stride);
  // Beats (item 12): up to P elements, one run of each walk's dim 7, within one source row and
  // one destination row.
  const int64_t lanes = config_.lanes;
  int64_t beats = 0, left = 0;
  for (int64_t k = 0; k < n; ++k, from.Next(), to.Next()) {
    if (left == 0) {
      left = std::min({static_cast<int64_t>(perm_width_), from.Run(), to.Run(),
                       lanes - from.Pos() % lanes, lanes - to.Pos() % lanes});
      ++beats;
    }
    --left;
    dst[to.Pos()] = src[from.Pos()];
  }
  engine_elements_ += n;
  return beats;
}

int64_t TandemSim::Address(const Op& op, int k) const {
  const auto& o = op.ops[k];
  int64_t a = iterators_[static_cast<size_t>(o.value)][static_cast<size_t>(o.iter)].offset;
  for (int l = 0; l < active_levels_; ++l) {
    const auto& it = levels_[l].iter[k];
    if (it[0] >= 0) a += index_[l] * iterators_[it[0]][it[1]].stride;
  }
  return a;
}

void TandemSim::Compute(const Op& op, int pc, int64_t cycle) {
  static constexpr const char* kRole[] = {"dst", "src1", "src2"};
  const int lanes = config_.lanes;
  const auto& ops = op.ops;
  const int func = op.func;
  // Spacing rule (item 14): a row written by a compute instruction issued fewer than 3 cycles
  // earlier has not been written back yet when this instruction reads it.
  const auto check_spacing = [&](int k, int ns, int64_t row) {
    const int64_t distance = cycle - write_cycle_[ns][row];
    if (distance < 3) {
      throw UserError(fmt::format(
          "instruction {}: {} reads {} row {}, which instruction {} writes only {} cycle{} "
          "earlier (the spacing rule needs at least 3)",
          pc, kRole[k], NamespaceName(ns), row, write_pc_[ns][row], distance,
          distance == 1 ? "" : "s"));
    }
  };
  const int dst_ns = static_cast<int>(ops[0].value);
  const int64_t dst_row = Address(op, 0);
  CheckRow(dst_ns, dst_row, pc);
  static constexpr int32_t kZero = 0;
  const int32_t* src[2] = {&kZero, &kZero};
  int step[2] = {0, 0};
  for (int k = 1; k < op.num_ops; ++k) {
    const int ns = static_cast<int>(ops[k].value);
    if (ns == kImmNs) {  // broadcast, no address, never a hazard
      src[k - 1] = &imm_[static_cast<size_t>(ops[k].iter)];
      continue;
    }
    const int64_t row = Address(op, k);
    CheckRow(ns, row, pc);
    check_spacing(k, ns, row);
    src[k - 1] = buffers_[ns].data() + row * lanes;
    step[k - 1] = 1;
  }
  const bool alu = op.opcode == Opcode::kAlu;
  const bool cmov = alu && (func == 10 || func == 11);
  if (alu && (func == 3 || cmov)) check_spacing(0, dst_ns, dst_row);  // dst is an operand
  int32_t* d = buffers_[dst_ns].data() + dst_row * lanes;
  const int32_t* x = src[0];
  const int32_t* y = src[1];
  const int sx = step[0], sy = step[1];
  const FixedPoint fp = format_;
  switch (op.opcode) {
    case Opcode::kAlu:
      switch (func) {
        case 0:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return Add(a, b); });
          break;
        case 1:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return Sub(a, b); });
          break;
        case 2:
          Map(lanes, d, x, sx, y, sy, [&](int32_t a, int32_t b, int32_t) { return Mul(a, b, fp); });
          break;
        case 3:
          Map(lanes, d, x, sx, y, sy,
              [&](int32_t a, int32_t b, int32_t o) { return Add(o, Mul(a, b, fp)); });
          break;
        case 4:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return Div(a, b); });
          break;
        case 5:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return std::max(a, b); });
          break;
        case 6:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return std::min(a, b); });
          break;
        case 7:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) { return ShiftRight(a, b); });
          break;
        case 8:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) { return ShiftLeft(a, b); });
          break;
        case 9:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t, int32_t) { return a; });
          break;
        case 10:
        case 11: {  // cmov.t / cmov.f: write only the lanes whose test passes
          const int32_t want = func == 10 ? 1 : 0;
          for (int l = 0; l < lanes; ++l) {
            const bool pass = (y[l * sy] & 1) == want;
            mask_[l] = pass;
            if (pass) d[l] = x[l * sx];
          }
          break;
        }
        case 12:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t, int32_t) { return ~a; });
          break;
        case 13:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return a & b; });
          break;
        default:  // 14 or; 15 (nop) never reaches here
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t b, int32_t) { return a | b; });
          break;
      }
      break;
    case Opcode::kCalculus:
      switch (func) {
        case 0:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t, int32_t) { return a >= 0 ? a : 0; });
          break;
        case 1:
          Map(lanes, d, x, sx, y, sy,
              [&](int32_t a, int32_t b, int32_t) { return a >= 0 ? a : Mul(a, b, fp); });
          break;
        case 2:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t, int32_t) { return Abs(a); });
          break;
        default:
          Map(lanes, d, x, sx, y, sy, [](int32_t a, int32_t, int32_t) { return Sign(a); });
          break;
      }
      break;
    case Opcode::kComparison:
      switch (func) {
        case 0:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a == b; });
          break;
        case 1:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a != b; });
          break;
        case 2:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a > b; });
          break;
        case 3:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a >= b; });
          break;
        case 4:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a < b; });
          break;
        default:
          Map(lanes, d, x, sx, y, sy,
              [](int32_t a, int32_t b, int32_t) -> int32_t { return a <= b; });
          break;
      }
      break;
    default: {  // DATATYPE_CAST
      static constexpr int kBits[] = {16, 8, 4, 16, 8, 4};
      if (func <= 2) {
        const int bits = kBits[func];
        Map(lanes, d, x, sx, y, sy,
            [&](int32_t a, int32_t, int32_t) { return CastNarrow(a, bits, fp); });
      } else if (func <= 5) {
        const int bits = kBits[func];
        Map(lanes, d, x, sx, y, sy,
            [&](int32_t a, int32_t, int32_t) { return CastWiden(a, bits, fp); });
      } else if (func == 8) {
        Map(lanes, d, x, sx, y, sy,
            [&](int32_t a, int32_t, int32_t) { return Floor(a, fp.src1_frac); });
      } else {
        Map(lanes, d, x, sx, y, sy,
            [&](int32_t a, int32_t, int32_t) { return Ceil(a, fp.src1_frac); });
      }
      break;
    }
  }
  ++compute_count_;
  // A cmov whose test fails in every lane still occupies the write port: the row counts as
  // written for the spacing rule (the rule is a property of the program, not of the data).
  // A div writes as an instruction issued in its last slot (item 14).
  const int64_t last_slot = cycle + isa::tandem::IssueSlots(op.opcode, func) - 1;
  write_cycle_[dst_ns][dst_row] = last_slot;
  write_pc_[dst_ns][dst_row] = pc;
  if (!config_.record_commits) return;
  Commit& c = commits_.emplace_back();
  c.cycle = last_slot + 5;
  c.pc = pc;
  c.ns = dst_ns;
  c.addr = static_cast<int>(dst_row);
  c.written.assign(lanes, 1);
  c.data.assign(d, d + lanes);
  if (cmov) {
    for (int l = 0; l < lanes; ++l) {
      c.written[l] = mask_[l];
      if (!mask_[l]) c.data[l] = 0;
    }
  }
}

}  // namespace accelgen::golden::tandem
