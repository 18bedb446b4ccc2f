// Every testbench's --trace writes a gtkwave save file (.gtkw) beside the waveform with a marker at
// the first mismatch in time. The check reads both files and replays the waveform's clock and
// reset, independently of the harness that wrote them.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// A gtkwave save file's signal lines, group names (-Name lines) and primary marker (-2: none).
struct GtkwFile {
  std::vector<std::string> signals, groups;
  int64_t marker = -2;
};

inline GtkwFile read_gtkw(const std::string& path) {
  GtkwFile g;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '@' || line[0] == '[') continue;
    if (line[0] == '*') {
      std::istringstream fields(line);
      std::string zoom;
      fields >> zoom >> g.marker;
    } else if (line[0] == '-') {
      g.groups.push_back(line.substr(1));
    } else {
      g.signals.push_back(line);
    }
  }
  return g;
}

// A VCD's signal names as gtkwave shows them (scope path, name, [msb:lsb] for vectors), the id of
// each name without its range, and the value-change lines after the header.
struct VcdFile {
  std::vector<std::string> names;
  std::map<std::string, std::string> id_of;
  std::vector<std::string> changes;
};

inline VcdFile read_vcd(const std::string& path) {
  VcdFile v;
  std::ifstream in(path);
  std::vector<std::string> scope;
  bool header = true;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string tok;
    fields >> tok;
    if (header && tok == "$scope") {
      std::string kind, name;
      fields >> kind >> name;
      scope.push_back(name);
    } else if (header && tok == "$upscope") {
      scope.pop_back();
    } else if (header && tok == "$var") {
      std::string kind, width, id, ref, range;
      fields >> kind >> width >> id >> ref >> range;
      std::string full;
      for (const auto& s : scope) full += s + ".";
      full += ref;
      v.id_of[full] = id;
      v.names.push_back(range.rfind("[", 0) == 0 ? full + range : full);
    } else if (tok == "$enddefinitions") {
      header = false;
    } else if (!header) {
      v.changes.push_back(line);
    }
  }
  return v;
}

// A waveform path of its own for test NAME (the .gtkw lands beside it); remove both afterwards.
inline std::string traced_vcd(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("accelgen_gtkw_" + std::to_string(::getpid()) + "_" + name + ".vcd"))
      .string();
}
inline void remove_trace(const std::string& vcd) {
  std::filesystem::remove(vcd);
  std::filesystem::path g(vcd);
  std::filesystem::remove(g.replace_extension(".gtkw"));
}

// R came from a run with the waveform VCD and has mismatches: the save file beside it lists the
// top's clk_i and rst_ni (as names the waveform has), its marker is R's first-mismatch time, the
// waveform has a dump there, exactly first_mismatch_cycle rising clock edges happened between the
// last release of reset and the marker, and one of the reported mismatches names that cycle.
inline void expect_gtkw_marks_first_mismatch(const VerifyResult& r, const std::string& vcd) {
  ASSERT_GT(r.mismatches, 0);
  ASSERT_FALSE(r.gtkw.empty());
  ASSERT_GE(r.first_mismatch_cycle, 0) << "the testbench named no cycle";
  const GtkwFile g = read_gtkw(r.gtkw);
  ASSERT_EQ(g.marker, r.first_mismatch_time);
  const VcdFile v = read_vcd(vcd);
  std::string clk_name, rst_name;
  for (const auto& s : g.signals) {
    if (s.size() > 6 && s.compare(s.size() - 6, 6, ".clk_i") == 0) clk_name = s;
    if (s.size() > 7 && s.compare(s.size() - 7, 7, ".rst_ni") == 0) rst_name = s;
  }
  ASSERT_TRUE(v.id_of.count(clk_name)) << "clock '" << clk_name << "' is not in the waveform";
  ASSERT_TRUE(v.id_of.count(rst_name)) << "reset '" << rst_name << "' is not in the waveform";
  const std::string clk = v.id_of.at(clk_name), rst = v.id_of.at(rst_name);
  int64_t edges = 0;
  char clk_v = 'x', rst_v = 'x';
  bool marker_seen = false;
  for (const auto& c : v.changes) {
    if (c.empty()) continue;
    if (c[0] == '#') {
      const int64_t time = std::stoll(c.substr(1));
      if (time >= g.marker) {
        marker_seen = time == g.marker;
        break;
      }
      continue;
    }
    if (c.substr(1) == clk) {
      if (c[0] == '1' && clk_v == '0' && rst_v == '1') ++edges;
      clk_v = c[0];
    }
    if (c.substr(1) == rst) {
      if (c[0] == '0') edges = 0;  // cycles count from the last release of reset
      rst_v = c[0];
    }
  }
  EXPECT_TRUE(marker_seen) << "a dump at the marker's time";
  EXPECT_EQ(edges, r.first_mismatch_cycle);
  const std::string named = "cycle " + std::to_string(r.first_mismatch_cycle);
  bool mentioned = false;
  for (const auto& m : r.first_mismatches)
    for (size_t at = m.find(named); at != std::string::npos; at = m.find(named, at + 1))
      mentioned |= at + named.size() == m.size() ||
                   !std::isdigit(static_cast<unsigned char>(m[at + named.size()]));
  EXPECT_TRUE(mentioned) << "no reported mismatch names " << named;
}

}  // namespace accelgen::sim
