// Dispatch from a block name to its testbench: one line per block.
#include "verilator_tb/verify.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "verilator_tb/bihiwe/bihiwe_tb.hpp"
#include "verilator_tb/cvu/cvu_tb.hpp"
#include "verilator_tb/cvu_array/cvu_array_tb.hpp"
#include "verilator_tb/gtkw.hpp"
#include "verilator_tb/leopard/leopard_qk_tb.hpp"
#include "verilator_tb/leopard/leopard_tile_tb.hpp"
#include "verilator_tb/leopard/leopard_vpu_tb.hpp"
#include "verilator_tb/noc/noc_tb.hpp"
#include "verilator_tb/npu/npu_tb.hpp"
#include "verilator_tb/planaria/planaria_tb.hpp"
#include "verilator_tb/region_manager/region_manager_tb.hpp"
#include "verilator_tb/systolic/systolic_tb.hpp"
#include "verilator_tb/tandem/tandem_tb.hpp"

namespace accelgen::sim {

namespace {

VerifyResult run_block_testbench(const BlockInfo& block, const ParamSet& params, const Model& model,
                                 const VerifyOptions& options) {
  if (block.name == "systolic") return run_systolic_tb(params, model, options);
  if (block.name == "cvu") return run_cvu_tb(params, model, options);
  if (block.name == "cvu_array") return run_cvu_array_tb(params, model, options);
  if (block.name == "bihiwe") return run_bihiwe_tb(params, model, options);
  if (block.name == "leopard_qk") return run_leopard_qk_tb(params, model, options);
  if (block.name == "leopard_vpu") return run_leopard_vpu_tb(params, model, options);
  if (block.name == "leopard_tile") return run_leopard_tile_tb(params, model, options);
  if (block.name == "noc") return run_noc_tb(params, model, options);
  if (block.name == "tandem") return run_tandem_tb(params, model, options);
  if (block.name == "planaria") return run_planaria_tb(params, model, options);
  if (block.name == "region_manager") return run_region_manager_tb(params, model, options);
  if (block.name == "npu") return run_npu_tb(params, model, options);
  throw UserError(fmt::format("block '{}' has no testbench yet", block.name));
}

}  // namespace

void check_stimulus(const BlockInfo& block, const ParamSet& params, uint64_t seed) {
  if (block.name == "npu") compile_npu_workload(params, seed);
}

VerifyResult run_testbench(const BlockInfo& block, const ParamSet& params, const Model& model,
                           const VerifyOptions& options) {
  VerifyResult r = run_block_testbench(block, params, model, options);
  // Verilator's waveform holds the top module's signals under TOP.<top>.
  if (!options.trace_path.empty())
    r.gtkw = write_gtkw(options.trace_path, "TOP." + model.top(), model.ports(), r.first_mismatch_time);
  return r;
}

}  // namespace accelgen::sim
