// The nine XRBench layer graphs shipped in the repository (data/xrbench/, provenance in its
// README), compiled into the library so a model name works from any directory: `ritnet`,
// `fbnet_c`, ... (the file stems). The build embeds the files verbatim
// (compiler/CMakeLists.txt generates xrbench_data.cpp from data/xrbench/*.json).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

struct XrbenchModel {
  std::string name;       // file stem, e.g. "ritnet"
  std::string file;       // e.g. "ritnet.json" (data/xrbench/)
  std::string task;       // the file's "task", e.g. "eye segmentation (ES)"
  std::string title;      // the file's "model", e.g. "RITNet"
  std::string_view json;  // the file's bytes
};

// In file-name order.
const std::vector<XrbenchModel>& xrbench_models();
bool is_xrbench_model(const std::string& name);
// Throws UserError for an unknown name (listing the known ones).
Graph build_xrbench_model(const std::string& name);

}  // namespace accelgen::graph
