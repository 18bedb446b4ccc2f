// Constant folding of the shape arithmetic exporters emit (Shape, Gather, Concat, Slice, ...).
#include <algorithm>
#include <limits>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph::onnx_detail {

// Evaluates a node whose inputs are all constants (shape arithmetic); false if it cannot.
bool Importer::fold_constant(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "Constant") {
    Constant c;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value") {
        c = decode_tensor(a.t(), n.output(0));
      } else if (a.name() == "value_int") {
        c = {{}, DType::kI64, true, {a.i()}, {}};
      } else if (a.name() == "value_ints") {
        c = {{a.ints_size()}, DType::kI64, true, {a.ints().begin(), a.ints().end()}, {}};
      } else if (a.name() == "value_float") {
        c = {{}, DType::kF32, true, {}, {a.f()}};
      } else if (a.name() == "value_floats") {
        c = {{a.floats_size()}, DType::kF32, true, {}, {a.floats().begin(), a.floats().end()}};
      } else {
        fail(fmt::format("constant attribute '{}' is not supported", a.name()));
      }
    }
    set_const(n.output(0), std::move(c));
    return true;
  }
  if (op == "Shape" && n.input_size() == 1 && !is_const(input_of(n, 0))) {
    Shape s = shape_of(input_of(n, 0));
    const int64_t r = static_cast<int64_t>(s.size());
    int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", r);
    start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
    end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
    Constant c{{std::max<int64_t>(end - start, 0)}, DType::kI64, true, {}, {}};
    for (int64_t i = start; i < end; ++i) c.ints.push_back(s[i]);
    set_const(n.output(0), std::move(c));
    return true;
  }
  for (const std::string& in : n.input()) {
    if (!in.empty() && !is_const(in)) return false;
  }
  if (n.input_size() == 0) return false;
  const Constant& a = constant(input_of(n, 0));
  Constant out = a;
  if (op == "Identity" || op == "Cast" || op == "QuantizeLinear" || op == "DequantizeLinear" ||
      op == "Dropout") {
    if (op == "Cast") out.dtype = dtype_from_onnx(static_cast<int>(attr_int(n, "to", 1)), where());
    if (op == "DequantizeLinear") out.dtype = DType::kF32;
    if (op == "QuantizeLinear")
      out.dtype = has_input(n, 2) ? constant(input_of(n, 2)).dtype : DType::kU8;
  } else if (op == "Range" && a.integer()) {
    const std::vector<int64_t> limit = const_ints(input_of(n, 1)),
                               delta = const_ints(input_of(n, 2));
    if (a.ints.size() != 1 || limit.size() != 1 || delta.size() != 1 || delta[0] == 0) {
      fail("Range needs scalar start, limit and a non-zero delta");
    }
    out.ints.clear();
    for (int64_t v = a.ints[0]; delta[0] > 0 ? v < limit[0] : v > limit[0]; v += delta[0]) {
      if (out.ints.size() >= (1u << 16)) fail("Range is too long to evaluate");
      out.ints.push_back(v);
    }
    out.dims = {static_cast<int64_t>(out.ints.size())};
  } else if (op == "ConstantOfShape") {
    out = {const_ints(input_of(n, 0)), DType::kF32, false, {}, {}};
  } else if (op == "Slice" && a.integer() && a.dims.size() == 1 && opset_ >= 10) {
    const std::vector<int64_t> starts = const_ints(input_of(n, 1)),
                               ends = const_ints(input_of(n, 2));
    const std::vector<int64_t> steps =
        has_input(n, 4) ? const_ints(input_of(n, 4)) : std::vector<int64_t>{1};
    if (starts.size() != 1 || ends.size() != 1 || steps.size() != 1 || steps[0] == 0) return false;
    const int64_t size = static_cast<int64_t>(a.ints.size());
    int64_t start = starts[0] < 0 ? starts[0] + size : starts[0];
    int64_t end = ends[0] < 0 ? ends[0] + size : ends[0];
    out.ints.clear();
    if (steps[0] > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      for (int64_t i = start; i < end; i += steps[0]) out.ints.push_back(a.ints[i]);
    } else {
      start = std::clamp<int64_t>(start, 0, size - 1);
      end = std::clamp<int64_t>(end, -1, size - 1);
      for (int64_t i = start; i > end; i += steps[0]) out.ints.push_back(a.ints[i]);
    }
    out.dims = {static_cast<int64_t>(out.ints.size())};
  } else if (op == "Shape") {
    out = {{static_cast<int64_t>(a.dims.size())},
           DType::kI64,
           true,
           {a.dims.begin(), a.dims.end()},
           {}};
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Flatten") {
    return false;  // handled below as shape-only folds
  } else if (op == "Concat" && a.integer()) {
    out.ints.clear();
    for (const std::string& in : n.input()) {
      const Constant& c = constant(in);
      if (!c.integer() || c.dims.size() != 1) return false;
      out.ints.insert(out.ints.end(), c.ints.begin(), c.ints.end());
    }
    out.dims = {static_cast<int64_t>(out.ints.size())};
  } else if (op == "Gather" && a.integer() && a.dims.size() == 1 && attr_int(n, "axis", 0) == 0) {
    const Constant& idx = constant(input_of(n, 1));
    if (!idx.integer()) return false;
    out.ints.clear();
    for (int64_t i : idx.ints) {
      const int64_t size = static_cast<int64_t>(a.ints.size());
      if (i < -size || i >= size) fail("gather index out of range");
      out.ints.push_back(a.ints[i < 0 ? i + size : i]);
    }
    out.dims = idx.dims;
  } else if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") && a.integer() &&
             constant(input_of(n, 1)).integer()) {
    const Constant& b = constant(input_of(n, 1));
    const auto dims = broadcast(a.dims, b.dims);
    if (!dims || (a.ints.size() != 1 && b.ints.size() != 1 && a.ints.size() != b.ints.size())) {
      return false;
    }
    out.dims = *dims;
    out.ints.clear();
    const size_t count = std::max(a.ints.size(), b.ints.size());
    for (size_t i = 0; i < count; ++i) {
      const int64_t x = a.ints[a.ints.size() == 1 ? 0 : i];
      const int64_t y = b.ints[b.ints.size() == 1 ? 0 : i];
      if (op == "Div" && y == 0) fail("division by zero in a constant expression");
      out.ints.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    }
  } else {
    return false;
  }
  set_const(n.output(0), std::move(out));
  return true;
}

}  // namespace accelgen::graph::onnx_detail
