#pragma once

#include "common/bihiwe_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_bihiwe(const BihiweParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
