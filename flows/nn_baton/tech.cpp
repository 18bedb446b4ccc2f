#include "flows/nn_baton/tech.hpp"

#include "flows/common/tech_table.hpp"

namespace accelgen::flows::nn_baton {

Tech load_tech(const std::string& name_or_path) {
  const TechTable t = flows::load_tech(name_or_path);
  Tech x;
  x.name = t.name;
  x.frequency_mhz = t.frequency_mhz.value;
  x.mac_pj = t.mac_pj.value;
  x.mac_um2 = t.mac_um2.value;
  x.rf_pj_per_bit = t.rf_pj_per_bit.value;
  x.dram_pj_per_bit = t.dram_pj_per_bit.value;
  x.d2d_pj_per_bit = t.d2d_pj_per_bit.value;
  x.d2d_phy_mm2 = t.d2d_phy_mm2.value;
  x.sram_pj_points = t.sram_pj_per_bit.points;
  x.sram_um2_per_kib_points = t.sram_um2_per_kib.points;
  return x;
}

}  // namespace accelgen::flows::nn_baton
