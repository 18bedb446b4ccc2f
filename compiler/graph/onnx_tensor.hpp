// Decoding of ONNX TensorProto values, for the importer's constant folding (internal header).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph::onnx_detail {

// A tensor whose value is known at import time. Only its dims are needed for weights; integer
// values (shape arithmetic) and real values (resize scales) are kept for small tensors.
struct Constant {
  Shape dims;  // may be empty: a scalar
  DType dtype = DType::kF32;
  bool has_values = false;
  std::vector<int64_t> ints;  // integer element types
  std::vector<double> reals;  // floating-point element types
  bool integer() const { return has_values && reals.empty(); }
};

// Throws UserError (naming `where`) for string/complex tensors, external data or bad payloads.
DType dtype_from_onnx(int elem_type, const std::string& where);
Constant decode_tensor(const onnx::TensorProto& tensor, const std::string& where);

}  // namespace accelgen::graph::onnx_detail
