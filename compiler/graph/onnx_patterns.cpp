// Recognition of multi-node ONNX patterns that stand for one operator. Today: GELU as exporters
// write it, y = x * 0.5 * (1 + erf(x / sqrt(2))), i.e. Div -> Erf -> Add(1) -> Mul(x) -> Mul(0.5)
// (operands of Add and Mul in either order).
#include <cmath>

#include "compiler/graph/onnx_importer.hpp"

namespace accelgen::graph::onnx_detail {
namespace {

// Scalar value of a constant tensor (initializer or Constant node), if it is one.
std::optional<double> scalar(const std::unordered_map<std::string, const onnx::TensorProto*>& c,
                             const std::string& name) {
  auto it = c.find(name);
  if (it == c.end()) return std::nullopt;
  try {
    const Constant v = decode_tensor(*it->second, name);
    if (!v.has_values || v.ints.size() + v.reals.size() != 1) return std::nullopt;
    return v.reals.empty() ? static_cast<double>(v.ints[0]) : v.reals[0];
  } catch (const UserError&) {
    return std::nullopt;
  }
}

bool near(std::optional<double> v, double want) { return v && std::fabs(*v - want) < 1e-3; }

}  // namespace

GeluPatterns find_gelu_patterns(const onnx::GraphProto& g) {
  std::unordered_map<std::string, const onnx::TensorProto*> constants;
  std::unordered_map<std::string, std::vector<int>> readers;
  std::unordered_map<std::string, int> outputs;
  for (const auto& t : g.initializer()) constants[t.name()] = &t;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (n.op_type() == "Constant" && n.output_size() == 1) {
      for (const auto& a : n.attribute()) {
        if (a.name() == "value") constants[n.output(0)] = &a.t();
      }
    }
    for (const std::string& in : n.input()) readers[in].push_back(i);
  }
  for (const auto& v : g.output()) ++outputs[v.name()];
  // Index of the single reader of `tensor` when it has exactly one, of type `op`, and `tensor`
  // is not a graph output; -1 otherwise.
  auto only_reader = [&](const std::string& tensor, const char* op) -> int {
    auto it = readers.find(tensor);
    if (it == readers.end() || it->second.size() != 1 || outputs.count(tensor)) return -1;
    const auto& n = g.node(it->second[0]);
    const int inputs = n.op_type() == "Erf" ? 1 : 2;
    const bool fits = n.op_type() == op && n.input_size() == inputs && n.output_size() == 1;
    return fits ? it->second[0] : -1;
  };
  // The operand of a two-input node other than `known`.
  auto other = [](const onnx::NodeProto& n, const std::string& known) {
    return n.input(0) == known ? n.input(1) : n.input(0);
  };
  GeluPatterns found;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& div = g.node(i);
    if (div.op_type() != "Div" || div.input_size() != 2 || div.output_size() != 1 ||
        !near(scalar(constants, div.input(1)), std::sqrt(2.0))) {
      continue;
    }
    const std::string& x = div.input(0);
    const int erf = only_reader(div.output(0), "Erf");
    if (erf < 0) continue;
    const int add = only_reader(g.node(erf).output(0), "Add");
    if (add < 0 || !near(scalar(constants, other(g.node(add), g.node(erf).output(0))), 1.0))
      continue;
    const int mul_x = only_reader(g.node(add).output(0), "Mul");
    if (mul_x < 0 || other(g.node(mul_x), g.node(add).output(0)) != x) continue;
    const int half = only_reader(g.node(mul_x).output(0), "Mul");
    if (half < 0 || !near(scalar(constants, other(g.node(half), g.node(mul_x).output(0))), 0.5)) {
      continue;
    }
    found.start[i] = g.node(half).output(0);
    found.skip.insert({erf, add, mul_x, half});
  }
  return found;
}

}  // namespace accelgen::graph::onnx_detail
