// One way to name a workload everywhere (CLI, flows): a zoo or XRBench model name, a graph JSON
// file, an XRBench layer file or an ONNX model.
#pragma once

#include <string>

#include "compiler/graph/graph.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen::graph {

// Zoo names win, then the shipped XRBench models (xrbench_models.hpp); otherwise `spec` must be
// an existing .onnx file or .json file (the IR form or an XRBench file, told apart by their keys).
// Options apply to zoo models only. Throws UserError otherwise.
Graph load_model(const std::string& spec, const ZooOptions& options = {});

}  // namespace accelgen::graph
