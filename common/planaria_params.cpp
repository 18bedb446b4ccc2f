#include "common/planaria_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>

#include "common/error.hpp"

namespace accelgen {

PlanariaParams PlanariaParams::from(const ParamSet& set) {
  PlanariaParams p;
  p.sub_rows = static_cast<int>(set.integer("sub_rows"));
  p.sub_cols = static_cast<int>(set.integer("sub_cols"));
  p.subarrays = static_cast<int>(set.integer("subarrays"));
  p.pods = static_cast<int>(set.integer("pods"));
  p.in_bits = static_cast<int>(set.integer("in_bits"));
  p.acc_bits = static_cast<int>(set.integer("acc_bits"));
  return p;
}

PlanariaStimulus PlanariaStimulus::from(const ParamSet& set) {
  PlanariaStimulus s;
  s.fission = set.choice("fission");
  s.m = set.integer("m");
  s.operands = set.choice("operands");
  return s;
}

namespace {

int parse_positive(const std::string& text, const std::string& whole) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < 1)
    throw UserError(fmt::format(
        "fission '{}' is not RxCxk (positive integers, e.g. 64x128x2), all or mixed", whole));
  return v;
}

}  // namespace

FissionShape parse_fission(const std::string& text, const PlanariaParams& p) {
  const auto x1 = text.find('x');
  const auto x2 = x1 == std::string::npos ? x1 : text.find('x', x1 + 1);
  if (x2 == std::string::npos || text.find('x', x2 + 1) != std::string::npos)
    throw UserError(fmt::format(
        "fission '{}' is not RxCxk (positive integers, e.g. 64x128x2), all or mixed", text));
  const int rows = parse_positive(text.substr(0, x1), text);
  const int cols = parse_positive(text.substr(x1 + 1, x2 - x1 - 1), text);
  const int k = parse_positive(text.substr(x2 + 1), text);
  if (rows % p.sub_rows || cols % p.sub_cols)
    throw UserError(fmt::format(
        "unknown fission configuration '{}': {} x {} is not a multiple of the {} x {} subarray",
        text, rows, cols, p.sub_rows, p.sub_cols));
  FissionShape s{rows / p.sub_rows, cols / p.sub_cols, k};
  if (int64_t{s.i} * s.j * s.k > p.subarrays)
    throw UserError(fmt::format(
        "fission '{}' needs {} x {} x {} = {} subarrays: allocation beyond the array of {}", text,
        s.i, s.j, s.k, int64_t{s.i} * s.j * s.k, p.subarrays));
  return s;
}

std::string fission_name(const FissionShape& s, const PlanariaParams& p) {
  return fmt::format("{}x{}x{}", s.i * p.sub_rows, s.j * p.sub_cols, s.k);
}

std::vector<FissionShape> homogeneous_shapes(int subarrays) {
  std::vector<FissionShape> out;
  for (int k = subarrays; k >= 1; k /= 2) {
    if (subarrays % k) continue;
    const int n = subarrays / k;
    for (int i = n; i >= 1; i /= 2) out.push_back({i, n / i, k});
  }
  // Ordered by k descending (16 x (1,1) first for S = 16) then i descending; re-sort to k, i.
  std::sort(out.begin(), out.end(), [](const FissionShape& a, const FissionShape& b) {
    return a.k != b.k ? a.k < b.k : a.i < b.i;
  });
  return out;
}

BlockInfo planaria_block_info() {
  using R = ParamRole;
  BlockInfo b;
  b.name = "planaria";
  b.description =
      "Planaria: omni-directional systolic subarrays chained by activation and partial-sum ring "
      "buses, "
      "fission pods with 4x4 crossbars, double-buffered per-subarray configuration (dynamic "
      "fission)";
  b.schema.integer("sub_rows", 32, 1, 64, "PE rows of one subarray (reduction elements)")
      .integer("sub_cols", 32, 1, 64, "PE columns of one subarray (output elements)")
      .integer("subarrays", 16, 2, 64, "subarrays in ring order (a power of two)")
      .integer("pods", 4, 1, 32, "fission pods (a power of two; subarrays/pods >= 2 per pod)")
      .integer("in_bits", 8, 2, 16, "signed activation and weight width in bits")
      .integer("acc_bits", 32, 4, 64,
               "signed accumulator width in bits (>= 2*in_bits); sums wrap modulo 2^acc_bits")
      .open_choice(
          "fission", {"all", "mixed"},
          "verify: all (every homogeneous configuration in turn), mixed (co-located tenants, "
          "reconfiguration), or one configuration RxCxk in PEs (e.g. 64x128x2)",
          R::kStimulus)
      .integer("m", 0, 0, 4096, "verify: activation vectors per GEMM; 0 = random", R::kStimulus)
      .choice("operands", {"mixed", "random", "min", "max", "alternating", "extremes"},
              "verify: operand pattern; mixed cycles through the others per GEMM", R::kStimulus);
  b.check = [](const ParamSet& set) {
    const PlanariaParams p = PlanariaParams::from(set);
    if (p.acc_bits < 2 * p.in_bits)
      throw UserError(fmt::format(
          "acc_bits = {} must be at least 2*in_bits = {} (a product must fit the accumulator)",
          p.acc_bits, 2 * p.in_bits));
    if (!std::has_single_bit(static_cast<unsigned>(p.subarrays)))
      throw UserError(fmt::format("subarrays = {} must be a power of two", p.subarrays));
    if (!std::has_single_bit(static_cast<unsigned>(p.pods)) || p.pods > p.subarrays / 2)
      throw UserError(fmt::format(
          "pods = {} must be a power of two with at least 2 subarrays per pod (subarrays = {})",
          p.pods, p.subarrays));
    const std::string& f = set.choice("fission");
    if (f != "all" && f != "mixed") parse_fission(f, p);
  };
  return b;
}

}  // namespace accelgen
