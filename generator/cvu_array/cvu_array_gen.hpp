#pragma once

#include "common/cvu_array_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_cvu_array(const CvuArrayParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
