#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// `accelgen flow cocco`: graph partition and on-chip memory co-exploration (flows/cocco).
void register_cocco_flow(CLI::App& flow);

}  // namespace accelgen
