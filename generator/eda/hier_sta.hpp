// Hierarchical static timing and power for `accelgen synth` (issue 17): a module that is
// instantiated many times (Planaria's PE and subarray) is timed once on its own, and an extracted
// timing model — a liberty cell written here — replaces it when its parent is timed, so OpenSTA
// never holds the flattened array.
//
// The model of a module M (clock `clk_i`, ideal clock, inputs and outputs at delay 0):
//   - every data input pin: a setup_rising constraint = worst input-to-register delay + the
//     register's setup, rise and fall separately, tabulated against the pin's transition;
//   - every output pin: a rising_edge arc = worst clock-to-output delay and the output transition,
//     rise and fall separately, tabulated against the output load;
//   - pin capacitances = the pin capacitance of M's own loads on the port's net;
//   - M's worst register-to-register path (with its outputs unloaded) is kept beside the model and
//     counts towards the critical path.
// A module is abstracted only when the model is exact up to the tables' interpolation: it has a
// `clk_i` port, a plain identifier as name, no combinational input-to-output path, and no output
// net that also feeds M's own logic (its internal paths would depend on the outside load).
// Otherwise it stays a netlist inside its parent's timing run. Power: OpenSTA's report_power on
// each abstracted module's own cells (the abstracted children excluded), times its instance count,
// with its inputs at the design's mean measured input toggle rate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accelgen {

struct HierStaModule {
  std::string name;
  int64_t instances = 0;  // in the whole hierarchy
  bool abstracted = false;
  std::string reason;           // why not abstracted ("" when abstracted)
  double internal_path_ns = 0;  // worst register-to-register path inside, setup included
  std::string internal_start, internal_end;
  double dynamic_pj_per_cycle = 0;  // one instance, its own cells (abstracted children excluded)
  double leakage_mw = 0;            // one instance
  std::string model;                // liberty file of the extracted model
  double sta_seconds = 0;
};

struct HierStaSetup {
  std::string sta;      // OpenSTA binary
  std::string liberty;  // standard-cell library
  std::string netlist;  // Yosys's hierarchical netlist (write_verilog)
  std::string top;
  std::string work_dir;  // models and scripts go to WORK_DIR/hier
  double period_ns = 10;
  double module_input_activity = 0.1;  // toggle rate at abstracted modules' inputs
};

struct HierSta {
  std::vector<HierStaModule> modules;  // bottom-up
  // OpenSTA commands that load the library, the models and the top's netlist (the top and its
  // modules that were not abstracted); the caller adds link_design, constraints and reports.
  std::string top_tcl_prefix;
  // Worst internal path of the abstracted modules, and the totals over their instances.
  double internal_path_ns = 0;
  std::string internal_start, internal_end;
  double dynamic_pj_per_cycle = 0;
  double leakage_mw = 0;
  nlohmann::json to_json() const;
};

// Characterizes the modules of SETUP.netlist bottom-up and writes their models; UserError when
// OpenSTA fails.
HierSta prepare_hier_sta(const HierStaSetup& setup);

// Whole-file text I/O of the standard-cell flow; UserError when the file cannot be read or written.
std::string read_text(const std::string& path);
void write_text(const std::filesystem::path& path, const std::string& text);

// The "Total" line of OpenSTA's report_power (watts); false if absent.
bool parse_sta_power_total(const std::string& report, double* internal_w, double* switching_w,
                           double* leakage_w);

}  // namespace accelgen
