#include "compiler/tandem/ops.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "common/error.hpp"
#include "compiler/tandem/program.hpp"

namespace accelgen::compiler::tandem {
namespace {

constexpr Namespace kV1 = Namespace::kVmem1;
constexpr Namespace kV2 = Namespace::kVmem2;
constexpr Namespace kOb = Namespace::kObuf;
// The scratch buffer of Gelu, Softmax and LayerNorm: obuf, or ibuf in an NPU block.
Namespace Scratch(const TandemTarget& t) { return t.npu_block ? Namespace::kIbuf : kOb; }
constexpr int kW8 = 3;   // DAE width code: 8-bit elements
constexpr int kW32 = 5;  // 32-bit elements

void CheckShape(std::string_view op, const std::vector<int64_t>& shape) {
  if (shape.empty() || shape.size() > 8) {
    throw UserError(fmt::format("{}: a tensor has 1..8 dimensions, got {}", op, shape.size()));
  }
  for (int64_t d : shape) {
    if (d < 1) throw UserError(fmt::format("{}: dimension {} must be positive", op, d));
  }
  if (ElementCount(shape) > (int64_t{1} << 30))
    throw UserError(fmt::format("{}: tensor too large", op));
}

void CheckTarget(const TandemTarget& t) {
  if (t.lanes < 1 || t.lanes > 128 || t.depth < 8 || t.depth > 4096) {
    throw UserError(
        fmt::format("Tandem target: lanes {} (1..128), depth {} (8..4096)", t.lanes, t.depth));
  }
  if (t.dram_base < 0) throw UserError("Tandem target: dram_base must be non-negative");
  const int w = t.dram_bus_words;
  if (w < 0 || w > 128 || (w & (w - 1)) != 0 || t.permute_width < 0 || t.permute_width > t.lanes) {
    throw UserError(fmt::format(
        "Tandem target: dram_bus_words {} (0 or a power of two 1..128), permute_width {} (0..{})",
        w, t.permute_width, t.lanes));
  }
}

void CheckQ(std::string_view op, const QParams& q) {
  if (!(q.scale > 0) || !std::isfinite(q.scale) || q.zero_point < -128 || q.zero_point > 127) {
    throw UserError(fmt::format("{}: scale must be positive and zero point in -128..127", op));
  }
}

int32_t ToI32(std::string_view what, double v) {
  if (!(std::fabs(v) < 2147483647.0))
    throw UserError(fmt::format("{} {} does not fit in 32 bits", what, v));
  return static_cast<int32_t>(v);
}

// One operator's lowering in progress: the builder plus the DRAM regions.
struct Lowering {
  Lowering(std::string name, const TandemTarget& t) : pb(t.lanes, t.depth) {
    CheckTarget(t);
    op.name = std::move(name);
    op.target = t;
    pb.Comment(
        fmt::format("{} on Tandem: {} lanes, {} rows per buffer", op.name, t.lanes, t.depth));
    pb.Emit("sync.tandem.start.exec", {{0}}, "start of the Tandem code region");
    if (t.npu_block) pb.ForgetState();
    next = t.dram_base;
  }
  // Regions start on a DAE line (isa/README.md item 11, beats): an aligned contiguous tile
  // moves in whole-line beats.
  int64_t Aligned() {
    const int64_t w = op.target.LineWords();
    next = (next + w - 1) / w * w;
    return next;
  }
  const TensorRegion& Input(std::string name, std::vector<int64_t> shape, int bits) {
    op.inputs.push_back({std::move(name), Aligned(), shape, bits});
    next += ElementCount(shape);
    return op.inputs.back();
  }
  const TensorRegion& Output(std::string name, std::vector<int64_t> shape, int bits) {
    op.outputs.push_back({std::move(name), Aligned(), shape, bits});
    next += ElementCount(shape);
    return op.outputs.back();
  }
  CompiledOp Finish() {
    for (const auto& r : op.inputs)
      pb.HeaderComment(fmt::format("input  {} at DRAM {} shape [{}], int{}", r.name, r.dram_base,
                                   fmt::join(r.shape, ","), r.bits));
    for (const auto& r : op.outputs)
      pb.HeaderComment(fmt::format("output {} at DRAM {} shape [{}], int{}", r.name, r.dram_base,
                                   fmt::join(r.shape, ","), r.bits));
    pb.Emit("sync.tandem.end.exec", {{0}}, "end of the Tandem code region");
    op.program = pb.words();
    op.slots = pb.slots();
    op.tasm = pb.Tasm();
    op.dram_words = next;
    op.core_mix = pb.Mix(MixRole::kCore);
    op.extra_mix = pb.Mix(MixRole::kExtra);
    op.nops = pb.nops_inserted();
    op.engine_elements = pb.engine_elements();
    op.engine_starts = pb.engine_starts();
    return std::move(op);
  }
  ProgramBuilder pb;
  CompiledOp op;
  int64_t next = 0;
};

Operand B(Namespace ns, int64_t base, std::vector<int64_t> strides = {}) {
  return Operand::Buf(ns, base, std::move(strides));
}
Operand I(int32_t v) { return Operand::Imm(v); }

// Consecutive elements into consecutive lanes and rows (lane k mod lanes, row row + k div lanes).
void MoveFlat(ProgramBuilder& pb, bool store, Namespace buf, int64_t dram, int64_t n, int64_t row,
              int width, std::string_view what) {
  const int lanes = pb.lanes();
  const auto go = [&](const TileWalk& w, std::string_view c) {
    store ? pb.Store(buf, w, c) : pb.Load(buf, w, c);
  };
  if (n <= 65535) {
    go({dram, {{n, 1}}, row, lanes, width}, what);
    return;
  }
  const int64_t full = n / lanes;
  go({dram, {{full, lanes}, {lanes, 1}}, row, lanes, width}, what);
  if (n % lanes != 0) go({dram + full * lanes, {{n % lanes, 1}}, row + full, lanes, width}, what);
}

// One group of `count` (<= lanes) consecutive rows of a [M][J] matrix: lane l, buffer row
// row + j holds element [m0 + l][j].
void MoveGroup(ProgramBuilder& pb, bool store, Namespace buf, int64_t dram_m0, int64_t j, int count,
               int64_t row, int width, std::string_view what) {
  const TileWalk w{dram_m0, {{j, 1}, {count, j}}, row, count, width};
  store ? pb.Store(buf, w, what) : pb.Load(buf, w, what);
}

// y = round(src · m) + zp saturated to int8, into dst (then in place). gemmlowp-style: m = m0·2^-sh
// with a 31-bit m0, one fixed-point MUL (the ISA's shift f1+f2−fd does the 2^-sh), then the
// rounding bit and the zero point in one ADD, a 1-bit shift and the saturating cast.
void Requantize(ProgramBuilder& pb, const std::vector<int64_t>& counts, const Operand& dst,
                const Operand& src, double m, int zp, MixRole mul_role) {
  if (m == 0 || !std::isfinite(m)) throw UserError("requantization multiplier must be non-zero");
  int e = static_cast<int>(std::floor(std::log2(2 * std::fabs(m))));
  int64_t m0 = std::llround(2 * std::fabs(m) * std::ldexp(1.0, 30 - e));
  if (m0 >= (int64_t{1} << 31)) {
    m0 >>= 1;
    ++e;
  }
  const int sh = 30 - e;  // t = floor(src · m0 / 2^sh) ≈ 2·src·m
  if (sh < 0 || sh > 64)
    throw UserError(fmt::format("requantization multiplier {} out of range", m));
  const int f2 = std::min(sh, 32);
  pb.Dtype(32 + sh - f2, 32, 32 - f2);
  const auto m0s = static_cast<int32_t>(m < 0 ? -m0 : m0);
  pb.Loop(counts, {{"mul", dst, src, I(m0s), mul_role}},
          fmt::format("requantize: x {:.6g} = x {} / 2^{} (then round)", m, m0s, sh + 1));
  pb.IntegerDtype();
  pb.Loop(counts, {{"add", dst, dst, I(1 + 2 * zp), MixRole::kExtra}},
          "round half up, zero point (x2)");
  pb.Loop(counts, {{"rshift", dst, dst, I(1), MixRole::kExtra}}, "");
  pb.Loop(counts, {{"cast.fxp32_fxp8", dst, dst, {}, MixRole::kExtra}}, "saturate to int8");
}

// Element-wise tiling: each tile loads the inputs (one buffer each), runs `compute(rows)` and
// stores `out_buf` rows; `rows_cap` limits the rows per tile (temporaries).
void FlatTiles(Lowering& L, int64_t n, const std::vector<std::pair<Namespace, TensorRegion>>& ins,
               Namespace out_buf, const TensorRegion& out, int64_t rows_cap,
               const std::function<void(int64_t rows)>& compute) {
  ProgramBuilder& pb = L.pb;
  const int64_t per_tile = std::min<int64_t>(rows_cap, pb.depth()) * pb.lanes();
  for (int64_t start = 0; start < n; start += per_tile) {
    const int64_t cnt = std::min(per_tile, n - start);
    const int64_t rows = (cnt + pb.lanes() - 1) / pb.lanes();
    pb.BeginTile(fmt::format("tile: elements {}..{} in {} rows", start, start + cnt - 1, rows));
    for (const auto& [buf, r] : ins) {
      MoveFlat(pb, false, buf, r.dram_base + start, cnt, 0, r.bits == 8 ? kW8 : kW32,
               "load " + r.name);
    }
    compute(rows);
    MoveFlat(pb, true, out_buf, out.dram_base + start, cnt, 0, out.bits == 8 ? kW8 : kW32,
             "store " + out.name);
  }
}

// Pairwise tree over the K rows of each of `groups` groups (rows g·gs + k): row g·gs ends with the
// reduction. Every stage's rows are independent, so no nops are needed; only the first stage
// counts in the mix (a K-element reduction is one primitive per element).
void TreeReduce(ProgramBuilder& pb, std::string_view op, Namespace buf, int64_t base,
                int64_t groups, int64_t k, int64_t gs) {
  bool first = true;
  for (int64_t n = k; n > 1;) {
    const int64_t h = n / 2;
    pb.Loop({groups, h},
            {{std::string(op), B(buf, base, {gs, 1}), B(buf, base, {gs, 1}),
              B(buf, base + n - h, {gs, 1}), first ? MixRole::kCore : MixRole::kNone}},
            fmt::format("{} tree: {} -> {} rows", op, n, n - h));
    n -= h;
    first = false;
  }
}

// Groups of up to `lanes` rows of an [M][...] tensor for reductions and windows.
struct Group {
  int64_t m0;
  int count;
};
std::vector<std::vector<Group>> GroupTiles(int64_t m, int lanes, int64_t groups_per_tile) {
  std::vector<std::vector<Group>> tiles;
  for (int64_t m0 = 0; m0 < m; m0 += lanes) {
    if (tiles.empty() || static_cast<int64_t>(tiles.back().size()) == groups_per_tile)
      tiles.emplace_back();
    tiles.back().push_back({m0, static_cast<int>(std::min<int64_t>(lanes, m - m0))});
  }
  return tiles;
}

}  // namespace

int TandemTarget::LineWords() const {
  if (dram_bus_words != 0) return dram_bus_words;
  int w = 1;
  while (w * 2 <= lanes) w *= 2;
  return w;
}

int64_t ElementCount(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t TensorRegion::Elements() const { return ElementCount(shape); }

std::vector<int32_t> PrepareDram(const CompiledOp& op,
                                 const std::vector<std::vector<int32_t>>& inputs) {
  if (inputs.size() != op.inputs.size()) {
    throw UserError(
        fmt::format("{}: expects {} input(s), got {}", op.name, op.inputs.size(), inputs.size()));
  }
  std::vector<int32_t> dram(op.dram_words, 0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorRegion& r = op.inputs[i];
    if (static_cast<int64_t>(inputs[i].size()) != r.Elements()) {
      throw UserError(fmt::format("{}: input {} has {} elements, expected {}", op.name, r.name,
                                  inputs[i].size(), r.Elements()));
    }
    for (size_t k = 0; k < inputs[i].size(); ++k) {
      const int32_t v = inputs[i][k];
      if (r.bits == 8 && (v < -128 || v > 127)) {
        throw UserError(
            fmt::format("{}: input {} element {} = {} is not int8", op.name, r.name, k, v));
      }
      dram[r.dram_base + k] = v;
    }
  }
  return dram;
}

std::vector<int32_t> ReadOutput(const CompiledOp& op, std::span<const int32_t> dram, size_t index) {
  const TensorRegion& r = op.outputs.at(index);
  if (static_cast<int64_t>(dram.size()) < r.dram_base + r.Elements()) {
    throw UserError(fmt::format("{}: DRAM image too small for output {}", op.name, r.name));
  }
  return {dram.begin() + r.dram_base, dram.begin() + r.dram_base + r.Elements()};
}

// ---------------------------------------------------------------------------------------------
// Element-wise

CompiledOp CompileRelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x) {
  CheckShape("Relu", shape);
  CheckQ("Relu", x);
  Lowering L("Relu", t);
  const auto in = L.Input("X", shape, 8);
  const auto out = L.Output("Y", shape, 8);
  FlatTiles(L, ElementCount(shape), {{kV1, in}}, kV1, out, t.depth, [&](int64_t rows) {
    if (x.zero_point == 0) {
      L.pb.Rows("relu", rows, B(kV1, 0), B(kV1, 0), {}, MixRole::kCore, "y = max(x, 0)");
    } else {
      L.pb.Rows("max", rows, B(kV1, 0), B(kV1, 0), I(x.zero_point), MixRole::kCore,
                "y = max(x, zero point)");
    }
  });
  return L.Finish();
}

CompiledOp CompileLeakyRelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                            double alpha) {
  CheckShape("LeakyRelu", shape);
  CheckQ("LeakyRelu", x);
  if (x.zero_point != 0) throw UserError("LeakyRelu: input zero point must be 0");
  if (!(alpha >= 0 && alpha <= 1)) throw UserError("LeakyRelu: alpha must be in [0, 1]");
  Lowering L("LeakyRelu", t);
  const auto in = L.Input("X", shape, 8);
  const auto out = L.Output("Y", shape, 8);
  const auto aq = static_cast<int32_t>(std::lround(alpha * 65536));
  FlatTiles(L, ElementCount(shape), {{kV1, in}}, kV1, out, t.depth, [&](int64_t rows) {
    L.pb.Dtype(32, 32, 16);  // alpha in Q16: the multiply shifts right by 16 (floor)
    L.pb.Rows("leaky_relu", rows, B(kV1, 0), B(kV1, 0), I(aq), MixRole::kCore,
              fmt::format("alpha = {}/2^16", aq));
  });
  return L.Finish();
}

CompiledOp CompileClip(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                       double lo, double hi) {
  CheckShape("Clip", shape);
  CheckQ("Clip", x);
  if (!(lo <= hi)) throw UserError("Clip: min must not exceed max");
  Lowering L("Clip", t);
  const auto in = L.Input("X", shape, 8);
  const auto out = L.Output("Y", shape, 8);
  const auto level = [&](double v) {
    return static_cast<int32_t>(
        std::clamp<double>(std::nearbyint(v / x.scale) + x.zero_point, -128, 127));
  };
  FlatTiles(L, ElementCount(shape), {{kV1, in}}, kV1, out, t.depth, [&](int64_t rows) {
    L.pb.Rows("max", rows, B(kV1, 0), B(kV1, 0), I(level(lo)), MixRole::kCore, "y = max(x, min)");
    L.pb.Rows("min", rows, B(kV1, 0), B(kV1, 0), I(level(hi)), MixRole::kCore, "y = min(y, max)");
  });
  return L.Finish();
}

namespace {
CompiledOp BinaryImpl(const TandemTarget& t, Binary kind, const std::vector<int64_t>& shape,
                      QParams a, QParams b, QParams y, bool alu_addressing) {
  const char* name = kind == Binary::kAdd ? "Add" : (kind == Binary::kSub ? "Sub" : "Mul");
  CheckShape(name, shape);
  CheckQ(name, a);
  CheckQ(name, b);
  CheckQ(name, y);
  Lowering L(alu_addressing ? std::string(name) + " (ALU addressing)" : name, t);
  const auto ra = L.Input("A", shape, 8);
  const auto rb = L.Input("B", shape, 8);
  const auto out = L.Output("C", shape, 8);
  ProgramBuilder& pb = L.pb;
  FlatTiles(
      L, ElementCount(shape), {{kV1, ra}, {kV2, rb}}, kV1, out,
      alu_addressing ? t.depth / 3 : t.depth, [&](int64_t rows) {
        if (kind == Binary::kMul) {
          // (a − za)(b − zb) exactly, then one requantization by sa·sb/sy.
          if (a.zero_point != 0)
            pb.Rows("sub", rows, B(kV1, 0), B(kV1, 0), I(a.zero_point), MixRole::kCore, "a - za");
          if (b.zero_point != 0)
            pb.Rows("sub", rows, B(kV2, 0), B(kV2, 0), I(b.zero_point), MixRole::kCore, "b - zb");
          pb.Rows("mul", rows, B(kV1, 0), B(kV1, 0), B(kV2, 0), MixRole::kCore, "product");
          Requantize(pb, {rows}, B(kV1, 0, {1}), B(kV1, 0, {1}), a.scale * b.scale / y.scale,
                     y.zero_point, MixRole::kExtra);
          return;
        }
        // Both operands to a common integer scale 2^-s · sy (multipliers below 2^22, so
        // 255·(ma + mb) < 2^30), summed, then rounded back with one shift.
        const double r_a = a.scale / y.scale, r_b = b.scale / y.scale;
        const int s = std::clamp(21 - static_cast<int>(std::ceil(std::log2(r_a + r_b))), 1, 30);
        const auto ma = static_cast<int32_t>(std::llround(std::ldexp(r_a, s)));
        const auto mb = static_cast<int32_t>(std::llround(std::ldexp(r_b, s)) *
                                             (kind == Binary::kSub ? -1 : 1));
        if (ma == 0 || mb == 0)
          throw UserError(fmt::format("{}: input scales differ too much", name));
        const int64_t bias = -int64_t{a.zero_point} * ma - int64_t{b.zero_point} * mb +
                             (int64_t{1} << (s - 1)) + (int64_t{y.zero_point} << s);
        pb.IntegerDtype();
        const std::vector<BodyOp> steps = {
            {"mul", B(kV1, 0, {1}), B(kV1, 0, {1}), I(ma), MixRole::kCore},
            {"macc", B(kV1, 0, {1}), B(kV2, 0, {1}), I(mb), MixRole::kCore},
            {"add", B(kV1, 0, {1}), B(kV1, 0, {1}), I(ToI32("Add bias", static_cast<double>(bias))),
             MixRole::kExtra},
            {"rshift", B(kV1, 0, {1}), B(kV1, 0, {1}), I(s), MixRole::kExtra},
            {"cast.fxp32_fxp8", B(kV1, 0, {1}), B(kV1, 0, {1}), {}, MixRole::kExtra}};
        const char* comments[] = {"a x ma (common scale 2^-s sy)", "+ b x mb",
                                  "zero points, rounding, output zero point", "",
                                  "saturate to int8"};
        for (size_t i = 0; i < steps.size(); ++i) {
          if (!alu_addressing) {
            pb.Loop({rows}, {steps[i]}, comments[i]);
            continue;
          }
          // Three address updates (src1, src2 and dst pointers) per instruction. The Code Repeater
          // shares one iterator per operand position, so pointer p of row r lives in obuf row
          // p·rows + r (same strides as the data instruction).
          std::vector<BodyOp> body;
          for (int p = 0; p < 3; ++p)
            body.push_back(
                {"add", B(kOb, p * rows, {1}), B(kOb, p * rows, {1}), I(1), MixRole::kExtra});
          body.push_back(steps[i]);
          pb.Loop({rows}, body, std::string(comments[i]) + " (with ALU address updates)");
        }
      });
  return L.Finish();
}
}  // namespace

CompiledOp CompileBinary(const TandemTarget& t, Binary kind, const std::vector<int64_t>& shape,
                         QParams a, QParams b, QParams y) {
  return BinaryImpl(t, kind, shape, a, b, y, false);
}

CompiledOp CompileAddWithAluAddressing(const TandemTarget& t, const std::vector<int64_t>& shape,
                                       QParams a, QParams b, QParams y) {
  return BinaryImpl(t, Binary::kAdd, shape, a, b, y, true);
}

std::vector<OperatorMix> OperatorMixes(const TandemTarget& t) {
  const QParams q{1.0 / 16, 0};
  std::vector<OperatorMix> out;
  const auto add = [&](std::string shape, const CompiledOp& op) {
    out.push_back({op.name, std::move(shape), op.core_mix, op.extra_mix});
  };
  add("[1024]", CompileRelu(t, {1024}, q));
  add("[1024]", CompileLeakyRelu(t, {1024}, q, 0.1));
  add("[1024]", CompileClip(t, {1024}, q, -1, 1));
  add("[1024]", CompileBinary(t, Binary::kAdd, {1024}, q, q, q));
  add("[1024]", CompileBinary(t, Binary::kMul, {1024}, q, q, q));
  add("[1024]", CompileCast(t, {1024}, 8, 0));
  add("[1024]", CompileGelu(t, {1024}, q, q));
  add("[32][64]", CompileSoftmax(t, 32, 64, q));
  add("[32][64]", CompileLayerNorm(t, 32, 64, q, q, q));
  add("[32][64]", CompileReduceMean(t, 32, 64, q, q));
  add("[1,32,8,8]", CompileGlobalAveragePool(t, {1, 32, 8, 8}, q, q));
  add("[1,32,8,8] 2x2/2", CompileMaxPool(t, {1, 32, 8, 8}, {2, 2, 2, 2}, q));
  add("[1,32,8,8] 2x2/2", CompileAveragePool(t, {1, 32, 8, 8}, {2, 2, 2, 2}, q, q));
  add("[1,32,8,8] 3x3/1", CompileDepthwiseConv(t, {1, 32, 8, 8}, {3, 3, 1, 1}, q, q, q));
  return out;
}

CompiledOp CompileCast(const TandemTarget& t, const std::vector<int64_t>& shape, int frac_in,
                       int frac_out) {
  CheckShape("Cast", shape);
  if (frac_in < frac_out || frac_out < 0 || frac_in > 31) {
    throw UserError("Cast: need 0 <= frac_out <= frac_in <= 31");
  }
  Lowering L("Cast", t);
  const auto in = L.Input("X", shape, 32);
  const auto out = L.Output("Y", shape, 8);
  FlatTiles(L, ElementCount(shape), {{kV1, in}}, kV1, out, t.depth, [&](int64_t rows) {
    L.pb.Dtype(32 - frac_out, 32 - frac_in, 32);
    L.pb.Rows("cast.fxp32_fxp8", rows, B(kV1, 0), B(kV1, 0), {}, MixRole::kCore,
              fmt::format("Q{} -> Q{}, saturating", frac_in, frac_out));
  });
  return L.Finish();
}

CompiledOp CompileGelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                       QParams y) {
  CheckShape("Gelu", shape);
  CheckQ("Gelu", x);
  CheckQ("Gelu", y);
  if (x.zero_point != 0) throw UserError("Gelu: input zero point must be 0");
  // I-BERT i-GELU: erf(x/√2) on q with scale S' = S/√2: L = sign(q)·[(min(|q|, −qb) + qb)² + qc]
  // at scale a·S'², then q·(L + q1) at scale S·a·S'²/2.
  constexpr double a = -0.2888, b = -1.769;
  const double s1 = x.scale / std::sqrt(2.0);
  const double sl = a * s1 * s1;
  const int32_t qb = ToI32("Gelu qb", std::floor(b / s1));
  const int32_t qc = ToI32("Gelu qc", std::floor(1.0 / sl));
  const int32_t q1 = ToI32("Gelu q1", std::floor(1.0 / sl));
  if (int64_t{qb} * qb + std::abs(int64_t{qc}) * 2 > (int64_t{1} << 23)) {
    throw UserError("Gelu: input scale too small for the 32-bit i-GELU");
  }
  const double out_scale = x.scale * sl / 2;
  Lowering L("Gelu", t);
  const auto in = L.Input("X", shape, 8);
  const auto out = L.Output("Y", shape, 8);
  ProgramBuilder& pb = L.pb;
  FlatTiles(L, ElementCount(shape), {{kV1, in}}, kV2, out, t.depth, [&](int64_t rows) {
    pb.IntegerDtype();
    const auto T = B(kV2, 0), X = B(kV1, 0), U = B(Scratch(t), 0);
    pb.Rows("abs", rows, T, X, {}, MixRole::kCore, "|q|");
    pb.Rows("min", rows, T, T, I(-qb), MixRole::kCore, "min(|q|, -qb)");
    pb.Rows("add", rows, T, T, I(qb), MixRole::kCore, "+ qb");
    pb.Rows("mul", rows, T, T, T, MixRole::kCore, "square");
    pb.Rows("add", rows, T, T, I(qc), MixRole::kCore, "+ qc (c/a folded)");
    pb.Rows("sign", rows, U, X, {}, MixRole::kCore, "sign(q)");
    pb.Rows("mul", rows, T, T, U, MixRole::kCore, "erf = sign x L");
    pb.Rows("add", rows, T, T, I(q1), MixRole::kCore, "+ 1/S_erf");
    pb.Rows("mul", rows, T, T, X, MixRole::kCore, "x (1 + erf)");
    Requantize(pb, {rows}, B(kV2, 0, {1}), B(kV2, 0, {1}), out_scale / y.scale, y.zero_point,
               MixRole::kCore);
  });
  return L.Finish();
}

// ---------------------------------------------------------------------------------------------
// Reductions over the last axis of [M][K]

namespace {
void CheckReduction(std::string_view op, const TandemTarget& t, int64_t m, int64_t k,
                    int64_t rows_per_k, int64_t extra_rows) {
  if (m < 1 || k < 1) throw UserError(fmt::format("{}: dimensions must be positive", op));
  if (k * rows_per_k + extra_rows > t.depth) {
    throw UserError(
        fmt::format("{}: one reduction of {} elements needs {} buffer rows, more than the depth {}",
                    op, k, k * rows_per_k + extra_rows, t.depth));
  }
}
}  // namespace

CompiledOp CompileReduceMean(const TandemTarget& t, int64_t m, int64_t k, QParams x, QParams y) {
  CheckQ("ReduceMean", x);
  CheckQ("ReduceMean", y);
  CheckTarget(t);
  if (m < 1 || k < 1) throw UserError("ReduceMean: dimensions must be positive");
  Lowering L("ReduceMean", t);
  const auto in = L.Input("X", {m, k}, 8);
  const auto out = L.Output("Y", {m, 1}, 8);
  ProgramBuilder& pb = L.pb;
  const double mult = x.scale / (static_cast<double>(k) * y.scale);
  const int32_t zp_sum = ToI32("zero point", -static_cast<double>(k) * x.zero_point);
  if (k > t.depth) {
    // Split reduction: one group of lanes at a time, chunks of `depth` rows reduced by a tree and
    // accumulated in vmem2 row 1 (the int32 sum is exact, so the split changes nothing).
    for (const auto& tile : GroupTiles(m, t.lanes, 1)) {
      const Group& gr = tile.front();
      pb.BeginTile(fmt::format("tile: rows {}..{} of X, K = {} in chunks of {}", gr.m0,
                               gr.m0 + gr.count - 1, k, t.depth));
      for (int64_t k0 = 0; k0 < k; k0 += t.depth) {
        const int64_t kc = std::min<int64_t>(t.depth, k - k0);
        pb.Load(kV1, {in.dram_base + gr.m0 * k + k0, {{kc, 1}, {gr.count, k}}, 0, gr.count, kW8},
                "load a chunk of X");
        pb.IntegerDtype();
        TreeReduce(pb, "add", kV1, 0, 1, kc, kc);
        pb.Loop(
            {1},
            {{k0 == 0 ? "move" : "add", B(kV2, 1, {0}), k0 == 0 ? B(kV1, 0, {0}) : B(kV2, 1, {0}),
              k0 == 0 ? Operand{} : B(kV1, 0, {0}), MixRole::kNone}},
            "accumulate the chunk");
      }
      if (zp_sum != 0) {
        pb.Loop({1}, {{"add", B(kV2, 1, {0}), B(kV2, 1, {0}), I(zp_sum), MixRole::kExtra}},
                "- K x zero point");
      }
      Requantize(pb, {1}, B(kV2, 0, {0}), B(kV2, 1, {0}), mult, y.zero_point, MixRole::kCore);
      MoveGroup(pb, true, kV2, out.dram_base + gr.m0, 1, gr.count, 0, kW8, "store Y");
    }
    return L.Finish();
  }
  for (const auto& tile : GroupTiles(m, t.lanes, t.depth / k)) {
    const auto g = static_cast<int64_t>(tile.size());
    pb.BeginTile(fmt::format("tile: rows {}..{} of X, {} group(s) of lanes", tile.front().m0,
                             tile.back().m0 + tile.back().count - 1, g));
    for (int64_t i = 0; i < g; ++i)
      MoveGroup(pb, false, kV1, in.dram_base + tile[i].m0 * k, k, tile[i].count, i * k, kW8,
                "load X");
    pb.IntegerDtype();
    TreeReduce(pb, "add", kV1, 0, g, k, k);
    if (zp_sum != 0) {
      pb.Loop({g}, {{"add", B(kV1, 0, {k}), B(kV1, 0, {k}), I(zp_sum), MixRole::kExtra}},
              "- K x zero point");
    }
    Requantize(pb, {g}, B(kV2, 0, {1}), B(kV1, 0, {k}), mult, y.zero_point, MixRole::kCore);
    for (int64_t i = 0; i < g; ++i)
      MoveGroup(pb, true, kV2, out.dram_base + tile[i].m0, 1, tile[i].count, i, kW8, "store Y");
  }
  return L.Finish();
}

CompiledOp CompileGlobalAveragePool(const TandemTarget& t, const std::vector<int64_t>& nchw,
                                    QParams x, QParams y) {
  if (nchw.size() != 4) throw UserError("GlobalAveragePool: input must be NCHW");
  CheckShape("GlobalAveragePool", nchw);
  CompiledOp op = CompileReduceMean(t, nchw[0] * nchw[1], nchw[2] * nchw[3], x, y);
  op.name = "GlobalAveragePool";
  op.tasm = fmt::format("# GlobalAveragePool of NCHW [{}] as ReduceMean over H·W of [N·C][H·W]\n",
                        fmt::join(nchw, ",")) +
            op.tasm;
  op.inputs[0].shape = nchw;
  op.outputs[0].shape = {nchw[0], nchw[1], 1, 1};
  return op;
}

CompiledOp CompileSoftmax(const TandemTarget& t, int64_t m, int64_t k, QParams x) {
  CheckQ("Softmax", x);
  CheckTarget(t);
  CheckReduction("Softmax", t, m, k, 1, 0);
  // I-BERT i-exp on x − max (≤ 0), upscaled by 16 for resolution: S = scale/16.
  constexpr int kUp = 4;
  const double s = x.scale / (1 << kUp);
  constexpr double a = 0.3585, b = 1.353, c = 0.344;
  const int32_t q_ln2 = ToI32("Softmax ln2", std::floor(std::log(2.0) / s));
  if (q_ln2 < 1) throw UserError("Softmax: input scale too large for i-exp (ln2 below one level)");
  const int64_t qmax = 255 << kUp;  // largest |x − max| after upscaling
  // z = floor(−q / q_ln2) as a fixed-point multiply by ceil(2^F / q_ln2): exact when
  // qmax / 2^F < 1 / q_ln2.
  const int f = static_cast<int>(std::ceil(std::log2(static_cast<double>(qmax + 1) * q_ln2)));
  const int64_t recip = ((int64_t{1} << f) + q_ln2 - 1) / q_ln2;
  if (f > 30 || qmax * recip >= (int64_t{1} << 31))
    throw UserError("Softmax: input scale too small for i-exp");
  const int32_t qb = ToI32("Softmax qb", std::floor(b / s));
  const int32_t qc = ToI32("Softmax qc", std::floor(c / (a * s * s)));
  if (int64_t{qb} * qb + qc > (int64_t{1} << 23))
    throw UserError("Softmax: input scale too small for i-exp");
  Lowering L("Softmax", t);
  const auto in = L.Input("X", {m, k}, 8);
  const auto out = L.Output("Y", {m, k}, 8);
  ProgramBuilder& pb = L.pb;
  for (const auto& tile : GroupTiles(m, t.lanes, t.depth / k)) {
    const auto g = static_cast<int64_t>(tile.size());
    const int64_t rows = g * k;
    pb.BeginTile(fmt::format("tile: rows {}..{} of X, {} group(s) of lanes", tile.front().m0,
                             tile.back().m0 + tile.back().count - 1, g));
    for (int64_t i = 0; i < g; ++i)
      MoveGroup(pb, false, kV1, in.dram_base + tile[i].m0 * k, k, tile[i].count, i * k, kW8,
                "load X");
    const auto X = B(kV1, 0), P = B(kV2, 0), Z = B(Scratch(t), 0);
    const std::vector<int64_t> gk{g, k};
    pb.IntegerDtype();
    pb.Rows("move", rows, P, X, {}, MixRole::kNone, "copy for the max tree");
    TreeReduce(pb, "max", kV2, 0, g, k, k);
    pb.Loop(gk, {{"sub", B(kV1, 0, {k, 1}), B(kV1, 0, {k, 1}), B(kV2, 0, {k, 0}), MixRole::kCore}},
            "x - max");
    pb.Rows("lshift", rows, X, X, I(kUp), MixRole::kExtra, "upscale: S = scale / 16");
    pb.Dtype(32 - f, 32, 32 - f);
    pb.Rows("mul", rows, Z, X, I(static_cast<int32_t>(-recip)), MixRole::kCore,
            fmt::format("-q / ln2 in Q{}", f));
    pb.Dtype(32 - f, 32 - f, 32);
    pb.Rows("floor", rows, Z, Z, {}, MixRole::kCore, "z");
    pb.Dtype(32, 32 - f, 32);
    pb.Rows("mul", rows, P, Z, I(q_ln2), MixRole::kCore, "z x ln2");
    pb.IntegerDtype();
    pb.Rows("add", rows, P, P, X, MixRole::kCore, "p = q + z ln2");
    pb.Rows("add", rows, P, P, I(qb), MixRole::kCore, "+ b");
    pb.Rows("mul", rows, P, P, P, MixRole::kCore, "square");
    pb.Rows("add", rows, P, P, I(qc), MixRole::kCore, "+ c/a");
    pb.Rows("rshift", rows, Z, Z, I(f), MixRole::kExtra, "integer z");
    pb.Rows("min", rows, Z, Z, I(31), MixRole::kExtra, "shift counts stop at 31");
    pb.Rows("rshift", rows, P, P, Z, MixRole::kExtra, "exp = L(p) >> z");
    pb.Rows("move", rows, X, P, {}, MixRole::kNone, "copy for the sum tree");
    TreeReduce(pb, "add", kV1, 0, g, k, k);
    pb.Rows("lshift", rows, P, P, I(8), MixRole::kExtra, "x 256 (output scale 1/256)");
    pb.Loop(gk, {{"div", B(kV2, 0, {k, 1}), B(kV2, 0, {k, 1}), B(kV1, 0, {k, 0}), MixRole::kExtra}},
            "/ sum");
    pb.Rows("add", rows, P, P, I(-128), MixRole::kExtra, "zero point -128");
    pb.Rows("cast.fxp32_fxp8", rows, P, P, {}, MixRole::kExtra, "saturate to int8");
    for (int64_t i = 0; i < g; ++i)
      MoveGroup(pb, true, kV2, out.dram_base + tile[i].m0 * k, k, tile[i].count, i * k, kW8,
                "store Y");
  }
  return L.Finish();
}

CompiledOp CompileLayerNorm(const TandemTarget& t, int64_t m, int64_t k, QParams x, QParams g,
                            QParams y, double epsilon) {
  if (!(epsilon >= 0)) throw UserError("LayerNormalization: epsilon must be non-negative");
  CheckQ("LayerNormalization", x);
  CheckQ("LayerNormalization", g);
  CheckQ("LayerNormalization", y);
  CheckTarget(t);
  // vmem1: X (G·K rows) + gamma and beta (K rows each); vmem2: D (G·K) + 3 rows per group.
  CheckReduction("LayerNormalization", t, m, k, 1, 2 * k);
  constexpr int kT = 12;  // fractional bits of the normalised value
  // Σ (D >> s)² must fit: |D| <= 255 K.
  int s = 0;
  while (std::pow(255.0 * k / std::ldexp(1.0, s), 2) * k >= 2.0e9) ++s;
  const int64_t c1 = std::llround(std::sqrt(static_cast<double>(k)) * std::ldexp(1.0, kT - s));
  if (c1 < 16 || 255.0 * k * c1 >= 2.0e9)
    throw UserError(fmt::format("LayerNormalization: K = {} is too large", k));
  const int64_t groups_per_tile = std::min<int64_t>((t.depth - 2 * k) / k, t.depth / (k + 3));
  if (groups_per_tile < 1) throw UserError("LayerNormalization: one row does not fit the buffers");
  Lowering L("LayerNormalization", t);
  const auto in = L.Input("X", {m, k}, 8);
  const auto gamma = L.Input("gamma", {k}, 8);
  const auto beta = L.Input("beta", {k}, 32);
  const auto out = L.Output("Y", {m, k}, 8);
  ProgramBuilder& pb = L.pb;
  for (const auto& tile : GroupTiles(m, t.lanes, groups_per_tile)) {
    const auto G = static_cast<int64_t>(tile.size());
    const int64_t rows = G * k;
    const int64_t grow = rows, brow = rows + k;                       // gamma, beta rows in vmem1
    const int64_t vrow = rows, rrow = rows + G, qrow = rows + 2 * G;  // per-group rows in vmem2
    pb.BeginTile(fmt::format("tile: rows {}..{} of X, {} group(s) of lanes", tile.front().m0,
                             tile.back().m0 + tile.back().count - 1, G));
    for (int64_t i = 0; i < G; ++i)
      MoveGroup(pb, false, kV1, in.dram_base + tile[i].m0 * k, k, tile[i].count, i * k, kW8,
                "load X");
    // gamma and beta replicated across lanes (DRAM stride 0 across the lanes).
    pb.Load(kV1, {gamma.dram_base, {{k, 1}, {t.lanes, 0}}, grow, t.lanes, kW8},
            "load gamma (every lane)");
    pb.Load(kV1, {beta.dram_base, {{k, 1}, {t.lanes, 0}}, brow, t.lanes, kW32},
            "load beta (every lane)");
    const Namespace scratch = Scratch(t);
    const auto X = B(kV1, 0), D = B(kV2, 0), T = B(scratch, 0);
    const std::vector<int64_t> gk{G, k};
    pb.IntegerDtype();
    pb.Rows("move", rows, T, X, {}, MixRole::kNone, "copy for the sum tree");
    TreeReduce(pb, "add", scratch, 0, G, k, k);
    pb.Rows("mul", rows, D, X, I(static_cast<int32_t>(k)), MixRole::kCore, "K x");
    pb.Loop(gk,
            {{"sub", B(kV2, 0, {k, 1}), B(kV2, 0, {k, 1}), B(scratch, 0, {k, 0}), MixRole::kCore}},
            "D = K (x - mean)");
    pb.Rows("rshift", rows, T, D, I(s), MixRole::kCore, fmt::format("D >> {}", s));
    pb.Rows("mul", rows, T, T, T, MixRole::kCore, "square");
    TreeReduce(pb, "add", scratch, 0, G, k, k);
    // Integer square root of V (per group) by Newton from above: r = min(r, (r + V/r) >> 1).
    pb.Loop({G}, {{"max", B(kV2, vrow, {1}), B(scratch, 0, {k}), I(1), MixRole::kExtra}},
            "V = max(sum, 1)");
    // epsilon in V's units: V ≈ K³·var/(4^s·sx²).
    const double eps_q = std::nearbyint(std::pow(static_cast<double>(k), 3) * epsilon /
                                        (std::ldexp(1.0, 2 * s) * x.scale * x.scale));
    if (eps_q > 0) {
      pb.Loop({G},
              {{"add", B(kV2, vrow, {1}), B(kV2, vrow, {1}),
                I(ToI32("LayerNormalization epsilon", std::min(eps_q, 2.0e9))), MixRole::kExtra}},
              "+ epsilon");
    }
    pb.Loop({G}, {{"move", B(kV2, rrow, {1}), I(46341), {}, MixRole::kExtra}}, "r0 >= sqrt(2^31)");
    for (int it = 0; it < 20; ++it) {
      const auto V = B(kV2, vrow, {1}), R = B(kV2, rrow, {1}), Q = B(kV2, qrow, {1});
      pb.Loop({G}, {{"div", Q, V, R, MixRole::kExtra}}, fmt::format("Newton step {}", it + 1));
      pb.Loop({G}, {{"add", Q, Q, R, MixRole::kExtra}}, "");
      pb.Loop({G}, {{"rshift", Q, Q, I(1), MixRole::kExtra}}, "");
      pb.Loop({G}, {{"min", R, R, Q, MixRole::kExtra}}, "");
    }
    pb.Rows("mul", rows, D, D, I(static_cast<int32_t>(c1)), MixRole::kCore,
            fmt::format("x sqrt(K) 2^{}", kT - s));
    pb.Loop(gk,
            {{"div", B(kV2, 0, {k, 1}), B(kV2, 0, {k, 1}), B(kV2, rrow, {1, 0}), MixRole::kCore}},
            "/ sqrt: normalised, Q12");
    pb.Loop(gk,
            {{"mul", B(kV2, 0, {k, 1}), B(kV2, 0, {k, 1}), B(kV1, grow, {0, 1}), MixRole::kCore}},
            "x gamma");
    pb.Loop(gk,
            {{"add", B(kV2, 0, {k, 1}), B(kV2, 0, {k, 1}), B(kV1, brow, {0, 1}), MixRole::kCore}},
            "+ beta");
    Requantize(pb, {rows}, B(kV2, 0, {1}), B(kV2, 0, {1}), std::ldexp(g.scale, -kT) / y.scale,
               y.zero_point, MixRole::kExtra);
    for (int64_t i = 0; i < G; ++i)
      MoveGroup(pb, true, kV2, out.dram_base + tile[i].m0 * k, k, tile[i].count, i * k, kW8,
                "store Y");
  }
  return L.Finish();
}

// ---------------------------------------------------------------------------------------------
// Windows on NCHW

namespace {
struct WindowShape {
  int64_t planes, h, w, oh, ow;
  int64_t ph, pw, hp, wp;  // padding and the padded plane
};
WindowShape CheckWindow(std::string_view op, const std::vector<int64_t>& nchw, const Window& w) {
  if (nchw.size() != 4) throw UserError(fmt::format("{}: input must be NCHW", op));
  CheckShape(op, nchw);
  if (w.ph < 0 || w.pw < 0 || w.ph >= w.kh || w.pw >= w.kw) {
    throw UserError(fmt::format("{}: pads {}x{} must be non-negative and smaller than the kernel",
                                op, w.ph, w.pw));
  }
  const int64_t hp = nchw[2] + 2 * w.ph, wp = nchw[3] + 2 * w.pw;
  if (w.kh < 1 || w.kw < 1 || w.sh < 1 || w.sw < 1 || w.kh > hp || w.kw > wp) {
    throw UserError(fmt::format("{}: kernel {}x{} stride {}x{} does not fit a {}x{} input", op,
                                w.kh, w.kw, w.sh, w.sw, nchw[2], nchw[3]));
  }
  return {nchw[0] * nchw[1],
          nchw[2],
          nchw[3],
          (hp - w.kh) / w.sh + 1,
          (wp - w.kw) / w.sw + 1,
          w.ph,
          w.pw,
          hp,
          wp};
}

// One tile of a window operator: groups of planes (group i's input band at vmem1 rows
// i·prows.., its outputs at vmem2 rows i·nb·ow..) and the band of output rows o0..o0+nb−1, whose
// input is padded rows o0·sh .. o0·sh + band − 1.
struct WindowTile {
  std::vector<Group> groups;
  int64_t o0, nb, band, prows;
};

// As many groups per tile as fit when a whole plane fits; otherwise one group per tile and bands
// of output rows (the thesis's rule: a tile holds every input element its outputs need).
std::vector<WindowTile> WindowTiles(std::string_view op, const TandemTarget& t,
                                    const WindowShape& s, const Window& w,
                                    const std::vector<Group>& groups, int64_t extra_out_rows) {
  const auto band = [&](int64_t nb) { return (nb - 1) * w.sh + w.kh; };
  const auto fits = [&](int64_t nb, int64_t g) {
    return g * band(nb) * s.wp <= t.depth && g * (nb * s.ow + extra_out_rows) <= t.depth;
  };
  int64_t nb = s.oh, per_tile = 1;
  if (fits(nb, 1)) {
    while (fits(nb, per_tile + 1)) ++per_tile;
  } else {
    while (nb > 0 && !fits(nb, 1)) --nb;
    if (nb == 0) {
      throw UserError(fmt::format(
          "{}: one output row needs {} input rows of {} (padded) plus {} output rows, more than "
          "the buffer depth {}",
          op, w.kh, s.wp, s.ow + extra_out_rows, t.depth));
    }
  }
  std::vector<WindowTile> tiles;
  for (size_t first = 0; first < groups.size(); first += per_tile) {
    const auto last = std::min(groups.size(), first + static_cast<size_t>(per_tile));
    for (int64_t o0 = 0; o0 < s.oh; o0 += nb) {
      const int64_t n = std::min(nb, s.oh - o0);
      tiles.push_back(
          {{groups.begin() + first, groups.begin() + last}, o0, n, band(n), band(n) * s.wp});
    }
  }
  return tiles;
}

// The input bands of one tile into vmem1. Without padding in the band, one DAE start per group;
// otherwise the band is filled with `pad` and each image row is loaded to its place (the DAE
// writes consecutive rows only).
void LoadBand(ProgramBuilder& pb, const WindowShape& s, const Window& w, const WindowTile& tile,
              int64_t dram, int32_t pad) {
  const int64_t hw = s.h * s.w;
  const int64_t lo = tile.o0 * w.sh - s.ph;  // first image row of the band (may be < 0)
  const bool padded = s.pw > 0 || lo < 0 || lo + tile.band > s.h;
  if (!padded) {
    for (size_t i = 0; i < tile.groups.size(); ++i) {
      const Group& gr = tile.groups[i];
      const TileWalk walk{dram + gr.m0 * hw + lo * s.w,
                          {{tile.band * s.w, 1}, {gr.count, hw}},
                          static_cast<int64_t>(i) * tile.prows,
                          gr.count,
                          kW8};
      pb.Load(kV1, walk, "load X bands");
    }
    return;
  }
  pb.IntegerDtype();
  pb.Rows("move", static_cast<int64_t>(tile.groups.size()) * tile.prows, B(kV1, 0), I(pad), {},
          MixRole::kNone, fmt::format("padding value {}", pad));
  for (size_t i = 0; i < tile.groups.size(); ++i) {
    const Group& gr = tile.groups[i];
    bool first = true;
    for (int64_t b = 0; b < tile.band; ++b) {
      const int64_t r = lo + b;
      if (r < 0 || r >= s.h) continue;
      const TileWalk walk{dram + gr.m0 * hw + r * s.w,
                          {{s.w, 1}, {gr.count, hw}},
                          static_cast<int64_t>(i) * tile.prows + b * s.wp + s.pw,
                          gr.count,
                          kW8};
      pb.Load(kV1, walk, first ? "load X, one image row at a time into the padded band" : "");
      first = false;
    }
  }
}

// Output planes of one tile from vmem2 to DRAM (plane stride OH·OW).
void StoreBand(ProgramBuilder& pb, const WindowShape& s, const WindowTile& tile, int64_t dram) {
  const int64_t ohw = s.oh * s.ow, j = tile.nb * s.ow;
  for (size_t i = 0; i < tile.groups.size(); ++i) {
    const Group& gr = tile.groups[i];
    const TileWalk walk{dram + gr.m0 * ohw + tile.o0 * s.ow,
                        {{j, 1}, {gr.count, ohw}},
                        static_cast<int64_t>(i) * j,
                        gr.count,
                        kW8};
    pb.Store(kV2, walk, "store Y");
  }
}

// Window loop: kernel offsets outermost (loop interchange), independent outputs inner, so the
// same output row is rewritten only every G·nb·OW slots.
void WindowLoop(ProgramBuilder& pb, std::string_view op, const WindowShape& s, const Window& w,
                const WindowTile& tile, Operand src2_weights, std::string_view comment) {
  const auto g = static_cast<int64_t>(tile.groups.size());
  const auto out = B(kV2, 0, {0, 0, tile.nb * s.ow, s.ow, 1});
  const auto in = B(kV1, 0, {s.wp, 1, tile.prows, w.sh * s.wp, w.sw});
  const std::vector<int64_t> counts{w.kh, w.kw, g, tile.nb, s.ow};
  if (src2_weights.kind == Operand::Kind::kBuf) {
    pb.Loop(counts, {{std::string(op), out, in, src2_weights, MixRole::kCore}}, comment);
  } else {
    pb.Loop(counts, {{std::string(op), out, out, in, MixRole::kCore}}, comment);
  }
}

std::vector<Group> PlaneGroups(int64_t planes, int lanes) {
  std::vector<Group> groups;
  for (int64_t m0 = 0; m0 < planes; m0 += lanes) {
    groups.push_back({m0, static_cast<int>(std::min<int64_t>(lanes, planes - m0))});
  }
  return groups;
}

std::string TileName(const WindowTile& tile, const WindowShape& s) {
  return fmt::format("tile: planes {}..{} ({} group(s) of lanes), output rows {}..{} of {}",
                     tile.groups.front().m0, tile.groups.back().m0 + tile.groups.back().count - 1,
                     tile.groups.size(), tile.o0, tile.o0 + tile.nb - 1, s.oh);
}
}  // namespace

CompiledOp CompileMaxPool(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                          QParams x) {
  const WindowShape s = CheckWindow("MaxPool", nchw, w);
  CheckQ("MaxPool", x);
  CheckTarget(t);
  Lowering L("MaxPool", t);
  const auto in = L.Input("X", nchw, 8);
  const auto out = L.Output("Y", {nchw[0], nchw[1], s.oh, s.ow}, 8);
  ProgramBuilder& pb = L.pb;
  for (const auto& tile : WindowTiles("MaxPool", t, s, w, PlaneGroups(s.planes, t.lanes), 0)) {
    const auto g = static_cast<int64_t>(tile.groups.size());
    pb.BeginTile(TileName(tile, s));
    LoadBand(pb, s, w, tile, in.dram_base, -128);  // -128 never wins a max (pads < kernel)
    pb.IntegerDtype();
    pb.Loop({g, tile.nb, s.ow},
            {{"move",
              B(kV2, 0, {tile.nb * s.ow, s.ow, 1}),
              B(kV1, 0, {tile.prows, w.sh * s.wp, w.sw}),
              {},
              MixRole::kNone}},
            "first window element");
    WindowLoop(pb, "max", s, w, tile, {}, "max over the window");
    StoreBand(pb, s, tile, out.dram_base);
  }
  return L.Finish();
}

CompiledOp CompileAveragePool(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                              QParams x, QParams y) {
  const WindowShape s = CheckWindow("AveragePool", nchw, w);
  if (w.ph != 0 || w.pw != 0) {
    throw UserError(
        "AveragePool: padding is not supported (count_include_pad differs per position)");
  }
  CheckQ("AveragePool", x);
  CheckQ("AveragePool", y);
  CheckTarget(t);
  Lowering L("AveragePool", t);
  const auto in = L.Input("X", nchw, 8);
  const auto out = L.Output("Y", {nchw[0], nchw[1], s.oh, s.ow}, 8);
  ProgramBuilder& pb = L.pb;
  const int64_t kk = int64_t{w.kh} * w.kw;
  for (const auto& tile : WindowTiles("AveragePool", t, s, w, PlaneGroups(s.planes, t.lanes), 0)) {
    const auto rows = static_cast<int64_t>(tile.groups.size()) * tile.nb * s.ow;
    pb.BeginTile(TileName(tile, s));
    LoadBand(pb, s, w, tile, in.dram_base, 0);
    pb.IntegerDtype();
    pb.Rows("move", rows, B(kV2, 0),
            I(ToI32("zero point", -static_cast<double>(kk) * x.zero_point)), {}, MixRole::kNone,
            "sum = -kh kw zero point");
    WindowLoop(pb, "add", s, w, tile, {}, "sum over the window");
    Requantize(pb, {rows}, B(kV2, 0, {1}), B(kV2, 0, {1}),
               x.scale / (static_cast<double>(kk) * y.scale), y.zero_point, MixRole::kCore);
    StoreBand(pb, s, tile, out.dram_base);
  }
  return L.Finish();
}

CompiledOp CompileDepthwiseConv(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                                QParams x, QParams wq, QParams y) {
  const WindowShape s = CheckWindow("DepthwiseConv", nchw, w);
  CheckQ("DepthwiseConv", x);
  CheckQ("DepthwiseConv", wq);
  CheckQ("DepthwiseConv", y);
  CheckTarget(t);
  if (x.zero_point != 0 || wq.zero_point != 0) {
    throw UserError("DepthwiseConv: input and weight zero points must be 0");
  }
  Lowering L("DepthwiseConv", t);
  const int64_t n = nchw[0], c = nchw[1], kk = int64_t{w.kh} * w.kw;
  const auto in = L.Input("X", nchw, 8);
  const auto wt = L.Input("W", {c, 1, w.kh, w.kw}, 8);
  const auto bias = L.Input("B", {c}, 32);
  const auto out = L.Output("Y", {n, c, s.oh, s.ow}, 8);
  ProgramBuilder& pb = L.pb;
  // Groups never straddle two images, so a group's channels are consecutive.
  std::vector<Group> groups;
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t c0 = 0; c0 < c; c0 += t.lanes) {
      groups.push_back({img * c + c0, static_cast<int>(std::min<int64_t>(t.lanes, c - c0))});
    }
  }
  // vmem2 per group: nb·OW output rows; after all outputs kh·kw weight rows and one bias row.
  for (const auto& tile : WindowTiles("DepthwiseConv", t, s, w, groups, kk + 1)) {
    const auto g = static_cast<int64_t>(tile.groups.size());
    const int64_t orows = tile.nb * s.ow, wrow = g * orows, brow = wrow + g * kk;
    pb.BeginTile(TileName(tile, s));
    LoadBand(pb, s, w, tile, in.dram_base, 0);
    for (int64_t i = 0; i < g; ++i) {
      const Group& gr = tile.groups[i];
      const int64_t ch = gr.m0 % c;
      MoveGroup(pb, false, kV2, wt.dram_base + ch * kk, kk, gr.count, wrow + i * kk, kW8, "load W");
      MoveGroup(pb, false, kV2, bias.dram_base + ch, 1, gr.count, brow + i, kW32, "load bias");
    }
    pb.IntegerDtype();
    pb.Loop({g, orows}, {{"move", B(kV2, 0, {orows, 1}), B(kV2, brow, {1, 0}), {}, MixRole::kNone}},
            "acc = bias");
    WindowLoop(pb, "macc", s, w, tile, B(kV2, wrow, {w.kw, 1, kk, 0, 0}),
               "acc += x w over the window");
    Requantize(pb, {g * orows}, B(kV2, 0, {1}), B(kV2, 0, {1}), x.scale * wq.scale / y.scale,
               y.zero_point, MixRole::kExtra);
    StoreBand(pb, s, tile, out.dram_base);
  }
  return L.Finish();
}

// ---------------------------------------------------------------------------------------------
// Transpose

CompiledOp CompileTranspose(const TandemTarget& t, const std::vector<int64_t>& shape,
                            const std::vector<int>& perm) {
  CheckShape("Transpose", shape);
  CheckTarget(t);
  const size_t r = shape.size();
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> iota(r);
  std::iota(iota.begin(), iota.end(), 0);
  if (sorted != iota)
    throw UserError(fmt::format("Transpose: perm [{}] is not a permutation of 0..{}",
                                fmt::join(perm, ","), r - 1));
  std::vector<int64_t> out_shape(r), in_stride(r, 1), out_stride(r, 1);
  for (size_t j = 0; j < r; ++j) out_shape[j] = shape[perm[j]];
  for (size_t i = r - 1; i > 0; --i) in_stride[i - 1] = in_stride[i] * shape[i];
  for (size_t i = r - 1; i > 0; --i) out_stride[i - 1] = out_stride[i] * out_shape[i];
  Lowering L("Transpose", t);
  const auto in = L.Input("X", shape, 32);
  const auto out = L.Output("Y", out_shape, 32);
  ProgramBuilder& pb = L.pb;
  // Tiles: chunks of output dimension 0 (input axis perm[0]); each chunk's input slice is loaded
  // densely (row-major slice), permuted from vmem1 to vmem2, and stored with the output strides.
  const int64_t capacity = int64_t{t.lanes} * t.depth;
  const int64_t rest = ElementCount(out_shape) / out_shape[0];
  const int64_t chunk = std::min(out_shape[0], capacity / rest);
  if (chunk < 1)
    throw UserError(fmt::format(
        "Transpose: one slice of {} elements does not fit the buffer ({} words)", rest, capacity));
  for (int64_t o0 = 0; o0 < out_shape[0]; o0 += chunk) {
    const int64_t cnt = std::min(chunk, out_shape[0] - o0);
    std::vector<int64_t> slice = shape;
    slice[perm[0]] = cnt;
    std::vector<int64_t> slice_stride(r, 1);
    for (size_t i = r - 1; i > 0; --i) slice_stride[i - 1] = slice_stride[i] * slice[i];
    pb.BeginTile(fmt::format("tile: output rows {}..{} along dimension 0", o0, o0 + cnt - 1));
    std::vector<std::pair<int64_t, int64_t>> ld, rd, wr, st;
    for (size_t i = 0; i < r; ++i) ld.push_back({slice[i], in_stride[i]});
    for (size_t j = 0; j < r; ++j) {
      rd.push_back({j == 0 ? cnt : out_shape[j], slice_stride[perm[j]]});
      st.push_back({j == 0 ? cnt : out_shape[j], out_stride[j]});
    }
    const int64_t e = cnt * rest;
    if (e <= 65535) {
      wr.push_back({e, 1});
    } else {
      wr = {{e / t.lanes, t.lanes}, {t.lanes, 1}};
      if (e % t.lanes != 0)
        throw UserError("Transpose: a tile of more than 65535 elements must fill whole rows");
    }
    for (const auto& d : rd) {
      if (d.second > 32767)
        throw UserError("Transpose: a stride exceeds the permute engine's 16 bits");
    }
    pb.Load(kV1, {in.dram_base + o0 * in_stride[perm[0]], ld, 0, t.lanes, kW32},
            "load the input slice");
    pb.Permute(kV2, 0, wr, kV1, 0, rd, "transpose in the permute engine");
    pb.Store(kV2, {out.dram_base + o0 * out_stride[0], st, 0, t.lanes, kW32},
             "store the output rows");
  }
  return L.Finish();
}

}  // namespace accelgen::compiler::tandem
