// Lowering of GEMMs onto the `cvu_array` (BPVeC core): weights tiled into the CVUs' scratchpads,
// activations streamed as operations, with a hazard-free schedule. The testbench drives the
// result; the cvu-dse flow counts its cycles per mode.
#pragma once

#include <cstdint>
#include <vector>

#include "common/cvu_array_params.hpp"
#include "golden_model/cvu_array/cvu_array_model.hpp"

namespace accelgen::compiler {

struct CvuGemm {
  int mode_x = 0, mode_w = 0;  // operand width levels (bx = slice_bits << mode_x)
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> x, w;  // row-major M*K and K*N
};

// Which GEMM outputs an accumulation (an operation with `last`) produces: row m, columns n0...
struct CvuOutputRef {
  size_t gemm;
  int64_t m, n0;
};

struct CvuArrayProgram {
  std::vector<golden::CvuArrayWrite> writes;
  std::vector<golden::CvuArrayOp> ops;
  std::vector<CvuOutputRef> outputs;  // one per op with `last`, in order
};

// Reduction elements one operation covers: rows * G * lanes.
int64_t cvu_array_k_per_op(const CvuArrayParams& p, int mode_x, int mode_w);

// Schedule: for each GEMM, for each block of `cols` output columns: write the block's weights
// (one scratchpad word per CVU per reduction block, addresses 0..KB-1) once every CVU has read
// its last operation of the previous block, then issue, for each row m, KB operations back to
// back (the last one closes the accumulation). Throws UserError when a GEMM's K needs more than
// wbuf_depth scratchpad words.
CvuArrayProgram lower_gemms(const CvuArrayParams& p, const std::vector<CvuGemm>& gemms);

// A BITS-wide two's-complement (or unsigned) element E written into a bus word.
void put_bus_element(golden::BusWord& word, int e, int bits, int64_t value);

}  // namespace accelgen::compiler
