// The hand-written primitives of rtl_templates/, embedded at build time.
#pragma once

#include <string>

namespace accelgen {

// Contents of rtl_templates/NAME.sv; throws std::logic_error for an unknown template.
const std::string& rtl_template(const std::string& name);

}  // namespace accelgen
