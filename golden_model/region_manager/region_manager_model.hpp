// Golden model of the `region_manager` block, from the specification in golden_model/README.md
// ("region_manager"): Cocco's buffer region manager with ring placement, wrap at the buffer end and
// error responses to illegal commands; cycle-exact (one command per cycle, answered the next
// cycle).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/region_manager_params.hpp"

namespace accelgen::golden {

struct RegionCommand {
  RegionOp op = RegionOp::kAlloc;
  int64_t id = 0;       // may be >= regions (an error), must fit the id field
  int64_t arg = 0;      // ALLOC: length in words; TRANSLATE: offset; must fit A+1 bits
  int64_t arrival = 0;  // earliest cycle the driver may issue it
};

struct RegionResponse {
  int64_t cycle = 0;  // rsp_valid_o cycle (issue + 1)
  bool error = false;
  int64_t addr = 0;  // 0 on error
  int64_t used = 0;  // used_o and live_o in the response cycle (state after the command)
  int64_t live = 0;
};

// The state machine alone, one command at a time (no timing).
class RegionManagerModel {
 public:
  explicit RegionManagerModel(const RegionManagerParams& p);
  // Applies one command; returns (error, address).
  std::pair<bool, int64_t> apply(RegionOp op, int64_t id, int64_t arg);
  int64_t used() const { return used_; }
  int64_t live() const { return live_; }
  int64_t top() const { return top_; }
  bool valid(int64_t id) const { return id >= 0 && id < n_ && valid_[id]; }
  int64_t start(int64_t id) const { return start_.at(id); }
  int64_t length(int64_t id) const;  // of a valid region

 private:
  int64_t n_, c_;
  std::vector<bool> valid_;
  std::vector<int64_t> start_, end_;
  int64_t top_ = 0, used_ = 0, live_ = 0;
};

// Responses of a command stream, with the cycles of the RTL's timing.
std::vector<RegionResponse> predict_region_manager(const RegionManagerParams& p,
                                                   const std::vector<RegionCommand>& commands);

}  // namespace accelgen::golden
