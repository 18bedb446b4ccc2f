// Reads the XRBench layer graphs (data/xrbench/*.json, schema in that folder's README) into
// the graph IR. Shapes are re-derived from the operators and checked against the file, and each
// layer's listed MACs and weight count must equal what the IR computes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

// True when the JSON object looks like an XRBench layer file (has "model" and "layers").
bool is_xrbench_json(const nlohmann::json& json);

// Throws UserError naming the layer on any inconsistency.
Graph graph_from_xrbench(const nlohmann::json& json);
Graph load_xrbench_file(const std::string& path);

}  // namespace accelgen::graph
