// Dispatch from a block name to its testbench: one line per block.
#include "verilator_tb/verify.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "verilator_tb/noc/noc_tb.hpp"
#include "verilator_tb/systolic/systolic_tb.hpp"

namespace accelgen::sim {

VerifyResult run_testbench(const BlockInfo& block, const ParamSet& params, const Model& model,
                           const VerifyOptions& options) {
  if (block.name == "systolic") return run_systolic_tb(params, model, options);
  if (block.name == "noc") return run_noc_tb(params, model, options);
  throw UserError(fmt::format("block '{}' has no testbench yet", block.name));
}

}  // namespace accelgen::sim
