// ONNX data movement: slicing, splitting, reshaping, expanding, tiling, depth/space shuffles.
#include <algorithm>
#include <limits>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph::onnx_detail {

void Importer::slice(const onnx::NodeProto& n) {
  const Shape in = shape_of(input_of(n, 0));
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset_ < 10) {
    starts = attr_ints(n, "starts").value_or(std::vector<int64_t>{});
    ends = attr_ints(n, "ends").value_or(std::vector<int64_t>{});
    axes = attr_ints(n, "axes").value_or(std::vector<int64_t>{});
  } else {
    starts = const_ints(input_of(n, 1));
    ends = const_ints(input_of(n, 2));
    if (has_input(n, 3)) axes = const_ints(input_of(n, 3));
    if (has_input(n, 4)) steps = const_ints(input_of(n, 4));
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    fail("starts, ends, axes and steps differ in length");
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < in.size(); ++i) {
    dims.insert(dims.end(), {0, std::numeric_limits<int64_t>::max(), 1});
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t axis = axes[i] < 0 ? axes[i] + static_cast<int64_t>(in.size()) : axes[i];
    if (axis < 0 || axis >= static_cast<int64_t>(in.size())) fail("slice axis out of range");
    dims[3 * axis] = starts[i];
    dims[3 * axis + 1] = ends[i];
    dims[3 * axis + 2] = steps[i];
  }
  Node s = make(OpKind::kSlice, {activation(input_of(n, 0))});
  s.attrs.dims = std::move(dims);
  emit(std::move(s), dtype_of(input_of(n, 0)));
}

void Importer::split(const onnx::NodeProto& n) {
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  const int64_t axis = normalize_axis(named(x), attr_int(n, "axis", 0), in.size());
  std::vector<int64_t> sizes;
  if (opset_ >= 13 && has_input(n, 1)) {
    sizes = const_ints(input_of(n, 1));
  } else if (auto s = attr_ints(n, "split")) {
    sizes = *s;
  } else {
    const int64_t parts = n.output_size();
    if (parts < 1 || in[axis] % parts != 0) fail("cannot split evenly");
    sizes.assign(parts, in[axis] / parts);
  }
  if (static_cast<int>(sizes.size()) != n.output_size())
    fail("split sizes and outputs differ in number");
  int64_t start = 0;
  for (int i = 0; i < n.output_size(); ++i) {
    Node s = make(OpKind::kSlice, {x});
    s.name = n.output(i);
    s.dtype = graph_.node(x).dtype;
    for (size_t d = 0; d < in.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) {
        s.attrs.dims.insert(s.attrs.dims.end(), {start, start + sizes[i], 1});
      } else {
        s.attrs.dims.insert(s.attrs.dims.end(), {0, in[d], 1});
      }
    }
    start += sizes[i];
    graph_.add(std::move(s));
    produced_[n.output(i)] = n.output(i);
  }
}

// Data-movement operators whose output shape follows from attributes or constant inputs; they
// become opaque `custom` nodes with that shape (no MACs).
void Importer::reshuffle(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const std::string x = activation(input_of(n, 0));
  const Shape in = graph_.node(x).shape;
  Shape out;
  if (op == "Expand") {
    const std::vector<int64_t> target = const_ints(input_of(n, 1));
    const auto joint = broadcast(in, Shape(target.begin(), target.end()));
    if (!joint) fail(fmt::format("cannot expand {} to {}", shape_string(in), shape_string(target)));
    out = *joint;
  } else if (op == "Tile") {
    const std::vector<int64_t> repeats = const_ints(input_of(n, 1));
    if (repeats.size() != in.size()) fail("repeats must have one entry per axis");
    for (size_t i = 0; i < in.size(); ++i)
      out.push_back(checked_mul(in[i], repeats[i], "tile size"));
  } else if (op == "GatherElements") {
    out = shape_of(input_of(n, 1));
  } else if (op == "ScatterElements" || op == "Scatter" || op == "ScatterND") {
    out = in;
  } else if (op == "GatherND") {
    const Shape indices = shape_of(input_of(n, 1));
    const int64_t batch = attr_int(n, "batch_dims", 0);
    if (indices.empty() || batch < 0 || batch + indices.back() > static_cast<int64_t>(in.size())) {
      fail("indices do not fit the data");
    }
    out.assign(indices.begin(), indices.end() - 1);
    out.insert(out.end(), in.begin() + batch + indices.back(), in.end());
  } else if (op == "OneHot") {
    const std::vector<int64_t> depth = const_ints(input_of(n, 1));
    if (depth.size() != 1) fail("depth must be one value");
    out = in;
    const int64_t rank = static_cast<int64_t>(in.size()) + 1;
    const int64_t axis = attr_int(n, "axis", -1);
    const int64_t at = axis < 0 ? axis + rank : axis;
    if (at < 0 || at >= rank) fail("axis out of range");
    out.insert(out.begin() + at, depth[0]);
  } else if (op == "TopK") {
    const std::vector<int64_t> k =
        opset_ >= 10 ? const_ints(input_of(n, 1)) : std::vector<int64_t>{attr_int(n, "k", 0)};
    const int64_t axis = normalize_axis(named(n.output(0)), attr_int(n, "axis", -1), in.size());
    if (k.size() != 1 || k[0] < 1 || k[0] > in[axis]) fail("k must be in 1..the axis size");
    out = in;
    out[axis] = k[0];
  } else {
    const int64_t b = attr_int(n, "blocksize", 0);
    if (in.size() != 4 || b < 1) fail("expects an NCHW input and a positive blocksize");
    if (op == "DepthToSpace") {
      if (in[1] % (b * b) != 0) fail("channels are not divisible by blocksize^2");
      out = {in[0], in[1] / (b * b), in[2] * b, in[3] * b};
    } else {
      if (in[2] % b != 0 || in[3] % b != 0) fail("H and W are not divisible by blocksize");
      out = {in[0], in[1] * b * b, in[2] / b, in[3] / b};
    }
  }
  if (out.empty()) fail("scalar results are not supported");
  // Every operand computed at run time is an input of the opaque node (indices, updates, ...).
  Node c = make(OpKind::kCustom, {x});
  for (int i = 1; i < n.input_size(); ++i) {
    if (has_input(n, i) && !is_const(input_of(n, i)))
      c.inputs.push_back(activation(input_of(n, i)));
  }
  c.attrs.mode = op;
  c.shape = out;
  emit(std::move(c), graph_.node(x).dtype);
  if (op == "TopK" && n.output_size() > 1 && !n.output(1).empty()) {  // the indices output
    Node i = make(OpKind::kCustom, {x});
    i.name = n.output(1);
    i.attrs.mode = "TopK.indices";
    i.shape = out;
    i.dtype = DType::kI64;
    graph_.add(std::move(i));
    produced_[n.output(1)] = n.output(1);
  }
}

void Importer::reshape_to(const std::string& in, Shape dims) {
  if (dims.empty()) fail("scalar results are not supported");
  Node r = make(OpKind::kReshape, {activation(in)});
  r.attrs.dims = std::move(dims);
  emit(std::move(r), dtype_of(in));
}

}  // namespace accelgen::graph::onnx_detail
