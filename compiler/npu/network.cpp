#include "compiler/npu/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/npu/dram_blocks.hpp"
#include "compiler/tandem/program.hpp"

namespace accelgen::compiler::npu {

using isa::tandem::Namespace;
using tandem::BodyOp;
using tandem::MixRole;
using tandem::Operand;
using tandem::ProgramBuilder;
using tandem::TileWalk;

bool is_chain(const QModel& q) {
  std::string prev = q.input.name;
  bool add = false, conv = false;
  for (const QLayer& l : q.layers) {
    if (add) return false;
    switch (l.kind) {
      case QLayer::Kind::kConv:
        if (l.inputs.at(0) != prev || l.stride != 1) return false;
        conv = true;
        prev = l.name;
        break;
      case QLayer::Kind::kDepthwise:
        prev = l.name;
        break;
      case QLayer::Kind::kAdd:
        if (!conv || !((l.inputs[0] == prev && l.inputs[1] == q.input.name) ||
                       (l.inputs[1] == prev && l.inputs[0] == q.input.name)))
          return false;
        add = true;
        break;
      default:
        return false;
    }
  }
  return true;
}

NpuProgram compile_network(const QModel& q, const golden::npu::NpuConfig& config) {
  NpuProgram p;
  p.config = config;
  const int L = config.lanes;
  DramBlocks blocks(p, "npu compiler", "layer");
  struct Tensor {
    int64_t addr;
    int c, h, w;
  };
  std::map<std::string, Tensor> at;
  const QTensor& x = q.input;
  at[x.name] = {blocks.Alloc(int64_t{x.c} * x.h * x.w), x.c, x.h, x.w};
  for (int pix = 0; pix < x.h * x.w; ++pix)
    for (int ch = 0; ch < x.c; ++ch)
      p.dram.push_back({at[x.name].addr + int64_t{pix} * x.c + ch, q.x[ch * x.h * x.w + pix]});
  if (q.layers.empty()) throw UserError("npu compiler: the network has no layer");
  // Per group of `lanes` channels of an [M][c] tensor: `body(pb, group, channels)`.
  const auto per_group = [&](int c, const auto& body) {
    return [&, c](ProgramBuilder& pb) {
      pb.IntegerDtype();
      for (int g = 0; g * L < c; ++g) body(pb, g, std::min(L, c - g * L));
    };
  };
  for (const QLayer& l : q.layers) {
    const Tensor in = at.at(l.inputs.at(0));
    const int M = l.out.h * l.out.w;
    const std::string layer = fmt::format("layer '{}'", l.name);
    try {
      switch (l.kind) {
        case QLayer::Kind::kConv: {
          // M tiles of whole output rows, as many as the input scratchpad holds the im2col of
          // (each an im2col block and a GEMM block; the weights loaded once).
          const int64_t out = blocks.Alloc(int64_t{M} * l.cout);
          const int ow = l.out.w, kblocks = l.k * l.k * ((l.cin + config.rows - 1) / config.rows);
          const int rows =
              std::max(1, std::min(config.depth / (kblocks * ow), (config.depth - 1) / ow));
          int w_base = -1;
          for (int r0 = 0; r0 < l.out.h; r0 += rows) {
            const int r1 = std::min(l.out.h, r0 + rows);
            blocks.Im2col(l.name, in.addr, in.c, in.h, in.w, l.k, l.stride, l.pad, r0, r1);
            w_base =
                blocks.GemmBlock(l.name, l.cin, l.cout, l.k, l.w, l.bias, l.rq, l.relu, l.hi,
                                 (r1 - r0) * ow, out + int64_t{r0} * ow * l.cout, nullptr, w_base);
          }
          at[l.name] = {out, l.cout, l.out.h, l.out.w};
          break;
        }
        case QLayer::Kind::kAdd: {
          // Both inputs requantized to the output scale (<< 8 first), added, clamped.
          const Tensor b = at.at(l.inputs.at(1));
          if (M > config.depth) {
            throw UserError(fmt::format("npu compiler: {}: {} pixels exceed the Interim BUF ({})",
                                        layer, M, config.depth));
          }
          const int64_t out = blocks.Alloc(int64_t{M} * l.out.c);
          const Operand va = Operand::Buf(Namespace::kVmem1, 0);
          blocks.TandemBlock(
              l.name, per_group(l.out.c, [&](ProgramBuilder& pb, int g, int cg) {
                const auto walk = [&](int64_t addr) {
                  return TileWalk{addr + g * L, {{M, l.out.c}, {cg, 1}}, 0, cg, 3};
                };
                pb.Load(Namespace::kVmem1, walk(in.addr), fmt::format("'{}'", l.inputs[0]));
                pb.Load(Namespace::kVmem2, walk(b.addr), fmt::format("'{}'", l.inputs[1]));
                emit_requant(pb, Namespace::kVmem1, M, l.ra, true, false, false);
                emit_requant(pb, Namespace::kVmem2, M, l.rb, true, false, false);
                pb.Rows("add", M, va, va, Operand::Buf(Namespace::kVmem2, 0), MixRole::kCore,
                        "residual add");
                if (l.relu) {
                  pb.Rows("relu", M, va, va, {}, MixRole::kCore, "ReLU");
                } else {
                  pb.Rows("max", M, va, va, Operand::Imm(-128), MixRole::kCore, "clamp to INT8");
                }
                pb.Rows("min", M, va, va, Operand::Imm(l.hi), MixRole::kCore, "clamp");
                pb.Store(Namespace::kVmem1, walk(out), "the sum");
              }));
          p.layers.push_back(LayerPlan{l.name, static_cast<int>(p.blocks.size()) - 1, 1, 0, M, 0});
          at[l.name] = {out, l.out.c, l.out.h, l.out.w};
          break;
        }
        case QLayer::Kind::kGlobalAvgPool: {
          const int hw = in.h * in.w;
          if (hw > config.depth) {
            throw UserError(fmt::format("npu compiler: {}: {} pixels exceed the Interim BUF ({})",
                                        layer, hw, config.depth));
          }
          const int64_t out = blocks.Alloc(in.c);
          blocks.TandemBlock(
              l.name, per_group(in.c, [&](ProgramBuilder& pb, int g, int cg) {
                pb.Load(Namespace::kVmem1,
                        TileWalk{in.addr + g * L, {{hw, in.c}, {cg, 1}}, 0, cg, 3},
                        fmt::format("'{}', a channel per lane", l.inputs[0]));
                pb.Rows("move", 1, Operand::Buf(Namespace::kVmem2, 0),
                        Operand::Buf(Namespace::kVmem1, 0), {}, MixRole::kCore, "sum = pixel 0");
                if (hw > 1) {
                  pb.Loop({hw - 1},
                          {BodyOp{"add", Operand::Buf(Namespace::kVmem2, 0, {0}),
                                  Operand::Buf(Namespace::kVmem2, 0, {0}),
                                  Operand::Buf(Namespace::kVmem1, 1, {1}), MixRole::kCore}},
                          "sum += pixel");
                }
                emit_requant(pb, Namespace::kVmem2, 1, l.rq, true, true, false);
                pb.Store(Namespace::kVmem2, TileWalk{out + g * L, {{cg, 1}}, 0, cg, 3},
                         "the channel means");
              }));
          p.layers.push_back(LayerPlan{l.name, static_cast<int>(p.blocks.size()) - 1, 1, 0, 1, 0});
          at[l.name] = {out, in.c, 1, 1};
          break;
        }
        case QLayer::Kind::kMaxPool: {
          const int64_t out = blocks.Alloc(int64_t{M} * in.c);
          blocks.MaxPool(l.name, in.addr, in.c, in.h, in.w, l.k, l.stride, l.pad, out);
          at[l.name] = {out, in.c, l.out.h, l.out.w};
          break;
        }
        case QLayer::Kind::kFlatten:
          at[l.name] = in;
          break;
        case QLayer::Kind::kDepthwise:
          throw UserError(fmt::format(
              "npu compiler: {}: a depthwise convolution is mapped only in a chain, fused into "
              "the block of the one-tile convolution before it",
              layer));
      }
    } catch (const UserError& e) {
      // The Tandem program builder's own limits (loop counts, iterators, rows) name no layer.
      if (std::string_view(e.what()).rfind("npu compiler", 0) == 0) throw;
      throw UserError(fmt::format("npu compiler: {}: {}", layer, e.what()));
    }
  }
  const QLayer& last = q.layers.back();
  const Tensor& y = at.at(last.name);
  p.out_base = y.addr;
  p.out_c = y.c;
  p.out_h = y.h;
  p.out_w = y.w;
  return p;
}

graph::Graph tiny_resnet(int64_t h, int64_t w, int64_t classes) {
  graph::Builder b("tiny_resnet");
  const std::string x = b.input("x", {1, 3, h, w});
  const std::string stem = b.conv("stem", x, 8, 3);
  std::string y = b.conv("block1.conv1", stem, 8, 3);
  y = b.conv("block1.conv2", y, 8, 3, {.activation = ""});
  const std::string b1 = b.add("block1.add", {y, stem}, "relu");
  y = b.conv("block2.conv1", b1, 16, 3, {.stride = 2});
  y = b.conv("block2.conv2", y, 16, 3, {.activation = ""});
  const std::string down = b.conv("block2.downsample", b1, 16, 1, {.stride = 2, .activation = ""});
  y = b.add("block2.add", {y, down}, "relu");
  y = b.global_pool("pool", y);
  y = b.flatten("flatten", y);
  b.fc("fc", y, classes, "", 1);
  return b.take();
}

}  // namespace accelgen::compiler::npu
