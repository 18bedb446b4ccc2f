#include "golden_model/tandem/tandem_sim.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen::golden::tandem {

using isa::tandem::Instruction;
using isa::tandem::Namespace;
using isa::tandem::Opcode;

namespace {

constexpr int kImmNs = static_cast<int>(Namespace::kImm);

Instruction DecodeAt(std::span<const uint32_t> program, size_t pc) {
  try {
    return isa::tandem::Decode(program[pc]);
  } catch (const UserError& e) {
    throw UserError(fmt::format("instruction {}: {}", pc, e.what()));
  }
}

int32_t SetHalf(int32_t old, int64_t value, bool high) {
  const auto u = static_cast<uint32_t>(old);
  const auto v = static_cast<uint32_t>(value) & 0xffffu;
  return static_cast<int32_t>(high ? ((u & 0x0000ffffu) | (v << 16)) : ((u & 0xffff0000u) | v));
}

}  // namespace

TandemSim::TandemSim(const TandemSimConfig& config) : config_(config) {
  if (config.lanes < 1 || config.lanes > 4096 || config.depth < 1 || config.depth > (1 << 20)) {
    throw UserError(
        fmt::format("tandem simulator: lanes must be 1..4096 and depth 1..{}, got {} and {}",
                    1 << 20, config.lanes, config.depth));
  }
  for (auto& b : buffers_) b.assign(static_cast<size_t>(config.lanes) * config.depth, 0);
}

size_t TandemSim::Index(int ns, int lane, int64_t addr, size_t pc) const {
  if (ns < 0 || ns >= kImmNs) {
    throw UserError(fmt::format("instruction {}: namespace {} is not a buffer", pc, ns));
  }
  if (lane < 0 || lane >= config_.lanes) {
    throw UserError(fmt::format("lane {} is outside 0..{}", lane, config_.lanes - 1));
  }
  if (addr < 0 || addr >= config_.depth) {
    throw UserError(fmt::format("instruction {}: address {} of {} is outside 0..{}", pc, addr,
                                isa::tandem::NamespaceName(ns), config_.depth - 1));
  }
  return static_cast<size_t>(lane) * config_.depth + static_cast<size_t>(addr);
}

int32_t& TandemSim::Cell(int ns, int lane, int64_t addr, size_t pc) {
  return buffers_[ns][Index(ns, lane, addr, pc)];
}

int32_t TandemSim::Read(Namespace ns, int lane, int addr) const {
  const int n = static_cast<int>(ns);
  return buffers_[n][Index(n, lane, addr, 0)];
}

void TandemSim::Write(Namespace ns, int lane, int addr, int32_t value) {
  Cell(static_cast<int>(ns), lane, addr, 0) = value;
}

const IteratorEntry& TandemSim::Iterator(Namespace ns, int index) const {
  return iterators_.at(static_cast<size_t>(ns)).at(static_cast<size_t>(index));
}

void TandemSim::Run(std::span<const uint32_t> program) {
  levels_.clear();
  current_level_ = -1;
  size_t pc = 0;
  while (pc < program.size()) {
    const Instruction instr = DecodeAt(program, pc);
    if (instr.def->opcode != Opcode::kLoop) {
      Step(instr, pc, {}, {});
      ++pc;
      continue;
    }
    const auto& ops = instr.operands;
    switch (instr.def->func) {
      case 1: {  // loop.set_iter level, count
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
      }
      case 0: {  // loop.set_index dst, src1, src2
        if (current_level_ < 0) {
          throw UserError(fmt::format("instruction {}: loop.set_index before loop.set_iter", pc));
        }
        for (int k = 0; k < 3; ++k) {
          levels_[current_level_].iter[k] = {static_cast<int>(ops[k].value),
                                             static_cast<int>(ops[k].iter)};
        }
        ++pc;
        break;
      }
      default: {  // loop.set_num_inst count
        const auto n = static_cast<size_t>(ops[0].value);
        if (pc + n >= program.size()) {
          throw UserError(
              fmt::format("instruction {}: loop body of {} instructions runs past the "
                          "end of the program ({} instructions)",
                          pc, n, program.size()));
        }
        RunNest(program.subspan(pc + 1, n), pc + 1);
        levels_.clear();
        current_level_ = -1;
        pc += n + 1;
        break;
      }
    }
  }
}

void TandemSim::RunNest(std::span<const uint32_t> body, size_t first_pc) {
  std::vector<Instruction> decoded;
  for (size_t i = 0; i < body.size(); ++i) {
    decoded.push_back(DecodeAt(body, i));
    if (decoded.back().def->opcode == Opcode::kLoop) {
      throw UserError(
          fmt::format("instruction {}: loop configuration inside a loop body", first_pc + i));
    }
  }
  for (const LoopLevel& l : levels_) {
    if (l.count == 0) return;
  }
  std::vector<int64_t> idx(levels_.size(), 0);
  while (true) {
    for (size_t i = 0; i < decoded.size(); ++i) Step(decoded[i], first_pc + i, levels_, idx);
    int l = static_cast<int>(levels_.size()) - 1;
    while (l >= 0 && ++idx[l] == levels_[l].count) idx[l--] = 0;
    if (l < 0) return;
  }
}

void TandemSim::Step(const Instruction& instr, size_t pc, const std::vector<LoopLevel>& nest,
                     std::span<const int64_t> indices) {
  const auto& ops = instr.operands;
  const int func = instr.def->func;
  switch (instr.def->opcode) {
    case Opcode::kSync:
      sync_log_.emplace_back(static_cast<int>(ops[0].value), func);
      return;
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
        case 0:
          field = static_cast<int32_t>(v);
          break;  // sign-extended by the decoder
        case 1:
          field = SetHalf(field, v, false);
          break;  // low half
        case 2:
          field = SetHalf(field, v, true);
          break;  // high half
        default:
          field = static_cast<int32_t>(v & 0xffff);
          break;  // zero-extended
      }
      return;
    }
    case Opcode::kDatatypeConfig:
      format_ = FixedPoint{32 - static_cast<int>(ops[0].value), 32 - static_cast<int>(ops[1].value),
                           32 - static_cast<int>(ops[2].value)};
      return;
    case Opcode::kPermutation:
    case Opcode::kTileLdSt:
      throw UserError(
          fmt::format("instruction {}: '{}' ({}) is not modelled by the golden "
                      "simulator yet",
                      pc, instr.def->mnemonic, isa::tandem::OpcodeName(instr.def->opcode)));
    case Opcode::kLoop:
      throw UserError(fmt::format("instruction {}: unexpected loop instruction", pc));
    case Opcode::kAlu:
    case Opcode::kCalculus:
    case Opcode::kComparison:
    case Opcode::kDatatypeCast:
      break;
  }
  if (instr.def->opcode == Opcode::kAlu && func == 15) return;  // nop
  ++compute_count_;

  // Address of operand k (0 dst, 1 src1, 2 src2): offset + sum of index * per-level stride.
  const auto address = [&](int k) {
    const auto ns = static_cast<size_t>(ops[k].value);
    int64_t a = iterators_[ns][static_cast<size_t>(ops[k].iter)].offset;
    for (size_t l = 0; l < nest.size(); ++l) {
      const auto& it = nest[l].iter[k];
      if (it[0] >= 0) a += indices[l] * iterators_[it[0]][it[1]].stride;
    }
    return a;
  };
  const size_t n = ops.size();
  const int64_t dst_addr = address(0);
  const int64_t a1 = address(1);
  const int64_t a2 = n > 2 ? address(2) : 0;
  const auto value = [&](int k, int64_t addr, int lane) -> int32_t {
    const int ns = static_cast<int>(ops[k].value);
    if (ns == kImmNs) return imm_[static_cast<size_t>(ops[k].iter)];
    return Cell(ns, lane, addr, pc);
  };
  const int dst_ns = static_cast<int>(ops[0].value);
  const FixedPoint& fp = format_;
  for (int lane = 0; lane < config_.lanes; ++lane) {
    const int32_t x = value(1, a1, lane);
    const int32_t y = n > 2 ? value(2, a2, lane) : 0;
    int32_t& d = Cell(dst_ns, lane, dst_addr, pc);
    switch (instr.def->opcode) {
      case Opcode::kAlu:
        switch (func) {
          case 0:
            d = Add(x, y);
            break;
          case 1:
            d = Sub(x, y);
            break;
          case 2:
            d = Mul(x, y, fp);
            break;
          case 3:
            d = Add(d, Mul(x, y, fp));
            break;
          case 4:
            d = Div(x, y);
            break;
          case 5:
            d = x > y ? x : y;
            break;
          case 6:
            d = x < y ? x : y;
            break;
          case 7:
            d = ShiftRight(x, y);
            break;
          case 8:
            d = ShiftLeft(x, y);
            break;
          case 9:
            d = x;
            break;
          case 10:
            if ((y & 1) == 1) d = x;
            break;
          case 11:
            if ((y & 1) == 0) d = x;
            break;
          case 12:
            d = ~x;
            break;
          case 13:
            d = x & y;
            break;
          default:
            d = x | y;
            break;  // 14; 15 (nop) returned above
        }
        break;
      case Opcode::kCalculus:
        switch (func) {
          case 0:
            d = x >= 0 ? x : 0;
            break;
          case 1:
            d = x >= 0 ? x : Mul(x, y, fp);
            break;
          case 2:
            d = Abs(x);
            break;
          default:
            d = Sign(x);
            break;
        }
        break;
      case Opcode::kComparison:
        switch (func) {
          case 0:
            d = x == y;
            break;
          case 1:
            d = x != y;
            break;
          case 2:
            d = x > y;
            break;
          case 3:
            d = x >= y;
            break;
          case 4:
            d = x < y;
            break;
          default:
            d = x <= y;
            break;
        }
        break;
      default:  // DATATYPE_CAST
        switch (func) {
          case 0:
            d = CastNarrow(x, 16, fp);
            break;
          case 1:
            d = CastNarrow(x, 8, fp);
            break;
          case 2:
            d = CastNarrow(x, 4, fp);
            break;
          case 3:
            d = CastWiden(x, 16, fp);
            break;
          case 4:
            d = CastWiden(x, 8, fp);
            break;
          case 5:
            d = CastWiden(x, 4, fp);
            break;
          case 8:
            d = Floor(x, fp.src1_frac);
            break;
          default:
            d = Ceil(x, fp.src1_frac);
            break;
        }
        break;
    }
  }
}

}  // namespace accelgen::golden::tandem
