// Generator for `tandem`: the Tandem non-GEMM SIMD processor. The instruction set and every
// arithmetic rule are in isa/README.md; structure, ports and cycle timing in golden_model/README.md
// ("tandem"). The golden model implements that specification independently of this file. Every
// decode constant (opcode, func, field position) is taken from the ISA table in isa/tandem/isa.hpp.
//
// Modules: <top>_alu (one lane), <top>_div (one lane's iterative divider), <top>_buffers
// (obuf/ibuf/vmem1/vmem2) of <top>_bank (one lane of one buffer), <top>_code_repeater (F stage: fetch and loop nests), <top>_dae (Data Access Engine), <top>_permute (permute engine) and
// the top (D, A, R, E, W stages, iterator tables, IMM BUF, DATATYPE_CONFIG, engine sequencing).
#include "generator/tandem/tandem_gen.hpp"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>
#include <string_view>

#include "common/bits.hpp"
#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"
#include "isa/tandem/isa.hpp"

namespace accelgen {

namespace {

namespace isa = accelgen::isa::tandem;
using vlog::lit;
using vlog::slice;

constexpr int kLevels = isa::kMaxLoopLevels;  // Code Repeater levels, DAE loops, permute dims
constexpr int kFracBits = 9;                   // f = 32 - int bits, int bits 0..255: -223..32
constexpr int kShiftBits = 11;                 // f1 + f2 - fd: -478..287
static_assert(isa::kDivSlots >= 2 && isa::kDivSlots <= 63, "the div counters are 6 bits");

// ---------------------------------------------------------------------------------------------
// The ISA table, seen from the RTL.

const isa::InstrDef& instr(std::string_view mnemonic) {
  const isa::InstrDef* d = isa::FindByMnemonic(mnemonic);
  if (!d) throw std::logic_error(fmt::format("ISA table has no '{}'", mnemonic));
  return *d;
}

const isa::Operand& operand(std::string_view mnemonic, std::string_view name) {
  for (const auto& op : instr(mnemonic).operands)
    if (op.name == name) return op;
  throw std::logic_error(fmt::format("'{}' has no operand '{}'", mnemonic, name));
}

// "cmov.t" -> "FnCmovT", "ld.base_addr" -> "FnLdBaseAddr".
std::string func_param(std::string_view mnemonic) {
  std::string out = "Fn";
  bool up = true;
  for (char c : mnemonic) {
    if (c == '.' || c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string opcode_param(isa::Opcode op) {
  std::string out = "Op";
  bool up = true;
  for (char c : isa::OpcodeName(op)) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    up = false;
  }
  return out;
}

// A field of a word signal, e.g. word[27:24].
std::string field(const std::string& word, isa::BitField f) { return slice(word, f.lsb, f.width); }

// The opcode and func localparams a module compares against, all declared up front (before any
// use) from the ISA table.
class Decode {
 public:
  // Declares the opcodes OPS and the funcs of MNEMONICS (each used by the module: -Wall flags an
  // unused localparam).
  Decode(vlog::Scope& s, const std::vector<isa::Opcode>& ops, const std::vector<std::string_view>& mnemonics) {
    s.comment("Decode constants from the ISA table (isa/tandem/isa.cpp, InstructionTable()).");
    for (isa::Opcode op : ops)
      if (opcodes_.insert(opcode_param(op)).second) s.localparam(opcode_param(op), static_cast<int>(op));
    for (std::string_view mn : mnemonics) {
      const isa::InstrDef& d = instr(mn);
      if (!funcs_.insert(func_param(mn)).second) continue;
      s.comment(fmt::format("isa: {} = opcode {} func {}", mn, isa::OpcodeName(d.opcode), d.func));
      s.localparam(func_param(mn), d.func);
    }
  }
  // `<word>[31:28] == 4'(OpAlu)`.
  std::string is_op(const std::string& word, isa::Opcode op) const {
    return fmt::format("{} == {}", field(word, isa::kOpcodeField), opcode(op));
  }
  // Opcode and func both match MNEMONIC.
  std::string is(const std::string& word, std::string_view mnemonic) const {
    return fmt::format("({} && {} == {})", is_op(word, instr(mnemonic).opcode), field(word, isa::kFuncField),
                       func(mnemonic));
  }
  // `4'(FnAdd)`: a case label or comparand for a func field.
  std::string func(std::string_view mnemonic) const {
    const std::string name = func_param(mnemonic);
    if (!funcs_.count(name)) throw std::logic_error(fmt::format("func of '{}' not declared", mnemonic));
    return fmt::format("{}'({})", isa::kFuncField.width, name);
  }
  // `4'(OpAlu)`.
  std::string opcode(isa::Opcode op) const {
    const std::string name = opcode_param(op);
    if (!opcodes_.count(name)) throw std::logic_error(fmt::format("opcode {} not declared", name));
    return fmt::format("{}'({})", isa::kOpcodeField.width, name);
  }

 private:
  std::set<std::string> opcodes_, funcs_;
};

// Every mnemonic of the ISA table whose opcode is one of OPS.
std::vector<std::string_view> mnemonics_of(std::initializer_list<isa::Opcode> ops) {
  std::vector<std::string_view> out;
  for (const auto& d : isa::InstructionTable())
    for (isa::Opcode op : ops)
      if (d.opcode == op) out.push_back(d.mnemonic);
  return out;
}

std::string hex32(uint32_t v) { return fmt::format("32'h{:08x}", v); }

// Rows of 32-bit lanes are built in always_comb loops over lanes: Verilator turns per-lane
// continuous assignments to slices of one vector into a chain of concatenations, quadratic in the
// row width (a 128-lane design simulated 20x slower).

// Declares NAME, a row of LANES copies of the 32-bit VALUE.
void broadcast(vlog::Scope& s, const std::string& name, const std::string& value, int lanes) {
  s.logic(name, 32 * lanes);
  s.always_comb().for_("i", lanes, [&](vlog::Block& x) { x.assign(name + "[i*32 +: 32]", value); });
}

// An odometer over kLevels levels of 16-bit indices (level 7 fastest): declares PREFIX_next (the
// indices after one step; level 7 advances by STEP7, which never passes its count) and
// PREFIX_wrap (the step wrapped every level back to zero). IDX(l) and CNT(l) are 16-bit expressions; PART(l) says whether level l takes part (a level that does not
// keep its index and passes the carry on). A count of 0 behaves like 1. The carries are separate
// one-bit signals so the chain is not one self-dependent vector.
void odometer(vlog::Scope& s, const std::string& prefix, const std::function<std::string(int)>& idx,
              const std::function<std::string(int)>& cnt, const std::function<std::string(int)>& part,
              const std::string& step7 = "16'd1") {
  const std::string next = prefix + "_next", last = prefix + "_last";
  const auto carry = [&](int l) { return l == kLevels ? std::string("1'b1") : fmt::format("{}_carry{}", prefix, l); };
  s.logic(next, 16 * kLevels).logic(last, kLevels);
  for (int l = kLevels - 1; l >= 0; --l) s.logic(carry(l), 1);
  for (int l = kLevels - 1; l >= 0; --l) {
    const std::string p = part(l), c = carry(l + 1), ls = fmt::format("{}[{}]", last, l);
    const std::string step = l == kLevels - 1 ? step7 : "16'd1";
    const std::string step17 = step == "16'd1" ? "17'd1" : fmt::format("{{1'b0, {}}}", step);
    s.assign(ls, fmt::format("({{1'b0, {}}} + {}) >= {{1'b0, {}}}", idx(l), step17, cnt(l)));
    s.assign(slice(next, 16 * l, 16), fmt::format("({} && {}) ? ({} ? 16'd0 : {} + {}) : {}", p, c, ls, idx(l), step, idx(l)));
    s.assign(carry(l), p == "1'b1" ? fmt::format("{} & {}", c, ls) : fmt::format("{} ? ({} & {}) : {}", p, c, ls, c));
  }
}

// A memory of DEPTH words of WIDTH bits that reads 0 until a word is first written: the words
// themselves are not reset (Verilator does not support a reset loop over a large array), a flat
// vector of written-bits is (in chunks of at most kChunk bits: -Wall flags wider replications).
// Declares NAME_mem, NAME_written<k> and the always_ffs writing WDATA to WADDR when WE. Returns a
// function building the read expression of an address (a signal or a part select).
constexpr int kChunk = 8192;

std::function<std::string(const std::string&)> zeroed_memory(vlog::Scope& s, const std::string& name, int width, int depth,
                                                             const std::string& we, const std::string& waddr,
                                                             const std::string& wdata) {
  const std::string mem = name + "_mem";
  const int chunks = (depth + kChunk - 1) / kChunk, cb = clog2(chunks), ab = index_bits(depth);
  s.logic(mem, width, depth);
  // Every chunk of a chunked vector is full width, so one index width fits all.
  for (int k = 0; k < chunks; ++k) s.vector(fmt::format("{}_written{}", name, k), chunks == 1 ? depth : kChunk);
  // Address bits of the chunk and of the bit within it ("" with one chunk).
  const auto chunk_of = [=](const std::string& a) { return cb == 0 ? std::string() : fmt::format("{}[{}:{}]", a, ab - 1, ab - cb); };
  const auto bit_of = [=](const std::string& a) { return cb == 0 ? a : fmt::format("{}[{}:0]", a, ab - cb - 1); };
  auto& ff = s.always_ff();
  for (int k = 0; k < chunks; ++k) {
    const std::string wr = fmt::format("{}_written{}", name, k);
    ff.reset.assign(wr, "'0");
    const std::string cond = cb == 0 ? we : fmt::format("{} && {} == {}", we, chunk_of(waddr), lit(cb, k));
    ff.body.if_(cond, [&](vlog::Block& x) { x.assign(fmt::format("{}[{}]", wr, bit_of(waddr)), "1'b1"); });
  }
  auto& wr = s.always_ff_noreset();
  wr.if_(we, [&](vlog::Block& x) { x.assign(fmt::format("{}[{}]", mem, waddr), wdata); });
  return [=](const std::string& addr) {
    std::string written = fmt::format("{}_written0[{}]", name, bit_of(addr));
    for (int k = 1; k < chunks; ++k)
      written = fmt::format("({} == {}) ? {}_written{}[{}] : ({})", chunk_of(addr), lit(cb, k), name, k, bit_of(addr), written);
    return fmt::format("(({}) ? {}[{}] : {})", written, mem, addr, lit(width, 0));
  };
}

struct Widths {
  int L, LW, AW, PW, NW, XW, LNW;
  int W, WB, P;  // DAE bus words, log2 W, permute elements per cycle
};

Widths widths(const TandemParams& p) {
  Widths w;
  w.L = p.lanes;
  w.LW = 32 * p.lanes;
  w.AW = index_bits(p.interim_depth);
  w.PW = index_bits(p.imem_depth);
  w.NW = clog2(p.imem_depth + 1);
  w.XW = std::max(w.NW, 16) + 1;  // pc arithmetic: body start + 16-bit body length never wraps
  w.LNW = index_bits(p.lanes);
  w.W = p.bus_words();
  w.WB = clog2(w.W);
  w.P = p.perm_width();
  return w;
}

// ---------------------------------------------------------------------------------------------
// <top>_alu: one lane, combinational; every function of isa/README.md "Arithmetic".

std::string emit_alu(const std::string& name, const nlohmann::json& params) {
  vlog::Module m(name);
  m.header(generated_header(name + ": one Tandem lane: ALU, calculus, comparison and cast functions (isa/README.md).",
                            "tandem", params));
  m.input("opcode_i", isa::kOpcodeField.width)
      .input("func_i", isa::kFuncField.width)
      .input("src1_i", 32)
      .input("src2_i", 32)
      .input("dst_i", 32, "destination's old value (macc accumulator)")
      .input("frac_dst_i", kFracBits, "fd = 32 - dst int bits (two's complement)")
      .input("frac_src1_i", kFracBits, "f1")
      .input("frac_src2_i", kFracBits, "f2")
      .input("div_res_i", 32, "the lane's iterative divider's result (<top>_div), valid in div's last E cycle")
      .output("result_o", 32, "0 when the lane is not written")
      .output("we_o", 1, "the lane is written (cmov.* test passed; 1 for every other compute function)");
  auto& b = m.body();
  using isa::Opcode;
  const std::vector<Opcode> ops = {Opcode::kAlu, Opcode::kCalculus, Opcode::kComparison, Opcode::kDatatypeCast};
  const Decode dec(b, ops, mnemonics_of({Opcode::kAlu, Opcode::kCalculus, Opcode::kComparison, Opcode::kDatatypeCast}));
  const std::string op_alu = dec.opcode(Opcode::kAlu), op_calc = dec.opcode(Opcode::kCalculus),
                    op_cmp = dec.opcode(Opcode::kComparison), op_cast = dec.opcode(Opcode::kDatatypeCast);
  const std::string a = "src1_i", c = "src2_i";
  b.blank();
  b.comment("Exact sums in 33 bits; sat32 keeps a sum whose two top bits agree.");
  b.logic("sum33", 33).logic("diff33", 33).logic("add_sat", 32).logic("sub_sat", 32);
  b.assign("sum33", fmt::format("{{{0}[31], {0}}} + {{{1}[31], {1}}}", a, c));
  b.assign("diff33", fmt::format("{{{0}[31], {0}}} - {{{1}[31], {1}}}", a, c));
  for (auto [s, r] : {std::pair{"sum33", "add_sat"}, {"diff33", "sub_sat"}})
    b.assign(r, fmt::format("({0}[32] == {0}[31]) ? {0}[31:0] : ({0}[32] ? {1} : {2})", s, hex32(0x80000000u),
                            hex32(0x7fffffffu)));

  b.blank();
  b.comment("Shift-and-saturate unit: value sh_v (64-bit), amount sh_amt (positive: arithmetic right,");
  b.comment("negative: left), saturated to the width sh_sel names (0: 32, 1: 16, 2: 8, 3: 4 bits).");
  b.comment("mul/macc/leaky_relu: product >> (f1 + f2 - fd); narrowing casts: src1 >> (f1 - fd);");
  b.comment("widening casts: sext(src1) << (fd - f1), i.e. >> (f1 - fd).");
  b.logic("product", 64).logic("sh_v", 64).logic("sh_amt", kShiftBits).logic("sh_sel", 2);
  b.logic("sh_lmag", kShiftBits).logic("sh_right", 64).logic("sh_left", 64).logic("sh_w", 64);
  b.logic("frac_sum", kShiftBits).logic("frac_diff", kShiftBits);
  b.comment("Both operands sign-extended to 64 bits: the low 64 bits of the product are exact.");
  b.assign("product", fmt::format("{} * {}", vlog::sign_extend(a, 32, 64), vlog::sign_extend(c, 32, 64)));
  const auto fx = [](const std::string& f) { return vlog::sign_extend(f, kFracBits, kShiftBits); };
  b.assign("frac_sum", fmt::format("{} + {} - {}", fx("frac_src1_i"), fx("frac_src2_i"), fx("frac_dst_i")));
  b.assign("frac_diff", fmt::format("{} - {}", fx("frac_src1_i"), fx("frac_dst_i")));
  {
    auto& sel = b.always_comb();
    sel.assign("sh_v", "product").assign("sh_amt", "frac_sum").assign("sh_sel", "2'd0");
    sel.if_("opcode_i == " + op_cast, [&](vlog::Block& k) {
      k.assign("sh_amt", "frac_diff");
      k.case_("func_i",
              {{dec.func("cast.fxp32_fxp16"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend(a, 32, 64)).assign("sh_sel", "2'd1"); }},
               {dec.func("cast.fxp32_fxp8"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend(a, 32, 64)).assign("sh_sel", "2'd2"); }},
               {dec.func("cast.fxp32_fxp4"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend(a, 32, 64)).assign("sh_sel", "2'd3"); }},
               {dec.func("cast.fxp16_fxp32"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend_slice(a, 0, 16, 64)); }},
               {dec.func("cast.fxp8_fxp32"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend_slice(a, 0, 8, 64)); }},
               {dec.func("cast.fxp4_fxp32"), [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend_slice(a, 0, 4, 64)); }}},
              [&](vlog::Block& x) { x.assign("sh_v", vlog::sign_extend(a, 32, 64)); });
    });
  }
  b.comment("Right: an arithmetic shift (63 and beyond give the sign fill), then satN keeps the value when");
  b.comment("bits [63:N-1] agree. Left by s = 1..63: the value fits iff it lies in [lim_lo, MAX_N >> s];");
  b.comment("by 64 or more only 0 fits. All in 64 bits (|sh_v| < 2^63).");
  b.assign("sh_right", "$signed(sh_v) >>> ((|sh_amt[9:6]) ? 6'd63 : sh_amt[5:0])");
  b.assign("sh_lmag", fmt::format("{} - sh_amt", lit(kShiftBits, 0)));
  b.assign("sh_left", "sh_v << sh_lmag[5:0]");
  b.logic("sat_max", 64).logic("lim_hi", 64).logic("lim_lo", 64).logic("sh_big", 1).logic("sat_hi", 1).logic("sat_lo", 1);
  b.assign("sat_max", "(sh_sel == 2'd0) ? 64'h000000007fffffff : ((sh_sel == 2'd1) ? 64'h0000000000007fff : "
                      "((sh_sel == 2'd2) ? 64'h000000000000007f : 64'h0000000000000007))");
  b.assign("lim_hi", "sat_max >> sh_lmag[5:0]");
  b.comment("-ceil(2^(N-1) / 2^s): 0 once the shift reaches N (then even -1 overflows).");
  b.assign("lim_lo", "64'd0 - ((sat_max + 64'd1) >> sh_lmag[5:0])");
  b.assign("sh_big", fmt::format("|sh_lmag[{}:6]", kShiftBits - 1));
  b.logic("right_fits", 1);
  b.assign("right_fits", "(sh_sel == 2'd0) ? ((&sh_right[63:31]) | ~(|sh_right[63:31])) : ((sh_sel == 2'd1) ? "
                         "((&sh_right[63:15]) | ~(|sh_right[63:15])) : ((sh_sel == 2'd2) ? ((&sh_right[63:7]) | "
                         "~(|sh_right[63:7])) : ((&sh_right[63:3]) | ~(|sh_right[63:3]))))");
  b.assign("sh_w", fmt::format("sh_amt[{}] ? sh_left : sh_right", kShiftBits - 1));
  b.assign("sat_hi", fmt::format("sh_amt[{}] ? (sh_big ? (sh_v != 64'd0 && !sh_v[63]) : ($signed(sh_v) > $signed(lim_hi))) "
                                 ": (!right_fits && !sh_right[63])", kShiftBits - 1));
  b.assign("sat_lo", fmt::format("sh_amt[{}] ? (sh_big ? sh_v[63] : ($signed(sh_v) < $signed(lim_lo))) "
                                 ": (!right_fits && sh_right[63])", kShiftBits - 1));
  b.comment("satN: the bound of the overflow's sign, else the low N bits sign-extended to 32.");
  b.logic("sat_out", 32);
  b.assign("sat_out", fmt::format("sat_hi ? sat_max[31:0] : (sat_lo ? ~sat_max[31:0] : ((sh_sel == 2'd0) ? sh_w[31:0] : "
                                  "((sh_sel == 2'd1) ? {} : ((sh_sel == 2'd2) ? {} : {}))))",
                                  vlog::sign_extend_slice("sh_w", 0, 16, 32), vlog::sign_extend_slice("sh_w", 0, 8, 32),
                                  vlog::sign_extend_slice("sh_w", 0, 4, 32)));
  b.logic("unused_shift", 1);
  b.assign("unused_shift", "^{sat_max[63:32], sh_w[63:32]}");

  b.blank();
  b.comment("macc: sat32(dst + mul(src1, src2)).");
  b.logic("macc33", 33).logic("macc_sat", 32);
  b.assign("macc33", "{dst_i[31], dst_i} + {sat_out[31], sat_out}");
  b.assign("macc_sat", fmt::format("(macc33[32] == macc33[31]) ? macc33[31:0] : (macc33[32] ? {} : {})", hex32(0x80000000u),
                                   hex32(0x7fffffffu)));
  b.comment("floor/ceil: mask = 2^f1 - 1 (0 for f1 <= 0; f1 is at most 32). Both are exact in 34 bits,");
  b.comment("(src1 & ~mask) and ((src1 + mask) & ~mask), saturated to INT32 (floor of a negative value with");
  b.comment("f1 = 32 is INT32_MIN; ceil saturates at INT32_MAX).");
  b.logic("frac_mask", 32).logic("floor34", 34).logic("floor_sat", 32).logic("ceil34", 34).logic("ceil_sat", 32);
  b.assign("frac_mask", fmt::format("frac_src1_i[{}] ? 32'd0 : ((frac_src1_i >= {}) ? {} : ((32'd1 << frac_src1_i[4:0]) - 32'd1))",
                                    kFracBits - 1, lit(kFracBits, 32), hex32(0xffffffffu)));
  b.assign("floor34", fmt::format("{{{{2{{{0}[31]}}}}, {0}}} & ~{{2'b00, frac_mask}}", a));
  b.assign("floor_sat", fmt::format("(floor34[33] && floor34[32:31] != 2'b11) ? {} : floor34[31:0]", hex32(0x80000000u)));
  b.assign("ceil34", fmt::format("({{{{2{{{0}[31]}}}}, {0}}} + {{2'b00, frac_mask}}) & ~{{2'b00, frac_mask}}", a));
  b.assign("ceil_sat", fmt::format("(!ceil34[33] && ceil34[32:31] != 2'b00) ? {} : ceil34[31:0]", hex32(0x7fffffffu)));
  b.logic("lt", 1).logic("eq", 1).logic("res", 32).logic("we", 1);
  b.assign("lt", fmt::format("$signed({}) < $signed({})", a, c));
  b.assign("eq", fmt::format("{} == {}", a, c));
  const auto bit = [](const std::string& cond) { return fmt::format("{{31'd0, {}}}", cond); };

  b.blank();
  auto& r = b.always_comb();
  r.assign("res", "32'd0").assign("we", "1'b1");
  r.case_("opcode_i",
          {{op_alu,
            [&](vlog::Block& k) {
              k.case_("func_i",
                      {{dec.func("add"), [&](vlog::Block& x) { x.assign("res", "add_sat"); }},
                       {dec.func("sub"), [&](vlog::Block& x) { x.assign("res", "sub_sat"); }},
                       {dec.func("mul"), [&](vlog::Block& x) { x.assign("res", "sat_out"); }},
                       {dec.func("macc"), [&](vlog::Block& x) { x.assign("res", "macc_sat"); }},
                       {dec.func("div"), [&](vlog::Block& x) { x.assign("res", "div_res_i"); }},
                       {dec.func("max"), [&](vlog::Block& x) { x.assign("res", fmt::format("lt ? {} : {}", c, a)); }},
                       {dec.func("min"), [&](vlog::Block& x) { x.assign("res", fmt::format("lt ? {} : {}", a, c)); }},
                       {dec.func("rshift"), [&](vlog::Block& x) { x.assign("res", fmt::format("$signed({}) >>> {}[4:0]", a, c)); }},
                       {dec.func("lshift"), [&](vlog::Block& x) { x.assign("res", fmt::format("{} << {}[4:0]", a, c)); }},
                       {dec.func("move"), [&](vlog::Block& x) { x.assign("res", a); }},
                       {dec.func("cmov.t"), [&](vlog::Block& x) { x.assign("res", a).assign("we", c + "[0]"); }},
                       {dec.func("cmov.f"), [&](vlog::Block& x) { x.assign("res", a).assign("we", "!" + c + "[0]"); }},
                       {dec.func("not"), [&](vlog::Block& x) { x.assign("res", "~" + a); }},
                       {dec.func("and"), [&](vlog::Block& x) { x.assign("res", a + " & " + c); }},
                       {dec.func("or"), [&](vlog::Block& x) { x.assign("res", a + " | " + c); }},
                       {dec.func("nop"), [&](vlog::Block& x) { x.comment("no read, no write").assign("we", "1'b0"); }}},
                      [&](vlog::Block& x) { x.assign("we", "1'b0"); });
            }},
           {op_calc,
            [&](vlog::Block& k) {
              k.case_("func_i",
                      {{dec.func("relu"), [&](vlog::Block& x) { x.assign("res", fmt::format("{0}[31] ? 32'd0 : {0}", a)); }},
                       {dec.func("leaky_relu"), [&](vlog::Block& x) { x.assign("res", fmt::format("{0}[31] ? sat_out : {0}", a)); }},
                       {dec.func("abs"),
                        [&](vlog::Block& x) {
                          x.comment("abs(INT32_MIN) = INT32_MAX");
                          x.assign("res", fmt::format("{0}[31] ? (({0} == {1}) ? {2} : (32'd0 - {0})) : {0}", a,
                                                      hex32(0x80000000u), hex32(0x7fffffffu)));
                        }},
                       {dec.func("sign"),
                        [&](vlog::Block& x) {
                          x.comment("sign(0) = 0");
                          x.assign("res", fmt::format("{0}[31] ? {1} : (({0} == 32'd0) ? 32'd0 : 32'd1)", a, hex32(0xffffffffu)));
                        }}},
                      [&](vlog::Block& x) { x.assign("we", "1'b0"); });
            }},
           {op_cmp,
            [&](vlog::Block& k) {
              k.case_("func_i",
                      {{dec.func("eq"), [&](vlog::Block& x) { x.assign("res", bit("eq")); }},
                       {dec.func("neq"), [&](vlog::Block& x) { x.assign("res", bit("!eq")); }},
                       {dec.func("gt"), [&](vlog::Block& x) { x.assign("res", bit("!lt && !eq")); }},
                       {dec.func("gte"), [&](vlog::Block& x) { x.assign("res", bit("!lt")); }},
                       {dec.func("lt"), [&](vlog::Block& x) { x.assign("res", bit("lt")); }},
                       {dec.func("lte"), [&](vlog::Block& x) { x.assign("res", bit("lt || eq")); }}},
                      [&](vlog::Block& x) { x.assign("we", "1'b0"); });
            }},
           {op_cast,
            [&](vlog::Block& k) {
              k.case_("func_i",
                      {{dec.func("floor"), [&](vlog::Block& x) { x.assign("res", "floor_sat"); }},
                       {dec.func("ceil"), [&](vlog::Block& x) { x.assign("res", "ceil_sat"); }}},
                      [&](vlog::Block& x) { x.comment("the six fixed-point casts").assign("res", "sat_out"); });
            }}},
          [&](vlog::Block& x) { x.assign("we", "1'b0"); });
  b.assign("we_o", "we");
  b.assign("result_o", "we ? res : 32'd0");
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// <top>_div: one lane's iterative divider (isa/README.md item 14, golden_model/README.md `tandem`
// stage E): load (E cycle 0) takes the magnitudes and the result's sign, step (cycles 1..32) is
// one restoring step, quotient bit 31 first; result_o (cycle 33) applies the sign and the
// saturations of isa/README.md `div` from the registered state.

std::string emit_div(const std::string& name, const nlohmann::json& params) {
  vlog::Module m(name);
  m.header(generated_header(name + ": one Tandem lane's iterative divider (kDivSlots = " + std::to_string(isa::kDivSlots) +
                                " cycles in E).",
                            "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("load_i", 1, "E cycle 0 of a div: take the operands")
      .input("step_i", 1, "E cycles 1..32: one restoring step")
      .input("a_i", 32, "dividend (src1)")
      .input("b_i", 32, "divisor (src2)")
      .output("result_o", 32, "quotient truncated toward zero, saturated; x / 0 = x < 0 ? MIN : MAX");
  auto& b = m.body();
  b.comment("quo_q holds the dividend's magnitude, shifted out from the top while quotient bits shift in.");
  b.logic("rem_q", 32).logic("quo_q", 32).logic("dvs_q", 32).logic("neg_q", 1).logic("zero_q", 1).logic("aneg_q", 1);
  b.logic("trial", 33).logic("q_neg", 32);
  b.comment("Restoring step: remainder:next dividend bit minus the divisor (the remainder stays below the divisor).");
  b.assign("trial", "{rem_q, quo_q[31]} - {1'b0, dvs_q}");
  b.assign("q_neg", "32'd0 - quo_q");
  b.comment("MIN / -1 is the only quotient of magnitude 2^31 with a positive sign: it saturates to MAX.");
  b.assign("result_o", fmt::format("zero_q ? (aneg_q ? {0} : {1}) : (neg_q ? q_neg : (quo_q[31] ? {1} : quo_q))",
                                   hex32(0x80000000u), hex32(0x7fffffffu)));
  auto& ff = b.always_ff();
  for (const char* r : {"rem_q", "quo_q", "dvs_q"}) ff.reset.assign(r, "32'd0");
  for (const char* r : {"neg_q", "zero_q", "aneg_q"}) ff.reset.assign(r, "1'b0");
  ff.body.if_(
      "load_i",
      [](vlog::Block& x) {
        x.assign("rem_q", "32'd0").assign("quo_q", "a_i[31] ? (32'd0 - a_i) : a_i").assign("dvs_q", "b_i[31] ? (32'd0 - b_i) : b_i");
        x.assign("neg_q", "a_i[31] ^ b_i[31]").assign("zero_q", "b_i == 32'd0").assign("aneg_q", "a_i[31]");
      },
      [](vlog::Block& x) {
        x.if_("step_i", [](vlog::Block& y) {
          y.if_(
              "!trial[32]", [](vlog::Block& z) { z.assign("rem_q", "trial[31:0]").assign("quo_q", "{quo_q[30:0], 1'b1}"); },
              [](vlog::Block& z) { z.assign("rem_q", "{rem_q[30:0], quo_q[31]}").assign("quo_q", "{quo_q[30:0], 1'b0}"); });
        });
      });
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// <top>_buffers: obuf, ibuf, vmem1, vmem2, each LANES banks of DEPTH words; one write port with a
// lane mask, four combinational read ports (src1/engine, src2, dst-as-operand, host).

const char* kBufNames[] = {"obuf", "ibuf", "vmem1", "vmem2"};
constexpr int kReadPorts = 4;

// One bank (one lane of one buffer): DEPTH words, one write port, kReadPorts combinational read
// ports; a module of its own so that synthesis elaborates and maps it once for every bank.
std::string emit_bank(const std::string& name, const TandemParams& p, const Widths& w, const nlohmann::json& params,
                      int ports = kReadPorts) {
  vlog::Module m(name);
  m.header(generated_header(fmt::format("{}: one buffer bank, {} words of 32 bits; reads 0 until written.", name,
                                        p.interim_depth),
                            "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1).input("we_i", 1).input("waddr_i", w.AW).input("wdata_i", 32);
  for (int r = 0; r < ports; ++r) m.input(fmt::format("rd{}_addr_i", r), w.AW).output(fmt::format("rd{}_data_o", r), 32);
  auto& b = m.body();
  const auto read = zeroed_memory(b, "bank", 32, p.interim_depth, "we_i", "waddr_i", "wdata_i");
  for (int r = 0; r < ports; ++r) b.assign(fmt::format("rd{}_data_o", r), read(fmt::format("rd{}_addr_i", r)));
  return m.emit();
}

// NPU (TandemNpuOptions): obuf is the Output BUF, two halves of which the namespace maps to the one
// obuf_sel_i names; the GEMM unit writes (and reads, to accumulate) row gemm_addr_i of half
// gemm_half_i and reads row gemm_ibuf_addr_i of ibuf, each through a fifth read port (bank_g).
std::string emit_buffers(const std::string& name, const std::string& bank, const Widths& w, const nlohmann::json& params,
                         const std::string& bank_g = "") {
  const bool npu = !bank_g.empty();
  vlog::Module m(name);
  m.header(generated_header(
      npu ? fmt::format("{}: the buffers (Output BUF halves obuf0/obuf1, ibuf, vmem1, vmem2), {} banks each; the GEMM "
                        "unit's ports into the Output BUF and ibuf.",
                        name, w.L)
          : fmt::format("{}: the four buffers (obuf, ibuf, vmem1, vmem2), {} banks ({}) each.", name, w.L, bank),
      "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("we_i", 1, "write the lanes of wmask_i at the end of the cycle")
      .input("wns_i", 2, "0 obuf, 1 ibuf, 2 vmem1, 3 vmem2")
      .input("waddr_i", w.AW)
      .input("wdata_i", w.LW, "lane l in bits [32l +: 32]")
      .input("wmask_i", w.L, "lanes written", true);
  for (int r = 0; r < kReadPorts; ++r)
    m.input(fmt::format("rd{}_ns_i", r), 2).input(fmt::format("rd{}_addr_i", r), w.AW)
        .output(fmt::format("rd{}_data_o", r), w.LW, r == 0 ? "port 0: src1 or an engine; 1: src2; 2: dst; 3: host" : "");
  if (npu) {
    m.input("obuf_sel_i", 1, "the Output BUF half the obuf namespace maps to")
        .input("gemm_we_i", 1, "GEMM write of row gemm_addr_i of half gemm_half_i (lanes gemm_wmask_i)")
        .input("gemm_half_i", 1).input("gemm_addr_i", w.AW).input("gemm_wdata_i", w.LW).input("gemm_wmask_i", w.L, "", true)
        .output("gemm_obuf_rdata_o", w.LW, "row gemm_addr_i of half gemm_half_i (combinational)")
        .input("gemm_ibuf_addr_i", w.AW).output("gemm_ibuf_rdata_o", w.LW, "row gemm_ibuf_addr_i of ibuf (combinational)");
  }
  auto& b = m.body();
  b.comment("rdR_<buffer>_v[l]: lane l of read port R's row in each buffer.");
  for (int n = 0; n < 4; ++n)
    for (int r = 0; r < kReadPorts; ++r) b.logic(fmt::format("rd{}_{}_v", r, kBufNames[n]), 32, w.L);
  if (npu) {
    for (int h = 0; h < 2; ++h)
      for (int r = 0; r <= kReadPorts; ++r) b.logic(fmt::format("rd{}_obuf{}_v", r, h), 32, w.L);
    b.logic("rd4_ibuf_v", 32, w.L).vector("gemm_sel", 2);
    b.assign("gemm_sel[0]", "gemm_we_i && !gemm_half_i").assign("gemm_sel[1]", "gemm_we_i && gemm_half_i");
  }
  b.comment("Bank l of each buffer reads 0 until written (all buffers are 0 after reset).");
  auto& lane = b.generate_for("g_lane", "l", w.L);
  for (int n = npu ? 1 : 0; n < 4; ++n) {
    auto& inst = lane.instance(npu && n == 1 ? bank_g : bank, fmt::format("u_{}", kBufNames[n]));
    inst.connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
        .connect("we_i", fmt::format("we_i && wns_i == {} && wmask_i[l]", lit(2, n)))
        .connect("waddr_i", "waddr_i").connect("wdata_i", "wdata_i[l*32 +: 32]");
    for (int r = 0; r < kReadPorts; ++r)
      inst.connect(fmt::format("rd{}_addr_i", r), fmt::format("rd{}_addr_i", r))
          .connect(fmt::format("rd{}_data_o", r), fmt::format("rd{}_{}_v[l]", r, kBufNames[n]));
    if (npu && n == 1) inst.connect("rd4_addr_i", "gemm_ibuf_addr_i").connect("rd4_data_o", "rd4_ibuf_v[l]");
  }
  if (npu) {
    lane.comment("Output BUF half h: the GEMM unit writes it when it names h, Tandem when obuf_sel_i does (ownership");
    lane.comment("keeps the two apart); Tandem's obuf reads come from the half obuf_sel_i names.");
    for (int h = 0; h < 2; ++h) {
      auto& inst = lane.instance(bank_g, fmt::format("u_obuf{}", h));
      inst.connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
          .connect("we_i", fmt::format("gemm_sel[{0}] ? gemm_wmask_i[l] : (we_i && wns_i == 2'd0 && obuf_sel_i == 1'b{0} && wmask_i[l])", h))
          .connect("waddr_i", fmt::format("gemm_sel[{}] ? gemm_addr_i : waddr_i", h))
          .connect("wdata_i", fmt::format("gemm_sel[{}] ? gemm_wdata_i[l*32 +: 32] : wdata_i[l*32 +: 32]", h));
      for (int r = 0; r < kReadPorts; ++r)
        inst.connect(fmt::format("rd{}_addr_i", r), fmt::format("rd{}_addr_i", r))
            .connect(fmt::format("rd{}_data_o", r), fmt::format("rd{}_obuf{}_v[l]", r, h));
      inst.connect("rd4_addr_i", "gemm_addr_i").connect("rd4_data_o", fmt::format("rd4_obuf{}_v[l]", h));
    }
    for (int r = 0; r < kReadPorts; ++r)
      lane.assign(fmt::format("rd{0}_obuf_v[l]", r), fmt::format("obuf_sel_i ? rd{0}_obuf1_v[l] : rd{0}_obuf0_v[l]", r));
    lane.assign("gemm_obuf_rdata_o[l*32 +: 32]", "gemm_half_i ? rd4_obuf1_v[l] : rd4_obuf0_v[l]");
    lane.assign("gemm_ibuf_rdata_o[l*32 +: 32]", "rd4_ibuf_v[l]");
  }
  b.comment("Each port's row from the buffer its namespace selects.");
  auto& c = b.always_comb();
  c.for_("i", w.L, [&](vlog::Block& x) {
    for (int r = 0; r < kReadPorts; ++r)
      x.case_(fmt::format("rd{}_ns_i", r),
              {{"2'd0", [&](vlog::Block& y) { y.assign(fmt::format("rd{}_data_o[i*32 +: 32]", r), fmt::format("rd{}_obuf_v[i]", r)); }},
               {"2'd1", [&](vlog::Block& y) { y.assign(fmt::format("rd{}_data_o[i*32 +: 32]", r), fmt::format("rd{}_ibuf_v[i]", r)); }},
               {"2'd2", [&](vlog::Block& y) { y.assign(fmt::format("rd{}_data_o[i*32 +: 32]", r), fmt::format("rd{}_vmem1_v[i]", r)); }}},
              [&](vlog::Block& y) { y.assign(fmt::format("rd{}_data_o[i*32 +: 32]", r), fmt::format("rd{}_vmem2_v[i]", r)); });
  });
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// <top>_code_repeater: the F stage. Fetches imem[pc] (combinational), executes loop instructions
// (isa/README.md item 7) and issues the body of an armed nest with the current loop indices.

std::string emit_code_repeater(const std::string& name, const TandemParams& p, const Widths& w,
                               const nlohmann::json& params, bool npu = false) {
  vlog::Module m(name);
  m.header(generated_header(name + ": F stage: instruction memory, fetch, Code Repeater (loop nests of up to 8 levels).",
                            "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("imem_we_i", 1, "host write (gated to idle by the top)")
      .input("imem_addr_i", w.PW)
      .input("imem_wdata_i", 32)
      .input("launch_i", 1, "start the program imem[0 .. prog_len_i-1]")
      .input("prog_len_i", w.NW);
  if (npu) m.input("base_i", w.PW, "NPU: the program starts at imem[base_i]; pcs stay relative to it");
  m.input("engine_done_i", 1, "the DAE/permute engine runs its last cycle: fetch resumes next cycle")
      .output("slot_valid_o", 1, "an instruction enters D next cycle (loop instructions flow on as no-ops)")
      .output("slot_word_o", 32)
      .output("slot_pc_o", w.PW, "its index in imem")
      .output("slot_idx_o", 16 * kLevels, "loop index of level l in [16l +: 16] (0 outside a nest)")
      .output("lvl_used_o", kLevels, "level l has a loop.set_index", true)
      .output("lvl_dst_o", 8 * kLevels, "level l's dst iterator {ns, iter} in [8l +: 8]")
      .output("lvl_src1_o", 8 * kLevels)
      .output("lvl_src2_o", 8 * kLevels)
      .output("idle_o", 1, "nothing left to fetch and no engine to wait for");
  auto& b = m.body();
  const Decode dec(b, {isa::Opcode::kLoop, isa::Opcode::kTileLdSt, isa::Opcode::kPermutation, isa::Opcode::kAlu},
                   {"ld.start", "st.start", "perm.start", "loop.set_iter", "loop.set_index", "loop.set_num_inst", "div"});
  const int XW = w.XW;
  b.comment("Instruction memory (reads 0 until written).");
  const auto imem = zeroed_memory(b, "imem", 32, p.imem_depth, "imem_we_i", "imem_addr_i", "imem_wdata_i");
  b.logic("pc_q", XW).logic("len_q", XW).logic("stall_q", 1).logic("nest_q", 1).logic("body_q", XW);
  b.logic("n_q", 16).logic("j_q", 16).logic("idx_q", 16 * kLevels).logic("count_q", 16 * kLevels);
  b.vector("used_q", kLevels).logic("dst_q", 8 * kLevels).logic("src1_q", 8 * kLevels).logic("src2_q", 8 * kLevels);
  b.comment("depth_q: levels configured for the next nest; run_depth_q: levels of the running nest.");
  b.logic("depth_q", 4).logic("run_depth_q", 4).logic("cur_q", 3).logic("closed_q", 1);
  b.logic("fetch_addr", XW).logic("word", 32).logic("can_fetch", 1);
  b.logic("is_loop", 1).logic("is_start", 1).logic("body_last", 1).logic("zero_count", 1);
  b.logic("level", 3).logic("imm16", 16);
  b.comment(fmt::format("div_wait_q: cycles fetch still waits after a div (isa/README.md item 14: a div takes {} slots).",
                        isa::kDivSlots));
  b.logic("div_wait_q", 6);

  b.comment("While a nest runs, F fetches body instruction j; otherwise imem[pc].");
  b.assign("fetch_addr", fmt::format("nest_q ? (body_q + {{{}'d0, j_q}}) : pc_q", XW - 16));
  b.logic("imem_raddr", w.PW);
  b.assign("imem_raddr", npu ? "base_i + " + slice("fetch_addr", 0, w.PW) : slice("fetch_addr", 0, w.PW));
  b.assign("word", imem("imem_raddr"));
  b.assign("can_fetch", "!stall_q && div_wait_q == 6'd0 && (nest_q || pc_q < len_q)");
  b.assign("is_loop", dec.is_op("word", isa::Opcode::kLoop));
  b.assign("is_start", fmt::format("{} || {} || {}", dec.is("word", "ld.start"), dec.is("word", "st.start"),
                                   dec.is("word", "perm.start")));
  b.assign("level", field("word", operand("loop.set_iter", "level").field));
  b.assign("imm16", field("word", operand("loop.set_iter", "count").field));
  b.assign("body_last", "({1'b0, j_q} + 17'd1) >= {1'b0, n_q}");
  std::string zero;
  for (int l = 0; l < kLevels; ++l)
    zero += fmt::format("{}(depth_q > 4'd{} && {} == 16'd0)", l ? " || " : "", l, slice("count_q", 16 * l, 16));
  b.assign("zero_count", zero);
  b.comment("Odometer over the configured levels 0 .. depth-1, innermost (depth-1) fastest (isa/README.md item 7).");
  odometer(
      b, "odo", [](int l) { return slice("idx_q", 16 * l, 16); }, [](int l) { return slice("count_q", 16 * l, 16); },
      [](int l) { return fmt::format("(run_depth_q > 4'd{})", l); });

  b.comment("A loop instruction still occupies its slot: it flows down the pipeline and does nothing there.");
  b.assign("slot_valid_o", "can_fetch");
  b.assign("slot_word_o", "word");
  b.assign("slot_pc_o", slice("fetch_addr", 0, w.PW));
  b.assign("slot_idx_o", fmt::format("nest_q ? idx_q : {}", lit(16 * kLevels, 0)));
  b.assign("lvl_used_o", "used_q").assign("lvl_dst_o", "dst_q").assign("lvl_src1_o", "src1_q").assign("lvl_src2_o", "src2_q");
  b.assign("idle_o", "!stall_q && div_wait_q == 6'd0 && !nest_q && !(pc_q < len_q)");
  if (w.PW < XW) {
    b.logic("unused_fetch", 1);
    b.assign("unused_fetch", fmt::format("^fetch_addr[{}:{}]", XW - 1, w.PW));
  }

  const isa::Operand& sd = operand("loop.set_index", "dst");
  const isa::Operand& s1 = operand("loop.set_index", "src1");
  const isa::Operand& s2 = operand("loop.set_index", "src2");
  const auto slot_of = [](const isa::Operand& o) {
    return fmt::format("{{{}, {}}}", field("word", o.field), field("word", o.iter_field));
  };
  auto& ff = b.always_ff();
  for (auto [reg, wd] : {std::pair{"pc_q", XW}, {"len_q", XW}, {"body_q", XW}, {"n_q", 16}, {"j_q", 16},
                         {"idx_q", 16 * kLevels}, {"dst_q", 8 * kLevels}, {"src1_q", 8 * kLevels}, {"src2_q", 8 * kLevels},
                         {"depth_q", 4}, {"run_depth_q", 4}, {"cur_q", 3}, {"div_wait_q", 6}})
    ff.reset.assign(reg, lit(wd, 0));
  ff.reset.assign("used_q", lit(kLevels, 0)).assign("stall_q", "1'b0").assign("nest_q", "1'b0").assign("closed_q", "1'b1");
  ff.reset.comment("loop counts reset to 1 (golden_model/README.md, tandem ports)");
  ff.reset.assign("count_q", fmt::format("{{{}{{16'd1}}}}", kLevels));
  ff.body.if_(
      "launch_i",
      [&](vlog::Block& x) {
        x.assign("pc_q", lit(XW, 0)).assign("len_q", fmt::format("{}'(prog_len_i)", XW));
        x.assign("nest_q", "1'b0").assign("stall_q", "1'b0").assign("closed_q", "1'b1").assign("depth_q", "4'd0");
        x.assign("div_wait_q", "6'd0");
      },
      [&](vlog::Block& x) {
        x.if_(
            fmt::format("can_fetch && {}", dec.is("word", "div")),
            [](vlog::Block& y) { y.assign("div_wait_q", fmt::format("6'd{}", isa::kDivSlots - 1)); },
            [](vlog::Block& y) { y.if_("div_wait_q != 6'd0", [](vlog::Block& z) { z.assign("div_wait_q", "div_wait_q - 6'd1"); }); });
        x.if_(
            "engine_done_i", [](vlog::Block& y) { y.assign("stall_q", "1'b0"); },
            [&](vlog::Block& y) {
              y.if_("can_fetch && nest_q", [&](vlog::Block& z) {
                z.comment("Issue body instruction j; after the last one, step the odometer.");
                z.if_(
                    "body_last",
                    [](vlog::Block& q) {
                      q.assign("j_q", "16'd0").assign("idx_q", "odo_next");
                      q.if_("odo_carry0", [](vlog::Block& e) {
                        e.comment("the nest is done: continue after the body");
                        e.assign("nest_q", "1'b0").assign("pc_q", "body_q + {1'b0, n_q}");
                      });
                    },
                    [](vlog::Block& q) { q.assign("j_q", "j_q + 16'd1"); });
              });
              y.if_("can_fetch && !nest_q", [&](vlog::Block& z) {
                z.assign("pc_q", fmt::format("pc_q + {}", lit(XW, 1)));
                z.if_("is_start", [](vlog::Block& q) { q.comment("fetch waits for the engine"); q.assign("stall_q", "1'b1"); });
                z.if_("is_loop", [&](vlog::Block& lp) {
                  lp.comment("Loop instructions are executed here, in F.");
                  lp.if_(dec.is("word", "loop.set_iter"), [&](vlog::Block& q) {
                    q.comment("Level `level` runs imm16 times; a closed configuration starts afresh.");
                    q.assign("depth_q", "{1'b0, level} + 4'd1").assign("cur_q", "level").assign("closed_q", "1'b0");
                    for (int l = 0; l < kLevels; ++l)
                      q.if_(fmt::format("level == 3'd{}", l),
                            [&](vlog::Block& e) {
                              e.assign(slice("count_q", 16 * l, 16), "imm16").assign(fmt::format("used_q[{}]", l), "1'b0");
                            },
                            [&](vlog::Block& e) {
                              e.if_("closed_q", [&](vlog::Block& g) { g.assign(fmt::format("used_q[{}]", l), "1'b0"); });
                            });
                  });
                  lp.if_(dec.is("word", "loop.set_index"), [&](vlog::Block& q) {
                    q.comment("Per-level iterators of dst/src1/src2 for the level of the latest loop.set_iter.");
                    for (int l = 0; l < kLevels; ++l)
                      q.if_(fmt::format("cur_q == 3'd{}", l), [&](vlog::Block& e) {
                        e.assign(fmt::format("used_q[{}]", l), "1'b1");
                        e.assign(slice("dst_q", 8 * l, 8), slot_of(sd)).assign(slice("src1_q", 8 * l, 8), slot_of(s1));
                        e.assign(slice("src2_q", 8 * l, 8), slot_of(s2));
                      });
                  });
                  lp.if_(dec.is("word", "loop.set_num_inst"), [&](vlog::Block& q) {
                    q.comment("Arm the nest; a body of 0 instructions or a level count of 0 issues nothing. The");
                    q.comment("configuration closes: a nest armed with no loop.set_iter since has no levels (runs once).");
                    q.assign("closed_q", "1'b1").assign("depth_q", "4'd0").assign("run_depth_q", "depth_q");
                    q.if_(
                        "imm16 == 16'd0 || zero_count",
                        [&](vlog::Block& e) { e.assign("pc_q", fmt::format("pc_q + {} + {{{}'d0, imm16}}", lit(XW, 1), XW - 16)); },
                        [&](vlog::Block& e) {
                          e.assign("nest_q", "1'b1").assign("body_q", fmt::format("pc_q + {}", lit(XW, 1)));
                          e.assign("n_q", "imm16").assign("j_q", "16'd0").assign("idx_q", lit(16 * kLevels, 0));
                        });
                  });
                });
              });
            });
      });
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// <top>_dae: the Data Access Engine (isa/README.md item 11).

std::string emit_dae(const std::string& name, const TandemParams& p, const Widths& w, const nlohmann::json& params) {
  vlog::Module m(name);
  m.header(generated_header(name + ": Data Access Engine: four (direction, buffer) configurations, base and tile loops, " +
                                fmt::format("{}-word DRAM lines.", w.W),
                            "tandem", params));
  const int W = w.W, WB = std::max(1, w.WB);
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("cfg_we_i", 1, "a TILE_LD_ST configuration instruction at the end of D")
      .input("cfg_word_i", 32)
      .input("start_i", 1, "ld.start/st.start in W: the engine runs from the next cycle")
      .input("start_word_i", 32)
      .output("active_o", 1, "the engine runs (cycles s .. s+B)")
      .output("done_o", 1, "its last cycle (s+B)")
      .output("mem_valid_o", 1).output("mem_we_o", 1).output("mem_addr_o", 32, "word address of an aligned line")
      .output("mem_wdata_o", 32 * W).output("mem_wmask_o", W, "words of the line written", true)
      .input("mem_rdata_i", 32 * W, "line of the previous cycle's request")
      .output("rd_ns_o", 2, "buffer read (stores): namespace, row; data registered at the end of the cycle")
      .output("rd_addr_o", w.AW)
      .input("rd_data_i", w.LW)
      .output("we_o", 1, "buffer write (loads) at the end of the cycle")
      .output("wns_o", 2).output("waddr_o", w.AW).output("wdata_o", w.LW).output("wmask_o", w.L, "", true);
  auto& b = m.body();
  std::vector<std::string_view> fns;
  for (std::string_view mn : mnemonics_of({isa::Opcode::kTileLdSt}))
    if (mn != "ld.start") fns.push_back(mn);
  const Decode dec(b, {}, fns);
  const int C = 4 * kLevels;  // (config, loop) slots
  b.comment("isa/README.md item 11. Configuration c = {st, buf}: 0 (ld, vmem1), 1 (ld, vmem2), 2 (st, vmem1), 3 (st, vmem2).");
  b.logic("base_addr_q", 32, 4).logic("tile_addr_q", 32, 4);
  b.comment("Loop slot {c, level}: counts reset to 1, strides and base-loop indices to 0.");
  b.logic("bcnt_q", 16, C).logic("bstr_q", 32, C).logic("tcnt_q", 16, C).logic("tstr_q", 32, C).logic("bidx_q", 16, C);
  const std::string cw = "cfg_word_i";
  const std::string func = field(cw, isa::kFuncField);
  const isa::BitField half = operand("ld.base_addr", "half").field, buf = operand("ld.base_addr", "buf").field,
                      loop = operand("ld.base_iter", "loop").field, val = operand("ld.base_addr", "value").field;
  const isa::BitField width_f = operand("ld.start", "width").field, size_f = operand("ld.start", "size").field;
  b.logic("cfg_st", 1).logic("cfg_id", 2).logic("cfg_slot", 5).logic("cfg_val", 16).logic("cfg_hi", 1);
  std::string st_any;
  for (const char* op : {"base_addr", "base_iter", "base_stride", "tile_iter", "tile_stride", "tile_addr"})
    st_any += fmt::format("{}{} == {}", st_any.empty() ? "" : " || ", func, dec.func(fmt::format("st.{}", op)));
  b.assign("cfg_st", st_any);
  b.assign("cfg_id", fmt::format("{{cfg_st, {}}}", slice(cw, buf.lsb, 1)));
  b.assign("cfg_slot", fmt::format("{{cfg_id, {}}}", slice(cw, loop.lsb, 3)));
  b.assign("cfg_val", field(cw, val)).assign("cfg_hi", field(cw, half));

  b.comment("Run state.");
  b.logic("active_q", 1).logic("issuing_q", 1).logic("run_st_q", 1).logic("run_cfg_q", 2).logic("run_width_q", 5);
  b.logic("run_size_q", 16).logic("tidx_q", 16 * kLevels).logic("lane_q", 16).logic("row_q", w.AW);
  b.logic("pend_q", 1).logic("pend_row_q", w.AW).logic("pend_lane_q", w.LNW).logic("pend_off_q", WB).logic("pend_cnt_q", 16);
  b.logic("st_addr_q", 32).logic("st_data_q", 32 * W).logic("st_mask_q", W);
  b.logic("start_st", 1).logic("start_cfg", 2).logic("start_nonempty", 1);
  const std::string sw = "start_word_i";
  b.assign("start_st", fmt::format("{} == {}", field(sw, isa::kFuncField), dec.func("st.start")));
  b.assign("start_cfg", fmt::format("{{start_st, {}}}", slice(sw, buf.lsb, 1)));
  std::string nonempty;
  for (int l = 0; l < kLevels; ++l)
    nonempty += fmt::format("{}tcnt_q[{{start_cfg, 3'd{}}}] != 16'd0", l ? " && " : "", l);
  b.comment("E = product of the tile counts; E = 0 moves nothing.");
  b.assign("start_nonempty", nonempty);

  b.comment("Element k: DRAM word base_addr + sum b_l * base_stride_l + sum t_l * tile_stride_l (mod 2^32),");
  b.comment("lane k mod size, row tile_addr + k div size.");
  b.logic("dram_addr", 32).logic("cur_row", w.AW).logic("lane_last", 1);
  std::string sum = "base_addr_q[run_cfg_q]";
  for (int l = 0; l < kLevels; ++l) {
    sum += fmt::format("\n      + {{16'd0, bidx_q[{{run_cfg_q, 3'd{0}}}]}} * bstr_q[{{run_cfg_q, 3'd{0}}}]", l);
    sum += fmt::format("\n      + {{16'd0, {1}}} * tstr_q[{{run_cfg_q, 3'd{0}}}]", l, slice("tidx_q", 16 * l, 16));
  }
  b.assign("dram_addr", sum);
  b.assign("cur_row", fmt::format("{} + row_q", fmt::format("tile_addr_q[run_cfg_q][{}:0]", w.AW - 1)));
  b.comment(fmt::format("Beat (isa/README.md item 11): m = min(R, size - lane, W - word in line), W = {}, where R is the", W));
  b.comment("rest of the level-7 run when the level-7 tile stride is +1 and 1 otherwise.");
  b.logic("line_off", WB).logic("run_rem", 16).logic("row_rem", 16).logic("line_rem", 16).logic("beat_a", 16).logic("beat", 16);
  b.assign("line_off", w.WB == 0 ? "1'b0" : slice("dram_addr", 0, w.WB));
  const std::string tl7 = fmt::format("{{run_cfg_q, 3'd{}}}", kLevels - 1);
  b.assign("run_rem", fmt::format("(tstr_q[{0}] == 32'd1) ? (tcnt_q[{0}] - {1}) : 16'd1", tl7, slice("tidx_q", 16 * (kLevels - 1), 16)));
  b.assign("row_rem", "run_size_q - lane_q");
  b.assign("line_rem", fmt::format("16'd{} - {{{}'d0, line_off}}", W, 16 - WB));
  b.assign("beat_a", "(run_rem < row_rem) ? run_rem : row_rem");
  b.assign("beat", "(beat_a < line_rem) ? beat_a : line_rem");
  b.assign("lane_last", "(lane_q + beat) >= run_size_q");
  b.comment("Sign extension of the low 2^width bits (width 2: 4, 3: 8, 4: 16, 5: 32 bits) as a shift pair.");
  b.logic("sext_sh", 5);
  b.assign("sext_sh", "(run_width_q == 5'd2) ? 5'd28 : ((run_width_q == 5'd3) ? 5'd24 : ((run_width_q == 5'd4) ? 5'd16 : 5'd0))");
  b.comment("Stores: row lanes lane .. lane+m-1 to line words off .. off+m-1.");
  b.logic("st_wide", 32 * (w.L + W)).logic("st_line", 32 * W).logic("st_mask", W);
  b.assign("st_wide", fmt::format("({{{}'d0, rd_data_i}} >> {{lane_q, 5'd0}}) << {{line_off, 5'd0}}", 32 * W));
  b.always_comb().for_("i", W, [&](vlog::Block& x) {
    x.assign("st_line[i*32 +: 32]", "$signed(st_wide[i*32 +: 32] << sext_sh) >>> sext_sh");
  });
  b.assign("st_mask", fmt::format("({{{}{{1'b1}}}} >> ({}'d{} - beat[{}:0])) << line_off", W, WB + 1, W, WB));
  b.comment("Loads: line words off .. off+m-1 to row lanes lane .. lane+m-1 (in the cycle after the request).");
  b.logic("ld_wide", 32 * (w.L + W)).logic("load_row", w.LW).logic("load_mask", w.L);
  b.assign("ld_wide", fmt::format("({{{}'d0, mem_rdata_i}} >> {{pend_off_q, 5'd0}}) << {{pend_lane_q, 5'd0}}", 32 * w.L));
  b.always_comb().for_("i", w.L, [&](vlog::Block& x) {
    x.assign("load_row[i*32 +: 32]", "$signed(ld_wide[i*32 +: 32] << sext_sh) >>> sext_sh");
  });
  b.assign("load_mask", fmt::format("({{{}{{1'b1}}}} >> (16'd{} - pend_cnt_q)) << pend_lane_q", w.L, w.L));
  b.comment("Tile loops: odometer, level 7 fastest, stepping by the beat; base loops advance by one after each start.");
  odometer(
      b, "tile", [](int l) { return slice("tidx_q", 16 * l, 16); },
      [](int l) { return fmt::format("tcnt_q[{{run_cfg_q, 3'd{}}}]", l); }, [](int) { return std::string("1'b1"); }, "beat");
  odometer(
      b, "base", [](int l) { return fmt::format("bidx_q[{{run_cfg_q, 3'd{}}}]", l); },
      [](int l) { return fmt::format("bcnt_q[{{run_cfg_q, 3'd{}}}]", l); }, [](int) { return std::string("1'b1"); });

  auto& ff = b.always_ff();
  ff.reset.for_("i", 4, [](vlog::Block& x) { x.assign("base_addr_q[i]", "32'd0").assign("tile_addr_q[i]", "32'd0"); });
  ff.reset.for_("i", C, [](vlog::Block& x) {
    x.assign("bcnt_q[i]", "16'd1").assign("tcnt_q[i]", "16'd1").assign("bstr_q[i]", "32'd0").assign("tstr_q[i]", "32'd0");
    x.assign("bidx_q[i]", "16'd0");
  });
  for (auto [reg, wd] : {std::pair{"active_q", 1}, {"issuing_q", 1}, {"run_st_q", 1}, {"run_cfg_q", 2}, {"run_width_q", 5},
                         {"run_size_q", 16}, {"tidx_q", 16 * kLevels}, {"lane_q", 16}, {"row_q", w.AW}, {"pend_q", 1},
                         {"pend_row_q", w.AW}, {"pend_lane_q", w.LNW}, {"pend_off_q", WB}, {"pend_cnt_q", 16},
                         {"st_addr_q", 32}, {"st_data_q", 32 * W}, {"st_mask_q", W}})
    ff.reset.assign(reg, wd > 64 ? std::string("'0") : lit(wd, 0));
  const auto set_half = [](const std::string& reg) {
    return fmt::format("cfg_hi ? {{cfg_val, {0}[15:0]}} : {{{0}[31:16], cfg_val}}", reg);
  };
  ff.body.if_("cfg_we_i", [&](vlog::Block& x) {
    x.comment("*_addr and *_stride set one 16-bit half; writing a base_iter resets the base-loop indices.");
    x.case_(func,
            {{dec.func("ld.base_addr") + ", " + dec.func("st.base_addr"),
              [&](vlog::Block& y) { y.assign("base_addr_q[cfg_id]", set_half("base_addr_q[cfg_id]")); }},
             {dec.func("ld.tile_addr") + ", " + dec.func("st.tile_addr"),
              [&](vlog::Block& y) { y.assign("tile_addr_q[cfg_id]", set_half("tile_addr_q[cfg_id]")); }},
             {dec.func("ld.base_iter") + ", " + dec.func("st.base_iter"),
              [&](vlog::Block& y) {
                y.assign("bcnt_q[cfg_slot]", "cfg_val");
                for (int l = 0; l < kLevels; ++l) y.assign(fmt::format("bidx_q[{{cfg_id, 3'd{}}}]", l), "16'd0");
              }},
             {dec.func("ld.base_stride") + ", " + dec.func("st.base_stride"),
              [&](vlog::Block& y) { y.assign("bstr_q[cfg_slot]", set_half("bstr_q[cfg_slot]")); }},
             {dec.func("ld.tile_iter") + ", " + dec.func("st.tile_iter"),
              [&](vlog::Block& y) { y.assign("tcnt_q[cfg_slot]", "cfg_val"); }},
             {dec.func("ld.tile_stride") + ", " + dec.func("st.tile_stride"),
              [&](vlog::Block& y) { y.assign("tstr_q[cfg_slot]", set_half("tstr_q[cfg_slot]")); }}},
            [](vlog::Block& y) { y.comment("starts are not configuration"); });
  });
  ff.body.if_(
      "start_i",
      [&](vlog::Block& x) {
        x.assign("active_q", "1'b1").assign("issuing_q", "start_nonempty").assign("run_st_q", "start_st");
        x.assign("run_cfg_q", "start_cfg").assign("run_width_q", field(sw, width_f)).assign("run_size_q", field(sw, size_f));
        x.assign("tidx_q", lit(16 * kLevels, 0)).assign("lane_q", "16'd0").assign("row_q", lit(w.AW, 0)).assign("pend_q", "1'b0");
      },
      [&](vlog::Block& x) {
        x.if_("active_q", [&](vlog::Block& y) {
          y.assign("pend_q", "issuing_q");
          y.if_(
              "issuing_q",
              [&](vlog::Block& z) {
                z.comment("Cycle s+b: beat b. Loads request its DRAM line now; stores read the buffer row now.");
                z.assign("tidx_q", "tile_next").assign("pend_row_q", "cur_row").assign("pend_lane_q", slice("lane_q", 0, w.LNW));
                z.assign("pend_off_q", "line_off").assign("pend_cnt_q", "beat");
                z.assign("st_addr_q", "dram_addr").assign("st_data_q", "st_line").assign("st_mask_q", "st_mask");
                z.if_(
                    "lane_last", [&](vlog::Block& e) { e.assign("lane_q", "16'd0").assign("row_q", fmt::format("row_q + {}", lit(w.AW, 1))); },
                    [](vlog::Block& e) { e.assign("lane_q", "lane_q + beat"); });
                z.if_("tile_carry0", [](vlog::Block& e) { e.assign("issuing_q", "1'b0"); });
              },
              [&](vlog::Block& z) {
                z.comment("Cycle s+B: the last write lands; the base-loop indices advance (odometer).");
                z.assign("active_q", "1'b0");
                for (int l = 0; l < kLevels; ++l)
                  z.assign(fmt::format("bidx_q[{{run_cfg_q, 3'd{}}}]", l), slice("base_next", 16 * l, 16));
              });
        });
      });
  b.assign("active_o", "active_q").assign("done_o", "active_q && !issuing_q");
  b.comment("Timing (golden_model/README.md, tandem): a load requests beat b's line in cycle s+b and writes the buffer");
  b.comment("at the end of s+b+1; a store reads the buffer at the end of s+b and writes the DRAM line in cycle s+b+1.");
  const auto line_start = [&](const std::string& a) {
    return w.WB == 0 ? a : fmt::format("{{{}[31:{}], {}'d0}}", a, w.WB, w.WB);
  };
  b.assign("mem_valid_o", "run_st_q ? pend_q : (active_q && issuing_q)");
  b.assign("mem_we_o", "run_st_q && pend_q");
  b.assign("mem_addr_o", fmt::format("run_st_q ? {} : {}", line_start("st_addr_q"), line_start("dram_addr")));
  b.assign("mem_wdata_o", "st_data_q");
  b.assign("mem_wmask_o", fmt::format("(run_st_q && pend_q) ? st_mask_q : {}", W > 64 ? "'0" : lit(W, 0)));
  b.assign("rd_ns_o", "{1'b1, run_cfg_q[0]}").assign("rd_addr_o", "cur_row");
  b.assign("we_o", "pend_q && !run_st_q").assign("wns_o", "{1'b1, run_cfg_q[0]}").assign("waddr_o", "pend_row_q");
  b.assign("wdata_o", "load_row");
  b.assign("wmask_o", "load_mask");
  b.logic("unused_bits", 1);
  std::string unused = fmt::format("^{{{}, {}, base_carry0", "cfg_word_i[31:28], cfg_word_i[22], cfg_word_i[20:19]",
                                   "start_word_i[31:28], start_word_i[23:22]");
  if (w.WB > 0) unused += fmt::format(", st_addr_q[{}:0]", w.WB - 1);
  unused += fmt::format(", st_wide[{}:{}], ld_wide[{}:{}]", 32 * (w.L + W) - 1, 32 * W, 32 * (w.L + W) - 1, w.LW);
  unused += "}";
  b.assign("unused_bits", unused);
  (void)p;
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// <top>_permute: the permute engine (isa/README.md item 12).

std::string emit_permute(const std::string& name, const Widths& w, const nlohmann::json& params) {
  vlog::Module m(name);
  m.header(generated_header(name + ": permute engine: read walk and write walk over flat buffer positions row*lanes+lane.",
                            "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("cfg_we_i", 1, "perm.set_* at the end of D")
      .input("cfg_word_i", 32)
      .input("start_i", 1, "perm.start in W: the engine runs from the next cycle")
      .input("start_word_i", 32)
      .output("active_o", 1).output("done_o", 1)
      .output("rd_ns_o", 2, "element k read at the end of cycle s+k").output("rd_addr_o", w.AW)
      .input("rd_data_i", w.LW)
      .output("we_o", 1, "element k written at the end of cycle s+k+1")
      .output("wns_o", 2).output("waddr_o", w.AW).output("wdata_o", w.LW).output("wmask_o", w.L, "", true);
  auto& b = m.body();
  const Decode dec(b, {}, {"perm.set_base", "perm.set_iter", "perm.set_stride"});
  const std::string cw = "cfg_word_i", sw = "start_word_i";
  const isa::BitField side = operand("perm.set_iter", "side").field, dim = operand("perm.set_iter", "dim").field,
                      val = operand("perm.set_iter", "count").field;
  b.comment("isa/README.md item 12. Walk s (0 src = read, 1 dst = write): base, and per dimension {s, d} count");
  b.comment("(reset 1) and stride.");
  b.logic("base_q", 16, 2).logic("cnt_q", 16, 2 * kLevels).logic("str_q", 16, 2 * kLevels);
  b.logic("cfg_side", 1).logic("cfg_slot", 4);
  b.assign("cfg_side", slice(cw, side.lsb, 1)).assign("cfg_slot", fmt::format("{{cfg_side, {}}}", slice(cw, dim.lsb, 3)));
  b.logic("active_q", 1).logic("issuing_q", 1).logic("src_ns_q", 2).logic("dst_ns_q", 2);
  b.logic("sidx_q", 16 * kLevels).logic("didx_q", 16 * kLevels);
  b.logic("pend_q", 1).logic("pend_row_q", w.AW).logic("pend_mask_q", w.L).logic("pend_data_q", w.LW);
  b.logic("start_nonempty", 1).logic("src_flat", 32).logic("dst_flat", 32);
  std::string nonempty;
  for (int l = 0; l < kLevels; ++l) nonempty += fmt::format("{}cnt_q[{}] != 16'd0", l ? " && " : "", l);
  b.comment("E = product of the read walk's counts; E = 0 moves nothing.");
  b.assign("start_nonempty", nonempty);
  b.comment("Flat position base + sum i_d * sign_extend(stride_d) (mod 2^32).");
  for (int s = 0; s < 2; ++s) {
    std::string sum = fmt::format("{{16'd0, base_q[{}]}}", s);
    for (int d = 0; d < kLevels; ++d)
      sum += fmt::format("\n      + {{16'd0, {}}} * {}", slice(s ? "didx_q" : "sidx_q", 16 * d, 16),
                         vlog::sign_extend(fmt::format("str_q[{}]", s * kLevels + d), 16, 32));
    b.assign(s ? "dst_flat" : "src_flat", sum);
  }
  b.logic("src_row", w.AW).logic("src_lane", w.LNW).logic("dst_row", w.AW).logic("dst_lane", w.LNW);
  const bool pow2 = (w.L & (w.L - 1)) == 0;
  const int lb = clog2(w.L);
  b.comment(pow2 ? "row = flat / lanes, lane = flat % lanes: bit fields for a power-of-two lane count"
                 : "row = flat / lanes, lane = flat % lanes");
  b.logic("src_row_full", 32).logic("dst_row_full", 32).logic("src_lane_full", 32).logic("dst_lane_full", 32);
  for (const char* s : {"src", "dst"}) {
    if (pow2) {
      b.assign(fmt::format("{}_row_full", s), lb == 0 ? fmt::format("{}_flat", s) : fmt::format("{{{}'d0, {}_flat[31:{}]}}", lb, s, lb));
      b.assign(fmt::format("{}_lane_full", s), lb == 0 ? "32'd0" : fmt::format("{{{}'d0, {}_flat[{}:0]}}", 32 - lb, s, lb - 1));
    } else {
      b.assign(fmt::format("{}_row_full", s), fmt::format("{}_flat / 32'd{}", s, w.L));
      b.assign(fmt::format("{}_lane_full", s), fmt::format("{}_flat % 32'd{}", s, w.L));
    }
    b.assign(fmt::format("{}_row", s), slice(fmt::format("{}_row_full", s), 0, w.AW));
    b.assign(fmt::format("{}_lane", s), slice(fmt::format("{}_lane_full", s), 0, w.LNW));
  }
  b.comment(fmt::format("Beat (isa/README.md item 12): m = min(P, R_src, R_dst, lanes - src lane, lanes - dst lane), P = {};", w.P));
  b.comment("R of a walk is the rest of its dim-7 run when its dim-7 stride is +1, and 1 otherwise.");
  b.logic("src_rem", 16).logic("dst_rem", 16).logic("src_lrem", 16).logic("dst_lrem", 16);
  b.logic("beat_a", 16).logic("beat_b", 16).logic("beat_c", 16).logic("beat", 16);
  const int in = kLevels - 1;
  b.assign("src_rem", fmt::format("(str_q[{0}] == 16'd1) ? (cnt_q[{0}] - {1}) : 16'd1", in, slice("sidx_q", 16 * in, 16)));
  b.assign("dst_rem", fmt::format("(str_q[{0}] == 16'd1) ? (cnt_q[{0}] - {1}) : 16'd1", kLevels + in, slice("didx_q", 16 * in, 16)));
  b.assign("src_lrem", fmt::format("16'd{} - {{{}'d0, src_lane}}", w.L, 16 - w.LNW));
  b.assign("dst_lrem", fmt::format("16'd{} - {{{}'d0, dst_lane}}", w.L, 16 - w.LNW));
  b.assign("beat_a", "(src_rem < dst_rem) ? src_rem : dst_rem");
  b.assign("beat_b", "(src_lrem < dst_lrem) ? src_lrem : dst_lrem");
  b.assign("beat_c", "(beat_a < beat_b) ? beat_a : beat_b");
  b.assign("beat", fmt::format("(beat_c < 16'd{0}) ? beat_c : 16'd{0}", w.P));
  b.comment("Source lanes src_lane .. +m-1 to destination lanes dst_lane .. +m-1.");
  b.logic("move_wide", 2 * w.LW).logic("move_mask", w.L);
  b.assign("move_wide", fmt::format("({{{}'d0, rd_data_i}} >> {{src_lane, 5'd0}}) << {{dst_lane, 5'd0}}", w.LW));
  b.assign("move_mask", fmt::format("({{{}{{1'b1}}}} >> (16'd{} - beat)) << dst_lane", w.L, w.L));
  b.comment("Both walks are odometers, dimension 7 fastest, stepping by the beat.");
  odometer(
      b, "src", [](int d) { return slice("sidx_q", 16 * d, 16); }, [](int d) { return fmt::format("cnt_q[{}]", d); },
      [](int) { return std::string("1'b1"); }, "beat");
  odometer(
      b, "dst", [](int d) { return slice("didx_q", 16 * d, 16); }, [](int d) { return fmt::format("cnt_q[{}]", kLevels + d); },
      [](int) { return std::string("1'b1"); }, "beat");

  auto& ff = b.always_ff();
  ff.reset.for_("i", 2, [](vlog::Block& x) { x.assign("base_q[i]", "16'd0"); });
  ff.reset.for_("i", 2 * kLevels, [](vlog::Block& x) { x.assign("cnt_q[i]", "16'd1").assign("str_q[i]", "16'd0"); });
  for (auto [reg, wd] : {std::pair{"active_q", 1}, {"issuing_q", 1}, {"src_ns_q", 2}, {"dst_ns_q", 2},
                         {"sidx_q", 16 * kLevels}, {"didx_q", 16 * kLevels}, {"pend_q", 1}, {"pend_row_q", w.AW},
                         {"pend_mask_q", w.L}, {"pend_data_q", w.LW}})
    ff.reset.assign(reg, wd > 64 ? std::string("'0") : lit(wd, 0));
  ff.body.if_("cfg_we_i", [&](vlog::Block& x) {
    x.case_(field(cw, isa::kFuncField),
            {{dec.func("perm.set_base"), [&](vlog::Block& y) { y.assign("base_q[cfg_side]", field(cw, val)); }},
             {dec.func("perm.set_iter"), [&](vlog::Block& y) { y.assign("cnt_q[cfg_slot]", field(cw, val)); }},
             {dec.func("perm.set_stride"), [&](vlog::Block& y) { y.assign("str_q[cfg_slot]", field(cw, val)); }}},
            [](vlog::Block& y) { y.comment("perm.start is not configuration"); });
  });
  const isa::BitField dns = operand("perm.start", "dst_ns").field, sns = operand("perm.start", "src_ns").field;
  ff.body.if_(
      "start_i",
      [&](vlog::Block& x) {
        x.assign("active_q", "1'b1").assign("issuing_q", "start_nonempty");
        x.assign("src_ns_q", slice(sw, sns.lsb, 2)).assign("dst_ns_q", slice(sw, dns.lsb, 2));
        x.assign("sidx_q", lit(16 * kLevels, 0)).assign("didx_q", lit(16 * kLevels, 0)).assign("pend_q", "1'b0");
      },
      [&](vlog::Block& x) {
        x.if_("active_q", [&](vlog::Block& y) {
          y.assign("pend_q", "issuing_q");
          y.if_(
              "issuing_q",
              [&](vlog::Block& z) {
                z.comment("Cycle s+b: read beat b's source row; its lanes are written at the end of s+b+1.");
                z.assign("pend_data_q", slice("move_wide", 0, w.LW)).assign("pend_mask_q", "move_mask");
                z.assign("pend_row_q", "dst_row");
                z.assign("sidx_q", "src_next").assign("didx_q", "dst_next");
                z.if_("src_carry0", [](vlog::Block& e) { e.assign("issuing_q", "1'b0"); });
              },
              [](vlog::Block& z) { z.comment("cycle s+B: the last write lands"); z.assign("active_q", "1'b0"); });
        });
      });
  b.assign("active_o", "active_q").assign("done_o", "active_q && !issuing_q");
  b.assign("rd_ns_o", "src_ns_q").assign("rd_addr_o", "src_row");
  b.assign("we_o", "pend_q").assign("wns_o", "dst_ns_q").assign("waddr_o", "pend_row_q");
  b.assign("wdata_o", "pend_data_q");
  b.assign("wmask_o", "pend_mask_q");
  b.logic("unused_bits", 1);
  std::string unused = fmt::format("cfg_word_i[31:24], cfg_word_i[23:{}], cfg_word_i[20:19], start_word_i[31:24], "
                                   "start_word_i[23], start_word_i[20:16], start_word_i[15], start_word_i[12:0]",
                                   side.lsb + 1);
  unused += ", dst_carry0";
  unused += fmt::format(", src_row_full[31:{}], dst_row_full[31:{}]", w.AW, w.AW);
  unused += fmt::format(", src_lane_full[31:{}], dst_lane_full[31:{}]", w.LNW, w.LNW);
  unused += fmt::format(", move_wide[{}:{}]", 2 * w.LW - 1, w.LW);
  b.assign("unused_bits", "^{" + unused + "}");
  return m.emit();
}

// ---------------------------------------------------------------------------------------------
// The top: D, A, R, E, W stages around the code repeater, the buffers and the engines.

struct Names {
  std::string top, alu, div, bank, bank_g, buffers, cr, dae, perm;
};

const char* kOperands[] = {"dst", "src1", "src2"};

std::string emit_top(const Names& n, const TandemParams& p, const Widths& w, const nlohmann::json& params,
                     std::vector<TopPort>* ports, bool npu = false) {
  vlog::Module m(n.top);
  m.header(generated_header(fmt::format("{}: Tandem processor, {} lanes, {}-word buffers, {}-word instruction memory, "
                                        "{}-bit DRAM bus, permute {} elements per cycle.",
                                        n.top, w.L, p.interim_depth, p.imem_depth, 32 * w.W, w.P),
                            "tandem", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("imem_we_i", 1, "host write of one instruction word (only while idle)")
      .input("imem_addr_i", w.PW).input("imem_wdata_i", 32)
      .input("host_we_i", 1, "host write of one buffer row (only while idle)")
      .input("host_ns_i", 2, "0 obuf, 1 ibuf, 2 vmem1, 3 vmem2")
      .input("host_addr_i", w.AW).input("host_wdata_i", w.LW, "lane l in bits [32l +: 32]")
      .output("host_rdata_o", w.LW, "row host_addr_i of buffer host_ns_i (combinational)")
      .input("start_i", 1, "start imem[0 .. prog_len_i-1] (only while idle)")
      .input("prog_len_i", w.NW)
      .output("busy_o", 1).output("done_o", 1, "high for one cycle when the program has finished")
      .output("commit_valid_o", 1, "a compute write-back in its W cycle")
      .output("commit_pc_o", w.PW).output("commit_ns_o", 3).output("commit_addr_o", w.AW)
      .output("commit_mask_o", w.L, "lanes written", true).output("commit_data_o", w.LW, "lanes not written show 0")
      .output("sync_valid_o", 1, "a synchronization instruction in its W cycle")
      .output("sync_func_o", 4).output("sync_group_o", 5)
      .output("mem_valid_o", 1, fmt::format("DAE request to DRAM, one aligned {}-word line per cycle", w.W))
      .output("mem_we_o", 1).output("mem_addr_o", 32, "word address of the line's first word")
      .output("mem_wdata_o", 32 * w.W, "word j in bits [32j +: 32]")
      .output("mem_wmask_o", w.W, "words of the line a write stores", true)
      .input("mem_rdata_i", 32 * w.W, "the line read by the previous cycle's request");
  if (npu) {
    m.input("prog_base_i", w.PW, "NPU: the program is imem[prog_base_i ..]; commit_pc_o stays relative to it")
        .input("obuf_sel_i", 1, "NPU: the Output BUF half the obuf namespace maps to")
        .input("gemm_we_i", 1, "NPU: the GEMM unit writes row gemm_addr_i of Output BUF half gemm_half_i")
        .input("gemm_half_i", 1).input("gemm_addr_i", w.AW).input("gemm_wdata_i", w.LW).input("gemm_wmask_i", w.L, "", true)
        .output("gemm_obuf_rdata_o", w.LW, "row gemm_addr_i of half gemm_half_i (combinational)")
        .input("gemm_ibuf_addr_i", w.AW).output("gemm_ibuf_rdata_o", w.LW, "row gemm_ibuf_addr_i of ibuf (combinational)");
  }
  *ports = top_ports(m);
  auto& b = m.body();
  using isa::Opcode;
  std::vector<std::string_view> fns = mnemonics_of({Opcode::kIteratorConfig});
  for (std::string_view mn : {"nop", "ld.start", "st.start", "perm.start", "div"}) fns.push_back(mn);
  const Decode dec(b,
                   {Opcode::kAlu, Opcode::kCalculus, Opcode::kComparison, Opcode::kDatatypeCast, Opcode::kDatatypeConfig,
                    Opcode::kIteratorConfig, Opcode::kTileLdSt, Opcode::kPermutation, Opcode::kSync},
                   fns);
  b.comment("The IMM namespace: an imm[k] operand is IMM slot k broadcast to every lane.");
  b.localparam("NsImm", static_cast<int>(isa::Namespace::kImm));
  const int AW = w.AW, LW = w.LW, L = w.L;

  // Operand fields of a compute word (isa/README.md, formats).
  const isa::Operand* opnd[3] = {&operand("add", "dst"), &operand("add", "src1"), &operand("add", "src2")};
  const auto ns_of = [&](const std::string& word, int o) { return field(word, opnd[o]->field); };
  const auto it_of = [&](const std::string& word, int o) { return field(word, opnd[o]->iter_field); };
  const auto is_imm = [&](const std::string& word, int o) {
    return fmt::format("({} == {}'(NsImm))", ns_of(word, o), opnd[o]->field.width);
  };

  b.blank();
  b.comment("Run control: cycle 0 is the cycle start_i is high; slot n is in F in cycle 1 + n.");
  b.logic("running_q", 1).logic("launch", 1).logic("done", 1);
  if (npu) {
    b.comment("NPU: the next pass may start in the done cycle of the previous one.");
    b.assign("launch", "start_i && (!running_q || done)");
  } else {
    b.assign("launch", "start_i && !running_q");
  }

  b.blank();
  b.comment("F: fetch and Code Repeater.");
  b.logic("slot_valid", 1).logic("slot_word", 32).logic("slot_pc", w.PW).logic("slot_idx", 16 * kLevels);
  b.vector("lvl_used", kLevels).logic("lvl_dst", 8 * kLevels).logic("lvl_src1", 8 * kLevels).logic("lvl_src2", 8 * kLevels);
  b.logic("fetch_idle", 1).logic("engine_done", 1);
  auto& cr = b.instance(n.cr, "u_code_repeater");
  if (npu) cr.connect("base_i", "prog_base_i");
  cr
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("imem_we_i", "imem_we_i && !running_q").connect("imem_addr_i", "imem_addr_i").connect("imem_wdata_i", "imem_wdata_i")
      .connect("launch_i", "launch").connect("prog_len_i", "prog_len_i").connect("engine_done_i", "engine_done")
      .connect("slot_valid_o", "slot_valid").connect("slot_word_o", "slot_word").connect("slot_pc_o", "slot_pc")
      .connect("slot_idx_o", "slot_idx").connect("lvl_used_o", "lvl_used").connect("lvl_dst_o", "lvl_dst")
      .connect("lvl_src1_o", "lvl_src1").connect("lvl_src2_o", "lvl_src2").connect("idle_o", "fetch_idle");

  b.blank();
  b.comment("D: decode; iterator-table, IMM and DATATYPE_CONFIG reads; configuration writes at the end of D.");
  b.logic("d_valid_q", 1).logic("d_word_q", 32).logic("d_pc_q", w.PW).logic("d_idx_q", 16 * kLevels);
  const int entries = isa::kNumNamespaces * isa::kItersPerNamespace;
  b.comment("Fractional bits f = 32 - int bits (reset: int bits 32, f = 0).");
  b.logic("frac_dst_q", kFracBits).logic("frac_src1_q", kFracBits).logic("frac_src2_q", kFracBits);
  const isa::Operand& cfg_slot = operand("iter.base_sext", "iter");
  const isa::Operand& imm_slot = operand("imm.lo", "slot");
  const isa::BitField v16 = operand("iter.base_lo", "value").field;
  b.logic("d_is_iter_cfg", 1).logic("d_is_dtype", 1).logic("dae_cfg_we", 1).logic("perm_cfg_we", 1);
  b.assign("d_is_iter_cfg", "d_valid_q && " + dec.is_op("d_word_q", Opcode::kIteratorConfig));
  b.assign("d_is_dtype", "d_valid_q && " + dec.is_op("d_word_q", Opcode::kDatatypeConfig));
  const std::string d_func = field("d_word_q", isa::kFuncField);
  b.comment("DAE and permute configuration: every TILE_LD_ST / PERMUTATION instruction but the starts.");
  b.assign("dae_cfg_we", fmt::format("d_valid_q && {} && {} != {} && {} != {}", dec.is_op("d_word_q", Opcode::kTileLdSt),
                                     d_func, dec.func("ld.start"), d_func, dec.func("st.start")));
  b.assign("perm_cfg_we", fmt::format("d_valid_q && {} && {} != {}", dec.is_op("d_word_q", Opcode::kPermutation), d_func,
                                      dec.func("perm.start")));
  b.logic("cfg_entry", 8).logic("cfg_imm", 5).logic("cfg_v16", 16).logic("cfg_off", 32).logic("cfg_str", 32).logic("cfg_immv", 32);
  b.logic("off_we", 1).logic("off_wdata", 32).logic("str_we", 1).logic("str_wdata", 32).logic("imm_we", 1).logic("imm_wdata", 32);
  b.assign("cfg_entry", fmt::format("{{{}, {}}}", field("d_word_q", cfg_slot.field), field("d_word_q", cfg_slot.iter_field)));
  b.assign("cfg_imm", field("d_word_q", imm_slot.iter_field));
  b.assign("cfg_v16", field("d_word_q", v16));
  b.comment("Iterator tables: entry {ns, iter} (5 namespaces x 32) of <offset, stride>; the IMM BUF. All read 0");
  b.comment("after reset; the configuration instruction in D writes at the end of D.");
  const auto off_rd = zeroed_memory(b, "iter_off", 32, entries, "off_we", "cfg_entry", "off_wdata");
  const auto str_rd = zeroed_memory(b, "iter_str", 32, entries, "str_we", "cfg_entry", "str_wdata");
  const auto imm_rd = zeroed_memory(b, "imm", 32, isa::kImmSlots, "imm_we", "cfg_imm", "imm_wdata");
  b.assign("cfg_off", off_rd("cfg_entry")).assign("cfg_str", str_rd("cfg_entry")).assign("cfg_immv", imm_rd("cfg_imm"));
  {
    const std::string sext = vlog::sign_extend("cfg_v16", 16, 32), zext = "{16'd0, cfg_v16}";
    auto& c = b.always_comb();
    c.comment("iter.*: one entry's offset or stride; imm.*: one IMM slot (a 16-bit half keeps the other half).");
    c.assign("off_we", "1'b0").assign("str_we", "1'b0").assign("imm_we", "1'b0");
    c.assign("off_wdata", sext).assign("str_wdata", sext).assign("imm_wdata", sext);
    const auto item = [](std::string label, std::string we, std::string var, std::string rhs) {
      return vlog::Block::CaseItem{std::move(label), [we, var, rhs](vlog::Block& x) { x.assign(we, "d_is_iter_cfg").assign(var, rhs); }};
    };
    c.case_(field("d_word_q", isa::kFuncField),
            {item(dec.func("iter.base_sext"), "off_we", "off_wdata", sext),
             item(dec.func("iter.base_lo"), "off_we", "off_wdata", "{cfg_off[31:16], cfg_v16}"),
             item(dec.func("iter.base_hi"), "off_we", "off_wdata", "{cfg_v16, cfg_off[15:0]}"),
             item(dec.func("iter.base_zext"), "off_we", "off_wdata", zext),
             item(dec.func("iter.stride_sext"), "str_we", "str_wdata", sext),
             item(dec.func("iter.stride_lo"), "str_we", "str_wdata", "{cfg_str[31:16], cfg_v16}"),
             item(dec.func("iter.stride_hi"), "str_we", "str_wdata", "{cfg_v16, cfg_str[15:0]}"),
             item(dec.func("iter.stride_zext"), "str_we", "str_wdata", zext),
             item(dec.func("imm.lo"), "imm_we", "imm_wdata", "{cfg_immv[31:16], cfg_v16}"),
             item(dec.func("imm.hi"), "imm_we", "imm_wdata", "{cfg_v16, cfg_immv[15:0]}"),
             item(dec.func("imm.sext"), "imm_we", "imm_wdata", sext)},
            [](vlog::Block& y) { y.comment("undefined funcs are rejected by the decoder"); });
  }
  b.comment("Operand offsets, and level l's stride for operand o from the table loop.set_index named (0 without one).");
  b.logic("d_off_full", 3 * 32).logic("d_str_full", 3 * kLevels * 32).logic("d_str", 3 * kLevels * AW);
  for (int o = 0; o < 3; ++o) {
    b.assign(slice("d_off_full", 32 * o, 32), off_rd(fmt::format("{{{}, {}}}", ns_of("d_word_q", o), it_of("d_word_q", o))));
    b.logic(fmt::format("d_off_{}", kOperands[o]), AW);
    b.assign(fmt::format("d_off_{}", kOperands[o]), slice("d_off_full", 32 * o, AW));
  }
  for (int o = 0; o < 3; ++o)
    for (int l = 0; l < kLevels; ++l) {
      const int k = o * kLevels + l;
      b.assign(slice("d_str_full", 32 * k, 32),
               fmt::format("lvl_used[{}] ? {} : 32'd0", l, str_rd(slice(fmt::format("lvl_{}", kOperands[o]), 8 * l, 8))));
      b.assign(slice("d_str", k * AW, AW), slice("d_str_full", 32 * k, AW));
    }
  b.logic("d_imm1", 32).logic("d_imm2", 32);
  b.assign("d_imm1", imm_rd(it_of("d_word_q", 1)));
  b.assign("d_imm2", imm_rd(it_of("d_word_q", 2)));
  {
    auto& ff = b.always_ff();
    for (const char* f : {"frac_dst_q", "frac_src1_q", "frac_src2_q"}) ff.reset.assign(f, lit(kFracBits, 0));
    ff.body.if_("d_is_dtype", [&](vlog::Block& x) {
      x.comment("dtype.*: f = 32 - int bits for dst, src1, src2 (the func names a narrow format no function reads).");
      for (auto [reg, op] : {std::pair{"frac_dst_q", "dst_int"}, {"frac_src1_q", "src1_int"}, {"frac_src2_q", "src2_int"}})
        x.assign(reg, fmt::format("{} - {{1'b0, {}}}", lit(kFracBits, 32), field("d_word_q", operand("dtype.fxp32", op).field)));
    });
  }

  b.blank();
  b.comment("A: strided address offset + sum_l i_l * stride_l per operand (isa/README.md item 8; mod 2^AW: every");
  b.comment("legal address fits).");
  b.logic("a_valid_q", 1).logic("a_word_q", 32).logic("a_pc_q", w.PW).logic("a_off_q", 3 * AW).logic("a_str_q", 3 * kLevels * AW);
  b.logic("a_idx_q", kLevels * AW).logic("a_imm1_q", 32).logic("a_imm2_q", 32);
  b.logic("a_addr", 3 * AW);
  for (int o = 0; o < 3; ++o) {
    std::string sum = slice("a_off_q", o * AW, AW);
    for (int l = 0; l < kLevels; ++l)
      sum += fmt::format("\n      + {} * {}", slice("a_idx_q", l * AW, AW), slice("a_str_q", (o * kLevels + l) * AW, AW));
    b.assign(slice("a_addr", o * AW, AW), sum);
  }

  b.blank();
  b.comment("R: operand read; the data registers at the end of R (F + 3). An imm operand is its slot, broadcast.");
  b.logic("r_valid_q", 1).logic("r_word_q", 32).logic("r_pc_q", w.PW).logic("r_addr_q", 3 * AW);
  b.logic("r_imm1_q", 32).logic("r_imm2_q", 32);
  b.logic("rd0_data", LW).logic("rd1_data", LW).logic("rd2_data", LW);
  broadcast(b, "imm1_row", "r_imm1_q", L);
  broadcast(b, "imm2_row", "r_imm2_q", L);

  b.blank();
  b.comment(fmt::format("E: every lane's ALU in one cycle; a div holds E for {} cycles on the lanes' iterative dividers", isa::kDivSlots));
  b.comment("(div_cnt_q counts them; fetch waits meanwhile, so the stages behind it are empty).");
  b.logic("e_is_div", 1).logic("div_cnt_q", 6).logic("div_last", 1).logic("e_hold", 1).logic("div_res_v", 32, L);
  b.assign("e_is_div", "e_valid_q && " + dec.is("e_word_q", "div"));
  b.assign("div_last", fmt::format("div_cnt_q == 6'd{}", isa::kDivSlots - 1));
  b.assign("e_hold", "e_is_div && !div_last");
  b.logic("e_valid_q", 1).logic("e_word_q", 32).logic("e_pc_q", w.PW).logic("e_addr_q", AW);
  b.logic("e_src1_q", LW).logic("e_src2_q", LW).logic("e_dst_q", LW);
  b.logic("e_frac_dst_q", kFracBits).logic("e_frac_src1_q", kFracBits).logic("e_frac_src2_q", kFracBits);
  b.logic("a_frac_q", 3 * kFracBits).logic("r_frac_q", 3 * kFracBits);
  b.logic("alu_res", LW).vector("alu_we", L).logic("e_compute", 1);
  b.logic("alu_res_v", 32, L).logic("alu_we_v", 1, L);
  {
    auto& lane = b.generate_for("g_lane", "l", L);
    lane.instance(n.alu, "u_alu")
        .connect("opcode_i", field("e_word_q", isa::kOpcodeField))
        .connect("func_i", field("e_word_q", isa::kFuncField))
        .connect("src1_i", "e_src1_q[l*32 +: 32]").connect("src2_i", "e_src2_q[l*32 +: 32]").connect("dst_i", "e_dst_q[l*32 +: 32]")
        .connect("frac_dst_i", "e_frac_dst_q").connect("frac_src1_i", "e_frac_src1_q").connect("frac_src2_i", "e_frac_src2_q")
        .connect("div_res_i", "div_res_v[l]").connect("result_o", "alu_res_v[l]").connect("we_o", "alu_we_v[l]");
    lane.instance(n.div, "u_div")
        .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
        .connect("load_i", "e_is_div && div_cnt_q == 6'd0").connect("step_i", "e_is_div && div_cnt_q != 6'd0 && !div_last")
        .connect("a_i", "e_src1_q[l*32 +: 32]").connect("b_i", "e_src2_q[l*32 +: 32]").connect("result_o", "div_res_v[l]");
  }
  b.always_comb().for_("i", L, [](vlog::Block& x) {
    x.assign("alu_res[i*32 +: 32]", "alu_res_v[i]").assign("alu_we[i]", "alu_we_v[i]");
  });
  b.comment("Compute instructions write back (nop does not).");
  b.assign("e_compute", fmt::format("({} && !{}) || {} || {} || {}", dec.is_op("e_word_q", Opcode::kAlu), dec.is("e_word_q", "nop"),
                                    dec.is_op("e_word_q", Opcode::kCalculus), dec.is_op("e_word_q", Opcode::kComparison),
                                    dec.is_op("e_word_q", Opcode::kDatatypeCast)));

  b.blank();
  b.comment("W: write-back at the end of W (F + 5); commit and sync outputs in the W cycle.");
  b.logic("w_valid_q", 1).logic("w_word_q", 32).logic("w_pc_q", w.PW).logic("w_addr_q", AW).logic("w_data_q", LW);
  b.logic("w_mask_q", L).logic("w_compute_q", 1);
  b.logic("w_write", 1).logic("dae_start", 1).logic("perm_start", 1);
  b.assign("w_write", "w_valid_q && w_compute_q");
  b.assign("dae_start", fmt::format("w_valid_q && ({} || {})", dec.is("w_word_q", "ld.start"), dec.is("w_word_q", "st.start")));
  b.assign("perm_start", "w_valid_q && " + dec.is("w_word_q", "perm.start"));

  {
    auto& ff = b.always_ff();
    for (auto [reg, wd] : std::vector<std::pair<std::string, int>>{
             {"running_q", 1}, {"d_valid_q", 1}, {"d_word_q", 32}, {"d_pc_q", w.PW}, {"d_idx_q", 16 * kLevels},
             {"a_valid_q", 1}, {"a_word_q", 32}, {"a_pc_q", w.PW}, {"a_off_q", 3 * AW}, {"a_str_q", 3 * kLevels * AW},
             {"a_idx_q", kLevels * AW}, {"a_imm1_q", 32}, {"a_imm2_q", 32}, {"a_frac_q", 3 * kFracBits},
             {"r_valid_q", 1}, {"r_word_q", 32}, {"r_pc_q", w.PW}, {"r_addr_q", 3 * AW}, {"r_imm1_q", 32}, {"r_imm2_q", 32},
             {"r_frac_q", 3 * kFracBits}, {"e_valid_q", 1}, {"e_word_q", 32}, {"e_pc_q", w.PW}, {"e_addr_q", AW},
             {"e_frac_dst_q", kFracBits}, {"e_frac_src1_q", kFracBits}, {"e_frac_src2_q", kFracBits},
             {"w_valid_q", 1}, {"w_word_q", 32}, {"w_pc_q", w.PW}, {"w_addr_q", AW}, {"w_mask_q", L}, {"w_compute_q", 1},
             {"div_cnt_q", 6}})
      ff.reset.assign(reg, L > 64 && reg == "w_mask_q" ? "'0" : lit(wd, 0));
    for (const char* reg : {"e_src1_q", "e_src2_q", "e_dst_q", "w_data_q"}) ff.reset.assign(reg, "'0");
    ff.body.if_("launch", [](vlog::Block& x) { x.assign("running_q", "1'b1"); },
                [](vlog::Block& x) { x.if_("done", [](vlog::Block& y) { y.assign("running_q", "1'b0"); }); });
    ff.body.comment("F -> D");
    ff.body.assign("d_valid_q", "slot_valid").assign("d_word_q", "slot_word").assign("d_pc_q", "slot_pc").assign("d_idx_q", "slot_idx");
    ff.body.comment("D -> A");
    ff.body.assign("a_valid_q", "d_valid_q").assign("a_word_q", "d_word_q").assign("a_pc_q", "d_pc_q");
    ff.body.assign("a_off_q", "{d_off_src2, d_off_src1, d_off_dst}").assign("a_str_q", "d_str");
    std::string idx = "{";
    for (int l = kLevels - 1; l >= 0; --l) idx += slice("d_idx_q", 16 * l, AW) + (l ? ", " : "}");
    ff.body.assign("a_idx_q", idx).assign("a_imm1_q", "d_imm1").assign("a_imm2_q", "d_imm2");
    ff.body.assign("a_frac_q", "{frac_src2_q, frac_src1_q, frac_dst_q}");
    ff.body.comment("A -> R");
    ff.body.assign("r_valid_q", "a_valid_q").assign("r_word_q", "a_word_q").assign("r_pc_q", "a_pc_q").assign("r_addr_q", "a_addr");
    ff.body.assign("r_imm1_q", "a_imm1_q").assign("r_imm2_q", "a_imm2_q").assign("r_frac_q", "a_frac_q");
    ff.body.comment("R -> E: operand data registered at the end of R (R holds only bubbles while a div holds E)");
    ff.body.if_("!e_hold", [&](vlog::Block& x) {
      x.assign("e_valid_q", "r_valid_q").assign("e_word_q", "r_word_q").assign("e_pc_q", "r_pc_q");
      x.assign("e_addr_q", slice("r_addr_q", 0, AW));
      x.assign("e_src1_q", fmt::format("{} ? imm1_row : rd0_data", is_imm("r_word_q", 1)));
      x.assign("e_src2_q", fmt::format("{} ? imm2_row : rd1_data", is_imm("r_word_q", 2)));
      x.assign("e_dst_q", "rd2_data");
      x.assign("e_frac_dst_q", slice("r_frac_q", 0, kFracBits)).assign("e_frac_src1_q", slice("r_frac_q", kFracBits, kFracBits));
      x.assign("e_frac_src2_q", slice("r_frac_q", 2 * kFracBits, kFracBits));
    });
    ff.body.if_("e_is_div", [](vlog::Block& x) { x.assign("div_cnt_q", "div_last ? 6'd0 : div_cnt_q + 6'd1"); });
    ff.body.comment("E -> W (a div reaches W after its last E cycle)");
    ff.body.assign("w_valid_q", "e_valid_q && !e_hold").assign("w_word_q", "e_word_q").assign("w_pc_q", "e_pc_q").assign("w_addr_q", "e_addr_q");
    ff.body.assign("w_data_q", "alu_res").assign("w_mask_q", fmt::format("e_compute ? alu_we : {}", L > 64 ? "'0" : lit(L, 0)));
    ff.body.assign("w_compute_q", "e_compute");
  }

  b.blank();
  b.comment("Engines: a start in F in cycle c runs its engine in cycles s = c + 6 .. s + B, B its beats (from the cycle");
  b.comment("after its W); the code repeater fetches again in s + B + 1 = c + B + 7.");
  b.logic("dae_active", 1).logic("dae_done", 1).logic("dae_rd_ns", 2).logic("dae_rd_addr", AW);
  b.logic("dae_we", 1).logic("dae_wns", 2).logic("dae_waddr", AW).logic("dae_wdata", LW).logic("dae_wmask", L);
  b.logic("perm_active", 1).logic("perm_done", 1).logic("perm_rd_ns", 2).logic("perm_rd_addr", AW);
  b.logic("perm_we", 1).logic("perm_wns", 2).logic("perm_waddr", AW).logic("perm_wdata", LW).logic("perm_wmask", L);
  b.instance(n.dae, "u_dae")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("cfg_we_i", "dae_cfg_we").connect("cfg_word_i", "d_word_q")
      .connect("start_i", "dae_start").connect("start_word_i", "w_word_q")
      .connect("active_o", "dae_active").connect("done_o", "dae_done")
      .connect("mem_valid_o", "mem_valid_o").connect("mem_we_o", "mem_we_o").connect("mem_addr_o", "mem_addr_o")
      .connect("mem_wdata_o", "mem_wdata_o").connect("mem_wmask_o", "mem_wmask_o").connect("mem_rdata_i", "mem_rdata_i")
      .connect("rd_ns_o", "dae_rd_ns").connect("rd_addr_o", "dae_rd_addr").connect("rd_data_i", "rd0_data")
      .connect("we_o", "dae_we").connect("wns_o", "dae_wns").connect("waddr_o", "dae_waddr")
      .connect("wdata_o", "dae_wdata").connect("wmask_o", "dae_wmask");
  b.instance(n.perm, "u_permute")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("cfg_we_i", "perm_cfg_we").connect("cfg_word_i", "d_word_q")
      .connect("start_i", "perm_start").connect("start_word_i", "w_word_q")
      .connect("active_o", "perm_active").connect("done_o", "perm_done")
      .connect("rd_ns_o", "perm_rd_ns").connect("rd_addr_o", "perm_rd_addr").connect("rd_data_i", "rd0_data")
      .connect("we_o", "perm_we").connect("wns_o", "perm_wns").connect("waddr_o", "perm_waddr")
      .connect("wdata_o", "perm_wdata").connect("wmask_o", "perm_wmask");
  b.assign("engine_done", "dae_done || perm_done");

  b.blank();
  b.comment("Buffers: read port 0 serves src1 or the running engine, 1 src2, 2 dst, 3 the host.");
  b.logic("rd0_ns", 2).logic("rd0_addr", AW);
  b.assign("rd0_ns", fmt::format("dae_active ? dae_rd_ns : (perm_active ? perm_rd_ns : {})", slice("r_word_q", opnd[1]->field.lsb, 2)));
  b.assign("rd0_addr", fmt::format("dae_active ? dae_rd_addr : (perm_active ? perm_rd_addr : {})", slice("r_addr_q", AW, AW)));
  b.logic("buf_we", 1).logic("buf_wns", 2).logic("buf_waddr", AW).logic("buf_wdata", LW).logic("buf_wmask", L);
  {
    auto& c = b.always_comb();
    c.comment("One writer per cycle: W, an engine, or the host while idle.");
    c.assign("buf_we", "w_write").assign("buf_wns", slice("w_word_q", opnd[0]->field.lsb, 2)).assign("buf_waddr", "w_addr_q");
    c.assign("buf_wdata", "w_data_q").assign("buf_wmask", "w_mask_q");
    c.if_("!w_write", [&](vlog::Block& x) {
      x.if_(
          "dae_we",
          [](vlog::Block& y) {
            y.assign("buf_we", "1'b1").assign("buf_wns", "dae_wns").assign("buf_waddr", "dae_waddr");
            y.assign("buf_wdata", "dae_wdata").assign("buf_wmask", "dae_wmask");
          },
          [&](vlog::Block& y) {
            y.if_(
                "perm_we",
                [](vlog::Block& z) {
                  z.assign("buf_we", "1'b1").assign("buf_wns", "perm_wns").assign("buf_waddr", "perm_waddr");
                  z.assign("buf_wdata", "perm_wdata").assign("buf_wmask", "perm_wmask");
                },
                [&](vlog::Block& z) {
                  z.assign("buf_we", "host_we_i && !running_q").assign("buf_wns", "host_ns_i").assign("buf_waddr", "host_addr_i");
                  z.assign("buf_wdata", "host_wdata_i").assign("buf_wmask", "'1");
                });
          });
    });
  }
  auto& buffers = b.instance(n.buffers, "u_buffers");
  buffers
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("we_i", "buf_we").connect("wns_i", "buf_wns").connect("waddr_i", "buf_waddr")
      .connect("wdata_i", "buf_wdata").connect("wmask_i", "buf_wmask")
      .connect("rd0_ns_i", "rd0_ns").connect("rd0_addr_i", "rd0_addr").connect("rd0_data_o", "rd0_data")
      .connect("rd1_ns_i", slice("r_word_q", opnd[2]->field.lsb, 2)).connect("rd1_addr_i", slice("r_addr_q", 2 * AW, AW))
      .connect("rd1_data_o", "rd1_data")
      .connect("rd2_ns_i", slice("r_word_q", opnd[0]->field.lsb, 2)).connect("rd2_addr_i", slice("r_addr_q", 0, AW))
      .connect("rd2_data_o", "rd2_data")
      .connect("rd3_ns_i", "host_ns_i").connect("rd3_addr_i", "host_addr_i").connect("rd3_data_o", "host_rdata_o");
  if (npu) {
    buffers.connect("obuf_sel_i", "obuf_sel_i").connect("gemm_we_i", "gemm_we_i").connect("gemm_half_i", "gemm_half_i")
        .connect("gemm_addr_i", "gemm_addr_i").connect("gemm_wdata_i", "gemm_wdata_i").connect("gemm_wmask_i", "gemm_wmask_i")
        .connect("gemm_obuf_rdata_o", "gemm_obuf_rdata_o").connect("gemm_ibuf_addr_i", "gemm_ibuf_addr_i")
        .connect("gemm_ibuf_rdata_o", "gemm_ibuf_rdata_o");
  }

  b.blank();
  b.comment("Outputs.");
  b.assign("commit_valid_o", "w_write").assign("commit_pc_o", "w_pc_q").assign("commit_ns_o", ns_of("w_word_q", 0));
  b.assign("commit_addr_o", "w_addr_q").assign("commit_mask_o", "w_mask_q").assign("commit_data_o", "w_data_q");
  b.assign("sync_valid_o", "w_valid_q && " + dec.is_op("w_word_q", Opcode::kSync));
  b.assign("sync_func_o", field("w_word_q", isa::kFuncField));
  b.assign("sync_group_o", field("w_word_q", operand("sync.gemm.start.exec", "group").field));
  b.comment("Done: nothing left to fetch, no engine running, no instruction in D..W (golden_model/README.md,");
  b.comment("tandem timing: done = max(the F cycle after the last slot, L + 6)).");
  b.assign("done", "running_q && fetch_idle && !dae_active && !perm_active && !d_valid_q && !a_valid_q && !r_valid_q && !e_valid_q && !w_valid_q");
  b.assign("done_o", "done").assign("busy_o", "running_q && !done");
  b.logic("unused_bits", 1);
  std::string unused = fmt::format("^{{r_word_q[{}], r_word_q[{}]", opnd[1]->field.lsb + 2, opnd[2]->field.lsb + 2);
  for (int l = 0; l < kLevels; ++l) unused += fmt::format(", d_idx_q[{}:{}]", 16 * l + 15, 16 * l + AW);
  for (int k = 0; k < 3; ++k) unused += fmt::format(", d_off_full[{}:{}]", 32 * k + 31, 32 * k + AW);
  for (int k = 0; k < 3 * kLevels; ++k) unused += fmt::format(", d_str_full[{}:{}]", 32 * k + 31, 32 * k + AW);
  unused += "}";
  b.assign("unused_bits", unused);
  return m.emit();
}

}  // namespace

GeneratedDesign generate_tandem(const TandemParams& p, const nlohmann::json& params_json, const TandemNpuOptions* npu) {
  const Widths w = widths(p);
  GeneratedDesign d;
  d.block = "tandem";
  d.params = params_json;
  Names n;
  if (npu) {
    n.top = npu->top;
  } else {
    n.top = fmt::format("tandem_l{}_d{}_i{}", p.lanes, p.interim_depth, p.imem_depth);
    // Non-default engine widths name the configuration (the defaults keep the original names).
    if (p.dram_bus_bits != 0) n.top += fmt::format("_b{}", p.dram_bus_bits);
    if (p.permute_width != 0) n.top += fmt::format("_p{}", p.permute_width);
  }
  n.alu = n.top + "_alu";
  n.div = n.top + "_div";
  n.buffers = n.top + "_buffers";
  n.bank = n.top + "_bank";
  n.bank_g = n.top + "_bank_g";
  n.cr = n.top + "_code_repeater";
  n.dae = n.top + "_dae";
  n.perm = n.top + "_permute";
  d.top = n.top;
  d.files.push_back({n.alu + ".sv", emit_alu(n.alu, params_json)});
  d.files.push_back({n.div + ".sv", emit_div(n.div, params_json)});
  d.files.push_back({n.bank + ".sv", emit_bank(n.bank, p, w, params_json)});
  if (npu) d.files.push_back({n.bank_g + ".sv", emit_bank(n.bank_g, p, w, params_json, kReadPorts + 1)});
  d.files.push_back({n.buffers + ".sv", emit_buffers(n.buffers, n.bank, w, params_json, npu ? n.bank_g : "")});
  d.files.push_back({n.cr + ".sv", emit_code_repeater(n.cr, p, w, params_json, npu != nullptr)});
  d.files.push_back({n.dae + ".sv", emit_dae(n.dae, p, w, params_json)});
  d.files.push_back({n.perm + ".sv", emit_permute(n.perm, w, params_json)});
  d.files.push_back({n.top + ".sv", emit_top(n, p, w, params_json, &d.ports, npu != nullptr)});
  return d;
}

}  // namespace accelgen
