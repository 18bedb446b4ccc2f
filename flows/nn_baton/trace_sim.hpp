// The trace simulator that checks C3P: it executes a mapping's loop nest step by step on every
// chiplet and core in lockstep, keeps each buffer as a recency list of whole-tile items (as many as
// whole slots fit, model.hpp), and counts every fill, every PE-side read and the cycles. Input
// windows are found by enumerating the input rows and columns each output row and column touches,
// not by the closed forms C3P uses. For small layers only (cost grows with the iteration count).
#pragma once

#include <cstdint>

#include "flows/nn_baton/model.hpp"

namespace accelgen::flows::nn_baton {

struct TraceCounts {
  int64_t wl1_fill = 0, al1_fill = 0, al2_read = 0, al2_fill = 0;
  int64_t wl1_read = 0, al1_read = 0, rmw = 0;
  int64_t cycles = 0;
  int64_t steps = 0;  // core-workload steps executed (all cores)
};

// UserError when the mapping violates a hardware constraint (as analyse reports) or the walk would
// exceed `max_steps` core-workload steps.
TraceCounts trace_simulate(const Layer& layer, const Hardware& hw, const Mapping& m,
                           int64_t max_steps = 1 << 22);

}  // namespace accelgen::flows::nn_baton
