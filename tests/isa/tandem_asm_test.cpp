// The Tandem assembler and disassembler: syntax, symbols, labels, comments, error positions and the
// assemble -> disassemble -> assemble identity over every instruction.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::isa::tandem {
namespace {

// The error message of assembling `text` ("" when it assembles).
std::string AsmError(std::string_view text) {
  try {
    Assemble(text, "t.tasm");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(TandemAsm, AssemblesAnElementwiseTile) {
  // Labels are values but there is no arithmetic on them.
  EXPECT_EQ(AsmError("a: nop\nb: loop.set_num_inst b - a"),
            "t.tasm:2:24: unexpected '-' after the operands of 'loop.set_num_inst'");

  const std::vector<uint32_t> words = Assemble(R"(
.equ  N = 64
.ns   in = vmem1
.iter x = in[0]
.iter y = vmem2[0]
      sync.tandem.start.exec 3
      iter.stride_sext x, 1
      imm.sext imm[1], -7
      loop.set_iter 0, N
      loop.set_index y, x, imm[1]
.equ body_len = 2
      loop.set_num_inst body_len
body: relu y, x
      add  y, y, imm[1]
done: sync.tandem.end.exec done      # a label's value is the index of its instruction
)");
  ASSERT_EQ(words.size(), 9u);
  EXPECT_EQ(words[0], 0xA8030000u);  // opcode 0xA, func 1000, group 3
  EXPECT_EQ(Disassemble(words[1]), "iter.stride_sext vmem1[0], 1");
  EXPECT_EQ(Disassemble(words[2]), "imm.sext imm[1], -7");
  EXPECT_EQ(Disassemble(words[3]), "loop.set_iter 0, 64");
  EXPECT_EQ(Disassemble(words[4]), "loop.set_index vmem2[0], vmem1[0], imm[1]");
  EXPECT_EQ(Disassemble(words[6]), "relu vmem2[0], vmem1[0]");
  EXPECT_EQ(Disassemble(words[7]), "add vmem2[0], vmem2[0], imm[1]");
  EXPECT_EQ(Disassemble(words[8]), "sync.tandem.end.exec 8");
  EXPECT_EQ(Disassemble(words[5]), "loop.set_num_inst 2");
}

TEST(TandemAsm, NumbersInEveryBase) {
  EXPECT_EQ(Assemble("iter.base_lo vmem1[0], 0xBEEF")[0] & 0xFFFFu, 0xBEEFu);
  EXPECT_EQ(Assemble("iter.base_lo vmem1[0], 0b101")[0] & 0xFFFFu, 5u);
  EXPECT_EQ(Assemble("iter.base_lo vmem1[0], +65535")[0] & 0xFFFFu, 65535u);
  EXPECT_EQ(Assemble("iter.base_sext vmem1[0], -32768")[0] & 0xFFFFu, 0x8000u);
  EXPECT_EQ(Disassemble(Assemble("ld.base_addr hi, vmem2, 0x12")[0]),
            "ld.base_addr hi, vmem2, 0x12");
  EXPECT_TRUE(Assemble("# only a comment\n\n   ; another\n").empty());
  EXPECT_EQ(Assemble("nop\r\nnop").size(), 2u);
}

TEST(TandemAsm, ErrorsNameLineAndColumn) {
  EXPECT_EQ(AsmError("nop\n  frob vmem1[0]"), "t.tasm:2:3: unknown mnemonic 'frob'");
  EXPECT_EQ(AsmError("add vmem2[0], vmem1[0]"),
            "t.tasm:1:23: 'add' expects 3 operand(s): dst, src1, src2");
  EXPECT_EQ(AsmError("add imm[0], vmem1[0], vmem1[1]"),
            "t.tasm:1:5: namespace 'imm' is not allowed for operand 'dst'");
  EXPECT_EQ(AsmError("add vmem2[32], vmem1[0], vmem1[1]"),
            "t.tasm:1:5: index 32 of operand 'dst' is out of range 0..31");
  EXPECT_EQ(AsmError("loop.set_iter 8, 1"),
            "t.tasm:1:15: value 8 of operand 'level' is out of range 0..7");
  EXPECT_EQ(AsmError("move vmem2[0], vmem1[0], vmem1[1]"),
            "t.tasm:1:24: unexpected ',' after the operands of 'move'");
  EXPECT_EQ(AsmError("add vmem2[0] vmem1[0], vmem1[1]"),
            "t.tasm:1:14: expected ',', found 'vmem1'");
  EXPECT_EQ(AsmError("add vmem9[0], vmem1[0], vmem1[1]"),
            "t.tasm:1:5: expected a namespace (obuf, ibuf, vmem1, vmem2, imm or a .ns symbol), "
            "found 'vmem9'");
  EXPECT_EQ(AsmError("loop.set_iter 0, K"), "t.tasm:1:18: undefined symbol 'K'");
  EXPECT_EQ(AsmError("loop.set_iter 0, 12z"), "t.tasm:1:18: malformed number '12z'");
  EXPECT_EQ(AsmError("loop.set_iter 0, 99999999999999999999"),
            "t.tasm:1:18: number '99999999999999999999' is too large");
  EXPECT_EQ(AsmError("nop @"), "t.tasm:1:5: unexpected character '@'");
  EXPECT_EQ(AsmError("nop \x01"), "t.tasm:1:5: unexpected character '\\x01'");
  EXPECT_EQ(AsmError("a: nop\na: nop"), "t.tasm:2:1: symbol 'a' is already defined");
  EXPECT_EQ(AsmError(".ns src = vmem1"),
            "t.tasm:1:5: 'src' is a reserved word and cannot be redefined");
  EXPECT_EQ(AsmError(".equ vmem1 = 3"),
            "t.tasm:1:6: 'vmem1' is a reserved word and cannot be redefined");
  EXPECT_EQ(AsmError(".def x = 3"),
            "t.tasm:1:1: unknown directive '.def' (expected .equ, .ns or .iter)");
  EXPECT_EQ(AsmError(".ns x = 3"),
            "t.tasm:1:9: expected a namespace (obuf, ibuf, vmem1, vmem2, imm or a .ns symbol), "
            "found '3'");
  EXPECT_EQ(AsmError("perm.set_base up, 0"),
            "t.tasm:1:15: operand 'side' must be one of src, dst; found 'up'");
  EXPECT_EQ(AsmError(".ns n = imm\nld.start n, 0, 1"),
            "t.tasm:2:10: operand 'buf' must be one of vmem1, vmem2; found 'n'");
  EXPECT_EQ(AsmError(".equ K = 3\nadd K, vmem1[0], vmem1[0]"),
            "t.tasm:2:5: expected a namespace (obuf, ibuf, vmem1, vmem2, imm or a .ns symbol), "
            "found 'K'");
  EXPECT_EQ(AsmError(".iter s = vmem1[0]\nloop.set_iter 0, s"),
            "t.tasm:2:18: 's' is not a numeric symbol");
  EXPECT_EQ(AsmError("loop.set_iter 0,"), "t.tasm:1:17: expected a value at the end of the line");
}

TEST(TandemAsm, SymbolsStandForTheirValues) {
  const auto a = Assemble(R"(
.ns gin = obuf
.ns out = vmem2
.iter o = out[7]
.equ K = 5
ld.start out, K, K
perm.start out, gin, 1
sub o, gin[K], imm[K]
)");
  EXPECT_EQ(DisassembleProgram(a),
            "ld.start vmem2, 5, 0x5\nperm.start vmem2, obuf, 1\nsub vmem2[7], obuf[5], imm[5]\n");
}

TEST(TandemAsm, DisassemblerRejectsIllegalWords) {
  EXPECT_THROW(Disassemble(0xF0000000u), UserError);
  const std::vector<uint32_t> words = {0x0F000000u, 0x09000001u};
  EXPECT_THROW(DisassembleProgram(words), UserError);
}

// assemble(disassemble(w)) == w for random operand values of every instruction.
TEST(TandemAsm, RoundTripOnEveryOpcodeAndFunc) {
  std::mt19937_64 rng(42);
  int checked = 0;
  for (uint32_t opcode = 0; opcode < 16; ++opcode) {
    for (uint32_t func = 0; func < 16; ++func) {
      const InstrDef* d = FindByOpcodeFunc(opcode, func);
      if (d == nullptr) {
        EXPECT_THROW(Disassemble((opcode << 28) | (func << 24)), UserError);
        continue;
      }
      for (int trial = 0; trial < 300; ++trial) {
        // Random bits in the defined fields; keep only legal words.
        const uint32_t w = d->FixedBits() | (static_cast<uint32_t>(rng()) & d->DefinedMask() &
                                             ~(kOpcodeField.Mask() | kFuncField.Mask()));
        if (!DecodeProblem(w).empty()) continue;
        const std::string text = Disassemble(w);
        const std::vector<uint32_t> back = Assemble(text);
        ASSERT_EQ(back.size(), 1u) << text;
        ASSERT_EQ(back[0], w) << text;
        ASSERT_EQ(Disassemble(back[0]), text);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, static_cast<int>(InstructionTable().size()) * 100);
}

TEST(TandemAsm, RoundTripOfAWholeProgram) {
  std::mt19937 rng(99);
  std::vector<uint32_t> program;
  while (program.size() < 5000) {
    const uint32_t w = rng();
    if (DecodeProblem(w).empty()) program.push_back(w);
  }
  EXPECT_EQ(Assemble(DisassembleProgram(program)), program);
}

}  // namespace
}  // namespace accelgen::isa::tandem

namespace accelgen::isa::tandem {
namespace {

// The syntax example in isa/README.md must assemble, and mean what the README says it means.
TEST(TandemAsm, ReadmeSyntaxExampleAssembles) {
  std::ifstream in(ACCELGEN_ISA_README);
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const size_t section = text.find("## Assembler syntax");
  ASSERT_NE(section, std::string::npos);
  const size_t b = text.find("```\n", section);
  ASSERT_NE(b, std::string::npos);
  const size_t e = text.find("```", b + 4);
  ASSERT_NE(e, std::string::npos);
  const std::vector<uint32_t> words = Assemble(text.substr(b + 4, e - b - 4), "README.md");
  EXPECT_EQ(DisassembleProgram(words),
            "loop.set_iter 0, 64\n"
            "loop.set_index vmem2[0], vmem1[0], imm[1]\n"
            "loop.set_num_inst 1\n"
            "add vmem2[0], vmem1[0], imm[1]\n"
            "ld.start vmem1, 5, 0x100\n"
            "perm.set_stride src, 0, -8\n");
}

}  // namespace
}  // namespace accelgen::isa::tandem
