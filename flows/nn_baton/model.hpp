// NN-Baton (Tan et al., ISCA 2021): the three-level multichip architecture (package of N_P chiplets
// on a directional ring; chiplet of N_C cores with A-L2/O-L2 on a central bus; core of L lanes x
// P-wide vector MACs, weight-stationary, with A-L1, W-L1 and register O-L1), the output-centric
// mapping space, and C3P, the critical-capacity/critical-position memory-access model.
//
// C3P here is Eq. (2) with Eq. (1) corrected: A_tot = A_0 x prod_k P_k. The printed Eq. (1),
// A_0 x (1 + prod_k P_k), gives 2 A_0 when every buffer is large enough, although the text says a
// large buffer pays "no access penalty" and Example 1 pays "H1 x W1 - 1 access penalties" (a total
// of H1 W1 A_0). `C3pStream::total_literal_eq1` keeps the printed form for comparison only.
//
// Buffer semantics (the specification both C3P and the trace simulator follow; the paper leaves it
// open): a buffer is filled in whole tiles ("items": the weights of one L-channel chunk, or the
// input window of one output tile, halo included), each item occupies one slot of the largest
// item's size, and the buffer keeps as many of the most recently used items as whole slots fit.
// An item found in the buffer costs nothing; any other access fills the item's actual bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/nn_baton/tech.hpp"

namespace accelgen::flows::nn_baton {

// One CONV (or FC, as a 1x1 convolution on a 1x1 plane) layer, batch 1, 8-bit data.
struct Layer {
  std::string name;
  int64_t ci = 1, co = 1;        // input and output channels
  int64_t hi = 1, wi = 1;        // input plane, without padding
  int64_t ho = 1, wo = 1;        // output plane
  int64_t r = 1, s = 1;          // kernel rows and columns
  int64_t stride = 1;            // same in both directions
  int64_t pad_h = 0, pad_w = 0;  // zero padding above and to the left (below/right: whatever fits)
  bool fc = false;               // a fully connected layer (from a Gemm node)

  int64_t macs() const { return co * ho * wo * ci * r * s; }
  int64_t weight_bytes() const { return co * ci * r * s; }
  int64_t input_bytes() const { return ci * hi * wi; }
  int64_t output_bytes() const { return co * ho * wo; }
  // Distinct input rows (columns) read by output rows [o0, o1), clipped to the input (a stride
  // larger than the kernel skips rows).
  int64_t in_rows(int64_t o0, int64_t o1) const;
  int64_t in_cols(int64_t o0, int64_t o1) const;
  // The most input rows (columns) n output rows (columns) can read: a buffer slot's extent.
  int64_t max_rows(int64_t n) const {
    return std::min(hi, stride <= r ? (n - 1) * stride + r : n * r);
  }
  int64_t max_cols(int64_t n) const {
    return std::min(wi, stride <= s ? (n - 1) * stride + s : n * s);
  }
  nlohmann::json to_json() const;
};
// Throws UserError naming the layer and the bad field.
void validate(const Layer& layer);
// A layer written "name:CIxHIxWI->CO,kRxS,sN,pN" (e.g. "c:64x56x56->64,k3x3,s1,p1"); UserError if
// malformed.
Layer parse_layer(const std::string& text);

// Hardware (Table II names). O-L2 0 = automatic: as large as the A-L2 (see README).
struct Hardware {
  int np = 4, nc = 8, l = 8, p = 8;
  int64_t ol1 = 1536, al1 = 800, wl1 = 18 * 1024, al2 = 64 * 1024, ol2 = 0;  // bytes

  int64_t macs() const { return int64_t{np} * nc * l * p; }
  int64_t ol2_bytes() const { return ol2 > 0 ? ol2 : al2; }
  std::string name() const;  // "N_P-N_C-L-P", as the paper writes designs
  nlohmann::json to_json() const;
};
void validate(const Hardware& hw);
// The §VI-A-1 case-study hardware: 4 chiplets x 8 cores x 8 lanes x 8-wide, 1.5 KB O-L1, 800 B
// A-L1, 18 KB W-L1, 64 KB A-L2.
Hardware case_study_hardware();

enum class Part : uint8_t { kC, kP, kH };         // partition along CO, the plane, or both
enum class Order : uint8_t { kChannel, kPlane };  // C loop innermost, or the H-W loops innermost
const char* to_string(Part p);
const char* to_string(Order o);

// One output-centric mapping. Package: kC splits CO into N_P chunks (activations rotate on the
// ring), kP splits the output rows into N_P stripes (weights rotate). Chiplet: the N_C cores form a
// gc x gh x gw grid over (CO, output rows, output columns); its type is C (gc = N_C), P (gc = 1) or
// H. A core workload is hoc x woc outputs x L channels; c1/h1/w1 core workloads per core make one
// chiplet workload of (gc c1 L) x (gh h1 hoc) x (gw w1 woc); the chiplet repeats it C2 x H2 x W2
// times over its share. Orders: chip_order for {C2,H2,W2}, core_order for {C1,H1,W1}.
struct Mapping {
  Part pkg = Part::kC;
  int gc = 1, gh = 1, gw = 1;
  int64_t hoc = 1, woc = 1;
  int64_t c1 = 1, h1 = 1, w1 = 1;
  Order chip_order = Order::kChannel, core_order = Order::kChannel;

  Part chip(int nc) const { return gc == nc ? Part::kC : (gc == 1 ? Part::kP : Part::kH); }
  std::string str(int nc) const;  // e.g. "(P,H2x2x2) tile 4x4 c1=2 h1=1 w1=1 ch/pl"
  nlohmann::json to_json(int nc) const;
};

// One loop of the temporal nest. dim: 'C', 'H' or 'W'; level 1 = core, 2 = chiplet.
struct Loop {
  char dim = 'C';
  int level = 1;
  int64_t count = 1;
};
// The temporal loops of a chiplet, innermost first: core-level loops (core_order) then
// chiplet-level loops (chip_order). Channel-priority is C, H, W (inner to outer); plane-priority is
// H, W, C.
std::vector<Loop> loop_nest(const Mapping& m, int64_t c2, int64_t h2, int64_t w2);

// C3P for one buffer stream: `a0` intrinsic bytes (every item once) and the critical capacities
// with the product of loop counts of the reuse region above each.
struct C3pStep {
  int64_t cc = 0;      // critical capacity in bytes (items in the footprint x slot)
  int64_t factor = 1;  // product of the loop counts of the reuse region R_k
};
struct C3pStream {
  int64_t a0 = 0;
  std::vector<C3pStep> steps;                         // innermost first; cc non-decreasing
  int64_t total(int64_t capacity) const;              // A_0 x prod_{k: capacity < Cc_k} P_k
  int64_t total_literal_eq1(int64_t capacity) const;  // A_0 x (1 + prod_k P_k), the printed Eq. (1)
};
// Critical positions and capacities of a loop nest for a data type whose tile changes with the
// loops of `relevant` dims ("C" for weights, "HW" for activations); slot = bytes of one item.
std::vector<C3pStep> c3p_steps(const std::vector<Loop>& loops, const std::string& relevant,
                               int64_t slot);

// Byte counts of one layer under one mapping. Fills are what C3P predicts (and the trace simulator
// counts); reads are the PE-side accesses (weights once per core workload, activations once per
// L-channel chunk).
struct Traffic {
  int64_t wl1_fill = 0;   // into the W-L1 pools (from DRAM, or the ring under package P-type)
  int64_t al1_fill = 0;   // into every core's A-L1 (from A-L2)
  int64_t al2_read = 0;   // A-L2 reads: A-L1 fills, multicast to the gc cores of one plane position
  int64_t al2_fill = 0;   // into the A-L2s (from DRAM, or the ring under package C-type)
  int64_t wl1_read = 0;   // PE reads of weights
  int64_t al1_read = 0;   // PE reads of activations
  int64_t out_bytes = 0;  // O-L2 write, O-L2 read, DRAM write
  int64_t rmw = 0;        // 24-bit partial-sum read-modify-writes in O-L1
  int64_t macs = 0;
  double dram_w = 0, dram_a = 0, d2d = 0;  // bytes after the rotating primitive
};

struct EnergyBreakdown {  // pJ
  double dram = 0, d2d = 0, l2 = 0, l1 = 0, rf = 0, mac = 0;
  double total() const { return dram + d2d + l2 + l1 + rf + mac; }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
  nlohmann::json to_json() const;
};

struct Options {
  bool c3p_literal_eq1 = false;  // use the printed Eq. (1) (documentation only; never the default)
  int rf_bits = 24;              // bits per partial-sum read-modify-write
};

// C3P streams of a mapping per buffer kind, instances with equal critical capacities merged (their
// A_0 added): the W-L1 pools, one A-L1 per plane position (the gc cores of a position share its
// stream and take one multicast), and the A-L2s.
struct MappingStreams {
  std::vector<C3pStream> wl1, al1, al2;
  int chiplets = 0;  // chiplets with work
  Traffic fixed;     // reads, outputs, MACs (capacity-independent parts)
  int64_t cycles = 0;
  int64_t need_al2 = 0;  // one chiplet workload's input window (bytes)
  int64_t need_ol2 = 0;  // one chiplet workload's output (bytes)
  bool valid = false;
  std::string why_invalid;
};
// Geometry + C3P of one mapping; valid = false (with the reason) when a constraint fails: O-L1
// holds 3 x hoc x woc x L partial-sum bytes, the A-L2 holds one chiplet-workload input window, the
// O-L2 holds one chiplet-workload output.
MappingStreams analyse(const Layer& layer, const Hardware& hw, const Mapping& m);

// Capacity-dependent fills, the rotating primitive and the energy of an analysed mapping.
Traffic traffic(const MappingStreams& s, const Hardware& hw, const Mapping& m,
                const Options& o = {});
EnergyBreakdown energy(const Traffic& t, const Hardware& hw, const Tech& tech,
                       const Options& o = {});

// The mapping candidates the post-design flow searches (exhaustive over partition types, core
// grids, tile shapes, loop counts and the four orders). `coarse` keeps square temporal tiles (h1 =
// w1) and fewer shapes for the pre-design sweep.
std::vector<Mapping> mapping_space(const Layer& layer, const Hardware& hw, bool coarse = false);

struct LayerResult {
  Layer layer;
  Mapping mapping;
  Traffic traffic;
  EnergyBreakdown energy;
  int64_t cycles = 0;
  int64_t candidates = 0;  // valid mappings evaluated
};
// Minimum-energy mapping of one layer (ties: fewer cycles, then the first candidate).
// UserError if no mapping fits the hardware.
LayerResult best_mapping(const Layer& layer, const Hardware& hw, const Tech& tech,
                         const Options& o = {}, bool coarse = false);

// The Simba-like weight-centric baseline on the same hardware and energy table: CI split over pr
// chiplet rows x cr core rows, CO over pc x cc columns (best factorisation and output tile chosen
// for minimum energy), weights stationary per core, 24-bit partial sums passed down the CI rows
// (D2D between chiplets, through the chiplet L2 inside one), plane tiles as independent workloads.
struct SimbaResult {
  Layer layer;
  int pr = 1, pc = 1, cr = 1, cc = 1;
  int64_t hoc = 1, woc = 1;
  EnergyBreakdown energy;
  int64_t cycles = 0;
};
SimbaResult simba_best(const Layer& layer, const Hardware& hw, const Tech& tech,
                       const Options& o = {});

// Chiplet area in mm^2: MACs, SRAMs (A-L1 + W-L1 per core, A-L2, O-L2), O-L1 registers (as SRAM),
// and two GRS PHYs (ring in and out) when N_P > 1.
double chiplet_area_mm2(const Hardware& hw, const Tech& tech);

}  // namespace accelgen::flows::nn_baton
