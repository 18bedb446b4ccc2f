// `accelgen flow leopard`: registration of the LeOPArd speedup flow under `accelgen flow`.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_leopard_flow(CLI::App& flow);

}  // namespace accelgen
