// The energy and area constants the NN-Baton model reads, in one place. They come from the shared
// technology table (flows/common, preset nn_baton_16nm: Table I energies, MAC 135.1 um^2, GRS
// 0.38 mm^2, 500 MHz) through `tech_from_table`.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace accelgen::flows::nn_baton {

struct Tech {
  std::string name = "nn_baton_16nm";
  double frequency_mhz = 500;
  double mac_pj = 0.024;  // one 8-bit MAC
  double mac_um2 = 135.1;
  double rf_pj_per_bit = 0.104;  // register read-modify-write
  double dram_pj_per_bit = 8.75;
  double d2d_pj_per_bit = 1.17;  // GRS die-to-die
  double d2d_phy_mm2 = 0.38;     // one GRS PHY
  // SRAM energy per bit and area per KiB, linear in the capacity (Fig. 10); the energy line passes
  // through Table I's L1 (1 KB, 0.3 pJ/bit) and L2 (32 KB, 0.81 pJ/bit) points.
  double sram_pj_per_bit(double capacity_bytes) const;
  double sram_area_um2(double capacity_bytes) const;
  // Piecewise-linear curves over the capacity in KiB (linear extrapolation past the ends).
  std::vector<std::pair<double, double>> sram_pj_points = {{1, 0.3}, {32, 0.81}};
  std::vector<std::pair<double, double>> sram_um2_per_kib_points = {{1, 1.5e6 / 1024}};
};

// Piecewise linear in x through `points` (sorted by x), extrapolated linearly; constant for one
// point.
double curve_at(const std::vector<std::pair<double, double>>& points, double x);

// A preset of the shared technology table (flows/common) or a JSON file of that format, converted;
// UserError when unknown or malformed. The defaults above are the nn_baton_16nm preset's values.
Tech load_tech(const std::string& name_or_path);

}  // namespace accelgen::flows::nn_baton
