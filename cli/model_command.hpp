// `accelgen model list|info|export`: the workload front end on the command line.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

// Adds the `model` subcommand to `app`. Bad input surfaces as accelgen::UserError from the
// callbacks; the main program turns it into one stderr line and exit status 2.
void register_model_command(CLI::App& app);

}  // namespace accelgen
