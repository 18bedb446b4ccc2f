// `accelgen flow leopard` against facts that follow from the timing rules by hand.
#include <gtest/gtest.h>

#include "flows/leopard/leopard_flow.hpp"

namespace accelgen::flows {
namespace {

LeopardFlowOptions small() {
  LeopardFlowOptions o;
  o.seq_len = 48;
  o.taps = 8;
  o.n_dpus = {6, 8};
  o.rates = {0, 50, 90, 100};
  return o;
}

TEST(LeopardFlow, NoPruningAtSixUnitsIsTheBaselineThroughputPlusTheBarrier) {
  const auto rows = run_leopard_flow(small());
  ASSERT_EQ(rows.size(), 8u);
  // Baseline: 48 rows, front 48 and back 48 each: 48 + 48 * 48 cycles.
  EXPECT_EQ(rows[0].baseline_cycles, 48 + 48 * 48);
  // 6 units x 8 keys x 6 cycles = 48 + 1 barrier cycle per row; the back end (48) hides under it.
  EXPECT_EQ(rows[0].n_dpu, 6);
  EXPECT_EQ(rows[0].pruned_percent, 0.0);
  EXPECT_EQ(rows[0].leopard_cycles, 49 * 48 + 48);
  // 8 units: 6 keys x 6 cycles + 1 = 37 < 48, so the back end sets the pace, as in the baseline.
  EXPECT_EQ(rows[1].leopard_cycles, 37 + 48 * 48);
}

TEST(LeopardFlow, SpeedupGrowsWithPruningAndUnits) {
  const auto rows = run_leopard_flow(small());
  for (size_t i = 2; i < rows.size(); i += 2) {
    EXPECT_GT(rows[i].speedup, rows[i - 2].speedup);      // N = 6, more pruning
    EXPECT_GT(rows[i + 1].speedup, rows[i - 1].speedup);  // N = 8, more pruning
    EXPECT_GT(rows[i + 1].speedup, rows[i].speedup);      // more units at the same rate
    EXPECT_NEAR(rows[i].pruned_percent, rows[i].target_rate, 2.0);
    EXPECT_GE(rows[i].avg_bits_pruned, 2.0);
    EXPECT_LE(rows[i].avg_bits_pruned, 12.0);
  }
  EXPECT_EQ(rows[6].pruned_percent, 100.0);
}

TEST(LeopardFlow, CycleExactTileAgreesWithTheFirstOrderModel) {
  // The generated tile adds an end beat per row and a two-cycle hand-over from the QK-PU to the
  // merger; otherwise its cycles are the first-order model's.
  for (const auto& r : run_leopard_flow(small())) {
    ASSERT_GT(r.tile_cycles, 0);
    EXPECT_GE(r.tile_cycles, r.leopard_cycles) << r.target_rate << " " << r.n_dpu;
    EXPECT_LT(r.tile_cycles, r.leopard_cycles + 5 * 48) << r.target_rate << " " << r.n_dpu;
  }
  LeopardFlowOptions o = small();
  o.vpu_cycles_per_score = 2;  // not the generated V-PU's rate: no exact column
  EXPECT_EQ(run_leopard_flow(o)[0].tile_cycles, 0);
}

TEST(LeopardFlow, SlowerVpuFavoursPruning) {
  LeopardFlowOptions o = small();
  o.rates = {75};
  const double fast = run_leopard_flow(o)[0].speedup;
  o.vpu_cycles_per_score = 2;
  EXPECT_GT(run_leopard_flow(o)[0].speedup, fast);
}

}  // namespace
}  // namespace accelgen::flows
