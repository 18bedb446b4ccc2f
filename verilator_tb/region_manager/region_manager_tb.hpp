// Testbench of `region_manager`: seeded command streams (corner sequence, random legal-biased
// commands with every kind of illegal one) or a given trace (e.g. a flows/cocco region trace),
// driven one command per cycle with random junk on the idle cycles, and every response scoreboarded
// (cycle, error flag, address, used, live) against the golden model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/region_manager_params.hpp"
#include "golden_model/region_manager/region_manager_model.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// The corner sequence of the specification (golden_model/README.md, "Verification stimulus").
std::vector<golden::RegionCommand> region_corner_commands(const RegionManagerParams& p);
// COUNT seeded random commands, continuing from the state the commands in PRIOR leave.
std::vector<golden::RegionCommand> region_random_commands(
    const RegionManagerParams& p, uint64_t seed, int64_t count,
    const std::vector<golden::RegionCommand>& prior);
// The region trace (flows/cocco region_trace) of MODEL partitioned by PARTITION ("dp": the
// depth-ordered DP, "greedy": Halide-style fusion) at the paper's 1 MB + 1.125 MB buffers,
// minimising EMA, as commands for P (regions numbered inside each subgraph). Throws UserError when
// a subgraph needs more regions than P has or a region is longer than the argument port carries.
struct CoccoRegionCommands {
  std::vector<golden::RegionCommand> commands;
  int64_t subgraphs = 0;
};
CoccoRegionCommands cocco_region_commands(const RegionManagerParams& p, const std::string& model,
                                          const std::string& partition);

// Stamps arrival cycles: back to back, with GAP_PERCENT chance of 1-3 idle cycles before each.
void stamp_arrivals(std::vector<golden::RegionCommand>& commands, uint64_t seed, int gap_percent);

// Drives COMMANDS through MODEL and compares every response with the golden model.
VerifyResult run_region_manager_commands(const RegionManagerParams& p, const Model& model,
                                         const std::vector<golden::RegionCommand>& commands,
                                         const VerifyOptions& options);

VerifyResult run_region_manager_tb(const ParamSet& params, const Model& model,
                                   const VerifyOptions& options);

}  // namespace accelgen::sim
