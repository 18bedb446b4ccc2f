// Golden model of the `systolic` block, written from the specification in golden_model/README.md
// (never from the generator): exact outputs and the cycle at which each leaves the array.
#pragma once

#include <cstdint>
#include <vector>

#include "common/systolic_params.hpp"
#include "golden_model/arith.hpp"

namespace accelgen::golden {

// One tile as the array sees it: a rows x cols weight block and M activation vectors of length
// rows, with the earliest cycle the driver offers each beat (0 = from the start).
struct SystolicTile {
  std::vector<int64_t> weights;               // rows*cols, w[r][c] at r*cols + c
  std::vector<std::vector<int64_t>> vectors;  // M vectors of rows elements
  std::vector<int64_t> w_arrival;             // rows entries, in beat order (beat j = row rows-1-j)
  std::vector<int64_t> x_arrival;             // M entries
};

struct SystolicOutput {
  int64_t cycle = 0;       // cycle in which y_valid_o is high with this vector
  std::vector<int64_t> y;  // cols signed values
};

struct SystolicPrediction {
  std::vector<SystolicOutput> outputs;  // in order, one per activation vector
  int64_t cycles = 0;                   // last output cycle + 1
};

// The same prediction one tile at a time, for drivers whose later arrivals depend on earlier
// outputs (the `npu` model: a tile waits for its Output BUF half).
class SystolicStream {
 public:
  explicit SystolicStream(const SystolicParams& p);
  // Outputs of the next tile in stream order (bank = tiles pushed so far mod 2).
  std::vector<SystolicOutput> Push(const SystolicTile& tile);

 private:
  SystolicParams p_;
  int64_t bank_free_[2] = {0, 0};
  int64_t last_w_ = -1, last_x_ = -1;
  int64_t tiles_ = 0;
  std::vector<uint64_t> sum_;
};

// Cycle-exact prediction for a stream of tiles executed back to back.
SystolicPrediction predict_systolic(const SystolicParams& p,
                                    const std::vector<SystolicTile>& tiles);

// Y = X * W with X M-by-K and W K-by-N (row-major), each sum wrapped to acc_bits two's complement.
std::vector<int64_t> gemm_reference(int64_t M, int64_t K, int64_t N, const std::vector<int64_t>& x,
                                    const std::vector<int64_t>& w, int acc_bits);

}  // namespace accelgen::golden
