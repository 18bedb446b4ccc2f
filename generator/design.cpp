#include "generator/design.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "common/hash.hpp"

namespace accelgen {

namespace fs = std::filesystem;

nlohmann::json GeneratedDesign::manifest() const {
  nlohmann::json files_json = nlohmann::json::array();
  for (const auto& f : files) files_json.push_back(f.name);
  return {{"block", block},
          {"params", params},
          {"top", top},
          {"files", files_json},
          {"generator_version", kGeneratorVersion}};
}

std::string GeneratedDesign::content_hash() const {
  std::vector<std::string_view> pieces = {top};
  for (const auto& f : files) {
    pieces.push_back(f.name);
    pieces.push_back(f.contents);
  }
  return stable_hash(pieces);
}

std::string regenerate_command(const std::string& block, const nlohmann::json& params) {
  std::string cmd = "accelgen generate " + block;
  for (const auto& [key, value] : params.items())
    cmd += fmt::format(" --set {}={}", key, value.is_string() ? value.get<std::string>() : value.dump());
  return cmd;
}

namespace {

bool holds_manifest_or_empty(const fs::path& dir) {
  return fs::is_empty(dir) || fs::exists(dir / "manifest.json");
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw UserError(fmt::format("cannot write '{}'", path.string()));
}

}  // namespace

void write_design(const GeneratedDesign& design, const std::string& dir_text) {
  fs::path dir = fs::absolute(fs::path(dir_text)).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir)) throw UserError(fmt::format("'{}' exists and is not a directory", dir_text));
    if (!holds_manifest_or_empty(dir))
      throw UserError(fmt::format(
          "'{}' is not empty and holds no accelgen manifest.json; refusing to overwrite it", dir_text));
  }
  fs::path parent = dir.parent_path();
  fs::create_directories(parent, ec);
  if (ec || access(parent.c_str(), W_OK) != 0)
    throw UserError(fmt::format("cannot write output directory '{}': parent '{}' is not writable",
                                dir_text, parent.string()));
  fs::path tmp = parent / fmt::format(".{}.accelgen-tmp-{}", dir.filename().string(), getpid());
  fs::remove_all(tmp, ec);
  try {
    fs::create_directory(tmp);
    for (const auto& f : design.files) write_text(tmp / f.name, f.contents);
    write_text(tmp / "manifest.json", design.manifest().dump(2) + "\n");
    if (fs::exists(dir)) fs::remove_all(dir);
    fs::rename(tmp, dir);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw UserError(fmt::format("cannot write output directory '{}': {}", dir_text, e.code().message()));
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace accelgen
