// Generator for `leopard_vpu`: the LeOPArd V processing unit (LUT softmax + D-way MAC array).
#pragma once

#include <nlohmann/json.hpp>

#include "common/leopard_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_leopard_vpu(const LeopardVpuParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
