// `accelgen verify` as a library call: generate a configuration, Verilate it (cached), drive seeded
// transactions through RTL and golden model, and compare every output and its cycle.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/model_builder.hpp"

namespace accelgen::sim {

struct VerifyOptions {
  uint64_t seed = 1;
  int64_t transactions = 0;  // 0 = the block's default
  std::string trace_path;    // .fst or .vcd; empty = no waveform
  std::function<void(const std::string&)> progress;
  ActivityRecord* activity = nullptr;  // when set, input-port toggles are counted into it (power)
};

struct VerifyResult {
  int64_t transactions = 0;
  int64_t outputs_checked = 0;
  int64_t mismatches = 0;
  std::vector<std::string> first_mismatches;  // human-readable, at most a few
  int64_t rtl_cycles = 0;
  int64_t golden_cycles = 0;
  bool cycle_exact = true;  // whether the block promises rtl_cycles == golden_cycles
  double sim_seconds = 0;
  nlohmann::json details = nlohmann::json::object();  // block-specific numbers

  bool passed() const { return mismatches == 0 && (!cycle_exact || rtl_cycles == golden_cycles); }
  // The first mismatch in time: the earliest waveform time any reported mismatch is about, and
  // its cycle (after the reset before it); -1 when no report named a cycle.
  int64_t first_mismatch_cycle = -1;
  int64_t first_mismatch_time = -1;
  std::string gtkw;  // the gtkwave save file written beside the waveform ("" without one)
  // Counts a mismatch and keeps the first few descriptions for the report. CYCLE: the cycle after
  // the last reset that the mismatch is about (-1 = not given); the earliest one in time marks
  // the gtkwave save file (testbenches report in their own order, often per output).
  void report(std::string what, int64_t cycle = -1) {
    if (cycle >= 0) {
      const int64_t time = trace_time_of_cycle(cycle);
      if (first_mismatch_cycle < 0 || time < first_mismatch_time ||
          (time == first_mismatch_time && cycle < first_mismatch_cycle)) {  // no waveform times
        first_mismatch_cycle = cycle;
        first_mismatch_time = time;
      }
    }
    ++mismatches;
    if (first_mismatches.size() < kReportedMismatches) first_mismatches.push_back(std::move(what));
  }
  static constexpr size_t kReportedMismatches = 5;
  double cycles_per_second() const { return sim_seconds > 0 ? rtl_cycles / sim_seconds : 0; }
};

// Checks what a testbench will run before its model is built (UserError on stimulus the testbench
// cannot run: `npu` compiles its workload, naming a layer the compiler cannot map).
void check_stimulus(const BlockInfo& block, const ParamSet& params, uint64_t seed);

// Runs the block's testbench on an already-built model.
VerifyResult run_testbench(const BlockInfo& block, const ParamSet& params, const Model& model,
                           const VerifyOptions& options);

}  // namespace accelgen::sim
