// Whole networks on NPU-Tandem through DRAM handoff (compiler/README.md, "NPU: whole networks"):
// every convolution (any square stride) an im2col block and a GEMM block, residual adds of any
// two earlier tensors, global average pooling and flatten as Tandem-only blocks, the classifier
// a GEMM block on one pixel. compile() (lower.hpp) uses this for every model that is not a chain
// its direct-handoff path maps.
#pragma once

#include <cstdint>

#include "compiler/graph/graph.hpp"
#include "compiler/npu/lower.hpp"
#include "compiler/npu/quant.hpp"

namespace accelgen::compiler::npu {

// A chain compile()'s direct path maps: stride-1 convolutions each reading the previous layer,
// depthwise convolutions, at most one add, last, of the last layer and the network input.
bool is_chain(const QModel& q);

// The DRAM-handoff compilation of `q` (any graph of the layers quant.hpp maps but depthwise
// convolutions). The output is the last layer's tensor. UserError naming the layer for a tile,
// im2col or weight set that does not fit.
NpuProgram compile_network(const QModel& q, const golden::npu::NpuConfig& config);

// A small ResNet-style CNN shipped with the compiler: a 3x3 stem to 8 channels (BN, ReLU); a basic
// block (two 3x3 convolutions, add of the stem); a downsampling block (3x3 stride 2 to 16, 3x3,
// a 1x1 stride-2 projection of the block input, add, ReLU); global average pool, flatten, a
// fully connected classifier. Input 1x3xHxW.
graph::Graph tiny_resnet(int64_t h = 8, int64_t w = 8, int64_t classes = 8);

}  // namespace accelgen::compiler::npu
