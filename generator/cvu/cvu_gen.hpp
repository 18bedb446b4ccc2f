#pragma once

#include "common/cvu_params.hpp"
#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_cvu(const CvuParams& p, const nlohmann::json& params_json);

// Width of one NBVE's registered lane sum (exact for every mode).
int cvu_nbve_sum_bits(const CvuParams& p);

}  // namespace accelgen
