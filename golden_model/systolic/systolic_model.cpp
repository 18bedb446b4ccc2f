#include "golden_model/systolic/systolic_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace accelgen::golden {

std::vector<int64_t> gemm_reference(int64_t M, int64_t K, int64_t N, const std::vector<int64_t>& x,
                                    const std::vector<int64_t>& w, int acc_bits) {
  std::vector<int64_t> y(static_cast<size_t>(M * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      uint64_t sum = 0;  // unsigned: wrap-around is defined, and equals two's-complement wrap
      for (int64_t k = 0; k < K; ++k)
        sum += static_cast<uint64_t>(x[m * K + k] * w[k * N + n]);
      y[m * N + n] = wrap_signed(sum, acc_bits);
    }
  return y;
}

SystolicPrediction predict_systolic(const SystolicParams& p, const std::vector<SystolicTile>& tiles) {
  const int64_t R = p.rows, C = p.cols;
  const int64_t latency = R + C + 1;            // x handshake -> y_valid_o
  const int64_t bank_reuse = std::max<int64_t>(1, R - 1);  // x_last -> first reload of its bank
  int64_t bank_free[2] = {0, 0};
  int64_t last_w = -1, last_x = -1;
  SystolicPrediction pred;
  size_t total = 0;
  for (const auto& tile : tiles) total += tile.vectors.size();
  pred.outputs.reserve(total);
  std::vector<uint64_t> sum(static_cast<size_t>(C));
  for (size_t t = 0; t < tiles.size(); ++t) {
    const SystolicTile& tile = tiles[t];
    const int bank = static_cast<int>(t % 2);
    if (tile.w_arrival.size() != static_cast<size_t>(R) || tile.vectors.empty() ||
        tile.x_arrival.size() != tile.vectors.size() || tile.weights.size() != static_cast<size_t>(R * C))
      throw std::invalid_argument("malformed systolic tile");
    // Weight beats: in order, one per cycle at most, not before the bank is free again.
    for (int64_t arrival : tile.w_arrival) last_w = std::max({arrival, last_w + 1, bank_free[bank]});
    const int64_t loaded = last_w + 1;
    // Activation vectors: in order, once this tile's weights are complete.
    for (size_t m = 0; m < tile.vectors.size(); ++m) {
      last_x = std::max({tile.x_arrival[m], last_x + 1, loaded});
      SystolicOutput out;
      out.cycle = last_x + latency;
      // Row-major accumulation (contiguous weights); unsigned sums wrap like the hardware.
      std::fill(sum.begin(), sum.end(), 0);
      for (int64_t r = 0; r < R; ++r) {
        const int64_t x = tile.vectors[m][r];
        const int64_t* w = &tile.weights[r * C];
        for (int64_t c = 0; c < C; ++c) sum[c] += static_cast<uint64_t>(x * w[c]);
      }
      out.y.resize(static_cast<size_t>(C));
      for (int64_t c = 0; c < C; ++c) out.y[c] = wrap_signed(sum[c], p.acc_bits);
      pred.outputs.push_back(std::move(out));
    }
    bank_free[bank] = last_x + bank_reuse;
  }
  pred.cycles = pred.outputs.empty() ? 0 : pred.outputs.back().cycle + 1;
  return pred;
}

}  // namespace accelgen::golden
