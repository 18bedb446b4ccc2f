#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// `accelgen tech list | show NAME|FILE [--json]`: the technology tables the flows read.
void register_tech_command(CLI::App& app);

}  // namespace accelgen
