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
    EXPECT_GE(r.speedup, 0.95 * r.groups) << r.bx << "x" << r.bw;  // fill and weight loads cost < 5%
  }
}

}  // namespace
}  // namespace accelgen::flows
