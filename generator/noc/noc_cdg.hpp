// Deadlock check of a NoC routing: the channel dependency graph (Dally & Seitz) built from every
// (source, destination) path, and a cycle search over it. The generator refuses any configuration
// whose graph has a cycle.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace accelgen {

// The generator's own view of the network (independent of the golden model's).
struct NocNet {
  int rows = 0, cols = 0;
  int ports = 5;       // 0 local, 1 N, 2 E, 3 S, 4 W, 5 XN, 6 XE, 7 XS, 8 XW
  int lv = 0, lh = 0;  // express lengths, 0 = none
  int nodes() const { return rows * cols; }
  int neighbour(int node, int port) const;  // -1 when the link does not exist
  int links() const;
};

// Output port of a flit from SRC to DST at NODE (a routing function under test).
using NocRouting = std::function<int(int node, int src, int dst)>;

// Dimension-ordered routing of the `routing` parameter ("xy", "yx", "xy_yx").
NocRouting noc_routing(const NocNet& net, const std::string& routing);

struct CdgResult {
  int channels = 0;  // VC-level channels (links x VCs)
  int dependencies = 0;
  std::vector<std::string> cycle;  // channel names around a cycle; empty = acyclic
  std::string error;               // a routing that leaves the network or loops forever
};

// Builds the channel dependency graph of ROUTE on NET at VC granularity (VCS virtual channels per
// link, every VC of a channel depending on every VC of the next) and searches it for a cycle.
CdgResult check_channel_dependencies(const NocNet& net, const NocRouting& route, int vcs = 1);

}  // namespace accelgen
