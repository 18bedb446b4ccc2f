// The Tandem golden simulator: lane arithmetic at the edge values (0, +-1, INT32 min/max and their
// neighbours) and whole programs through the Code Repeater with affine addressing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <random>

#include "common/error.hpp"
#include "golden_model/tandem/alu.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::golden::tandem {
namespace {

using isa::tandem::Namespace;
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
const std::vector<int32_t> kEdges = {0,     1,        -1,         2,          -2,    kMin,
                                     kMax,  kMin + 1, kMax - 1,   46340,      46341, -46341,
                                     65536, -65536,   0x55555555, -0x55555555};

int64_t Clamp(int64_t v) { return std::clamp<int64_t>(v, kMin, kMax); }

TEST(TandemAlu, AddSubSaturateAtTheEdges) {
  EXPECT_EQ(Add(kMax, 1), kMax);
  EXPECT_EQ(Add(kMax - 1, 1), kMax);
  EXPECT_EQ(Add(kMin, -1), kMin);
  EXPECT_EQ(Add(kMin + 1, -1), kMin);
  EXPECT_EQ(Sub(kMin, 1), kMin);
  EXPECT_EQ(Sub(0, kMin), kMax);
  EXPECT_EQ(Sub(-1, kMin), kMax);
  EXPECT_EQ(Sub(-2, kMax), kMin);
  for (int32_t a : kEdges) {
    for (int32_t b : kEdges) {
      EXPECT_EQ(Add(a, b), Clamp(int64_t{a} + b)) << a << " + " << b;
      EXPECT_EQ(Sub(a, b), Clamp(int64_t{a} - b)) << a << " - " << b;
    }
  }
}

TEST(TandemAlu, MulSaturatesAndShiftsTowardMinusInfinity) {
  const FixedPoint integer{};
  EXPECT_EQ(Mul(kMin, -1, integer), kMax);
  EXPECT_EQ(Mul(kMin, 1, integer), kMin);
  EXPECT_EQ(Mul(46340, 46340, integer), 2147395600);
  EXPECT_EQ(Mul(46341, 46341, integer), kMax);
  EXPECT_EQ(Mul(-46341, 46341, integer), kMin);
  EXPECT_EQ(Mul(kMin, kMin, integer), kMax);
  for (int32_t a : kEdges) {
    for (int32_t b : kEdges) EXPECT_EQ(Mul(a, b, integer), Clamp(int64_t{a} * b)) << a << "*" << b;
  }
  const FixedPoint q16{16, 16, 16};
  EXPECT_EQ(Mul(3 << 15, 2 << 16, q16), 3 << 16);        // 1.5 * 2.0 = 3.0
  EXPECT_EQ(Mul(-(3 << 15), 1 << 15, q16), -(3 << 14));  // -1.5 * 0.5 = -0.75
  EXPECT_EQ(Mul(-1, 1, q16), -1);                        // -2^-16 * 2^-16 rounds down to -2^-16
  EXPECT_EQ(Mul(1, 1, q16), 0);                          // rounds down to 0
  EXPECT_EQ(Mul(kMax, kMax, q16), kMax);
  const FixedPoint widen{8, 0, 0};  // dst has more fractional bits: shift left by 8, saturating
  EXPECT_EQ(Mul(3, 5, widen), 15 << 8);
  EXPECT_EQ(Mul(1 << 23, 1, widen), kMax);
  EXPECT_EQ(Mul(-(1 << 23), 1, widen), kMin);
  EXPECT_EQ(Mul(0, kMin, widen), 0);
}

TEST(TandemAlu, DivTruncatesTowardZeroAndSaturates) {
  EXPECT_EQ(Div(7, 2), 3);
  EXPECT_EQ(Div(-7, 2), -3);
  EXPECT_EQ(Div(7, -2), -3);
  EXPECT_EQ(Div(-7, -2), 3);
  EXPECT_EQ(Div(kMin, -1), kMax);
  EXPECT_EQ(Div(kMin, 1), kMin);
  EXPECT_EQ(Div(kMax, -1), -kMax);
  EXPECT_EQ(Div(5, 0), kMax);
  EXPECT_EQ(Div(0, 0), kMax);
  EXPECT_EQ(Div(-1, 0), kMin);
  EXPECT_EQ(Div(kMin, 0), kMin);
  for (int32_t a : kEdges) {
    for (int32_t b : kEdges) {
      if (b == 0) continue;
      EXPECT_EQ(Div(a, b), Clamp(int64_t{a} / b)) << a << "/" << b;
    }
  }
}

TEST(TandemAlu, ShiftsUseFiveBitsArithmeticRight) {
  EXPECT_EQ(ShiftRight(-1, 31), -1);
  EXPECT_EQ(ShiftRight(kMin, 31), -1);
  EXPECT_EQ(ShiftRight(kMax, 31), 0);
  EXPECT_EQ(ShiftRight(-5, 1), -3);
  EXPECT_EQ(ShiftRight(12345, 32), 12345);  // only src2[4:0] counts
  EXPECT_EQ(ShiftRight(12345, -31), 6172);  // -31 & 31 = 1
  EXPECT_EQ(ShiftLeft(1, 31), kMin);
  EXPECT_EQ(ShiftLeft(3, 31), kMin);  // wraps
  EXPECT_EQ(ShiftLeft(kMax, 1), -2);
  EXPECT_EQ(ShiftLeft(7, 33), 14);
}

TEST(TandemAlu, AbsSignFloorCeil) {
  EXPECT_EQ(Abs(kMin), kMax);
  EXPECT_EQ(Abs(kMin + 1), kMax);
  EXPECT_EQ(Abs(-1), 1);
  EXPECT_EQ(Abs(0), 0);
  EXPECT_EQ(Abs(kMax), kMax);
  EXPECT_EQ(Sign(0), 0);
  EXPECT_EQ(Sign(1), 1);
  EXPECT_EQ(Sign(-1), -1);
  EXPECT_EQ(Sign(kMin), -1);
  EXPECT_EQ(Sign(kMax), 1);
  EXPECT_EQ(Floor(-1, 16), -65536);
  EXPECT_EQ(Floor(65535, 16), 0);
  EXPECT_EQ(Floor(65536, 16), 65536);
  EXPECT_EQ(Floor(kMin, 16), kMin);
  EXPECT_EQ(Floor(kMax, 16), kMax - 65535);
  EXPECT_EQ(Floor(-5, 0), -5);
  EXPECT_EQ(Ceil(1, 16), 65536);
  EXPECT_EQ(Ceil(-1, 16), 0);
  EXPECT_EQ(Ceil(-65536, 16), -65536);
  EXPECT_EQ(Ceil(kMax, 16), kMax);  // 2^31 does not fit: saturates
  EXPECT_EQ(Ceil(kMin, 16), kMin);
  EXPECT_EQ(Ceil(kMax - 65535, 16), kMax - 65535);
}

TEST(TandemAlu, CastsSaturateAndSignExtend) {
  const FixedPoint same{};
  EXPECT_EQ(CastNarrow(kMax, 8, same), 127);
  EXPECT_EQ(CastNarrow(kMin, 8, same), -128);
  EXPECT_EQ(CastNarrow(128, 8, same), 127);
  EXPECT_EQ(CastNarrow(-129, 8, same), -128);
  EXPECT_EQ(CastNarrow(-128, 8, same), -128);
  EXPECT_EQ(CastNarrow(-1, 4, same), -1);
  EXPECT_EQ(CastNarrow(8, 4, same), 7);
  EXPECT_EQ(CastNarrow(-9, 4, same), -8);
  EXPECT_EQ(CastNarrow(40000, 16, same), 32767);
  EXPECT_EQ(CastNarrow(0, 16, same), 0);
  const FixedPoint q16_to_q4{4, 16, 0};              // drop 12 fractional bits, toward -inf
  EXPECT_EQ(CastNarrow(3 << 15, 8, q16_to_q4), 24);  // 1.5 -> 1.5 in Q4
  EXPECT_EQ(CastNarrow(-1, 8, q16_to_q4), -1);       // tiny negative floors to -2^-4
  EXPECT_EQ(CastNarrow(100 << 16, 8, q16_to_q4), 127);
  EXPECT_EQ(CastWiden(0xFF, 8, same), -1);
  EXPECT_EQ(CastWiden(0x80, 8, same), -128);
  EXPECT_EQ(CastWiden(0x7F, 8, same), 127);
  EXPECT_EQ(CastWiden(0x12345680, 8, same), -128);  // only the low 8 bits are the value
  EXPECT_EQ(CastWiden(0x8000, 16, same), -32768);
  EXPECT_EQ(CastWiden(0x8, 4, same), -8);
  EXPECT_EQ(CastWiden(0x7, 4, same), 7);
  const FixedPoint q4_to_q16{16, 4, 0};
  EXPECT_EQ(CastWiden(24, 8, q4_to_q16), 3 << 15);
  EXPECT_EQ(CastWiden(0x80, 8, FixedPoint{30, 0, 0}), kMin);  // -128 * 2^30 saturates
  EXPECT_EQ(CastWiden(0x7F, 8, FixedPoint{30, 0, 0}), kMax);
}

// --- whole programs ---

TandemSim RunProgram(const std::string& text, TandemSimConfig cfg = {4, 64}) {
  TandemSim sim(cfg);
  for (int lane = 0; lane < cfg.lanes; ++lane) {
    for (int a = 0; a < cfg.depth; ++a) sim.Write(Namespace::kVmem1, lane, a, 100 * lane + a);
  }
  sim.Run(isa::tandem::Assemble(text));
  return sim;
}

TEST(TandemSim, ConfiguresIteratorsAndImmediates) {
  const TandemSim sim = RunProgram(R"(
iter.base_sext vmem1[3], -2
iter.stride_hi vmem2[4], 0x1234
iter.stride_lo vmem2[4], 0x5678
iter.base_zext obuf[31], 0xFFFF
imm.hi imm[1], 0x8000
imm.lo imm[1], 0x0001
imm.sext imm[2], -1
imm.lo imm[2], 0
dtype.fxp8 24, 16, 8
)");
  EXPECT_EQ(sim.Iterator(Namespace::kVmem1, 3).offset, -2);
  EXPECT_EQ(sim.Iterator(Namespace::kVmem2, 4).stride, 0x12345678);
  EXPECT_EQ(sim.Iterator(Namespace::kObuf, 31).offset, 0xFFFF);
  EXPECT_EQ(sim.Imm(1), kMin + 1);
  EXPECT_EQ(sim.Imm(2), static_cast<int32_t>(0xFFFF0000u));
  EXPECT_EQ(sim.Format().dst_frac, 8);
  EXPECT_EQ(sim.Format().src1_frac, 16);
  EXPECT_EQ(sim.Format().src2_frac, 24);
}

TEST(TandemSim, SingleLoopWalksWithTheLevelStride) {
  const TandemSim sim = RunProgram(R"(
.iter in = vmem1[0]
.iter out = vmem2[0]
iter.base_zext in, 10
iter.base_zext out, 5
iter.stride_sext vmem1[1], 2
iter.stride_sext vmem2[1], 1
imm.sext imm[0], -3
loop.set_iter 0, 4
loop.set_index vmem2[1], vmem1[1], imm[0]
loop.set_num_inst 1
add out, in, imm[0]
)");
  for (int lane = 0; lane < 4; ++lane) {
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 5 + i), 100 * lane + 10 + 2 * i - 3);
    }
    EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 9), 0);  // one past the walk: untouched
    EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 4), 0);
  }
  EXPECT_EQ(sim.ComputeCount(), 4);
}

TEST(TandemSim, TwoLevelNestTransposes) {
  // out[j * 4 + i] = in[i * 4 + j], i outer, j inner.
  const TandemSim sim = RunProgram(R"(
iter.stride_sext vmem1[1], 4
iter.stride_sext vmem1[2], 1
iter.stride_sext vmem2[1], 1
iter.stride_sext vmem2[2], 4
loop.set_iter 0, 4
loop.set_index vmem2[1], vmem1[1], imm[0]
loop.set_iter 1, 4
loop.set_index vmem2[2], vmem1[2], imm[0]
loop.set_num_inst 2
move vmem2[0], vmem1[0]
not obuf[0], vmem1[0]
)");
  for (int lane = 0; lane < 4; ++lane) {
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, j * 4 + i), 100 * lane + i * 4 + j);
      }
    }
    // The per-level strides come from the iterators named in loop.set_index, whatever namespace
    // the body instruction addresses: obuf follows the same walk as vmem2.
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) {
        EXPECT_EQ(sim.Read(Namespace::kObuf, lane, j * 4 + i), ~(100 * lane + i * 4 + j));
      }
    }
  }
  EXPECT_EQ(sim.ComputeCount(), 32);
}

TEST(TandemSim, InPlaceReductionAndCountEdgeCases) {
  // dst stride 0: accumulate 8 elements into vmem2[0] (two nops keep the spacing rule between
  // iterations); then count 0 skips a body, count 1 runs once. Operands name iterator-table
  // entries: vmem2[k] is at address k only once its offset is k.
  const TandemSim sim = RunProgram(R"(
iter.stride_sext vmem1[1], 1
iter.base_zext vmem2[1], 1
iter.base_zext vmem2[2], 2
loop.set_iter 0, 8
loop.set_index vmem2[0], vmem2[0], vmem1[1]   # dst and accumulator stay, src2 walks
loop.set_num_inst 3
add vmem2[0], vmem2[0], vmem1[0]
nop
nop
loop.set_iter 0, 0
loop.set_num_inst 1
add vmem2[1], vmem2[1], vmem1[0]
loop.set_iter 0, 1
loop.set_num_inst 1
sub vmem2[2], vmem2[2], vmem1[1]
)");
  for (int lane = 0; lane < 4; ++lane) {
    EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 0), 8 * 100 * lane + 28);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 1), 0);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, lane, 2), -(100 * lane));  // vmem1[1] has offset 0
  }
  EXPECT_EQ(sim.ComputeCount(), 9);
}

TEST(TandemSim, ComputeClassesOverLanes) {
  TandemSim sim({3, 8});
  const int32_t a[3] = {kMin, -1, kMax};
  for (int l = 0; l < 3; ++l) sim.Write(Namespace::kVmem1, l, 0, a[l]);
  std::string program;
  for (int k = 1; k < 8; ++k) program += fmt::format("iter.base_zext vmem2[{}], {}\n", k, k);
  sim.Run(isa::tandem::Assemble(program + R"(
imm.sext imm[0], 1
imm.sext imm[1], 0
abs   vmem2[0], vmem1[0]
sign  vmem2[1], vmem1[0]
gt    vmem2[2], vmem1[0], imm[1]
add   vmem2[3], vmem1[0], imm[0]
relu  vmem2[4], vmem1[0]
move  vmem2[5], vmem1[0]
nop                    # cmov.t reads its dst: 3 cycles after the move
nop
cmov.t vmem2[5], imm[1], vmem2[2]
cast.fxp32_fxp8 vmem2[6], vmem1[0]
div   vmem2[7], vmem1[0], imm[1]
sync.tandem.end.exec 9
nop
)"));
  const int32_t abs_e[3] = {kMax, 1, kMax}, sign_e[3] = {-1, -1, 1}, gt_e[3] = {0, 0, 1};
  const int32_t add_e[3] = {kMin + 1, 0, kMax}, relu_e[3] = {0, 0, kMax};
  const int32_t cmov_e[3] = {kMin, -1, 0}, cast_e[3] = {-128, -1, 127},
                div_e[3] = {kMin, kMin, kMax};
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 0), abs_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 1), sign_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 2), gt_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 3), add_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 4), relu_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 5), cmov_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 6), cast_e[l]);
    EXPECT_EQ(sim.Read(Namespace::kVmem2, l, 7), div_e[l]);
  }
  ASSERT_EQ(sim.Syncs().size(), 1u);
  EXPECT_EQ(sim.Syncs()[0].group, 9);
  EXPECT_EQ(sim.Syncs()[0].func, 0xC);
  EXPECT_EQ(sim.ComputeCount(), 9);
}

TEST(TandemSim, FixedPointMulUsesTheDatatypeConfig) {
  TandemSim sim({1, 4});
  sim.Write(Namespace::kVmem1, 0, 0, 3 << 15);     // 1.5 in Q16
  sim.Write(Namespace::kVmem1, 0, 1, 2 << 16);     // 2.0 in Q16
  sim.Write(Namespace::kVmem1, 0, 2, -(1 << 16));  // -1.0 in Q16
  sim.Run(isa::tandem::Assemble(R"(
dtype.fxp32 16, 16, 16
iter.base_zext vmem1[1], 1
iter.base_zext vmem1[2], 2
iter.base_zext vmem2[1], 1
iter.base_zext vmem2[2], 2
imm.sext imm[0], 0x4000        # 0.25 in Q16
mul  vmem2[0], vmem1[0], vmem1[1]
macc vmem2[1], vmem1[0], vmem1[1]
nop                            # the second macc reads vmem2[1]: 3 cycles after the first
nop
macc vmem2[1], vmem1[0], vmem1[1]
leaky_relu vmem2[2], vmem1[2], imm[0]
)"));
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 0), 3 << 16);     // 1.5 * 2.0
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 1), 6 << 16);     // 0 + 3.0 + 3.0
  EXPECT_EQ(sim.Read(Namespace::kVmem2, 0, 2), -(1 << 14));  // -1.0 * 0.25
}

TEST(TandemSim, RejectsBadProgramsWithUserErrors) {
  const auto fails = [](const std::string& text, const std::string& needle) {
    TandemSim sim({2, 16});
    try {
      sim.Run(isa::tandem::Assemble(text));
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "no error for: " << text;
  };
  fails("iter.base_zext vmem1[0], 16\nmove vmem2[0], vmem1[0]",
        "instruction 1: address 16 of vmem1 is outside 0..15");
  fails("iter.base_sext vmem2[0], -1\nmove vmem2[0], vmem1[0]", "address -1 of vmem2");
  fails("loop.set_iter 0, 2\nloop.set_num_inst 3\nnop", "runs past the end");
  fails("loop.set_iter 1, 2", "level 1 but level 0 is next");
  fails("loop.set_index vmem2[0], vmem1[0], imm[0]", "loop.set_index before loop.set_iter");
  fails("loop.set_iter 0, 2\nloop.set_num_inst 1\nloop.set_iter 0, 1",
        "instruction 2: 'loop.set_iter' may not stand in a loop body");
  fails(
      "iter.stride_sext vmem1[1], 4\nloop.set_iter 0, 5\nloop.set_index vmem2[0], vmem1[1], "
      "imm[0]\nloop.set_num_inst 1\nmove vmem2[0], vmem1[0]",
      "address 16 of vmem1");
  TandemSim sim({1, 4});
  const std::vector<uint32_t> illegal = {0xF0000000u};
  EXPECT_THROW(sim.Run(illegal), UserError);
  const TandemSimConfig no_lanes{0, 4};
  EXPECT_THROW(TandemSim{no_lanes}, UserError);
  EXPECT_THROW(sim.Read(Namespace::kVmem1, 1, 0), UserError);
}

}  // namespace
}  // namespace accelgen::golden::tandem

namespace accelgen::golden::tandem {
namespace {

// Every compute instruction of the table, run by the simulator over all pairs of edge values (one
// pair per lane), against an independent int64 reference (integer formats: all frac bits 0).
TEST(TandemSim, EveryComputeInstructionMatchesItsReferenceOnEdgePairs) {
  using Ref = std::function<int64_t(int64_t a, int64_t b, int64_t old)>;
  const auto c = [](int64_t v) { return std::clamp<int64_t>(v, kMin, kMax); };
  const std::map<std::string_view, Ref> ref = {
      {"add", [&](int64_t a, int64_t b, int64_t) { return c(a + b); }},
      {"sub", [&](int64_t a, int64_t b, int64_t) { return c(a - b); }},
      {"mul", [&](int64_t a, int64_t b, int64_t) { return c(a * b); }},
      {"macc", [&](int64_t a, int64_t b, int64_t old) { return c(old + c(a * b)); }},
      {"div",
       [&](int64_t a, int64_t b, int64_t) { return b == 0 ? (a < 0 ? kMin : kMax) : c(a / b); }},
      {"max", [](int64_t a, int64_t b, int64_t) { return std::max(a, b); }},
      {"min", [](int64_t a, int64_t b, int64_t) { return std::min(a, b); }},
      {"rshift", [](int64_t a, int64_t b, int64_t) { return a >> (b & 31); }},
      {"lshift",
       [](int64_t a, int64_t b, int64_t) {
         return static_cast<int32_t>(static_cast<uint32_t>(a) << (b & 31));
       }},
      {"move", [](int64_t a, int64_t, int64_t) { return a; }},
      {"cmov.t", [](int64_t a, int64_t b, int64_t old) { return (b & 1) ? a : old; }},
      {"cmov.f", [](int64_t a, int64_t b, int64_t old) { return (b & 1) ? old : a; }},
      {"not", [](int64_t a, int64_t, int64_t) { return -a - 1; }},
      {"and", [](int64_t a, int64_t b, int64_t) { return a & b; }},
      {"or", [](int64_t a, int64_t b, int64_t) { return a | b; }},
      {"relu", [](int64_t a, int64_t, int64_t) { return a > 0 ? a : 0; }},
      {"leaky_relu", [&](int64_t a, int64_t b, int64_t) { return a >= 0 ? a : c(a * b); }},
      {"abs", [&](int64_t a, int64_t, int64_t) { return c(a < 0 ? -a : a); }},
      {"sign", [](int64_t a, int64_t, int64_t) { return int64_t{(a > 0) - (a < 0)}; }},
      {"eq", [](int64_t a, int64_t b, int64_t) { return int64_t{a == b}; }},
      {"neq", [](int64_t a, int64_t b, int64_t) { return int64_t{a != b}; }},
      {"gt", [](int64_t a, int64_t b, int64_t) { return int64_t{a > b}; }},
      {"gte", [](int64_t a, int64_t b, int64_t) { return int64_t{a >= b}; }},
      {"lt", [](int64_t a, int64_t b, int64_t) { return int64_t{a < b}; }},
      {"lte", [](int64_t a, int64_t b, int64_t) { return int64_t{a <= b}; }},
      {"cast.fxp32_fxp16",
       [](int64_t a, int64_t, int64_t) { return std::clamp<int64_t>(a, -32768, 32767); }},
      {"cast.fxp32_fxp8",
       [](int64_t a, int64_t, int64_t) { return std::clamp<int64_t>(a, -128, 127); }},
      {"cast.fxp32_fxp4",
       [](int64_t a, int64_t, int64_t) { return std::clamp<int64_t>(a, -8, 7); }},
      {"cast.fxp16_fxp32",
       [](int64_t a, int64_t, int64_t) { return int64_t{static_cast<int16_t>(a)}; }},
      {"cast.fxp8_fxp32",
       [](int64_t a, int64_t, int64_t) { return int64_t{static_cast<int8_t>(a)}; }},
      {"cast.fxp4_fxp32", [](int64_t a, int64_t, int64_t) { return ((a & 15) ^ 8) - 8; }},
      {"floor", [](int64_t a, int64_t, int64_t) { return a; }},
      {"ceil", [](int64_t a, int64_t, int64_t) { return a; }},
  };
  const int n = static_cast<int>(kEdges.size());
  int checked = 0;
  for (const isa::tandem::InstrDef& d : isa::tandem::InstructionTable()) {
    const bool compute = d.opcode == isa::tandem::Opcode::kAlu ||
                         d.opcode == isa::tandem::Opcode::kCalculus ||
                         d.opcode == isa::tandem::Opcode::kComparison ||
                         d.opcode == isa::tandem::Opcode::kDatatypeCast;
    if (!compute || d.mnemonic == "nop") continue;
    auto it = ref.find(d.mnemonic);
    ASSERT_NE(it, ref.end()) << "no reference for " << d.mnemonic;
    TandemSim sim({n * n, 1});
    for (int l = 0; l < n * n; ++l) {
      sim.Write(Namespace::kVmem1, l, 0, kEdges[l / n]);
      sim.Write(Namespace::kVmem2, l, 0, kEdges[l % n]);
      sim.Write(Namespace::kObuf, l, 0, 12345 + l);
    }
    const std::string text = d.operands.size() == 3
                                 ? fmt::format("{} obuf[0], vmem1[0], vmem2[0]", d.mnemonic)
                                 : fmt::format("{} obuf[0], vmem1[0]", d.mnemonic);
    sim.Run(isa::tandem::Assemble(text));
    for (int l = 0; l < n * n; ++l) {
      const int64_t a = kEdges[l / n], b = kEdges[l % n];
      ASSERT_EQ(sim.Read(Namespace::kObuf, l, 0), it->second(a, b, 12345 + l))
          << d.mnemonic << " a=" << a << " b=" << b;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 33 * n * n);
}

}  // namespace
}  // namespace accelgen::golden::tandem

namespace accelgen::golden::tandem {
namespace {

// Random legal programs of every class (loop and engine counts kept small so runs stay short)
// either run or stop with a UserError; the simulator never crashes and never throws anything else.
TEST(TandemSimFuzz, RandomLegalProgramsRunOrFailCleanly) {
  const uint64_t seed = 0x5eed;
  std::mt19937_64 rng(seed);
  int completed = 0, rejected = 0;
  for (int p = 0; p < 400; ++p) {
    std::vector<uint32_t> program;
    while (program.size() < 20) {
      uint32_t w = static_cast<uint32_t>(rng());
      // Engine and sync opcodes one draw in eight, so most programs still run to the end.
      static constexpr uint32_t kOpcodes[] = {0, 1, 2, 3, 4, 6, 7, 0, 1, 2, 3, 4, 6, 7};
      static constexpr uint32_t kRare[] = {5, 8, 0xA};
      const uint32_t opcode = rng() % 8 == 0 ? kRare[rng() % 3] : kOpcodes[rng() % 14];
      w = (w & 0x0FFFFFFFu) | (opcode << 28);
      if (!isa::tandem::DecodeProblem(w).empty()) continue;
      const isa::tandem::Instruction instr = isa::tandem::Decode(w);
      if (instr.def->mnemonic == "loop.set_iter") w &= 0xFFFFFFF3u;      // count 0..3
      if (instr.def->mnemonic == "loop.set_num_inst") w &= 0xFFFFFFF3u;  // body 0..3
      if (instr.def->opcode == isa::tandem::Opcode::kIteratorConfig) {
        w &= 0xFFFF000Fu;  // small offsets and strides keep some addresses in range
      }
      if (instr.def->opcode == isa::tandem::Opcode::kTileLdSt ||
          instr.def->opcode == isa::tandem::Opcode::kPermutation) {
        // Small counts, strides, addresses and sizes; loop/dim/width fields 0..7.
        w = (w & 0xFFE00003u) | ((w & 0x00070000u));
      }
      program.push_back(w);
    }
    TandemSim sim({2, 16});
    try {
      sim.Run(program);
      ++completed;
      // Slot n is in F no earlier than cycle 1 + n and the last one needs 6 more cycles.
      EXPECT_GE(sim.DoneCycle(), sim.Slots() + 5) << "seed " << seed << " program " << p;
    } catch (const UserError&) {
      ++rejected;
    }
  }
  fmt::print("seed {:#x}: {} programs completed, {} rejected\n", seed, completed, rejected);
  EXPECT_GT(completed, 60) << "seed " << seed;
  EXPECT_GT(rejected, 50) << "seed " << seed;
}

}  // namespace
}  // namespace accelgen::golden::tandem
