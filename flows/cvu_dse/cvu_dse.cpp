#include "flows/cvu_dse/cvu_dse.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/hash.hpp"
#include "compiler/cvu_array/gemm_lowering.hpp"
#include "generator/cvu/dot_baseline_gen.hpp"
#include "generator/eda/eda.hpp"
#include "generator/eda/stdcell.hpp"
#include "golden_model/cvu_array/cvu_array_model.hpp"

namespace accelgen::flows {

namespace fs = std::filesystem;

namespace {

// What the flow keeps of one synthesis: the figures and the per-module areas.
struct Synthesized {
  DseDesign figures;
  std::map<std::string, double> module_area_um2;
};

nlohmann::json to_json(const Synthesized& s) {
  const DseDesign& d = s.figures;
  return {{"area_um2", d.area_um2},     {"cells", d.cells},
          {"flip_flops", d.flip_flops}, {"critical_path_ns", d.critical_path_ns},
          {"power_mw", d.power_mw},     {"module_area_um2", s.module_area_um2}};
}

Synthesized from_json(const nlohmann::json& j) {
  Synthesized s;
  s.figures = {j.at("area_um2").get<double>(), j.at("cells").get<int64_t>(),
               j.at("flip_flops").get<int64_t>(), j.at("critical_path_ns").get<double>(),
               j.at("power_mw").get<double>()};
  s.module_area_um2 = j.at("module_area_um2").get<std::map<std::string, double>>();
  return s;
}

// Standard-cell synthesis, STA and power of D in a temporary directory (hierarchical: each module
// once, so the routers' share is read from the per-module areas). With a cache directory, a result
// is stored under a hash of the design's files, the liberty file's path and the flow's settings,
// and reused when that hash comes again (the 16-lane dot product alone takes ABC tens of minutes
// on a loaded 2-core machine).
Synthesized synthesize(const GeneratedDesign& d, const std::string& cache_dir) {
  const fs::path cached = cache_dir.empty() ? fs::path() : fs::path(cache_dir) / dse_cache_file(d);
  if (!cached.empty() && fs::exists(cached)) {
    std::ifstream in(cached);
    std::stringstream text;
    text << in.rdbuf();
    try {
      return from_json(nlohmann::json::parse(text.str()));
    } catch (const std::exception&) {
      // An unreadable entry is recomputed and rewritten.
    }
  }
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("accelgen_dse_{}_{}", d.top, getpid());
  write_design(d, dir.string());
  StdCellOptions o;
  o.default_activity = kDseActivity;
  o.activity_source = "assumed";
  // The sweep compares arithmetic area of single units (docs/cvu_dse and the README's CVU numbers,
  // and the cache entries, were measured without fan-out buffer trees): no trees here.
  o.buffer_tree = false;
  const StdCellResult r = stdcell_ppa(read_design_dir(dir.string()), o);
  fs::remove_all(dir);
  Synthesized s{{r.area_um2, r.cells, r.flip_flops, r.critical_path_ns, r.power_mw},
                r.module_area_um2};
  if (!cached.empty()) {
    std::error_code ec;
    fs::create_directories(cached.parent_path(), ec);
    const fs::path tmp = cached.string() + fmt::format(".{}", getpid());
    std::ofstream(tmp) << to_json(s).dump(1) << "\n";
    fs::rename(tmp, cached, ec);
    if (ec) throw UserError(fmt::format("cannot write the cache entry '{}'", cached.string()));
  }
  return s;
}

}  // namespace

std::string dse_cache_file(const GeneratedDesign& d) {
  std::vector<std::string> pieces = {resolve_liberty(""), fmt::format("{}", kDseActivity),
                                     "cvu-dse v1"};
  for (const auto& f : d.files) {
    pieces.push_back(f.name);
    pieces.push_back(f.contents);
  }
  std::vector<std::string_view> views(pieces.begin(), pieces.end());
  return fmt::format("{}-{}.json", d.top, stable_hash(views));
}

GeneratedDesign dse_cvu_design(int slice_bits, int lanes) {
  const BlockInfo& cvu = find_block("cvu");
  return generate_design(cvu, resolve_params(cvu, "",
                                             {fmt::format("slice_bits={}", slice_bits),
                                              "max_bits=8", fmt::format("lanes={}", lanes)},
                                             false));
}

std::vector<DsePoint> run_cvu_dse(const std::vector<int>& slices, const std::vector<int>& lanes,
                                  const std::function<void(const std::string&)>& progress,
                                  const std::string& cache_dir) {
  progress(fmt::format("synthesizing the conventional scalar 8-bit MAC ({}-bit accumulator)",
                       kScalarMacAccBits));
  const DseDesign mac = synthesize(generate_scalar_mac(8, kScalarMacAccBits), cache_dir).figures;
  std::vector<DsePoint> points;
  for (int L : lanes) {
    for (int b : slices) {
      progress(fmt::format("synthesizing the CVU, b = {}, L = {}", b, L));
      const GeneratedDesign d = dse_cvu_design(b, L);
      const Synthesized r = synthesize(d, cache_dir);
      DsePoint pt;
      pt.slice_bits = b;
      pt.lanes = L;
      pt.nbves = (8 / b) * (8 / b);
      pt.cvu = r.figures;
      for (const char* router : {"_route_x", "_route_w"}) {
        auto it = r.module_area_um2.find(d.top + router);
        if (it == r.module_area_um2.end())
          throw UserError(fmt::format("the synthesis report of '{}' has no module '{}{}'", d.top,
                                      d.top, router));
        pt.routing_area_um2 += it->second;
      }
      pt.scalar_mac = mac;
      points.push_back(pt);
    }
    progress(fmt::format("synthesizing the conventional 8-bit dot-product unit, L = {}", L));
    const DseDesign dot = synthesize(generate_dot_baseline(L, 8), cache_dir).figures;
    for (auto& pt : points)
      if (pt.lanes == L) pt.dot = dot;
  }
  return points;
}

std::vector<ModeThroughput> cvu_mode_throughput(const CvuArrayParams& p, int64_t M, int64_t K,
                                                int64_t N,
                                                const std::vector<std::pair<int, int>>& widths) {
  std::vector<ModeThroughput> rows;
  int64_t reference = 0;
  for (auto [bx, bw] : widths) {
    int mx = -1, mw = -1;
    for (int i = 0; i < p.cvu.levels(); ++i) {
      if (p.cvu.width_of_level(i) == bx) mx = i;
      if (p.cvu.width_of_level(i) == bw) mw = i;
    }
    if (mx < 0 || mw < 0)
      throw UserError(fmt::format("{}b x {}b is not a mode of this CVU", bx, bw));
    // Zero operands: only the schedule matters here.
    compiler::CvuGemm g{
        mx, mw, M, K, N, std::vector<int64_t>(M * K, 0), std::vector<int64_t>(K * N, 0)};
    compiler::CvuArrayProgram prog = compiler::lower_gemms(p, {g});
    auto out = golden::predict_cvu_array(p, prog.writes, prog.ops);
    ModeThroughput row{bx,
                       bw,
                       p.cvu.groups(bx, bw),
                       static_cast<int64_t>(prog.ops.size()),
                       out.empty() ? 0 : out.back().cycle + 1,
                       0};
    if (rows.empty()) reference = row.cycles;
    row.speedup = double(reference) / double(row.cycles);
    rows.push_back(row);
  }
  return rows;
}

std::string dse_csv(const std::vector<DsePoint>& points) {
  std::string csv =
      "slice_bits,lanes,nbves,cvu_area_um2,routing_area_um2,cvu_flip_flops,cvu_critical_path_ns,"
      "cvu_power_mw,"
      "dot_area_um2,dot_critical_path_ns,dot_power_mw,scalar_mac_area_um2,scalar_mac_power_mw,"
      "core_area_um2,area_per_mac_vs_scalar_mac,area_vs_dot_product,block_area_per_mac_vs_scalar_"
      "mac,block_area_vs_dot_product,"
      "power_per_mac_vs_scalar_mac\n";
  for (const auto& p : points)
    csv += fmt::format(
        "{},{},{},{:.1f},{:.1f},{},{:.3f},{:.3f},{:.1f},{:.3f},{:.3f},{:.1f},{:.3f},{:.1f},{:.4f},{"
        ":.4f},{:.4f},{:.4f},{:.4f}\n",
        p.slice_bits, p.lanes, p.nbves, p.cvu.area_um2, p.routing_area_um2, p.cvu.flip_flops,
        p.cvu.critical_path_ns, p.cvu.power_mw, p.dot.area_um2, p.dot.critical_path_ns,
        p.dot.power_mw, p.scalar_mac.area_um2, p.scalar_mac.power_mw, p.core_area_um2(),
        p.area_per_mac_vs_scalar_mac(), p.area_vs_dot_product(),
        p.block_area_per_mac_vs_scalar_mac(), p.block_area_vs_dot_product(),
        p.power_per_mac_vs_scalar_mac());
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
    data += fmt::format("# b = {}: lanes area_per_mac_vs_scalar_mac area_vs_dot_product\n", b);
    for (const auto& p : points)
      if (p.slice_bits == b)
        data += fmt::format("{} {:.4f} {:.4f}\n", p.lanes, p.area_per_mac_vs_scalar_mac(),
                            p.area_vs_dot_product());
    data += "\n\n";  // gnuplot: next index
  }
  return data;
}

std::string dse_gnuplot(const std::vector<DsePoint>& points, const std::string& data_path,
                        const std::string& png_path) {
  std::string titles;
  for (int b : slice_widths(points)) titles += fmt::format("{}b={}", titles.empty() ? "" : " ", b);
  return fmt::format(
      R"(# accelgen cvu-dse: CVU area per 8b x 8b MAC relative to one conventional scalar 8-bit MAC (thesis Fig. 3.4 metric).
set terminal pngcairo size 800,500 noenhanced
set output '{1}'
set title 'CVU (B = 8) area per 8b x 8b MAC / scalar 8-bit MAC area (OSU 0.18 um cells)'
set xlabel 'lanes per NBVE (L)'
set ylabel 'area ratio (1 = scalar MAC)'
set logscale xy 2
set yrange [0.25:*]
set key top right
set grid
titles = "{2}"
plot for [i=0:{3}] '{0}' index i using 1:2 with linespoints lw 2 title word(titles, i + 1), \
     1 with lines dashtype 2 lc rgb 'gray' title 'scalar MAC'
)",
      data_path, png_path, titles, slice_widths(points).size() - 1);
}

}  // namespace accelgen::flows
