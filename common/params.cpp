#include "common/params.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/error.hpp"

namespace accelgen {

const ParamValue& ParamSet::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("parameter '" + key + "' is not in this set");
  return it->second;
}

int64_t ParamSet::integer(const std::string& key) const { return std::get<int64_t>(at(key)); }
bool ParamSet::boolean(const std::string& key) const { return std::get<bool>(at(key)); }
const std::string& ParamSet::choice(const std::string& key) const {
  return std::get<std::string>(at(key));
}

ParamSchema& ParamSchema::integer(std::string key, int64_t def, int64_t min, int64_t max,
                                  std::string help, ParamRole role) {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::kInt;
  s.role = role;
  s.int_default = def;
  s.min = min;
  s.max = max;
  s.help = std::move(help);
  specs_.push_back(std::move(s));
  return *this;
}

ParamSchema& ParamSchema::boolean(std::string key, bool def, std::string help, ParamRole role) {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::kBool;
  s.role = role;
  s.int_default = def ? 1 : 0;
  s.help = std::move(help);
  specs_.push_back(std::move(s));
  return *this;
}

ParamSchema& ParamSchema::choice(std::string key, std::vector<std::string> choices,
                                 std::string help, ParamRole role) {
  ParamSpec s;
  s.key = std::move(key);
  s.type = ParamType::kChoice;
  s.role = role;
  s.choices = std::move(choices);
  s.help = std::move(help);
  specs_.push_back(std::move(s));
  return *this;
}

ParamSchema& ParamSchema::open_choice(std::string key, std::vector<std::string> suggested,
                                      std::string help, ParamRole role) {
  choice(std::move(key), std::move(suggested), std::move(help), role);
  specs_.back().open = true;
  return *this;
}

const ParamSpec* ParamSchema::find(const std::string& key) const {
  for (const auto& s : specs_)
    if (s.key == key) return &s;
  return nullptr;
}

ParamSet ParamSchema::defaults() const {
  ParamSet set;
  for (const auto& s : specs_) {
    switch (s.type) {
      case ParamType::kInt: set.put(s.key, s.int_default); break;
      case ParamType::kBool: set.put(s.key, s.int_default != 0); break;
      case ParamType::kChoice: set.put(s.key, s.choices.front()); break;
    }
  }
  return set;
}

namespace {

std::string known_keys(const std::vector<ParamSpec>& specs) {
  std::string out;
  for (const auto& s : specs) out += (out.empty() ? "" : ", ") + s.key;
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void ParamSchema::check_range(const ParamSpec& spec, int64_t v) const {
  if (v < spec.min || v > spec.max)
    throw UserError(fmt::format("parameter '{}' = {} is out of range [{}, {}]", spec.key, v,
                                spec.min, spec.max));
}

void ParamSchema::set_text(ParamSet& set, const std::string& key, const std::string& text) const {
  const ParamSpec* spec = find(key);
  if (!spec)
    throw UserError(fmt::format("unknown parameter '{}' (known: {})", key, known_keys(specs_)));
  switch (spec->type) {
    case ParamType::kInt: {
      int64_t v = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (text.empty() || ec != std::errc() || ptr != end)
        throw UserError(fmt::format("parameter '{}' needs an integer, got '{}'", key, text));
      check_range(*spec, v);
      set.put(key, v);
      break;
    }
    case ParamType::kBool:
      if (text == "1" || text == "true") set.put(key, true);
      else if (text == "0" || text == "false") set.put(key, false);
      else throw UserError(fmt::format("parameter '{}' needs true/false, got '{}'", key, text));
      break;
    case ParamType::kChoice: {
      bool ok = spec->open && !text.empty();
      for (const auto& c : spec->choices) ok = ok || c == text;
      if (!ok)
        throw UserError(fmt::format("parameter '{}' = '{}' is not one of: {}", key, text,
                                    joined(spec->choices)));
      set.put(key, text);
      break;
    }
  }
}

void ParamSchema::set_json(ParamSet& set, const nlohmann::json& object,
                           const std::string& origin) const {
  if (!object.is_object())
    throw UserError(fmt::format("{}: expected a JSON object of parameters", origin));
  for (const auto& [key, value] : object.items()) {
    const ParamSpec* spec = find(key);
    if (!spec)
      throw UserError(
          fmt::format("{}: unknown parameter '{}' (known: {})", origin, key, known_keys(specs_)));
    switch (spec->type) {
      case ParamType::kInt:
        if (!value.is_number_integer())
          throw UserError(fmt::format("{}: parameter '{}' needs an integer", origin, key));
        check_range(*spec, value.get<int64_t>());
        set.put(key, value.get<int64_t>());
        break;
      case ParamType::kBool:
        if (!value.is_boolean())
          throw UserError(fmt::format("{}: parameter '{}' needs true or false", origin, key));
        set.put(key, value.get<bool>());
        break;
      case ParamType::kChoice:
        if (!value.is_string())
          throw UserError(fmt::format("{}: parameter '{}' needs a string", origin, key));
        set_text(set, key, value.get<std::string>());
        break;
    }
  }
}

nlohmann::json ParamSchema::to_json(const ParamSet& set, bool include_stimulus) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : specs_) {
    if (s.role == ParamRole::kStimulus && !include_stimulus) continue;
    switch (s.type) {
      case ParamType::kInt: out[s.key] = set.integer(s.key); break;
      case ParamType::kBool: out[s.key] = set.boolean(s.key); break;
      case ParamType::kChoice: out[s.key] = set.choice(s.key); break;
    }
  }
  return out;
}

std::pair<std::string, std::string> split_assignment(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UserError(fmt::format("--set needs KEY=VALUE, got '{}'", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace accelgen
