#include "compiler/npu/dram_blocks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "common/error.hpp"
#include "compiler/tandem/program.hpp"

namespace accelgen::compiler::npu {

using golden::npu::GemmDesc;
using golden::npu::NpuBlock;
using isa::tandem::Namespace;
using tandem::BodyOp;
using tandem::MixRole;
using tandem::Operand;
using tandem::ProgramBuilder;
using tandem::TileWalk;

DramBlocks::DramBlocks(NpuProgram& p, std::string what, std::string kind)
    : p_(p), what_(std::move(what)), kind_(std::move(kind)) {
  const auto& c = p.config;
  target_ = tandem::TandemTarget{.lanes = c.lanes,
                                 .depth = c.depth,
                                 .dram_bus_words = c.dram_bus_words,
                                 .permute_width = 0,
                                 .dram_base = 0,
                                 .npu_block = true};
}

std::string DramBlocks::Error(const std::string& part) const {
  return fmt::format("{}: {}", what_, part);
}
std::string DramBlocks::Layer(const std::string& name) const {
  return fmt::format("{} '{}'", kind_, name);
}

int64_t DramBlocks::Alloc(int64_t words) {
  const int64_t line = target_.LineWords();
  top_ = (top_ + line - 1) / line * line;
  const int64_t at = top_;
  top_ += words;
  if (top_ > p_.config.dram_words) {
    throw UserError(
        Error(fmt::format("the program's DRAM data ({}+ words) exceeds the DRAM "
                          "model ({} words)",
                          top_, p_.config.dram_words)));
  }
  return at;
}

tandem::TandemTarget DramBlocks::OpTarget() const {
  tandem::TandemTarget t = target_;
  t.dram_base = top_;
  return t;
}

void DramBlocks::ResetBaseLoops(ProgramBuilder& pb) const {
  for (const char* dir : {"ld", "st"})
    for (int buf : {kBufVmem1, kBufVmem2}) EmitBaseLoops(pb, dir, buf, 1, 0, 1, 0);
}

void DramBlocks::TandemBlock(const std::string& name,
                             const std::function<void(ProgramBuilder&)>& body) {
  ProgramBuilder pb(p_.config.lanes, p_.config.depth);
  pb.ForgetState();
  ResetBaseLoops(pb);
  body(pb);
  NpuBlock b;
  b.tandem = pb.words();
  b.name = name;
  p_.blocks.push_back(std::move(b));
}

void DramBlocks::OpBlock(const std::string& name, const tandem::CompiledOp& op) {
  const int L = p_.config.lanes, D = p_.config.depth;
  ProgramBuilder brackets(L, D);
  brackets.Emit("sync.tandem.start.exec", {{0}});
  brackets.Emit("sync.tandem.end.exec", {{0}});
  if (op.program.size() < 2 || op.program.front() != brackets.words()[0] ||
      op.program.back() != brackets.words()[1]) {
    throw std::logic_error("npu compiler: an operator program without its exec brackets");
  }
  ProgramBuilder pb(L, D);
  ResetBaseLoops(pb);
  NpuBlock b;
  b.tandem = pb.words();
  b.tandem.insert(b.tandem.end(), op.program.begin() + 1, op.program.end() - 1);
  b.name = name;
  p_.blocks.push_back(std::move(b));
  if (op.dram_words > p_.config.dram_words) {
    throw UserError(
        Error(fmt::format("'{}': the program's DRAM data ({} words) exceeds the DRAM "
                          "model ({} words)",
                          name, op.dram_words, p_.config.dram_words)));
  }
  top_ = std::max(top_, op.dram_words);
}

namespace {
// The output rows (columns) i in [first, last] whose input row i * stride + d lies in [0, n),
// of the `on` output rows.
std::pair<int, int> Inside(int d, int n, int on, int stride) {
  const int lo = std::max(0, (-d + stride - 1) / stride);
  const int hi = std::min(on - 1, (n - 1 - d) >= 0 ? (n - 1 - d) / stride : -1);
  return {lo, hi};
}
}  // namespace

void DramBlocks::MaxPool(const std::string& layer, int64_t addr, int c, int h, int w, int k,
                         int stride, int pad, int64_t out) {
  const int L = p_.config.lanes, D = p_.config.depth;
  const int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
  if (h * w > D || oh * ow > D) {
    throw UserError(Error(fmt::format(
        "{}: its input ({}x{} pixels) needs {} Interim BUF rows (a pixel per row), the NPU has {}",
        Layer(layer), h, w, h * w, D)));
  }
  TandemBlock(layer, [&](ProgramBuilder& pb) {
    pb.IntegerDtype();
    const Operand y = Operand::Buf(Namespace::kVmem2, 0);
    for (int g = 0; g * L < c; ++g) {
      const int cg = std::min(L, c - g * L);
      pb.Load(Namespace::kVmem1, TileWalk{addr + g * L, {{int64_t{h} * w, c}, {cg, 1}}, 0, cg, 3},
              fmt::format("input channels {}..{} of '{}'", g * L, g * L + cg - 1, layer));
      pb.Rows("move", oh * ow, y, Operand::Imm(-128), {}, MixRole::kExtra,
              "-128: padding never wins");
      for (int off = 0; off < k * k; ++off) {
        const int di = off / k - pad, dj = off % k - pad;
        const auto [h0, h1] = Inside(di, h, oh, stride);
        const auto [w0, w1] = Inside(dj, w, ow, stride);
        if (h0 > h1 || w0 > w1) continue;
        const Operand dst = Operand::Buf(Namespace::kVmem2, h0 * ow + w0, {ow, 1});
        pb.Loop({h1 - h0 + 1, w1 - w0 + 1},
                {BodyOp{"max", dst, dst,
                        Operand::Buf(Namespace::kVmem1, (h0 * stride + di) * w + w0 * stride + dj,
                                     {int64_t{stride} * w, stride}),
                        MixRole::kCore}},
                fmt::format("window offset {}", off));
      }
      pb.Store(Namespace::kVmem2, TileWalk{out + g * L, {{oh * ow, c}, {cg, 1}}, 0, cg, 3},
               "the maxima");
    }
  });
  p_.layers.push_back(LayerPlan{layer, static_cast<int>(p_.blocks.size()) - 1, 1, 0, oh * ow,
                                int64_t{oh} * ow * c * k * k});
}

void DramBlocks::Im2col(const std::string& layer, int64_t addr, int c, int h, int w, int k,
                        int stride, int pad, int oh0, int oh1) {
  const int R = p_.config.rows, D = p_.config.depth;
  const int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
  if (oh1 < 0) oh1 = oh;
  const int M = (oh1 - oh0) * ow, g_in = (c + R - 1) / R, kblocks = k * k * g_in;
  if (h * w > D) {
    throw UserError(Error(fmt::format(
        "{}: its input ({}x{} pixels) needs {} Interim BUF rows (a pixel per row), the NPU has {}",
        Layer(layer), h, w, h * w, D)));
  }
  if (kblocks * M > D) {
    throw UserError(Error(
        fmt::format("{}: its im2col needs {} input-scratchpad rows ({} K blocks x {} pixels), "
                    "the NPU has {}",
                    Layer(layer), kblocks * M, kblocks, M, D)));
  }
  const std::string name = oh0 == 0 && oh1 == oh
                               ? layer + ".im2col"
                               : fmt::format("{}.im2col.rows{}-{}", layer, oh0, oh1 - 1);
  TandemBlock(name, [&](ProgramBuilder& pb) {
    pb.IntegerDtype();
    const bool padded = k > 1 || stride > 1 || pad > 0;
    if (padded) {
      pb.Rows("move", kblocks * M, Operand::Buf(Namespace::kIbuf, 0), Operand::Imm(0), {},
              MixRole::kExtra, "zero the im2col (its padding)");
    }
    for (int g = 0; g < g_in; ++g) {
      const int cg = std::min(R, c - g * R);
      pb.Load(Namespace::kVmem1, TileWalk{addr + g * R, {{int64_t{h} * w, c}, {cg, 1}}, 0, cg, 3},
              fmt::format("input channels {}..{} of '{}'", g * R, g * R + cg - 1, layer));
      for (int off = 0; off < k * k; ++off) {
        const int di = off / k - pad, dj = off % k - pad;
        auto [h0, h1] = Inside(di, h, oh1, stride);
        h0 = std::max(h0, oh0);
        const auto [w0, w1] = Inside(dj, w, ow, stride);
        if (h0 > h1 || w0 > w1) continue;
        const int kb = off * g_in + g;
        pb.Loop({h1 - h0 + 1, w1 - w0 + 1},
                {BodyOp{"move",
                        Operand::Buf(Namespace::kIbuf, kb * M + (h0 - oh0) * ow + w0, {ow, 1}),
                        Operand::Buf(Namespace::kVmem1, (h0 * stride + di) * w + w0 * stride + dj,
                                     {int64_t{stride} * w, stride}),
                        {},
                        MixRole::kExtra}},
                fmt::format("im2col of '{}': K block {}", layer, kb));
      }
    }
  });
}

int DramBlocks::GemmBlock(const std::string& layer, int cin, int cout, int k,
                          const std::vector<int8_t>& w, const std::vector<int32_t>& bias,
                          const Requant& rq, bool relu, int hi, int m, int64_t out,
                          const Residual* res, int w_base) {
  const auto& cfg = p_.config;
  const int R = cfg.rows, C = cfg.cols, L = cfg.lanes, D = cfg.depth;
  if (cout > C && cout % C != 0) {
    throw UserError(Error(
        fmt::format("{}: {} outputs in N blocks of the array's {} columns must be a multiple of {}",
                    Layer(layer), cout, C, C)));
  }
  if (m + 1 > D) {
    throw UserError(Error(fmt::format(
        "{}: a tile of {} output pixels does not fit an Output BUF half and the Interim BUF ({} "
        "rows, one kept for the bias)",
        Layer(layer), m, D)));
  }
  const int g_in = (cin + R - 1) / R, kk = k * k, kb = kk * g_in, nb = (cout + C - 1) / C,
            cn = std::min(C, cout);
  const bool load = w_base < 0;
  if (load) {
    w_base = w_rows_;
    w_rows_ += kb * nb * R;
  }
  if (w_rows_ > cfg.wbuf_depth) {
    throw UserError(
        Error(fmt::format("{}: the weights need {} weight-scratchpad rows, the NPU has {}",
                          Layer(layer), w_rows_, cfg.wbuf_depth)));
  }
  for (int n = 0; n < nb && load; ++n)
    for (int b = 0; b < kb; ++b)
      for (int r = 0; r < R; ++r) {
        NpuProgram::RowWrite row{w_base + (n * kb + b) * R + r, std::vector<int32_t>(C, 0)};
        const int ci = (b % g_in) * R + r, offset = b / g_in;
        for (int col = 0; col < C && ci < cin; ++col) {
          const int o = n * C + col;
          if (o < cout) row.lanes[col] = w[(o * cin + ci) * kk + offset];
        }
        p_.wbuf.push_back(std::move(row));
      }
  const int64_t bias_addr = Alloc(cout);
  for (int o = 0; o < cout; ++o) p_.dram.push_back({bias_addr + o, bias[o]});
  if (nb > 1) {
    ProgramBuilder setup(L, D);
    EmitBaseLoops(setup, "ld", kBufVmem1, 1, 0, nb, cn);
    EmitBaseLoops(setup, "st", kBufVmem1, 1, 0, nb, cn);
    if (res) EmitBaseLoops(setup, "ld", kBufVmem2, 1, 0, nb, cn);
    NpuBlock b;
    b.tandem = setup.words();
    b.name = layer + ".dae_setup";
    p_.blocks.push_back(std::move(b));
  }
  ProgramBuilder pb(L, D);
  pb.ForgetState();
  if (nb == 1) ResetBaseLoops(pb);
  pb.Load(Namespace::kVmem1, TileWalk{bias_addr, {{cn, 1}}, D - 1, cn, 5}, "bias");
  pb.IntegerDtype();
  pb.Loop({m},
          {BodyOp{"add", Operand::Buf(Namespace::kVmem1, 0, {1}),
                  Operand::Buf(Namespace::kObuf, 0, {1}),
                  Operand::Buf(Namespace::kVmem1, D - 1, {0}), MixRole::kCore}},
          "accumulators + bias");
  pb.Emit("sync.tandem.end.buf", {{group_++ % 32}},
          "release the Output BUF: the line above was its last consumer");
  emit_requant(pb, Namespace::kVmem1, m, rq, false, true, relu, hi);
  if (res != nullptr) {
    const Operand a = Operand::Buf(Namespace::kVmem1, 0);
    pb.Load(Namespace::kVmem2, TileWalk{res->addr, {{m, cout}, {cn, 1}}, 0, cn, 3}, "the residual");
    emit_requant(pb, Namespace::kVmem1, m, res->ra, true, false, false);
    emit_requant(pb, Namespace::kVmem2, m, res->rb, true, false, false);
    pb.Rows("add", m, a, a, Operand::Buf(Namespace::kVmem2, 0), MixRole::kCore, "residual add");
    pb.Rows("max", m, a, a, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
    pb.Rows("min", m, a, a, Operand::Imm(127), MixRole::kCore, "clamp to INT8");
  }
  pb.Store(Namespace::kVmem1, TileWalk{out, {{m, cout}, {cn, 1}}, 0, cn, 3}, "output tile");
  NpuBlock b;
  b.gemm = GemmDesc{m, 1, kb, nb, 0, w_base};
  b.tandem = pb.words();
  b.name = layer;
  p_.blocks.push_back(std::move(b));
  p_.layers.push_back(LayerPlan{layer, static_cast<int>(p_.blocks.size()) - 1, nb, kb, m,
                                int64_t{m} * cin * cout * kk});
  return w_base;
}

}  // namespace accelgen::compiler::npu
