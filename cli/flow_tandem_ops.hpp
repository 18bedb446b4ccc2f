// `accelgen flow tandem-ops`: registration of the Tandem operator-throughput flow under `accelgen flow`.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_tandem_ops_flow(CLI::App& flow);

}  // namespace accelgen
