// `accelgen flow nn-baton map|explore`: NN-Baton's post-design mapping and pre-design sweep.
#pragma once

#include <CLI/CLI.hpp>

namespace accelgen {

void register_nn_baton_flow(CLI::App& flow);

}  // namespace accelgen
