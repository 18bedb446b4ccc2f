#include "compiler/cvu_array/gemm_lowering.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace accelgen::compiler {

void put_bus_element(golden::BusWord& word, int e, int bits, int64_t value) {
  const uint64_t v = static_cast<uint64_t>(value);
  for (int i = 0; i < bits; ++i) {
    const int bit = e * bits + i;
    const uint32_t mask = 1u << (bit % 32);
    if ((v >> i) & 1u) word[bit / 32] |= mask;
    else word[bit / 32] &= ~mask;
  }
}

int64_t cvu_array_k_per_op(const CvuArrayParams& p, int mode_x, int mode_w) {
  const int bx = p.cvu.width_of_level(mode_x), bw = p.cvu.width_of_level(mode_w);
  return static_cast<int64_t>(p.rows) * p.cvu.groups(bx, bw) * p.cvu.lanes;
}

CvuArrayProgram lower_gemms(const CvuArrayParams& p, const std::vector<CvuGemm>& gemms) {
  const int R = p.rows, C = p.cols;
  const size_t words = static_cast<size_t>((p.cvu.bus_bits() + 31) / 32);
  CvuArrayProgram prog;
  int64_t next_write = 0, next_op = 0, last_op = -1;
  for (size_t gi = 0; gi < gemms.size(); ++gi) {
    const CvuGemm& g = gemms[gi];
    const int bx = p.cvu.width_of_level(g.mode_x), bw = p.cvu.width_of_level(g.mode_w);
    const int64_t gl = static_cast<int64_t>(p.cvu.groups(bx, bw)) * p.cvu.lanes;  // elements per CVU op
    const int64_t kb_count = (g.K + R * gl - 1) / (R * gl);
    if (kb_count > p.wbuf_depth)
      throw UserError(fmt::format("K = {} needs {} scratchpad words per CVU in {}b x {}b mode; wbuf_depth is {}", g.K,
                                  kb_count, bx, bw, p.wbuf_depth));
    for (int64_t n0 = 0; n0 < g.N; n0 += C) {
      // Row r reads an operation issued at e in cycle e + 1 + r: write only after the last read.
      int64_t cycle = std::max(next_write, last_op + R + 1);
      for (int64_t kb = 0; kb < kb_count; ++kb)
        for (int r = 0; r < R; ++r)
          for (int c = 0; c < C; ++c) {
            golden::CvuArrayWrite wr{cycle++, r, c, static_cast<int>(kb), golden::BusWord(words, 0)};
            for (int64_t i = 0; i < gl; ++i) {
              const int64_t k = (kb * R + r) * gl + i, n = n0 + c;
              put_bus_element(wr.data, static_cast<int>(i), bw, k < g.K && n < g.N ? g.w[k * g.N + n] : 0);
            }
            prog.writes.push_back(std::move(wr));
          }
      next_write = cycle;
      cycle = std::max(next_op, cycle);  // operations start after the block's last write
      for (int64_t m = 0; m < g.M; ++m) {
        for (int64_t kb = 0; kb < kb_count; ++kb) {
          golden::CvuArrayOp op{cycle++, g.mode_x, g.mode_w, static_cast<int>(kb), kb + 1 == kb_count, {}};
          for (int r = 0; r < R; ++r) {
            golden::BusWord xw(words, 0);
            for (int64_t i = 0; i < gl; ++i) {
              const int64_t k = (kb * R + r) * gl + i;
              put_bus_element(xw, static_cast<int>(i), bx, k < g.K ? g.x[m * g.K + k] : 0);
            }
            op.x.push_back(std::move(xw));
          }
          prog.ops.push_back(std::move(op));
        }
        prog.outputs.push_back({gi, m, n0});
      }
      next_op = cycle;
      last_op = cycle - 1;
    }
  }
  return prog;
}

}  // namespace accelgen::compiler
