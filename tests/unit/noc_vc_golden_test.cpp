// The VC/wormhole NoC golden model against hand-computed timing (golden_model/README.md, "Virtual
// channels, wormhole packets and credits"): a K-flit packet over H hops, one-slot VC buffers,
// credit back-pressure behind a held output VC, two packets sharing a link on two VCs; plus
// equality with the base router's model where the specification makes them the same, and multi-flit
// traffic.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_traffic.hpp"
#include "golden_model/noc/noc_vc_model.hpp"

namespace accelgen {
namespace {

using golden::NocVcFlit;
using golden::NocVcSim;

NocParams vc_params(int rows, int cols, int vcs, int depth, int flits,
                    const std::string& topology = "mesh") {
  NocParams p;
  p.rows = rows;
  p.cols = cols;
  p.topology = topology;
  p.vcs = vcs;
  p.vc_depth = depth;
  p.packet_flits = flits;
  return p;
}

struct Pkt {
  int src, dst;
  int64_t created;
};

// Runs PACKETS (offered in order per source from their creation cycle) and returns, per packet, the
// injection and ejection cycle of every flit.
struct Cycles {
  std::vector<std::vector<int64_t>> inj, ej;
};
Cycles run(const NocParams& p, const std::vector<Pkt>& packets) {
  NocVcSim sim(p);
  const int N = p.rows * p.cols, K = p.packet_flits;
  std::vector<std::deque<NocVcFlit>> q(N);
  std::vector<std::deque<int64_t>> when(N);
  for (size_t i = 0; i < packets.size(); ++i) {
    for (int j = 0; j < K; ++j) {
      q[packets[i].src].push_back(
          {static_cast<int64_t>(i), j, packets[i].src, packets[i].dst, j == 0, j == K - 1});
      when[packets[i].src].push_back(packets[i].created);
    }
  }
  Cycles c;
  c.inj.assign(packets.size(), std::vector<int64_t>(K, -1));
  c.ej = c.inj;
  std::vector<const NocVcFlit*> offers(N);
  size_t left = packets.size() * K;
  for (int64_t t = 0; t < 2000 && left > 0; ++t) {
    for (int n = 0; n < N; ++n)
      offers[n] = !q[n].empty() && when[n].front() <= t ? &q[n].front() : nullptr;
    sim.step(offers);
    for (const auto& e : sim.injected()) {
      c.inj[e.packet][e.index] = t;
      q[e.node].pop_front();
      when[e.node].pop_front();
    }
    for (const auto& e : sim.ejected()) {
      EXPECT_EQ(e.node, packets[e.packet].dst);
      EXPECT_EQ(c.ej[e.packet][e.index], -1) << "flit ejected twice";
      c.ej[e.packet][e.index] = t;
      --left;
    }
  }
  return c;
}

using V = std::vector<int64_t>;

TEST(NocVcGolden, PacketOfKFlitsOverHHopsIsOneCyclePerHopPlusOnePerFlit) {
  // (0,0) -> (7,7): H = 14 on the mesh; flits injected in 0..3 leave in 1 + 14 + j.
  for (int vcs : {1, 2, 4}) {
    Cycles c = run(vc_params(8, 8, vcs, 4, 4), {{0, 63, 0}});
    EXPECT_EQ(c.inj[0], (V{0, 1, 2, 3})) << vcs;
    EXPECT_EQ(c.ej[0], (V{15, 16, 17, 18})) << vcs;
  }
  // AMP (length 2): 3 express + 1 mesh hop per dimension, H = 8.
  EXPECT_EQ(run(vc_params(8, 8, 2, 4, 8, "amp"), {{0, 63, 0}}).ej[0],
            (V{9, 10, 11, 12, 13, 14, 15, 16}));
  // Created in cycle 5, to its own node: one cycle in the local VC, tail at 5 + 0 + K.
  EXPECT_EQ(run(vc_params(4, 4, 2, 2, 3), {{11, 11, 5}}).ej[0], (V{6, 7, 8}));
}

TEST(NocVcGolden, OneSlotVcBufferCarriesAFlitEveryOtherCycle) {
  // Depth 1: the local VC is full in the cycle its flit leaves, and a slot's credit returns one
  // cycle after the pop. (0,0) -> (0,1), K = 3: injected 0, 2, 4; ejected 2, 4, 6.
  Cycles c = run(vc_params(2, 2, 1, 1, 3), {{0, 1, 0}});
  EXPECT_EQ(c.inj[0], (V{0, 2, 4}));
  EXPECT_EQ(c.ej[0], (V{2, 4, 6}));
}

TEST(NocVcGolden, CreditBackPressureBehindAHeldOutputVc) {
  // 2x3 mesh, one VC of depth 2, K = 4. B (0,1) -> (0,2) takes (0,1).E in cycle 1 and holds its
  // only VC until its tail is sent in cycle 4. A (0,0) -> (0,2) fills (0,1).W (2 flits), so
  // (0,0).E runs out of credits; A's head is granted in cycle 5 and ejected in 6, after B's tail
  // left the ejection port in 5; A's flits 2 and 3 move on the credits freed in 5 and 6.
  Cycles c = run(vc_params(2, 3, 1, 2, 4), {{0, 2, 0}, {1, 2, 0}});
  EXPECT_EQ(c.ej[1], (V{2, 3, 4, 5}));
  EXPECT_EQ(c.ej[0], (V{6, 7, 8, 9}));
  EXPECT_EQ(c.inj[0], (V{0, 1, 2, 3}));
  EXPECT_EQ(c.inj[1], (V{0, 1, 2, 3}));
}

TEST(NocVcGolden, TwoPacketsShareALinkOnTwoVcsAndAlternate) {
  // A (0,0) -> (1,2) and B (0,1) -> (0,2), K = 4, both through (0,1).E. B gets VC 0 in cycle 1;
  // A's head arrives in cycle 2, gets VC 1, and the output's switch round robin alternates:
  // B in 1, 3, 5, 7 (ejected one cycle later at (0,2)), A in 2, 4, 6, 8 (two more hops).
  Cycles c = run(vc_params(2, 3, 2, 4, 4), {{0, 5, 0}, {1, 2, 0}});
  EXPECT_EQ(c.ej[1], (V{2, 4, 6, 8}));
  EXPECT_EQ(c.ej[0], (V{4, 6, 8, 10}));
  // With one VC, A waits for B's tail (wormhole): B streams 2..5, A follows one flit per cycle.
  c = run(vc_params(2, 3, 1, 4, 4), {{0, 5, 0}, {1, 2, 0}});
  EXPECT_EQ(c.ej[1], (V{2, 3, 4, 5}));
  EXPECT_EQ(c.ej[0], (V{7, 8, 9, 10}));
}

TEST(NocVcGolden, OnePacketAtATimeLeavesAnEjectionPort) {
  // Two 3-flit packets from opposite sides into (0,1);
  // heads present in cycle 2; ejection VC allocation, round robin over k = i*V + v from pointer 0:
  // E (k = 2*2 = 4) before W (k = 8); W's packet follows once the tail of the first has left (cycle
  // 4).
  Cycles c = run(vc_params(2, 3, 2, 4, 3), {{0, 1, 0}, {2, 1, 0}});
  EXPECT_EQ(c.ej[1], (V{2, 3, 4}));
  EXPECT_EQ(c.ej[0], (V{5, 6, 7}));
}

TEST(NocVcGolden, OneVcOneFlitEqualsTheBaseRouter) {
  // The specification makes the VC router with V = 1, K = 1 behave exactly as the base router:
  // two independent models must agree on every injection and ejection cycle under saturation.
  for (const char* topo : {"mesh", "amp"}) {
    NocParams p = vc_params(5, 4, 1, 2, 1, topo);
    p.express_len = 2;
    p.buffer_depth = 2;
    NocStimulus s;
    s.injection_rate = 100;
    s.source_queue = 4;
    golden::NocTraffic traffic(p, s, 42);
    golden::NocSim base(p);
    NocVcSim vc(p);
    const int N = p.rows * p.cols;
    std::vector<std::deque<golden::NocFlit>> qa(N);
    std::vector<std::deque<NocVcFlit>> qb(N);
    std::vector<std::pair<int, int>> fresh;
    int64_t id = 0, checked = 0;
    for (int64_t t = 0; t < 3000; ++t) {
      fresh.clear();
      if (t < 2000) traffic.generate(t, fresh);
      for (auto [src, dst] : fresh) {
        if (qa[src].size() >= 4) continue;
        qa[src].push_back({id, src, dst});
        qb[src].push_back({id, 0, src, dst, true, true});
        ++id;
      }
      std::vector<const golden::NocFlit*> oa(N);
      std::vector<const NocVcFlit*> ob(N);
      for (int n = 0; n < N; ++n) {
        oa[n] = qa[n].empty() ? nullptr : &qa[n].front();
        ob[n] = qb[n].empty() ? nullptr : &qb[n].front();
      }
      base.step(oa);
      vc.step(ob);
      std::map<int64_t, int> ia, ib, ea, eb;
      for (const auto& e : base.injected()) ia[e.id] = e.node;
      for (const auto& e : vc.injected()) ib[e.packet] = e.node;
      for (const auto& e : base.ejected()) ea[e.id] = e.node;
      for (const auto& e : vc.ejected()) eb[e.packet] = e.node;
      ASSERT_EQ(ia, ib) << topo << " cycle " << t;
      ASSERT_EQ(ea, eb) << topo << " cycle " << t;
      for (auto [pid, n] : ia) {
        qa[n].pop_front();
        qb[n].pop_front();
      }
      checked += static_cast<int64_t>(ea.size());
    }
    EXPECT_EQ(checked, id) << topo;
    EXPECT_GT(checked, 5000) << topo;
  }
}

TEST(NocVcGolden, MultiFlitTrafficOfEveryKindDrains) {
  const BlockInfo& info = find_block("noc");
  for (const char* traffic : {"uniform", "transpose", "hotspot", "neighbour", "pipeorgan"}) {
    std::vector<std::string> sets = {"rows=4",
                                     "cols=4",
                                     "vcs=2",
                                     "vc_depth=3",
                                     "packet_flits=4",
                                     std::string("traffic=") + traffic,
                                     "injection_rate=100",
                                     "source_queue=8",
                                     "cycles=2000",
                                     "interval=8"};
    if (sets[5] == "traffic=pipeorgan") sets.push_back("tile_flits=8");
    ParamSet set = resolve_params(info, "", sets, true);
    golden::NocRunStats st =
        golden::run_noc_golden(NocParams::from(set), NocStimulus::from(set), 3);
    EXPECT_TRUE(st.drained) << traffic;
    EXPECT_EQ(st.delivered, st.created) << traffic;
    EXPECT_GT(st.created, 100) << traffic;
  }
}

TEST(NocVcGolden, BadTrafficParametersAreRefused) {
  const BlockInfo& info = find_block("noc");
  auto refused = [&](std::vector<std::string> sets) {
    try {
      resolve_params(info, "", sets, true);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(refused({"packet_flits=4", "traffic=pipeorgan", "tile_flits=6"})
                .find("not a multiple of packet_flits"),
            std::string::npos);
  EXPECT_NE(refused({"packet_flits=4", "traffic=uniform", "tile_flits=8"})
                .find("applies to traffic=pipeorgan"),
            std::string::npos);
  EXPECT_NE(refused({"vc_depth=3"}).find("applies to the VC router"), std::string::npos);
  EXPECT_NE(refused({"vcs=9"}), "");
  EXPECT_NE(refused({"topology=amp", "vcs=8"}).find("at most 64 (vcs <= 7)"), std::string::npos);
  EXPECT_EQ(refused({"vcs=8"}), "");
  EXPECT_EQ(
      refused({"vcs=2", "vc_depth=3", "packet_flits=4", "traffic=pipeorgan", "tile_flits=12"}), "");
}

}  // namespace
}  // namespace accelgen
