// `accelgen jobs emit | shard | run | merge`: long sweeps split into independent, idempotent shards
// that GNU parallel or a Slurm job array runs, merged into the table the unsharded run prints.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_jobs_command(CLI::App& app);

}  // namespace accelgen
