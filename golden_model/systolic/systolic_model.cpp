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
      for (int64_t k = 0; k < K; ++k) sum += static_cast<uint64_t>(x[m * K + k] * w[k * N + n]);
      y[m * N + n] = wrap_signed(sum, acc_bits);
    }
  return y;
}

SystolicStream::SystolicStream(const SystolicParams& p)
    : p_(p), sum_(static_cast<size_t>(p.cols)) {}

std::vector<SystolicOutput> SystolicStream::Push(const SystolicTile& tile) {
  const int64_t R = p_.rows, C = p_.cols;
  const int64_t latency = R + C + 1;                       // x handshake -> y_valid_o
  const int64_t bank_reuse = std::max<int64_t>(1, R - 1);  // x_last -> first reload of its bank
  const int bank = static_cast<int>(tiles_++ % 2);
  if (tile.w_arrival.size() != static_cast<size_t>(R) || tile.vectors.empty() ||
      tile.x_arrival.size() != tile.vectors.size() ||
      tile.weights.size() != static_cast<size_t>(R * C))
    throw std::invalid_argument("malformed systolic tile");
  // Weight beats: in order, one per cycle at most, not before the bank is free again.
  for (int64_t arrival : tile.w_arrival)
    last_w_ = std::max({arrival, last_w_ + 1, bank_free_[bank]});
  const int64_t loaded = last_w_ + 1;
  std::vector<SystolicOutput> outputs;
  outputs.reserve(tile.vectors.size());
  // Activation vectors: in order, once this tile's weights are complete.
  for (size_t m = 0; m < tile.vectors.size(); ++m) {
    last_x_ = std::max({tile.x_arrival[m], last_x_ + 1, loaded});
    SystolicOutput out;
    out.cycle = last_x_ + latency;
    // Row-major accumulation (contiguous weights); unsigned sums wrap like the hardware.
    std::fill(sum_.begin(), sum_.end(), 0);
    for (int64_t r = 0; r < R; ++r) {
      const int64_t x = tile.vectors[m][r];
      const int64_t* w = &tile.weights[r * C];
      for (int64_t c = 0; c < C; ++c) sum_[c] += static_cast<uint64_t>(x * w[c]);
    }
    out.y.resize(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) out.y[c] = wrap_signed(sum_[c], p_.acc_bits);
    outputs.push_back(std::move(out));
  }
  bank_free_[bank] = last_x_ + bank_reuse;
  return outputs;
}

SystolicPrediction predict_systolic(const SystolicParams& p,
                                    const std::vector<SystolicTile>& tiles) {
  SystolicStream stream(p);
  SystolicPrediction pred;
  size_t total = 0;
  for (const auto& tile : tiles) total += tile.vectors.size();
  pred.outputs.reserve(total);
  for (const auto& tile : tiles) {
    for (auto& out : stream.Push(tile)) pred.outputs.push_back(std::move(out));
  }
  pred.cycles = pred.outputs.empty() ? 0 : pred.outputs.back().cycle + 1;
  return pred;
}

}  // namespace accelgen::golden
