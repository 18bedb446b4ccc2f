#include "compiler/graph/json_io.hpp"

#include <fmt/format.h>

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "common/error.hpp"

namespace accelgen::graph {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "accelgen-graph";
constexpr int kVersion = 1;

json attrs_to_json(const Attrs& a) {
  const Attrs d;  // defaults are left out, so files stay short
  json j = json::object();
  if (a.kernel != d.kernel) j["kernel"] = a.kernel;
  if (a.stride != d.stride) j["stride"] = a.stride;
  if (a.dilation != d.dilation) j["dilation"] = a.dilation;
  if (a.pads != d.pads) j["pads"] = a.pads;
  if (a.output_padding != d.output_padding) j["output_padding"] = a.output_padding;
  if (a.groups != d.groups) j["groups"] = a.groups;
  if (a.out_channels != d.out_channels) j["out_channels"] = a.out_channels;
  if (a.vocab != d.vocab) j["vocab"] = a.vocab;
  if (a.axis != d.axis) j["axis"] = a.axis;
  if (a.ceil_mode != d.ceil_mode) j["ceil_mode"] = a.ceil_mode;
  if (a.bidirectional != d.bidirectional) j["bidirectional"] = a.bidirectional;
  if (a.keepdims != d.keepdims) j["keepdims"] = a.keepdims;
  if (a.scale != d.scale) j["scale"] = a.scale;
  if (a.dims != d.dims) j["dims"] = a.dims;
  if (a.mode != d.mode) j["mode"] = a.mode;
  if (a.macs != d.macs) j["macs"] = a.macs;
  return j;
}

void check_keys(const json& j, const std::set<std::string>& allowed, const std::string& where) {
  if (!j.is_object()) throw UserError(fmt::format("{}: expected a JSON object", where));
  for (const auto& [key, value] : j.items()) {
    if (allowed.count(key) == 0) throw UserError(fmt::format("{}: unknown key '{}'", where, key));
  }
}

Attrs attrs_from_json(const json& j, const std::string& where) {
  check_keys(
      j,
      {"kernel", "stride", "dilation", "pads", "output_padding", "groups", "out_channels", "vocab",
       "axis", "ceil_mode", "bidirectional", "keepdims", "scale", "dims", "mode", "macs"},
      where + " attrs");
  Attrs a;
  if (j.contains("kernel")) j.at("kernel").get_to(a.kernel);
  if (j.contains("stride")) j.at("stride").get_to(a.stride);
  if (j.contains("dilation")) j.at("dilation").get_to(a.dilation);
  if (j.contains("pads")) j.at("pads").get_to(a.pads);
  if (j.contains("output_padding")) j.at("output_padding").get_to(a.output_padding);
  if (j.contains("groups")) j.at("groups").get_to(a.groups);
  if (j.contains("out_channels")) j.at("out_channels").get_to(a.out_channels);
  if (j.contains("vocab")) j.at("vocab").get_to(a.vocab);
  if (j.contains("axis")) j.at("axis").get_to(a.axis);
  if (j.contains("ceil_mode")) j.at("ceil_mode").get_to(a.ceil_mode);
  if (j.contains("bidirectional")) j.at("bidirectional").get_to(a.bidirectional);
  if (j.contains("keepdims")) j.at("keepdims").get_to(a.keepdims);
  if (j.contains("scale")) j.at("scale").get_to(a.scale);
  if (j.contains("dims")) j.at("dims").get_to(a.dims);
  if (j.contains("mode")) j.at("mode").get_to(a.mode);
  if (j.contains("macs")) j.at("macs").get_to(a.macs);
  if (a.macs < 0) throw UserError(fmt::format("{}: macs must not be negative", where));
  return a;
}

Node node_from_json(const json& j, size_t position) {
  std::string where = fmt::format("node #{}", position);
  check_keys(j,
             {"name", "op", "inputs", "shape", "dtype", "attrs", "weights", "activation",
              "weight_shared_with"},
             where);
  Node node;
  try {
    node.name = j.at("name").get<std::string>();
    where = fmt::format("node '{}'", node.name);
    const std::string op = j.at("op").get<std::string>();
    const auto kind = op_from_string(op);
    if (!kind) throw UserError(fmt::format("{}: unknown operator '{}'", where, op));
    node.op = *kind;
    if (j.contains("inputs")) j.at("inputs").get_to(node.inputs);
    if (j.contains("shape")) j.at("shape").get_to(node.shape);
    if (j.contains("dtype")) {
      const std::string text = j.at("dtype").get<std::string>();
      const auto dtype = dtype_from_string(text);
      if (!dtype) throw UserError(fmt::format("{}: unknown dtype '{}'", where, text));
      node.dtype = *dtype;
    }
    if (j.contains("attrs")) node.attrs = attrs_from_json(j.at("attrs"), where);
    if (j.contains("weights")) {
      for (const json& w : j.at("weights")) {
        check_keys(w, {"name", "shape"}, where + " weight");
        node.weights.push_back({w.at("name").get<std::string>(), w.at("shape").get<Shape>()});
      }
    }
    if (j.contains("activation")) j.at("activation").get_to(node.activation);
    if (j.contains("weight_shared_with"))
      j.at("weight_shared_with").get_to(node.weight_shared_with);
  } catch (const json::exception& e) {
    // nlohmann's messages start with "[json.exception.type_error.302] "; keep only the reason.
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw UserError(fmt::format("{}: {}", where, what));
  }
  return node;
}

}  // namespace

json to_json(const Graph& graph) {
  json nodes = json::array();
  for (const Node& node : graph.nodes()) {
    json j = {{"name", node.name}, {"op", to_string(node.op)}};
    if (!node.inputs.empty()) j["inputs"] = node.inputs;
    j["shape"] = node.shape;
    if (node.dtype != DType::kF32) j["dtype"] = to_string(node.dtype);
    json attrs = attrs_to_json(node.attrs);
    if (!attrs.empty()) j["attrs"] = std::move(attrs);
    if (!node.weights.empty()) {
      json weights = json::array();
      for (const WeightTensor& w : node.weights)
        weights.push_back({{"name", w.name}, {"shape", w.shape}});
      j["weights"] = std::move(weights);
    }
    if (!node.activation.empty()) j["activation"] = node.activation;
    if (!node.weight_shared_with.empty()) j["weight_shared_with"] = node.weight_shared_with;
    nodes.push_back(std::move(j));
  }
  return {{"format", kFormat}, {"version", kVersion}, {"name", graph.name()}, {"nodes", nodes}};
}

namespace {

Graph graph_from_json_unchecked(const json& j) {
  check_keys(j, {"format", "version", "name", "nodes"}, "graph");
  if (!j.contains("format") || j["format"] != kFormat) {
    throw UserError(fmt::format("graph: \"format\" must be \"{}\"", kFormat));
  }
  if (!j.contains("version") || j["version"] != kVersion) {
    throw UserError(fmt::format("graph: unsupported \"version\" (this reader knows {})", kVersion));
  }
  if (!j.contains("nodes") || !j["nodes"].is_array()) {
    throw UserError("graph: \"nodes\" must be an array");
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < j["nodes"].size(); ++i) nodes.push_back(node_from_json(j["nodes"][i], i));
  std::string name = "graph";
  if (j.contains("name")) {
    if (!j["name"].is_string()) throw UserError("graph: \"name\" must be a string");
    name = j["name"].get<std::string>();
  }
  Graph graph(name);
  for (Node& node : topological_sort(std::move(nodes))) graph.add(std::move(node));
  return graph;
}

}  // namespace

void check_json_numbers(const json& root) {
  std::vector<const json*> todo = {&root};
  while (!todo.empty()) {
    const json& j = *todo.back();
    todo.pop_back();
    if (j.is_structured()) {
      for (const json& child : j) todo.push_back(&child);
    } else if (j.is_number_float()) {
      const double v = j.get<double>();
      // 2^63: the first value an int64 cannot hold; NaN fails both comparisons.
      if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) {
        throw UserError(fmt::format("number {} is out of range", j.dump()));
      }
    } else if (j.is_number_unsigned() &&
               j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw UserError(fmt::format("number {} is out of range", j.dump()));
    }
  }
}

Graph graph_from_json(const json& j) {
  try {
    check_json_numbers(j);
    return graph_from_json_unchecked(j);
  } catch (const UserError& e) {
    throw UserError(one_line(e.what()));  // node names come from the file
  }
}

Graph json_graph_from_text(std::string_view text, const std::string& name,
                           Graph (*convert)(const nlohmann::json&)) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw UserError(fmt::format("{}: not valid JSON (byte {})", name, e.byte));
  } catch (const json::exception&) {  // out_of_range.406: a number beyond a double (libFuzzer)
    throw UserError(fmt::format("{}: not valid JSON (a number is out of range)", name));
  }
  try {
    return convert(j);
  } catch (const UserError& e) {
    throw UserError(one_line(fmt::format("{}: {}", name, e.what())));
  }
}

Graph load_json_graph_file(const std::string& path, Graph (*convert)(const nlohmann::json&)) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot open file", path));
  std::ostringstream text;
  text << in.rdbuf();
  return json_graph_from_text(text.str(), path, convert);
}

Graph load_graph_file(const std::string& path) { return load_json_graph_file(path, graph_from_json); }

void save_graph_file(const Graph& graph, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw UserError(fmt::format("{}: cannot write file", path));
  out << to_json(graph).dump(1) << '\n';
  if (!out) throw UserError(fmt::format("{}: write failed", path));
}

}  // namespace accelgen::graph
