#pragma once

#include "common/tandem_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

// Emits the Tandem processor (isa/README.md; golden_model/README.md, section "tandem"): top, lane
// ALU, buffers, code repeater (fetch), Data Access Engine and permute engine, one module per file.
// The Tandem processor inside the `npu` block (generator/npu, golden_model/README.md "npu"): its
// obuf namespace is the Output BUF half obuf_sel_i names (the GEMM unit writes the halves through
// gemm_* ports and reads ibuf), a program starts at imem[prog_base_i], and a pass may start in the
// done cycle of the previous one. The modules are named after `top`.
struct TandemNpuOptions {
  std::string top;
};

GeneratedDesign generate_tandem(const TandemParams& p, const nlohmann::json& params_json,
                                const TandemNpuOptions* npu = nullptr);

}  // namespace accelgen
