// The block registry: what blocks exist, what they are, and which parameters they take.
// Generators, golden models and testbenches register against these names in their own libraries.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/params.hpp"

namespace accelgen {

struct BlockInfo {
  std::string name;
  std::string description;
  ParamSchema schema;
  // Cross-parameter checks beyond per-key ranges; throws UserError.
  std::function<void(const ParamSet&)> check;
};

const std::vector<BlockInfo>& all_blocks();
// Throws UserError listing the known blocks when NAME is unknown.
const BlockInfo& find_block(const std::string& name);

// Builds a validated ParamSet from defaults, then an optional JSON config file, then --set
// assignments (later wins). Stimulus keys are rejected unless allow_stimulus.
ParamSet resolve_params(const BlockInfo& block, const std::string& config_path,
                        const std::vector<std::string>& assignments, bool allow_stimulus);

}  // namespace accelgen
