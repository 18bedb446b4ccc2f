#pragma once

#include "common/systolic_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_systolic(const SystolicParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
