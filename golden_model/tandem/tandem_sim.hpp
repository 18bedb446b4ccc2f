// Golden instruction-set simulator of the Tandem processor (thesis chapter 4), bit-exact to the ISA
// document isa/README.md. It decodes words with the ISA table (isa/tandem/isa.hpp) and executes
// configuration (iterator tables, IMM BUF, datatype), compute (ALU, calculus, comparison, casts),
// the Code Repeater's loop nests with affine addressing, and synchronization markers (recorded).
// Permutation and off-chip tile movement are rejected with a UserError: not modelled yet.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "golden_model/tandem/alu.hpp"
#include "isa/tandem/isa.hpp"

namespace accelgen::golden::tandem {

struct TandemSimConfig {
  int lanes = 32;   // SIMD lanes; lane l of every buffer is bank l
  int depth = 512;  // words per lane in obuf, ibuf, vmem1 and vmem2
};

struct IteratorEntry {
  int32_t offset = 0;
  int32_t stride = 0;
};

class TandemSim {
 public:
  explicit TandemSim(const TandemSimConfig& config = {});

  // Runs a whole program from its first word; throws accelgen::UserError naming the instruction
  // index on an illegal word, an out-of-range address or an unsupported instruction class.
  void Run(std::span<const uint32_t> program);

  // Buffer access (ns = obuf, ibuf, vmem1, vmem2): word `addr` of lane `lane`.
  int32_t Read(isa::tandem::Namespace ns, int lane, int addr) const;
  void Write(isa::tandem::Namespace ns, int lane, int addr, int32_t value);
  int32_t Imm(int slot) const { return imm_.at(slot); }
  const IteratorEntry& Iterator(isa::tandem::Namespace ns, int index) const;
  const FixedPoint& Format() const { return format_; }
  // Group ids of executed sync instructions, with their func code, in program order.
  const std::vector<std::pair<int, int>>& SyncLog() const { return sync_log_; }
  // Number of compute instructions executed (each over all lanes).
  int64_t ComputeCount() const { return compute_count_; }

 private:
  struct LoopLevel {
    int64_t count = 0;
    // Per-operand <ns, iterator index> whose stride advances with this level; ns < 0 = none.
    std::array<std::array<int, 2>, 3> iter{{{-1, 0}, {-1, 0}, {-1, 0}}};
  };

  void Step(const isa::tandem::Instruction& instr, size_t pc, const std::vector<LoopLevel>& nest,
            std::span<const int64_t> indices);
  void RunNest(std::span<const uint32_t> body, size_t first_pc);
  // Checked position of word `addr` of `lane` in buffer `ns`; `pc` names the instruction in errors.
  size_t Index(int ns, int lane, int64_t addr, size_t pc) const;
  int32_t& Cell(int ns, int lane, int64_t addr, size_t pc);

  TandemSimConfig config_;
  std::array<std::vector<int32_t>, 4> buffers_;  // obuf, ibuf, vmem1, vmem2: [lane * depth + addr]
  std::array<int32_t, isa::tandem::kImmSlots> imm_{};
  std::array<std::array<IteratorEntry, isa::tandem::kItersPerNamespace>,
             isa::tandem::kNumNamespaces>
      iterators_{};
  FixedPoint format_;
  std::vector<LoopLevel> levels_;  // Code Repeater configuration being built
  int current_level_ = -1;
  std::vector<std::pair<int, int>> sync_log_;
  int64_t compute_count_ = 0;
};

}  // namespace accelgen::golden::tandem
