#include "verilator_tb/gtkw.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace accelgen::sim {

namespace fs = std::filesystem;

std::string gtkw_path_for(const std::string& waveform) {
  return fs::path(waveform).replace_extension(".gtkw").string();
}

std::string gtkw_save_file(const std::string& waveform, const std::string& scope,
                           const std::vector<TopPort>& ports, int64_t marker_time) {
  std::string s = "[*] written by accelgen\n";
  s += fmt::format("[dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0\n",
                   fs::absolute(waveform).string(), fs::absolute(gtkw_path_for(waveform)).string());
  // Zoom, primary marker, then the 26 named markers A..Z (-1 = unset).
  s += "*-6.000000 " + std::to_string(marker_time) + " " + std::to_string(marker_time);
  for (int i = 1; i < 26; ++i) s += " -1";
  s += "\n";
  s += fmt::format("[treeopen] {}.\n", scope.substr(0, scope.find('.')));
  s += fmt::format("[treeopen] {}.\n", scope);
  auto group = [&](const std::string& title, bool inputs) {
    s += fmt::format("@800200\n-{}\n", title);
    for (const auto& p : ports) {
      if (p.input != inputs) continue;
      if (p.width == 1)
        s += fmt::format("@28\n{}.{}\n", scope, p.name);  // binary
      else
        s += fmt::format("@22\n{}.{}[{}:0]\n", scope, p.name, p.width - 1);  // hex
    }
    s += fmt::format("@1000200\n-{}\n", title);
  };
  group("Inputs", true);
  group("Outputs", false);
  return s;
}

std::string write_gtkw(const std::string& waveform, const std::string& scope,
                       const std::vector<TopPort>& ports, int64_t marker_time) {
  const std::string path = gtkw_path_for(waveform);
  std::ofstream out(path);
  out << gtkw_save_file(waveform, scope, ports, marker_time);
  if (!out) throw UserError(fmt::format("cannot write the gtkwave save file '{}'", path));
  return path;
}

}  // namespace accelgen::sim
