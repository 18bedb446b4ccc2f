#include "compiler/npu/lower.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "common/error.hpp"
#include "compiler/npu/network.hpp"
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

void EmitBaseLoops(ProgramBuilder& pb, const char* dir, int buf, int m_tiles, int64_t m_stride,
                   int n_blocks, int64_t n_stride) {
  const std::pair<int, int64_t> levels[2] = {{m_tiles, m_stride}, {n_blocks, n_stride}};
  for (int l = 0; l < 2; ++l) {
    const auto [count, stride] = levels[l];
    const auto bits = static_cast<uint32_t>(static_cast<int32_t>(stride));
    pb.Emit(fmt::format("{}.base_iter", dir), {{buf}, {6 + l}, {count}});
    pb.Emit(fmt::format("{}.base_stride", dir), {{0}, {buf}, {6 + l}, {bits & 0xffffu}});
    pb.Emit(fmt::format("{}.base_stride", dir), {{1}, {buf}, {6 + l}, {bits >> 16}});
  }
}

namespace {

std::string Layer(const QLayer& l) { return fmt::format("layer '{}'", l.name); }

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

}  // namespace

NpuProgram compile(const QModel& q, const golden::npu::NpuConfig& config,
                   const CompileOptions& options) {
  const bool depthwise = std::any_of(q.layers.begin(), q.layers.end(), [](const QLayer& l) {
    return l.kind == QLayer::Kind::kDepthwise;
  });
  if (!depthwise && !is_chain(q)) {
    if (options.tile_m != 0) {
      throw UserError(fmt::format(
          "npu compiler: layer '{}': tile_m applies to chains; a network is compiled one tile "
          "per layer",
          q.layers.empty() ? q.input.name : q.layers.back().name));
    }
    return compile_network(q, config);
  }
  NpuProgram p;
  p.config = config;
  const int R = config.rows, C = config.cols, L = config.lanes, D = config.depth;
  const int H = q.input.h, W = q.input.w, M = H * W;
  // The mapped dataflow: conv_0 -> conv_1 -> ... -> conv_n-1 [-> add(conv_n-1, input)].
  // A depthwise convolution runs on Tandem, fused into the block of the convolution before it.
  std::vector<const QLayer*> convs, dw;
  const QLayer* add = nullptr;
  std::string prev = q.input.name;
  for (const QLayer& l : q.layers) {
    if (add != nullptr) {
      throw UserError(fmt::format("npu compiler: {}: nothing may follow the residual add '{}'",
                                  Layer(l), add->name));
    }
    if (l.kind == QLayer::Kind::kConv) {
      if (l.stride != 1) {
        throw UserError(
            fmt::format("npu compiler: {}: a strided convolution is mapped only in a network "
                        "without depthwise convolutions (compile_network)",
                        Layer(l)));
      }
      if (l.inputs.at(0) != prev) {
        throw UserError(
            fmt::format("npu compiler: {}: reads '{}'; the compiler maps a chain of "
                        "convolutions, each reading the previous one",
                        Layer(l), l.inputs.at(0)));
      }
      if (l.cout > C && l.cout % C != 0) {
        throw UserError(fmt::format(
            "npu compiler: {}: {} output channels in N blocks of the array's {} columns must be a "
            "multiple of {}",
            Layer(l), l.cout, C, C));
      }
      convs.push_back(&l);
      dw.push_back(nullptr);
      prev = l.name;
    } else if (l.kind == QLayer::Kind::kDepthwise) {
      if (convs.empty() || prev != convs.back()->name || l.inputs.at(0) != prev) {
        throw UserError(
            fmt::format("npu compiler: {}: a depthwise convolution is mapped only "
                        "right after a convolution, fused into its block",
                        Layer(l)));
      }
      dw.back() = &l;
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

  // Channel blocking: input channels in groups of R (K blocks kernel offset x group, group
  // fastest), output channels in N blocks of C. A layer hands its output to the next one directly
  // (its Tandem region writes the next im2col into ibuf) when it is one tile of one N block whose
  // channels fit one input group of the next; otherwise through DRAM and an im2col block.
  std::vector<int> g_in(n), g_out(n), kblocks(n), tile(n), m_tiles(n);
  std::vector<bool> direct(n, false);
  const int mt = options.tile_m == 0 ? M : options.tile_m;
  if (mt < 1 || mt % W != 0 || M % mt != 0) {
    throw UserError(
        fmt::format("npu compiler: {}: tile_m {} must be a multiple of the width {} "
                    "dividing H x W = {}",
                    Layer(last), mt, W, M));
  }
  for (int i = 0; i < n; ++i) {
    const QLayer& c = *convs[i];
    g_in[i] = CeilDiv(c.cin, R);
    g_out[i] = CeilDiv(c.cout, C);
    kblocks[i] = c.k * c.k * g_in[i];
    tile[i] = i + 1 < n ? M : mt;
    m_tiles[i] = M / tile[i];
    if (tile[i] + 1 > D) {
      throw UserError(fmt::format(
          "npu compiler: {}: a tile of {} output pixels does not fit an Output BUF half and the "
          "Interim BUF ({} rows, one kept for the bias)",
          Layer(c), tile[i], D));
    }
  }
  bool any_direct = false;
  for (int i = 0; i + 1 < n; ++i) {
    direct[i] = g_out[i] == 1 && CeilDiv(convs[i]->cout, R) == 1;
    any_direct = any_direct || direct[i];
  }
  for (int i = 0; i < n; ++i) {
    if (dw[i] != nullptr && (i + 1 == n || !direct[i] || M + dw[i]->k * dw[i]->k + 1 > D)) {
      throw UserError(fmt::format(
          "npu compiler: {}: runs on Tandem in the block of '{}', which must hand its output "
          "directly to a following convolution (one tile, channels within one N block and one K "
          "group) and leave {} Interim BUF rows for the depthwise weights and bias",
          Layer(*dw[i]), convs[i]->name, dw[i]->k * dw[i]->k + 1));
    }
  }
  int region_rows = 0;
  for (int i = 0; i < n; ++i) region_rows = std::max(region_rows, kblocks[i] * M);
  const int regions = any_direct ? 2 : 1;
  for (int i = 0; i < n; ++i) {
    if (regions * region_rows > D && kblocks[i] * M == region_rows) {
      throw UserError(fmt::format(
          "npu compiler: {}: its im2col needs {} input-scratchpad rows ({} K blocks x {} "
          "pixels{}), the NPU has {}",
          Layer(*convs[i]), regions * region_rows, kblocks[i], M,
          regions > 1 ? ", twice: one layer reads while the previous one writes" : "", D));
    }
  }
  std::vector<int> in_base(n, 0);
  for (int i = 0; i + 1 < n; ++i) in_base[i + 1] = direct[i] && in_base[i] == 0 ? region_rows : 0;
  std::vector<int> w_base(n);
  int w_rows = 0;
  for (int i = 0; i < n; ++i) {
    w_base[i] = w_rows;
    w_rows += kblocks[i] * R * g_out[i];
  }
  if (w_rows > config.wbuf_depth) {
    throw UserError(
        fmt::format("npu compiler: {}: the weights need {} weight-scratchpad rows, the "
                    "NPU has {}",
                    Layer(last), w_rows, config.wbuf_depth));
  }
  // DRAM: every bias (INT32), the input (HWC, one INT8 per word), the activations handed over
  // through DRAM (HWC), the output (HWC).
  std::vector<int64_t> bias_addr(n), act_addr(n, -1);
  int64_t top = 0;
  for (int i = 0; i < n; ++i) {
    bias_addr[i] = top;
    top += convs[i]->cout;
  }
  std::vector<int64_t> dw_addr(n, -1);  // depthwise weights [offset][channel], then the bias
  for (int i = 0; i < n; ++i) {
    if (dw[i] == nullptr) continue;
    const QLayer& d = *dw[i];
    dw_addr[i] = top;
    for (int off = 0; off < d.k * d.k; ++off)
      for (int ch = 0; ch < d.cout; ++ch) p.dram.push_back({top++, d.w[ch * d.k * d.k + off]});
    for (int ch = 0; ch < d.cout; ++ch) p.dram.push_back({top++, d.bias[ch]});
  }
  const int64_t x_addr = top;
  top += int64_t{q.input.c} * M;
  for (int i = 0; i + 1 < n; ++i) {
    if (direct[i]) continue;
    act_addr[i] = top;
    top += int64_t{convs[i]->cout} * M;
  }
  p.out_base = top;
  p.out_c = last.cout;
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
    const int kk = c.k * c.k;
    for (int nb = 0; nb < g_out[i]; ++nb)
      for (int kb = 0; kb < kblocks[i]; ++kb)
        for (int r = 0; r < R; ++r) {
          NpuProgram::RowWrite row{w_base[i] + (nb * kblocks[i] + kb) * R + r,
                                   std::vector<int32_t>(C, 0)};
          const int ci = (kb % g_in[i]) * R + r, offset = kb / g_in[i];
          for (int col = 0; col < C && ci < c.cin; ++col) {
            const int o = nb * C + col;
            if (o < c.cout) row.lanes[col] = c.w[(o * c.cin + ci) * kk + offset];
          }
          p.wbuf.push_back(std::move(row));
        }
    for (int o = 0; o < c.cout; ++o) p.dram.push_back({bias_addr[i] + o, c.bias[o]});
  }
  for (int pix = 0; pix < M; ++pix)
    for (int ch = 0; ch < q.input.c; ++ch)
      p.dram.push_back({x_addr + int64_t{pix} * q.input.c + ch, q.x[ch * M + pix]});
  // im2col row of output pixel (h, w) and K block kb of layer i.
  const auto im2col_row = [&](int i, int h, int w, int kb) {
    const int pix = h * W + w;
    return in_base[i] + ((pix / tile[i]) * kblocks[i] + kb) * tile[i] + pix % tile[i];
  };
  {
    const QLayer& c = *convs[0];
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w)
        for (int kb = 0; kb < kblocks[0]; ++kb) {
          NpuProgram::RowWrite row{im2col_row(0, h, w, kb), std::vector<int32_t>(L, 0)};
          const int offset = kb / g_in[0], g = kb % g_in[0];
          const int ih = h + offset / c.k - c.pad, iw = w + offset % c.k - c.pad;
          if (ih >= 0 && ih < H && iw >= 0 && iw < W)
            for (int r = 0; r < R && g * R + r < c.cin; ++r)
              row.lanes[r] = q.x[((g * R + r) * H + ih) * W + iw];
          p.ibuf.push_back(std::move(row));
        }
  }
  // Moves of input group g of layer j's im2col from vmem1 (HxW rows, a channel per lane).
  const auto emit_im2col = [&](ProgramBuilder& pb, int j, int g, Namespace src) {
    const QLayer& next = *convs[j];
    for (int t = 0; t < m_tiles[j]; ++t) {
      const int h0 = t * (tile[j] / W), h1 = (t + 1) * (tile[j] / W);
      for (int off = 0; off < next.k * next.k; ++off) {
        const int di = off / next.k - next.pad, dj = off % next.k - next.pad;
        const int hs = std::max(h0, -di), he = std::min(h1, H - di);
        const int ws = std::max(0, -dj), we = std::min(W, W - dj);
        if (hs >= he || ws >= we) continue;
        const int kb = off * g_in[j] + g;
        pb.Loop({he - hs, we - ws},
                {BodyOp{"move",
                        Operand::Buf(Namespace::kIbuf, im2col_row(j, hs, ws, kb), {W, 1}),
                        Operand::Buf(src, (hs + di) * W + ws + dj, {W, 1}),
                        {},
                        MixRole::kExtra}},
                fmt::format("im2col of '{}': K block {}, tile {}", next.name, kb, t));
      }
    }
  };
  const auto zero_im2col = [&](ProgramBuilder& pb, int j) {
    pb.Rows("move", kblocks[j] * M, Operand::Buf(Namespace::kIbuf, in_base[j]), Operand::Imm(0), {},
            MixRole::kExtra, "zero the next layer's im2col (its padding)");
  };

  const Operand acc = Operand::Buf(Namespace::kVmem1, 0);
  for (int i = 0; i < n; ++i) {
    try {
      const QLayer& c = *convs[i];
      const bool final = i + 1 == n;
      const int tiles = m_tiles[i] * g_out[i];
      const int cn = std::min(C, c.cout);  // output channels per N block
      if (tiles > 1) {
        // The DAE walks one tile per pass: base loops set once, before the block (they persist).
        ProgramBuilder setup(L, D);
        EmitBaseLoops(setup, "ld", kBufVmem1, m_tiles[i], 0, g_out[i], cn);  // bias
        EmitBaseLoops(setup, "st", kBufVmem1, m_tiles[i], int64_t{tile[i]} * c.cout, g_out[i], cn);
        if (final && add) {
          EmitBaseLoops(setup, "ld", kBufVmem2, m_tiles[i], int64_t{tile[i]} * q.input.c, g_out[i],
                        cn);
        }
        NpuBlock b;
        b.tandem = setup.words();
        b.name = c.name + ".dae_setup";
        p.blocks.push_back(std::move(b));
      }
      ProgramBuilder pb(L, D);
      pb.ForgetState();  // the region runs once per tile: it configures everything it uses
      if (tiles == 1) {
        // One pass: the DAE configurations it uses walk no tiles (earlier blocks may have set
        // base loops; writing them here resets their indices).
        EmitBaseLoops(pb, "ld", kBufVmem1, 1, 0, 1, 0);
        if (final || !direct[i]) EmitBaseLoops(pb, "st", kBufVmem1, 1, 0, 1, 0);
        if ((final && add) || dw[i]) EmitBaseLoops(pb, "ld", kBufVmem2, 1, 0, 1, 0);
      }
      pb.Load(Namespace::kVmem1, TileWalk{bias_addr[i], {{cn, 1}}, D - 1, cn, 5}, "bias");
      pb.Loop({tile[i]},
              {BodyOp{"add", Operand::Buf(Namespace::kVmem1, 0, {1}),
                      Operand::Buf(Namespace::kObuf, 0, {1}),
                      Operand::Buf(Namespace::kVmem1, D - 1, {0}), MixRole::kCore}},
              "accumulators + bias");
      pb.Emit("sync.tandem.end.buf", {{i % 32}},
              "release the Output BUF: the line above was its last consumer");
      emit_requant(pb, Namespace::kVmem1, tile[i], c.rq, false, true, c.relu, c.hi);
      Namespace act = Namespace::kVmem1;  // where the block's output rows are
      if (dw[i] != nullptr) {
        // The depthwise convolution on Tandem: a channel per lane, its weights one row per kernel
        // offset, accumulated with macc over the valid pixels of each offset.
        const QLayer& d = *dw[i];
        const int kk = d.k * d.k, wrow = D - 1 - kk;
        pb.Load(Namespace::kVmem2, TileWalk{dw_addr[i], {{kk * d.cout, 1}}, wrow, d.cout, 3},
                fmt::format("'{}' weights", d.name));
        pb.Load(Namespace::kVmem2,
                TileWalk{dw_addr[i] + kk * d.cout, {{d.cout, 1}}, D - 1, d.cout, 5},
                fmt::format("'{}' bias", d.name));
        pb.IntegerDtype();
        pb.Loop({M},
                {BodyOp{"move",
                        Operand::Buf(Namespace::kVmem2, 0, {1}),
                        Operand::Buf(Namespace::kVmem2, D - 1, {0}),
                        {},
                        MixRole::kCore}},
                "depthwise accumulators = bias");
        for (int off = 0; off < kk; ++off) {
          const int di = off / d.k - d.pad, dj = off % d.k - d.pad;
          const int hs = std::max(0, -di), he = std::min(H, H - di);
          const int ws = std::max(0, -dj), we = std::min(W, W - dj);
          if (hs >= he || ws >= we) continue;
          pb.Loop({he - hs, we - ws},
                  {BodyOp{"macc", Operand::Buf(Namespace::kVmem2, hs * W + ws, {W, 1}),
                          Operand::Buf(Namespace::kVmem1, (hs + di) * W + ws + dj, {W, 1}),
                          Operand::Buf(Namespace::kVmem2, wrow + off, {0, 0}), MixRole::kCore}},
                  fmt::format("'{}': kernel offset {}", d.name, off));
        }
        emit_requant(pb, Namespace::kVmem2, M, d.rq, false, true, d.relu, d.hi);
        act = Namespace::kVmem2;
      }
      const int64_t store_addr = final ? p.out_base : act_addr[i];
      if (!final && direct[i]) {
        zero_im2col(pb, i + 1);
        emit_im2col(pb, i + 1, 0, act);
      } else {
        if (final && add) {
          const bool conv_first = add->inputs[0] == c.name;
          pb.Load(Namespace::kVmem2, TileWalk{x_addr, {{tile[i], q.input.c}, {cn, 1}}, 0, cn, 3},
                  fmt::format("residual '{}' tile", q.input.name));
          emit_requant(pb, Namespace::kVmem1, tile[i], conv_first ? add->ra : add->rb, true, false,
                       false);
          emit_requant(pb, Namespace::kVmem2, tile[i], conv_first ? add->rb : add->ra, true, false,
                       false);
          pb.Rows("add", tile[i], acc, acc, Operand::Buf(Namespace::kVmem2, 0), MixRole::kCore,
                  "residual add");
          if (add->relu) {
            pb.Rows("relu", tile[i], acc, acc, {}, MixRole::kCore, "ReLU");
          } else {
            pb.Rows("max", tile[i], acc, acc, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
          }
          pb.Rows("min", tile[i], acc, acc, Operand::Imm(add->hi), MixRole::kCore, "clamp");
        }
        pb.Store(Namespace::kVmem1, TileWalk{store_addr, {{tile[i], c.cout}, {cn, 1}}, 0, cn, 3},
                 final ? "output tile" : "activation tile, handed to the next layer through DRAM");
      }
      NpuBlock b;
      b.gemm = GemmDesc{tile[i], m_tiles[i], kblocks[i], g_out[i], in_base[i], w_base[i]};
      b.tandem = pb.words();
      b.name = c.name;
      p.blocks.push_back(std::move(b));
      p.layers.push_back(LayerPlan{c.name, static_cast<int>(p.blocks.size()) - 1, tiles, kblocks[i],
                                   tile[i], int64_t{M} * c.cout * c.cin * c.k * c.k});
      if (dw[i] != nullptr) {
        p.layers.push_back(LayerPlan{dw[i]->name, static_cast<int>(p.blocks.size()) - 1, 1, 0, M,
                                     int64_t{M} * dw[i]->cout * dw[i]->k * dw[i]->k});
      }
      if (!final && !direct[i]) {
        // One Tandem pass loads the activation group by group and writes the next im2col.
        const QLayer& next = *convs[i + 1];
        ProgramBuilder ib(L, D);
        ib.ForgetState();
        EmitBaseLoops(ib, "ld", kBufVmem1, 1, 0, 1, 0);
        zero_im2col(ib, i + 1);
        for (int g = 0; g < g_in[i + 1]; ++g) {
          const int cg = std::min(R, next.cin - g * R);
          ib.Load(Namespace::kVmem1,
                  TileWalk{act_addr[i] + g * R, {{M, c.cout}, {cg, 1}}, 0, cg, 3},
                  fmt::format("input group {} of '{}'", g, next.name));
          emit_im2col(ib, i + 1, g, Namespace::kVmem1);
        }
        NpuBlock im;
        im.tandem = ib.words();
        im.name = next.name + ".im2col";
        p.blocks.push_back(std::move(im));
      }
    } catch (const UserError& e) {
      // The Tandem program builder's own limits (loop counts, iterators, rows) name no layer.
      if (std::string_view(e.what()).rfind("npu compiler:", 0) == 0) throw;
      throw UserError(fmt::format("npu compiler: {}: {}", Layer(*convs[i]), e.what()));
    }
  }
  if (add) {
    p.layers.push_back(LayerPlan{add->name, static_cast<int>(p.blocks.size()) - 1, 1, 0, 0, 0});
  }
  return p;
}

void emit_requant(tandem::ProgramBuilder& pb, Namespace ns, int rows, const Requant& rq,
                  bool shift8, bool clamp, bool relu, int hi, int base) {
  const Operand d = Operand::Buf(ns, base);
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
  pb.Rows("min", rows, d, d, Operand::Imm(hi), MixRole::kCore, "clamp to INT8 (ReLU6: the 6)");
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
