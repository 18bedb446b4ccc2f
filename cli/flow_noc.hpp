#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// `accelgen flow noc-sweep`: latency curves and the PipeOrgan Fig. 15 study (flows/noc).
void register_noc_flow(CLI::App& flow);

}  // namespace accelgen
