// ONNX import (Debian's libonnx-dev): real .onnx files in, shapes inferred by the IR's own rules,
// batch norm, biases and activations folded into the producing layer, constant shape subgraphs
// (Shape -> Gather -> Concat -> Reshape and the like) evaluated. An operator outside the
// supported set is a UserError naming the operator and the node, never a silent drop.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

struct OnnxImport {
  Graph graph;
  // Every graph output in order: its name and inferred shape (outputs that fold to constants
  // included, so callers can compare with reference outputs).
  std::vector<std::pair<std::string, Shape>> outputs;
};

// False when this build has no ONNX support (libonnx-dev was missing at configure time); the
// loaders then throw a UserError saying so.
bool onnx_import_available();

struct OnnxImportOptions {
  // Values for graph inputs that decide shapes (a Reshape target, Resize scales, Slice bounds...):
  // input name -> serialized TensorProto file. Consulted only where a constant is required; real
  // models carry such values as initializers, the ONNX backend tests feed them as inputs.
  std::map<std::string, std::string> input_values;
};

OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& name,
                             const OnnxImportOptions& options = {});
OnnxImport import_onnx_file(const std::string& path, const OnnxImportOptions& options = {});

// IR -> ONNX (opset 17), for zoo models and other graphs of standard operators. Weights are
// written as external-data references that are not filled (the IR has no values): the file
// describes the network exactly, and this importer reads it back. Throws UserError for operators
// ONNX cannot express (zero-insert upsampling, opaque custom operators, ...).
std::string export_onnx(const Graph& graph);
void save_onnx_file(const Graph& graph, const std::string& path);

// The dimensions stored in a serialized onnx TensorProto file (e.g. a test's output_0.pb).
Shape onnx_tensor_file_dims(const std::string& path);

}  // namespace accelgen::graph
