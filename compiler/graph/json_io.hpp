// The graph's JSON form (documented in compiler/README.md): {"format": "accelgen-graph",
// "version": 1, "name", "nodes": [...]}. Loading re-infers every shape, so a file that loads is a
// valid graph; writing then reading gives back the same graph.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "compiler/graph/graph.hpp"

namespace accelgen::graph {

nlohmann::json to_json(const Graph& graph);
// Throws UserError naming the node and the problem: unknown keys or operators, wrong types,
// duplicate names, dangling edges, cycles, shape mismatches, absurd sizes.
Graph graph_from_json(const nlohmann::json& json);

// Throws UserError when J holds a number no field can take: a float or unsigned value beyond the
// int64 range (converting one to an integer field would be undefined behaviour). Iterative, so
// deeply nested input cannot exhaust the stack.
void check_json_numbers(const nlohmann::json& j);
// File helpers; the file name prefixes every error message.
Graph load_graph_file(const std::string& path);
// Parses TEXT as JSON and converts it with CONVERT; errors are UserErrors prefixed with NAME
// (the in-memory form of load_json_graph_file, used by the fuzz targets).
Graph json_graph_from_text(std::string_view text, const std::string& name,
                           Graph (*convert)(const nlohmann::json&));
// Reads PATH as JSON and converts it with CONVERT (graph_from_json, graph_from_xrbench, ...);
// unreadable files, malformed JSON and conversion errors become UserErrors naming the file.
Graph load_json_graph_file(const std::string& path, Graph (*convert)(const nlohmann::json&));
void save_graph_file(const Graph& graph, const std::string& path);

}  // namespace accelgen::graph
