// Stand-in compiled when libonnx-dev is absent: the rest of the IR works, ONNX files are refused.
#include "common/error.hpp"
#include "compiler/graph/onnx_import.hpp"

namespace accelgen::graph {

bool onnx_import_available() { return false; }

OnnxImport import_onnx_bytes(const std::string&, const std::string& name,
                             const OnnxImportOptions&) {
  throw UserError(name + ": this accelgen was built without ONNX support (install libonnx-dev)");
}

OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  return import_onnx_bytes("", path, options);
}

std::string export_onnx(const Graph& graph) {
  throw UserError(graph.name() +
                  ": this accelgen was built without ONNX support (install libonnx-dev)");
}

void save_onnx_file(const Graph& graph, const std::string&) { export_onnx(graph); }

Shape onnx_tensor_file_dims(const std::string& path) {
  throw UserError(path + ": this accelgen was built without ONNX support (install libonnx-dev)");
}

}  // namespace accelgen::graph
