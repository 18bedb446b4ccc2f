#pragma once

#include "common/npu_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

// Emits NPU-Tandem (golden_model/README.md, section "npu"): the `systolic` array, the Tandem
// processor whose obuf namespace is the double-buffered Output BUF (generate_tandem in NPU mode),
// the weight scratchpad, the block table and the execution FSM with the ownership handshake.
GeneratedDesign generate_npu(const NpuParams& p, const nlohmann::json& params_json);

}  // namespace accelgen
