// `accelgen flow npu` (issue 13): registration under `accelgen flow`.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_npu_flow(CLI::App& flow);

}  // namespace accelgen
