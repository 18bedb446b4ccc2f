#include <gtest/gtest.h>

#include "verilator_tb/harness.hpp"

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

}  // namespace
}  // namespace accelgen::sim
