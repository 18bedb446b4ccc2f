// `accelgen prove`: formal checks of emitted RTL with Yosys's SAT solver (and ABC's combinational
// equivalence checker where SAT alone stalls on multipliers) against plain reference
// models written here by hand from golden_model/README.md (never from the generator): the emitted
// top module is treated as a black box seen through its ports, so a redesign of a block's internals
// keeps the proof valid as long as the ports and the specification stay.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/block_info.hpp"

namespace accelgen::formal {

// Blocks that have a property: cvu, bihiwe, leopard_qk, noc.
const std::vector<std::string>& provable_blocks();

struct ProveOptions {
  std::string mutation;  // "" or a name of all_mutations() for this block
  std::string
      vcd;  // where a counterexample goes; "" = <work dir>/counterexample.vcd if one is kept
  std::string work_dir;  // keep the reference, miter, Yosys scripts and logs here ("" = temporary)
  int depth = 0;         // bounded checks: time steps (0 = the block's default)
  int timeout_s = 0;     // per Yosys SAT call, 0 = none
};

struct SatStep {       // one solver call (or an enumerated lemma)
  std::string name;    // e.g. "from reset" / "mode 8x8"
  std::string engine;  // "yosys sat -seq N", "abc &cec, N frames" or "exhaustive, N cases"
  int steps = 0;       // time steps (frames); 0 for a lemma
  bool proved = false;
  bool timed_out = false;
  double seconds = 0;
};

struct ProveResult {
  std::string block;
  std::string property;  // one sentence
  std::string method;    // how the SAT calls add up to the claim (unbounded or bounded by depth)
  bool bounded = false;
  int depth = 0;  // bounded checks: time steps from reset
  bool proved = false;
  double seconds = 0;  // wall time of all Yosys runs
  std::string mutation;
  std::string vcd;  // counterexample waveform ("" when proved)
  std::vector<SatStep> steps;
  std::string yosys_version;
  nlohmann::json to_json(const nlohmann::json& params) const;
};

// Generates BLOCK for PARAMS (hardware parameters only), optionally mutates it, writes the plain
// reference and the miter, and runs Yosys. Throws UserError on unsupported blocks or settings, a
// missing Yosys, or a Yosys failure that is not a proof result.
ProveResult prove(const BlockInfo& block, const ParamSet& params, const ProveOptions& options);

}  // namespace accelgen::formal
