// Compiler from a quantized graph (quant.hpp) to an NPU program (golden_model/npu): one block per
// convolution (a GEMM region for the im2col product and a Tandem region for its non-GEMM tail),
// Tandem requantization, ReLU and residual add, and the Output BUF release placed right after the
// last instruction that reads the accumulators. compiler/README.md ("NPU") documents the mapping.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compiler/npu/quant.hpp"
#include "compiler/tandem/program.hpp"
#include "golden_model/npu/npu_model.hpp"

namespace accelgen::compiler::npu {

struct CompileOptions {
  // Output rows (pixels) per GEMM tile of the last convolution; 0 = the whole image when it fits
  // an Output BUF half. Must be a multiple of the image width and divide H * W.
  int tile_m = 0;
};

// What the compiler produced for one layer (for reports).
struct LayerPlan {
  std::string name;
  int block = -1;  // NPU block index
  int tiles = 1, k_blocks = 1, m = 1;
  int64_t macs = 0;
};

struct NpuProgram {
  golden::npu::NpuConfig config;
  std::vector<golden::npu::NpuBlock> blocks;
  std::vector<LayerPlan> layers;
  // Host writes before start_i: input scratchpad (ibuf) rows, weight scratchpad rows, DRAM words.
  struct RowWrite {
    int row;
    std::vector<int32_t> lanes;
  };
  std::vector<RowWrite> ibuf, wbuf;
  std::vector<std::pair<int64_t, int32_t>> dram;
  // The network output: C x H x W INT8 values at DRAM word out_base + (h * W + w) * C + c.
  int64_t out_base = 0;
  int out_c = 0, out_h = 0, out_w = 0;
};

// Compiles `q` for `config`. UserError naming the layer for a layer the compiler cannot map:
// an unsupported dataflow (the compiler maps a chain of convolutions, the last one optionally
// followed by an add of the network input), output channels that do not fill their last N block of
// `cols`, or tiles and im2col buffers that do not fit the scratchpads.
NpuProgram compile(const QModel& q, const golden::npu::NpuConfig& config,
                   const CompileOptions& options = {});

// TILE_LD_ST buffer codes.
inline constexpr int kBufVmem1 = 0, kBufVmem2 = 1;
// The DAE base loops that walk the tiles of a block, tile t = mt * n_blocks + nb: level 6 runs
// over the M tiles (`m_stride` words apart), level 7 over the N blocks (`n_stride` apart). With
// 1, 0, 1, 0 a block that walks no tiles resets what an earlier block set.
void EmitBaseLoops(tandem::ProgramBuilder& pb, const char* dir, int buf, int m_tiles,
                   int64_t m_stride, int n_blocks, int64_t n_stride);

// Appends the requantization of rows base .. base+rows-1 of `ns`, in place (quant.hpp, Requant): x
// << 8 first when `shift8`, then floor(x * m / 2^31), + 2^(s-1) saturating, >> s; clamped to
// [-128, hi] ([0, hi] with `relu`) when `clamp`.
void emit_requant(tandem::ProgramBuilder& pb, isa::tandem::Namespace ns, int rows,
                  const Requant& rq, bool shift8, bool clamp, bool relu, int hi = 127,
                  int base = 0);

// Host side: loads the program's scratchpad and DRAM contents, runs it, reads the output (CHW).
std::vector<int8_t> run_on_golden(const NpuProgram& p, golden::npu::NpuSim& sim);

}  // namespace accelgen::compiler::npu
