// The Tandem processor's instruction set (thesis chapter 4), defined once as a table. The encoder,
// decoder, assembler, disassembler and the generated reference in isa/README.md all derive from
// InstructionTable(); nothing else in the project may hard-code an opcode, func or bit position.
//
// Every word is 32 bits: opcode [31:28], func [27:24], then 24 bits whose split depends on the
// class (thesis Fig. 4.10). Numeric opcode/func values and namespace ids follow the public GeneSys
// sources where the thesis is silent; every departure is listed in isa/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace accelgen::isa::tandem {

// A contiguous bit range [lsb + width - 1 : lsb] of an instruction word.
struct BitField {
  int lsb = 0;
  int width = 0;

  constexpr uint32_t Mask() const {
    return width == 0 ? 0u : (width >= 32 ? 0xffffffffu : ((1u << width) - 1u) << lsb);
  }
  constexpr uint32_t Extract(uint32_t word) const { return (word & Mask()) >> lsb; }
  constexpr uint32_t Insert(uint32_t word, uint32_t value) const {
    return (word & ~Mask()) | ((value << lsb) & Mask());
  }
};

inline constexpr BitField kOpcodeField{28, 4};
inline constexpr BitField kFuncField{24, 4};

// Instruction classes of thesis Fig. 4.10.
enum class InstrClass {
  kSynchronization,
  kConfiguration,
  kCompute,
  kLoop,
  kDataTransformation,
  kOffChip,
};
std::string_view ClassName(InstrClass cls);

// Opcode values (GeneSys-compatible numbering).
enum class Opcode : uint8_t {
  kAlu = 0x0,
  kCalculus = 0x1,
  kComparison = 0x2,
  kDatatypeCast = 0x3,
  kDatatypeConfig = 0x4,
  kTileLdSt = 0x5,
  kIteratorConfig = 0x6,
  kLoop = 0x7,
  kPermutation = 0x8,
  kSync = 0xA,
};
std::string_view OpcodeName(Opcode op);

// Namespace ids (3-bit field; GeneSys-compatible numbering). Ids 5..7 are illegal.
enum class Namespace : uint8_t { kObuf = 0, kIbuf = 1, kVmem1 = 2, kVmem2 = 3, kImm = 4 };
inline constexpr int kNumNamespaces = 5;
inline constexpr int kItersPerNamespace = 32;  // 5-bit iterator index
inline constexpr int kImmSlots = 32;           // IMM BUF slots
inline constexpr int kMaxLoopLevels = 8;       // 3-bit loop id
// Issue slots of a `div` (isa/README.md item 14): the iterative divider holds fetch for this many
// cycles (one to take magnitudes, 32 restoring steps, one to apply the sign); every other
// instruction takes one slot.
inline constexpr int kDivSlots = 34;
// kDivSlots for ALU func 4 (div), 1 for every other opcode/func.
constexpr int IssueSlots(Opcode op, int func) {
  return op == Opcode::kAlu && func == 4 ? kDivSlots : 1;
}
// Assembler spelling of namespace `id` (0..4); "" for an illegal id.
std::string_view NamespaceName(int id);

enum class OperandKind {
  kSlot,      // <namespace, iterator index>, written ns[idx]; two fields
  kEnum,      // one field whose values have names (namespaces, src/dst, lo/hi, ...)
  kUnsigned,  // unsigned integer filling the field
  kSigned,    // two's-complement integer filling the field
};

struct Operand {
  std::string_view name;  // role, e.g. "dst", "count"
  OperandKind kind = OperandKind::kUnsigned;
  BitField field;        // kSlot: the namespace field; otherwise the value field
  BitField iter_field;   // kSlot only: the iterator-index field
  uint32_t ns_mask = 0;  // kSlot only: bit n set = namespace n allowed
  std::vector<std::string_view> enum_names;  // kEnum: value -> name ("" = illegal value)
  bool hex = false;                          // kUnsigned: the disassembler prints hexadecimal
  std::string_view doc;                      // one line for the reference
};

struct InstrDef {
  std::string_view mnemonic;
  InstrClass cls;
  Opcode opcode;
  uint8_t func;
  std::vector<Operand> operands;
  std::string_view semantics;  // one line for the reference

  // Bits owned by opcode, func and operands; every other bit is reserved and must be zero.
  uint32_t DefinedMask() const;
  uint32_t FixedBits() const;  // opcode and func placed in the word
};

// Every instruction, in reference order. Built once; the pointers stay valid for the program's
// life.
const std::vector<InstrDef>& InstructionTable();
const InstrDef* FindByMnemonic(std::string_view mnemonic);
const InstrDef* FindByOpcodeFunc(uint32_t opcode, uint32_t func);

// One operand's value: kSlot uses `value` for the namespace id and `iter` for the index; other
// kinds use `value` only (sign-extended for kSigned).
struct OperandValue {
  int64_t value = 0;
  int64_t iter = 0;
  friend bool operator==(const OperandValue&, const OperandValue&) = default;
};

struct Instruction {
  const InstrDef* def = nullptr;
  std::vector<OperandValue> operands;  // same order as def->operands
};

// Legal value range of a (non-slot) operand, inclusive.
int64_t OperandMin(const Operand& op);
int64_t OperandMax(const Operand& op);
// Why `v` is not a legal value for `op` ("" when it is legal).
std::string OperandProblem(const Operand& op, const OperandValue& v);

// Throws accelgen::UserError when an operand is missing or out of range.
uint32_t Encode(const Instruction& instr);
// Throws accelgen::UserError naming the reason when `word` is not a legal instruction: unknown
// opcode/func, non-zero reserved bits, or an illegal namespace/enum value.
Instruction Decode(uint32_t word);
// Same check without throwing: "" when legal, otherwise the reason.
std::string DecodeProblem(uint32_t word);

// The reference tables of isa/README.md (Markdown), generated from InstructionTable().
std::string ReferenceMarkdown();

}  // namespace accelgen::isa::tandem
