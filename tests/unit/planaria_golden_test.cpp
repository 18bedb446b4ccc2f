// The planaria parameters, configuration builder and golden model against hand-computed words,
// crossbar selects, values and cycles (golden_model/README.md, "planaria").
#include <gtest/gtest.h>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/planaria_params.hpp"
#include "golden_model/planaria/planaria_model.hpp"

namespace accelgen::golden {
namespace {

PlanariaParams thesis() { return PlanariaParams{}; }  // 16 subarrays of 32 x 32 in 4 pods

PlanariaParams tiny() {
  PlanariaParams p;
  p.sub_rows = p.sub_cols = 2;
  p.subarrays = 2;
  p.pods = 1;
  return p;
}

TEST(PlanariaParams, Table52HasFifteenHomogeneousShapes) {
  const auto shapes = homogeneous_shapes(16);
  ASSERT_EQ(shapes.size(), 15u);
  std::vector<std::string> names;
  for (const auto& s : shapes) names.push_back(fission_name(s, thesis()));
  const std::vector<std::string> want = {"32x512x1", "64x256x1", "128x128x1", "256x64x1",
                                         "512x32x1", "32x256x2", "64x128x2",  "128x64x2",
                                         "256x32x2", "32x128x4", "64x64x4",   "128x32x4",
                                         "32x64x8",  "64x32x8",  "32x32x16"};
  EXPECT_EQ(names, want);
}

TEST(PlanariaParams, ParsesAndRejectsFissionConfigurations) {
  EXPECT_EQ(parse_fission("64x128x2", thesis()), (FissionShape{2, 4, 2}));
  PlanariaParams small = thesis();
  small.sub_rows = small.sub_cols = 4;
  EXPECT_EQ(parse_fission("8x16x2", small), (FissionShape{2, 4, 2}));
  EXPECT_EQ(parse_fission("32x32x4", thesis()), (FissionShape{1, 1, 4}));  // partial use is allowed
  EXPECT_THROW(parse_fission("65x128x2", thesis()), UserError);            // not a multiple
  EXPECT_THROW(parse_fission("256x256x1", thesis()), UserError);           // 64 subarrays > 16
  EXPECT_THROW(parse_fission("64x128x3", thesis()), UserError);            // 24 > 16
  for (const char* bad : {"", "64x128", "64x128x2x1", "ax128x2", "64x0x2", "-64x128x2", "64x128x"})
    EXPECT_THROW(parse_fission(bad, thesis()), UserError) << bad;
  try {
    parse_fission("256x256x1", thesis());
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("allocation beyond the array"), std::string::npos)
        << e.what();
  }
}

// The registry path `accelgen verify/generate` takes: every bad input is one UserError line.
std::string rejection(const std::vector<std::string>& sets) {
  try {
    resolve_params(find_block("planaria"), "", sets, true);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(PlanariaParams, RegistryRejectsBadInputWithOneLine) {
  EXPECT_NE(rejection({"fission=bogus"}).find("is not RxCxk"), std::string::npos);
  EXPECT_NE(rejection({"fission=256x256x1"}).find("allocation beyond the array of 16"),
            std::string::npos);
  EXPECT_NE(rejection({"fission=65x128x2"}).find("unknown fission configuration"),
            std::string::npos);
  EXPECT_NE(rejection({"fission="}).find("fission"), std::string::npos);
  EXPECT_NE(rejection({"subarrays=12"}).find("power of two"), std::string::npos);
  EXPECT_NE(rejection({"pods=16"}).find("at least 2 subarrays per pod"), std::string::npos);
  EXPECT_NE(rejection({"pods=3"}).find("power of two"), std::string::npos);
  EXPECT_NE(rejection({"in_bits=16", "acc_bits=24"}).find("acc_bits"), std::string::npos);
  EXPECT_EQ(rejection({"sub_rows=4", "sub_cols=4", "fission=8x16x2"}), "");
  EXPECT_EQ(rejection({"fission=mixed"}), "");
  for (const auto& sets : {std::vector<std::string>{"fission=bogus"}, {"fission=256x256x1"}})
    EXPECT_EQ(rejection(sets).find('\n'), std::string::npos);
}

TEST(PlanariaConfig, FiveHomogeneousShapesUseTheOmniDirectionalFeature) {
  // Chains crossing a pod boundary (4 subarrays per pod): 1x16, 1x8, 16x1, 8x1, 8x2.
  std::vector<std::pair<int, int>> omni;
  for (const auto& s : homogeneous_shapes(16))
    if (planaria_uses_omni(thesis(), 0, s.i, s.j)) omni.push_back({s.i, s.j});
  const std::vector<std::pair<int, int>> want = {{1, 16}, {8, 2}, {16, 1}, {1, 8}, {8, 1}};
  EXPECT_EQ(omni, want);
}

std::vector<PlanariaCluster> homogeneous(int i, int j, int k, bool reverse = false) {
  std::vector<PlanariaCluster> out;
  for (int c = 0; c < k; ++c) {
    PlanariaCluster cl;
    cl.first = c * i * j;
    cl.i = i;
    cl.j = j;
    cl.reverse = reverse;
    out.push_back(cl);
  }
  return out;
}

TEST(PlanariaConfig, MonolithicShapeChainsPartialSumsInsideEachPod) {
  std::vector<PlanariaRole> roles;
  const PlanariaConfig c = build_planaria_config(thesis(), homogeneous(4, 4, 1), &roles);
  for (int s = 0; s < 16; ++s) {
    EXPECT_EQ(c.word[s], s % 4 == 0 ? 0 : kPsumPrev) << s;
    EXPECT_EQ(c.x_sel[s], s % 4) << s;  // every subarray reads its own slice's buffer
    // Output buffer 0 of each pod takes the chain end, subarray 3.
    EXPECT_EQ(c.y_en[s], s % 4 == 0 ? 1 : 0) << s;
    if (s % 4 == 0) {
      EXPECT_EQ(c.y_sel[s], 3);
    }
    EXPECT_EQ(roles[s].group, s / 4);
    EXPECT_EQ(roles[s].position, s % 4);
  }
}

TEST(PlanariaConfig, FatShapeSnakesTheActivationRingThroughOddPodsReversed) {
  const PlanariaConfig c = build_planaria_config(thesis(), homogeneous(1, 16, 1), nullptr);
  for (int s = 0; s < 16; ++s) {
    const int odd_pod = (s / 4) % 2;
    EXPECT_EQ(c.word[s], (s == 0 ? 0 : kActPrev) | (odd_pod ? kActDir : 0)) << s;
    EXPECT_EQ(c.y_en[s], 1);
    EXPECT_EQ(c.y_sel[s], s % 4);
  }
}

TEST(PlanariaConfig, ReversedTallShapeUsesTheBackwardPartialSumRing) {
  const PlanariaConfig c = build_planaria_config(thesis(), homogeneous(16, 1, 1, true), nullptr);
  for (int s = 0; s < 16; ++s) {
    const int odd_pod = (s / 4) % 2;
    EXPECT_EQ(c.word[s], (s == 15 ? 0 : kPsumNext) | (odd_pod ? kPsumDir : 0)) << s;
    EXPECT_EQ(c.y_en[s], s == 0 ? 1 : 0) << s;  // the chain ends at subarray 0
  }
  EXPECT_EQ(c.y_sel[0], 0);
}

TEST(PlanariaConfig, TwoRowShapeMulticastsSlicesAndGathersOutputs) {
  // (2, 8): column groups {0,1}, {2,3}, ...: slice 0 from buffer 0, slice 1 from buffer 1.
  const PlanariaConfig c = build_planaria_config(thesis(), homogeneous(2, 8, 1), nullptr);
  for (int s = 0; s < 16; ++s) {
    EXPECT_EQ(c.word[s], s % 2 ? kPsumPrev : 0) << s;
    EXPECT_EQ(c.x_sel[s], s % 2) << s;
  }
  // Pod 0: the group {0, 1} ends at 1 -> buffer 0; the group {2, 3} ends at 3 -> buffer 2.
  EXPECT_EQ(c.y_en[0], 1);
  EXPECT_EQ(c.y_sel[0], 1);
  EXPECT_EQ(c.y_en[1], 0);
  EXPECT_EQ(c.y_en[2], 1);
  EXPECT_EQ(c.y_sel[2], 3);
  EXPECT_EQ(c.y_en[3], 0);
}

TEST(PlanariaConfig, RejectsAllocationsBeyondTheArrayAndOverlaps) {
  PlanariaCluster a;
  a.first = 12;
  a.i = 2;
  a.j = 4;  // 8 subarrays from 12: beyond 16
  EXPECT_THROW(build_planaria_config(thesis(), {a}), UserError);
  PlanariaCluster b;
  b.first = 0;
  b.i = 4;
  b.j = 2;
  PlanariaCluster c;
  c.first = 6;
  c.i = 2;
  c.j = 1;
  EXPECT_THROW(build_planaria_config(thesis(), {b, c}), UserError);
  c.first = 8;
  EXPECT_NO_THROW(build_planaria_config(thesis(), {b, c}));
  PlanariaCluster zero;
  zero.i = 0;
  EXPECT_THROW(build_planaria_config(thesis(), {zero}), UserError);
}

TEST(PlanariaConfig, PacksTheConfigurationBusLayout) {
  // tiny: S = 2, Q = 2: 12 word bits, then x_sel (2 x 1 bit), y_sel (2 x 1), y_en (2 x 1).
  PlanariaConfig c{{kActDir | kPsumPrev, kActNext}, {1, 0}, {0, 1}, {1, 0}};
  EXPECT_EQ(planaria_config_bits(tiny()), 18);
  const auto words = pack_planaria_config(tiny(), c);
  ASSERT_EQ(words.size(), 1u);
  const uint32_t want = (kActDir | kPsumPrev) | (kActNext << 6) | (1u << 12) | (0u << 13) |
                        (0u << 14) | (1u << 15) | (1u << 16) | (0u << 17);
  EXPECT_EQ(words[0], want);
  EXPECT_EQ(planaria_config_bits(thesis()), 6 * 16 + 4 * 4 * 5);
}

PlanariaCluster tiny_cluster(int i, int j) {
  PlanariaCluster cl;
  cl.i = i;
  cl.j = j;
  // (i*2) x (j*2) weights 1, 2, 3, ... row-major; one vector 1, 2, ...
  for (int e = 0; e < i * 2 * j * 2; ++e) cl.weights.push_back(e + 1);
  std::vector<int64_t> v;
  for (int r = 0; r < i * 2; ++r) v.push_back(r + 1);
  cl.vectors.push_back(v);
  return cl;
}

TEST(PlanariaGolden, TallChainByHand) {
  // R = C = 2, Q = 2: tile start at Q*R = 4; slice 0 enters at 5, slice 1 at 5 + (R+1) = 8;
  // the output leaves at 8 + R + C + 1 = 13. W = [[1,2],[3,4],[5,6],[7,8]], x = [1,2,3,4].
  const PlanariaPrediction pred = predict_planaria(tiny(), {PlanariaTile{{tiny_cluster(2, 1)}}});
  ASSERT_EQ(pred.plan.size(), 1u);
  EXPECT_EQ(pred.plan[0].start_cycle, 4);
  ASSERT_EQ(pred.plan[0].beats.size(), 2u);
  EXPECT_EQ(pred.plan[0].beats[0].cycle, 5);
  EXPECT_EQ(pred.plan[0].beats[0].lane, 0);
  EXPECT_EQ(pred.plan[0].beats[1].cycle, 8);
  EXPECT_EQ(pred.plan[0].beats[1].lane, 1);
  ASSERT_EQ(pred.outputs.size(), 1u);
  EXPECT_EQ(pred.outputs[0].cycle, 13);
  EXPECT_EQ(pred.outputs[0].lane, 0);  // the group's lowest subarray's buffer
  EXPECT_EQ(pred.outputs[0].y,
            (std::vector<int64_t>{1 * 1 + 2 * 3 + 3 * 5 + 4 * 7, 1 * 2 + 2 * 4 + 3 * 6 + 4 * 8}));
  EXPECT_EQ(pred.cycles, 14);
}

TEST(PlanariaGolden, FatChainByHand) {
  // (1, 2): W = [[1,2,3,4],[5,6,7,8]], x = [1,2]; subarray 0 enters at 5 (output 10), subarray 1
  // receives the vector over the activation ring at 5 + C + 1 = 8 (output 13).
  const PlanariaPrediction pred = predict_planaria(tiny(), {PlanariaTile{{tiny_cluster(1, 2)}}});
  ASSERT_EQ(pred.outputs.size(), 2u);
  EXPECT_EQ(pred.outputs[0].cycle, 10);
  EXPECT_EQ(pred.outputs[0].lane, 0);
  EXPECT_EQ(pred.outputs[0].y, (std::vector<int64_t>{1 + 10, 2 + 12}));
  EXPECT_EQ(pred.outputs[1].cycle, 13);
  EXPECT_EQ(pred.outputs[1].lane, 1);
  EXPECT_EQ(pred.outputs[1].y, (std::vector<int64_t>{3 + 14, 4 + 16}));
}

TEST(PlanariaGolden, NextTileWaitsForDrainAndWeights) {
  // Tile 1: configuration and weights from 5, start = max(4 + QR + 1, 13 + 1) = 14.
  const PlanariaPrediction pred = predict_planaria(
      tiny(), {PlanariaTile{{tiny_cluster(2, 1)}}, PlanariaTile{{tiny_cluster(1, 2)}}});
  ASSERT_EQ(pred.plan.size(), 2u);
  EXPECT_EQ(pred.plan[1].config_cycle, 5);
  EXPECT_EQ(pred.plan[1].weight_cycle, 5);
  EXPECT_EQ(pred.plan[1].start_cycle, 14);
  ASSERT_EQ(pred.outputs.size(), 3u);
  EXPECT_EQ(pred.outputs[1].cycle, 14 + 1 + 5);
  EXPECT_EQ(pred.outputs[2].cycle, 14 + 1 + 3 + 5);
}

TEST(PlanariaGolden, WrapsModuloTheAccumulator) {
  PlanariaParams p = tiny();
  p.acc_bits = 16;
  PlanariaCluster cl = tiny_cluster(2, 1);
  for (auto& w : cl.weights) w = -128;
  cl.vectors[0] = {-128, -128, -128, -128};
  // 4 * 16384 = 65536 wraps to 0 in 16 bits.
  const PlanariaPrediction pred = predict_planaria(p, {PlanariaTile{{cl}}});
  EXPECT_EQ(pred.outputs[0].y, (std::vector<int64_t>{0, 0}));
}

}  // namespace
}  // namespace accelgen::golden
