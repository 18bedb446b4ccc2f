// Standard-cell PPA of an emitted design: Yosys maps it onto a liberty library (OSU 0.18 um by
// default), memories above a size become SRAM macros (black boxes priced by sram_model.hpp), and
// OpenSTA reports the critical path, slack and power with per-port switching activity.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "generator/eda/eda.hpp"
#include "generator/eda/sram_model.hpp"

namespace accelgen {

inline constexpr const char* kDefaultLiberty = "/usr/share/qflow/tech/osu018/osu018_stdcells.lib";

// The liberty file to use: EXPLICIT if not empty, else $ACCELGEN_LIBERTY, else kDefaultLiberty.
// Throws UserError naming the Debian package when the file is missing.
std::string resolve_liberty(const std::string& explicit_path);
// The OpenSTA binary: EXPLICIT, else $ACCELGEN_STA, else "sta" on PATH; UserError naming the package.
std::string resolve_sta(const std::string& explicit_program);

// Area of every cell of a liberty file (cell name -> um^2); UserError if it holds none.
std::map<std::string, double> read_liberty_areas(const std::string& liberty_path);

struct StdCellOptions {
  std::string liberty;   // "" = resolve_liberty("")
  std::string sta;       // "" = resolve_sta("")
  double clock_ns = 0;   // target clock period; 0 = none (power is still reported at fmax)
  bool flatten = false;  // flatten before synthesis (default: each module synthesized once)
  // ABC's fast mapping script (`abc -fast`: strash; dretime; map) instead of its default one
  // (fraig, scorr, dc2, dch, nf); for designs whose modules take too long to map otherwise.
  bool abc_fast = false;
  // ABC maps against a delay target with buffering and gate sizing (`abc -constr -D`: buffer;
  // upsize; dnsize): high fan-out nets inside a module get buffer trees. Module ports are driven
  // by a BUFX2 and load one BUFX2 input, so nets that fan out across module boundaries are
  // buffered only on the inside.
  bool buffer = false;
  // Fan-out buffer trees across module boundaries on the mapped netlist (buffer_tree.hpp): on by
  // default; max_fanout 0 derives the bound from the buffer's liberty delay table.
  bool buffer_tree = true;
  int max_fanout = 0;
  int64_t macro_min_bits = 1024;  // memories with at least this many bits become SRAM macros; 0 = none
  // Switching activity of input ports (bit flips per bit per cycle, 0..1), by port name; ports not
  // listed get default_activity.
  struct PortActivity {
    std::string port;
    int width = 1;
    double rate = 0;
  };
  std::vector<PortActivity> input_activity;
  double default_activity = 0.1;
  std::string activity_source = "assumed";  // how input_activity was obtained, for the report
  std::string work_dir;                     // where the netlist and scripts go ("" = DIR/stdcell)
  // Static timing and power: "flat" (OpenSTA on the whole netlist), "hier" (extracted timing
  // models of repeated modules, generator/eda/hier_sta.hpp), "auto" (hier from
  // kHierStaMinCells standard cells on).
  std::string sta_mode = "auto";
};

// From this many standard cells over the hierarchy on, "auto" times hierarchically: OpenSTA 2019-11
// holds about 3 KB per cell of a flattened netlist (Tandem's 1.68 M cells: 5.2 GB).
inline constexpr int64_t kHierStaMinCells = 2'000'000;

struct SramMacro {
  std::string cell;  // black-box module name in the netlist
  std::string memid;
  SramShape shape;
  int64_t instances = 0;
  SramEstimate estimate;  // per instance
};

struct StdCellResult {
  std::string liberty;
  int64_t cells = 0;       // standard cells (macros excluded), whole hierarchy
  int64_t flip_flops = 0;  // sequential cells (DFF*, LATCH)
  double logic_area_um2 = 0;       // standard cells, flip-flops included
  double flip_flop_area_um2 = 0;   // the sequential part of logic_area_um2
  double memory_area_um2 = 0;      // SRAM macros
  double area_um2 = 0;             // logic + memory
  std::map<std::string, int64_t> cell_counts;
  // Standard-cell area of one instance of each module of the hierarchy (not flattened runs only).
  std::map<std::string, double> module_area_um2;
  std::vector<SramMacro> memories;

  double logic_path_ns = 0;     // worst register/port to register/port path, setup included
  double memory_access_ns = 0;  // slowest macro access
  double critical_path_ns = 0;  // max of the two
  std::string start_point, end_point;
  double fmax_mhz = 0;
  double clock_ns = 0;    // the target, or 0
  double slack_ns = 0;    // against the target (logic path; the macro access time is compared too)

  // Power at fmax: logic from OpenSTA (dynamic scales with frequency, leakage does not), memory from
  // the SRAM model with every port accessing once per cycle (an upper bound).
  double logic_dynamic_pj_per_cycle = 0;
  double logic_leakage_mw = 0;
  double memory_pj_per_cycle = 0;
  double logic_power_mw = 0;
  double memory_power_mw = 0;
  double power_mw = 0;
  double power_at_clock_mw = 0;  // at the target clock, when one is given
  std::string activity_source;
  double mean_input_activity = 0;

  std::string sta_method;  // "flat" or "hier"
  nlohmann::json hier;     // the hierarchical run's modules (hier only)
  nlohmann::json buffer_tree;  // BufferTreeResult::to_json(), or null when the pass is off
  std::string netlist;  // mapped Verilog netlist (path)
  double yosys_seconds = 0, sta_seconds = 0;
  nlohmann::json to_json() const;
};

// Throws UserError when a tool or the library is missing or a tool fails (with its first error line).
StdCellResult stdcell_ppa(const DesignDir& design, const StdCellOptions& options);

}  // namespace accelgen
