// Output-shape inference and expected weight shapes, one rule per operator. The rules are the
// only place that knows how each operator maps input shapes to its output.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

// Sizes beyond these are rejected as absurd (no real workload comes near them).
inline constexpr int64_t kMaxDim = int64_t{1} << 32;
inline constexpr int64_t kMaxVolume = int64_t{1} << 50;

// Product of two non-negative counts; throws UserError naming `what` on int64 overflow.
int64_t checked_mul(int64_t a, int64_t b, const char* what);
// Sum of two non-negative counts; throws UserError naming `what` on int64 overflow.
int64_t checked_add(int64_t a, int64_t b, const char* what);
// Element count of a shape (1 for a scalar), checked against kMaxVolume.
int64_t volume(const Shape& shape);

// Output shape of `node` given its input shapes. Throws UserError naming the node on rank,
// channel or size mismatches.
Shape infer_shape(const Node& node, const std::vector<Shape>& inputs);

// Shape of the main weight tensor ("weight") for weight-bearing operators, nullopt otherwise.
std::optional<Shape> expected_weight_shape(const Node& node, const std::vector<Shape>& inputs);

// Normalizes a possibly negative axis against `rank`; throws UserError naming the node if out of
// range.
int64_t normalize_axis(const Node& node, int64_t axis, size_t rank);

}  // namespace accelgen::graph
