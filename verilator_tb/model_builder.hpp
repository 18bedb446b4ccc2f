// On-the-fly Verilation: turns a GeneratedDesign into a loaded simulation model. Models are cached
// on disk by a hash of the RTL (plus tracer kind and tool versions), so a configuration is compiled
// once and every later `verify`, test or benchmark of it starts in milliseconds.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "generator/design.hpp"
#include "verilator_tb/adapter_gen.hpp"
#include "verilator_tb/dut.hpp"

namespace accelgen::sim {

// $ACCELGEN_CACHE, else $XDG_CACHE_HOME/accelgen, else $HOME/.cache/accelgen.
std::string cache_root();

// Trace kind from a file name: .fst or .vcd; "" = no tracing. Other extensions are a UserError.
TraceKind trace_kind_for(const std::string& trace_path);

class Model {
 public:
  // A fresh instance of the model; it writes a waveform to TRACE_PATH if the model was built
  // with a tracer and the path is not empty.
  std::unique_ptr<Dut> create(const std::string& trace_path = "") const;
  const std::string& dir() const { return dir_; }
  bool was_cached() const { return cached_; }
  double build_seconds() const { return build_seconds_; }
  // The Verilated top module and its ports (for a gtkwave save file beside a waveform).
  const std::string& top() const { return top_; }
  const std::vector<TopPort>& ports() const { return ports_; }

 private:
  friend std::shared_ptr<Model> build_model(const GeneratedDesign&, TraceKind,
                                            const std::function<void(const std::string&)>&);
  std::string dir_;
  bool cached_ = false;
  double build_seconds_ = 0;
  std::string top_;
  std::vector<TopPort> ports_;
  AccelgenCreateDut create_ = nullptr;
};

// Builds (or finds in the cache) and loads the model. PROGRESS receives one-line status messages.
// Throws UserError when Verilator or the compiler is missing or fails (with the first error line).
std::shared_ptr<Model> build_model(const GeneratedDesign& design, TraceKind trace,
                                   const std::function<void(const std::string&)>& progress = {});

}  // namespace accelgen::sim
