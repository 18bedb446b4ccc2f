// gtkwave save files (.gtkw) beside a waveform: the top module's interface signals grouped as
// inputs and outputs, and a marker at the first mismatch, so gtkwave opens on the failure
// instead of an empty signal list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generator/design.hpp"

namespace accelgen::sim {

// WAVEFORM with its extension replaced by .gtkw.
std::string gtkw_path_for(const std::string& waveform);

// The save file's text: SCOPE is the signals' hierarchical prefix in the waveform (Verilator:
// "TOP.<top module>"), MARKER_TIME the waveform time of the primary marker and named marker A
// (-1 = none). Vectors are listed as name[msb:0] in hex, single bits in binary.
std::string gtkw_save_file(const std::string& waveform, const std::string& scope,
                           const std::vector<TopPort>& ports, int64_t marker_time);

// Writes gtkw_save_file() to gtkw_path_for(WAVEFORM) and returns that path; throws UserError if
// it cannot be written.
std::string write_gtkw(const std::string& waveform, const std::string& scope,
                       const std::vector<TopPort>& ports, int64_t marker_time);

}  // namespace accelgen::sim
