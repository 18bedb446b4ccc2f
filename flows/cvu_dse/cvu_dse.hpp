// The CVU design-space flow (thesis ch. 3, Fig. 3.4): synthesize the CVU for slice widths b and
// lane counts L and compare its cost per 8b x 8b MAC with a conventional 8-bit dot-product unit of
// the same 8-bit throughput; and the per-mode throughput of one GEMM on the BPVeC core.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/cvu_array_params.hpp"

namespace accelgen::flows {

struct DsePoint {
  int slice_bits = 0, lanes = 0, nbves = 0;
  int64_t transistors = 0, cells = 0, flip_flops = 0, longest_path = 0;
  int64_t baseline_transistors = 0, baseline_longest_path = 0;  // conventional unit with L lanes
  double area_ratio() const { return double(transistors) / double(baseline_transistors); }  // CVU / conventional
};

// Synthesizes every (b, L) point with Yosys (B = 8, signed), reporting progress line by line.
std::vector<DsePoint> run_cvu_dse(const std::vector<int>& slices, const std::vector<int>& lanes,
                                  const std::function<void(const std::string&)>& progress);

struct ModeThroughput {
  int bx = 0, bw = 0, groups = 0;
  int64_t operations = 0, cycles = 0;  // operations issued; cycles until the last result
  double speedup = 0;                  // cycles(8b x 8b) / cycles(this mode)
};

// One M x K x N GEMM lowered onto the array in each listed mode; cycles from the golden model.
std::vector<ModeThroughput> cvu_mode_throughput(const CvuArrayParams& p, int64_t M, int64_t K, int64_t N,
                                                const std::vector<std::pair<int, int>>& widths);

// CSV of the DSE points; gnuplot data (one block per slice width) and a script that plots the area
// ratio against L, one line per b.
std::string dse_csv(const std::vector<DsePoint>& points);
std::string dse_plot_data(const std::vector<DsePoint>& points);
std::string dse_gnuplot(const std::vector<DsePoint>& points, const std::string& data_path, const std::string& png_path);

}  // namespace accelgen::flows
