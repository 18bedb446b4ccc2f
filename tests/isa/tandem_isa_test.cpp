// The Tandem ISA table: layout invariants, hand-computed encodings, decoder rejections,
// encode/decode round trips, and the generated reference in isa/README.md.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "isa/tandem/isa.hpp"

namespace accelgen::isa::tandem {
namespace {

OperandValue RandomValue(const Operand& op, std::mt19937_64& rng) {
  OperandValue v;
  if (op.kind == OperandKind::kSlot) {
    std::vector<int> allowed;
    for (int n = 0; n < kNumNamespaces; ++n) {
      if ((op.ns_mask >> n) & 1u) allowed.push_back(n);
    }
    v.value = allowed[rng() % allowed.size()];
    v.iter = static_cast<int64_t>(rng() % (1u << op.iter_field.width));
  } else if (op.kind == OperandKind::kEnum) {
    do {
      v.value = static_cast<int64_t>(rng() % op.enum_names.size());
    } while (op.enum_names[v.value].empty());
  } else {
    const int64_t span = OperandMax(op) - OperandMin(op) + 1;
    v.value = OperandMin(op) + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
  }
  return v;
}

TEST(TandemIsa, MnemonicsAndCodesAreUnique) {
  std::set<std::string_view> names;
  std::set<int> codes;
  for (const InstrDef& d : InstructionTable()) {
    EXPECT_TRUE(names.insert(d.mnemonic).second) << d.mnemonic;
    EXPECT_TRUE(codes.insert((static_cast<int>(d.opcode) << 4) | d.func).second) << d.mnemonic;
    EXPECT_LT(d.func, 16);
    EXPECT_EQ(FindByMnemonic(d.mnemonic), &d);
    EXPECT_EQ(FindByOpcodeFunc(static_cast<uint32_t>(d.opcode), d.func), &d);
  }
  EXPECT_EQ(FindByMnemonic("bogus"), nullptr);
  EXPECT_EQ(FindByOpcodeFunc(0xF, 0), nullptr);
  EXPECT_EQ(FindByOpcodeFunc(16, 0), nullptr);
}

TEST(TandemIsa, FieldsDoNotOverlapAndStayInTheWord) {
  for (const InstrDef& d : InstructionTable()) {
    uint32_t used = kOpcodeField.Mask() | kFuncField.Mask();
    for (const Operand& op : d.operands) {
      for (const BitField& f : {op.field, op.iter_field}) {
        if (f.width == 0) continue;
        ASSERT_LE(f.lsb + f.width, 32) << d.mnemonic << " " << op.name;
        EXPECT_EQ(used & f.Mask(), 0u) << d.mnemonic << " operand " << op.name << " overlaps";
        used |= f.Mask();
      }
      EXPECT_EQ(op.kind == OperandKind::kSlot, op.iter_field.width != 0) << d.mnemonic;
    }
    EXPECT_EQ(used, d.DefinedMask()) << d.mnemonic;
  }
}

TEST(TandemIsa, ComputeAndLoopIndexUseTheThesisComputeLayout) {
  int compute = 0;
  for (const InstrDef& d : InstructionTable()) {
    if (d.operands.empty() || d.operands[0].kind != OperandKind::kSlot ||
        d.operands[0].name != "dst") {
      continue;
    }
    ++compute;
    const std::vector<std::pair<int, int>> expected = {{21, 16}, {13, 8}, {5, 0}};
    for (size_t i = 0; i < d.operands.size(); ++i) {
      EXPECT_EQ(d.operands[i].field.lsb, expected[i].first) << d.mnemonic;
      EXPECT_EQ(d.operands[i].field.width, 3) << d.mnemonic;
      EXPECT_EQ(d.operands[i].iter_field.lsb, expected[i].second) << d.mnemonic;
      EXPECT_EQ(d.operands[i].iter_field.width, 5) << d.mnemonic;
    }
  }
  // 15 ALU two/one-source ops + 4 calculus + 6 comparisons + 8 casts + loop.set_index.
  EXPECT_EQ(compute, 15 + 4 + 6 + 8 + 1);
}

TEST(TandemIsa, EveryClassOfTheThesisIsPresent) {
  std::set<InstrClass> classes;
  for (const InstrDef& d : InstructionTable()) classes.insert(d.cls);
  EXPECT_EQ(classes.size(), 6u);
  for (std::string_view m : {"add",
                             "sub",
                             "mul",
                             "macc",
                             "div",
                             "max",
                             "min",
                             "rshift",
                             "lshift",
                             "not",
                             "and",
                             "or",
                             "move",
                             "cmov.t",
                             "cmov.f",
                             "abs",
                             "sign",
                             "relu",
                             "eq",
                             "lt",
                             "loop.set_iter",
                             "loop.set_num_inst",
                             "loop.set_index",
                             "cast.fxp32_fxp8",
                             "perm.start",
                             "ld.start",
                             "st.start",
                             "iter.base_lo",
                             "imm.hi",
                             "dtype.fxp8",
                             "sync.tandem.end.buf"}) {
    EXPECT_NE(FindByMnemonic(m), nullptr) << m;
  }
}

uint32_t EncodeText(std::string_view m, std::vector<OperandValue> ops) {
  Instruction instr{FindByMnemonic(m), std::move(ops)};
  return Encode(instr);
}

TEST(TandemIsa, HandComputedEncodings) {
  // add vmem2[0], vmem1[3], imm[1]: 0|0|011|00000|010|00011|100|00001
  EXPECT_EQ(EncodeText("add", {{3, 0}, {2, 3}, {4, 1}}), 0x00604381u);
  // sync.tandem.end.buf group 5: opcode 0xA, func 1110, group at [20:16]
  EXPECT_EQ(EncodeText("sync.tandem.end.buf", {{5, 0}}), 0xAE050000u);
  // loop.set_iter level 7, count 100
  EXPECT_EQ(EncodeText("loop.set_iter", {{7, 0}, {100, 0}}), 0x71E00064u);
  // iter.stride_sext vmem1[2], -1
  EXPECT_EQ(EncodeText("iter.stride_sext", {{2, 2}, {-1, 0}}), 0x6442FFFFu);
  // st.tile_stride hi, vmem2, loop 3, 0x1234: func 1100, half at 23, buf at [22:21]
  EXPECT_EQ(EncodeText("st.tile_stride", {{1, 0}, {1, 0}, {3, 0}, {0x1234, 0}}), 0x5CA31234u);
  // dtype.fxp8 dst_int 8, src1_int 16, src2_int 32
  EXPECT_EQ(EncodeText("dtype.fxp8", {{8, 0}, {16, 0}, {32, 0}}), 0x42081020u);
  // perm.start dst vmem2, src vmem1, shuffle 1
  EXPECT_EQ(EncodeText("perm.start", {{3, 0}, {2, 0}, {1, 0}}), 0x83604001u);
  EXPECT_EQ(EncodeText("nop", {}), 0x0F000000u);
}

TEST(TandemIsa, EncodeRejectsBadOperands) {
  EXPECT_THROW(EncodeText("add", {{3, 0}, {2, 3}}), UserError);           // missing operand
  EXPECT_THROW(EncodeText("add", {{4, 0}, {2, 3}, {4, 1}}), UserError);   // dst in IMM
  EXPECT_THROW(EncodeText("add", {{3, 32}, {2, 3}, {4, 1}}), UserError);  // index too large
  EXPECT_THROW(EncodeText("add", {{5, 0}, {2, 3}, {4, 1}}), UserError);   // namespace 5
  EXPECT_THROW(EncodeText("imm.lo", {{2, 0}, {1, 0}}), UserError);        // not the IMM namespace
  EXPECT_THROW(EncodeText("loop.set_iter", {{8, 0}, {1, 0}}), UserError);
  EXPECT_THROW(EncodeText("loop.set_iter", {{0, 0}, {65536, 0}}), UserError);
  EXPECT_THROW(EncodeText("iter.base_sext", {{2, 0}, {32768, 0}}), UserError);
  EXPECT_THROW(EncodeText("iter.base_sext", {{2, 0}, {-32769, 0}}), UserError);
  EXPECT_NO_THROW(EncodeText("iter.base_sext", {{2, 0}, {-32768, 0}}));
  EXPECT_THROW(EncodeText("perm.set_base", {{2, 0}, {0, 0}}), UserError);  // side 2
  EXPECT_THROW(Encode(Instruction{}), UserError);
}

TEST(TandemIsa, DecodeRejectsIllegalWords) {
  EXPECT_THROW(Decode(0xF0000000u), UserError);  // no opcode 0xF
  EXPECT_THROW(Decode(0x1F000000u), UserError);  // calculus func 0xF
  EXPECT_THROW(Decode(0xA1000000u), UserError);  // sync with func bit 0 set
  EXPECT_THROW(Decode(0x09000001u), UserError);  // move has no src2: reserved bits set
  EXPECT_THROW(Decode(0x0F000001u), UserError);  // nop with operand bits
  EXPECT_THROW(Decode(0x00A00000u), UserError);  // add with dst namespace 5
  EXPECT_THROW(Decode(0x00800000u), UserError);  // add with dst in IMM
  EXPECT_THROW(Decode(0x68400000u), UserError);  // imm.lo on vmem1
  EXPECT_THROW(Decode(0x55600000u), UserError);  // ld.start with buffer code 3
  EXPECT_NE(DecodeProblem(0xF0000000u), "");
  EXPECT_EQ(DecodeProblem(0x00604381u), "");
  const Instruction add = Decode(0x00604381u);
  EXPECT_EQ(add.def->mnemonic, "add");
  EXPECT_EQ(add.operands, (std::vector<OperandValue>{{3, 0}, {2, 3}, {4, 1}}));
  const Instruction neg = Decode(0x6442FFFFu);
  EXPECT_EQ(neg.operands[1].value, -1);
}

TEST(TandemIsa, EncodeDecodeRoundTripOnEveryInstruction) {
  std::mt19937_64 rng(20261123);
  for (const InstrDef& d : InstructionTable()) {
    for (int trial = 0; trial < 200; ++trial) {
      Instruction instr{&d, {}};
      for (const Operand& op : d.operands) instr.operands.push_back(RandomValue(op, rng));
      const uint32_t w = Encode(instr);
      const Instruction back = Decode(w);
      ASSERT_EQ(back.def, &d);
      ASSERT_EQ(back.operands, instr.operands) << d.mnemonic;
    }
  }
}

TEST(TandemIsa, RandomWordsDecodeIffTheyReEncodeToThemselves) {
  std::mt19937 rng(7);
  int legal = 0;
  for (int i = 0; i < 300000; ++i) {
    const uint32_t w = rng();
    if (DecodeProblem(w).empty()) {
      ++legal;
      ASSERT_EQ(Encode(Decode(w)), w) << std::hex << w;
    } else {
      ASSERT_THROW(Decode(w), UserError) << std::hex << w;
    }
  }
  EXPECT_GT(legal, 1000);
}

TEST(TandemIsa, ReadmeReferenceMatchesTheTable) {
  std::ifstream in(ACCELGEN_ISA_README);
  ASSERT_TRUE(in) << ACCELGEN_ISA_README;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string begin = "<!-- BEGIN GENERATED: tandem instruction table -->\n";
  const std::string end = "<!-- END GENERATED: tandem instruction table -->";
  const size_t b = text.find(begin);
  const size_t e = text.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  ASSERT_LT(b, e);
  const std::string generated = ReferenceMarkdown();
  const std::string current = text.substr(b + begin.size(), e - b - begin.size());
  if (current != generated && std::getenv("ACCELGEN_UPDATE_ISA_README") != nullptr) {
    text.replace(b + begin.size(), e - b - begin.size(), generated);
    std::ofstream(ACCELGEN_ISA_README) << text;
    GTEST_SKIP() << "isa/README.md regenerated";
  }
  EXPECT_EQ(current, generated)
      << "isa/README.md is stale: rerun with ACCELGEN_UPDATE_ISA_README=1 to regenerate it";
}

}  // namespace
}  // namespace accelgen::isa::tandem
