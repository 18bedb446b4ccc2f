#include "generator/eda/stdcell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.hpp"
#include "common/process.hpp"
#include "generator/eda/hier_sta.hpp"
#include "generator/eda/buffer_tree.hpp"

namespace accelgen {

namespace fs = std::filesystem;

namespace {

// The first line of LOG that mentions an error, or FALLBACK.
std::string first_error(const std::string& log, const std::string& fallback) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    if (line.find("ERROR") != std::string::npos || line.find("Error") != std::string::npos) return line;
  return fallback;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct LibCell {
  double area = 0;
  bool sequential = false;
};

std::map<std::string, LibCell> read_liberty_cells(const std::string& path) {
  const std::string text = read_text(path);
  std::map<std::string, LibCell> cells;
  static const std::regex cell_re(R"re(\bcell\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\))re");
  static const std::regex area_re(R"(\barea\s*:\s*([0-9.eE+-]+))");
  static const std::regex seq_re(R"(\b(ff|latch|ff_bank|latch_bank)\s*\()");
  std::vector<std::pair<size_t, std::string>> starts;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), cell_re); it != std::sregex_iterator(); ++it)
    starts.emplace_back(static_cast<size_t>(it->position(0)), (*it)[1].str());
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1].first : text.size();
    const std::string body = text.substr(starts[i].first, end - starts[i].first);
    LibCell c;
    std::smatch m;
    if (std::regex_search(body, m, area_re)) c.area = std::stod(m[1].str());
    c.sequential = std::regex_search(body, seq_re);
    cells[starts[i].second] = c;
  }
  if (cells.empty()) throw UserError(fmt::format("'{}' defines no liberty cells", path));
  return cells;
}

// ---- memories -------------------------------------------------------------------------------

struct MemCell {
  std::string memid;
  int64_t size = 0, width = 0, abits = 0;
  int rd_ports = 0, wr_ports = 0;
  bool sync = false;
};

// Parses `dump t:$mem_v2` output.
std::vector<MemCell> parse_mem_dump(const std::string& dump) {
  std::vector<MemCell> mems;
  std::istringstream lines(dump);
  MemCell* cur = nullptr;
  static const std::regex param_re(R"(^\s*parameter \\(\w+) (.*)$)");
  for (std::string line; std::getline(lines, line);) {
    if (line.find("cell $mem_v2 ") != std::string::npos) {
      mems.emplace_back();
      cur = &mems.back();
      continue;
    }
    std::smatch m;
    if (!cur || !std::regex_match(line, m, param_re)) continue;
    const std::string key = m[1].str(), value = m[2].str();
    auto as_int = [&] { return std::stoll(value); };
    if (key == "SIZE") cur->size = as_int();
    else if (key == "WIDTH") cur->width = as_int();
    else if (key == "ABITS") cur->abits = as_int();
    else if (key == "RD_PORTS") cur->rd_ports = static_cast<int>(as_int());
    else if (key == "WR_PORTS") cur->wr_ports = static_cast<int>(as_int());
    else if (key == "MEMID") {  // "\\name" in the dump
      cur->memid = value;
      std::erase_if(cur->memid, [](char c) { return c == '"' || c == '\\'; });
    }
    else if (key == "RD_CLK_ENABLE") cur->sync = value.find('1', value.find('\'') + 1) != std::string::npos;
  }
  return mems;
}

struct MacroShape {
  int64_t size, width, abits;
  int rd, wr;
  bool sync;
  auto operator<=>(const MacroShape&) const = default;
};

std::string macro_cell_name(const MacroShape& s) {
  return fmt::format("accelgen_sram_{}x{}_{}r{}w{}", s.size, s.width, s.rd, s.wr, s.sync ? "_sync" : "");
}

// Techmap file turning each listed $mem_v2 shape into an instance of its black box; other memories
// are left to synthesis (flip-flops).
std::string macro_techmap(const std::vector<MacroShape>& shapes) {
  std::string s = R"((* techmap_celltype = "$mem_v2" *)
module _accelgen_mem_to_macro (RD_CLK, RD_EN, RD_ARST, RD_SRST, RD_ADDR, RD_DATA, WR_CLK, WR_EN, WR_ADDR, WR_DATA);
  parameter MEMID = ""; parameter SIZE = 0; parameter OFFSET = 0; parameter ABITS = 0; parameter WIDTH = 0;
  parameter INIT = 0; parameter RD_PORTS = 0; parameter WR_PORTS = 0;
  parameter RD_CLK_ENABLE = 0; parameter RD_CLK_POLARITY = 0; parameter RD_TRANSPARENCY_MASK = 0;
  parameter RD_COLLISION_X_MASK = 0; parameter RD_WIDE_CONTINUATION = 0; parameter RD_CE_OVER_SRST = 0;
  parameter RD_ARST_VALUE = 0; parameter RD_SRST_VALUE = 0; parameter RD_INIT_VALUE = 0;
  parameter WR_CLK_ENABLE = 0; parameter WR_CLK_POLARITY = 0; parameter WR_PRIORITY_MASK = 0; parameter WR_WIDE_CONTINUATION = 0;
  input [RD_PORTS-1:0] RD_CLK, RD_EN, RD_ARST, RD_SRST;
  input [RD_PORTS*ABITS-1:0] RD_ADDR;
  output [RD_PORTS*WIDTH-1:0] RD_DATA;
  input [WR_PORTS-1:0] WR_CLK;
  input [WR_PORTS*WIDTH-1:0] WR_EN;
  input [WR_PORTS*ABITS-1:0] WR_ADDR;
  input [WR_PORTS*WIDTH-1:0] WR_DATA;
  generate
)";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const MacroShape& m = shapes[i];
    s += fmt::format(
        "    {}if (SIZE == {} && WIDTH == {} && ABITS == {} && RD_PORTS == {} && WR_PORTS == {} && "
        "(RD_CLK_ENABLE != 0) == {}) begin\n"
        "      {} _TECHMAP_REPLACE_ (.RD_CLK(RD_CLK), .RD_EN(RD_EN), .RD_ADDR(RD_ADDR), .RD_DATA(RD_DATA), "
        ".WR_CLK(WR_CLK), .WR_EN(WR_EN), .WR_ADDR(WR_ADDR), .WR_DATA(WR_DATA));\n"
        "    end else\n",
        i ? "" : "", m.size, m.width, m.abits, m.rd, m.wr, m.sync ? 1 : 0, macro_cell_name(m));
  }
  s += "    begin\n      wire _TECHMAP_FAIL_ = 1;\n    end\n  endgenerate\nendmodule\n";
  return s;
}

std::string macro_blackboxes(const std::vector<MacroShape>& shapes) {
  std::string s;
  for (const auto& m : shapes)
    s += fmt::format(
        "(* blackbox *)\nmodule {}(input [{}:0] RD_CLK, input [{}:0] RD_EN, input [{}:0] RD_ADDR, output [{}:0] RD_DATA,\n"
        "  input [{}:0] WR_CLK, input [{}:0] WR_EN, input [{}:0] WR_ADDR, input [{}:0] WR_DATA);\nendmodule\n",
        macro_cell_name(m), m.rd - 1, m.rd - 1, m.rd * m.abits - 1, m.rd * m.width - 1, m.wr - 1, m.wr * m.width - 1,
        m.wr * m.abits - 1, m.wr * m.width - 1);
  return s;
}

std::string read_and_elaborate(const DesignDir& design, const std::string& extra_lib) {
  std::string script;
  if (!extra_lib.empty()) script += fmt::format("read_verilog -lib {};\n", extra_lib);
  script += "read_verilog -sv";
  for (const auto& f : design.files) script += " " + f;
  script += fmt::format(";\nhierarchy -check -top {0};\nproc;\nopt -fast;\nmemory -nomap;\nopt -fast;\n", design.top);
  return script;
}

ProcessResult run_yosys(const fs::path& script_path, const std::string& script, const std::string& what) {
  write_text(script_path, script);
  ProcessResult r = run_process({"yosys", "-q", "-l", (script_path.parent_path() / (script_path.stem().string() + ".log")).string(),
                                 "-s", script_path.string()});
  if (r.exit_code != 0)
    throw UserError(fmt::format("{} failed: {}", what, first_error(r.output, "Yosys failed (see " + script_path.string() + ")")));
  return r;
}

// ---- reports --------------------------------------------------------------------------------

// Cell counts of the last (whole-hierarchy) statistics block of `stat -liberty -top`.
std::map<std::string, int64_t> parse_cell_counts(const std::string& stat) {
  size_t from = stat.rfind("design hierarchy");
  if (from == std::string::npos) from = 0;
  from = stat.find("Number of cells:", from);
  std::map<std::string, int64_t> counts;
  if (from == std::string::npos) return counts;
  std::istringstream lines(stat.substr(from));
  std::string line;
  std::getline(lines, line);
  static const std::regex cell_re(R"(^\s+(\S+)\s+(\d+)\s*$)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, cell_re)) break;
    counts[m[1].str()] += std::stoll(m[2].str());
  }
  return counts;
}

// "Chip area for module '\\name': 123.0" lines of `stat -liberty`: one instance of each module.
std::map<std::string, double> parse_module_areas(const std::string& stat) {
  std::map<std::string, double> areas;
  static const std::regex area_re(R"(Chip area for module '\\?([^']+)': ([0-9.eE+-]+))");
  for (auto it = std::sregex_iterator(stat.begin(), stat.end(), area_re); it != std::sregex_iterator(); ++it)
    areas[(*it)[1].str()] = std::stod((*it)[2].str());
  return areas;
}

constexpr const char* kBufferCell = "BUFX2";
constexpr double kBufferInputPf =
    0.013;  // BUFX2's input pin in osu018_stdcells.lib, about 0.013 pF
constexpr const char* kTieLowCell = "accelgen_tielo";
constexpr const char* kTieHighCell = "accelgen_tiehi";

std::string tcl_port(const std::string& name) { return fmt::format("[get_ports {{{}}}]", name); }

}  // namespace

std::string resolve_liberty(const std::string& explicit_path) {
  std::string path = explicit_path;
  if (path.empty()) {
    const char* env = std::getenv("ACCELGEN_LIBERTY");
    path = env && *env ? env : kDefaultLiberty;
  }
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw UserError(fmt::format("standard-cell library '{}' is missing: install the Debian package qflow-tech-osu018 "
                                "(scripts/setup.sh) or set ACCELGEN_LIBERTY", path));
  return path;
}

std::string resolve_sta(const std::string& explicit_program) {
  std::string program = explicit_program;
  if (program.empty()) {
    const char* env = std::getenv("ACCELGEN_STA");
    program = env && *env ? env : "sta";
  }
  std::string found = find_program(program);
  if (found.empty())
    throw UserError(fmt::format("OpenSTA '{}' is missing: install the Debian package opensta (scripts/setup.sh) "
                                "or set ACCELGEN_STA", program));
  return found;
}

std::map<std::string, double> read_liberty_areas(const std::string& liberty_path) {
  std::map<std::string, double> areas;
  for (const auto& [name, cell] : read_liberty_cells(liberty_path)) areas[name] = cell.area;
  return areas;
}

nlohmann::json StdCellResult::to_json() const {
  nlohmann::json mems = nlohmann::json::array();
  for (const auto& m : memories)
    mems.push_back({{"cell", m.cell},
                    {"memid", m.memid},
                    {"words", m.shape.words},
                    {"width", m.shape.width},
                    {"read_ports", m.shape.read_ports},
                    {"write_ports", m.shape.write_ports},
                    {"sync_read", m.shape.sync_read},
                    {"instances", m.instances},
                    {"per_instance", m.estimate.to_json()}});
  return {{"liberty", liberty},
          {"cells", cells},
          {"flip_flops", flip_flops},
          {"cell_counts", cell_counts},
          {"module_area_um2", module_area_um2},
          {"area_um2", area_um2},
          {"logic_area_um2", logic_area_um2},
          {"flip_flop_area_um2", flip_flop_area_um2},
          {"memory_area_um2", memory_area_um2},
          {"memories", mems},
          {"sram_model", sram_model_name()},
          {"sram_model_source", sram_model_source()},
          {"logic_path_ns", logic_path_ns},
          {"memory_access_ns", memory_access_ns},
          {"critical_path_ns", critical_path_ns},
          {"start_point", start_point},
          {"end_point", end_point},
          {"fmax_mhz", fmax_mhz},
          {"clock_ns", clock_ns},
          {"slack_ns", slack_ns},
          {"logic_dynamic_pj_per_cycle", logic_dynamic_pj_per_cycle},
          {"logic_leakage_mw", logic_leakage_mw},
          {"memory_pj_per_cycle", memory_pj_per_cycle},
          {"logic_power_mw", logic_power_mw},
          {"memory_power_mw", memory_power_mw},
          {"power_mw", power_mw},
          {"power_at_clock_mw", power_at_clock_mw},
          {"activity_source", activity_source},
          {"mean_input_activity", mean_input_activity},
          {"sta_method", sta_method},
          {"hier", hier},
          {"buffer_tree", buffer_tree},
          {"netlist", netlist},
          {"yosys_seconds", yosys_seconds},
          {"sta_seconds", sta_seconds}};
}

StdCellResult stdcell_ppa(const DesignDir& design, const StdCellOptions& o) {
  StdCellResult r;
  r.liberty = resolve_liberty(o.liberty);
  const std::string sta = resolve_sta(o.sta);
  if (o.clock_ns < 0) throw UserError("--clock-ns must be positive");
  if (o.sta_mode != "flat" && o.sta_mode != "hier" && o.sta_mode != "auto")
    throw UserError(fmt::format("--sta-mode must be flat, hier or auto, not '{}'", o.sta_mode));
  const auto lib = read_liberty_cells(r.liberty);
  const fs::path work = fs::absolute(o.work_dir.empty() ? fs::path(design.dir) / "stdcell" : fs::path(o.work_dir));
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) throw UserError(fmt::format("cannot create '{}'", work.string()));
  const auto t0 = std::chrono::steady_clock::now();

  // Pass 1: which memories are large enough to be macros.
  std::vector<MacroShape> shapes;
  std::map<MacroShape, std::string> memid_of;
  if (o.macro_min_bits > 0) {
    const fs::path dump = work / "memories.txt";
    fs::remove(dump, ec);
    run_yosys(work / "memories.ys",
              read_and_elaborate(design, "") + fmt::format("tee -q -o {} dump t:$mem_v2;\n", dump.string()),
              fmt::format("memory inference of '{}'", design.dir));
    for (const MemCell& m : parse_mem_dump(fs::exists(dump) ? read_text(dump.string()) : "")) {
      if (m.size * m.width < o.macro_min_bits || m.rd_ports < 1 || m.wr_ports < 1) continue;
      MacroShape s{m.size, m.width, m.abits, m.rd_ports, m.wr_ports, m.sync};
      if (!memid_of.count(s)) shapes.push_back(s);
      memid_of[s] = memid_of.count(s) ? memid_of[s] : m.memid;
    }
  }

  // Pass 2: map onto the library with the macros as black boxes.
  std::string script;
  std::string bb;
  if (!shapes.empty()) {
    bb = (work / "macros_bb.v").string();
    write_text(bb, macro_blackboxes(shapes));
    write_text(work / "macros_map.v", macro_techmap(shapes));
  }
  script = read_and_elaborate(design, bb);
  if (!shapes.empty()) script += fmt::format("techmap -map {} t:$mem_v2;\n", (work / "macros_map.v").string());
  std::string abc_options = o.abc_fast ? " -fast" : "";
  if (o.buffer) {
    const fs::path constr = work / "abc.constr";
    write_text(constr,
               fmt::format("set_driving_cell {}\nset_load {}\n", kBufferCell, kBufferInputPf));
    abc_options += fmt::format(" -constr {} -D {:.0f}", constr.string(),
                               (o.clock_ns > 0 ? o.clock_ns : 10.0) * 1e3);
  }
  const fs::path stat_path = work / "stat.txt";
  const fs::path net = work / "netlist.v";
  script += fmt::format(
      "synth -top {0}{1};\ndfflibmap -liberty {2};\nabc{8} -liberty {2};\nopt_clean -purge;\n"
      // Constant pins crash OpenSTA 2019-11's activity propagation in report_power (constant 0
      // always; constant 1 on the 4x4 NoC) and the library has no tie cell: one zero-area tie-low
      // and one tie-high black box per module drive them (timing sees no path through them).
      "hilomap -singleton -hicell {7} Y -locell {6} Y;\n"
      // OpenSTA's Verilog reader takes no concatenation on the left of an assign: split the nets
      // and turn the remaining wire-to-wire assigns into buffers.
      "splitnets;\nopt_clean -purge;\ninsbuf -buf {5} A Y;\nopt_clean -purge;\n",
      design.top, o.flatten ? " -flatten" : "", r.liberty, stat_path.string(), net.string(),
      kBufferCell, kTieLowCell, kTieHighCell, abc_options);
  // Statistics and the Verilog netlist: straight from the mapping, or after the buffer trees.
  const std::string report = fmt::format("tee -q -o {} stat -liberty {} -top {};\nwrite_verilog -noattr -noexpr {};\n",
                                         stat_path.string(), r.liberty, design.top, net.string());
  const fs::path mapped_json = work / "mapped.json", buffered_json = work / "buffered.json";
  script += o.buffer_tree ? fmt::format("write_json {};\n", mapped_json.string()) : report;
  run_yosys(work / "synth.ys", script, fmt::format("standard-cell synthesis of '{}'", design.dir));
  if (o.buffer_tree) {
    BufferTreeOptions bo;
    bo.max_fanout = o.max_fanout;
    r.buffer_tree = insert_buffer_trees(mapped_json.string(), buffered_json.string(), r.liberty, bo).to_json();
    run_yosys(work / "buffered.ys", fmt::format("read_json {};\n", buffered_json.string()) + report,
              fmt::format("reading the buffered netlist of '{}'", design.dir));
  }
  r.yosys_seconds = seconds_since(t0);
  r.netlist = net.string();

  const std::string stat_text = read_text(stat_path.string());
  r.cell_counts = parse_cell_counts(stat_text);
  r.module_area_um2 = parse_module_areas(stat_text);
  if (r.cell_counts.empty()) throw UserError(fmt::format("could not read Yosys statistics in '{}'", stat_path.string()));
  for (const auto& [name, count] : r.cell_counts) {
    if (name == kTieLowCell || name == kTieHighCell) continue;
    auto it = lib.find(name);
    if (it == lib.end()) {
      bool macro = false;
      for (const auto& s : shapes)
        if (macro_cell_name(s) == name) {
          SramMacro m;
          m.cell = name;
          m.memid = memid_of[s];
          m.shape = {s.size, s.width, s.rd, s.wr, s.sync};
          m.instances = count;
          m.estimate = estimate_sram(m.shape);
          r.memories.push_back(m);
          macro = true;
        }
      if (!macro)
        throw UserError(fmt::format("the mapped netlist of '{}' holds '{}', which '{}' does not define", design.dir,
                                    name, r.liberty));
      continue;
    }
    r.cells += count;
    r.logic_area_um2 += it->second.area * static_cast<double>(count);
    if (it->second.sequential) {
      r.flip_flops += count;
      r.flip_flop_area_um2 += it->second.area * static_cast<double>(count);
    }
  }
  for (const auto& m : r.memories) {
    r.memory_area_um2 += m.estimate.area_um2 * static_cast<double>(m.instances);
    r.memory_access_ns = std::max(r.memory_access_ns, m.estimate.access_ns);
    r.memory_pj_per_cycle +=
        static_cast<double>(m.instances) * (m.shape.read_ports * m.estimate.read_pj + m.shape.write_ports * m.estimate.write_pj);
  }
  r.area_um2 = r.logic_area_um2 + r.memory_area_um2;

  // OpenSTA: timing at the target (or a 10 ns reference) and power at the same period.
  const double period = o.clock_ns > 0 ? o.clock_ns : 10.0;
  std::string tcl = fmt::format(
      "link_design {}\n"
      "create_clock -name clk -period {} [get_ports clk_i]\n"
      "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk_i]]\n"
      "set_output_delay 0 -clock clk [all_outputs]\n"
      "set_false_path -from [get_ports rst_ni]\n"
      "report_checks -path_delay max -digits 4\n"
      "set_power_activity -input -activity {} -duty 0.5\n"
      "set_power_activity -input_ports [get_ports rst_ni] -activity 0 -duty 1\n",
      design.top, period, o.default_activity);
  double weighted = 0, bits = 0;
  for (const auto& a : o.input_activity) {
    if (a.rate < 0 || a.rate > 1) throw UserError(fmt::format("activity of port '{}' must lie in [0, 1]", a.port));
    tcl += fmt::format("set_power_activity -input_ports {} -activity {:.6f} -duty 0.5\n", tcl_port(a.port), a.rate);
    weighted += a.rate * a.width;
    bits += a.width;
  }
  r.mean_input_activity = bits > 0 ? weighted / bits : o.default_activity;
  tcl += "report_power -digits 6\nexit\n";
  const bool hier = o.sta_mode == "hier" || (o.sta_mode == "auto" && r.cells >= kHierStaMinCells);
  r.sta_method = hier ? "hier" : "flat";
  HierSta h;
  if (hier) {
    // Repeated modules become extracted timing models; the top is timed with them linked.
    h = prepare_hier_sta(
        {sta, r.liberty, net.string(), design.top, work.string(), period, r.mean_input_activity});
    tcl = h.top_tcl_prefix + tcl;
  } else {
    tcl = fmt::format("read_liberty {{{}}}\nread_verilog {{{}}}\n", r.liberty, net.string()) + tcl;
  }
  write_text(work / "sta.tcl", tcl);
  const auto t1 = std::chrono::steady_clock::now();
  ProcessResult s = run_process({sta, "-no_splash", "-exit", (work / "sta.tcl").string()});
  r.sta_seconds = seconds_since(t1);
  write_text(work / "sta.log", s.output);
  if (s.exit_code != 0 || s.output.find("Error") != std::string::npos)
    throw UserError(fmt::format("OpenSTA on '{}' failed: {}", net.string(), first_error(s.output, "see sta.log")));

  std::smatch m;
  static const std::regex start_re(R"(Startpoint: (\S+))"), end_re(R"(Endpoint: (\S+))");
  static const std::regex slack_re(R"(\n\s*(-?[0-9.]+)\s+slack \((?:MET|VIOLATED)\))");
  if (std::regex_search(s.output, m, start_re)) r.start_point = m[1].str();
  if (std::regex_search(s.output, m, end_re)) r.end_point = m[1].str();
  if (std::regex_search(s.output, m, slack_re)) r.logic_path_ns = period - std::stod(m[1].str());
  double internal_w = 0, switching_w = 0, leakage_w = 0;
  if (!parse_sta_power_total(s.output, &internal_w, &switching_w, &leakage_w))
    throw UserError(
        fmt::format("could not read OpenSTA's power report in '{}'", (work / "sta.log").string()));
  r.logic_dynamic_pj_per_cycle = (internal_w + switching_w) * period * 1e3;  // W * ns = nJ; * 1e3 = pJ
  r.logic_leakage_mw = leakage_w * 1e3;
  if (hier) {
    // The abstracted modules' own paths and power, over all their instances.
    if (h.internal_path_ns > r.logic_path_ns) {
      r.logic_path_ns = h.internal_path_ns;
      r.start_point = h.internal_start;
      r.end_point = h.internal_end;
    }
    r.logic_dynamic_pj_per_cycle += h.dynamic_pj_per_cycle;
    r.logic_leakage_mw += h.leakage_mw;
    r.hier = h.to_json();
  }

  r.critical_path_ns = std::max(r.logic_path_ns, r.memory_access_ns);
  if (r.critical_path_ns <= 0)
    throw UserError(fmt::format("OpenSTA found no constrained path in '{}' (see {})", net.string(), (work / "sta.log").string()));
  r.fmax_mhz = 1e3 / r.critical_path_ns;
  r.clock_ns = o.clock_ns;
  if (o.clock_ns > 0) r.slack_ns = o.clock_ns - r.critical_path_ns;
  auto power_at = [&](double ns, double* logic, double* memory) {
    *logic = r.logic_dynamic_pj_per_cycle / ns + r.logic_leakage_mw;  // pJ / ns = mW
    *memory = r.memory_pj_per_cycle / ns;
  };
  power_at(r.critical_path_ns, &r.logic_power_mw, &r.memory_power_mw);
  r.power_mw = r.logic_power_mw + r.memory_power_mw;
  if (o.clock_ns > 0) {
    double l = 0, mm = 0;
    power_at(o.clock_ns, &l, &mm);
    r.power_at_clock_mw = l + mm;
  }
  r.activity_source = o.activity_source;
  return r;
}

}  // namespace accelgen
