// NPU blocks that hand tensors over through DRAM (compiler/README.md, "NPU: DRAM-handoff
// blocks"), shared by the BERT layer (bert.hpp) and the whole-network compiler (network.hpp).
// Tensors in DRAM are INT8, one per word, pixel-major (HWC: word (h W + w) C + c).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "compiler/npu/lower.hpp"
#include "compiler/tandem/ops.hpp"

namespace accelgen::compiler::npu {

class DramBlocks {
 public:
  // `what` prefixes every UserError ("npu compiler: bert layer", ...); a layer is named
  // "<kind> '<name>'" in them ("projection 'ffn1'", "layer 'conv1'").
  DramBlocks(NpuProgram& p, std::string what, std::string kind);

  // DRAM words [at, at + words), at on a DAE line.
  int64_t Alloc(int64_t words);
  // The Tandem operator compiler's target for the next operator block (its regions from the
  // current DRAM top on).
  tandem::TandemTarget OpTarget() const;

  // A Tandem-only block: `body` on a builder that forgot its state, after resetting the DAE base
  // loops earlier blocks may have set.
  void TandemBlock(const std::string& name,
                   const std::function<void(tandem::ProgramBuilder&)>& body);
  // An operator program of the Tandem operator compiler (built with OpTarget()) as a Tandem-only
  // block; its exec brackets become the block's.
  void OpBlock(const std::string& name, const tandem::CompiledOp& op);

  // A Tandem-only block writing the im2col of the INT8 tensor at `addr` (C x H x W, HWC) for a
  // k x k convolution with `stride` and zero padding `pad` into the input scratchpad: K block
  // kb = offset g_in + g (channels g R .. g R + R - 1, kernel offset `offset`) of output pixel
  // m in row kb M + m, a channel per lane. A fully connected layer on N vectors is k = 1 over
  // N x 1 pixels.
  // Only output rows oh0 .. oh1 - 1 when oh1 >= 0 (m counts from output row oh0).
  void Im2col(const std::string& layer, int64_t addr, int c, int h, int w, int k, int stride,
              int pad, int oh0 = 0, int oh1 = -1);

  // A Tandem-only block: k x k max pooling with `stride` and padding `pad` (padding never wins)
  // of the tensor at `addr`, [OH][OW][C] INT8 stored at `out`.
  void MaxPool(const std::string& layer, int64_t addr, int c, int h, int w, int k, int stride,
               int pad, int64_t out);

  struct Residual {
    int64_t addr;  // [M][cout] INT8 in DRAM
    Requant ra, rb;
  };
  // The GEMM block of a convolution (weights [cout][cin][k][k]) over the im2col in ibuf rows
  // 0.., M output pixels; its Tandem region adds the bias, releases the Output BUF, requantizes
  // (clamp to [0 or -128, hi]), adds `res` when given (add(a, b) = clamp(sat32(ra(a << 8) +
  // rb(b << 8)), -128, 127)) and stores [M][cout] INT8 at `out`.
  // Returns the weight-scratchpad row of the weights; with w_base >= 0 they are already there
  // (an earlier M tile of the same layer).
  int GemmBlock(const std::string& layer, int cin, int cout, int k, const std::vector<int8_t>& w,
                const std::vector<int32_t>& bias, const Requant& rq, bool relu, int hi, int m,
                int64_t out, const Residual* res = nullptr, int w_base = -1);

  int64_t top() const { return top_; }
  void set_top(int64_t top) { top_ = top; }
  std::string Error(const std::string& part) const;  // "<what>: <part>"
  std::string Layer(const std::string& name) const;  // "<kind> '<name>'"

 private:
  void ResetBaseLoops(tandem::ProgramBuilder& pb) const;
  NpuProgram& p_;
  std::string what_, kind_;
  tandem::TandemTarget target_;
  int64_t top_ = 0;
  int group_ = 0;   // sync group of the next Output BUF release
  int w_rows_ = 0;  // weight-scratchpad rows used
};

}  // namespace accelgen::compiler::npu
