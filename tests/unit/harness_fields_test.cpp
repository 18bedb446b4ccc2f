#include <gtest/gtest.h>

#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {
namespace {

TEST(HarnessFields, PutAndGetAcrossWordBoundaries) {
  std::vector<uint32_t> w(3, 0);
  put_field(w, 28, 8, 0xAB);  // straddles words 0 and 1
  EXPECT_EQ(w[0], 0xB0000000u);
  EXPECT_EQ(w[1], 0x0000000Au);
  EXPECT_EQ(get_field(w, 28, 8), 0xABu);
  put_field(w, 40, 64 - 8, 0xFFFFFFFFFFFFFFull);
  EXPECT_EQ(get_field(w, 40, 56), 0xFFFFFFFFFFFFFFull);
  EXPECT_EQ(get_field(w, 28, 8), 0xABu);  // neighbours untouched
  put_field(w, 28, 8, 0);
  EXPECT_EQ(w[0], 0u);
}

// Found by scripts/soak_blocks.sh: "extremes" once drew 1 for a 1-bit signed operand, which the
// hardware reads as -1 while the reference used 1. Every pattern must stay within its width.
TEST(Stimulus, OperandsFitTheirWidth) {
  std::mt19937_64 rng(3);
  for (int bits = 1; bits <= 16; ++bits)
    for (bool sgn : {false, true})
      for (const std::string pattern : {"random", "min", "max", "alternating", "extremes"})
        for (int i = 0; i < 50; ++i) {
          const int64_t v = pattern_operand(rng, pattern, bits, sgn, i);
          const int64_t lo = sgn ? -(int64_t{1} << (bits - 1)) : 0;
          const int64_t hi = sgn ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
          ASSERT_TRUE(v >= lo && v <= hi) << pattern << " bits=" << bits << " signed=" << sgn << " -> " << v;
        }
}

}  // namespace
}  // namespace accelgen::sim
