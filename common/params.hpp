// Typed, validated block parameters. Each block declares a ParamSchema (keys, types, defaults,
// ranges, help); user input from `--set KEY=VALUE` or a JSON config is checked against it, so every
// block gets the same clear errors for free.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace accelgen {

enum class ParamType { kInt, kBool, kChoice };

// Hardware keys shape the RTL (and appear in manifests); stimulus keys only steer `verify`.
enum class ParamRole { kHardware, kStimulus };

struct ParamSpec {
  std::string key;
  ParamType type = ParamType::kInt;
  ParamRole role = ParamRole::kHardware;
  int64_t int_default = 0;
  int64_t min = 0;
  int64_t max = 0;
  std::vector<std::string> choices;  // kChoice: allowed values; the first is the default
  bool open = false;                 // kChoice: any text is accepted (the block's check validates it)
  std::string help;
};

using ParamValue = std::variant<int64_t, bool, std::string>;

// A complete, validated assignment of every key of one schema.
class ParamSet {
 public:
  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& choice(const std::string& key) const;
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  void put(const std::string& key, ParamValue v) { values_[key] = std::move(v); }
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  const ParamValue& at(const std::string& key) const;
  std::map<std::string, ParamValue> values_;
};

class ParamSchema {
 public:
  ParamSchema& integer(std::string key, int64_t def, int64_t min, int64_t max, std::string help,
                       ParamRole role = ParamRole::kHardware);
  ParamSchema& boolean(std::string key, bool def, std::string help,
                       ParamRole role = ParamRole::kHardware);
  ParamSchema& choice(std::string key, std::vector<std::string> choices, std::string help,
                      ParamRole role = ParamRole::kHardware);
  // A choice that also accepts any other text (validated by the block's check); the first of
  // SUGGESTED is the default.
  ParamSchema& open_choice(std::string key, std::vector<std::string> suggested, std::string help,
                           ParamRole role = ParamRole::kHardware);

  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* find(const std::string& key) const;

  ParamSet defaults() const;
  // Parses VALUE for KEY (as written after --set KEY=) and stores it; throws UserError naming the
  // key and the allowed values on any problem.
  void set_text(ParamSet& set, const std::string& key, const std::string& text) const;
  // Applies a JSON object {key: value, ...}; unknown keys and wrong types are UserErrors.
  void set_json(ParamSet& set, const nlohmann::json& object, const std::string& origin) const;
  // Hardware keys only (or every key) as a JSON object (keys sorted, so output is reproducible).
  nlohmann::json to_json(const ParamSet& set, bool include_stimulus = false) const;

 private:
  void check_range(const ParamSpec& spec, int64_t v) const;
  std::vector<ParamSpec> specs_;
};

// Splits "KEY=VALUE" (from --set) or throws UserError.
std::pair<std::string, std::string> split_assignment(const std::string& text);

}  // namespace accelgen
