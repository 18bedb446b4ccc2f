#include "verilator_tb/harness.hpp"

#include <bit>
#include <stdexcept>

namespace accelgen::sim {

uint64_t get_field(const std::vector<uint32_t>& words, int lo, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    const int bit = lo + i;
    v |= static_cast<uint64_t>((words[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return v;
}

void put_field(std::vector<uint32_t>& words, int lo, int width, uint64_t value) {
  for (int i = 0; i < width; ++i) {
    const int bit = lo + i;
    const uint32_t mask = 1u << (bit % 32);
    if ((value >> i) & 1u) words[bit / 32] |= mask;
    else words[bit / 32] &= ~mask;
  }
}

namespace {
thread_local int64_t g_cycle0_time = -1;  // waveform time of cycle 0 of the last reset harness
}  // namespace

int64_t trace_time_of_cycle(int64_t cycle) { return g_cycle0_time < 0 ? -1 : g_cycle0_time + 10 * cycle; }

double ActivityRecord::rate(const PortToggles& port) const {
  if (cycles == 0 || port.width == 0) return 0;
  return static_cast<double>(port.toggles) / (static_cast<double>(cycles) * port.width);
}

Harness::Harness(std::unique_ptr<Dut> dut, ActivityRecord* activity) : dut_(std::move(dut)), activity_(activity) {
  clk_ = port("clk_i");
  rst_ = port("rst_ni");
  if (!activity_) return;
  const auto& ports = dut_->ports();
  for (size_t i = 0; i < ports.size(); ++i) {
    if (!ports[i].input || static_cast<int>(i) == clk_ || static_cast<int>(i) == rst_) continue;
    size_t k = 0;
    while (k < activity_->ports.size() && activity_->ports[k].name != ports[i].name) ++k;
    if (k == activity_->ports.size()) activity_->ports.push_back({ports[i].name, ports[i].width, 0});
    watched_.push_back(static_cast<int>(i));
    slot_.push_back(k);
  }
  previous_.resize(watched_.size());
}

void Harness::record_toggles() {
  for (size_t n = 0; n < watched_.size(); ++n) {
    get_wide(watched_[n], scratch_);
    if (have_previous_) {
      int64_t flips = 0;
      for (size_t w = 0; w < scratch_.size(); ++w) flips += std::popcount(scratch_[w] ^ previous_[n][w]);
      activity_->ports[slot_[n]].toggles += flips;
    }
    previous_[n].swap(scratch_);
  }
  if (have_previous_) ++activity_->cycles;
  have_previous_ = true;
}

int Harness::port(const std::string& name) const {
  const auto& ports = dut_->ports();
  for (size_t i = 0; i < ports.size(); ++i)
    if (ports[i].name == name) return static_cast<int>(i);
  throw std::logic_error("the model has no port '" + name + "'");
}

void Harness::set(int port, uint64_t value) {
  const uint32_t w[2] = {static_cast<uint32_t>(value), static_cast<uint32_t>(value >> 32)};
  dut_->set(port, w);
}

void Harness::set_wide(int port, const std::vector<uint32_t>& words) { dut_->set(port, words.data()); }

uint64_t Harness::get(int port) const {
  uint32_t w[2] = {0, 0};
  dut_->get(port, w);
  return w[0] | (static_cast<uint64_t>(w[1]) << 32);
}

void Harness::get_wide(int port, std::vector<uint32_t>& words) const {
  words.assign(static_cast<size_t>((width(port) + 31) / 32), 0);
  dut_->get(port, words.data());
}

void Harness::reset(int cycles) {
  set(rst_, 0);
  for (int i = 0; i < cycles; ++i) {
    settle();
    tick();
  }
  set(rst_, 1);
  cycle_ = 0;
  g_cycle0_time = static_cast<int64_t>(time_);
}

void Harness::settle() {
  set(clk_, 0);
  dut_->eval();
  dut_->dump(time_);
  time_ += 5;
}

void Harness::tick() {
  if (activity_ && get(rst_) == 1) record_toggles();
  set(clk_, 1);
  dut_->eval();
  dut_->dump(time_);
  time_ += 5;
  ++cycle_;
}

}  // namespace accelgen::sim
