#include "golden_model/region_manager/region_manager_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace accelgen::golden {

RegionManagerModel::RegionManagerModel(const RegionManagerParams& p)
    : n_(p.regions),
      c_(p.capacity()),
      valid_(p.regions, false),
      start_(p.regions, 0),
      end_(p.regions, 0) {}

int64_t RegionManagerModel::length(int64_t id) const {
  return ((end_[id] - start_[id]) % c_ + c_) % c_ + 1;
}

std::pair<bool, int64_t> RegionManagerModel::apply(RegionOp op, int64_t id, int64_t arg) {
  const std::pair<bool, int64_t> error{true, 0};
  switch (op) {
    case RegionOp::kAlloc: {
      if (id >= n_ || valid_[id] || arg == 0 || used_ + arg > c_) return error;
      start_[id] = top_;
      end_[id] = (top_ + arg - 1) % c_;
      valid_[id] = true;
      top_ = (top_ + arg) % c_;
      used_ += arg;
      ++live_;
      return {false, start_[id]};
    }
    case RegionOp::kFree: {
      if (id >= n_ || !valid_[id]) return error;
      valid_[id] = false;
      if (--live_ == 0) used_ = 0;
      return {false, start_[id]};
    }
    case RegionOp::kTranslate: {
      if (id >= n_ || !valid_[id] || arg > length(id) - 1) return error;
      return {false, (start_[id] + arg) % c_};
    }
    case RegionOp::kReserved:
      return error;
  }
  return error;
}

std::vector<RegionResponse> predict_region_manager(const RegionManagerParams& p,
                                                   const std::vector<RegionCommand>& commands) {
  RegionManagerModel m(p);
  std::vector<RegionResponse> out;
  out.reserve(commands.size());
  int64_t issue = -1;
  for (const RegionCommand& c : commands) {
    if (c.id < 0 || c.id >= (int64_t{1} << p.id_bits()) || c.arg < 0 ||
        c.arg >= (int64_t{2} << p.addr_bits))
      throw std::invalid_argument("a region_manager command field does not fit its port");
    issue = std::max(c.arrival, issue + 1);
    const auto [error, addr] = m.apply(c.op, c.id, c.arg);
    out.push_back({issue + 1, error, addr, m.used(), m.live()});
  }
  return out;
}

}  // namespace accelgen::golden
