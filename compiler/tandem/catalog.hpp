// Every operator template compiled on one representative shape with seeded, legal inputs: what
// `accelgen flow tandem-ops` measures and what the RTL co-simulation of compiled operators runs.
// Two sizes: kSmall keeps a co-simulation short (a few hundred elements, still several tiles on
// a shallow target); kBench fills one whole 32-lane, 512-row tile where the operator allows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/tandem/ops.hpp"

namespace accelgen::compiler::tandem {

enum class CatalogSize { kSmall, kBench };

struct OperatorCase {
  std::string op;     // ONNX operator name, e.g. "Softmax"
  std::string shape;  // the input shape and attributes, for tables
  CompiledOp compiled;
  std::vector<std::vector<int32_t>> inputs;  // one per compiled.inputs region
};

// All operators (ReLU ... Transpose) for `target`; inputs drawn from `seed` (corners first).
std::vector<OperatorCase> OperatorCatalog(const TandemTarget& target, CatalogSize size,
                                          uint32_t seed);

// The operator names in catalog order.
std::vector<std::string> CatalogOperators();

}  // namespace accelgen::compiler::tandem
