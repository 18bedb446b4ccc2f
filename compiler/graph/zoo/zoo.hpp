// The built-in model zoo: well-known networks written in code with the graph Builder (no
// downloads), each checked in tests/graph/zoo_test.cpp against its published MAC and parameter
// counts.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

struct ZooOptions {
  int64_t batch = 1;
  int64_t seq_len = 128;   // transformers and sequence models
  int64_t resolution = 0;  // square image side; 0 = the model's published resolution
};

struct ZooModel {
  std::string name;         // e.g. "resnet50"
  std::string description;  // one line, with the source the architecture follows
  std::function<Graph(const ZooOptions&)> build;
};

const std::vector<ZooModel>& zoo_models();
bool is_zoo_model(const std::string& name);
// Throws UserError for an unknown name (listing the known ones) or unusable options.
Graph build_zoo_model(const std::string& name, const ZooOptions& options = {});

}  // namespace accelgen::graph
