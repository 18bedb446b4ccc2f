// Operation templates lowering ONNX non-GEMM operators to Tandem programs (thesis §4.2: one
// pre-defined template per operator, integer counterparts for the transcendental ones after
// I-BERT, requantization after gemmlowp). Each template tiles the DRAM tensor into buffer loads,
// computes with loop nests on the Code Repeater and stores the result back; the whole program,
// DAE transfers included, runs on the golden simulator and on the RTL alike.
//
// Every program is framed by sync.tandem.start.exec / sync.tandem.end.exec (group 0), the
// markers the dispatcher uses (thesis §4.2).
//
// Data in DRAM: one element per 32-bit word (int8 values sign-extended, loaded and stored with
// the DAE's 8-bit width), tensors row-major, inputs then outputs from address 0, each region
// starting on a DAE line (TandemTarget::LineWords(), so a contiguous tile moves in whole-line
// beats; CompiledOp lists the regions). Quantization: real = scale · (q − zero_point), int8 unless
// stated.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace accelgen::compiler::tandem {

struct TandemTarget {
  int lanes = 32;
  int depth = 512;  // words per lane of each buffer (obuf, ibuf, vmem1, vmem2)
  // Engine widths (isa/README.md items 11, 12; golden TandemSimConfig semantics): the DAE's DRAM
  // bus in words (0 = a lanes-wide line, 1 = one word per cycle) and the permute engine's elements
  // per cycle (0 = lanes). They change the cycles, never the program or the results.
  int dram_bus_words = 0;
  int permute_width = 0;
  // Where the program's DRAM regions start (rounded up to a line), and whether it runs as a
  // Tandem-only block of the NPU (golden_model/README.md, `npu`): such a program assumes nothing
  // about the state earlier blocks left (every iterator, IMM slot, Q-format and DAE field it uses
  // is written) and keeps its scratch rows in ibuf, because a block that owns no Output BUF half
  // may not touch obuf. Neither changes the results.
  int64_t dram_base = 0;
  bool npu_block = false;
  // The DAE line in words, the default resolved: DRAM regions start on a line.
  int LineWords() const;
};

struct QParams {
  double scale = 1.0;
  int zero_point = 0;
};

// Number of elements of a tensor of SHAPE (1 for a scalar shape {}).
int64_t ElementCount(const std::vector<int64_t>& shape);

struct TensorRegion {
  std::string name;
  int64_t dram_base = 0;
  std::vector<int64_t> shape;
  int bits = 8;  // element width: 8 (int8) or 32 (int32)
  int64_t Elements() const;
};

struct CompiledOp {
  std::string name;
  std::vector<uint32_t> program;
  std::string tasm;  // readable listing (assembles back to `program`)
  std::vector<TensorRegion> inputs, outputs;
  int64_t dram_words = 0;  // the program uses DRAM words [0, dram_words)
  TandemTarget target;
  // Compute primitives in the lowered body, each loop-body instruction counted once: `core` the
  // operator's Table-4.3 sequence, `extra` what our lowering adds (requantization, final shift,
  // DIV).
  std::map<std::string, int> core_mix, extra_mix;
  int64_t nops = 0;                                // nops the spacing rule forced into loop bodies
  int64_t engine_elements = 0, engine_starts = 0;  // DAE/permute elements moved, starts
  int64_t slots = 0;  // dynamic issue slots (the builder's count; the simulator must agree)
};

// DRAM image (dram_words words) with `inputs[i]` (one value per element, range-checked against
// the region's width) placed at input region i.
std::vector<int32_t> PrepareDram(const CompiledOp& op,
                                 const std::vector<std::vector<int32_t>>& inputs);
// Output region `index` read from a DRAM image.
std::vector<int32_t> ReadOutput(const CompiledOp& op, std::span<const int32_t> dram,
                                size_t index = 0);

// --- Element-wise, any shape (flattened; lanes take consecutive elements) ---
// ReLU: y = max(x, zero_point) in x's quantization (exact). `relu` when zero_point is 0.
CompiledOp CompileRelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x);
// LeakyReLU(alpha), 0 <= alpha <= 1, zero_point 0: y = x < 0 ? alpha·x : x, alpha in Q16.
CompiledOp CompileLeakyRelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                            double alpha);
// Clip(lo, hi) in x's quantization: bounds rounded to the nearest level.
CompiledOp CompileClip(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                       double lo, double hi);
enum class Binary { kAdd, kSub, kMul };
// y = a op b (same shape), requantized to y's scale and zero point.
CompiledOp CompileBinary(const TandemTarget& t, Binary op, const std::vector<int64_t>& shape,
                         QParams a, QParams b, QParams y);
// Cast: int32 in Q(frac_in) to int8 in Q(frac_out), frac_in >= frac_out; floor, saturating.
CompiledOp CompileCast(const TandemTarget& t, const std::vector<int64_t>& shape, int frac_in,
                       int frac_out);
// i-GELU (I-BERT): y = x/2 · (1 + erf(x/√2)), erf by the clipped second-order polynomial.
CompiledOp CompileGelu(const TandemTarget& t, const std::vector<int64_t>& shape, QParams x,
                       QParams y);

// --- Reductions over the last axis of [M][K] (M across lanes, K along buffer rows) ---
// ReduceMean(axis = -1, keepdims): y[m] = mean_k x[m][k]. GlobalAveragePool on NCHW is this with
// M = N·C, K = H·W.
CompiledOp CompileReduceMean(const TandemTarget& t, int64_t m, int64_t k, QParams x, QParams y);
CompiledOp CompileGlobalAveragePool(const TandemTarget& t, const std::vector<int64_t>& nchw,
                                    QParams x, QParams y);
// Softmax(axis = -1) with I-BERT's integer exp; output scale 1/256, zero point −128.
CompiledOp CompileSoftmax(const TandemTarget& t, int64_t m, int64_t k, QParams x);
// LayerNormalization(axis = -1): (x − mean) / sqrt(var + epsilon) · gamma + beta; gamma int8
// (scale g.scale, zero point 0), beta int32 at scale 2^-12·g.scale; integer square root by
// Newton iterations.
CompiledOp CompileLayerNorm(const TandemTarget& t, int64_t m, int64_t k, QParams x, QParams g,
                            QParams y, double epsilon = 1e-5);

// --- Windows on NCHW (planes n·C + c across lanes, h·W + w along rows), no dilation ---
// Symmetric padding ph, pw (< kernel) for MaxPool and DepthwiseConv; AveragePool has none.
struct Window {
  int kh = 2, kw = 2, sh = 2, sw = 2;
  int ph = 0, pw = 0;
};
CompiledOp CompileMaxPool(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                          QParams x);
CompiledOp CompileAveragePool(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                              QParams x, QParams y);
// Depthwise convolution (group = C, one filter per channel): x NCHW int8 (zero point 0),
// weights [C][kh][kw] int8 (zero point 0), bias [C] int32 at scale x.scale·w.scale, y int8.
CompiledOp CompileDepthwiseConv(const TandemTarget& t, const std::vector<int64_t>& nchw, Window w,
                                QParams x, QParams wq, QParams y);

// --- Data movement ---
// Transpose(perm) of an int32 tensor (1..8 dims) on the permute engine.
CompiledOp CompileTranspose(const TandemTarget& t, const std::vector<int64_t>& shape,
                            const std::vector<int>& perm);

// --- Instruction mix and ablation ---
// Every operator compiled on a representative one-tile shape (named in `shape`), for the
// instruction-mix table: core and extra primitives per element of the lowered body.
struct OperatorMix {
  std::string op;
  std::string shape;
  std::map<std::string, int> core, extra;
};
std::vector<OperatorMix> OperatorMixes(const TandemTarget& t = {});

// Address-calculation ablation (thesis Fig. 4.5): Add as CompileBinary, but every two-operand
// instruction is preceded by three ALU instructions that advance the src1, src2 and dst addresses
// kept in obuf rows 0..2, as a processor without strided iterators must. The ISA has no
// register-indirect operand, so the data instructions still name their rows through iterators:
// the program has the ablated machine's instruction count and timing and the same results.
CompiledOp CompileAddWithAluAddressing(const TandemTarget& t, const std::vector<int64_t>& shape,
                                       QParams a, QParams b, QParams y);

}  // namespace accelgen::compiler::tandem
