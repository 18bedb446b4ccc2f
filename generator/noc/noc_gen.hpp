#pragma once

#include "common/noc_params.hpp"
#include "generator/design.hpp"
#include "generator/noc/noc_cdg.hpp"

namespace accelgen {

// The network the parameters describe (topology and express lengths), as the generator sees it.
NocNet noc_net(const NocParams& p);

// Checks the routing for deadlock (UserError naming a dependency cycle) and emits the RTL.
GeneratedDesign generate_noc(const NocParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
