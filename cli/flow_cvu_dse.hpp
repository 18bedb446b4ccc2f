#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// `accelgen flow cvu-dse`.
void register_cvu_dse_flow(CLI::App& flow);

}  // namespace accelgen
