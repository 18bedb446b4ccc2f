// Golden model of the LeOPArd blocks, written from the specification in golden_model/README.md
// (section "leopard_qk"), never from the generator: exact scores, the bound P_c + M_c of every
// cycle, the prune decision and termination cycle of every score, the per-DPU event streams of the
// QK processing unit with their cycles, and the tile cycle model with the thesis's stall rule.
#pragma once

#include <cstdint>
#include <vector>

#include "common/leopard_params.hpp"

namespace accelgen::golden {

// Which margin the model applies. kSpec is the specification (positive-q margin for two's
// complement, sign-XOR margin for sign-magnitude). kXorSign forces the thesis's XOR rule on either
// encoding — only to show that it is wrong for two's complement.
enum class LeopardMargin { kSpec, kXorSign };

// K words are the KW-bit encodings (two's complement or sign-magnitude); see leopard_encode_k.
uint64_t leopard_encode_k(const LeopardQkParams& p, int64_t k);
int64_t leopard_decode_k(const LeopardQkParams& p, uint64_t word);
// Chunk c (1-based, most significant first) of a K word: B bits.
uint64_t leopard_k_chunk(const LeopardQkParams& p, uint64_t word, int c);
// Smallest and largest K value of the encoding.
int64_t leopard_k_min(const LeopardQkParams& p);
int64_t leopard_k_max(const LeopardQkParams& p);

struct LeopardScore {
  int64_t score = 0;       // P after the last processed cycle (q.k exactly when kept)
  bool pruned = false;
  int cycles = 0;          // c*: cycles spent (the termination cycle when pruned, C when kept)
  std::vector<int64_t> p;  // P_c for c = 1..cycles
  std::vector<int64_t> m;  // M_c for c = 1..cycles
};

// One DPU working one key: Q elements (signed), K words, threshold. Prune at the first cycle whose
// bound P_c + M_c is below TH; equal is kept.
LeopardScore leopard_score(const LeopardQkParams& p, const std::vector<int64_t>& q,
                           const std::vector<uint64_t>& k_words, int64_t th,
                           LeopardMargin margin = LeopardMargin::kSpec);
// Plain dot product q . decode(k).
int64_t leopard_dot(const LeopardQkParams& p, const std::vector<int64_t>& q, const std::vector<uint64_t>& k_words);
// The exact score mapped to the 24-bit Score-FIFO: arithmetic shift right by max(0, SW - 24).
int64_t leopard_score24(const LeopardQkParams& p, int64_t score);

// ---- QK processing unit
struct LeopardQVector {
  std::vector<int64_t> q;  // taps signed values
  int64_t th = 0;          // signed threshold
  int64_t arrival = 0;     // first cycle the driver offers it
};

struct LeopardKeyEvent {
  int dpu = 0, local = 0, key = 0;  // key = local * n_dpu + dpu
  int64_t start = 0;                // cycle of the key's first bit-serial cycle
  int64_t done = 0;                 // cycle in which done_o is high for it (start + c* - 1)
  LeopardScore s;
};

struct LeopardQkRow {
  int64_t accepted = 0;                           // handshake cycle h of the Q vector
  int64_t front = 0;                              // T = max over DPUs of the sum of c*
  std::vector<std::vector<LeopardKeyEvent>> dpu;  // per DPU, in local key order
  int64_t kept = 0;                               // U: scores that survive
};

struct LeopardQkPrediction {
  std::vector<LeopardQkRow> rows;
  int64_t cycles = 0;  // last busy cycle + 1
};

// KEYS: seq_len key vectors of K words. Cycle-exact per the "Timing" rules.
LeopardQkPrediction predict_leopard_qk(const LeopardQkParams& p, const std::vector<std::vector<uint64_t>>& keys,
                                       const std::vector<LeopardQVector>& qs);

// ---- Tile cycle model (front end = QK-PU, back end = V-PU, stall rule)
struct LeopardTileTiming {
  std::vector<int64_t> front_start, front_end, back_start, back_end;  // end = first free cycle
  int64_t cycles = 0;       // back_end of the last row
  int64_t vpu_scores = 0;   // kept scores processed by the V-PU
  int64_t vpu_busy = 0;     // cycles the V-PU works (scores x cycles per score + softmax overhead)
  double vpu_utilization() const { return cycles > 0 ? double(vpu_busy) / double(cycles) : 0.0; }
};

// FRONT[i] and KEPT[i] per row; the back end takes KEPT[i] * CYCLES_PER_SCORE + SOFTMAX_CYCLES.
LeopardTileTiming leopard_tile_timing(const std::vector<int64_t>& front, const std::vector<int64_t>& kept,
                                      int64_t softmax_cycles, int64_t cycles_per_score = 1);

// ---- V processing unit
// The 1 KB softmax table: E[i] = round(65535 * 2^(-i/32)), i = 0..511.
const std::vector<int64_t>& leopard_softmax_lut();
// Weight of SCORE in a row whose largest kept score is ROW_MAX.
int64_t leopard_softmax_weight(const LeopardVpuParams& p, int64_t row_max, int64_t score);

struct LeopardVpuEntry {  // one kept score of a row, as the QK-PU's FIFOs deliver it
  int64_t score = 0;      // 24-bit signed
  int dpu = 0, idx = 0;   // key j = idx * n_dpu + dpu
};

struct LeopardVpuRow {
  std::vector<LeopardVpuEntry> kept;  // in stream order; empty = all pruned (one empty last beat)
  std::vector<int64_t> arrival;       // per beat (max(1, kept) beats): first cycle offered
};

struct LeopardVpuOutput {
  int64_t cycle = 0;         // O_i: o_valid_o high
  std::vector<int64_t> att;  // D lanes: sum of e_j * V_j[t]
  int64_t sum = 0;           // Z: sum of e_j
  int64_t count = 0;
  int64_t mac_start = 0;     // P_i: first MAC cycle (for count > 0)
};

struct LeopardVpuPrediction {
  std::vector<LeopardVpuOutput> rows;
  std::vector<int64_t> beat_cycles;  // handshake cycle of every beat, in order
  int64_t cycles = 0;                // last output cycle + 1
  int64_t mac_cycles = 0;            // cycles with mac_o high
};

// att, sum and count of one row of kept scores (cycle fields left 0).
LeopardVpuOutput leopard_vpu_row_result(const LeopardVpuParams& p, const std::vector<std::vector<int64_t>>& v,
                                        const std::vector<LeopardVpuEntry>& kept);

// V: seq_len vectors of taps signed values.
LeopardVpuPrediction predict_leopard_vpu(const LeopardVpuParams& p, const std::vector<std::vector<int64_t>>& v,
                                         const std::vector<LeopardVpuRow>& rows);

// ---- Tile: QK-PU -> per-unit Score/IDX FIFOs -> merger -> V-PU, with the stall rule
// The QK-PU's work on one Q vector accepted in cycle H (rule 2 of leopard_qk).
LeopardQkRow leopard_qk_row(const LeopardQkParams& p, const std::vector<std::vector<uint64_t>>& keys,
                            const LeopardQVector& qv, int64_t h);

struct LeopardTileBeat {
  int64_t cycle = 0;
  int row = 0;
  bool keep = false;  // false: the row's end beat
  LeopardVpuEntry entry;
};

struct LeopardTilePrediction {
  std::vector<LeopardQkRow> qk;          // per row: handshake, unit events
  std::vector<LeopardTileBeat> beats;    // the merged stream into the V-PU
  std::vector<LeopardVpuOutput> rows;    // V-PU results with their cycles
  int64_t cycles = 0;                    // last output cycle + 1
  int64_t mac_cycles = 0;
  int64_t max_fifo_occupancy = 0;        // most entries any Score/IDX FIFO ever holds
};

// Throws std::logic_error if a FIFO would need more than fifo_depth() entries.
LeopardTilePrediction predict_leopard_tile(const LeopardTileParams& p, const std::vector<std::vector<uint64_t>>& keys,
                                           const std::vector<std::vector<int64_t>>& v,
                                           const std::vector<LeopardQVector>& qs);

}  // namespace accelgen::golden
