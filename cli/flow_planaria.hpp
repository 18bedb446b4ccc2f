#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// `accelgen flow planaria-tables` and `accelgen flow planaria-sched`.
void register_planaria_flows(CLI::App& flow);

}  // namespace accelgen
