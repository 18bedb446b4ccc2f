#include "verilator_tb/tandem/tandem_stimulus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>

#include "common/error.hpp"
#include "isa/tandem/asm.hpp"
#include "isa/tandem/isa.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

namespace isa = accelgen::isa::tandem;

constexpr int kImm = 4;  // the IMM namespace id
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
// Dynamic issue slots a generated program may take (keeps every run short).
constexpr int64_t kMaxSlots = 60'000;

// Edge values of the sweeps: zero, units, the INT32 ends and their neighbours, the square-root
// overflow neighbours of mul, the 16-, 8- and 4-bit boundaries of the casts and shift amounts.
const std::vector<int32_t>& edge_values() {
  static const std::vector<int32_t> v = {0,      1,       -1,      kMin,   kMax,    kMax - 1, kMin + 1,
                                         46340,  46341,   -46341,  0x7fff, 0x8000,  -0x8000,  -0x8001,
                                         0xffff, 0x10000, 127,     128,    -128,    -129,     7,
                                         8,      -8,      31,      32,     0x55555555};
  return v;
}

int64_t rnd(std::mt19937_64& rng, int64_t lo, int64_t hi) { return draw(rng, lo, hi); }

int32_t random_value(std::mt19937_64& rng) {
  switch (rnd(rng, 0, 3)) {
    case 0: return edge_values()[rnd(rng, 0, static_cast<int64_t>(edge_values().size()) - 1)];
    case 1: return static_cast<int32_t>(rnd(rng, -300, 300));
    default: return static_cast<int32_t>(rnd(rng, kMin, kMax));
  }
}

struct OpInfo {
  std::string mnemonic;
  bool src2 = false;
  bool reads_dst = false;  // macc accumulates into dst, cmov.* may keep it
  int slots = 1;           // issue slots (isa::IssueSlots: a div holds fetch for kDivSlots)
};

// Every compute, calculus, comparison and cast instruction, from the ISA table.
const std::vector<OpInfo>& compute_ops() {
  static const std::vector<OpInfo> ops = [] {
    std::vector<OpInfo> v;
    for (const auto& d : isa::InstructionTable()) {
      const bool compute = d.opcode == isa::Opcode::kAlu || d.opcode == isa::Opcode::kCalculus ||
                           d.opcode == isa::Opcode::kComparison || d.opcode == isa::Opcode::kDatatypeCast;
      if (!compute || d.mnemonic == "nop") continue;
      const std::string m(d.mnemonic);
      v.push_back({m, d.operands.size() == 3, m == "macc" || m == "cmov.t" || m == "cmov.f",
                   isa::IssueSlots(d.opcode, d.func)});
    }
    return v;
  }();
  return ops;
}

const OpInfo& random_op(std::mt19937_64& rng) {
  return compute_ops()[rnd(rng, 0, static_cast<int64_t>(compute_ops().size()) - 1)];
}

struct Slot {
  int ns = 0;
  int idx = 0;
  friend bool operator==(const Slot&, const Slot&) = default;
};

std::string slot_text(Slot s) { return fmt::format("{}[{}]", isa::NamespaceName(s.ns), s.idx); }

struct Compute {
  const OpInfo* op = nullptr;  // nullptr = nop
  Slot dst, src1, src2;
};

// One instruction of a loop body: a compute (or nop), or a configuration/sync line that does not
// change any address.
struct BodyItem {
  bool is_compute = true;
  Compute c;
  std::string text;
  // A configuration item that rewrites an iterator offset mid-nest (text is its instruction).
  bool sets_offset = false;
  Slot slot;
  int64_t value = 0;
};

BodyItem compute_item(const Compute& c) {
  BodyItem b;
  b.c = c;
  return b;
}

struct Level {
  int count = 1;
  bool indexed = false;
  std::array<Slot, 3> iter{};  // dst, src1, src2 iterators of loop.set_index
};

struct DaeConfig {
  int64_t base_addr = 0, tile_addr = 0;
  std::array<int64_t, 8> base_count, base_stride{}, tile_count, tile_stride{}, base_idx{};
  DaeConfig() {
    base_count.fill(1);
    tile_count.fill(1);
  }
};

struct PermWalk {
  int64_t base = 0;
  std::array<int64_t, 8> count, stride{};
  PermWalk() { count.fill(1); }
  int64_t elements() const {
    int64_t e = 1;
    for (int64_t c : count) e *= c;
    return e;
  }
};

int64_t set_half(int64_t old, uint32_t half, bool high) {
  const auto u = static_cast<uint32_t>(old);
  return static_cast<int32_t>(high ? ((u & 0xffffu) | (half << 16)) : ((u & 0xffff0000u) | half));
}

// Writes a program line by line while mirroring every piece of state that decides an address
// (iterator tables, DAE and permute configurations) and the recent write-backs, so it can keep
// addresses in range and space dependent instructions.
class Builder {
 public:
  Builder(const TandemShape& shape, std::mt19937_64& rng) : shape_(shape), rng_(&rng) {}

  const TandemShape& shape() const { return shape_; }
  int64_t words() const { return words_; }
  int64_t slots() const { return slot_; }
  const std::string& text() const { return text_; }
  std::mt19937_64& rng() { return *rng_; }

  // A configuration or sync instruction: one word, one slot, no buffer access.
  void emit(const std::string& line) {
    text_ += line + "\n";
    ++words_;
    ++slot_;
  }
  void note(const std::string& comment) { text_ += "# " + comment + "\n"; }

  int64_t offset(Slot s) const { return offset_[s.ns][s.idx]; }
  // For instructions emitted as raw text: what they leave in the table.
  void mirror_offset(Slot s, int64_t v) { offset_[s.ns][s.idx] = v; }
  void mirror_stride(Slot s, int64_t v) { stride_[s.ns][s.idx] = v; }
  int64_t stride(Slot s) const { return stride_[s.ns][s.idx]; }

  // Iterator offset/stride through a randomly chosen form: sext, zext or the lo/hi halves.
  void set_offset(Slot s, int64_t v) { set_iter_value(s, v, "base", offset_[s.ns][s.idx]); }
  void set_stride(Slot s, int64_t v) { set_iter_value(s, v, "stride", stride_[s.ns][s.idx]); }

  void set_imm(int slot, int32_t v) {
    if (v >= -32768 && v <= 32767 && rnd(rng(), 0, 2) > 0) {
      emit(fmt::format("imm.sext imm[{}], {}", slot, v));
    } else {
      const auto u = static_cast<uint32_t>(v);
      emit(fmt::format("imm.hi imm[{}], 0x{:x}", slot, u >> 16));
      emit(fmt::format("imm.lo imm[{}], 0x{:x}", slot, u & 0xffffu));
    }
  }

  void dtype(int dst_int, int src1_int, int src2_int) {
    static const char* names[] = {"fxp32", "fxp16", "fxp8", "fxp4"};
    emit(fmt::format("dtype.{} {}, {}, {}", names[rnd(rng(), 0, 3)], dst_int, src1_int, src2_int));
  }

  void sync() {
    static const char* names[] = {"gemm.start.exec",   "gemm.start.buf",   "gemm.end.exec",   "gemm.end.buf",
                                  "tandem.start.exec", "tandem.start.buf", "tandem.end.exec", "tandem.end.buf"};
    emit(fmt::format("sync.{} {}", names[rnd(rng(), 0, 7)], rnd(rng(), 0, 31)));
  }

  // A compute instruction outside a loop (addresses = the operands' offsets), after as many nops
  // as the spacing rule needs.
  void compute(const Compute& c) {
    std::vector<Access> reads = reads_of(c, {}, {});
    while (conflicts(reads, history_, slot_)) emit("nop");
    record(c, {}, {}, history_, slot_);
    emit(compute_text(c));
    slot_ += slots_of(c) - 1;
  }

  // The (min, max) of sum_l i_l * stride_l over a nest for operand position P (0 dst, 1 src1, 2 src2).
  std::pair<int64_t, int64_t> span(const std::vector<Level>& levels, int p) const {
    int64_t lo = 0, hi = 0;
    for (const Level& l : levels) {
      if (!l.indexed || l.count == 0) continue;
      const int64_t reach = (l.count - 1) * stride(l.iter[p]);
      lo += std::min<int64_t>(0, reach);
      hi += std::max<int64_t>(0, reach);
    }
    return {lo, hi};
  }

  // A loop nest. If the body as given would break the spacing rule, every compute is followed by
  // two nops instead (always legal).
  void nest(const std::vector<Level>& levels, std::vector<BodyItem> body) {
    for (size_t l = 0; l < levels.size(); ++l) {
      emit(fmt::format("loop.set_iter {}, {}", l, levels[l].count));
      if (levels[l].indexed) {
        const auto& it = levels[l].iter;
        emit(fmt::format("loop.set_index {}, {}, {}", slot_text(it[0]), slot_text(it[1]), slot_text(it[2])));
      }
    }
    std::vector<Access> hist = history_;
    int64_t slot = slot_ + 1;
    if (!expand(levels, body, hist, slot)) {
      std::vector<BodyItem> spaced;
      for (const BodyItem& b : body) {
        spaced.push_back(b);
        if (b.is_compute && b.c.op) {
          spaced.push_back({});
          spaced.push_back({});
        }
      }
      body = std::move(spaced);
      hist = history_;
      slot = slot_ + 1;
      if (!expand(levels, body, hist, slot)) throw std::logic_error("tandem stimulus: spaced nest still conflicts");
    }
    emit(fmt::format("loop.set_num_inst {}", body.size()));
    for (const BodyItem& b : body) {
      text_ += (b.is_compute ? compute_text(b.c) : b.text) + "\n";
      ++words_;
    }
    slot_ = slot;
    history_ = std::move(hist);
  }

  // ---- Data Access Engine (isa/README.md item 11); dir 0 = ld, 1 = st; buf 0 = vmem1, 1 = vmem2.
  DaeConfig& dae(int dir, int buf) { return dae_[dir][buf]; }
  void dae_addr(int dir, int buf, bool tile, int64_t v) {
    int64_t& field = tile ? dae_[dir][buf].tile_addr : dae_[dir][buf].base_addr;
    for (bool high : {false, true}) {
      const uint32_t half = (static_cast<uint32_t>(v) >> (high ? 16 : 0)) & 0xffffu;
      emit(fmt::format("{}.{}_addr {}, {}, 0x{:x}", dir_name(dir), tile ? "tile" : "base", high ? "hi" : "lo",
                       buf_name(buf), half));
      field = set_half(field, half, high);
    }
  }
  void dae_iter(int dir, int buf, bool tile, int loop, int64_t count) {
    emit(fmt::format("{}.{}_iter {}, {}, {}", dir_name(dir), tile ? "tile" : "base", buf_name(buf), loop, count));
    DaeConfig& d = dae_[dir][buf];
    (tile ? d.tile_count : d.base_count)[loop] = count;
    if (!tile) d.base_idx.fill(0);
  }
  void dae_stride(int dir, int buf, bool tile, int loop, int64_t v) {
    DaeConfig& d = dae_[dir][buf];
    int64_t& field = (tile ? d.tile_stride : d.base_stride)[loop];
    for (bool high : {true, false}) {
      const uint32_t half = (static_cast<uint32_t>(v) >> (high ? 16 : 0)) & 0xffffu;
      if (((static_cast<uint32_t>(field) >> (high ? 16 : 0)) & 0xffffu) == half && rnd(rng(), 0, 1)) continue;
      emit(fmt::format("{}.{}_stride {}, {}, {}, 0x{:x}", dir_name(dir), tile ? "tile" : "base", high ? "hi" : "lo",
                       buf_name(buf), loop, half));
      field = set_half(field, half, high);
    }
  }
  // Elements of the next start of a configuration: (DRAM word, row, lane) in walk order.
  std::vector<std::array<int64_t, 3>> dae_walk(int dir, int buf, int size) const {
    const DaeConfig& d = dae_[dir][buf];
    int64_t base = d.base_addr;
    for (int l = 0; l < 8; ++l) base += d.base_idx[l] * d.base_stride[l];
    std::vector<std::array<int64_t, 3>> out;
    std::array<int64_t, 8> t{};
    int64_t total = 1;
    for (int64_t c : d.tile_count) total *= c;
    for (int64_t k = 0; k < total; ++k) {
      int64_t a = base;
      for (int l = 0; l < 8; ++l) a += t[l] * d.tile_stride[l];
      out.push_back({a, d.tile_addr + k / size, k % size});
      for (int l = 7; l >= 0; --l) {
        if (++t[l] < d.tile_count[l]) break;
        t[l] = 0;
      }
    }
    return out;
  }
  void dae_start(int dir, int buf, int width, int size) {
    for (const auto& e : dae_walk(dir, buf, size)) {
      if (e[0] < 0 || e[0] >= shape_.dram_words || e[1] < 0 || e[1] >= shape_.depth)
        throw std::logic_error(fmt::format("tandem stimulus: DAE element outside DRAM/buffer ({}, row {})", e[0], e[1]));
    }
    emit(fmt::format("{}.start {}, {}, {}", dir_name(dir), buf_name(buf), width, size));
    DaeConfig& d = dae_[dir][buf];
    for (int l = 7; l >= 0; --l) {
      if (++d.base_idx[l] < d.base_count[l]) break;
      d.base_idx[l] = 0;
    }
  }

  // ---- Permute engine (item 12); side 0 = src, 1 = dst.
  PermWalk& walk(int side) { return perm_[side]; }
  void perm_base(int side, int64_t v) {
    emit(fmt::format("perm.set_base {}, {}", side ? "dst" : "src", v));
    perm_[side].base = v;
  }
  void perm_iter(int side, int dim, int64_t count) {
    emit(fmt::format("perm.set_iter {}, {}, {}", side ? "dst" : "src", dim, count));
    perm_[side].count[dim] = count;
  }
  void perm_stride(int side, int dim, int64_t v) {
    emit(fmt::format("perm.set_stride {}, {}, {}", side ? "dst" : "src", dim, v));
    perm_[side].stride[dim] = v;
  }
  std::vector<int64_t> perm_positions(int side) const {
    const PermWalk& w = perm_[side];
    std::vector<int64_t> out;
    std::array<int64_t, 8> i{};
    for (int64_t k = 0, e = w.elements(); k < e; ++k) {
      int64_t f = w.base;
      for (int d = 0; d < 8; ++d) f += i[d] * w.stride[d];
      out.push_back(f);
      for (int d = 7; d >= 0; --d) {
        if (++i[d] < w.count[d]) break;
        i[d] = 0;
      }
    }
    return out;
  }
  // Whether the configured walks make a legal permutation between the two namespaces.
  bool perm_legal(int dst_ns, int src_ns) const {
    const auto src = perm_positions(0), dst = perm_positions(1);
    if (src.size() != dst.size()) return false;
    const int64_t flat = static_cast<int64_t>(shape_.depth) * shape_.lanes;
    for (const auto* v : {&src, &dst})
      for (int64_t f : *v)
        if (f < 0 || f >= flat) return false;
    if (dst_ns == src_ns) {
      std::set<int64_t> s(src.begin(), src.end());
      for (int64_t f : dst)
        if (s.count(f)) return false;
    }
    return true;
  }
  void perm_start(int dst_ns, int src_ns) {
    if (!perm_legal(dst_ns, src_ns)) throw std::logic_error("tandem stimulus: illegal permutation");
    emit(fmt::format("perm.start {}, {}, 0", isa::NamespaceName(dst_ns), isa::NamespaceName(src_ns)));
  }

 private:
  struct Access {
    int64_t slot;
    int ns;
    int64_t row;
  };

  static const char* dir_name(int dir) { return dir ? "st" : "ld"; }
  static const char* buf_name(int buf) { return buf ? "vmem2" : "vmem1"; }

  void set_iter_value(Slot s, int64_t v, const char* what, int64_t& field) {
    const auto u = static_cast<uint32_t>(v);
    const std::string name = slot_text(s);
    const int form = static_cast<int>(rnd(rng(), 0, 2));
    if (form == 0 && v >= -32768 && v <= 32767) {
      emit(fmt::format("iter.{}_sext {}, {}", what, name, v));
    } else if (form == 1 && v >= 0 && v <= 65535) {
      emit(fmt::format("iter.{}_zext {}, {}", what, name, v));
    } else {
      // Halves, high first or low first; a half that already holds the right bits is skipped
      // half of the time (so "the other half is kept" matters).
      const bool high_first = rnd(rng(), 0, 1) == 1;
      for (int k = 0; k < 2; ++k) {
        const bool high = (k == 0) == high_first;
        const uint32_t half = (u >> (high ? 16 : 0)) & 0xffffu;
        const uint32_t old = (static_cast<uint32_t>(field) >> (high ? 16 : 0)) & 0xffffu;
        if (old == half && rnd(rng(), 0, 1)) continue;
        emit(fmt::format("iter.{}_{} {}, 0x{:x}", what, high ? "hi" : "lo", name, half));
      }
    }
    field = static_cast<int32_t>(u);
  }

  std::string compute_text(const Compute& c) const {
    if (!c.op) return "nop";
    const bool one = c.op->mnemonic == "move" || c.op->mnemonic == "not" || !c.op->src2;
    if (one) return fmt::format("{} {}, {}", c.op->mnemonic, slot_text(c.dst), slot_text(c.src1));
    return fmt::format("{} {}, {}, {}", c.op->mnemonic, slot_text(c.dst), slot_text(c.src1), slot_text(c.src2));
  }

  int64_t address(Slot s, int p, const std::vector<Level>& levels, const std::vector<int64_t>& idx) const {
    int64_t a = offset(s);
    for (size_t l = 0; l < idx.size(); ++l)
      if (levels[l].indexed) a += idx[l] * stride(levels[l].iter[p]);
    if (a < 0 || a >= shape_.depth)
      throw std::logic_error(fmt::format("tandem stimulus: address {} of {} outside the buffer", a, slot_text(s)));
    return a;
  }

  std::vector<Access> reads_of(const Compute& c, const std::vector<Level>& levels, const std::vector<int64_t>& idx) const {
    std::vector<Access> r;
    if (!c.op) return r;
    if (c.src1.ns != kImm) r.push_back({0, c.src1.ns, address(c.src1, 1, levels, idx)});
    if (c.op->src2 && c.src2.ns != kImm) r.push_back({0, c.src2.ns, address(c.src2, 2, levels, idx)});
    if (c.op->reads_dst) r.push_back({0, c.dst.ns, address(c.dst, 0, levels, idx)});
    return r;
  }

  static bool conflicts(const std::vector<Access>& reads, const std::vector<Access>& hist, int64_t slot) {
    for (const Access& r : reads)
      for (const Access& w : hist)
        if (slot - w.slot < 3 && w.ns == r.ns && w.row == r.row) return true;
    return false;
  }

  void record(const Compute& c, const std::vector<Level>& levels, const std::vector<int64_t>& idx,
              std::vector<Access>& hist, int64_t slot) const {
    std::erase_if(hist, [slot](const Access& a) { return slot - a.slot >= 3; });
    // A div writes as an instruction issued in its last slot (isa/README.md item 14).
    if (c.op) hist.push_back({slot + slots_of(c) - 1, c.dst.ns, address(c.dst, 0, levels, idx)});
  }

  static int slots_of(const Compute& c) { return c.op ? c.op->slots : 1; }

  // Walks the nest's dynamic instructions from SLOT: false on a spacing conflict.
  // Offsets rewritten inside the body take effect for the instructions after them (and stay
  // after the nest); a failed walk leaves the tables as they were.
  bool expand(const std::vector<Level>& levels, const std::vector<BodyItem>& body, std::vector<Access>& hist,
              int64_t& slot) {
    const auto saved = offset_;
    int64_t total = body.empty() ? 0 : 1;
    for (const Level& l : levels) total *= l.count;
    if (total * static_cast<int64_t>(body.size()) + slot > kMaxSlots * 4)
      throw std::logic_error("tandem stimulus: nest too long");
    std::vector<int64_t> idx(levels.size(), 0);
    for (int64_t it = 0; it < total; ++it) {
      for (const BodyItem& b : body) {
        if (b.is_compute) {
          if (conflicts(reads_of(b.c, levels, idx), hist, slot)) {
            offset_ = saved;
            return false;
          }
          record(b.c, levels, idx, hist, slot);
        } else if (b.sets_offset) {
          offset_[b.slot.ns][b.slot.idx] = b.value;
        }
        slot += b.is_compute ? slots_of(b.c) : 1;
      }
      for (int l = static_cast<int>(levels.size()) - 1; l >= 0; --l) {
        if (++idx[l] < levels[l].count) break;
        idx[l] = 0;
      }
    }
    return true;
  }

  TandemShape shape_;
  std::mt19937_64* rng_;
  std::string text_;
  int64_t words_ = 0, slot_ = 0;
  std::vector<Access> history_;
  std::array<std::array<int64_t, 32>, 5> offset_{}, stride_{};
  std::array<std::array<DaeConfig, 2>, 2> dae_;
  std::array<PermWalk, 2> perm_;
};

// ---------------------------------------------------------------------------------------------
// Program assembly: sections are appended to a program until the next one would not fit the
// instruction memory (or the slot budget); then a new program starts with the same prologue.

using Section = std::function<void(Builder&)>;

struct Packer {
  const TandemShape& shape;
  std::string family;
  uint64_t seed;
  std::vector<TandemCase>& out;

  void pack(const std::string& label, const TandemState& init, const Section& prologue,
            const std::vector<Section>& sections) {
    std::mt19937_64 rng(seed ^ (0x9e3779b97f4a7c15ull * (out.size() + 1)));
    auto fresh = [&] {
      Builder b(shape, rng);
      if (prologue) prologue(b);
      return b;
    };
    Builder cur = fresh();
    bool has_body = false;
    for (const Section& s : sections) {
      Builder trial = cur;
      s(trial);
      if (has_body && (trial.words() > shape.imem_depth || trial.slots() > kMaxSlots)) {
        finish(label, cur, init);
        cur = fresh();
        s(cur);
      } else {
        cur = std::move(trial);
      }
      has_body = true;
    }
    finish(label, cur, init);
  }

  void finish(const std::string& label, const Builder& b, const TandemState& init) {
    if (b.words() > shape.imem_depth)
      throw UserError(fmt::format("tandem stimulus: a {} program needs {} instruction words, imem_depth is {}",
                                  family, b.words(), shape.imem_depth));
    TandemCase c;
    c.name = fmt::format("{}#{}{}", family, out.size(), label.empty() ? "" : " " + label);
    c.seed = seed;
    c.family = family;
    c.source = b.text();
    c.words = isa::Assemble(c.source, c.name);
    c.init = init;
    out.push_back(std::move(c));
  }
};

TandemState random_state(const TandemShape& shape, std::mt19937_64& rng) {
  TandemState s = TandemState::zeros(shape);
  for (auto& b : s.buffers)
    for (auto& v : b) v = random_value(rng);
  for (auto& v : s.dram) v = random_value(rng);
  return s;
}

int32_t& cell(TandemState& s, const TandemShape& shape, int ns, int lane, int row) {
  return s.buffers[ns][static_cast<size_t>(lane) * shape.depth + row];
}

Slot buffer_slot(std::mt19937_64& rng) { return {static_cast<int>(rnd(rng, 0, 3)), static_cast<int>(rnd(rng, 0, 31))}; }

// ---- (a) per-instruction sweeps ---------------------------------------------------------------

// Integer bits of dst, src1, src2: plain integers, Q16, Q24, two mixed formats for which the
// product shift f1 + f2 - fd is negative (-2) and positive (+26), all-fraction (f = 32), and more
// integer bits than the word (f < 0: a product shift of -71, a cast shift of -39).
constexpr std::array<std::array<int, 3>, 7> kFormats = {
    {{32, 32, 32}, {16, 16, 16}, {8, 8, 8}, {24, 28, 30}, {30, 16, 20}, {0, 0, 0}, {1, 40, 64}}};

void sweep_family(const TandemShape& shape, uint64_t seed, std::vector<TandemCase>& out) {
  const auto& e = edge_values();
  const int64_t n = static_cast<int64_t>(e.size());
  const int rows = static_cast<int>(std::min<int64_t>({shape.depth, 64, (n * n + shape.lanes - 1) / shape.lanes}));
  const int64_t cells = static_cast<int64_t>(rows) * shape.lanes;
  const int64_t chunks = (n * n + cells - 1) / cells;
  Packer packer{shape, "sweep", seed, out};
  std::mt19937_64 rng(seed);
  for (size_t f = 0; f < kFormats.size(); ++f) {
    // Every pair under the integer format; the fractional formats see the first two chunks.
    for (int64_t chunk = 0; chunk < (f == 0 ? chunks : std::min<int64_t>(chunks, 2)); ++chunk) {
      // src1 in vmem1, src2 in obuf: every (a, b) pair of edge values once over the chunks.
      TandemState init = TandemState::zeros(shape);
      for (int r = 0; r < rows; ++r)
        for (int l = 0; l < shape.lanes; ++l) {
          const int64_t g = chunk * cells + static_cast<int64_t>(r) * shape.lanes + l;
          // Pairs in a scattered order (29 is prime to n^2), so the fractional formats' first
          // chunks already mix small and extreme values.
          const int64_t p = (g * 29) % (n * n);
          const bool fresh = g >= n * n;
          cell(init, shape, 2, l, r) = fresh ? random_value(rng) : e[p / n];
          cell(init, shape, 0, l, r) = fresh ? random_value(rng) : e[p % n];
          cell(init, shape, 3, l, r) = random_value(rng);  // macc/cmov read the destination
          cell(init, shape, 1, l, r) = random_value(rng);
        }
      const auto fmt3 = kFormats[f];
      auto prologue = [fmt3, &e, chunk](Builder& b) {
        b.dtype(fmt3[0], fmt3[1], fmt3[2]);
        for (int ns = 0; ns < 4; ++ns) {
          b.set_offset({ns, 0}, 0);
          b.set_stride({ns, 1}, 1);
        }
        for (int k = 0; k < 8; ++k) b.set_imm(k, e[(chunk * 8 + k * 3 + 1) % e.size()]);
      };
      std::vector<Section> sections;
      int variant = 0;
      for (const OpInfo& op : compute_ops()) {
        for (int imm_src = 0; imm_src < (op.src2 ? 3 : 1); ++imm_src) {
          const int v = variant++;
          sections.push_back([&op, imm_src, v, rows](Builder& b) {
            // dst alternates between vmem2 and ibuf; src2 from obuf, or an IMM slot (as src2 or,
            // for the third variant, src1 with vmem1 as src2).
            const int dst_ns = v % 2 ? 1 : 3;
            Compute c{&op, {dst_ns, 0}, {2, 0}, {0, 0}};
            Level l{rows, true, {Slot{dst_ns, 1}, Slot{2, 1}, Slot{0, 1}}};
            if (imm_src == 1) c.src2 = {kImm, v % 8};
            if (imm_src == 2) {
              c.src1 = {kImm, v % 8};
              c.src2 = {2, 0};
              l.iter = {Slot{dst_ns, 1}, Slot{0, 1}, Slot{2, 1}};
            }
            b.nest({l}, {compute_item(c)});
          });
        }
      }
      packer.pack(fmt::format("format {}/{}/{} chunk {}", fmt3[0], fmt3[1], fmt3[2], chunk), init, prologue,
                  sections);
    }
  }
}

// ---- (b) loops and addressing ---------------------------------------------------------------

int pick_count(std::mt19937_64& rng, int levels) {
  const int64_t r = rnd(rng, 0, 19);
  if (r == 0) return 0;
  if (r < 6) return 1;
  return static_cast<int>(rnd(rng, 2, levels > 3 ? 2 : (levels > 1 ? 4 : 9)));
}

int64_t pick_stride(std::mt19937_64& rng, int depth) {
  switch (rnd(rng, 0, 6)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return -1;
    case 3: return rnd(rng, 2, 5);
    case 4: return -rnd(rng, 2, 5);
    case 5: return depth / 4;
    default: return -(depth / 3);
  }
}

// One random nest: LEVELS levels, a body of up to MAX_BODY instructions; strides are configured
// first, then every body operand gets an offset that keeps the whole walk inside the buffer.
void random_nest(Builder& b, int levels_n, int max_body, bool in_place) {
  auto& rng = b.rng();
  const int depth = b.shape().depth;
  std::vector<Level> levels(static_cast<size_t>(levels_n));
  // Distinct iterator entries for strides and offsets (4 buffers x 32 entries).
  std::vector<Slot> pool;
  for (int ns = 0; ns < 4; ++ns)
    for (int i = 0; i < 32; ++i) pool.push_back({ns, i});
  std::shuffle(pool.begin(), pool.end(), rng);
  size_t next = 0;
  // The imm namespace has an iterator table too (isa/README.md item 8: a level's stride comes
  // from the table loop.set_index names): src1/src2 levels sometimes step with an imm entry.
  std::vector<int> imm_entries(32);
  for (int i = 0; i < 32; ++i) imm_entries[i] = i;
  std::shuffle(imm_entries.begin(), imm_entries.end(), rng);
  size_t next_imm = 0;
  for (Level& l : levels) {
    l.count = pick_count(rng, levels_n);
    l.indexed = rnd(rng, 0, 9) < 8;
    for (int p = 0; p < 3; ++p) l.iter[p] = pool[next++];
    for (int p = 1; p < 3; ++p)
      if (rnd(rng, 0, 7) == 0) l.iter[p] = {kImm, imm_entries[next_imm++]};
    if (in_place) l.iter[1] = l.iter[0];  // src1 walks with dst
    for (int p = 0; p < 3; ++p)
      if (!(in_place && p == 1)) b.set_stride(l.iter[p], pick_stride(rng, depth));
  }
  // Shrink strides that cannot fit (span wider than the buffer).
  for (int p = 0; p < 3; ++p) {
    while (true) {
      auto [lo, hi] = b.span(levels, p);
      if (hi - lo < depth) break;
      for (Level& l : levels)
        if (l.indexed && b.stride(l.iter[p]) != 0) {
          b.set_stride(l.iter[p], b.stride(l.iter[p]) / 2);
          if (in_place && p == 0) l.iter[1] = l.iter[0];
          break;
        }
    }
  }
  const int n = static_cast<int>(rnd(rng, 1, max_body));
  std::vector<BodyItem> body;
  for (int k = 0; k < n; ++k) {
    if (rnd(rng, 0, 9) == 0) {
      BodyItem item;
      item.is_compute = false;
      const int64_t what = rnd(rng, 0, 2);
      // IMM slots 0..7 are the ones body computes read: the write must reach the next one.
      item.text = what == 0 ? fmt::format("sync.tandem.start.exec {}", rnd(rng, 0, 31))
                  : what == 1 ? fmt::format("imm.sext imm[{}], {}", rnd(rng, 0, 7), rnd(rng, -32768, 32767))
                              : fmt::format("dtype.fxp32 {}, {}, {}", rnd(rng, 16, 32), rnd(rng, 16, 32), rnd(rng, 16, 32));
      body.push_back(item);
      continue;
    }
    const OpInfo& op = random_op(rng);
    Compute c{&op, pool[next++], pool[next++], pool[next++]};
    if (rnd(rng, 0, 4) == 0) c.src2 = {kImm, static_cast<int>(rnd(rng, 0, 7))};
    if (in_place) c.src1 = c.dst;
    for (int p = 0; p < 3; ++p) {
      Slot& s = p == 0 ? c.dst : (p == 1 ? c.src1 : c.src2);
      if (s.ns == kImm || (in_place && p == 1)) continue;
      auto [lo, hi] = b.span(levels, p);
      b.set_offset(s, rnd(rng, -lo, depth - 1 - hi));
    }
    body.push_back(compute_item(c));
  }
  // Sometimes a body instruction moves one operand's base mid-nest (within the operand's range).
  if (rnd(rng, 0, 2) == 0) {
    std::vector<std::pair<Slot, int>> used;
    for (const BodyItem& it : body)
      if (it.is_compute) {
        used.push_back({it.c.dst, 0});
        if (it.c.src1.ns != kImm && !(in_place && it.c.src1 == it.c.dst)) used.push_back({it.c.src1, 1});
      }
    if (!used.empty()) {
      const auto [slot, p] = used[rnd(rng, 0, static_cast<int64_t>(used.size()) - 1)];
      auto [lo, hi] = b.span(levels, p);
      BodyItem item;
      item.is_compute = false;
      item.sets_offset = true;
      item.slot = slot;
      item.value = rnd(rng, -lo, depth - 1 - hi);
      item.text = fmt::format("iter.base_zext {}, {}", slot_text(slot), item.value);
      body.insert(body.begin() + rnd(rng, 0, static_cast<int64_t>(body.size())), item);
    }
  }
  b.nest(levels, body);
}

void loops_family(const TandemShape& shape, uint64_t seed, std::vector<TandemCase>& out) {
  Packer packer{shape, "loops", seed, out};
  std::mt19937_64 rng(seed);
  for (int prog = 0; prog < 8; ++prog) {
    TandemState init = random_state(shape, rng);
    std::vector<Section> sections;
    for (int k = 0; k < 6; ++k) {
      // 0..8 levels across the family (no level: the body runs once).
      const int levels = (prog + k) % 9;
      const bool in_place = k % 3 == 2;
      const int max_body = k % 2 ? 6 : 1;
      sections.push_back([levels, in_place, max_body](Builder& b) { random_nest(b, levels, max_body, in_place); });
    }
    // Long nests: counts past 8 bits (and the 16-bit maximum once), so every bit of the loop
    // counters matters. dst stays on one row of vmem2; the sources walk vmem1 and obuf.
    sections.push_back([prog](Builder& b) {
      auto& rng = b.rng();
      const int d = b.shape().depth;
      const int c0 = prog == 0 ? 65535 : static_cast<int>(rnd(rng, 256, 700));
      const int c1 = prog == 0 ? 1 : static_cast<int>(rnd(rng, 1, 3));
      b.set_stride({3, 20}, 0);
      b.set_stride({2, 20}, 0);
      b.set_stride({0, 20}, 0);
      b.set_stride({2, 19}, 1);
      b.set_offset({3, 21}, rnd(rng, 0, d - 1));
      b.set_offset({2, 21}, rnd(rng, 0, d - c1));
      b.set_offset({0, 21}, rnd(rng, 0, d - 1));
      const Level outer{c0, true, {Slot{3, 20}, Slot{2, 20}, Slot{0, 20}}};
      const Level inner{c1, true, {Slot{3, 20}, Slot{2, 19}, Slot{0, 20}}};
      b.nest({outer, inner}, {compute_item(Compute{&compute_ops()[0], {3, 21}, {2, 21}, {0, 21}})});
    });
    // Large offsets and strides through the lo/hi halves: a stride of -1 as 0xffff:0xffff and an
    // offset whose high half is cleared after a negative sext.
    sections.push_back([](Builder& b) {
      const int d = b.shape().depth;
      b.emit("iter.base_sext vmem1[30], -1");
      b.emit("iter.base_hi vmem1[30], 0x0");
      b.emit(fmt::format("iter.base_lo vmem1[30], {}", d - 1));
      b.mirror_offset({2, 30}, d - 1);
      b.emit("iter.stride_lo vmem2[29], 0xffff");
      b.emit("iter.stride_hi vmem2[29], 0xffff");
      b.mirror_stride({3, 29}, -1);
      b.set_offset({3, 28}, 0);
      b.set_stride({3, 31}, 1);
      // dst walks up with vmem2[31], src1 walks down from the top with vmem2[29]'s stride of -1.
      const Level l{std::min(d, 16), true, {Slot{3, 31}, Slot{3, 29}, Slot{0, 27}}};
      b.nest({l}, {compute_item(Compute{&compute_ops()[0], {3, 28}, {2, 30}, {kImm, 0}})});
    });
    packer.pack(fmt::format("{}", prog), init, {}, sections);
  }
}

// ---- DAE ------------------------------------------------------------------------------------

// Configures (dir, buf) with random tile and base loops whose every start stays in range, then
// starts it STARTS times with a random width and size.
void random_dae(Builder& b, int dir, int buf, int starts) {
  auto& rng = b.rng();
  const TandemShape& s = b.shape();
  const int size = static_cast<int>(rnd(rng, 0, 2) == 0 ? s.lanes : rnd(rng, 1, s.lanes));
  // Tile loops on random levels (others stay at whatever count they had: reset them to 1 first).
  for (int l = 0; l < 8; ++l)
    if (b.dae(dir, buf).tile_count[l] != 1) b.dae_iter(dir, buf, true, l, 1);
  const int tl = static_cast<int>(rnd(rng, 1, 3));
  const int64_t max_e = std::min<int64_t>(static_cast<int64_t>(s.depth) * size, rnd(rng, 0, 3) == 0 ? 600 : 96);
  int64_t e = 1;
  std::vector<int> used;
  // Half the walks are line walks (isa/README.md item 11, beats): a level-7 run with stride +1,
  // so beats group elements up to the row, the run and the DRAM line.
  if (rnd(rng, 0, 1)) {
    const int64_t c = rnd(rng, 1, std::max<int64_t>(1, std::min<int64_t>(max_e, 3 * s.lanes + 5)));
    e = c;
    used.push_back(7);
    b.dae_iter(dir, buf, true, 7, c);
    b.dae_stride(dir, buf, true, 7, 1);
  }
  for (int k = 0; k < tl; ++k) {
    const int level = static_cast<int>(rnd(rng, 0, 7));
    if (std::find(used.begin(), used.end(), level) != used.end()) continue;
    used.push_back(level);
    const int64_t c = std::max<int64_t>(1, rnd(rng, 1, std::max<int64_t>(1, max_e / e)));
    if (e * c > max_e) continue;
    e *= c;
    b.dae_iter(dir, buf, true, level, c);
    // Strides small enough that the whole walk fits half the DRAM.
    const int64_t ts = std::clamp<int64_t>(s.dram_words / 2 / max_e, 1, 9);
    b.dae_stride(dir, buf, true, level, rnd(rng, 0, 3) == 0 ? -rnd(rng, 1, ts) : rnd(rng, 0, ts));
  }
  // Base loops: at most 2 levels, reset indices.
  for (int l = 0; l < 8; ++l)
    if (b.dae(dir, buf).base_count[l] != 1) b.dae_iter(dir, buf, false, l, 1);
  const int bl = static_cast<int>(rnd(rng, 0, 2));
  for (int k = 0; k < bl; ++k) {
    const int level = static_cast<int>(rnd(rng, 0, 7));
    b.dae_iter(dir, buf, false, level, rnd(rng, 1, 3));
    const int64_t bs = std::clamp<int64_t>(s.dram_words / 16, 1, 200);
    b.dae_stride(dir, buf, false, level, rnd(rng, 0, 3) == 0 ? -rnd(rng, 1, bs / 3 + 1) : rnd(rng, 0, bs));
  }
  if (bl == 0 && rnd(rng, 0, 1)) b.dae_iter(dir, buf, false, 0, 1);  // resets the base indices
  // Span of every DRAM word the next STARTS starts can touch; place base_addr so it fits.
  const DaeConfig& d = b.dae(dir, buf);
  int64_t lo = 0, hi = 0;
  for (int l = 0; l < 8; ++l) {
    const int64_t rb = (d.base_count[l] - 1) * d.base_stride[l], rt = (d.tile_count[l] - 1) * d.tile_stride[l];
    lo += std::min<int64_t>(0, rb) + std::min<int64_t>(0, rt);
    hi += std::max<int64_t>(0, rb) + std::max<int64_t>(0, rt);
  }
  if (hi - lo >= s.dram_words) throw std::logic_error("tandem stimulus: DAE span larger than the DRAM");
  b.dae_addr(dir, buf, false, rnd(rng, -lo, s.dram_words - 1 - hi));
  const int64_t rows = (e + size - 1) / size;
  b.dae_addr(dir, buf, true, rnd(rng, 0, s.depth - rows));
  for (int k = 0; k < starts; ++k) b.dae_start(dir, buf, static_cast<int>(rnd(rng, 2, 5)), size);
}

void dae_family(const TandemShape& shape, uint64_t seed, std::vector<TandemCase>& out) {
  Packer packer{shape, "dae", seed, out};
  std::mt19937_64 rng(seed);
  for (int prog = 0; prog < 6; ++prog) {
    TandemState init = random_state(shape, rng);
    std::vector<Section> sections;
    sections.push_back([](Builder& b) {
      random_dae(b, 0, 0, static_cast<int>(rnd(b.rng(), 1, 3)));
      random_dae(b, 0, 1, 1);
    });
    // Compute over the loaded rows (straight-line, dependent), then store both buffers back.
    sections.push_back([](Builder& b) {
      for (int k = 0; k < 6; ++k) {
        const int r = static_cast<int>(rnd(b.rng(), 0, std::min(b.shape().depth, 8) - 1));
        b.set_offset({2, 5}, r);
        b.set_offset({3, 5}, r);
        b.compute({&random_op(b.rng()), {3, 5}, {2, 5}, {3, 5}});
      }
      random_dae(b, 1, 0, static_cast<int>(rnd(b.rng(), 1, 2)));
      random_dae(b, 1, 1, 1);
    });
    // Round trip through DRAM: store a tile of vmem1 and load the same words straight back into
    // vmem2 (the load must see the store's writes), with independent widths.
    sections.push_back([](Builder& b) {
      auto& rng = b.rng();
      const TandemShape& s = b.shape();
      const int size = static_cast<int>(rnd(rng, 1, s.lanes));
      const int64_t e = rnd(rng, 1, std::min<int64_t>(static_cast<int64_t>(s.depth) * size, 64));
      const int64_t addr = rnd(rng, 0, s.dram_words - e);
      for (int dir = 1; dir >= 0; --dir) {
        const int buf = dir == 1 ? 0 : 1;
        for (int l = 0; l < 8; ++l) {
          if (b.dae(dir, buf).tile_count[l] != 1) b.dae_iter(dir, buf, true, l, 1);
          if (b.dae(dir, buf).base_count[l] != 1) b.dae_iter(dir, buf, false, l, 1);
        }
        b.dae_iter(dir, buf, false, 0, 1);  // base indices back to zero
        b.dae_iter(dir, buf, true, 7, e);
        b.dae_stride(dir, buf, true, 7, 1);
        b.dae_addr(dir, buf, false, addr);
        b.dae_addr(dir, buf, true, rnd(rng, 0, s.depth - (e + size - 1) / size));
        b.dae_start(dir, buf, static_cast<int>(rnd(rng, 2, 5)), size);
      }
    });
    if (prog == 0) {
      // An empty tile (a tile count of 0) moves nothing and still takes its cycles.
      sections.push_back([](Builder& b) {
        b.dae_iter(0, 0, true, 3, 0);
        b.dae_start(0, 0, 5, 1);
        b.dae_iter(0, 0, true, 3, 1);
      });
    }
    packer.pack(fmt::format("{}", prog), init, {}, sections);
  }
}

// ---- permutations ---------------------------------------------------------------------------

// Clears every dimension of both walks that a previous permutation set.
void perm_reset(Builder& b) {
  for (int side = 0; side < 2; ++side)
    for (int d = 0; d < 8; ++d) {
      if (b.walk(side).count[d] != 1) b.perm_iter(side, d, 1);
      if (b.walk(side).stride[d] != 0) b.perm_stride(side, d, 0);
    }
}

// Transposes an R x C matrix (row-major at a random flat base) into C x R elsewhere.
void random_transpose(Builder& b) {
  auto& rng = b.rng();
  const int64_t flat = static_cast<int64_t>(b.shape().depth) * b.shape().lanes;
  perm_reset(b);
  const int64_t side = std::max<int64_t>(1, std::min<int64_t>(8, flat / 2));
  const int64_t r = rnd(rng, 1, side), c = rnd(rng, 1, std::max<int64_t>(1, std::min<int64_t>(8, flat / 2 / r)));
  const int src_ns = static_cast<int>(rnd(rng, 0, 3)), dst_ns = static_cast<int>(rnd(rng, 0, 3));
  const int64_t e = r * c;
  int64_t sb = rnd(rng, 0, flat - e), db = rnd(rng, 0, flat - e);
  if (src_ns == dst_ns) {
    sb = rnd(rng, 0, flat / 2 - e);
    db = rnd(rng, flat / 2, flat - e);
  }
  b.perm_base(0, sb);
  b.perm_iter(0, 0, c);
  b.perm_stride(0, 0, 1);
  b.perm_iter(0, 1, r);
  b.perm_stride(0, 1, c);
  b.perm_base(1, db);
  b.perm_iter(1, 6, e);
  b.perm_stride(1, 6, 1);
  b.perm_start(dst_ns, src_ns);
}

// Copies rows of a matrix with contiguous dim-7 runs on both walks (isa/README.md item 12, beats):
// R runs of C elements from a random (unaligned) flat base with row stride >= C, written
// contiguously or as runs of a different length.
void random_copy(Builder& b) {
  auto& rng = b.rng();
  const int lanes = b.shape().lanes;
  // Flat positions the 16-bit permute bases reach.
  const int64_t flat = std::min<int64_t>(static_cast<int64_t>(b.shape().depth) * lanes, 65536);
  perm_reset(b);
  const int64_t c = rnd(rng, 1, 2 * lanes + 3), r = rnd(rng, 1, 4), e = r * c;
  const int64_t rs = c + rnd(rng, 0, lanes);
  const int64_t span = (r - 1) * rs + c;
  if (2 * span + 2 >= flat) return;
  const int src_ns = static_cast<int>(rnd(rng, 0, 3)), dst_ns = static_cast<int>(rnd(rng, 0, 3));
  int64_t sb = rnd(rng, 0, flat - span), db = rnd(rng, 0, flat - e);
  if (src_ns == dst_ns) {  // disjoint halves
    sb = rnd(rng, 0, flat / 2 - span);
    db = rnd(rng, flat / 2, flat - e);
  }
  b.perm_base(0, sb);
  b.perm_iter(0, 6, r);
  b.perm_stride(0, 6, rs);
  b.perm_iter(0, 7, c);
  b.perm_stride(0, 7, 1);
  b.perm_base(1, db);
  if (e % 2 == 0 && rnd(rng, 0, 1)) {
    b.perm_iter(1, 6, 2);
    b.perm_stride(1, 6, e / 2);
    b.perm_iter(1, 7, e / 2);
  } else {
    b.perm_iter(1, 7, e);
  }
  b.perm_stride(1, 7, 1);
  b.perm_start(dst_ns, src_ns);
}

void permute_family(const TandemShape& shape, uint64_t seed, std::vector<TandemCase>& out) {
  Packer packer{shape, "permute", seed, out};
  std::mt19937_64 rng(seed);
  const int64_t flat = static_cast<int64_t>(shape.depth) * shape.lanes;
  for (int prog = 0; prog < 4; ++prog) {
    TandemState init = random_state(shape, rng);
    std::vector<Section> sections;
    sections.push_back([](Builder& b) { random_transpose(b); });
    sections.push_back([](Builder& b) {
      random_copy(b);
      random_copy(b);
    });
    // Reshape / reversed walks: a random split of E elements into dims with random strides.
    for (int k = 0; k < 3; ++k) {
      sections.push_back([flat](Builder& b) {
        auto& rng = b.rng();
        for (int attempt = 0; attempt < 50; ++attempt) {
          perm_reset(b);
          const int dims = static_cast<int>(rnd(rng, 1, 3));
          int64_t e = 1;
          for (int side = 0; side < 2; ++side) {
            std::vector<int64_t> counts;
            if (side == 0) {
              for (int d = 0; d < dims; ++d) counts.push_back(rnd(rng, 1, 4));
              for (int64_t c : counts) e *= c;
            } else {
              counts = {e};  // written contiguously, or split differently
              if (e % 2 == 0 && rnd(rng, 0, 1)) counts = {2, e / 2};
            }
            std::vector<int> levels;
            for (size_t d = 0; d < counts.size(); ++d) levels.push_back(static_cast<int>(rnd(rng, 0, 7)));
            std::sort(levels.begin(), levels.end());
            levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
            if (levels.size() != counts.size()) {
              levels.clear();
              for (size_t d = 0; d < counts.size(); ++d) levels.push_back(static_cast<int>(d) * 2);
            }
            int64_t lo = 0, hi = 0;
            for (size_t d = 0; d < counts.size(); ++d) {
              const int64_t st = rnd(rng, 0, 2) == 0 ? -rnd(rng, 1, 8) : rnd(rng, 0, 8);
              b.perm_iter(side, levels[d], counts[d]);
              b.perm_stride(side, levels[d], st);
              lo += std::min<int64_t>(0, (counts[d] - 1) * st);
              hi += std::max<int64_t>(0, (counts[d] - 1) * st);
            }
            if (hi - lo >= flat) break;
            b.perm_base(side, rnd(rng, -lo, flat - 1 - hi));
          }
          const int src_ns = static_cast<int>(rnd(rng, 0, 3)), dst_ns = static_cast<int>(rnd(rng, 0, 3));
          if (b.perm_legal(dst_ns, src_ns)) {
            b.perm_start(dst_ns, src_ns);
            // Read a permuted row right away (engines finish before fetch resumes).
            b.set_offset({dst_ns, 9}, 0);
            b.set_offset({dst_ns == 3 ? 2 : 3, 9}, 0);
            b.compute({&compute_ops()[0], {dst_ns == 3 ? 2 : 3, 9}, {dst_ns, 9}, {kImm, 1}});
            return;
          }
        }
      });
    }
    packer.pack(fmt::format("{}", prog), init, [](Builder& b) { b.set_imm(1, 3); }, sections);
  }
}

// ---- (c) random programs --------------------------------------------------------------------

void random_program(Builder& b) {
  auto& rng = b.rng();
  const TandemShape& s = b.shape();
  // A small pool of rows makes read-after-write dependencies (and so the spacing) frequent.
  const int pool_rows = static_cast<int>(std::min<int64_t>(s.depth, rnd(rng, 2, 6)));
  const int items = static_cast<int>(rnd(rng, 20, 60));
  for (int k = 0; k < items && b.words() + 150 < s.imem_depth; ++k) {
    const int64_t what = rnd(rng, 0, 99);
    if (what < 55) {
      const OpInfo& op = random_op(rng);
      Compute c{&op, buffer_slot(rng), buffer_slot(rng), buffer_slot(rng)};
      if (rnd(rng, 0, 3) == 0) c.src2 = {kImm, static_cast<int>(rnd(rng, 0, 31))};
      if (rnd(rng, 0, 9) == 0) c.src1 = {kImm, static_cast<int>(rnd(rng, 0, 31))};
      for (Slot* sl : {&c.dst, &c.src1, &c.src2})
        if (sl->ns != kImm && (b.offset(*sl) >= pool_rows || rnd(rng, 0, 2) == 0))
          b.set_offset(*sl, rnd(rng, 0, pool_rows - 1));
      b.compute(c);
    } else if (what < 70) {
      random_nest(b, static_cast<int>(rnd(rng, 0, 3)), 3, rnd(rng, 0, 3) == 0);
    } else if (what < 77) {
      b.set_imm(static_cast<int>(rnd(rng, 0, 31)), random_value(rng));
    } else if (what < 82) {
      const auto& f = kFormats[rnd(rng, 0, kFormats.size() - 1)];
      b.dtype(f[0], f[1], f[2]);
    } else if (what < 88) {
      b.sync();
    } else if (what < 93) {
      random_dae(b, static_cast<int>(rnd(rng, 0, 1)), static_cast<int>(rnd(rng, 0, 1)), 1);
    } else if (what < 96) {
      if (rnd(rng, 0, 1)) random_transpose(b);
      else random_copy(b);
    } else {
      b.emit("nop");
    }
  }
}

}  // namespace

TandemState TandemState::zeros(const TandemShape& shape) {
  TandemState s;
  for (auto& b : s.buffers) b.assign(static_cast<size_t>(shape.lanes) * shape.depth, 0);
  s.dram.assign(static_cast<size_t>(shape.dram_words), 0);
  return s;
}

const std::vector<std::string>& tandem_program_families() {
  static const std::vector<std::string> f = {"random", "sweep", "loops", "dae", "permute", "all"};
  return f;
}

std::vector<TandemCase> make_tandem_cases(const TandemShape& shape, const std::string& family, uint64_t seed,
                                          int64_t random_count) {
  std::vector<TandemCase> out;
  const bool all = family == "all";
  if (std::find(tandem_program_families().begin(), tandem_program_families().end(), family) ==
      tandem_program_families().end())
    throw UserError(fmt::format("unknown tandem program family '{}'", family));
  if (shape.imem_depth < 256)
    throw UserError(fmt::format("tandem stimulus needs imem_depth >= 256 (it is {})", shape.imem_depth));
  if (shape.dram_words < 4096)
    throw UserError(fmt::format("tandem stimulus needs dram_words >= 4096 (it is {})", shape.dram_words));
  if (all || family == "sweep") sweep_family(shape, seed, out);
  if (all || family == "loops") loops_family(shape, seed + 1, out);
  if (all || family == "dae") dae_family(shape, seed + 2, out);
  if (all || family == "permute") permute_family(shape, seed + 3, out);
  if (all || family == "random") {
    for (int64_t i = 0; i < random_count; ++i) {
      // Each random program has its own seed, so one failing program replays alone.
      const uint64_t s = seed * 1000003 + static_cast<uint64_t>(i);
      std::mt19937_64 rng(s);
      TandemState init = random_state(shape, rng);
      Packer packer{shape, "random", s, out};
      packer.pack("", init, {}, {[](Builder& b) { random_program(b); }});
    }
  }
  // Every program replays with the seed the caller gave (the families derive their own from it).
  for (TandemCase& c : out) {
    c.seed = seed;
    c.source = fmt::format("# {}: accelgen verify tandem --seed {} --set program={} (lanes {}, interim_depth {})\n",
                           c.name, seed, family, shape.lanes, shape.depth) +
               c.source;
  }
  return out;
}

}  // namespace accelgen::sim
