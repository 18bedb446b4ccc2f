// The boundary between the harness and a Verilated model. Each configuration is Verilated into a
// shared object whose generated adapter implements Dut; the harness loads it with dlopen, so one
// prebuilt `accelgen` binary can co-simulate any configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace accelgen::sim {

// Bumped whenever this interface changes, so stale cached models are rebuilt, not misused.
inline constexpr int kDutAbiVersion = 1;

struct PortDesc {
  std::string name;
  int width;
  bool input;
};

class Dut {
 public:
  virtual ~Dut() = default;
  virtual const std::vector<PortDesc>& ports() const = 0;
  // Port values as little-endian 32-bit words ((width + 31) / 32 of them).
  virtual void set(int port, const uint32_t* words) = 0;
  virtual void get(int port, uint32_t* words) const = 0;
  virtual void eval() = 0;
  virtual void dump(uint64_t time) = 0;  // a no-op unless tracing
  virtual bool got_error() const = 0;    // a Verilog $stop/$error/assertion fired
};

}  // namespace accelgen::sim

// Entry points every adapter exports with C linkage.
extern "C" {
using AccelgenCreateDut = accelgen::sim::Dut* (*)(const char* trace_path);
using AccelgenDutAbi = int (*)();
}
