// The NoC golden model against hand-computed timing (zero-load hops, back-pressure, round-robin
// order), analytical channel loads of the PipeOrgan Fig. 15 organizations, traffic placement,
// conservation under load, and the generator's channel-dependency deadlock check.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "flows/noc/noc_sweep.hpp"
#include "generator/design.hpp"
#include "generator/noc/noc_gen.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_traffic.hpp"

namespace accelgen {
namespace {

using golden::NocFlit;
using golden::NocSim;

NocParams params(int rows, int cols, const std::string& topology = "mesh", int depth = 4) {
  NocParams p;
  p.rows = rows;
  p.cols = cols;
  p.topology = topology;
  p.buffer_depth = depth;
  return p;
}

// Injects FLITS (each offered from cycle `created`, in order per source) and returns the ejection
// cycle of each, by id.
struct Timed {
  NocFlit flit;
  int64_t created;
};
std::vector<int64_t> run(const NocParams& p, const std::vector<Timed>& flits, std::vector<int64_t>* injected = nullptr) {
  NocSim sim(p);
  const int N = p.rows * p.cols;
  std::vector<std::deque<Timed>> q(N);
  for (const auto& f : flits) q[f.flit.src].push_back(f);
  std::vector<int64_t> eject(flits.size(), -1);
  if (injected) injected->assign(flits.size(), -1);
  size_t done = 0;
  std::vector<const NocFlit*> offers(N);
  for (int64_t t = 0; t < 1000 && done < flits.size(); ++t) {
    for (int n = 0; n < N; ++n) offers[n] = !q[n].empty() && q[n].front().created <= t ? &q[n].front().flit : nullptr;
    sim.step(offers);
    for (const auto& e : sim.injected()) {
      if (injected) (*injected)[e.id] = t;
      q[e.node].pop_front();
    }
    for (const auto& e : sim.ejected()) {
      EXPECT_EQ(e.node, flits[e.id].flit.dst);
      eject[e.id] = t;
      ++done;
    }
  }
  return eject;
}

TEST(NocGolden, ZeroLoadLatencyIsOneCyclePerHopPlusOne) {
  // (0,0) -> (7,7): 14 mesh hops; on AMP (length 2) 3 express + 1 mesh hop per dimension = 8.
  EXPECT_EQ(run(params(8, 8), {{{0, 0, 63}, 0}})[0], 15);
  EXPECT_EQ(run(params(8, 8, "amp"), {{{0, 0, 63}, 0}})[0], 9);
  // Created in cycle 5, (2,3) -> (2,3) (own node): one cycle in the local FIFO.
  EXPECT_EQ(run(params(4, 4), {{{0, 11, 11}, 5}})[0], 6);
  // 16x16 AMP: length 3; (0,0) -> (0,13): 4 express + 1 mesh = 5 hops.
  EXPECT_EQ(run(params(16, 16, "amp"), {{{0, 0, 13}, 0}})[0], 6);
}

TEST(NocGolden, ExpressLengthsFollowTheFormula) {
  auto len = [](int rows, int cols, int override_len = 0) {
    NocParams p = params(rows, cols, "amp");
    p.express_len = override_len;
    golden::NocTopology t = golden::noc_topology(p);
    return std::pair{t.lv, t.lh};
  };
  EXPECT_EQ(len(8, 8), (std::pair{2, 2}));
  EXPECT_EQ(len(32, 32), (std::pair{4, 4}));
  EXPECT_EQ(len(16, 16), (std::pair{3, 3}));
  EXPECT_EQ(len(4, 4), (std::pair{0, 0}));   // round(sqrt(2)) = 1: no express links
  EXPECT_EQ(len(5, 32), (std::pair{2, 4}));  // per dimension
  EXPECT_EQ(len(4, 4, 2), (std::pair{2, 2}));
  EXPECT_EQ(len(4, 8, 5), (std::pair{0, 5}));  // does not fit 4 rows
  // Link counts: 8x8 mesh 224; AMP adds 4 * 8 * 6 = 192 express links (under 2x).
  EXPECT_EQ(golden::noc_topology(params(8, 8)).links(), 224);
  EXPECT_EQ(golden::noc_topology(params(8, 8, "amp")).links(), 416);
}

TEST(NocGolden, BackPressureOfASingleSlotBuffer) {
  // Depth 1: the local FIFO is full in the cycle its flit leaves, so a source injects every other
  // cycle; one hop east, ejected 1 + 1 cycles after injection.
  std::vector<Timed> f = {{{0, 0, 1}, 0}, {{1, 0, 1}, 0}, {{2, 0, 1}, 0}};
  std::vector<int64_t> inj;
  EXPECT_EQ(run(params(2, 2, "mesh", 1), f, &inj), (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(inj, (std::vector<int64_t>{0, 2, 4}));
  // Depth 2: one flit per cycle.
  EXPECT_EQ(run(params(2, 2, "mesh", 2), f, &inj), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(inj, (std::vector<int64_t>{0, 1, 2}));
}

TEST(NocGolden, RoundRobinOrderAtAContendedOutput) {
  // (0,0) and (0,2) both send to (0,1) in cycle 0; both flits reach (0,1)'s W (4) and E (2)
  // inputs at the end of cycle 1. Pointer 0: input 2 (from the east) wins in cycle 2, then 4.
  std::vector<Timed> f = {{{0, 0, 1}, 0}, {{1, 2, 1}, 0}};
  EXPECT_EQ(run(params(2, 3), f), (std::vector<int64_t>{3, 2}));
  // Four packets from each side: the two inputs alternate (2, 4, 2, 4, ...).
  std::vector<Timed> g;
  for (int i = 0; i < 4; ++i) {
    g.push_back({{2 * i, 0, 1}, 0});
    g.push_back({{2 * i + 1, 2, 1}, 0});
  }
  EXPECT_EQ(run(params(2, 3), g), (std::vector<int64_t>{3, 2, 5, 4, 7, 6, 9, 8}));
}

TEST(NocGolden, PipeOrganPlacement) {
  auto l = golden::pipeorgan_layers(4, 4, "blocked_1d", 2, "equal");
  EXPECT_EQ(l, (std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}));
  l = golden::pipeorgan_layers(4, 4, "fine_striped", 2, "equal");
  EXPECT_EQ(l, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1}));
  l = golden::pipeorgan_layers(2, 4, "checkerboard", 2, "equal");
  EXPECT_EQ(l, (std::vector<int>{0, 1, 0, 1, 1, 0, 1, 0}));
  l = golden::pipeorgan_layers(4, 4, "blocked_2d", 4, "equal");
  EXPECT_EQ(l, (std::vector<int>{0, 0, 2, 2, 0, 0, 2, 2, 1, 1, 3, 3, 1, 1, 3, 3}));
  l = golden::pipeorgan_layers(4, 4, "blocked_1d", 2, "unequal");  // 1:3
  EXPECT_EQ(l, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_THROW(golden::pipeorgan_layers(2, 2, "blocked_1d", 8, "equal"), UserError);
}

double worst_load(const std::string& topology, const std::string& org, const std::string& alloc = "equal") {
  NocParams p = params(32, 32, topology);
  NocStimulus s;
  s.traffic = "pipeorgan";
  s.organization = org;
  s.allocation = alloc;
  golden::NocTraffic tr(p, s, 1);
  return golden::noc_channel_loads(golden::noc_topology(p), tr.demand()).max_load;
}

TEST(NocGolden, Fig15WorstCaseChannelLoads) {
  // 32x32, depth 2: blocked 1-D sends every column 16 rows south (16 flows share the middle link);
  // fine striping is one hop; AMP's length-4 express links cut the sharing to 4.
  EXPECT_EQ(worst_load("mesh", "blocked_1d"), 16);
  EXPECT_EQ(worst_load("mesh", "fine_striped"), 1);
  EXPECT_EQ(worst_load("amp", "blocked_1d"), 4);
}

TEST(NocGolden, EveryPacketDeliveredUnderSaturation) {
  NocStimulus s;
  s.traffic = "uniform";
  s.injection_rate = 100;
  s.cycles = 2000;
  s.source_queue = 4;
  for (const char* topo : {"mesh", "amp"}) {
    golden::NocRunStats st = golden::run_noc_golden(params(6, 6, topo, 2), s, 3);
    EXPECT_TRUE(st.drained) << topo;
    EXPECT_EQ(st.delivered, st.created) << topo;
    EXPECT_GT(st.throttled, 0) << topo;  // the sources really were saturated
    EXPECT_GT(st.accepted_rate, 0.2) << topo;
  }
}

TEST(NocDeadlockCheck, DimensionOrderedRoutingIsAcyclic) {
  for (const char* topo : {"mesh", "amp"})
    for (const char* routing : {"xy", "yx"})
      for (auto [r, c] : {std::pair{2, 2}, {3, 7}, {8, 8}, {16, 16}, {9, 13}}) {
        NocParams p = params(r, c, topo);
        p.routing = routing;
        NocNet net = noc_net(p);
        CdgResult res = check_channel_dependencies(net, noc_routing(net, routing));
        EXPECT_TRUE(res.error.empty()) << res.error;
        EXPECT_TRUE(res.cycle.empty()) << topo << " " << routing << " " << r << "x" << c;
        EXPECT_EQ(res.channels, net.links());
        EXPECT_GT(res.dependencies, 0);
      }
}

TEST(NocDeadlockCheck, EveryShapeFrom2To16GeneratesDeadlockFree) {
  // Generation includes the channel-dependency check; the lint scan samples these shapes.
  const BlockInfo& info = find_block("noc");
  for (int r = 2; r <= 16; ++r)
    for (int c = 2; c <= 16; ++c)
      for (const char* topo : {"mesh", "amp"}) {
        ParamSet set = resolve_params(info, "", {fmt::format("rows={}", r), fmt::format("cols={}", c),
                                                  fmt::format("topology={}", topo)}, false);
        GeneratedDesign d = generate_design(info, set);
        ASSERT_EQ(d.files.size(), 3u) << r << "x" << c << " " << topo;
        // AMP stays under twice the mesh's links.
        if (std::string(topo) == "amp") {
          NocNet amp = noc_net(NocParams::from(set)), mesh = amp;
          mesh.ports = 5;
          EXPECT_LT(amp.links(), 2 * mesh.links()) << r << "x" << c;
        }
      }
}

TEST(NocDeadlockCheck, KnownBadRoutingsAreRejected) {
  // Mixed xy/yx (without virtual channels) closes turn cycles.
  NocNet net = noc_net(params(4, 4));
  CdgResult mixed = check_channel_dependencies(net, noc_routing(net, "xy_yx"));
  EXPECT_FALSE(mixed.cycle.empty());
  // A 2x2 ring routed clockwise only: (0,0).E -> (0,1).S -> (1,1).W -> (1,0).N -> (0,0).E.
  NocNet ring = noc_net(params(2, 2));
  auto clockwise = [](int node, int, int) {
    const int next_port[] = {2, 3, 1, 4};  // node 0: E, 1: S, 2: N, 3: W
    return next_port[node];
  };
  CdgResult res = check_channel_dependencies(ring, clockwise);
  ASSERT_EQ(res.cycle.size(), 4u);
  EXPECT_TRUE(res.error.empty());
  // A routing that takes a link that does not exist is an error, not a pass.
  CdgResult off = check_channel_dependencies(ring, [](int, int, int) { return 1; });
  EXPECT_FALSE(off.error.empty());
  // And the generator refuses the configuration with a UserError (exit 2 at the CLI).
  const BlockInfo& info = find_block("noc");
  EXPECT_THROW(generate_design(info, resolve_params(info, "", {"routing=xy_yx"}, false)), UserError);
  EXPECT_NO_THROW(generate_design(info, resolve_params(info, "", {"routing=yx", "topology=amp", "rows=9"}, false)));
}

TEST(NocDeadlockCheck, VcGranularityGraph) {
  // The 2x2 clockwise ring at VC granularity with 2 VCs: every VC of a channel depends on both VCs
  // of the next, so 4 links x 2 VCs = 8 channels, 4 physical dependencies x 4 = 16 edges, and the
  // cycle found is 4 VC channels long, named with their VCs.
  NocNet ring = noc_net(params(2, 2));
  auto clockwise = [](int node, int, int) {
    const int next_port[] = {2, 3, 1, 4};
    return next_port[node];
  };
  CdgResult res = check_channel_dependencies(ring, clockwise, 2);
  EXPECT_EQ(res.channels, 8 * 2);  // the 2x2 mesh has 8 directed links
  EXPECT_EQ(res.dependencies, 4 * 4);
  ASSERT_EQ(res.cycle.size(), 4u);
  for (const auto& c : res.cycle) EXPECT_NE(c.find(".vc"), std::string::npos) << c;
  // Dimension order stays acyclic with any number of VCs, on mesh and AMP (express links included).
  for (const char* topo : {"mesh", "amp"})
    for (int vcs : {2, 4}) {
      NocNet net = noc_net(params(8, 8, topo));
      CdgResult ok = check_channel_dependencies(net, noc_routing(net, "xy"), vcs);
      EXPECT_TRUE(ok.cycle.empty()) << topo << " " << vcs;
      EXPECT_EQ(ok.channels, net.links() * vcs);
      EXPECT_EQ(ok.dependencies, check_channel_dependencies(net, noc_routing(net, "xy")).dependencies * vcs * vcs);
      // Mixed xy/yx is cyclic at every VC count: all VCs are one class.
      EXPECT_FALSE(check_channel_dependencies(net, noc_routing(net, "xy_yx"), vcs).cycle.empty()) << topo << " " << vcs;
    }
  // The generator refuses it with the cycle named VC by VC.
  const BlockInfo& info = find_block("noc");
  try {
    generate_design(info, resolve_params(info, "", {"routing=xy_yx", "vcs=2", "topology=amp", "rows=8", "cols=8"}, false));
    ADD_FAILURE() << "xy_yx with 2 VCs was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(".vc"), std::string::npos) << e.what();
  }
}

// Large VC networks Verilate the router once (hierarchical Verilation) instead of flattening every
// instance: from 256 input VCs (nodes x ports x vcs) on, the router carries the `verilator
// hier_block` marker and nothing else changes.
TEST(NocVcGenerator, LargeNetworksVerilateTheRouterHierarchically) {
  const BlockInfo& info = find_block("noc");
  auto gen = [&](int rows, int cols, int vcs, const std::string& topology = "mesh") {
    return generate_design(
        info, resolve_params(info, "",
                             {fmt::format("rows={}", rows), fmt::format("cols={}", cols),
                              fmt::format("vcs={}", vcs), "vc_depth=4", "topology=" + topology},
                             false));
  };
  const std::string marker = "// verilator hier_block";
  auto marked = [&](const GeneratedDesign& d) {
    int n = 0;
    for (const auto& f : d.files)
      for (size_t at = f.contents.find(marker); at != std::string::npos;
           at = f.contents.find(marker, at + 1)) {
        EXPECT_NE(f.name.find("_router.sv"), std::string::npos) << f.name;
        ++n;
      }
    return n;
  };
  // 4x3 mesh, 4 VCs: 12 routers x 5 ports x 4 = 240 input VCs, flat; 4x4: 16 x 5 x 4 = 320.
  const GeneratedDesign flat = gen(4, 3, 4), hier = gen(4, 4, 4);
  EXPECT_FALSE(flat.verilate_hierarchical);
  EXPECT_EQ(marked(flat), 0);
  EXPECT_TRUE(hier.verilate_hierarchical);
  EXPECT_EQ(marked(hier), 1);
  // 3x3 AMP with 2 VCs (9 x 9 x 2 = 162) stays flat, 4x3 AMP with 4 VCs (12 x 9 x 4 = 432) does
  // not; nor does the 8x8 mesh with 8 VCs (2,560); the base router (no VCs) is never hierarchical.
  EXPECT_FALSE(gen(3, 3, 2, "amp").verilate_hierarchical);
  EXPECT_TRUE(gen(4, 3, 4, "amp").verilate_hierarchical);
  EXPECT_TRUE(gen(8, 8, 8).verilate_hierarchical);
  EXPECT_FALSE(generate_design(info, resolve_params(info, "", {"rows=16", "cols=16"}, false))
                   .verilate_hierarchical);
  // Both mesh routers have the same field widths (2-bit row and column, 4-bit source): without the
  // marker, its comment and the header, the hierarchical router is the flat one, line for line.
  auto router_body = [](const GeneratedDesign& d) {
    for (const auto& f : d.files) {
      if (f.name.find("_router.sv") == std::string::npos) continue;
      std::string out;
      std::istringstream in(f.contents);
      bool body = false;
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("module ", 0) == 0) body = true;
        if (!body || line.find("verilator hier_block") != std::string::npos ||
            line.find("Verilated on its own") != std::string::npos)
          continue;
        for (size_t at = line.find(d.top); at != std::string::npos; at = line.find(d.top))
          line.replace(at, d.top.size(), "TOP");
        out += line + "\n";
      }
      return out;
    }
    return std::string();
  };
  const std::string a = router_body(flat), b = router_body(hier);
  EXPECT_GT(a.size(), 10000u);
  EXPECT_EQ(a, b);
}

TEST(NocSweepFlow, Fig15OnAnEightByEightArray) {
  // 8x8, depth 2: blocked sends 4 rows south (load 4 on the middle links), striping is one hop, AMP
  // (length 2) halves the sharing. With load <= interval nothing waits: delay = hops + 1.
  flows::NocSweepOptions o;
  o.max_interval = 4;
  o.rounds = 8;
  auto rows = flows::noc_fig15(o, 8);
  ASSERT_EQ(rows.size(), 2u * 3u * 4u);
  auto find = [&](const std::string& name, int interval) {
    for (const auto& r : rows)
      if (r.case_name == name && r.allocation == "equal" && r.interval == interval) return r;
    ADD_FAILURE() << name << " " << interval;
    return flows::NocFig15Row{};
  };
  EXPECT_EQ(find("blocked", 1).worst_load, 4);
  EXPECT_EQ(find("fine_striped", 1).worst_load, 1);
  EXPECT_EQ(find("amp", 1).worst_load, 2);
  EXPECT_DOUBLE_EQ(find("blocked", 4).mean_delay, 5.0);  // 4 hops + 1, no waiting
  EXPECT_DOUBLE_EQ(find("amp", 2).mean_delay, 3.0);      // 2 express hops + 1
  EXPECT_DOUBLE_EQ(find("fine_striped", 1).mean_delay, 2.0);
  EXPECT_GT(find("blocked", 1).mean_delay, 2 * find("blocked", 4).mean_delay);  // congested
  EXPECT_EQ(find("blocked", 1).packets, 8 * 32);  // 32 producers x 8 rounds, all delivered
}

TEST(NocSweepFlow, Fig15WithMultiFlitTiles) {
  // Tiles of 4 flits in 2-flit packets, one VC: loads count flits (4x the packet loads above). A
  // fine-striped producer sends its tile one hop down: the first packet's tail arrives hops + K =
  // 3 cycles after creation, the second packet follows the first's tail on the same VC, 2 cycles
  // later (5); nothing else shares the path, so the mean is exactly 4.
  flows::NocSweepOptions o;
  o.max_interval = 16;
  o.rounds = 4;
  o.fig15_tile_flits = 4;
  o.fig15_packet_flits = 2;
  auto rows = flows::noc_fig15(o, 8);
  auto find = [&](const std::string& name, int interval) {
    for (const auto& r : rows)
      if (r.case_name == name && r.allocation == "equal" && r.interval == interval) return r;
    ADD_FAILURE() << name << " " << interval;
    return flows::NocFig15Row{};
  };
  EXPECT_EQ(find("blocked", 1).worst_load, 16);
  EXPECT_EQ(find("fine_striped", 16).worst_load, 4);
  EXPECT_EQ(find("amp", 8).worst_load, 8);
  EXPECT_DOUBLE_EQ(find("fine_striped", 16).zero_load_delay, 3.0);
  EXPECT_DOUBLE_EQ(find("fine_striped", 16).mean_delay, 4.0);
  EXPECT_EQ(find("fine_striped", 16).packets, 4 * 32 * 2);  // 4 rounds x 32 producers x 2 packets
  EXPECT_GT(find("blocked", 1).mean_delay, find("blocked", 16).mean_delay);
}

TEST(NocSweepFlow, LatencyGrowsWithLoadAndAmpBeatsMesh) {
  flows::NocSweepOptions o;
  o.rows = o.cols = 6;
  o.rates = {5, 60};
  o.cycles = 3000;
  o.warmup = 500;
  auto pts = flows::noc_latency_sweep(o);
  ASSERT_EQ(pts.size(), 4u);  // mesh 5, mesh 60, amp 5, amp 60
  EXPECT_LT(pts[0].mean_latency, pts[1].mean_latency);
  EXPECT_LT(pts[2].mean_latency, pts[3].mean_latency);
  EXPECT_LT(pts[2].mean_latency, pts[0].mean_latency);  // express links cut hops
  EXPECT_NEAR(pts[0].accepted, 0.05, 0.01);
}

}  // namespace
}  // namespace accelgen
