#include "isa/tandem/isa.hpp"

#include <fmt/format.h>

#include <array>
#include <deque>

#include "common/error.hpp"

namespace accelgen::isa::tandem {
namespace {

// Field positions shared by several formats (thesis Fig. 4.10, opcode at [31:28]).
constexpr BitField kF23_21{21, 3};  // dst ns / ns id / loop id / src-dst / func2
constexpr BitField kF20_16{16, 5};  // dst iter / iter idx / group id / dim idx / loop idx
constexpr BitField kF15_13{13, 3};  // src1 ns
constexpr BitField kF12_8{8, 5};    // src1 iter
constexpr BitField kF7_5{5, 3};     // src2 ns
constexpr BitField kF4_0{0, 5};     // src2 iter
constexpr BitField kImm16{0, 16};
constexpr uint32_t kAllNs = 0x1f;
constexpr uint32_t kImmOnly = 1u << static_cast<int>(Namespace::kImm);
constexpr uint32_t kNoImm = kAllNs & ~kImmOnly;

const std::vector<std::string_view>& NsNames() {
  static const std::vector<std::string_view> names = {"obuf", "ibuf", "vmem1", "vmem2",
                                                      "imm",  "",     "",      ""};
  return names;
}

Operand Slot(std::string_view name, BitField ns, BitField iter, uint32_t mask,
             std::string_view doc) {
  Operand op;
  op.name = name;
  op.kind = OperandKind::kSlot;
  op.field = ns;
  op.iter_field = iter;
  op.ns_mask = mask;
  op.doc = doc;
  return op;
}
Operand Dst(uint32_t mask = kAllNs) {
  return Slot("dst", kF23_21, kF20_16, mask, "destination <ns, iterator>");
}
Operand Src1() { return Slot("src1", kF15_13, kF12_8, kAllNs, "first source <ns, iterator>"); }
Operand Src2() { return Slot("src2", kF7_5, kF4_0, kAllNs, "second source <ns, iterator>"); }
Operand Num(std::string_view name, OperandKind kind, BitField f, std::string_view doc,
            bool hex = false) {
  Operand op;
  op.name = name;
  op.kind = kind;
  op.field = f;
  op.hex = hex;
  op.doc = doc;
  return op;
}
Operand Enum(std::string_view name, BitField f, std::vector<std::string_view> names,
             std::string_view doc) {
  Operand op;
  op.name = name;
  op.kind = OperandKind::kEnum;
  op.field = f;
  op.enum_names = std::move(names);
  op.doc = doc;
  return op;
}

// Stable storage for generated mnemonics (a deque never moves its elements).
std::string_view Intern(std::string text) {
  static std::deque<std::string> storage;
  storage.push_back(std::move(text));
  return storage.back();
}

std::vector<InstrDef> BuildTable() {
  std::vector<InstrDef> t;
  auto add = [&t](std::string_view m, InstrClass c, Opcode o, int func, std::vector<Operand> ops,
                  std::string_view sem) {
    t.push_back(InstrDef{m, c, o, static_cast<uint8_t>(func), std::move(ops), sem});
  };
  using C = InstrClass;
  using O = Opcode;

  // --- Synchronization: func = {target, start/end, exec/buf, 0}; group id [20:16]. ---
  const std::array<std::string_view, 2> target = {"gemm", "tandem"};
  const std::array<std::string_view, 2> edge = {"start", "end"};
  const std::array<std::string_view, 2> kind = {"exec", "buf"};
  for (int i = 0; i < 8; ++i) {
    const int tg = i >> 2, e = (i >> 1) & 1, k = i & 1;
    add(Intern(fmt::format("sync.{}.{}.{}", target[tg], edge[e], kind[k])), C::kSynchronization,
        O::kSync, (tg << 3) | (e << 2) | (k << 1),
        {Num("group", OperandKind::kUnsigned, kF20_16, "instruction group / block id")},
        k == 0 ? "marks the start/end of a GEMM or Tandem code region (EXEC) for the dispatcher"
               : "handshake: BUF = the Output BUF is released to the GEMM unit");
  }

  // --- Configuration: ITERATOR_CONFIG (iterator tables and IMM BUF). ---
  const auto slot_any = [] {
    return Slot("iter", kF23_21, kF20_16, kAllNs, "iterator table entry <ns, index>");
  };
  const auto slot_imm = [] {
    return Slot("slot", kF23_21, kF20_16, kImmOnly, "IMM BUF slot imm[0..31]");
  };
  const auto s16 = [] { return Num("value", OperandKind::kSigned, kImm16, "16-bit signed value"); };
  const auto u16 = [] { return Num("value", OperandKind::kUnsigned, kImm16, "16-bit half", true); };
  add("iter.base_sext", C::kConfiguration, O::kIteratorConfig, 0, {slot_any(), s16()},
      "offset = sign_extend(value)");
  add("iter.base_lo", C::kConfiguration, O::kIteratorConfig, 1, {slot_any(), u16()},
      "offset[15:0] = value; offset[31:16] kept");
  add("iter.base_hi", C::kConfiguration, O::kIteratorConfig, 2, {slot_any(), u16()},
      "offset[31:16] = value; offset[15:0] kept");
  add("iter.base_zext", C::kConfiguration, O::kIteratorConfig, 3, {slot_any(), u16()},
      "offset = zero_extend(value)");
  add("iter.stride_sext", C::kConfiguration, O::kIteratorConfig, 4, {slot_any(), s16()},
      "stride = sign_extend(value)");
  add("iter.stride_lo", C::kConfiguration, O::kIteratorConfig, 5, {slot_any(), u16()},
      "stride[15:0] = value; stride[31:16] kept");
  add("iter.stride_hi", C::kConfiguration, O::kIteratorConfig, 6, {slot_any(), u16()},
      "stride[31:16] = value; stride[15:0] kept");
  add("iter.stride_zext", C::kConfiguration, O::kIteratorConfig, 7, {slot_any(), u16()},
      "stride = zero_extend(value)");
  add("imm.lo", C::kConfiguration, O::kIteratorConfig, 8, {slot_imm(), u16()},
      "IMM[slot][15:0] = value; IMM[slot][31:16] kept");
  add("imm.hi", C::kConfiguration, O::kIteratorConfig, 9, {slot_imm(), u16()},
      "IMM[slot][31:16] = value; IMM[slot][15:0] kept");
  add("imm.sext", C::kConfiguration, O::kIteratorConfig, 10, {slot_imm(), s16()},
      "IMM[slot] = sign_extend(value)");

  // --- Configuration: DATATYPE_CONFIG; three 8-bit integer-bit counts. ---
  const std::array<std::string_view, 4> fxp = {"dtype.fxp32", "dtype.fxp16", "dtype.fxp8",
                                               "dtype.fxp4"};
  for (int f = 0; f < 4; ++f) {
    add(fxp[f], C::kConfiguration, O::kDatatypeConfig, f,
        {Num("dst_int", OperandKind::kUnsigned, BitField{16, 8}, "integer bits of dst"),
         Num("src1_int", OperandKind::kUnsigned, BitField{8, 8}, "integer bits of src1"),
         Num("src2_int", OperandKind::kUnsigned, BitField{0, 8}, "integer bits of src2")},
        "Q-formats: frac = 32 - int bits of dst/src1/src2; func names the narrow format "
        "(casts take their widths from their own func)");
  }

  // --- Compute: ALU. ---
  struct Op3 {
    std::string_view m;
    int func;
    int nsrc;
    std::string_view sem;
  };
  const std::vector<Op3> alu = {
      {"add", 0, 2, "dst = sat32(src1 + src2)"},
      {"sub", 1, 2, "dst = sat32(src1 - src2)"},
      {"mul", 2, 2, "dst = sat32((src1 * src2) >> (f1 + f2 - fd)), arithmetic shift"},
      {"macc", 3, 2, "dst = sat32(dst + sat32((src1 * src2) >> (f1 + f2 - fd)))"},
      {"div", 4, 2, "dst = src1 / src2 truncated toward zero, saturated; x/0 = x<0 ? MIN : MAX"},
      {"max", 5, 2, "dst = max(src1, src2), signed"},
      {"min", 6, 2, "dst = min(src1, src2), signed"},
      {"rshift", 7, 2, "dst = src1 >> src2[4:0], arithmetic"},
      {"lshift", 8, 2, "dst = src1 << src2[4:0], bits shifted out are lost (wrap)"},
      {"move", 9, 1, "dst = src1"},
      {"cmov.t", 10, 2, "if src2[0] == 1: dst = src1 (otherwise dst is not written)"},
      {"cmov.f", 11, 2, "if src2[0] == 0: dst = src1 (otherwise dst is not written)"},
      {"not", 12, 1, "dst = ~src1"},
      {"and", 13, 2, "dst = src1 & src2"},
      {"or", 14, 2, "dst = src1 | src2"},
  };
  const auto ops_for = [&](int nsrc) {
    std::vector<Operand> ops = {Dst(kNoImm), Src1()};
    if (nsrc == 2) ops.push_back(Src2());
    return ops;
  };
  for (const Op3& o : alu) add(o.m, C::kCompute, O::kAlu, o.func, ops_for(o.nsrc), o.sem);
  add("nop", C::kCompute, O::kAlu, 15, {}, "no read, no write");

  const std::vector<Op3> calc = {
      {"relu", 0, 1, "dst = src1 >= 0 ? src1 : 0"},
      {"leaky_relu", 1, 2, "dst = src1 >= 0 ? src1 : sat32((src1 * src2) >> (f1 + f2 - fd))"},
      {"abs", 2, 1, "dst = |src1|, saturated: abs(INT32_MIN) = INT32_MAX"},
      {"sign", 3, 1, "dst = src1 > 0 ? 1 : (src1 < 0 ? -1 : 0), integer"},
  };
  for (const Op3& o : calc) add(o.m, C::kCompute, O::kCalculus, o.func, ops_for(o.nsrc), o.sem);

  const std::vector<Op3> cmp = {
      {"eq", 0, 2, "dst = src1 == src2 ? 1 : 0"}, {"neq", 1, 2, "dst = src1 != src2 ? 1 : 0"},
      {"gt", 2, 2, "dst = src1 > src2 ? 1 : 0"},  {"gte", 3, 2, "dst = src1 >= src2 ? 1 : 0"},
      {"lt", 4, 2, "dst = src1 < src2 ? 1 : 0"},  {"lte", 5, 2, "dst = src1 <= src2 ? 1 : 0"},
  };
  for (const Op3& o : cmp) add(o.m, C::kCompute, O::kComparison, o.func, ops_for(o.nsrc), o.sem);

  // --- Data transformation: DATATYPE_CAST. ---
  const std::vector<Op3> cast = {
      {"cast.fxp32_fxp16", 0, 1, "dst = sat16(src1 >> (f1 - fd)), sign-extended to 32 bits"},
      {"cast.fxp32_fxp8", 1, 1, "dst = sat8(src1 >> (f1 - fd)), sign-extended to 32 bits"},
      {"cast.fxp32_fxp4", 2, 1, "dst = sat4(src1 >> (f1 - fd)), sign-extended to 32 bits"},
      {"cast.fxp16_fxp32", 3, 1, "dst = sat32(sext16(src1) << (fd - f1))"},
      {"cast.fxp8_fxp32", 4, 1, "dst = sat32(sext8(src1) << (fd - f1))"},
      {"cast.fxp4_fxp32", 5, 1, "dst = sat32(sext4(src1) << (fd - f1))"},
      {"floor", 8, 1, "dst = sat32(src1 & ~(2^f1 - 1)), computed exactly"},
      {"ceil", 9, 1, "dst = sat32((src1 + 2^f1 - 1) & ~(2^f1 - 1)), computed exactly"},
  };
  for (const Op3& o : cast) {
    add(o.m, C::kDataTransformation, O::kDatatypeCast, o.func, ops_for(o.nsrc), o.sem);
  }

  // --- Loop (Code Repeater). ---
  add("loop.set_index", C::kLoop, O::kLoop, 0, {Dst(kNoImm), Src1(), Src2()},
      "per-level iterators of dst/src1/src2 for the level set by the latest loop.set_iter");
  add("loop.set_iter", C::kLoop, O::kLoop, 1,
      {Num("level", OperandKind::kUnsigned, kF23_21, "loop id 0..7, 0 = outermost"),
       Num("count", OperandKind::kUnsigned, kImm16, "iteration count N (0 = body skipped)")},
      "level `level` runs `count` times; levels are configured outermost first");
  add("loop.set_num_inst", C::kLoop, O::kLoop, 2,
      {Num("count", OperandKind::kUnsigned, kImm16, "loop body length in instructions")},
      "the next `count` instructions form the body of the configured loop nest");

  // --- Data transformation: PERMUTATION. ---
  const auto side = [] {
    return Enum("side", kF23_21, {"src", "dst", "", "", "", "", "", ""},
                "src = read side, dst = write side");
  };
  const auto dim = [] { return Num("dim", OperandKind::kUnsigned, kF20_16, "dimension 0..31"); };
  add("perm.set_base", C::kDataTransformation, O::kPermutation, 0,
      {side(), Num("addr", OperandKind::kUnsigned, kImm16, "base address")},
      "base address of the permutation's read or write walk");
  add("perm.set_iter", C::kDataTransformation, O::kPermutation, 1,
      {side(), dim(), Num("count", OperandKind::kUnsigned, kImm16, "iteration count N")},
      "shape: dimension `dim` of the read or write walk has `count` elements");
  add("perm.set_stride", C::kDataTransformation, O::kPermutation, 2,
      {side(), dim(), Num("stride", OperandKind::kSigned, kImm16, "signed stride")},
      "stride of dimension `dim` of the read or write walk");
  add("perm.start", C::kDataTransformation, O::kPermutation, 3,
      {Enum("dst_ns", kF23_21, NsNames(), "destination namespace"),
       Enum("src_ns", kF15_13, NsNames(), "source namespace"),
       Num("shuffle", OperandKind::kUnsigned, BitField{0, 1}, "1 = shuffle across banks")},
      "run the configured permutation from src_ns to dst_ns");

  // --- Off-chip: TILE_LD_ST; func[3] = LD/ST, func[2:0] = operation; func2 = {half, buffer}. ---
  const auto half = [] {
    return Enum("half", BitField{23, 1}, {"lo", "hi"}, "which 16-bit half of the 32-bit value");
  };
  const auto buf = [] {
    return Enum("buf", BitField{21, 2}, {"vmem1", "vmem2", "", ""}, "Interim BUF");
  };
  const auto loop = [] { return Num("loop", OperandKind::kUnsigned, kF20_16, "loop index 0..31"); };
  const auto val = [](std::string_view name, std::string_view doc) {
    return Num(name, OperandKind::kUnsigned, kImm16, doc, true);
  };
  for (int st = 0; st < 2; ++st) {
    const std::string_view p = st ? "st" : "ld";
    const auto name = [&](std::string_view op) { return Intern(fmt::format("{}.{}", p, op)); };
    const int hi = st << 3;
    add(name("base_addr"), C::kOffChip, O::kTileLdSt, hi | 0,
        {half(), buf(), val("value", "half of the DRAM base address")},
        "DRAM base address of the tile walk, one 16-bit half at a time");
    add(name("base_iter"), C::kOffChip, O::kTileLdSt, hi | 1,
        {buf(), loop(), val("count", "iteration count N")},
        "DRAM-side (across tiles) loop `loop` runs `count` times");
    add(name("base_stride"), C::kOffChip, O::kTileLdSt, hi | 2,
        {half(), buf(), loop(), val("value", "half of the stride")},
        "DRAM-side stride of loop `loop`, one 16-bit half at a time");
    add(name("tile_iter"), C::kOffChip, O::kTileLdSt, hi | 3,
        {buf(), loop(), val("count", "iteration count N")},
        "within-tile loop `loop` of the Data Access Engine runs `count` times");
    add(name("tile_stride"), C::kOffChip, O::kTileLdSt, hi | 4,
        {half(), buf(), loop(), val("value", "half of the stride")},
        "within-tile stride of loop `loop`, one 16-bit half at a time");
    add(name("start"), C::kOffChip, O::kTileLdSt, hi | 5,
        {buf(), Num("width", OperandKind::kUnsigned, kF20_16, "element width code"),
         val("size", "request size")},
        st ? "start the Data Access Engine: store the tile from buf to DRAM"
           : "start the Data Access Engine: load the tile from DRAM into buf");
    add(name("tile_addr"), C::kOffChip, O::kTileLdSt, hi | 6,
        {half(), buf(), val("value", "half of the on-chip base address")},
        "on-chip (Interim BUF) base address of the tile, one 16-bit half at a time");
  }
  return t;
}

}  // namespace

std::string_view ClassName(InstrClass cls) {
  switch (cls) {
    case InstrClass::kSynchronization:
      return "synchronization";
    case InstrClass::kConfiguration:
      return "configuration";
    case InstrClass::kCompute:
      return "compute";
    case InstrClass::kLoop:
      return "loop";
    case InstrClass::kDataTransformation:
      return "data transformation";
    case InstrClass::kOffChip:
      return "off-chip data movement";
  }
  return "";
}

std::string_view OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kAlu:
      return "ALU";
    case Opcode::kCalculus:
      return "CALCULUS";
    case Opcode::kComparison:
      return "COMPARISON";
    case Opcode::kDatatypeCast:
      return "DATATYPE_CAST";
    case Opcode::kDatatypeConfig:
      return "DATATYPE_CONFIG";
    case Opcode::kTileLdSt:
      return "TILE_LD_ST";
    case Opcode::kIteratorConfig:
      return "ITERATOR_CONFIG";
    case Opcode::kLoop:
      return "LOOP";
    case Opcode::kPermutation:
      return "PERMUTATION";
    case Opcode::kSync:
      return "SYNC";
  }
  return "";
}

std::string_view NamespaceName(int id) {
  if (id < 0 || id >= kNumNamespaces) return "";
  return NsNames()[id];
}

uint32_t InstrDef::FixedBits() const {
  return kFuncField.Insert(kOpcodeField.Insert(0, static_cast<uint32_t>(opcode)), func);
}

uint32_t InstrDef::DefinedMask() const {
  uint32_t m = kOpcodeField.Mask() | kFuncField.Mask();
  for (const Operand& op : operands) m |= op.field.Mask() | op.iter_field.Mask();
  return m;
}

const std::vector<InstrDef>& InstructionTable() {
  static const std::vector<InstrDef> table = BuildTable();
  return table;
}

namespace {
struct Index {
  std::array<const InstrDef*, 256> by_code{};
};
const Index& GetIndex() {
  static const Index idx = [] {
    Index i;
    for (const InstrDef& d : InstructionTable()) {
      i.by_code[(static_cast<int>(d.opcode) << 4) | d.func] = &d;
    }
    return i;
  }();
  return idx;
}
}  // namespace

const InstrDef* FindByMnemonic(std::string_view mnemonic) {
  for (const InstrDef& d : InstructionTable()) {
    if (d.mnemonic == mnemonic) return &d;
  }
  return nullptr;
}

const InstrDef* FindByOpcodeFunc(uint32_t opcode, uint32_t func) {
  if (opcode > 15 || func > 15) return nullptr;
  return GetIndex().by_code[(opcode << 4) | func];
}

int64_t OperandMin(const Operand& op) {
  return op.kind == OperandKind::kSigned ? -(int64_t{1} << (op.field.width - 1)) : 0;
}

int64_t OperandMax(const Operand& op) {
  return op.kind == OperandKind::kSigned ? (int64_t{1} << (op.field.width - 1)) - 1
                                         : (int64_t{1} << op.field.width) - 1;
}

std::string OperandProblem(const Operand& op, const OperandValue& v) {
  switch (op.kind) {
    case OperandKind::kSlot: {
      if (v.value < 0 || v.value >= kNumNamespaces) {
        return fmt::format("namespace id {} is not defined", v.value);
      }
      if (((op.ns_mask >> v.value) & 1u) == 0) {
        return fmt::format("namespace '{}' is not allowed for operand '{}'",
                           NamespaceName(static_cast<int>(v.value)), op.name);
      }
      const int64_t max_iter = (int64_t{1} << op.iter_field.width) - 1;
      if (v.iter < 0 || v.iter > max_iter) {
        return fmt::format("index {} of operand '{}' is out of range 0..{}", v.iter, op.name,
                           max_iter);
      }
      return "";
    }
    case OperandKind::kEnum:
      if (v.value < 0 || v.value >= static_cast<int64_t>(op.enum_names.size()) ||
          op.enum_names[v.value].empty()) {
        return fmt::format("value {} is not a legal '{}'", v.value, op.name);
      }
      return "";
    case OperandKind::kUnsigned:
    case OperandKind::kSigned:
      if (v.value < OperandMin(op) || v.value > OperandMax(op)) {
        return fmt::format("value {} of operand '{}' is out of range {}..{}", v.value, op.name,
                           OperandMin(op), OperandMax(op));
      }
      return "";
  }
  return "unknown operand kind";
}

uint32_t Encode(const Instruction& instr) {
  if (instr.def == nullptr) throw UserError("cannot encode an instruction without a definition");
  const InstrDef& d = *instr.def;
  if (instr.operands.size() != d.operands.size()) {
    throw UserError(fmt::format("'{}' takes {} operand(s), got {}", d.mnemonic, d.operands.size(),
                                instr.operands.size()));
  }
  uint32_t w = d.FixedBits();
  for (size_t i = 0; i < d.operands.size(); ++i) {
    const Operand& op = d.operands[i];
    const OperandValue& v = instr.operands[i];
    if (std::string why = OperandProblem(op, v); !why.empty()) {
      throw UserError(fmt::format("'{}': {}", d.mnemonic, why));
    }
    w = op.field.Insert(w, static_cast<uint32_t>(v.value));
    if (op.kind == OperandKind::kSlot) w = op.iter_field.Insert(w, static_cast<uint32_t>(v.iter));
  }
  return w;
}

namespace {
// Decodes without throwing; `why` receives the reason on failure.
bool TryDecode(uint32_t word, Instruction* out, std::string* why) {
  const InstrDef* d = FindByOpcodeFunc(kOpcodeField.Extract(word), kFuncField.Extract(word));
  if (d == nullptr) {
    *why = fmt::format("no instruction has opcode {:#x} and func {:#x}", kOpcodeField.Extract(word),
                       kFuncField.Extract(word));
    return false;
  }
  if (const uint32_t reserved = word & ~d->DefinedMask(); reserved != 0) {
    *why = fmt::format("'{}' must have reserved bits {:#010x} zero", d->mnemonic, reserved);
    return false;
  }
  Instruction instr;
  instr.def = d;
  for (const Operand& op : d->operands) {
    OperandValue v;
    const uint32_t raw = op.field.Extract(word);
    v.value = raw;
    if (op.kind == OperandKind::kSigned && (raw >> (op.field.width - 1)) != 0) {
      v.value = static_cast<int64_t>(raw) - (int64_t{1} << op.field.width);
    }
    if (op.kind == OperandKind::kSlot) v.iter = op.iter_field.Extract(word);
    if (std::string problem = OperandProblem(op, v); !problem.empty()) {
      *why = fmt::format("'{}': {}", d->mnemonic, problem);
      return false;
    }
    instr.operands.push_back(v);
  }
  *out = std::move(instr);
  return true;
}
}  // namespace

Instruction Decode(uint32_t word) {
  Instruction instr;
  std::string why;
  if (!TryDecode(word, &instr, &why)) {
    throw UserError(fmt::format("illegal Tandem instruction {:#010x}: {}", word, why));
  }
  return instr;
}

std::string DecodeProblem(uint32_t word) {
  Instruction instr;
  std::string why;
  return TryDecode(word, &instr, &why) ? std::string() : why;
}

namespace {
// A Markdown table cell: '|' must be escaped.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string ReferenceMarkdown() {
  std::string out;
  out += "| mnemonic | class | opcode | func | operands (bits) | semantics |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const InstrDef& d : InstructionTable()) {
    std::string ops;
    for (const Operand& op : d.operands) {
      if (!ops.empty()) ops += ", ";
      const auto range = [](const BitField& f) {
        return f.width == 1 ? fmt::format("[{}]", f.lsb)
                            : fmt::format("[{}:{}]", f.lsb + f.width - 1, f.lsb);
      };
      switch (op.kind) {
        case OperandKind::kSlot: {
          std::string allowed;
          for (int n = 0; n < kNumNamespaces; ++n) {
            if ((op.ns_mask >> n) & 1u) {
              allowed += fmt::format("{}{}", allowed.empty() ? "" : "/", NamespaceName(n));
            }
          }
          ops += fmt::format("{} ns{} iter{} ({})", op.name, range(op.field), range(op.iter_field),
                             op.ns_mask == kAllNs ? "any ns" : allowed);
          break;
        }
        case OperandKind::kEnum: {
          std::string names;
          for (size_t v = 0; v < op.enum_names.size(); ++v) {
            if (op.enum_names[v].empty()) continue;
            names += fmt::format("{}{}={}", names.empty() ? "" : "/", op.enum_names[v], v);
          }
          ops += fmt::format("{}{} ({})", op.name, range(op.field), names);
          break;
        }
        case OperandKind::kUnsigned:
          ops += fmt::format("{}{} u{}", op.name, range(op.field), op.field.width);
          break;
        case OperandKind::kSigned:
          ops += fmt::format("{}{} s{}", op.name, range(op.field), op.field.width);
          break;
      }
    }
    out +=
        fmt::format("| `{}` | {} | {:#x} {} | {:#x} | {} | {} |\n", d.mnemonic, ClassName(d.cls),
                    static_cast<int>(d.opcode), OpcodeName(d.opcode), d.func,
                    ops.empty() ? std::string_view("-") : std::string_view(ops), Cell(d.semantics));
  }
  return out;
}

}  // namespace accelgen::isa::tandem
