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

namespace accelgen::sim {
namespace {

// A Dut without a model: ports clk_i, rst_ni, a 40-bit input, a 3-bit input and an output; it
// only stores what the harness writes.
class FakeDut final : public Dut {
 public:
  const std::vector<PortDesc>& ports() const override { return ports_; }
  void set(int port, const uint32_t* w) override {
    values_[port][0] = w[0];
    values_[port][1] = ports_[port].width > 32 ? w[1] : 0;
  }
  void get(int port, uint32_t* w) const override {
    w[0] = values_[port][0];
    if (ports_[port].width > 32) w[1] = values_[port][1];
  }
  void eval() override {}
  void dump(uint64_t) override {}
  bool got_error() const override { return false; }

 private:
  std::vector<PortDesc> ports_ = {{"clk_i", 1, true}, {"rst_ni", 1, true}, {"wide_i", 40, true},
                                  {"narrow_i", 3, true}, {"out_o", 8, false}};
  uint32_t values_[5][2] = {};
};

TEST(HarnessActivity, CountsInputBitFlipsBetweenRisingEdgesAfterReset) {
  ActivityRecord rec;
  Harness h(std::make_unique<FakeDut>(), &rec);
  const int wide = h.port("wide_i"), narrow = h.port("narrow_i");
  h.set(wide, 0xFF00000000ull);  // flips during reset are not counted
  h.reset(3);
  // Edge values after reset, by hand: wide 0xFF00000000 -> 0xFF00000001 (1 flip) -> 0x0000000001
  // (8 flips) -> 0x0000000001 (0); narrow 0 -> 7 (3) -> 5 (1) -> 5 (0). Four edges, three compared.
  const uint64_t wides[] = {0xFF00000000ull, 0xFF00000001ull, 0x0000000001ull, 0x0000000001ull};
  const uint64_t narrows[] = {0, 7, 5, 5};
  for (int c = 0; c < 4; ++c) {
    h.set(wide, wides[c]);
    h.set(narrow, narrows[c]);
    h.settle();
    h.set(narrow, 2);  // a value that never reaches an edge does not count
    h.set(narrow, narrows[c]);
    h.tick();
  }
  ASSERT_EQ(rec.ports.size(), 2u);  // clk_i, rst_ni and the output are not recorded
  EXPECT_EQ(rec.cycles, 3);
  EXPECT_EQ(rec.ports[0].name, "wide_i");
  EXPECT_EQ(rec.ports[0].toggles, 9);
  EXPECT_EQ(rec.ports[1].name, "narrow_i");
  EXPECT_EQ(rec.ports[1].toggles, 4);
  EXPECT_DOUBLE_EQ(rec.rate(rec.ports[0]), 9.0 / (3 * 40));
  EXPECT_DOUBLE_EQ(rec.rate(rec.ports[1]), 4.0 / (3 * 3));
  // A second harness adds to the same record, matched by port name.
  Harness h2(std::make_unique<FakeDut>(), &rec);
  h2.reset(1);
  h2.set(h2.port("narrow_i"), 1);
  h2.tick();
  h2.set(h2.port("narrow_i"), 6);
  h2.tick();
  EXPECT_EQ(rec.ports.size(), 2u);
  EXPECT_EQ(rec.cycles, 4);
  EXPECT_EQ(rec.ports[1].toggles, 4 + 3);
}

}  // namespace
}  // namespace accelgen::sim
