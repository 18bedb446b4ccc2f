#include "generator/eda/sram_model.hpp"

#include <algorithm>
#include <cmath>

namespace accelgen {

namespace {

// Access energy per bit at 45 nm, 0.9 V (Horowitz, "Computing's energy problem", ISSCC 2014: a
// 64-bit access costs 10 pJ in an 8 KB SRAM, 20 pJ in 32 KB, 100 pJ in 1 MB), as (KiB, pJ/bit).
constexpr double kHorowitzPoints[][2] = {{8, 10.0 / 64}, {32, 20.0 / 64}, {1024, 100.0 / 64}};
// Scaled to 0.18 um, 1.8 V by C*V^2: capacitance with feature size (180/45) and (1.8/0.9)^2.
constexpr double kEnergyScale = (180.0 / 45.0) * (1.8 / 0.9) * (1.8 / 0.9);
// 6T bitcell of a 0.18 um logic process (about 4.4-5 um^2 across foundries) and an assumed 50%
// array efficiency (decoders, sense amplifiers, I/O and control take the rest of a small macro).
constexpr double kBitcellUm2 = 4.65;
constexpr double kArrayEfficiency = 0.5;
// Access time in fan-out-of-4 inverter delays: FO4 ~ 0.5 ns per um of drawn gate length (90 ps at
// 0.18 um); about 16 FO4 for a 1 KiB array growing 1.5 FO4 per doubling of capacity (decoder and
// wire delay grow with the logarithm of the size; Amrutur and Horowitz, JSSC 2000). Assumed fit.
constexpr double kFo4Ns = 0.09;
constexpr double kFo4AtOneKiB = 16;
constexpr double kFo4PerDoubling = 1.5;

// Piecewise linear in KiB through kHorowitzPoints, extrapolated linearly past both ends.
double pj_per_bit_45nm(double kib) {
  constexpr size_t n = std::size(kHorowitzPoints);
  size_t i = 1;
  while (i + 1 < n && kib > kHorowitzPoints[i][0]) ++i;
  const double x0 = kHorowitzPoints[i - 1][0], y0 = kHorowitzPoints[i - 1][1];
  const double x1 = kHorowitzPoints[i][0], y1 = kHorowitzPoints[i][1];
  return y0 + (kib - x0) * (y1 - y0) / (x1 - x0);
}

}  // namespace

const char* sram_model_name() { return "horowitz45-scaled-osu018"; }

const char* sram_model_source() {
  return "energy: Horowitz ISSCC 2014 45 nm SRAM (8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ per 64-bit access) "
         "scaled x16 to 0.18 um 1.8 V (C*V^2); area: 4.65 um^2 6T bitcell / 50% array efficiency; access time: "
         "FO4 0.09 ns x (16 + 1.5 log2 KiB), assumed; R read ports = R replicas of a 1R1W array";
}

nlohmann::json SramEstimate::to_json() const {
  return {{"area_um2", area_um2}, {"read_pj", read_pj},       {"write_pj", write_pj},
          {"access_ns", access_ns}, {"replicas", replicas}, {"leakage_mw", leakage_mw}};
}

SramEstimate estimate_sram(const SramShape& shape) {
  SramEstimate e;
  e.replicas = std::max(1, shape.read_ports);
  const double kib = static_cast<double>(shape.bits()) / 8192.0;  // one replica
  const double pj_per_bit = pj_per_bit_45nm(kib) * kEnergyScale;
  e.area_um2 = e.replicas * static_cast<double>(shape.bits()) * kBitcellUm2 / kArrayEfficiency;
  e.read_pj = pj_per_bit * static_cast<double>(shape.width);
  e.write_pj = e.replicas * pj_per_bit * static_cast<double>(shape.width);  // every replica is written
  e.access_ns = kFo4Ns * (kFo4AtOneKiB + kFo4PerDoubling * std::log2(std::max(kib, 1.0 / 8)));
  return e;
}

}  // namespace accelgen
