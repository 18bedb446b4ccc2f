#include "common/npu_params.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace accelgen {

NpuParams NpuParams::from(const ParamSet& set) {
  NpuParams p;
  p.rows = static_cast<int>(set.integer("rows"));
  p.cols = static_cast<int>(set.integer("cols"));
  p.lanes = static_cast<int>(set.integer("lanes"));
  p.depth = static_cast<int>(set.integer("depth"));
  p.wbuf_depth = static_cast<int>(set.integer("wbuf_depth"));
  p.imem_depth = static_cast<int>(set.integer("imem_depth"));
  p.max_blocks = static_cast<int>(set.integer("max_blocks"));
  p.dram_bus_bits = static_cast<int>(set.integer("dram_bus_bits"));
  if (p.rows > p.lanes || p.cols > p.lanes) {
    throw UserError(
        fmt::format("the array ({}x{}) must fit the Tandem lanes ({}): rows and cols at most lanes "
                    "(an output row is one Output BUF row, an input vector one ibuf row)",
                    p.rows, p.cols, p.lanes));
  }
  p.tandem().check();  // the Tandem inside has its own rules (the DRAM bus a power of two)
  return p;
}

TandemParams NpuParams::tandem() const {
  TandemParams t;
  t.lanes = lanes;
  t.interim_depth = depth;
  t.imem_depth = imem_depth;
  t.dram_bus_bits = dram_bus_bits;
  return t;
}

NpuStimulus NpuStimulus::from(const ParamSet& set) {
  NpuStimulus s;
  s.workload = set.choice("workload");
  s.channels = static_cast<int>(set.integer("channels"));
  s.size = static_cast<int>(set.integer("size"));
  s.tile_m = static_cast<int>(set.integer("tile_m"));
  s.seq = static_cast<int>(set.integer("seq"));
  s.hidden = static_cast<int>(set.integer("hidden"));
  s.heads = static_cast<int>(set.integer("heads"));
  s.ffn = static_cast<int>(set.integer("ffn"));
  s.dram_words = set.integer("dram_words");
  return s;
}

int NpuStimulus::channels_for(int cols) const {
  if (channels != 0) return channels;
  return workload == "mbv2_block" ? std::max(1, cols / 2) : cols;
}

BlockInfo npu_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "npu";
  b.description =
      "NPU-Tandem: systolic GEMM unit and Tandem processor sharing a double-buffered Output BUF "
      "(fluid "
      "ownership), block FSM, compiled programs";
  b.schema.integer("rows", 32, 1, 128, "systolic array rows (reduction elements per tile)")
      .integer("cols", 32, 1, 128, "systolic array columns (outputs per row; <= lanes)")
      .integer("lanes", 32, 1, 128, "Tandem SIMD lanes (>= rows, cols)")
      .integer("depth", 512, 8, 4096,
               "rows of each Output BUF half, the input scratchpad (ibuf), vmem1 and vmem2")
      .integer("wbuf_depth", 6144, 1, 4194304,
               "rows of the weight scratchpad (cols INT8 weights each)")
      .integer("imem_depth", 1024, 16, 65536,
               "Tandem instruction words (all blocks' Tandem regions)")
      .integer("max_blocks", 64, 1, 4096, "entries of the block table")
      .integer("dram_bus_bits", 0, 0, 4096,
               "shared DRAM interface: 0 = a lanes-wide line (32 x largest power of two <= lanes), "
               "else a power of two "
               ">= 32");
  b.check = [](const ParamSet& set) { NpuParams::from(set); };
  b.schema
      .choice("workload",
              {"resnet_block", "mbv2_block", "bert_layer", "tiny_resnet", "resnet18", "random"},
              "verify: the compiled workload (ResNet basic block; MobileNet-v2 inverted residual; "
              "BERT encoder layer; whole networks: the small ResNet-style CNN, the zoo's "
              "ResNet-18 at size x size; random: seeded GEMM and Tandem-only blocks of random "
              "shapes on random scratchpads)",
              R::kStimulus)
      .integer("channels", 0, 0, 256,
               "verify: the block's channels C (mbv2_block: C -> 2C -> C); 0 = one N block: cols "
               "(mbv2_block: cols / 2)",
               R::kStimulus)
      .integer("size", 4, 1, 64, "verify: the input's height = width", R::kStimulus)
      .integer("seq", 4, 1, 128, "verify, bert_layer: tokens (<= lanes)", R::kStimulus)
      .integer("hidden", 8, 1, 1024, "verify, bert_layer: hidden width (a multiple of heads)",
               R::kStimulus)
      .integer("heads", 2, 1, 64, "verify, bert_layer: attention heads", R::kStimulus)
      .integer("ffn", 16, 1, 4096, "verify, bert_layer: the FFN's inner width", R::kStimulus)
      .integer("tile_m", 0, 0, 4096,
               "verify: output pixels per GEMM tile of the last convolution (0 = whole image)",
               R::kStimulus)
      .integer("dram_words", 65536, 16, 16777216, "verify: 32-bit words of the DRAM model",
               R::kStimulus);
  return b;
}

}  // namespace accelgen
