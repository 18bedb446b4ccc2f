// Generator for `leopard_tile`: QK-PU -> per-unit Score/IDX FIFOs -> merger -> V-PU.
#pragma once

#include <nlohmann/json.hpp>

#include "common/leopard_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_leopard_tile(const LeopardTileParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
