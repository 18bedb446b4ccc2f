#pragma once

#include <string>

#include "common/cvu_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_cvu(const CvuParams& p, const nlohmann::json& params_json);

// Module names of a generated CVU: the `cvu` block's top (element-packed buses), its core
// (slice-major buses: NBVE n lane l's slice in bits [(n*L + l)*b +: b]), the NBVE, and the two
// routers (element-packed bus + mode -> slice-major bus; ports mode_x_i, mode_w_i, bus_i,
// slices_o), which cvu_array also instantiates in its feeder.
struct CvuModules {
  std::string top, core, nbve, route_x, route_w;
};
CvuModules cvu_modules(const CvuParams& p);

// Width of one NBVE's registered lane sum (exact for every mode).
int cvu_nbve_sum_bits(const CvuParams& p);

}  // namespace accelgen
