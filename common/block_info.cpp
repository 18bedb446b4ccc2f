#include "common/block_info.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/bihiwe_params.hpp"
#include "common/cvu_array_params.hpp"
#include "common/cvu_params.hpp"
#include "common/leopard_params.hpp"
#include "common/noc_params.hpp"
#include "common/npu_params.hpp"
#include "common/planaria_params.hpp"
#include "common/region_manager_params.hpp"
#include "common/systolic_params.hpp"
#include "common/tandem_params.hpp"

namespace accelgen {

const std::vector<BlockInfo>& all_blocks() {
  // One line per block: adding a block means adding its entry here.
  static const std::vector<BlockInfo> blocks = {
      systolic_block_info(),
      cvu_block_info(),
      cvu_array_block_info(),
      bihiwe_block_info(),
      leopard_qk_block_info(),
      leopard_vpu_block_info(),
      leopard_tile_block_info(),
      noc_block_info(),
      tandem_block_info(),
      planaria_block_info(),
      region_manager_block_info(),
      npu_block_info(),  // issue 13: NPU-Tandem
  };
  return blocks;
}

const BlockInfo& find_block(const std::string& name) {
  std::string known;
  for (const auto& b : all_blocks()) {
    if (b.name == name) return b;
    known += (known.empty() ? "" : ", ") + b.name;
  }
  throw UserError(fmt::format("unknown block '{}' (known: {})", name, known));
}

namespace {

void reject_stimulus_keys(const BlockInfo& block, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    const ParamSpec* spec = block.schema.find(key);
    if (spec && spec->role == ParamRole::kStimulus)
      throw UserError(fmt::format(
          "parameter '{}' of block '{}' steers verification only; use it with 'accelgen verify'",
          key, block.name));
  }
}

}  // namespace

ParamSet resolve_params(const BlockInfo& block, const std::string& config_path,
                        const std::vector<std::string>& assignments, bool allow_stimulus) {
  ParamSet set = block.schema.defaults();
  std::vector<std::string> keys;
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) throw UserError(fmt::format("cannot read config file '{}'", config_path));
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json config;
    try {
      config = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
      // nlohmann's message starts with "[json.exception.parse_error.101] parse error at ...".
      std::string msg = e.what();
      auto pos = msg.find("] ");
      throw UserError(fmt::format("{}: malformed JSON: {}", config_path,
                                  pos == std::string::npos ? msg : msg.substr(pos + 2)));
    }
    // Accept either {"rows": 4, ...} or a manifest-like {"block": "...", "params": {...}}.
    if (config.is_object() && config.contains("params")) {
      if (config.contains("block") && config["block"] != block.name)
        throw UserError(fmt::format("{}: config is for block {}, not '{}'", config_path,
                                    config["block"].dump(), block.name));
      config = config["params"];
    }
    block.schema.set_json(set, config, config_path);
    if (config.is_object())
      for (const auto& [k, v] : config.items()) keys.push_back(k);
  }
  for (const auto& a : assignments) {
    auto [key, value] = split_assignment(a);
    block.schema.set_text(set, key, value);
    keys.push_back(key);
  }
  if (!allow_stimulus) reject_stimulus_keys(block, keys);
  if (block.check) block.check(set);
  return set;
}

}  // namespace accelgen
