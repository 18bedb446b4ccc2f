// A checked program builder for the Tandem processor (isa/README.md). Templates describe compute
// as loop nests over buffer rows (affine operands, as the Code Repeater executes them); the builder
// allocates iterator-table entries and IMM slots, emits configuration only when the value differs
// from what the program already set, encodes every word with isa::tandem::Encode and keeps a
// readable .tasm listing with comments. It also enforces the spacing rule (isa/README.md item 14)
// by replaying every loop nest's addresses: where a body would read a row fewer than 3 issue
// slots after it was written, it inserts nops (templates order loops so that this is rare).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "isa/tandem/isa.hpp"

namespace accelgen::compiler::tandem {

using isa::tandem::Namespace;

// One operand of a loop-body instruction: a buffer word at `base + Σ_l i_l · strides[l]` (strides
// per loop level, outermost first; missing levels are 0), or an IMM constant.
struct Operand {
  enum class Kind { kNone, kBuf, kImm };
  Kind kind = Kind::kNone;
  Namespace ns = Namespace::kObuf;
  int64_t base = 0;
  std::vector<int64_t> strides;
  int32_t imm = 0;

  static Operand Buf(Namespace ns, int64_t base, std::vector<int64_t> strides = {}) {
    return Operand{Kind::kBuf, ns, base, std::move(strides), 0};
  }
  static Operand Imm(int32_t value) { return Operand{Kind::kImm, Namespace::kImm, 0, {}, value}; }
  int64_t Stride(size_t level) const { return level < strides.size() ? strides[level] : 0; }
};

// How an instruction counts in the operator's instruction mix (thesis Table 4.3).
enum class MixRole {
  kNone,   // not counted (e.g. the later stages of a reduction tree, initialisation)
  kCore,   // a primitive of the operator's Table-4.3 sequence
  kExtra,  // needed by our lowering beyond the Table-4.3 sequence (final shift, DIV, requantize)
};

struct BodyOp {
  std::string mnemonic;  // a compute or cast mnemonic
  Operand dst, src1, src2;
  MixRole role = MixRole::kCore;
};

// DAE tile walk (isa/README.md item 11): element k of the odometer over `loops` (outermost
// first, each <count, DRAM stride>) is DRAM word `dram_base + Σ t_l·stride_l`, and goes to lane
// k mod size, row row + k div size.
struct TileWalk {
  int64_t dram_base = 0;
  std::vector<std::pair<int64_t, int64_t>> loops;
  int64_t row = 0;
  int size = 1;
  int width = 5;  // log2 of the element width in DRAM: 3 = int8, 5 = int32
};

class ProgramBuilder {
 public:
  ProgramBuilder(int lanes, int depth);

  int lanes() const { return lanes_; }
  int depth() const { return depth_; }

  // A comment line in the .tasm listing.
  void Comment(std::string_view text);
  // A comment line placed after the listing's existing header comments (the DRAM layout).
  void HeaderComment(std::string_view text);
  // Starts a tile (a comment line); the instruction mix counts the first tile only.
  void BeginTile(std::string_view text);
  // One instruction by mnemonic; operands in the order of isa/README.md's table (slot operands
  // use {ns, iter}). Throws accelgen::UserError for an illegal operand.
  void Emit(std::string_view mnemonic, std::vector<isa::tandem::OperandValue> operands,
            std::string_view comment = "");

  // DATATYPE_CONFIG: integer bits of dst, src1, src2 (32 = plain integers); emitted when changed.
  void Dtype(int dst_int, int src1_int, int src2_int);
  void IntegerDtype() { Dtype(32, 32, 32); }

  // A loop nest with `counts` (outermost first, 1..8 levels) running `body`. All body
  // instructions must agree on the per-level strides of each operand position (the Code
  // Repeater has one iterator per position and level). Spacing violations are fixed with nops.
  void Loop(const std::vector<int64_t>& counts, std::vector<BodyOp> body, std::string_view comment);
  // Shorthand: one instruction over `rows` consecutive rows (all operands stride `step`).
  void Rows(std::string_view mnemonic, int64_t rows, Operand dst, Operand src1, Operand src2 = {},
            MixRole role = MixRole::kCore, std::string_view comment = "");

  // DAE transfers between DRAM and vmem1/vmem2.
  void Load(Namespace buf, const TileWalk& walk, std::string_view comment);
  void Store(Namespace buf, const TileWalk& walk, std::string_view comment);

  // Permute engine: copies the read walk of `src` to the write walk of `dst`; each walk is a base
  // and dims (outermost first) of <count, stride> in flat buffer positions (row·lanes + lane).
  void Permute(Namespace dst, int64_t dst_base,
               const std::vector<std::pair<int64_t, int64_t>>& dst_dims, Namespace src,
               int64_t src_base, const std::vector<std::pair<int64_t, int64_t>>& src_dims,
               std::string_view comment);

  // Forgets what the program has configured so far: every iterator entry, IMM slot, datatype and
  // DAE field is emitted again at its next use. A region that the NPU re-executes once per tile
  // (golden_model/README.md, `npu`) starts with this, so each pass sets everything it uses itself
  // and runs the same whatever the previous pass left behind.
  void ForgetState();

  const std::vector<uint32_t>& words() const { return words_; }
  std::string Tasm() const;
  // Compute instructions per role, by mnemonic, as the templates tagged them (each loop body
  // instruction counted once, nops excluded).
  const std::map<std::string, int>& Mix(MixRole role) const { return mix_[static_cast<int>(role)]; }
  int64_t nops_inserted() const { return nops_inserted_; }
  // Issue slots of the program as built (every word, loop bodies once per iteration): the
  // slot numbering the spacing check used.
  int64_t slots() const { return slot_; }
  // Elements moved by the DAE and the permute engine, and the number of engine starts.
  int64_t engine_elements() const { return engine_elements_; }
  int64_t engine_starts() const { return engine_starts_; }

 private:
  struct Line {
    int64_t word_index = -1;  // -1: comment-only line
    std::string comment;
    bool body = false;
  };
  struct DaeConfig {
    int64_t base_addr = 0, tile_addr = 0;
    std::array<int64_t, 8> count{1, 1, 1, 1, 1, 1, 1, 1};
    std::array<int64_t, 8> stride{};
  };

  void EmitWord(uint32_t word, std::string_view comment, bool body);
  // Iterator entry of `ns` with the given offset (or stride); configures one when none has it.
  int IterWithOffset(Namespace ns, int64_t offset);
  int IterWithStride(Namespace ns, int64_t stride);
  int ImmSlot(int32_t value);
  void SetIterHalf(bool stride, Namespace ns, int index, int64_t value);
  void Transfer(bool store, Namespace buf, const TileWalk& walk, std::string_view comment);
  void CheckRow(Namespace ns, int64_t row, std::string_view what) const;
  // Replays a loop nest; returns the body index of the first instruction that breaks the spacing
  // rule (-1 if none). `commit` records the writes.
  int64_t CheckSpacing(const std::vector<int64_t>& counts, const std::vector<BodyOp>& body,
                       int64_t first_slot, bool commit);

  int lanes_, depth_;
  std::vector<uint32_t> words_;
  std::vector<Line> lines_;
  // Shadow of the processor state this program has set (reset values initially).
  struct Entry {
    int64_t offset = 0, stride = 0;
  };
  std::array<std::array<Entry, isa::tandem::kItersPerNamespace>, 4> iters_{};
  std::array<int64_t, isa::tandem::kImmSlots> imm_{};
  std::array<bool, isa::tandem::kImmSlots> imm_pinned_{};
  std::array<std::array<bool, isa::tandem::kItersPerNamespace>, 4> pinned_{};
  std::array<int, 4> next_victim_{};
  int next_imm_victim_ = 0;
  std::array<int, 3> dtype_{32, 32, 32};
  std::array<DaeConfig, 4> dae_{};  // [store * 2 + buf]
  // Issue slot of the latest compute write of each buffer row ([ns][row]); for the spacing rule.
  std::array<std::vector<int64_t>, 4> last_write_;
  int64_t slot_ = 0;
  int64_t nops_inserted_ = 0;
  int tiles_ = 0;
  int64_t engine_elements_ = 0, engine_starts_ = 0;
  std::array<std::map<std::string, int>, 3> mix_;
};

}  // namespace accelgen::compiler::tandem
