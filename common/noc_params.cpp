#include "common/noc_params.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen {

NocParams NocParams::from(const ParamSet& set) {
  NocParams p;
  p.rows = static_cast<int>(set.integer("rows"));
  p.cols = static_cast<int>(set.integer("cols"));
  p.topology = set.choice("topology");
  p.flit_bits = static_cast<int>(set.integer("flit_bits"));
  p.buffer_depth = static_cast<int>(set.integer("buffer_depth"));
  p.express_len = static_cast<int>(set.integer("express_len"));
  p.routing = set.choice("routing");
  p.vcs = static_cast<int>(set.integer("vcs"));
  p.vc_depth = static_cast<int>(set.integer("vc_depth"));
  p.packet_flits = static_cast<int>(set.integer("packet_flits"));
  return p;
}

NocStimulus NocStimulus::from(const ParamSet& set) {
  NocStimulus s;
  s.traffic = set.choice("traffic");
  s.injection_rate = static_cast<int>(set.integer("injection_rate"));
  s.cycles = set.integer("cycles");
  s.source_queue = static_cast<int>(set.integer("source_queue"));
  s.organization = set.choice("organization");
  s.depth = static_cast<int>(set.integer("depth"));
  s.allocation = set.choice("allocation");
  s.skip = set.boolean("skip");
  s.interval = static_cast<int>(set.integer("interval"));
  s.tile_flits = static_cast<int>(set.integer("tile_flits"));
  return s;
}

BlockInfo noc_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "noc";
  b.description =
      "network-on-chip: rows x cols input-buffered routers, mesh or AMP (mesh + express links), "
      "one-flit packets, dimension-ordered routing checked deadlock-free";
  b.schema.integer("rows", 4, 2, 32, "router rows (one PE per router)")
      .integer("cols", 4, 2, 32, "router columns")
      .choice("topology", {"mesh", "amp"},
              "mesh, or amp: mesh plus express links of length round(sqrt(dim/2)) from every router "
              "in each direction where they fit")
      .integer("flit_bits", 32, 1, 256, "payload bits per flit (the link adds dst/src header bits)")
      .integer("buffer_depth", 4, 1, 64, "flits per router input buffer")
      .integer("express_len", 0, 0, 31,
               "AMP express-link length in both dimensions; 0 = round(sqrt(rows/2)) vertically and "
               "round(sqrt(cols/2)) horizontally; a length < 2 or >= the dimension adds no link")
      .choice("routing", {"xy", "yx", "xy_yx"},
              "xy: columns first then rows; yx: rows first; xy_yx: xy from even sources, yx from odd "
              "ones (its channel dependency graph has a cycle, so the generator refuses it)")
      .integer("vcs", 1, 1, 8,
               "virtual channels per router input (credit flow control, VC and switch allocation); 1 with "
               "packet_flits=1 is the base router")
      .integer("vc_depth", 0, 0, 64, "flits per virtual-channel buffer; 0 = buffer_depth")
      .integer("packet_flits", 1, 1, 64,
               "flits per packet (wormhole: head, body, tail); > 1 selects the VC/wormhole router")
      .choice("traffic", {"uniform", "transpose", "hotspot", "neighbour", "pipeorgan"},
              "verify: destination pattern (pipeorgan: producer->consumer layers, see organization)",
              R::kStimulus)
      .integer("injection_rate", 10, 0, 100,
               "verify: packets per node per 100 cycles (Bernoulli; not used by pipeorgan)",
               R::kStimulus)
      .integer("cycles", 1000, 1, 100000000, "verify: injection window in cycles; then the network drains",
               R::kStimulus)
      .integer("source_queue", 64, 1, 1 << 20,
               "verify: packets a source may hold; a packet generated beyond that is not created",
               R::kStimulus)
      .choice("organization", {"blocked_1d", "blocked_2d", "fine_striped", "checkerboard"},
              "verify, pipeorgan: how layers are placed on the PE array", R::kStimulus)
      .integer("depth", 2, 2, 8, "verify, pipeorgan: pipelined layers", R::kStimulus)
      .choice("allocation", {"equal", "unequal"},
              "verify, pipeorgan: PE shares per layer (unequal: 1:3 for depth 2, 1:2:3:2 repeating)",
              R::kStimulus)
      .boolean("skip", false, "verify, pipeorgan: skip connections layer l -> l+2 (depth >= 3)",
               R::kStimulus)
      .integer("interval", 4, 1, 1024, "verify, pipeorgan: compute interval (cycles per tile per producer)",
               R::kStimulus)
      .integer("tile_flits", 0, 0, 1 << 16,
               "verify, pipeorgan: flits per producer->consumer tile, sent as tile_flits/packet_flits packets "
               "(0 = one packet)",
               R::kStimulus);
  b.check = [](const ParamSet& set) {
    NocParams p = NocParams::from(set);
    if (!p.vc_router() && p.vc_depth != 0 && p.vc_depth != p.buffer_depth)
      throw UserError(fmt::format("vc_depth = {} applies to the VC router (vcs > 1 or packet_flits > 1); with vcs=1 "
                                  "and packet_flits=1 set buffer_depth instead",
                                  p.vc_depth));
    if (const int ports = p.topology == "amp" ? 9 : 5; ports * p.vcs > 64)
      throw UserError(fmt::format("vcs = {} gives {} input VCs per {} router ({} ports); at most 64 (vcs <= {})",
                                  p.vcs, ports * p.vcs, p.topology, ports, 64 / ports));
    const NocStimulus st = NocStimulus::from(set);
    if (st.tile_flits != 0 && st.tile_flits % p.packet_flits != 0)
      throw UserError(fmt::format("tile_flits = {} is not a multiple of packet_flits = {} (a tile is sent as whole "
                                  "packets)",
                                  st.tile_flits, p.packet_flits));
    if (st.tile_flits != 0 && st.traffic != "pipeorgan")
      throw UserError(fmt::format("tile_flits = {} applies to traffic=pipeorgan only (traffic = {}); Bernoulli "
                                  "traffic sends packets of packet_flits flits",
                                  st.tile_flits, st.traffic));
    if (set.choice("traffic") == "pipeorgan") {
      NocStimulus s = NocStimulus::from(set);
      if (s.skip && s.depth < 3)
        throw UserError(fmt::format("skip=true needs depth >= 3 (a skip connection goes from layer l to l+2); depth = {}",
                                    s.depth));
      if (s.depth > p.rows * p.cols)
        throw UserError(fmt::format("depth = {} exceeds the {} PEs of a {}x{} array", s.depth, p.rows * p.cols,
                                    p.rows, p.cols));
    }
  };
  return b;
}

}  // namespace accelgen
