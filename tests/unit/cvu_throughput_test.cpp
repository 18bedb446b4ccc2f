// Issue 3's throughput check: one GEMM on the BPVeC core runs G times faster in a mode with G NBVE
// groups, up to pipeline fill and weight loading.
#include <gtest/gtest.h>

#include "flows/cvu_dse/cvu_dse.hpp"

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

}  // namespace
}  // namespace accelgen::flows
