// What a generator produces: a set of Verilog files plus the manifest facts, kept in memory until
// the caller writes them (so invalid input never leaves a half-written directory).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/block_info.hpp"

namespace accelgen {

inline constexpr const char* kGeneratorVersion = "0.1.0";

struct GeneratedFile {
  std::string name;  // file name, one module per file, named after the module
  std::string contents;
};

struct TopPort {
  std::string name;
  int width = 1;
  bool input = true;
};

struct GeneratedDesign {
  std::string block;
  nlohmann::json params;  // hardware parameters, defaults filled in
  std::string top;
  std::vector<TopPort> ports;        // of the top module, for the co-simulation adapter
  std::vector<GeneratedFile> files;  // dependency order: leaves first, top last
  // Verilate with --hierarchical: modules marked `verilator hier_block` are built once and
  // instanced instead of flattened into the top (large arrays).
  bool verilate_hierarchical = false;

  nlohmann::json manifest() const;
  // Stable hash of every file's name and contents: the key of the Verilation cache.
  std::string content_hash() const;
};

// The canonical command that regenerates a configuration; goes in every header comment.
std::string regenerate_command(const std::string& block, const nlohmann::json& params);

// The header comment of every emitted module: what it is, the generator version, the command that
// regenerates it, every parameter, and where its interface is specified. No timestamp.
std::vector<std::string> generated_header(const std::string& what, const std::string& block, const nlohmann::json& params);

// Generates BLOCK for validated PARAMS; throws UserError for a block without a generator.
GeneratedDesign generate_design(const BlockInfo& block, const ParamSet& params);

// Writes every file plus manifest.json into DIR atomically: files go to a sibling temporary
// directory that is renamed into place, so a failure leaves nothing behind. An existing DIR is
// replaced only if it is empty or holds an accelgen manifest; anything else is a UserError.
void write_design(const GeneratedDesign& design, const std::string& dir);

}  // namespace accelgen
