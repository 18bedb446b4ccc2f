#include "compiler/graph/model_source.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/onnx_import.hpp"
#include "compiler/graph/xrbench_import.hpp"
#include "compiler/graph/xrbench_models.hpp"

namespace accelgen::graph {

Graph load_model(const std::string& spec, const ZooOptions& options) {
  if (is_zoo_model(spec)) return build_zoo_model(spec, options);
  if (is_xrbench_model(spec)) return build_xrbench_model(spec);
  const std::filesystem::path path(spec);
  if (path.extension() == ".onnx") return import_onnx_file(spec).graph;
  if (path.extension() != ".json") {
    throw UserError(fmt::format(
        "'{}' is neither a built-in model (see `accelgen model list`) nor a .json or .onnx file", spec));
  }
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("{}: cannot open file", spec));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError(fmt::format("{}: not valid JSON (byte {})", spec, e.byte));
  }
  try {
    Graph graph = is_xrbench_json(j) ? graph_from_xrbench(j) : graph_from_json(j);
    return graph;
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", spec, e.what()));
  }
}

}  // namespace accelgen::graph
