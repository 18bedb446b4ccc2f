// NN-Baton: C3P hand cases (the digest's §2.8 example and the paper's Examples 1-2), the corrected
// against the printed Eq. (1), and the decisive check: C3P (and the closed-form reads and cycles)
// equal the trace simulator's exact counts on every mapping of a seeded scan of small layers.
#include <gtest/gtest.h>

#include <random>

#include "common/error.hpp"
#include "flows/nn_baton/model.hpp"
#include "flows/nn_baton/trace_sim.hpp"

namespace accelgen::flows::nn_baton {
namespace {

// Paper Example 1 (Fig. 6(c)): loops C1=4, H1=W1=2, C2=2, H2=W2=3 (inner to outer), filters F.
TEST(C3p, Example1WeightsCriticalCapacities) {
  const int64_t F = 100;
  const std::vector<Loop> nest = {{'C', 1, 4}, {'H', 1, 2}, {'W', 1, 2},
                                  {'C', 2, 2}, {'H', 2, 3}, {'W', 2, 3}};
  const auto steps = c3p_steps(nest, "C", F);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].cc, 4 * F);  // Cc_1 = C1 x filters
  EXPECT_EQ(steps[0].factor, 4);  // H1 x W1
  EXPECT_EQ(steps[1].cc, 8 * F);  // Cc_2 = C2 x C1 x filters
  EXPECT_EQ(steps[1].factor, 9);  // H2 x W2
  const C3pStream st{5000, steps};
  EXPECT_EQ(st.total(4 * F - 1), 5000 * 4 * 9);
  EXPECT_EQ(st.total(4 * F), 5000 * 9);
  EXPECT_EQ(st.total(8 * F - 1), 5000 * 9);
  EXPECT_EQ(st.total(8 * F), 5000);
  // The printed Eq. (1) would charge 2 A_0 even with no penalty at all.
  EXPECT_EQ(st.total_literal_eq1(8 * F), 2 * 5000);
  EXPECT_EQ(st.total_literal_eq1(4 * F - 1), 5000 * (1 + 36));
}

// Paper Example 2 (Fig. 6(d)): C1, H1, W1, H2, W2, C2 -- only Cc_1 matters (C2 at the boundary).
TEST(C3p, Example2BoundaryHasNoPenalty) {
  const std::vector<Loop> nest = {{'C', 1, 4}, {'H', 1, 2}, {'W', 1, 2},
                                  {'H', 2, 3}, {'W', 2, 3}, {'C', 2, 2}};
  const auto steps = c3p_steps(nest, "C", 10);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].cc, 40);
  EXPECT_EQ(steps[0].factor, 2 * 2 * 3 * 3);
}

// The digest's §2.8 layer: 8x8x32 outputs, CI 16, 3x3, no padding; one chiplet, one core, L = P =
// 8, core workload 4x4x8 (C1 = 4, H1 = W1 = 2). Numbers computed by hand.
TEST(C3p, HandExampleChannelAndPlanePriority) {
  Layer l{"hand", 16, 32, 10, 10, 8, 8, 3, 3, 1, 0, 0};
  Hardware hw{1, 1, 8, 8, 3 * 16 * 8, 576, 2048, 1 << 20, 1 << 20};
  Mapping m{Part::kC, 1, 1, 1, 4, 4, 4, 2, 2, Order::kChannel, Order::kChannel};
  MappingStreams s = analyse(l, hw, m);
  ASSERT_TRUE(s.valid) << s.why_invalid;
  // W-L1: Cc_1 = 4 x 1152 = 4608 B, region {H1, W1}: 2 KB -> 18,432 B; >= 4608 B -> 4608 B.
  ASSERT_EQ(s.wl1.size(), 1u);
  EXPECT_EQ(s.wl1[0].total(2048), 18432);
  EXPECT_EQ(s.wl1[0].total(4608), 4608);
  // A-L1: the tile window is 6x6x16 = 576 B; A_0 = 4 tiles = 2304 B; below 576 B every C1 step
  // reloads.
  ASSERT_EQ(s.al1.size(), 1u);
  EXPECT_EQ(s.al1[0].a0, 2304);
  EXPECT_EQ(s.al1[0].total(576), 2304);
  EXPECT_EQ(s.al1[0].total(575), 9216);
  // Plane priority: W-L1 Cc_0 = 1152 B over {H1, W1}; A-L1 Cc_1 = the whole plane's 4 tiles (2304 B
  // in whole-tile slots; the digest's 1600 B is the halo-free window, see README) over {C1}.
  m.core_order = Order::kPlane;
  s = analyse(l, hw, m);
  EXPECT_EQ(s.wl1[0].total(1151), 4608 * 4);
  EXPECT_EQ(s.wl1[0].total(1152), 4608);
  EXPECT_EQ(s.al1[0].total(2303), 2304 * 4);
  EXPECT_EQ(s.al1[0].total(2304), 2304);
}

TEST(C3p, MonotoneInCapacityAndAtLeastA0) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<Loop> nest;
    for (int i = 0; i < 6; ++i)
      nest.push_back({"CHW"[rng() % 3], 1 + i / 3, static_cast<int64_t>(1 + rng() % 5)});
    const C3pStream st{static_cast<int64_t>(1 + rng() % 1000),
                       c3p_steps(nest, trial % 2 ? "C" : "HW", 7)};
    int64_t prev = st.total(0);
    for (int64_t cap = 0; cap < 7 * 700; cap += 7) {
      const int64_t t = st.total(cap);
      EXPECT_LE(t, prev);
      EXPECT_GE(t, st.a0);
      prev = t;
    }
    EXPECT_EQ(st.total(int64_t{1} << 40), st.a0);
  }
}

void expect_equal(const Layer& l, const Hardware& hw, const Mapping& m) {
  const MappingStreams s = analyse(l, hw, m);
  ASSERT_TRUE(s.valid);
  const Traffic t = traffic(s, hw, m);
  const TraceCounts c = trace_simulate(l, hw, m);
  const std::string where = l.name + " on " + hw.name() + " " + m.str(hw.nc);
  EXPECT_EQ(t.wl1_fill, c.wl1_fill) << where;
  EXPECT_EQ(t.al1_fill, c.al1_fill) << where;
  EXPECT_EQ(t.al2_read, c.al2_read) << where;
  EXPECT_EQ(t.al2_fill, c.al2_fill) << where;
  EXPECT_EQ(t.wl1_read, c.wl1_read) << where;
  EXPECT_EQ(t.al1_read, c.al1_read) << where;
  EXPECT_EQ(t.rmw, c.rmw) << where;
  EXPECT_EQ(s.cycles, c.cycles) << where;
}

// Seeded scan: random small layers (odd sizes, padding, strides, kernels up to 5) on random small
// hardware with buffer sizes around the critical capacities, every mapping of the search space.
TEST(C3pVsTrace, EqualOnEveryMappingOfASeededScan) {
  std::mt19937 rng(20210614);
  const auto pick = [&](std::initializer_list<int64_t> v) {
    return *(v.begin() + rng() % v.size());
  };
  int64_t checked = 0;
  for (int trial = 0; trial < 24; ++trial) {
    Layer l;
    l.name = "scan" + std::to_string(trial);
    l.ci = pick({1, 3, 4, 8, 13});
    l.co = pick({2, 5, 8, 12, 16, 24});
    l.r = l.s = pick({1, 3, 5});
    l.stride = pick({1, 2});
    l.pad_h = l.pad_w = static_cast<int64_t>(rng() % static_cast<uint64_t>(l.r));
    l.hi = pick({5, 7, 9, 12});
    l.wi = pick({5, 6, 9});
    if (l.hi + 2 * l.pad_h < l.r || l.wi + 2 * l.pad_w < l.s) continue;
    l.ho = (l.hi + 2 * l.pad_h - l.r) / l.stride + 1;
    l.wo = (l.wi + 2 * l.pad_w - l.s) / l.stride + 1;
    if (l.in_rows(l.ho - 1, l.ho) == 0 || l.in_cols(l.wo - 1, l.wo) == 0) continue;
    Hardware hw;
    hw.np = static_cast<int>(pick({1, 2, 3}));
    hw.nc = static_cast<int>(pick({1, 2, 4}));
    hw.l = static_cast<int>(pick({2, 4}));
    hw.p = static_cast<int>(pick({2, 4}));
    hw.ol1 = 3 * hw.l * pick({1, 2, 4, 9});
    const int64_t w_item = hw.l * l.ci * l.r * l.s;
    const int64_t a_item = l.ci * l.r * l.s;
    hw.wl1 = w_item * pick({0, 1, 2, 3, 5}) + pick({1, 2});
    hw.al1 = a_item * pick({1, 2, 4, 8}) + pick({0, 1});
    hw.al2 = l.ci * l.hi * l.wi * pick({1, 2}) / pick({1, 2, 3}) + 64;
    hw.ol2 = pick({0, 256});
    ASSERT_NO_THROW(validate(l));
    for (const Mapping& m : mapping_space(l, hw)) {
      if (!analyse(l, hw, m).valid) continue;
      expect_equal(l, hw, m);
      ++checked;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(checked, 5000);  // the scan really covers many mappings
  RecordProperty("mappings_checked", static_cast<int>(checked));
}

TEST(C3pVsTrace, EqualOnTheCaseStudyLayersShrunk) {
  // The five case-study shapes with the plane cut to 10x10 (and conv1's 7x7/2 kept), case-study
  // hardware.
  const std::vector<Layer> layers = {
      parse_layer("act:3x10x10->64,k3x3,s1,p1"), parse_layer("wgt:64x4x4->64,k3x3,s1,p1"),
      parse_layer("big:3x15x15->16,k7x7,s2,p3"), parse_layer("pw:32x8x8->32,k1x1"),
      parse_layer("common:16x8x8->32,k3x3,s1,p1")};
  Hardware hw{2, 4, 8, 8, 3 * 8 * 4, 800, 1024 * 2, 8192, 0};
  for (const Layer& l : layers)
    for (const Mapping& m : mapping_space(l, hw, true))
      if (analyse(l, hw, m).valid) expect_equal(l, hw, m);
}

TEST(NnBatonLayer, MalformedLayersAreUserErrors) {
  EXPECT_THROW(parse_layer("x:3x10x10->0,k3x3"), UserError);
  EXPECT_THROW(parse_layer("x:3x2x2->8,k5x5"), UserError);
  EXPECT_THROW(parse_layer("nonsense"), UserError);
  EXPECT_THROW(parse_layer("x:3x10x10->8,k3x3,s0"), UserError);
  Layer l = parse_layer("ok:3x10x10->8,k3x3,s1,p1");
  EXPECT_EQ(l.ho, 10);
  l.ho = 11;
  EXPECT_THROW(validate(l), UserError);
}

}  // namespace
}  // namespace accelgen::flows::nn_baton
