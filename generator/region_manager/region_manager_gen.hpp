#pragma once

#include "common/region_manager_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_region_manager(const RegionManagerParams& p,
                                        const nlohmann::json& params_json);

}  // namespace accelgen
