// The technology table every analytical flow reads its energy and area figures from: one format, a
// few presets holding each source document's published numbers (the source of every entry stated),
// and user files in the same JSON shape (`accelgen tech show NAME --json` prints one to start
// from).
//
// Units are fixed by the field name (pJ, µm², mm², ns, MHz); SRAM figures are curves over the
// macro's capacity in KiB, because per-access energy and access time grow with capacity and the
// flows trade buffer size against DRAM traffic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace accelgen::flows {

// One figure and where it comes from (paper table, citation, or "substituted: ...").
struct TechValue {
  double value = 0;
  std::string source;
};

// A figure that depends on x (here: SRAM capacity in KiB). Piecewise linear between points sorted
// by x, linear extrapolation past either end (from the two end points), constant for a single
// point. Extrapolation below zero is clamped to zero: no capacity has negative energy or area.
struct TechCurve {
  std::vector<std::pair<double, double>> points;
  std::string source;
  double at(double x) const;
};

struct TechTable {
  std::string name;
  std::string description;
  TechValue frequency_mhz;     // clock of the evaluated design
  TechValue mac_pj;            // energy of one 8-bit multiply-accumulate
  TechValue mac_um2;           // area of one 8-bit MAC unit
  TechValue rf_pj_per_bit;     // register-file (PE-local) access, per bit
  TechValue dram_pj_per_bit;   // off-chip DRAM access, per bit
  TechValue hop_pj_per_bit;    // one on-chip NoC hop (router + link), per bit
  TechValue d2d_pj_per_bit;    // one die-to-die link crossing, per bit
  TechValue d2d_phy_mm2;       // area of one die-to-die PHY
  TechCurve sram_pj_per_bit;   // SRAM access energy per bit; x = capacity in KiB
  TechCurve sram_um2_per_kib;  // SRAM area per KiB; x = capacity in KiB
  TechCurve sram_access_ns;    // SRAM access time; x = capacity in KiB

  // Energy of moving BITS bits to or from an SRAM of CAPACITY_BYTES.
  double sram_access_pj(double capacity_bytes, double bits) const;
  // Area of an SRAM of CAPACITY_BYTES.
  double sram_area_um2(double capacity_bytes) const;

  nlohmann::json to_json() const;
  // Reads the to_json() shape; every field is required. ORIGIN names the input in error messages.
  // Throws UserError on anything missing, ill-typed, negative or unsorted.
  static TechTable from_json(const nlohmann::json& j, const std::string& origin);
};

// Built-in presets, in a fixed order: nn_baton_16nm, cocco_12nm, planaria_45nm, pipeorgan (each
// paper's figures) and osu018 (derived from this project's own standard-cell synthesis).
const std::vector<std::string>& tech_preset_names();
TechTable tech_preset(const std::string& name);  // UserError for an unknown name
// A preset name, or else the path of a JSON file in the to_json() shape. UserError if neither.
TechTable load_tech(const std::string& name_or_json_path);

}  // namespace accelgen::flows
