#include "golden_model/cvu_array/cvu_array_model.hpp"

#include <map>
#include <tuple>

#include "golden_model/arith.hpp"
#include "golden_model/cvu/cvu_model.hpp"

namespace accelgen::golden {

int64_t bus_element(const BusWord& word, int e, int bits, bool is_signed) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) {
    const int bit = e * bits + i;
    v |= static_cast<uint64_t>((word[bit / 32] >> (bit % 32)) & 1u) << i;
  }
  return is_signed ? wrap_signed(v, bits) : static_cast<int64_t>(v);
}

std::vector<CvuArrayOutput> predict_cvu_array(const CvuArrayParams& p, const std::vector<CvuArrayWrite>& writes,
                                              const std::vector<CvuArrayOp>& ops) {
  // Every write to each scratchpad word, in cycle order; a read in cycle T sees writes before T.
  std::map<std::tuple<int, int, int>, std::vector<const CvuArrayWrite*>> history;
  for (const auto& w : writes) history[{w.row, w.col, w.addr}].push_back(&w);
  const BusWord zeros(static_cast<size_t>((p.cvu.bus_bits() + 31) / 32), 0);
  auto weight_at = [&](int r, int c, int addr, int64_t read_cycle) -> const BusWord& {
    const BusWord* value = &zeros;
    auto it = history.find({r, c, addr});
    if (it != history.end())
      for (const CvuArrayWrite* w : it->second)
        if (w->cycle < read_cycle) value = &w->data;
    return *value;
  };

  std::vector<CvuArrayOutput> outs;
  std::vector<uint64_t> acc(static_cast<size_t>(p.cols), 0);
  bool fresh = true;
  for (const CvuArrayOp& op : ops) {
    const bool legal = cvu_mode_legal(p.cvu, op.mode_x, op.mode_w);
    for (int c = 0; c < p.cols; ++c) {
      int64_t column = 0;
      for (int r = 0; r < p.rows && legal; ++r) {
        const BusWord& w = weight_at(r, c, op.addr, op.cycle + 1 + r);  // row r reads 1 + r cycles later
        const int bx = p.cvu.width_of_level(op.mode_x), bw = p.cvu.width_of_level(op.mode_w);
        CvuOp cvu_op{op.mode_x, op.mode_w, {}, {}, 0};
        for (int e = 0; e < p.cvu.groups(bx, bw) * p.cvu.lanes; ++e) {
          cvu_op.x.push_back(bus_element(op.x[r], e, bx, p.cvu.is_signed));
          cvu_op.w.push_back(bus_element(w, e, bw, p.cvu.is_signed));
        }
        column += cvu_compute(p.cvu, cvu_op).result;
      }
      acc[c] = (fresh ? 0 : acc[c]) + static_cast<uint64_t>(column);
    }
    fresh = op.last;
    if (op.last) {
      CvuArrayOutput o{op.cycle + p.latency(), {}};
      for (uint64_t a : acc) o.y.push_back(wrap_signed(a, p.acc_bits));
      outs.push_back(std::move(o));
    }
  }
  return outs;
}

}  // namespace accelgen::golden
