// Golden instruction-set simulator of the Tandem processor (thesis chapter 4), bit-exact to the ISA
// document isa/README.md and cycle-exact to the pipeline of golden_model/README.md (`tandem`). It
// decodes words with the ISA table (isa/tandem/isa.hpp) and executes configuration (iterator
// tables, IMM BUF, datatype), compute (ALU, calculus, comparison, casts), the Code Repeater's loop
// nests with affine addressing, the Data Access Engine against a DRAM model, the permute engine and
// synchronization markers. It rejects programs that break the placement rules (item 13) or the
// spacing rule (item 14), and predicts the issue cycle of every slot, the W cycle of every
// write-back and sync, and the done cycle.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "golden_model/tandem/alu.hpp"
#include "isa/tandem/isa.hpp"

namespace accelgen::golden::tandem {

struct TandemSimConfig {
  int lanes = 32;                  // SIMD lanes; lane l of every buffer is bank l
  int depth = 512;                 // words per lane in obuf, ibuf, vmem1 and vmem2
  int64_t dram_words = 1 << 16;    // 32-bit words of the DRAM model (word-addressed)
  int64_t max_slots = 50'000'000;  // bound on dynamic issue slots (and on one engine's elements)
  bool record_commits = true;      // fill Commits(); off saves time and memory
  // DAE DRAM bus in 32-bit words (isa/README.md item 11, beats): a power of two 1..128; 0 = a
  // lanes-wide line, the largest power of two <= lanes. 1 = one word per cycle.
  int dram_bus_words = 0;
  // Elements the permute engine moves per cycle (item 12, beats): 1..lanes; 0 = lanes.
  int permute_width = 0;
};

// The DAE bus width and permute width a configuration resolves to (0 = the lanes-wide default).
int DramBusWords(const TandemSimConfig& config);
int PermuteWidth(const TandemSimConfig& config);

struct IteratorEntry {
  int32_t offset = 0;
  int32_t stride = 0;
};

// One compute write-back, as the RTL's commit port shows it.
struct Commit {
  int64_t cycle;                 // W cycle = issue cycle + 5
  int pc;                        // instruction index in the program
  int ns;                        // destination namespace (0..3)
  int addr;                      // destination row
  std::vector<uint8_t> written;  // written[l] = 1 if lane l was written (cmov.* may skip lanes)
  std::vector<int32_t> data;     // the value written to lane l; 0 for lanes not written
};

struct SyncEvent {
  int64_t cycle;  // W cycle of the sync instruction
  int func;       // func bits (isa/README.md item 1)
  int group;      // group id
};

class TandemSim {
 public:
  explicit TandemSim(const TandemSimConfig& config = {});

  // Runs one program from its first word, counting cycles from 0 (the start cycle). Buffers, DRAM,
  // iterator tables, IMM BUF, datatype, DAE and permute configuration persist across calls; the
  // Code Repeater configuration, commits, syncs and the cycle count start afresh. Throws
  // accelgen::UserError naming the instruction index on an illegal word, an out-of-range address,
  // an illegal operand value, a placement or spacing-rule violation, or too many slots.
  void Run(std::span<const uint32_t> program);

  // Buffer access (ns = obuf, ibuf, vmem1, vmem2): word `addr` of lane `lane`.
  int32_t Read(isa::tandem::Namespace ns, int lane, int addr) const;
  void Write(isa::tandem::Namespace ns, int lane, int addr, int32_t value);
  int32_t ReadDram(int64_t addr) const;
  void WriteDram(int64_t addr, int32_t value);

  int64_t DoneCycle() const { return done_cycle_; }  // done cycle of the last Run
  int64_t Slots() const { return slots_; }           // issue slots used by the last Run
  // Engine starts (ld/st/perm) of the last Run and their beats (one engine cycle each; the
  // elements moved, when every beat moves one element).
  int64_t EngineStarts() const { return engine_starts_; }
  int64_t EngineBeats() const { return engine_beats_; }
  int64_t EngineElements() const { return engine_elements_; }
  const std::vector<Commit>& Commits() const { return commits_; }  // last Run, in W order
  const std::vector<SyncEvent>& Syncs() const { return syncs_; }   // last Run, in W order
  // Compute instructions (nop excluded) executed since construction, each over all lanes.
  int64_t ComputeCount() const { return compute_count_; }
  const TandemSimConfig& Config() const { return config_; }

  int32_t Imm(int slot) const { return imm_.at(slot); }
  const IteratorEntry& Iterator(isa::tandem::Namespace ns, int index) const;
  const FixedPoint& Format() const { return format_; }

 private:
  static constexpr int kLevels = isa::tandem::kMaxLoopLevels;

  // One static instruction, decoded once per Run.
  struct Op {
    const isa::tandem::InstrDef* def = nullptr;
    isa::tandem::Opcode opcode{};
    int func = 0;
    int num_ops = 0;
    std::array<isa::tandem::OperandValue, 4> ops{};
  };
  struct LoopLevel {
    int64_t count = 0;
    // Per-operand <ns, iterator index> whose stride advances with this level; ns < 0 = none.
    std::array<std::array<int, 2>, 3> iter{{{-1, 0}, {-1, 0}, {-1, 0}}};
  };
  // One of the DAE's four configurations (isa/README.md item 11).
  struct DaeConfig {
    uint32_t base_addr = 0;
    uint32_t tile_addr = 0;
    std::array<int64_t, kLevels> base_count{1, 1, 1, 1, 1, 1, 1, 1};
    std::array<int32_t, kLevels> base_stride{};
    std::array<int64_t, kLevels> tile_count{1, 1, 1, 1, 1, 1, 1, 1};
    std::array<int32_t, kLevels> tile_stride{};
    std::array<int64_t, kLevels> base_index{};
  };
  // One walk of the permute engine (isa/README.md item 12).
  struct PermWalk {
    int64_t base = 0;
    std::array<int64_t, kLevels> count{1, 1, 1, 1, 1, 1, 1, 1};
    std::array<int64_t, kLevels> stride{};
  };

  // Takes one issue slot; returns its F cycle.
  // Occupies OP's issue slots (isa::tandem::IssueSlots); returns the F cycle of the first.
  int64_t Issue(const Op& op);
  // Executes `op` (not a loop instruction) issued in F cycle `cycle`; returns the engine's beat
  // count for a start instruction, -1 otherwise.
  int64_t Execute(const Op& op, int pc, int64_t cycle);
  void Compute(const Op& op, int pc, int64_t cycle);
  void Configure(const Op& op, int pc);
  int64_t TileLdSt(const Op& op, int pc);
  int64_t Permute(const Op& op, int pc);
  void RunNest(int first_pc, int n);
  // Address of compute operand k (0 dst, 1 src1, 2 src2) under the active loop indices.
  int64_t Address(const Op& op, int k) const;
  // Throws unless `addr` is a row of buffer `ns`.
  void CheckRow(int ns, int64_t addr, int pc) const;
  // Throws unless the first `count` elements of walk `w` lie in buffer `ns`.
  void CheckWalk(const PermWalk& w, int64_t count, int ns, const char* side, int pc) const;

  TandemSimConfig config_;
  std::array<std::vector<int32_t>, 4> buffers_;  // obuf, ibuf, vmem1, vmem2: [row * lanes + lane]
  std::vector<int32_t> dram_;
  std::array<int32_t, isa::tandem::kImmSlots> imm_{};
  std::array<std::array<IteratorEntry, isa::tandem::kItersPerNamespace>,
             isa::tandem::kNumNamespaces>
      iterators_{};
  FixedPoint format_;
  std::array<DaeConfig, 4> dae_{};  // index = st * 2 + buf
  std::array<PermWalk, 2> perm_{};  // src, dst

  // Code Repeater: the nest being configured, and the indices of the running nest.
  std::vector<LoopLevel> levels_;
  int current_level_ = -1;
  int active_levels_ = 0;
  std::array<int64_t, kLevels> index_{};

  // Spacing rule: per buffer row, issue cycle and pc of the latest compute write.
  std::array<std::vector<int64_t>, 4> write_cycle_;
  std::array<std::vector<int>, 4> write_pc_;

  std::vector<Op> program_;
  std::vector<uint8_t> mark_;  // permute overlap scratch
  std::vector<uint8_t> mask_;  // cmov lanes written
  int64_t next_f_ = 1;         // F cycle of the next slot
  int64_t last_f_ = 0;         // F cycle of the latest slot
  int64_t slots_ = 0;
  int64_t done_cycle_ = 0;
  std::vector<Commit> commits_;
  std::vector<SyncEvent> syncs_;
  int64_t compute_count_ = 0;
  int64_t engine_starts_ = 0, engine_beats_ = 0, engine_elements_ = 0;
  int bus_words_ = 1, perm_width_ = 1;  // resolved from the config
};

}  // namespace accelgen::golden::tandem
