// Runs the EDA tools over an emitted design directory: Verilator lint and Yosys synthesis proxies.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accelgen {

// What `accelgen generate` wrote into a directory, read back from its manifest.json.
struct DesignDir {
  std::string dir;
  std::string block;
  std::string top;
  std::vector<std::string> files;  // absolute paths
  nlohmann::json params;
};
// Throws UserError if DIR has no readable, well-formed manifest or a listed file is missing.
DesignDir read_design_dir(const std::string& dir);

struct LintResult {
  bool clean = false;
  int warnings = 0;
  std::string log;
};
LintResult lint_design(const DesignDir& design);

struct SynthResult {
  int64_t cells = 0;
  int64_t flip_flops = 0;
  int64_t transistors = 0;  // Yosys `stat -tech cmos` estimate
  int64_t longest_path = 0;  // `ltp -noff`: logic levels between flip-flops/ports
  std::string log;
  nlohmann::json to_json() const;
};
// Generic Yosys synthesis (flattened). Throws UserError if Yosys fails, with its error line.
SynthResult synth_design(const DesignDir& design);

std::string verilator_version();  // "5.006" or throws UserError when Verilator is missing
std::string yosys_version();

}  // namespace accelgen
