// The CVU design-space flow (thesis ch. 3, Fig. 3.4): synthesize the CVU for slice widths b and
// lane counts L and compare its cost per 8b x 8b MAC with a conventional 8-bit dot-product unit of
// the same 8-bit throughput; and the per-mode throughput of one GEMM on the BPVeC core.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/cvu_array_params.hpp"
#include "generator/design.hpp"

namespace accelgen::flows {

// Standard-cell figures of one synthesized design (OSU 0.18 um liberty area, flip-flops included).
struct DseDesign {
  double area_um2 = 0;
  int64_t cells = 0, flip_flops = 0;
  double critical_path_ns = 0, power_mw = 0;  // power at fmax, input activity kDseActivity
  double energy_pj_per_cycle() const { return power_mw * critical_path_ns; }
};

inline constexpr double kDseActivity = 0.1;  // assumed input toggle rate, the same for every design
inline constexpr int kScalarMacAccBits = 32;  // the conventional scalar MAC's accumulator

struct DsePoint {
  int slice_bits = 0, lanes = 0, nbves = 0;
  DseDesign cvu;                // the whole `cvu` block: its core and its two operand routers
  double routing_area_um2 = 0;  // the two routers (element-packed bus -> slice-major bus)
  DseDesign dot;                // conventional signed 8-bit dot product of L lanes
  DseDesign scalar_mac;         // one conventional signed 8-bit MAC with its accumulator
  // The CVU as cvu_array instantiates it: the core, whose operands arrive as NBVE slices from the
  // array's feeder (one x router per row, one w router at each scratchpad's read port).
  double core_area_um2() const { return cvu.area_um2 - routing_area_um2; }
  // The metrics (on liberty area), of the core:
  // thesis's: CVU area per 8b x 8b MAC (area / L) against one scalar MAC unit;
  double area_per_mac_vs_scalar_mac() const {
    return core_area_um2() / lanes / scalar_mac.area_um2;
  }
  // like for like: against the dot product of the same 8b x 8b throughput (L MACs per cycle);
  double area_vs_dot_product() const { return core_area_um2() / dot.area_um2; }
  // both again for the whole block with its own routers;
  double block_area_per_mac_vs_scalar_mac() const {
    return cvu.area_um2 / lanes / scalar_mac.area_um2;
  }
  double block_area_vs_dot_product() const { return cvu.area_um2 / dot.area_um2; }
  // power per 8b x 8b MAC of the whole block at its fmax, against the scalar MAC's (assumed
  // activity, so a trend only).
  double power_per_mac_vs_scalar_mac() const { return cvu.power_mw / lanes / scalar_mac.power_mw; }
  // per-mode throughput per area of the core: G*L MACs per cycle per mm^2 in mode (bx, bw).
  double macs_per_cycle_per_mm2(int bx, int bw) const {
    return double(64 / (bx * bw) * lanes) / (core_area_um2() * 1e-6);
  }
};

// Synthesizes every (b, L) point (B = 8, signed) and its references on standard cells, reporting
// progress line by line; results are cached in CACHE_DIR ("" = no cache) under a hash of each
// design's RTL.
std::vector<DsePoint> run_cvu_dse(const std::vector<int>& slices, const std::vector<int>& lanes,
                                  const std::function<void(const std::string&)>& progress,
                                  const std::string& cache_dir);

// The CVU the sweep synthesizes at (b, L) (B = 8, signed), and the name of a design's cache entry
// (a JSON object with area_um2, cells, flip_flops, critical_path_ns, power_mw, module_area_um2).
GeneratedDesign dse_cvu_design(int slice_bits, int lanes);
std::string dse_cache_file(const GeneratedDesign& d);

struct ModeThroughput {
  int bx = 0, bw = 0, groups = 0;
  int64_t operations = 0, cycles = 0;  // operations issued; cycles until the last result
  double speedup = 0;                  // cycles(8b x 8b) / cycles(this mode)
};

// One M x K x N GEMM lowered onto the array in each listed mode; cycles from the golden model.
std::vector<ModeThroughput> cvu_mode_throughput(const CvuArrayParams& p, int64_t M, int64_t K,
                                                int64_t N,
                                                const std::vector<std::pair<int, int>>& widths);

// CSV of the DSE points; gnuplot data (one block per slice width) and a script that plots the area
// ratio against L, one line per b.
std::string dse_csv(const std::vector<DsePoint>& points);
std::string dse_plot_data(const std::vector<DsePoint>& points);
std::string dse_gnuplot(const std::vector<DsePoint>& points, const std::string& data_path,
                        const std::string& png_path);

}  // namespace accelgen::flows
