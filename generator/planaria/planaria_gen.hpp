#pragma once

#include "common/planaria_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_planaria(const PlanariaParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
