// Issue 3's throughput check: one GEMM on the BPVeC core runs G times faster in a mode with G NBVE
// groups, up to pipeline fill and weight loading.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "flows/cvu_dse/cvu_dse.hpp"
#include "generator/cvu/dot_baseline_gen.hpp"

namespace accelgen::flows {
namespace {

TEST(CvuModeThroughput, SpeedupEqualsGroupsUpToFill) {
  CvuArrayParams p;
  p.rows = 2;
  p.cols = 2;
  p.cvu = CvuParams{2, 8, 16, true};
  p.wbuf_depth = 64;
  auto rows = cvu_mode_throughput(p, 64, 1024, 8, {{8, 8}, {8, 4}, {4, 4}, {8, 2}, {2, 2}});
  ASSERT_EQ(rows.size(), 5u);
  const int64_t ops_8x8 = rows[0].operations;
  for (const auto& r : rows) {
    EXPECT_EQ(r.operations * r.groups, ops_8x8) << r.bx << "x" << r.bw;  // K divides evenly here
    EXPECT_LE(r.speedup, r.groups + 1e-9);
    EXPECT_GE(r.speedup, 0.95 * r.groups)
        << r.bx << "x" << r.bw;  // fill and weight loads cost < 5%
  }
}

// The three metrics of `flow cvu-dse`, on hand-picked areas: a 16-lane `cvu` block of 480,000 um^2
// with 120,000 um^2 of routers (so a 360,000 um^2 core, the CVU the metrics are about), a 300,000
// um^2 dot product and a 30,000 um^2 scalar MAC.
TEST(CvuDseMetrics, RatiosFromHandPickedAreas) {
  DsePoint p;
  p.slice_bits = 2;
  p.lanes = 16;
  p.cvu.area_um2 = 480000;
  p.routing_area_um2 = 120000;
  p.dot.area_um2 = 300000;
  p.scalar_mac.area_um2 = 30000;
  p.cvu.power_mw = 32;
  p.scalar_mac.power_mw = 4;
  EXPECT_DOUBLE_EQ(p.core_area_um2(), 360000);
  EXPECT_DOUBLE_EQ(p.area_per_mac_vs_scalar_mac(), 0.75);        // 360000 / 16 / 30000
  EXPECT_DOUBLE_EQ(p.area_vs_dot_product(), 1.2);                // 360000 / 300000
  EXPECT_DOUBLE_EQ(p.block_area_per_mac_vs_scalar_mac(), 1.0);   // 480000 / 16 / 30000
  EXPECT_DOUBLE_EQ(p.block_area_vs_dot_product(), 1.6);          // 480000 / 300000
  EXPECT_DOUBLE_EQ(p.power_per_mac_vs_scalar_mac(), 0.5);        // 32 / 16 / 4
  EXPECT_DOUBLE_EQ(p.macs_per_cycle_per_mm2(8, 8), 16 / 0.36);   // G = 1
  EXPECT_DOUBLE_EQ(p.macs_per_cycle_per_mm2(2, 2), 256 / 0.36);  // G = 16
}

// The flow reads a design's result from its cache entry instead of synthesizing it (no Yosys runs
// here: every entry is written by the test with hand-picked numbers), takes the routers' area from
// the entry's per-module areas, and rejects an entry that lacks them.
TEST(CvuDseCache, ReusesEntriesAndReadsTheRouters) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("accelgen_dse_cache_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto put = [&](const GeneratedDesign& d, double area, const nlohmann::json& modules) {
    std::ofstream(dir / dse_cache_file(d))
        << nlohmann::json{{"area_um2", area}, {"cells", 10},
                          {"flip_flops", 2},  {"critical_path_ns", 5.0},
                          {"power_mw", 1.0},  {"module_area_um2", modules}}
               .dump();
  };
  const GeneratedDesign cvu = dse_cvu_design(2, 1);
  put(generate_scalar_mac(8, kScalarMacAccBits), 20000, nlohmann::json::object());
  put(generate_dot_baseline(1, 8), 16000, nlohmann::json::object());
  put(cvu, 64000,
      {{cvu.top + "_route_x", 3000}, {cvu.top + "_route_w", 5000}, {cvu.top + "_core", 56000}});
  std::vector<std::string> steps;
  const auto points = run_cvu_dse(
      {2}, {1}, [&](const std::string& m) { steps.push_back(m); }, dir.string());
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(steps.size(), 3u);
  EXPECT_DOUBLE_EQ(points[0].routing_area_um2, 8000);
  EXPECT_DOUBLE_EQ(points[0].core_area_um2(), 56000);
  EXPECT_DOUBLE_EQ(points[0].area_per_mac_vs_scalar_mac(), 2.8);  // 56000 / 1 / 20000
  EXPECT_DOUBLE_EQ(points[0].area_vs_dot_product(), 3.5);         // 56000 / 16000
  EXPECT_DOUBLE_EQ(points[0].block_area_vs_dot_product(), 4.0);   // 64000 / 16000
  put(cvu, 64000, {{cvu.top + "_core", 56000}});                  // no routers in the report
  EXPECT_THROW(run_cvu_dse(
                   {2}, {1}, [](const std::string&) {}, dir.string()),
               UserError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace accelgen::flows
