#pragma once

#include "common/tandem_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

// Emits the Tandem processor (isa/README.md; golden_model/README.md, section "tandem"): top, lane
// ALU, buffers, code repeater (fetch), Data Access Engine and permute engine, one module per file.
GeneratedDesign generate_tandem(const TandemParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
