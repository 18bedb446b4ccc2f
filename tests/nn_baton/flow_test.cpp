// NN-Baton flows: the pre-design sweep's per-design energies against an independent brute force
// (the post-design search per layer through energy(traffic())), the sweep's point count, Table II's
// compute options, Table I ratios through the shared tech table, the rotating primitive, halos,
// and the Simba-like baseline's partial-sum traffic.
#include "flows/nn_baton/flow.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"

namespace accelgen::flows::nn_baton {
namespace {

TEST(NnBatonExplore, DesignEnergiesEqualThePerLayerBruteForce) {
  const Tech tech = load_tech("nn_baton_16nm");
  ExploreOptions e;
  e.macs = 128;
  e.area_mm2 = 100;
  e.models = {"alexnet"};
  e.resolution = 64;
  e.np = {2};
  e.nc = {2, 4};
  e.l = {4, 8};
  e.p = {4, 8};
  e.ol1 = {48, 96};
  e.al1 = {1024, 4096};
  e.wl1 = {2048, 18432};
  e.al2 = {32768, 65536};
  const ExploreResult r = run_explore(e, tech);
  // (2,2,4,8), (2,2,8,4), (2,4,4,4): 3 compute options x 2 x 2 x 2 x 2 memory points.
  EXPECT_EQ(r.points, 3 * 16);
  EXPECT_EQ(r.area_ok, r.points);
  const std::vector<Layer> layers = model_layers("alexnet", 64);
  ASSERT_FALSE(r.designs.empty());
  for (const DesignPoint& d : r.designs) {
    double want = 0;
    int64_t cycles = 0;
    for (const Layer& l : layers) {
      const LayerResult b = best_mapping(l, d.hw, tech, {}, true);
      want += b.energy.total();
      cycles += b.cycles;
    }
    EXPECT_NEAR(d.energy_pj, want, 1e-9 * want) << d.hw.name();
    EXPECT_NEAR(d.score, want * 1e-12 * static_cast<double>(d.cycles) / 500e6, 1e-9 * d.score);
    (void)
        cycles;  // equal-energy ties may pick either mapping's cycles; energy is what both minimise
  }
  // The best design has the lowest EDP of all.
  for (const DesignPoint& d : r.designs)
    EXPECT_GE(d.score, r.designs[static_cast<size_t>(r.best)].score);
}

// Regression: with 16 lanes and the smallest O-L1 (48 B: one output pixel) the coarse space must
// still offer a 1x1 core tile on a 224-wide plane (ceil(224 / 2^j) never reaches 1 before 2^j > 224).
TEST(NnBatonExplore, CoarseSpaceAlwaysHasAOnePixelTile) {
  const Layer l = parse_layer("c:3x224x224->64,k3x3,s1,p1");
  for (int64_t ol1 : {48, 96, 144}) {
    const Hardware hw{1, 16, 16, 16, ol1, 1024, 2048, 32768, 0};
    int valid = 0;
    for (const Mapping& m : mapping_space(l, hw, true)) valid += analyse(l, hw, m).valid;
    EXPECT_GT(valid, 0) << ol1;
  }
}

TEST(NnBatonExplore, InfeasibleBudgetsAreUserErrors) {
  const Tech tech = load_tech("nn_baton_16nm");
  ExploreOptions e;
  e.models = {"alexnet"};
  e.resolution = 64;
  e.macs = 3000;  // no product of Table II options
  EXPECT_THROW(run_explore(e, tech), UserError);
  e.macs = 2048;
  e.area_mm2 = 0.05;  // smaller than the MACs alone
  EXPECT_THROW(run_explore(e, tech), UserError);
  e.area_mm2 = -1;
  EXPECT_THROW(run_explore(e, tech), UserError);
}

TEST(NnBatonTech, TableIRatiosAndArea) {
  const Tech t = load_tech("nn_baton_16nm");
  EXPECT_DOUBLE_EQ(t.dram_pj_per_bit / t.mac_pj, 8.75 / 0.024);
  EXPECT_NEAR(t.d2d_pj_per_bit / t.mac_pj, 48.75, 1e-9);  // Table I prints 53.75x: a typo (README)
  EXPECT_NEAR(t.sram_pj_per_bit(1024), 0.3, 1e-12);
  EXPECT_NEAR(t.sram_pj_per_bit(32 * 1024), 0.81, 1e-12);
  // One chiplet of 4-4-16-8 with no SRAM at all: 512 MACs x 135.1 um^2 + two GRS PHYs.
  Hardware hw{4, 4, 16, 8, 0, 0, 0, 0, 0};
  hw.ol1 = hw.al1 = hw.wl1 = hw.al2 = hw.ol2 = 0;
  EXPECT_NEAR(chiplet_area_mm2(hw, t), 512 * 135.1e-6 + 2 * 0.38, 1e-12);
  hw.np = 1;
  EXPECT_NEAR(chiplet_area_mm2(hw, t), 512 * 135.1e-6, 1e-12);
}

TEST(NnBatonModel, RotationTrafficAndHalo) {
  // Point-wise layer split over 4 chiplets along CO: the activations are read once from DRAM and
  // pass the other 3 chiplets on the ring; weights are not shared.
  const Layer l = parse_layer("pw:16x8x8->64,k1x1");
  Hardware hw{4, 1, 4, 4, 3 * 4 * 64, 1 << 20, 1 << 20, 1 << 20, 1 << 20};
  Mapping m{Part::kC, 1, 1, 1, 8, 8, 4, 1, 1, Order::kChannel, Order::kChannel};
  MappingStreams s = analyse(l, hw, m);
  ASSERT_TRUE(s.valid) << s.why_invalid;
  Traffic t = traffic(s, hw, m);
  EXPECT_EQ(t.al2_fill, 4 * 16 * 8 * 8);  // every chiplet's A-L2 holds the whole input
  EXPECT_DOUBLE_EQ(t.dram_a, 16 * 8 * 8);
  EXPECT_DOUBLE_EQ(t.d2d, 3 * 16 * 8 * 8);
  EXPECT_DOUBLE_EQ(t.dram_w, 64 * 16);
  // P-type mirrors it: weights rotate, activations do not.
  m.pkg = Part::kP;
  m.hoc = 2;
  m.c1 = 16;
  s = analyse(l, hw, m);
  ASSERT_TRUE(s.valid) << s.why_invalid;
  t = traffic(s, hw, m);
  EXPECT_DOUBLE_EQ(t.dram_w, 64 * 16);
  EXPECT_DOUBLE_EQ(t.d2d, 3 * 64 * 16);
  EXPECT_DOUBLE_EQ(t.dram_a, 16 * 8 * 8);
  // Halo: a 7x7/2 kernel's neighbouring windows overlap by R - s = 5 rows.
  const Layer c = parse_layer("c1:3x64x64->64,k7x7,s2,p3");
  EXPECT_EQ(c.in_rows(4, 8) + c.in_rows(8, 12) - c.in_rows(4, 12), 5);
  // Stride 2 on a 1x1 kernel skips every other row.
  EXPECT_EQ(parse_layer("d:8x8x8->8,k1x1,s2").in_rows(0, 4), 4);
}

TEST(NnBatonSimba, PartialSumsCrossTheChiplets) {
  // One output element per chiplet column: Simba's CI split over 4 chiplet rows sends 3 24-bit
  // partial sums per output over D2D; with one chiplet row, none.
  const Tech tech = load_tech("nn_baton_16nm");
  const Layer l = parse_layer("fc:1024x1x1->4,k1x1");
  Hardware hw{4, 1, 4, 4, 48, 1 << 20, 1 << 20, 1 << 20, 0};
  const SimbaResult s = simba_best(l, hw, tech);
  EXPECT_EQ(s.pr * s.pc, 4);
  const double psum_bits = s.pr > 1 ? 8.0 * 3 * 4 * (s.pr - 1) : 0;
  const double act_bits = 8.0 * 1024 * (s.pc - 1);
  EXPECT_NEAR(s.energy.d2d, (psum_bits + act_bits) * 1.17, 1e-6);
}

TEST(NnBatonWorkloads, CaseStudyShapesAndResolution) {
  const auto c224 = case_study_layers(224);
  ASSERT_EQ(c224.size(), 5u);
  EXPECT_EQ(c224[1].ci, 512);
  EXPECT_EQ(c224[1].ho, 14);  // VGG-16 conv12 at 224
  EXPECT_EQ(c224[2].r, 7);
  EXPECT_EQ(c224[3].ho, 56);
  const auto c512 = case_study_layers(512);
  EXPECT_EQ(c512[3].ho, 128);
  // The FC layers keep their 224 shape at 512 (adaptive pooling before the classifier).
  const auto v512 = model_layers("vgg16", 512);
  EXPECT_EQ(v512[13].ci, 25088);
  EXPECT_EQ(model_layers("vgg16", 512, true).size(), 13u);
  // Peak single-layer weights: 2.25 MiB for VGG-16 and ResNet-50, 4.5 MiB for DarkNet-19 (§VI-C).
  const auto peak_conv = [](const std::string& m) {
    int64_t p = 0;
    for (const Layer& l : model_layers(m, 224, true)) p = std::max(p, l.weight_bytes());
    return p;
  };
  EXPECT_EQ(peak_conv("vgg16"), 2359296);
  EXPECT_EQ(peak_conv("resnet50"), 2359296);
  EXPECT_EQ(peak_conv("darknet19"), 4718592);
}

}  // namespace
}  // namespace accelgen::flows::nn_baton
