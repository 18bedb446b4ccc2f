#include "compiler/npu/lower.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

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

namespace {

constexpr int kBufVmem1 = 0, kBufVmem2 = 1;  // TILE_LD_ST buffer codes
constexpr int kBaseLevel = 7;                // the DAE base loop that walks the tiles

// Base loop `kBaseLevel` of one DAE configuration: `count` tiles `stride` words apart.
void EmitBaseLoop(ProgramBuilder& pb, const char* dir, int buf, int count, int64_t stride) {
  const auto bits = static_cast<uint32_t>(static_cast<int32_t>(stride));
  pb.Emit(fmt::format("{}.base_iter", dir), {{buf}, {kBaseLevel}, {count}});
  pb.Emit(fmt::format("{}.base_stride", dir), {{0}, {buf}, {kBaseLevel}, {bits & 0xffffu}});
  pb.Emit(fmt::format("{}.base_stride", dir), {{1}, {buf}, {kBaseLevel}, {bits >> 16}});
}

std::string Layer(const QLayer& l) { return fmt::format("layer '{}'", l.name); }

}  // namespace

NpuProgram compile(const QModel& q, const golden::npu::NpuConfig& config,
                   const CompileOptions& options) {
  NpuProgram p;
  p.config = config;
  const int R = config.rows, C = config.cols, L = config.lanes, D = config.depth;
  const int H = q.input.h, W = q.input.w, M = H * W;
  // The mapped dataflow: conv_0 -> conv_1 -> ... -> conv_n-1 [-> add(conv_n-1, input)].
  std::vector<const QLayer*> convs;
  const QLayer* add = nullptr;
  std::string prev = q.input.name;
  for (const QLayer& l : q.layers) {
    if (add != nullptr) {
      throw UserError(fmt::format("npu compiler: {}: nothing may follow the residual add '{}'",
                                  Layer(l), add->name));
    }
    if (l.kind == QLayer::Kind::kConv) {
      if (l.inputs.at(0) != prev) {
        throw UserError(
            fmt::format("npu compiler: {}: reads '{}'; the compiler maps a chain of "
                        "convolutions, each reading the previous one",
                        Layer(l), l.inputs.at(0)));
      }
      if (l.cin > R || l.cout > C) {
        throw UserError(fmt::format(
            "npu compiler: {}: {} input and {} output channels exceed the {}x{} array (channel "
            "blocking is not mapped)",
            Layer(l), l.cin, l.cout, R, C));
      }
      convs.push_back(&l);
      prev = l.name;
    } else {
      const bool ok = !convs.empty() && ((l.inputs[0] == prev && l.inputs[1] == q.input.name) ||
                                         (l.inputs[1] == prev && l.inputs[0] == q.input.name));
      if (!ok) {
        throw UserError(
            fmt::format("npu compiler: {}: only an add of the last convolution and the "
                        "network input is mapped",
                        Layer(l)));
      }
      add = &l;
    }
  }
  if (convs.empty()) throw UserError("npu compiler: the network has no convolution");
  const QLayer& last = *convs.back();
  const int n = static_cast<int>(convs.size());

  // Tiling: earlier convolutions run as one tile (their Tandem region writes the next im2col);
  // the last one in tiles of tile_m output pixels, stored to DRAM.
  const int mt = options.tile_m == 0 ? M : options.tile_m;
  if (mt < 1 || mt % W != 0 || M % mt != 0) {
    throw UserError(
        fmt::format("npu compiler: {}: tile_m {} must be a multiple of the width {} "
                    "dividing H x W = {}",
                    Layer(last), mt, W, M));
  }
  for (int i = 0; i < n; ++i) {
    const int rows_needed = i + 1 < n ? M : mt;
    if (rows_needed + 1 > D) {
      throw UserError(fmt::format(
          "npu compiler: {}: a tile of {} output pixels does not fit an Output BUF half and the "
          "Interim BUF ({} rows, one kept for the bias)",
          Layer(*convs[i]), rows_needed, D));
    }
  }
  int region_rows = 0;
  for (const QLayer* c : convs) region_rows = std::max(region_rows, c->k * c->k * M);
  const int regions = n > 1 ? 2 : 1;
  for (const QLayer* c : convs) {
    if (regions * region_rows > D && c->k * c->k * M == region_rows) {
      throw UserError(fmt::format(
          "npu compiler: {}: its im2col needs {} input-scratchpad rows ({} K blocks x {} "
          "pixels{}), "
          "the NPU has {}",
          Layer(*c), regions * c->k * c->k * M, c->k * c->k, M,
          regions > 1 ? ", twice: one layer reads while the previous one writes" : "", D));
    }
  }
  const auto in_base = [&](int i) { return (i % 2) * region_rows; };
  std::vector<int> w_base(n);
  int w_rows = 0;
  for (int i = 0; i < n; ++i) {
    w_base[i] = w_rows;
    w_rows += convs[i]->k * convs[i]->k * R;
  }
  if (w_rows > config.wbuf_depth) {
    throw UserError(
        fmt::format("npu compiler: {}: the weights need {} weight-scratchpad rows, the "
                    "NPU has {}",
                    Layer(last), w_rows, config.wbuf_depth));
  }
  // DRAM: every bias (INT32), the input (HWC, INT8 per word), the output (HWC).
  std::vector<int64_t> bias_addr(n);
  int64_t top = 0;
  for (int i = 0; i < n; ++i) {
    bias_addr[i] = top;
    top += convs[i]->cout;
  }
  const int64_t x_addr = top;
  top += int64_t{q.input.c} * M;
  p.out_base = top;
  p.out_c = add ? add->out.c : last.cout;
  p.out_h = H;
  p.out_w = W;
  top += int64_t{p.out_c} * M;
  if (top > config.dram_words) {
    throw UserError(
        fmt::format("npu compiler: {}: the program's DRAM data ({} words) exceeds the "
                    "DRAM model ({} words)",
                    Layer(last), top, config.dram_words));
  }

  // Host preloads: weights, biases and input in DRAM, the first im2col in the input scratchpad.
  for (int i = 0; i < n; ++i) {
    const QLayer& c = *convs[i];
    for (int kb = 0; kb < c.k * c.k; ++kb)
      for (int r = 0; r < R; ++r) {
        NpuProgram::RowWrite row{w_base[i] + kb * R + r, std::vector<int32_t>(C, 0)};
        for (int o = 0; o < c.cout && r < c.cin; ++o)
          row.lanes[o] = c.w[(o * c.cin + r) * c.k * c.k + kb];
        p.wbuf.push_back(std::move(row));
      }
    for (int o = 0; o < c.cout; ++o) p.dram.push_back({bias_addr[i] + o, c.bias[o]});
  }
  for (int pix = 0; pix < M; ++pix)
    for (int ch = 0; ch < q.input.c; ++ch)
      p.dram.push_back({x_addr + int64_t{pix} * q.input.c + ch, q.x[ch * M + pix]});
  // im2col row of output pixel (h, w) and K block kb for a layer tiled by `tile` pixels.
  const auto im2col_row = [&](int base, int kblocks, int tile, int h, int w, int kb) {
    const int pix = h * W + w;
    return base + ((pix / tile) * kblocks + kb) * tile + pix % tile;
  };
  {
    const QLayer& c = *convs[0];
    const int tile = n == 1 ? mt : M;
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w)
        for (int kb = 0; kb < c.k * c.k; ++kb) {
          NpuProgram::RowWrite row{im2col_row(in_base(0), c.k * c.k, tile, h, w, kb),
                                   std::vector<int32_t>(L, 0)};
          const int ih = h + kb / c.k - c.pad, iw = w + kb % c.k - c.pad;
          if (ih >= 0 && ih < H && iw >= 0 && iw < W)
            for (int ch = 0; ch < c.cin; ++ch) row.lanes[ch] = q.x[(ch * H + ih) * W + iw];
          p.ibuf.push_back(std::move(row));
        }
  }

  const Operand acc = Operand::Buf(Namespace::kVmem1, 0);
  for (int i = 0; i < n; ++i) {
    try {
      const QLayer& c = *convs[i];
      const bool final = i + 1 == n;
      const int tile = final ? mt : M;
      const int tiles = M / tile;
      const int kblocks = c.k * c.k;
      if (final && tiles > 1) {
        // The DAE walks one tile per pass: base loops set once, before the block (they persist).
        ProgramBuilder setup(L, D);
        EmitBaseLoop(setup, "st", kBufVmem1, tiles, int64_t{tile} * p.out_c);
        if (add) EmitBaseLoop(setup, "ld", kBufVmem2, tiles, int64_t{tile} * q.input.c);
        NpuBlock b;
        b.tandem = setup.words();
        b.name = c.name + ".dae_setup";
        p.blocks.push_back(std::move(b));
      }
      ProgramBuilder pb(L, D);
      pb.ForgetState();  // the region runs once per tile: it configures everything it uses
      pb.Load(Namespace::kVmem1, TileWalk{bias_addr[i], {{c.cout, 1}}, D - 1, c.cout, 5}, "bias");
      pb.Loop({tile},
              {BodyOp{"add", Operand::Buf(Namespace::kVmem1, 0, {1}),
                      Operand::Buf(Namespace::kObuf, 0, {1}),
                      Operand::Buf(Namespace::kVmem1, D - 1, {0}), MixRole::kCore}},
              "accumulators + bias");
      pb.Emit("sync.tandem.end.buf", {{i % 32}},
              "release the Output BUF: the line above was its last consumer");
      emit_requant(pb, Namespace::kVmem1, tile, c.rq, false, true, c.relu);
      if (!final) {
        const QLayer& next = *convs[i + 1];
        const int nk = next.k * next.k;
        const int ntile = i + 2 == n ? mt : M;
        pb.Rows("move", nk * M, Operand::Buf(Namespace::kIbuf, in_base(i + 1)), Operand::Imm(0), {},
                MixRole::kExtra, "zero the next layer's im2col (its padding)");
        for (int t = 0; t < M / ntile; ++t) {
          const int h0 = t * (ntile / W), h1 = (t + 1) * (ntile / W);
          for (int kb = 0; kb < nk; ++kb) {
            const int di = kb / next.k - next.pad, dj = kb % next.k - next.pad;
            const int hs = std::max(h0, -di), he = std::min(h1, H - di);
            const int ws = std::max(0, -dj), we = std::min(W, W - dj);
            if (hs >= he || ws >= we) continue;
            pb.Loop({he - hs, we - ws},
                    {BodyOp{"move",
                            Operand::Buf(Namespace::kIbuf,
                                         im2col_row(in_base(i + 1), nk, ntile, hs, ws, kb), {W, 1}),
                            Operand::Buf(Namespace::kVmem1, (hs + di) * W + ws + dj, {W, 1}),
                            {},
                            MixRole::kExtra}},
                    fmt::format("im2col of '{}': K block {}, tile {}", next.name, kb, t));
          }
        }
      } else {
        if (add) {
          const bool conv_first = add->inputs[0] == c.name;
          pb.Load(Namespace::kVmem2, TileWalk{x_addr, {{tile * q.input.c, 1}}, 0, q.input.c, 3},
                  fmt::format("residual '{}' tile", q.input.name));
          emit_requant(pb, Namespace::kVmem1, tile, conv_first ? add->ra : add->rb, true, false,
                       false);
          emit_requant(pb, Namespace::kVmem2, tile, conv_first ? add->rb : add->ra, true, false,
                       false);
          pb.Rows("add", tile, acc, acc, Operand::Buf(Namespace::kVmem2, 0), MixRole::kCore,
                  "residual add");
          if (add->relu) {
            pb.Rows("relu", tile, acc, acc, {}, MixRole::kCore, "ReLU");
          } else {
            pb.Rows("max", tile, acc, acc, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
          }
          pb.Rows("min", tile, acc, acc, Operand::Imm(127), MixRole::kCore, "clamp to INT8");
        }
        pb.Store(Namespace::kVmem1, TileWalk{p.out_base, {{tile * p.out_c, 1}}, 0, p.out_c, 3},
                 "output tile");
      }
      NpuBlock b;
      b.gemm = GemmDesc{tile, tiles, kblocks, 1, in_base(i), w_base[i]};
      b.tandem = pb.words();
      b.name = c.name;
      p.blocks.push_back(std::move(b));
      p.layers.push_back(LayerPlan{c.name, static_cast<int>(p.blocks.size()) - 1, tiles, kblocks,
                                   tile, int64_t{M} * c.cout * c.cin * kblocks});
    } catch (const UserError& e) {
      // The Tandem program builder's own limits (loop counts, iterators, rows) name no layer.
      if (std::string_view(e.what()).rfind("npu compiler:", 0) == 0) throw;
      throw UserError(fmt::format("npu compiler: {}: {}", Layer(*convs[i]), e.what()));
    }
  }
  if (add)
    p.layers.push_back(LayerPlan{add->name, static_cast<int>(p.blocks.size()) - 1, 1, 0, 0, 0});
  return p;
}

void emit_requant(tandem::ProgramBuilder& pb, Namespace ns, int rows, const Requant& rq,
                  bool shift8, bool clamp, bool relu) {
  const Operand d = Operand::Buf(ns, 0);
  if (shift8) pb.Rows("lshift", rows, d, d, Operand::Imm(8), MixRole::kCore, "x << 8");
  pb.Dtype(32, 32, 1);  // fractional bits 0, 0, 31: mul = floor(src1 * src2 / 2^31)
  pb.Rows("mul", rows, d, d, Operand::Imm(rq.m), MixRole::kCore,
          fmt::format("floor(x * {} / 2^31)", rq.m));
  pb.IntegerDtype();
  pb.Rows("add", rows, d, d, Operand::Imm(int32_t{1} << (rq.s - 1)), MixRole::kCore,
          "+ 2^(s-1): round half up");
  pb.Rows("rshift", rows, d, d, Operand::Imm(rq.s), MixRole::kCore, fmt::format(">> {}", rq.s));
  if (!clamp) return;
  if (relu) {
    pb.Rows("relu", rows, d, d, {}, MixRole::kCore, "ReLU");
  } else {
    pb.Rows("max", rows, d, d, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
  }
  pb.Rows("min", rows, d, d, Operand::Imm(127), MixRole::kCore, "clamp to INT8");
}

std::vector<int8_t> run_on_golden(const NpuProgram& p, golden::npu::NpuSim& sim) {
  const auto& c = sim.Config();
  if (c.rows != p.config.rows || c.cols != p.config.cols || c.lanes != p.config.lanes ||
      c.depth != p.config.depth || c.wbuf_depth != p.config.wbuf_depth ||
      c.dram_words != p.config.dram_words) {
    throw UserError("npu: the program was compiled for another NPU configuration");
  }
  for (const auto& row : p.ibuf)
    for (size_t l = 0; l < row.lanes.size(); ++l)
      sim.Tandem().Write(Namespace::kIbuf, static_cast<int>(l), row.row, row.lanes[l]);
  for (const auto& row : p.wbuf)
    for (size_t l = 0; l < row.lanes.size(); ++l)
      sim.WriteWbuf(static_cast<int>(l), row.row, row.lanes[l]);
  for (const auto& [addr, v] : p.dram) sim.Tandem().WriteDram(addr, v);
  sim.Run(p.blocks);
  std::vector<int8_t> out(static_cast<size_t>(p.out_c) * p.out_h * p.out_w);
  for (int h = 0; h < p.out_h; ++h)
    for (int w = 0; w < p.out_w; ++w)
      for (int ch = 0; ch < p.out_c; ++ch) {
        const int32_t v =
            sim.Tandem().ReadDram(p.out_base + (int64_t{h} * p.out_w + w) * p.out_c + ch);
        out[(ch * p.out_h + h) * p.out_w + w] = static_cast<int8_t>(v);
      }
  return out;
}

}  // namespace accelgen::compiler::npu
