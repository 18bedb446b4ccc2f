// `accelgen run-tasm`: one Tandem program on the golden simulator and the generated RTL.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_run_tasm_command(CLI::App& app);

}  // namespace accelgen
