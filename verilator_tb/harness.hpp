// Clocking, reset, port access by name and tracing around one Dut. Cycle n of a test is the n-th
// clock period after reset is released: inputs are applied and outputs sampled in it (settle()),
// and the rising edge that ends it is tick().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "verilator_tb/dut.hpp"

namespace accelgen::sim {

// Bit fields of a little-endian word vector (a wide port value).
uint64_t get_field(const std::vector<uint32_t>& words, int lo, int width);
void put_field(std::vector<uint32_t>& words, int lo, int width, uint64_t value);

class Harness {
 public:
  explicit Harness(std::unique_ptr<Dut> dut);

  // Index of a port; throws std::logic_error naming the port if the model has none.
  int port(const std::string& name) const;
  int width(int port) const { return dut_->ports()[port].width; }
  void set(int port, uint64_t value);  // ports up to 64 bits
  void set_wide(int port, const std::vector<uint32_t>& words);
  uint64_t get(int port) const;
  void get_wide(int port, std::vector<uint32_t>& words) const;

  // Holds rst_ni low for CYCLES clock periods, then releases it; afterwards cycle() == 0.
  void reset(int cycles = 2);
  void settle();  // evaluate this cycle's inputs (clock low)
  void tick();    // rising edge; advances cycle()
  int64_t cycle() const { return cycle_; }
  bool error() const { return dut_->got_error(); }

 private:
  std::unique_ptr<Dut> dut_;
  int clk_, rst_;
  int64_t cycle_ = 0;
  uint64_t time_ = 0;
  std::vector<uint32_t> scratch_;
};

}  // namespace accelgen::sim
