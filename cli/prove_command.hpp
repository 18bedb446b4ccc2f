// `accelgen prove`: formal checks of a block's emitted RTL against plain references (Yosys SAT).
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_prove_command(CLI::App& app);

}  // namespace accelgen
