#pragma once
// Plots of the flows: each flow writes its data (CSV) and a gnuplot script a user can restyle; the
// PNG is rendered here when gnuplot is installed, the same way for every flow.

#include <string>

namespace accelgen::flows {

// Runs gnuplot on SCRIPT in the script's directory (scripts name their data and output files
// relative to it). Returns false, doing nothing, when gnuplot is not installed; UserError naming
// the script when gnuplot fails.
bool render_gnuplot(const std::string& script);

}  // namespace accelgen::flows
