#include "compiler/graph/onnx_tensor.hpp"

#include <fmt/format.h>

#include <cstring>

#include "common/error.hpp"
#include "compiler/graph/shape_inference.hpp"

namespace accelgen::graph::onnx_detail {
namespace {

constexpr int64_t kMaxFoldedElements = 1 << 16;  // larger constants keep only their dims

template <typename T>
std::vector<T> from_raw(const std::string& raw, int64_t count, const std::string& where) {
  if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(T))) {
    throw UserError(fmt::format("{}: tensor payload has {} bytes, dims need {}", where, raw.size(),
                                count * static_cast<int64_t>(sizeof(T))));
  }
  std::vector<T> out(count);
  if (count > 0) std::memcpy(out.data(), raw.data(), raw.size());  // empty: data() may be null
  return out;
}

}  // namespace

DType dtype_from_onnx(int elem_type, const std::string& where) {
  using T = onnx::TensorProto;
  switch (elem_type) {
    case T::FLOAT:
      return DType::kF32;
    case T::DOUBLE:
      return DType::kF64;
    case T::FLOAT16:
      return DType::kF16;
    case T::BFLOAT16:
      return DType::kBF16;
    case T::INT64:
    case T::UINT64:
      return DType::kI64;
    case T::INT32:
    case T::UINT32:
      return DType::kI32;
    case T::INT16:
    case T::UINT16:
      return DType::kI16;
    case T::INT8:
      return DType::kI8;
    case T::UINT8:
      return DType::kU8;
    case T::BOOL:
      return DType::kBool;
    default:
      throw UserError(fmt::format("{}: unsupported tensor element type {}", where, elem_type));
  }
}

Constant decode_tensor(const onnx::TensorProto& t, const std::string& where) {
  Constant c;
  c.dtype = dtype_from_onnx(t.data_type(), where);
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxDim) throw UserError(fmt::format("{}: bad tensor dimension {}", where, d));
    c.dims.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return c;  // dims are all we need
  int64_t count = 1;
  for (int64_t d : c.dims) count = checked_mul(count, d, "tensor size");
  if (count > kMaxFoldedElements) return c;
  using T = onnx::TensorProto;
  const std::string& raw = t.raw_data();
  const bool has_raw = t.has_raw_data();
  switch (t.data_type()) {
    case T::INT64:
      c.ints = has_raw ? from_raw<int64_t>(raw, count, where)
                       : std::vector<int64_t>(t.int64_data().begin(), t.int64_data().end());
      break;
    case T::INT32:
      if (has_raw) {
        for (int32_t v : from_raw<int32_t>(raw, count, where)) c.ints.push_back(v);
      } else {
        c.ints.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    case T::FLOAT:
      if (has_raw) {
        for (float v : from_raw<float>(raw, count, where)) c.reals.push_back(v);
      } else {
        c.reals.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case T::DOUBLE:
      c.reals = has_raw ? from_raw<double>(raw, count, where)
                        : std::vector<double>(t.double_data().begin(), t.double_data().end());
      break;
    default:
      return c;  // other element types: dims only
  }
  const size_t got = c.ints.size() + c.reals.size();
  if (static_cast<int64_t>(got) != count) {
    throw UserError(fmt::format("{}: tensor holds {} values, dims need {}", where, got, count));
  }
  c.has_values = true;
  return c;
}

}  // namespace accelgen::graph::onnx_detail
