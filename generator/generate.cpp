// Dispatch from a block name to its generator: one line per block.
#include <fmt/format.h>

#include "common/error.hpp"
#include "common/noc_params.hpp"
#include "common/systolic_params.hpp"
#include "generator/design.hpp"
#include "generator/noc/noc_gen.hpp"
#include "generator/systolic/systolic_gen.hpp"

namespace accelgen {

GeneratedDesign generate_design(const BlockInfo& block, const ParamSet& params) {
  nlohmann::json hw = block.schema.to_json(params);
  if (block.name == "systolic") return generate_systolic(SystolicParams::from(params), hw);
  if (block.name == "noc") return generate_noc(NocParams::from(params), hw);
  throw UserError(fmt::format("block '{}' has no generator yet", block.name));
}

}  // namespace accelgen
