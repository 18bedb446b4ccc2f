#include "compiler/graph/onnx_import.hpp"

#include <google/protobuf/stubs/logging.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph {
namespace onnx_detail {

int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

std::string attr_string(const onnx::NodeProto& n, const char* name, const std::string& fallback) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return a.s();
  }
  return fallback;
}

std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return std::vector<int64_t>(a.ints().begin(), a.ints().end());
  }
  return std::nullopt;
}

std::optional<std::vector<double>> attr_floats(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return std::vector<double>(a.floats().begin(), a.floats().end());
  }
  return std::nullopt;
}

// A node carrying only a name, for error messages of shared helpers.
Node named(const std::string& name) {
  Node n;
  n.name = name;
  return n;
}

// Numpy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

}  // namespace onnx_detail

bool onnx_import_available() { return true; }

OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& name,
                             const OnnxImportOptions& options) {
  google::protobuf::SetLogHandler(nullptr);  // errors come back as one UserError line, not logs
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    throw UserError(
        fmt::format("{}: not a valid ONNX model (truncated or corrupt protobuf)", name));
  }
  if (!model.has_graph()) throw UserError(fmt::format("{}: ONNX model has no graph", name));
  try {
    return onnx_detail::Importer(model, std::filesystem::path(name).stem().string(), options).run();
  } catch (const UserError& e) {
    throw UserError(one_line(fmt::format("{}: {}", name, e.what())));  // names come from the file
  }
}

OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open file", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return import_onnx_bytes(bytes.str(), path, options);
}

Shape onnx_tensor_file_dims(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open file", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes.str())) throw UserError(fmt::format("{}: not a TensorProto", path));
  return Shape(t.dims().begin(), t.dims().end());
}

}  // namespace accelgen::graph
