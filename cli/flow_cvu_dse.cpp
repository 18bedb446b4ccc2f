#include "cli/flow_cvu_dse.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "common/process.hpp"
#include "flows/common/table.hpp"
#include "flows/cvu_dse/cvu_dse.hpp"

namespace accelgen {

namespace {

struct DseArgs {
  std::vector<int> slices = {1, 2, 4};
  std::vector<int> lanes = {1, 4, 16};
  std::string out_dir;
  std::string cache_dir;  // "" = the default below
  bool no_cache = false;
  bool json = false;
  bool skip_synth = false;
};

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  if (!out) throw UserError(fmt::format("cannot write '{}'", p.string()));
}

void run(const DseArgs& a) {
  for (int b : a.slices)
    if (b != 1 && b != 2 && b != 4)
      throw UserError(fmt::format("--slices: {} is not 1, 2 or 4", b));
  for (int L : a.lanes)
    if (L < 1 || L > 64) throw UserError(fmt::format("--lanes: {} is not in 1..64", L));
  auto progress = [](const std::string& m) { fmt::print(stderr, "accelgen: {}\n", m); };
  nlohmann::json out = nlohmann::json::object();
  if (!a.out_dir.empty()) flows::create_output_dir(a.out_dir);  // fail before the synthesis sweep

  if (!a.skip_synth) {
    std::string cache = a.cache_dir;
    if (cache.empty() && !a.no_cache) {
      const char* xdg = std::getenv("XDG_CACHE_HOME");
      const char* home = std::getenv("HOME");
      if (xdg && *xdg)
        cache = (std::filesystem::path(xdg) / "accelgen" / "cvu_dse").string();
      else if (home && *home)
        cache = (std::filesystem::path(home) / ".cache" / "accelgen" / "cvu_dse").string();
    }
    if (a.no_cache) cache.clear();
    auto points = flows::run_cvu_dse(a.slices, a.lanes, progress, cache);
    const auto& mac = points.front().scalar_mac;
    fmt::print(
        "CVU (B = 8, signed) on OSU 0.18 um standard cells (Yosys + OpenSTA; area includes "
        "flip-flops)\n");
    fmt::print(
        "CVU = the core cvu_array instantiates (slice-major operands; routers in the feeder); "
        "block = the `cvu` block with its two routers\n");
    fmt::print(
        "thesis metric (/MAC): CVU area / L per 8b x 8b MAC against one scalar 8-bit MAC ({}-bit "
        "accumulator) of {:.0f} um^2\n",
        flows::kScalarMacAccBits, mac.area_um2);
    fmt::print(
        "like for like (vs dot): CVU area against a conventional 8-bit dot product of L lanes "
        "(same 8b x 8b throughput)\n\n");
    fmt::print("{:>2} {:>3} {:>5} {:>10} {:>10} {:>10} {:>8} {:>8} {:>10} {:>10} {:>7} {:>7}\n",
               "b", "L", "NBVEs", "CVU um^2", "block um^2", "dot um^2", "/MAC", "vs dot",
               "block/MAC", "block/dot", "CVU ns", "dot ns");
    for (const auto& p : points)
      fmt::print(
          "{:>2} {:>3} {:>5} {:>10.0f} {:>10.0f} {:>10.0f} {:>7.2f}x {:>7.2f}x {:>9.2f}x {:>9.2f}x "
          "{:>7.2f} {:>7.2f}\n",
          p.slice_bits, p.lanes, p.nbves, p.core_area_um2(), p.cvu.area_um2, p.dot.area_um2,
          p.area_per_mac_vs_scalar_mac(), p.area_vs_dot_product(),
          p.block_area_per_mac_vs_scalar_mac(), p.block_area_vs_dot_product(),
          p.cvu.critical_path_ns, p.dot.critical_path_ns);
    auto design_json = [](const flows::DseDesign& d) {
      return nlohmann::json{
          {"area_um2", d.area_um2},     {"cells", d.cells},
          {"flip_flops", d.flip_flops}, {"critical_path_ns", d.critical_path_ns},
          {"power_mw", d.power_mw},     {"energy_pj_per_cycle", d.energy_pj_per_cycle()}};
    };
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : points) {
      nlohmann::json per_mode = nlohmann::json::object();
      for (int bx : {2, 4, 8})
        for (int bw : {2, 4, 8})
          if (bx >= p.slice_bits && bw >= p.slice_bits)
            per_mode[fmt::format("{}x{}", bx, bw)] = p.macs_per_cycle_per_mm2(bx, bw);
      pts.push_back(
          {{"slice_bits", p.slice_bits},
           {"lanes", p.lanes},
           {"nbves", p.nbves},
           {"cvu_block", design_json(p.cvu)},
           {"core_area_um2", p.core_area_um2()},
           {"routing_area_um2", p.routing_area_um2},
           {"dot_product", design_json(p.dot)},
           {"scalar_mac", design_json(p.scalar_mac)},
           {"area_per_mac_vs_scalar_mac", p.area_per_mac_vs_scalar_mac()},
           {"area_vs_dot_product", p.area_vs_dot_product()},
           {"block_area_per_mac_vs_scalar_mac", p.block_area_per_mac_vs_scalar_mac()},
           {"block_area_vs_dot_product", p.block_area_vs_dot_product()},
           {"power_per_mac_vs_scalar_mac", p.power_per_mac_vs_scalar_mac()},
           {"macs_per_cycle_per_mm2", per_mode},
           {"dot_product_macs_per_cycle_per_mm2", double(p.lanes) / (p.dot.area_um2 * 1e-6)}});
    }
    out["input_activity"] = flows::kDseActivity;
    out["dse"] = pts;
    if (!a.out_dir.empty()) {
      const auto csv = std::filesystem::path(a.out_dir) / "cvu_dse.csv";
      const auto gp = std::filesystem::path(a.out_dir) / "cvu_dse.gp";
      const auto dat = std::filesystem::path(a.out_dir) / "cvu_dse.dat";
      const auto png = std::filesystem::path(a.out_dir) / "cvu_dse.png";
      write_file(csv, flows::dse_csv(points));
      write_file(dat, flows::dse_plot_data(points));
      write_file(gp, flows::dse_gnuplot(points, dat.string(), png.string()));
      if (!find_program("gnuplot").empty() && run_process({"gnuplot", gp.string()}).exit_code == 0)
        fmt::print("\nwrote {}, {} and {}\n", csv.string(), gp.string(), png.string());
      else
        fmt::print("\nwrote {} and {} (install gnuplot-nox to render the plot)\n", csv.string(),
                   gp.string());
    }
  }

  // Throughput per mode of one GEMM on a 2 x 2 BPVeC core of 16-lane CVUs.
  CvuArrayParams arr;
  arr.rows = 2;
  arr.cols = 2;
  arr.cvu = CvuParams{2, 8, 16, true};
  arr.wbuf_depth = 64;
  const int64_t M = 64, K = 1024, N = 8;
  auto rows = flows::cvu_mode_throughput(arr, M, K, N, {{8, 8}, {8, 4}, {4, 4}, {8, 2}, {2, 2}});
  fmt::print(
      "\nOne {}x{}x{} GEMM on a 2x2 array of 16-lane CVUs (b = 2), cycles from the golden model:\n",
      M, K, N);
  fmt::print("{:>6} {:>3} {:>11} {:>8} {:>8}\n", "mode", "G", "operations", "cycles", "speedup");
  nlohmann::json modes = nlohmann::json::array();
  for (const auto& r : rows) {
    fmt::print("{:>6} {:>3} {:>11} {:>8} {:>7.2f}x\n", fmt::format("{}x{}", r.bx, r.bw), r.groups,
               r.operations, r.cycles, r.speedup);
    modes.push_back({{"bx", r.bx},
                     {"bw", r.bw},
                     {"groups", r.groups},
                     {"operations", r.operations},
                     {"cycles", r.cycles},
                     {"speedup", r.speedup}});
  }
  out["modes"] = modes;
  if (a.json) fmt::print("{}\n", out.dump());
}

}  // namespace

void register_cvu_dse_flow(CLI::App& flow) {
  static DseArgs args;
  auto* cmd = flow.add_subcommand(
      "cvu-dse",
      "CVU standard-cell area per MAC vs a scalar 8-bit MAC and vs a "
      "conventional dot product over slice width b and lanes L, and per-mode GEMM throughput");
  cmd->add_option("--slices", args.slices, "slice widths b to sweep")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--lanes", args.lanes, "lanes L to sweep")->delimiter(',')->capture_default_str();
  cmd->add_option("-o,--out", args.out_dir, "write cvu_dse.csv, cvu_dse.gp and cvu_dse.png here");
  cmd->add_option("--cache-dir", args.cache_dir,
                  "keep each design's synthesis result here, keyed by a hash of its RTL "
                  "(default $XDG_CACHE_HOME/accelgen/cvu_dse or ~/.cache/accelgen/cvu_dse)");
  cmd->add_flag("--no-cache", args.no_cache, "synthesize every design again");
  cmd->add_flag("--json", args.json, "last line of stdout: one JSON object with every number");
  cmd->add_flag("--throughput-only", args.skip_synth,
                "skip the synthesis sweep (minutes) and print the mode table");
  cmd->callback([] { run(args); });
}

}  // namespace accelgen
