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

// Switching activity of the input ports, for power analysis: at every rising edge after reset the
// value of each data input (clk_i and rst_ni excluded) is compared with its value at the previous
// edge and the flipped bits are counted. A record may collect several harnesses (testbenches that
// build more than one); ports are matched by name.
struct PortToggles {
  std::string name;
  int width = 0;
  int64_t toggles = 0;  // bit flips between consecutive rising edges
};
struct ActivityRecord {
  int64_t cycles = 0;  // rising edges compared
  std::vector<PortToggles> ports;
  // Mean bit flips per bit per cycle of PORT (0 .. 1); 0 when nothing was recorded.
  double rate(const PortToggles& port) const;
};

// Locating a reported mismatch in the waveform of the most recently reset harness of this thread:
// the waveform time of cycle CYCLE's first settle() (the harness dumps twice per cycle, 5 time
// units apart, clock low then high); -1 when no harness has been reset.
int64_t trace_time_of_cycle(int64_t cycle);

class Harness {
 public:
  // With ACTIVITY, input toggles are added to it as the test runs (it must outlive the harness).
  explicit Harness(std::unique_ptr<Dut> dut, ActivityRecord* activity = nullptr);

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
  void record_toggles();
  ActivityRecord* activity_ = nullptr;
  std::vector<int> watched_;                     // input ports counted, and their entries in activity_
  std::vector<size_t> slot_;
  std::vector<std::vector<uint32_t>> previous_;  // their values at the last counted edge
  bool have_previous_ = false;
};

}  // namespace accelgen::sim
