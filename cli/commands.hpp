#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace accelgen {

std::string version_string();
// Adds list, generate, lint, synth and verify; their callbacks run inside app.parse() and throw
// UserError on bad input.
void register_commands(CLI::App& app);
// Exit status chosen by the subcommand that ran (0 or 1; bad input never gets here).
int exit_status();
// For flows: a check inside the flow failed (exit status 1).
void set_exit_status(int status);

}  // namespace accelgen
