#include "flows/cvu_dse/cvu_dse.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "compiler/cvu_array/gemm_lowering.hpp"
#include "generator/cvu/dot_baseline_gen.hpp"
#include "generator/eda/eda.hpp"
#include "golden_model/cvu_array/cvu_array_model.hpp"

namespace accelgen::flows {

namespace fs = std::filesystem;

namespace {

SynthResult synth_in_temp(const GeneratedDesign& d) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("accelgen_dse_{}_{}", d.top, getpid());
  write_design(d, dir.string());
  SynthResult r = synth_design(read_design_dir(dir.string()));
  fs::remove_all(dir);
  return r;
}

}  // namespace

std::vector<DsePoint> run_cvu_dse(const std::vector<int>& slices, const std::vector<int>& lanes,
                                  const std::function<void(const std::string&)>& progress) {
  const BlockInfo& cvu = find_block("cvu");
  std::map<int, SynthResult> baselines;
  std::vector<DsePoint> points;
  for (int L : lanes) {
    progress(fmt::format("synthesizing the conventional 8-bit dot-product unit, L = {}", L));
    baselines[L] = synth_in_temp(generate_dot_baseline(L, 8));
    for (int b : slices) {
      progress(fmt::format("synthesizing the CVU, b = {}, L = {}", b, L));
      ParamSet ps = resolve_params(cvu, "", {fmt::format("slice_bits={}", b), "max_bits=8", fmt::format("lanes={}", L)}, false);
      SynthResult r = synth_in_temp(generate_design(cvu, ps));
      DsePoint pt;
      pt.slice_bits = b;
      pt.lanes = L;
      pt.nbves = (8 / b) * (8 / b);
      pt.transistors = r.transistors;
      pt.cells = r.cells;
      pt.flip_flops = r.flip_flops;
      pt.longest_path = r.longest_path;
      pt.baseline_transistors = baselines[L].transistors;
      pt.baseline_longest_path = baselines[L].longest_path;
      points.push_back(pt);
    }
  }
  return points;
}

std::vector<ModeThroughput> cvu_mode_throughput(const CvuArrayParams& p, int64_t M, int64_t K, int64_t N,
                                                const std::vector<std::pair<int, int>>& widths) {
  std::vector<ModeThroughput> rows;
  int64_t reference = 0;
  for (auto [bx, bw] : widths) {
    int mx = -1, mw = -1;
    for (int i = 0; i < p.cvu.levels(); ++i) {
      if (p.cvu.width_of_level(i) == bx) mx = i;
      if (p.cvu.width_of_level(i) == bw) mw = i;
    }
    if (mx < 0 || mw < 0) throw UserError(fmt::format("{}b x {}b is not a mode of this CVU", bx, bw));
    // Zero operands: only the schedule matters here.
    compiler::CvuGemm g{mx, mw, M, K, N, std::vector<int64_t>(M * K, 0), std::vector<int64_t>(K * N, 0)};
    compiler::CvuArrayProgram prog = compiler::lower_gemms(p, {g});
    auto out = golden::predict_cvu_array(p, prog.writes, prog.ops);
    ModeThroughput row{bx, bw, p.cvu.groups(bx, bw), static_cast<int64_t>(prog.ops.size()),
                       out.empty() ? 0 : out.back().cycle + 1, 0};
    if (rows.empty()) reference = row.cycles;
    row.speedup = double(reference) / double(row.cycles);
    rows.push_back(row);
  }
  return rows;
}

std::string dse_csv(const std::vector<DsePoint>& points) {
  std::string csv = "slice_bits,lanes,nbves,transistors,cells,flip_flops,longest_path,baseline_transistors,"
                    "baseline_longest_path,area_ratio\n";
  for (const auto& p : points)
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{:.4f}\n", p.slice_bits, p.lanes, p.nbves, p.transistors, p.cells,
                       p.flip_flops, p.longest_path, p.baseline_transistors, p.baseline_longest_path, p.area_ratio());
  return csv;
}

namespace {

std::vector<int> slice_widths(const std::vector<DsePoint>& points) {
  std::vector<int> out;
  for (const auto& p : points)
    if (std::find(out.begin(), out.end(), p.slice_bits) == out.end()) out.push_back(p.slice_bits);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string dse_plot_data(const std::vector<DsePoint>& points) {
  std::string data;
  for (int b : slice_widths(points)) {
    data += fmt::format("# b = {}: lanes area_ratio\n", b);
    for (const auto& p : points)
      if (p.slice_bits == b) data += fmt::format("{} {:.4f}\n", p.lanes, p.area_ratio());
    data += "\n\n";  // gnuplot: next index
  }
  return data;
}

std::string dse_gnuplot(const std::vector<DsePoint>& points, const std::string& data_path, const std::string& png_path) {
  std::string titles;
  for (int b : slice_widths(points)) titles += fmt::format("{}b={}", titles.empty() ? "" : " ", b);
  return fmt::format(R"(# accelgen cvu-dse: CVU area relative to a conventional 8-bit dot-product unit of the same lanes.
set terminal pngcairo size 800,500 noenhanced
set output '{1}'
set title 'CVU (B = 8) area / conventional 8-bit unit area (Yosys stat -tech cmos)'
set xlabel 'lanes per NBVE (L)'
set ylabel 'transistor ratio (1 = conventional)'
set logscale xy 2
set yrange [0.5:*]
set key top right
set grid
titles = "{2}"
plot for [i=0:{3}] '{0}' index i using 1:2 with linespoints lw 2 title word(titles, i + 1), \
     1 with lines dashtype 2 lc rgb 'gray' title 'conventional'
)",
                     data_path, png_path, titles, slice_widths(points).size() - 1);
}

}  // namespace accelgen::flows
