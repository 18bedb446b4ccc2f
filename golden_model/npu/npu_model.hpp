// Golden model of the `npu` block (NPU-Tandem), written from the specification in
// golden_model/README.md (`npu`): the systolic GEMM unit (golden_model/systolic) and the Tandem
// golden simulator (golden_model/tandem) sharing a double-buffered Output BUF under the fluid
// ownership protocol, driven by the block-level execution FSM. Cycle-exact to that section's
// timing; every GEMM output row, ownership change, Tandem commit and sync is an event with its
// cycle. It rejects a Tandem region that touches the Output BUF after releasing it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "golden_model/systolic/systolic_model.hpp"
#include "golden_model/tandem/tandem_sim.hpp"

namespace accelgen::golden::npu {

struct NpuConfig {
  int rows = 32, cols = 32;  // the systolic array (in_bits 8, acc_bits 32); cols <= lanes
  int lanes = 32;            // Tandem lanes
  int depth = 512;           // rows of each Output BUF half and of ibuf, vmem1, vmem2
  int wbuf_depth = 6144;     // rows of the weight scratchpad (cols INT8 elements each)
  int64_t dram_words = 1 << 16;
  int dram_bus_words = 0;  // Tandem DAE bus (TandemSimConfig::dram_bus_words)
};

// The GEMM region of a block (the `gemm.set` fields of the spec). Tile t = mt * n_blocks + nb
// multiplies M activation vectors by a K-block-deep weight column block and accumulates into
// Output BUF half t mod 2, row m, lane c. Scratchpad layout:
//   input vector m of (mt, kb): ibuf row in_base + (mt * k_blocks + kb) * M + m, lane r < rows;
//   weight row r of (kb, nb):   wbuf row w_base + (nb * k_blocks + kb) * rows + r, lane c < cols.
struct GemmDesc {
  int m = 1;         // activation vectors per tile (Output BUF rows written)
  int m_tiles = 1;   // M tiles
  int k_blocks = 1;  // reduction blocks of `rows` elements
  int n_blocks = 1;  // column blocks of `cols` outputs
  int in_base = 0;
  int w_base = 0;
  int Tiles() const { return m_tiles * n_blocks; }
};

// One block of the program: a GEMM region and/or a Tandem region. `tandem` holds the Tandem
// region's instructions between its sync.tandem.start.exec / end.exec brackets; a block without a
// GEMM region runs the Tandem region `tiles` times. The GEMM region's words (2 exec syncs, 6
// gemm.set, gemm.run), the Tandem brackets and block.end count as dispatch words (DispatchWords).
struct NpuBlock {
  std::optional<GemmDesc> gemm;
  std::vector<uint32_t> tandem;
  int tiles = 1;  // Tandem-only blocks
  std::string name;
};

// Words of a block in the instruction memory, one DISPATCH cycle each.
int DispatchWords(const NpuBlock& block);

enum class FsmState { kIdle, kBlockStart, kDispatch, kGemm, kTandem, kGemmTandem, kBlockDone };
const char* FsmStateName(FsmState s);

enum class HalfState { kGemm, kReady, kTandem };
const char* HalfStateName(HalfState s);

struct GemmOutEvent {
  int64_t cycle;  // y cycle: the row is accumulated at the end of it
  int half, addr;
  std::vector<int32_t> data;  // the row's cols lanes after accumulation
};
struct OwnEvent {
  int64_t cycle;  // first cycle in which the new state holds
  int half;
  HalfState state;
};
struct FsmEvent {
  int64_t cycle;  // first cycle in the state
  FsmState state;
};
// One Tandem pass: which block and tile, the half it owned, its cycles in NPU time.
struct PassInfo {
  int block, tile, half;
  int64_t take;     // the half became TANDEM (pass slot 0 is in F in take + 1)
  int64_t release;  // the half became GEMM again
  int64_t done;     // the pass's done cycle
};

class NpuSim {
 public:
  explicit NpuSim(const NpuConfig& config = {});

  // Runs the program from cycle 0 (start_i). Throws accelgen::UserError naming the block (and
  // instruction) on an ill-formed program, an out-of-range scratchpad row or an ownership
  // violation (a Tandem instruction that touches obuf after its region's BUF release, a release
  // inside a loop body, more than one release, or a Tandem write to ibuf rows the same block's
  // GEMM reads).
  void Run(const std::vector<NpuBlock>& program);

  // Host access while idle.
  tandem::TandemSim& Tandem() { return tandem_; }
  const tandem::TandemSim& Tandem() const { return tandem_; }
  int32_t ReadObuf(int half, int lane, int row) const;
  void WriteObuf(int half, int lane, int row, int32_t value);
  void WriteWbuf(int lane, int row, int32_t value);  // low 8 bits kept, sign-extended

  int64_t DoneCycle() const { return done_; }
  // Cycles in which the array accepts an activation vector (one per vector and K block).
  int64_t GemmVectorCycles() const { return gemm_vectors_; }
  // Busy intervals [first, last] in NPU cycles: per GEMM tile (first vector accepted .. last
  // output) and per Tandem pass (take .. done - 1).
  const std::vector<std::pair<int64_t, int64_t>>& GemmIntervals() const { return gemm_iv_; }
  const std::vector<std::pair<int64_t, int64_t>>& TandemIntervals() const { return tandem_iv_; }
  const std::vector<GemmOutEvent>& GemmOut() const { return gemm_out_; }
  const std::vector<OwnEvent>& Ownership() const { return own_; }
  const std::vector<FsmEvent>& Fsm() const { return fsm_; }
  const std::vector<PassInfo>& Passes() const { return passes_; }
  // Tandem commits and syncs of every pass, shifted to NPU cycles, in order.
  const std::vector<tandem::Commit>& Commits() const { return commits_; }
  const std::vector<tandem::SyncEvent>& Syncs() const { return syncs_; }
  const NpuConfig& Config() const { return config_; }

 private:
  // The static ownership checks of a block's Tandem region (throws UserError).
  void CheckRegion(const NpuBlock& block, int b) const;
  // GEMM tile t of the block; the first vector is accepted no earlier than `earliest`.
  // Returns the cycle from which the half is READY.
  int64_t GemmTile(const GemmDesc& g, int t, int64_t start, int64_t earliest);
  // One Tandem pass owning `half` (-1: none) taken in cycle `take`.
  PassInfo Pass(const NpuBlock& block, int b, int t, int half, int64_t take);
  void Own(int64_t cycle, int half, HalfState s);

  NpuConfig config_;
  tandem::TandemSim tandem_;
  std::vector<int32_t> obuf_[2];          // [row * lanes + lane]
  std::vector<int32_t> wbuf_;             // [row * cols + lane]
  std::vector<uint8_t> gemm_reads_ibuf_;  // rows the current block's GEMM reads
  int64_t done_ = 0, gemm_vectors_ = 0;
  std::vector<std::pair<int64_t, int64_t>> gemm_iv_, tandem_iv_;
  std::vector<GemmOutEvent> gemm_out_;
  std::vector<OwnEvent> own_;
  std::vector<FsmEvent> fsm_;
  std::vector<PassInfo> passes_;
  std::vector<tandem::Commit> commits_;
  std::vector<tandem::SyncEvent> syncs_;
  std::optional<SystolicStream> array_;
  int64_t tandem_free_ = 0;
};

}  // namespace accelgen::golden::npu
