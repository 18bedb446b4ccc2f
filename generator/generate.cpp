// Dispatch from a block name to its generator: one line per block.
#include <fmt/format.h>

#include "common/error.hpp"
#include "common/bihiwe_params.hpp"
#include "common/cvu_array_params.hpp"
#include "common/cvu_params.hpp"
#include "common/leopard_params.hpp"
#include "common/systolic_params.hpp"
#include "generator/design.hpp"
#include "generator/bihiwe/bihiwe_gen.hpp"
#include "generator/cvu/cvu_gen.hpp"
#include "generator/cvu_array/cvu_array_gen.hpp"
#include "generator/leopard/leopard_qk_gen.hpp"
#include "generator/leopard/leopard_tile_gen.hpp"
#include "generator/leopard/leopard_vpu_gen.hpp"
#include "common/noc_params.hpp"
#include "generator/noc/noc_gen.hpp"
#include "common/planaria_params.hpp"
#include "generator/planaria/planaria_gen.hpp"
#include "generator/systolic/systolic_gen.hpp"
#include "common/tandem_params.hpp"
#include "common/region_manager_params.hpp"
#include "generator/region_manager/region_manager_gen.hpp"
#include "generator/tandem/tandem_gen.hpp"
#include "common/npu_params.hpp"
#include "generator/npu/npu_gen.hpp"

namespace accelgen {

GeneratedDesign generate_design(const BlockInfo& block, const ParamSet& params) {
  nlohmann::json hw = block.schema.to_json(params);
  if (block.name == "systolic") return generate_systolic(SystolicParams::from(params), hw);
  if (block.name == "cvu") return generate_cvu(CvuParams::from(params), hw);
  if (block.name == "cvu_array") return generate_cvu_array(CvuArrayParams::from(params), hw);
  if (block.name == "bihiwe") return generate_bihiwe(BihiweParams::from(params), hw);
  if (block.name == "leopard_qk") return generate_leopard_qk(LeopardQkParams::from(params), hw);
  if (block.name == "leopard_vpu") return generate_leopard_vpu(LeopardVpuParams::from(params), hw);
  if (block.name == "leopard_tile") return generate_leopard_tile(LeopardTileParams::from(params), hw);
  if (block.name == "noc") return generate_noc(NocParams::from(params), hw);
  if (block.name == "tandem") return generate_tandem(TandemParams::from(params), hw);
  if (block.name == "planaria") return generate_planaria(PlanariaParams::from(params), hw);
  if (block.name == "region_manager") return generate_region_manager(RegionManagerParams::from(params), hw);
  if (block.name == "npu") return generate_npu(NpuParams::from(params), hw);
  throw UserError(fmt::format("block '{}' has no generator yet", block.name));
}

}  // namespace accelgen
