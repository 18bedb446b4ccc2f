#include "compiler/tandem/program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "common/error.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::compiler::tandem {
namespace {

using isa::tandem::FindByMnemonic;
using isa::tandem::Instruction;
using isa::tandem::OperandValue;

constexpr int kSpacing = 3;  // isa/README.md item 14

// Issue slots of one body instruction (a div holds fetch for isa::tandem::kDivSlots).
int SlotsOf(std::string_view mnemonic) {
  const auto* def = FindByMnemonic(mnemonic);
  return isa::tandem::IssueSlots(def->opcode, static_cast<int>(def->func));
}
constexpr int64_t kNever = -1'000'000;
// A shadow value no configuration can hold (ForgetState).
constexpr int64_t kUnknown = INT64_MIN;

int NsId(Namespace ns) { return static_cast<int>(ns); }

bool ReadsDst(std::string_view m) { return m == "macc" || m == "cmov.t" || m == "cmov.f"; }

void CheckWord32(int64_t v, std::string_view what) {
  if (v < INT32_MIN || v > INT32_MAX) {
    throw UserError(fmt::format("{} {} does not fit in 32 bits", what, v));
  }
}

}  // namespace

ProgramBuilder::ProgramBuilder(int lanes, int depth) : lanes_(lanes), depth_(depth) {
  if (lanes < 1 || depth < 1) throw UserError("Tandem program: lanes and depth must be positive");
  for (auto& v : last_write_) v.assign(depth, kNever);
}

void ProgramBuilder::ForgetState() {
  for (auto& table : iters_)
    for (auto& e : table) e = {kUnknown, kUnknown};
  imm_.fill(kUnknown);
  dtype_ = {-1, -1, -1};
  for (auto& cfg : dae_) {
    cfg.base_addr = cfg.tile_addr = kUnknown;
    cfg.count.fill(-1);
    cfg.stride.fill(kUnknown);
  }
}

void ProgramBuilder::Comment(std::string_view text) { lines_.push_back({-1, std::string(text)}); }

void ProgramBuilder::HeaderComment(std::string_view text) {
  size_t at = 0;
  while (at < lines_.size() && lines_[at].word_index < 0 &&
         lines_[at].comment.rfind("tile:", 0) != 0)
    ++at;
  lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(at), Line{-1, std::string(text)});
}

void ProgramBuilder::BeginTile(std::string_view text) {
  ++tiles_;
  Comment(text);
}

void ProgramBuilder::EmitWord(uint32_t word, std::string_view comment, bool body) {
  lines_.push_back({static_cast<int64_t>(words_.size()), std::string(comment), body});
  words_.push_back(word);
}

void ProgramBuilder::Emit(std::string_view mnemonic, std::vector<OperandValue> operands,
                          std::string_view comment) {
  const auto* def = FindByMnemonic(mnemonic);
  if (def == nullptr) throw UserError(fmt::format("unknown Tandem mnemonic '{}'", mnemonic));
  EmitWord(isa::tandem::Encode(Instruction{def, std::move(operands)}), comment, false);
  ++slot_;
}

void ProgramBuilder::Dtype(int dst_int, int src1_int, int src2_int) {
  if (dtype_ == std::array<int, 3>{dst_int, src1_int, src2_int}) return;
  Emit("dtype.fxp32", {{dst_int}, {src1_int}, {src2_int}},
       fmt::format("Q-formats: fractional bits dst {}, src1 {}, src2 {}", 32 - dst_int,
                   32 - src1_int, 32 - src2_int));
  dtype_ = {dst_int, src1_int, src2_int};
}

void ProgramBuilder::SetIterHalf(bool stride, Namespace ns, int index, int64_t value) {
  CheckWord32(value, stride ? "iterator stride" : "iterator offset");
  const std::string kind = stride ? "stride" : "base";
  const std::string what =
      fmt::format("{}[{}] {} = {}", isa::tandem::NamespaceName(NsId(ns)), index, kind, value);
  const OperandValue slot{NsId(ns), index};
  if (value >= -32768 && value <= 32767) {
    Emit(fmt::format("iter.{}_sext", kind), {slot, {value}}, what);
  } else if (value >= 0 && value <= 65535) {
    Emit(fmt::format("iter.{}_zext", kind), {slot, {value}}, what);
  } else {
    const auto bits = static_cast<uint32_t>(static_cast<int32_t>(value));
    Emit(fmt::format("iter.{}_zext", kind), {slot, {bits & 0xffffu}}, what + " (low half)");
    Emit(fmt::format("iter.{}_hi", kind), {slot, {bits >> 16}}, "(high half)");
  }
}

int ProgramBuilder::IterWithOffset(Namespace ns, int64_t offset) {
  auto& table = iters_[NsId(ns)];
  auto& pins = pinned_[NsId(ns)];
  for (int i = 0; i < isa::tandem::kItersPerNamespace; ++i) {
    if (table[i].offset == offset) {
      pins[i] = true;
      return i;
    }
  }
  for (int tries = 0; tries < isa::tandem::kItersPerNamespace; ++tries) {
    const int i = next_victim_[NsId(ns)]++ % isa::tandem::kItersPerNamespace;
    if (pins[i]) continue;
    SetIterHalf(false, ns, i, offset);
    table[i].offset = offset;
    pins[i] = true;
    return i;
  }
  throw UserError("Tandem program: a loop needs more than 32 iterators of one namespace");
}

int ProgramBuilder::IterWithStride(Namespace ns, int64_t stride) {
  auto& table = iters_[NsId(ns)];
  auto& pins = pinned_[NsId(ns)];
  for (int i = 0; i < isa::tandem::kItersPerNamespace; ++i) {
    if (table[i].stride == stride) {
      pins[i] = true;
      return i;
    }
  }
  for (int tries = 0; tries < isa::tandem::kItersPerNamespace; ++tries) {
    const int i = next_victim_[NsId(ns)]++ % isa::tandem::kItersPerNamespace;
    if (pins[i]) continue;
    SetIterHalf(true, ns, i, stride);
    table[i].stride = stride;
    pins[i] = true;
    return i;
  }
  throw UserError("Tandem program: a loop needs more than 32 iterators of one namespace");
}

int ProgramBuilder::ImmSlot(int32_t value) {
  for (int i = 0; i < isa::tandem::kImmSlots; ++i) {
    if (imm_[i] == value) {
      imm_pinned_[i] = true;
      return i;
    }
  }
  for (int tries = 0; tries < isa::tandem::kImmSlots; ++tries) {
    const int i = next_imm_victim_++ % isa::tandem::kImmSlots;
    if (imm_pinned_[i]) continue;
    const OperandValue slot{NsId(Namespace::kImm), i};
    const std::string what = fmt::format("imm[{}] = {}", i, value);
    if (value >= -32768 && value <= 32767) {
      Emit("imm.sext", {slot, {value}}, what);
    } else {
      const auto bits = static_cast<uint32_t>(value);
      Emit("imm.lo", {slot, {bits & 0xffffu}}, what + " (low half)");
      Emit("imm.hi", {slot, {bits >> 16}}, "(high half)");
    }
    imm_[i] = value;
    imm_pinned_[i] = true;
    return i;
  }
  throw UserError("Tandem program: a loop needs more than 32 IMM constants");
}

void ProgramBuilder::CheckRow(Namespace ns, int64_t row, std::string_view what) const {
  if (row < 0 || row >= depth_) {
    throw UserError(fmt::format("Tandem program: {} addresses row {} of {}, outside 0..{}", what,
                                row, isa::tandem::NamespaceName(NsId(ns)), depth_ - 1));
  }
}

int64_t ProgramBuilder::CheckSpacing(const std::vector<int64_t>& counts,
                                     const std::vector<BodyOp>& body, int64_t first_slot,
                                     bool commit) {
  auto trial = last_write_;
  auto& writes = commit ? last_write_ : trial;
  std::vector<int64_t> idx(counts.size(), 0);
  int64_t slot = first_slot;
  const auto row_of = [&](const Operand& o) {
    int64_t r = o.base;
    for (size_t l = 0; l < idx.size(); ++l) r += idx[l] * o.Stride(l);
    return r;
  };
  while (true) {
    for (size_t j = 0; j < body.size(); slot += SlotsOf(body[j].mnemonic), ++j) {
      const BodyOp& op = body[j];
      if (op.mnemonic == "nop") continue;
      const auto check_read = [&](const Operand& o) {
        if (o.kind != Operand::Kind::kBuf) return true;
        const int64_t r = row_of(o);
        CheckRow(o.ns, r, op.mnemonic);
        return slot - writes[NsId(o.ns)][r] >= kSpacing;
      };
      if (!check_read(op.src1) || !check_read(op.src2) ||
          (ReadsDst(op.mnemonic) && !check_read(op.dst))) {
        if (commit) throw UserError("Tandem program: spacing check is inconsistent");
        return static_cast<int64_t>(j);
      }
      const int64_t r = row_of(op.dst);
      CheckRow(op.dst.ns, r, op.mnemonic);
      writes[NsId(op.dst.ns)][r] =
          slot + SlotsOf(op.mnemonic) - 1;  // a div writes in its last slot
    }
    // Odometer, innermost level fastest.
    int l = static_cast<int>(idx.size()) - 1;
    for (; l >= 0; --l) {
      if (++idx[l] < counts[l]) break;
      idx[l] = 0;
    }
    if (l < 0) break;
  }
  return -1;
}

void ProgramBuilder::Loop(const std::vector<int64_t>& counts, std::vector<BodyOp> body,
                          std::string_view comment) {
  if (counts.empty() || counts.size() > static_cast<size_t>(isa::tandem::kMaxLoopLevels)) {
    throw UserError(
        fmt::format("Tandem program: a loop nest has 1..8 levels, not {}", counts.size()));
  }
  int64_t total = 1;
  for (int64_t c : counts) {
    if (c < 0 || c > 65535)
      throw UserError(fmt::format("Tandem program: loop count {} outside 0..65535", c));
    total *= c;
  }
  if (total == 0 || body.empty()) return;
  // One iterator per operand position and level: all body instructions must agree.
  std::array<const Operand*, 3> rep{nullptr, nullptr, nullptr};
  for (const BodyOp& op : body) {
    const std::array<const Operand*, 3> ops{&op.dst, &op.src1, &op.src2};
    for (int p = 0; p < 3; ++p) {
      if (ops[p]->kind != Operand::Kind::kBuf) continue;
      if (rep[p] == nullptr) {
        rep[p] = ops[p];
        continue;
      }
      for (size_t l = 0; l < counts.size(); ++l) {
        if (rep[p]->Stride(l) != ops[p]->Stride(l)) {
          throw UserError("Tandem program: body instructions disagree on an operand's strides");
        }
      }
    }
  }
  // Operand slots of the body instructions (configuring iterators and IMM slots as needed).
  for (auto& p : pinned_) p.fill(false);
  imm_pinned_.fill(false);
  const auto slot_of = [&](const Operand& o) -> OperandValue {
    if (o.kind == Operand::Kind::kImm) return {NsId(Namespace::kImm), ImmSlot(o.imm)};
    return {NsId(o.ns), IterWithOffset(o.ns, o.base)};
  };
  std::vector<uint32_t> words;
  for (const BodyOp& op : body) {
    const auto* def = FindByMnemonic(op.mnemonic);
    if (def == nullptr) throw UserError(fmt::format("unknown Tandem mnemonic '{}'", op.mnemonic));
    std::vector<OperandValue> vals;
    for (const auto& d : def->operands) {
      const Operand& o = d.name == "dst" ? op.dst : (d.name == "src1" ? op.src1 : op.src2);
      if (o.kind == Operand::Kind::kNone) {
        throw UserError(fmt::format("'{}' needs operand {}", op.mnemonic, d.name));
      }
      vals.push_back(slot_of(o));
    }
    words.push_back(isa::tandem::Encode(Instruction{def, std::move(vals)}));
  }
  // Per-level iterators: the stride of each operand position at each level.
  std::vector<std::array<OperandValue, 3>> level_iters;
  for (size_t l = 0; l < counts.size(); ++l) {
    std::array<OperandValue, 3> it;
    for (int p = 0; p < 3; ++p) {
      const Namespace ns = rep[p] != nullptr ? rep[p]->ns : Namespace::kObuf;
      const int64_t stride = rep[p] != nullptr ? rep[p]->Stride(l) : 0;
      it[p] = {NsId(ns), IterWithStride(ns, stride)};
    }
    level_iters.push_back(it);
  }
  for (size_t l = 0; l < counts.size(); ++l) {
    Emit("loop.set_iter", {{static_cast<int64_t>(l)}, {counts[l]}},
         l == 0 ? std::string(comment) : "");
    Emit("loop.set_index", {level_iters[l][0], level_iters[l][1], level_iters[l][2]});
  }
  // Spacing rule: insert nops where a read would come too soon after its write (the body starts
  // after the set_num_inst slot).
  const uint32_t nop_word = isa::tandem::Encode(Instruction{FindByMnemonic("nop"), {}});
  for (int tries = 0;; ++tries) {
    const int64_t bad = CheckSpacing(counts, body, slot_ + 1, false);
    if (bad < 0) break;
    if (tries > 64) throw UserError("Tandem program: cannot space a loop body");
    const auto at = bad == 0 ? body.size() : static_cast<size_t>(bad);
    body.insert(body.begin() + at, BodyOp{"nop", {}, {}, {}, MixRole::kNone});
    words.insert(words.begin() + at, nop_word);
    ++nops_inserted_;
  }
  for (const BodyOp& op : body) {
    if (op.mnemonic != "nop" && tiles_ <= 1) ++mix_[static_cast<int>(op.role)][op.mnemonic];
  }
  Emit("loop.set_num_inst", {{static_cast<int64_t>(words.size())}});
  CheckSpacing(counts, body, slot_, true);
  for (uint32_t w : words) EmitWord(w, "", true);
  int64_t body_slots = 0;
  for (const BodyOp& op : body) body_slots += SlotsOf(op.mnemonic);
  slot_ += total * body_slots;
}

void ProgramBuilder::Rows(std::string_view mnemonic, int64_t rows, Operand dst, Operand src1,
                          Operand src2, MixRole role, std::string_view comment) {
  for (Operand* o : {&dst, &src1, &src2}) {
    if (o->kind == Operand::Kind::kBuf && o->strides.empty()) o->strides = {1};
  }
  Loop({rows}, {BodyOp{std::string(mnemonic), dst, src1, src2, role}}, comment);
}

void ProgramBuilder::Transfer(bool store, Namespace buf, const TileWalk& walk,
                              std::string_view comment) {
  if (buf != Namespace::kVmem1 && buf != Namespace::kVmem2) {
    throw UserError("Tandem program: the DAE moves data to and from vmem1/vmem2 only");
  }
  if (walk.loops.size() > 8) throw UserError("Tandem program: a DAE walk has at most 8 loops");
  int64_t elements = 1;
  for (const auto& [count, stride] : walk.loops) {
    if (count < 1 || count > 65535) {
      throw UserError(fmt::format("Tandem program: DAE loop count {} outside 1..65535", count));
    }
    CheckWord32(stride, "DAE stride");
    elements *= count;
  }
  if (walk.size < 1 || walk.size > lanes_) {
    throw UserError(fmt::format("Tandem program: DAE size {} outside 1..{}", walk.size, lanes_));
  }
  CheckRow(buf, walk.row, "a DAE transfer");
  CheckRow(buf, walk.row + (elements + walk.size - 1) / walk.size - 1, "a DAE transfer");
  const std::string p = store ? "st" : "ld";
  const int64_t b = buf == Namespace::kVmem1 ? 0 : 1;
  DaeConfig& cfg = dae_[(store ? 2 : 0) + b];
  const auto set32 = [&](std::string_view field, int64_t& shadow, int64_t value,
                         std::vector<OperandValue> mid) {
    const auto old_bits = static_cast<uint32_t>(static_cast<int32_t>(shadow));
    const auto bits = static_cast<uint32_t>(static_cast<int32_t>(value));
    for (int half = 0; half < 2; ++half) {
      const uint32_t o = half ? old_bits >> 16 : old_bits & 0xffffu;
      const uint32_t n = half ? bits >> 16 : bits & 0xffffu;
      if (shadow != kUnknown && o == n) continue;
      std::vector<OperandValue> ops{{half}, {b}};
      ops.insert(ops.end(), mid.begin(), mid.end());
      ops.push_back({n});
      Emit(fmt::format("{}.{}", p, field), ops);
    }
    shadow = value;
  };
  CheckWord32(walk.dram_base, "DRAM address");
  set32("base_addr", cfg.base_addr, walk.dram_base, {});
  set32("tile_addr", cfg.tile_addr, walk.row, {});
  const int first = 8 - static_cast<int>(walk.loops.size());
  for (int l = 0; l < 8; ++l) {
    const int64_t count = l < first ? 1 : walk.loops[l - first].first;
    if (cfg.count[l] != count) {
      Emit(p + ".tile_iter", {{b}, {l}, {count}});
      cfg.count[l] = count;
    }
    if (l >= first) set32("tile_stride", cfg.stride[l], walk.loops[l - first].second, {{l}});
  }
  Emit(p + ".start", {{b}, {walk.width}, {walk.size}}, comment);
  engine_elements_ += elements;
  ++engine_starts_;
  // The engine runs after every earlier write-back and fetch waits for it: nothing is in flight.
  for (auto& v : last_write_) v.assign(depth_, kNever);
}

void ProgramBuilder::Load(Namespace buf, const TileWalk& walk, std::string_view comment) {
  Transfer(false, buf, walk, comment);
}
void ProgramBuilder::Store(Namespace buf, const TileWalk& walk, std::string_view comment) {
  Transfer(true, buf, walk, comment);
}

void ProgramBuilder::Permute(Namespace dst, int64_t dst_base,
                             const std::vector<std::pair<int64_t, int64_t>>& dst_dims,
                             Namespace src, int64_t src_base,
                             const std::vector<std::pair<int64_t, int64_t>>& src_dims,
                             std::string_view comment) {
  // Permute configuration is emitted in full each time (it is short and rare).
  const auto side = [&](int s, int64_t base, const std::vector<std::pair<int64_t, int64_t>>& dims) {
    if (dims.size() > 8) throw UserError("Tandem program: a permutation has at most 8 dimensions");
    if (base < 0 || base > 65535)
      throw UserError("Tandem program: permutation base outside 0..65535");
    Emit("perm.set_base", {{s}, {base}});
    const int first = 8 - static_cast<int>(dims.size());
    for (int d = 0; d < 8; ++d) {
      const int64_t count = d < first ? 1 : dims[d - first].first;
      const int64_t stride = d < first ? 0 : dims[d - first].second;
      if (count < 1 || count > 65535 || stride < -32768 || stride > 32767) {
        throw UserError("Tandem program: permutation count or stride out of range");
      }
      Emit("perm.set_iter", {{s}, {d}, {count}});
      Emit("perm.set_stride", {{s}, {d}, {stride}});
    }
  };
  side(0, src_base, src_dims);
  int64_t elements = 1;
  for (const auto& d : src_dims) elements *= d.first;
  engine_elements_ += elements;
  ++engine_starts_;
  side(1, dst_base, dst_dims);
  Emit("perm.start", {{NsId(dst)}, {NsId(src)}, {0}}, comment);
  for (auto& v : last_write_) v.assign(depth_, kNever);
}

std::string ProgramBuilder::Tasm() const {
  std::string out;
  for (const Line& line : lines_) {
    if (line.word_index < 0) {
      out += fmt::format("# {}\n", line.comment);
      continue;
    }
    std::string text = fmt::format("{}{}", line.body ? "      " : "  ",
                                   isa::tandem::Disassemble(words_[line.word_index]));
    if (!line.comment.empty()) {
      text.resize(std::max<size_t>(text.size() + 1, 40), ' ');
      text += "# " + line.comment;
    }
    out += text + "\n";
  }
  return out;
}

}  // namespace accelgen::compiler::tandem
