// Shared by the graph-loader fuzz targets: a graph that loads must write out as IR JSON that loads
// back to the same JSON (json_io.hpp's promise), whatever front end produced it.
#pragma once

#include <exception>

#include "compiler/graph/json_io.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace accelgen::fuzz {

inline void CheckGraphRoundTrip(const graph::Graph& g) {
  try {
    const nlohmann::json j = graph::to_json(g);
    const nlohmann::json again = graph::to_json(graph::graph_from_json(j));
    if (again != j) Fail("IR JSON round trip changed the graph", j.dump().substr(0, 2000));
  } catch (const std::exception& e) {
    Fail("a loaded graph does not round-trip through IR JSON", e.what());
  }
}

}  // namespace accelgen::fuzz
