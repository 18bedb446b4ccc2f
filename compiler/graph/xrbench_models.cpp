#include "compiler/graph/xrbench_models.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "common/error.hpp"
#include "compiler/graph/xrbench_import.hpp"

namespace accelgen::graph {

// Defined in the generated xrbench_data.cpp: {file name, bytes} of every data/xrbench/*.json.
extern const std::vector<std::pair<std::string_view, std::string_view>>& xrbench_embedded_files();

const std::vector<XrbenchModel>& xrbench_models() {
  static const std::vector<XrbenchModel> models = [] {
    std::vector<XrbenchModel> out;
    for (const auto& [file, text] : xrbench_embedded_files()) {
      const nlohmann::json j = nlohmann::json::parse(text);
      XrbenchModel m;
      m.file = std::string(file);
      m.name = m.file.substr(0, m.file.size() - 5);  // drop ".json"
      m.task = j.value("task", "");
      m.title = j.value("model", "");
      m.json = text;
      out.push_back(std::move(m));
    }
    return out;
  }();
  return models;
}

bool is_xrbench_model(const std::string& name) {
  for (const XrbenchModel& m : xrbench_models())
    if (m.name == name) return true;
  return false;
}

Graph build_xrbench_model(const std::string& name) {
  std::vector<std::string> names;
  for (const XrbenchModel& m : xrbench_models()) {
    if (m.name == name) return graph_from_xrbench(nlohmann::json::parse(m.json));
    names.push_back(m.name);
  }
  throw UserError(
      fmt::format("unknown XRBench model '{}' (known: {})", name, fmt::join(names, ", ")));
}

}  // namespace accelgen::graph
