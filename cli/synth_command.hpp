// `accelgen synth DIR`: standard-cell area, static timing and power of a generated directory (or
// the generic Yosys estimate with --generic).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace accelgen {

struct OpsPerCycle {
  double count = 0;
  std::string unit;  // "MAC", "instruction", ...
};
// Peak operations per clock cycle of BLOCK with PARAMS (a manifest's "params"), for energy per op.
OpsPerCycle peak_ops_per_cycle(const std::string& block, const nlohmann::json& params);

void register_synth_command(CLI::App& app);

}  // namespace accelgen
