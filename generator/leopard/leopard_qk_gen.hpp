// Generator for `leopard_qk`: the LeOPArd QK processing unit (N bit-serial dot-product units).
#pragma once

#include <nlohmann/json.hpp>

#include "common/leopard_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_leopard_qk(const LeopardQkParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
