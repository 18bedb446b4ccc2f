// Parameters of the `noc` block: a rows x cols network of input-buffered routers, mesh or AMP
// (mesh + express links), one local port per PE (docs: golden_model/README.md, section "noc").
#pragma once

#include <cstdint>
#include <string>

#include "common/block_info.hpp"

namespace accelgen {

struct NocParams {
  int rows = 4;
  int cols = 4;
  std::string topology = "mesh";  // "mesh" or "amp"
  int flit_bits = 32;             // payload bits per flit; the header (dst, src) is added on links
  int buffer_depth = 4;           // flits per router input buffer
  int express_len = 0;            // AMP express-link length; 0 = round(sqrt(dim/2)) per dimension
  std::string routing = "xy";     // "xy", "yx" or "xy_yx" (mixed; has a dependency cycle: refused)
  // Virtual channels and wormhole packets; vcs = 1 and packet_flits = 1 keep the base router.
  int vcs = 1;           // virtual channels per input port
  int vc_depth = 0;      // flits per VC buffer; 0 = buffer_depth
  int packet_flits = 1;  // flits per packet (head ... tail)

  // True when the VC/wormhole router is used (golden_model/README.md, "Virtual channels ...").
  bool vc_router() const { return vcs > 1 || packet_flits > 1; }
  int vc_buffer() const { return vc_depth > 0 ? vc_depth : buffer_depth; }

  static NocParams from(const ParamSet& set);
};

// Verification-only knobs of `accelgen verify noc` (and the traffic of the flows).
struct NocStimulus {
  std::string traffic = "uniform";  // uniform, transpose, hotspot, neighbour, pipeorgan
  int injection_rate = 10;          // percent: packets per node per 100 cycles (Bernoulli)
  int64_t cycles = 1000;            // injection window; the network then drains
  int source_queue = 64;            // packets a source may hold; a packet generated beyond is not created
  // PipeOrgan producer -> consumer traffic.
  std::string organization = "blocked_1d";  // blocked_1d, blocked_2d, fine_striped, checkerboard
  int depth = 2;                            // pipelined layers on the array
  std::string allocation = "equal";         // equal or unequal PE shares
  bool skip = false;                        // also send layer l -> l+2
  int interval = 4;                         // compute interval: cycles between a producer's tiles
  int tile_flits = 0;                       // pipeorgan: flits per producer->consumer tile (0 = packet_flits)

  static NocStimulus from(const ParamSet& set);
};

BlockInfo noc_block_info();

}  // namespace accelgen
