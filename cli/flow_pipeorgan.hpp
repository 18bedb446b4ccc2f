// `accelgen flow pipeorgan`: registration of the PipeOrgan flow under `accelgen flow`.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_pipeorgan_flow(CLI::App& flow);

}  // namespace accelgen
