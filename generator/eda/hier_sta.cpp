#include "generator/eda/hier_sta.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/process.hpp"

namespace accelgen {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("cannot read '{}'", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  if (!out || !(out << text)) throw UserError(fmt::format("cannot write '{}'", path.string()));
}

bool parse_sta_power_total(const std::string& report, double* internal_w, double* switching_w,
                           double* leakage_w) {
  static const std::regex total_re(
      R"(\nTotal\s+([0-9.eE+-]+)\s+([0-9.eE+-]+)\s+([0-9.eE+-]+)\s+([0-9.eE+-]+))");
  std::smatch m;
  if (!std::regex_search(report, m, total_re)) return false;
  *internal_w = std::stod(m[1].str());
  *switching_w = std::stod(m[2].str());
  *leakage_w = std::stod(m[3].str());
  return true;
}

namespace {

// Characterization points: input transitions (ns) for the setup tables, output loads (pF) for the
// clock-to-output tables. They span the OSU tables' own ranges and go far beyond them, because
// the unbuffered nets of a large array (a direction bit into every PE) reach thousands of pF.
constexpr double kSlews[] = {0, 0.06, 0.24, 0.48, 0.9, 1.8, 4, 10, 25, 60, 200, 1000, 5000};
constexpr double kLoads[] = {0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000};
constexpr size_t kNumSlews = std::size(kSlews);
constexpr size_t kNumLoads = std::size(kLoads);

struct Port {
  std::string name;
  bool input = true;
  bool bus = false;
  int msb = 0, lsb = 0;
};

struct NetModule {
  std::string name;
  std::string text;
  std::vector<Port> ports;
  std::vector<std::string> instance_types;  // every instance's type, cells included
};

// Splits Yosys's write_verilog output into its modules.
std::map<std::string, NetModule> split_netlist(const std::string& netlist) {
  std::map<std::string, NetModule> modules;
  static const std::regex module_re(R"(^module\s+(\S+?)\s*\(.*)");
  static const std::regex port_re(
      R"(^\s*(input|output|inout)\s+(?:\[(\d+):(\d+)\]\s+)?(\S+);\s*$)");
  static const std::regex inst_re(R"(^\s+(\S+)\s+(\S+)\s*\(\s*$)");
  std::istringstream lines(netlist);
  NetModule* cur = nullptr;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!cur && std::regex_match(line, m, module_re)) {
      cur = &modules[m[1].str()];
      cur->name = m[1].str();
    }
    if (!cur) continue;
    cur->text += line + "\n";
    if (line.rfind("endmodule", 0) == 0) {
      cur = nullptr;
    } else if (std::regex_match(line, m, port_re)) {
      Port p;
      p.name = m[4].str();
      p.input = m[1].str() == "input";
      p.bus = m[2].matched;
      if (p.bus) {
        p.msb = std::stoi(m[2].str());
        p.lsb = std::stoi(m[3].str());
      }
      cur->ports.push_back(p);
    } else if (std::regex_match(line, m, inst_re)) {
      cur->instance_types.push_back(m[1].str());
    }
  }
  return modules;
}

std::string join_numbers(const double* v, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += fmt::format("{}{:.6g}", i ? ", " : "", v[i]);
  return s;
}

// A port bit's measurements.
struct PinTiming {
  double cap_rise = 0, cap_fall = 0;  // pF
  bool constrained = true;
  std::vector<double> rise, fall;            // setup (inputs) or clock-to-output delay (outputs)
  std::vector<double> rise_tran, fall_tran;  // outputs
};

// Parses OpenSTA's number (a value it prints for an unconstrained pin is huge or not a number).
bool finite_value(const std::string& text, double* v) {
  try {
    *v = std::stod(text);
  } catch (const std::exception&) {
    return false;
  }
  return std::abs(*v) < 1e20;  // OpenSTA reports 1e30 where there is no path
}

std::string bus_type_name(const Port& p) { return fmt::format("accelgen_bus_{}_{}", p.msb, p.lsb); }

std::string pin_group(const std::string& bit, const PinTiming& t, bool input) {
  std::string s = fmt::format("      pin ({}) {{\n", bit);
  if (input)
    s += fmt::format(
        "        capacitance : {0:.6g};\n        rise_capacitance : {0:.6g};\n        "
        "fall_capacitance : {1:.6g};\n",
        t.cap_rise, t.cap_fall);
  if (t.constrained && !t.rise.empty()) {
    auto table = [](const char* kind, const char* tmpl, const std::vector<double>& v) {
      return fmt::format("          {} ({}) {{ values (\"{}\"); }}\n", kind, tmpl,
                         join_numbers(v.data(), v.size()));
    };
    s += "        timing () {\n          related_pin : \"clk_i\";\n";
    if (input) {
      s += "          timing_type : setup_rising;\n";
      s += table("rise_constraint", "accelgen_setup", t.rise) +
           table("fall_constraint", "accelgen_setup", t.fall);
    } else {
      s += "          timing_type : rising_edge;\n          timing_sense : non_unate;\n";
      s += table("cell_rise", "accelgen_load", t.rise) +
           table("rise_transition", "accelgen_load", t.rise_tran) +
           table("cell_fall", "accelgen_load", t.fall) +
           table("fall_transition", "accelgen_load", t.fall_tran);
    }
    s += "        }\n";
  }
  s += "      }\n";
  return s;
}

// The liberty text of one module's extracted model.
std::string model_liberty(const NetModule& m, const std::map<std::string, PinTiming>& pins) {
  std::string s = fmt::format(
      "/* Extracted timing model of module {0}, written by accelgen synth "
      "(generator/eda/hier_sta.cpp). */\n"
      "library (accelgen_model_{0}) {{\n"
      "  delay_model : table_lookup;\n  time_unit : \"1ns\";\n  voltage_unit : \"1V\";\n  "
      "current_unit : \"1uA\";\n"
      "  pulling_resistance_unit : \"1kohm\";\n  leakage_power_unit : \"1nW\";\n  "
      "capacitive_load_unit (1,pf);\n"
      "  slew_upper_threshold_pct_rise : 80;\n  slew_lower_threshold_pct_rise : 20;\n"
      "  slew_upper_threshold_pct_fall : 80;\n  slew_lower_threshold_pct_fall : 20;\n"
      "  input_threshold_pct_rise : 50;\n  input_threshold_pct_fall : 50;\n"
      "  output_threshold_pct_rise : 50;\n  output_threshold_pct_fall : 50;\n"
      "  lu_table_template (accelgen_setup) {{\n    variable_1 : constrained_pin_transition;\n    "
      "index_1 (\"{1}\");\n  }}\n"
      "  lu_table_template (accelgen_load) {{\n    variable_1 : total_output_net_capacitance;\n    "
      "index_1 (\"{2}\");\n  }}\n",
      m.name, join_numbers(kSlews, kNumSlews), join_numbers(kLoads, kNumLoads));
  std::set<std::string> types;
  for (const Port& p : m.ports)
    if (p.bus && types.insert(bus_type_name(p)).second)
      s += fmt::format(
          "  type ({}) {{\n    base_type : array;\n    data_type : bit;\n    bit_width : {};\n    "
          "bit_from : {};\n"
          "    bit_to : {};\n    downto : {};\n  }}\n",
          bus_type_name(p), std::abs(p.msb - p.lsb) + 1, p.msb, p.lsb,
          p.msb >= p.lsb ? "true" : "false");
  s += fmt::format("  cell ({}) {{\n    area : 0;\n", m.name);
  const PinTiming none;
  auto timing_of = [&](const std::string& bit) -> const PinTiming& {
    auto it = pins.find(bit);
    return it == pins.end() ? none : it->second;
  };
  for (const Port& p : m.ports) {
    const char* dir = p.input ? "input" : "output";
    if (!p.bus) {
      std::string g = pin_group(p.name, timing_of(p.name), p.input);
      g.insert(g.find('\n') + 1, fmt::format("        direction : {};\n{}", dir,
                                             p.name == "clk_i" ? "        clock : true;\n" : ""));
      s += g;
      continue;
    }
    s += fmt::format("    bus ({}) {{\n      bus_type : {};\n      direction : {};\n", p.name,
                     bus_type_name(p), dir);
    const int step = p.msb >= p.lsb ? -1 : 1;
    for (int b = p.msb;; b += step) {
      const std::string bit = fmt::format("{}[{}]", p.name, b);
      s += pin_group(bit, timing_of(bit), p.input);
      if (b == p.lsb) break;
    }
    s += "    }\n";
  }
  s += "  }\n}\n";
  return s;
}

bool plain_identifier(const std::string& name) {
  static const std::regex id_re(R"([A-Za-z_][A-Za-z0-9_]*)");
  return std::regex_match(name, id_re);
}

}  // namespace

nlohmann::json HierSta::to_json() const {
  nlohmann::json mods = nlohmann::json::array();
  for (const auto& m : modules)
    mods.push_back({{"module", m.name},
                    {"instances", m.instances},
                    {"abstracted", m.abstracted},
                    {"reason", m.reason},
                    {"internal_path_ns", m.internal_path_ns},
                    {"internal_start", m.internal_start},
                    {"internal_end", m.internal_end},
                    {"dynamic_pj_per_cycle", m.dynamic_pj_per_cycle},
                    {"leakage_mw", m.leakage_mw},
                    {"model", m.model},
                    {"sta_seconds", m.sta_seconds}});
  return {{"modules", mods},
          {"internal_path_ns", internal_path_ns},
          {"internal_start", internal_start},
          {"internal_end", internal_end},
          {"dynamic_pj_per_cycle", dynamic_pj_per_cycle},
          {"leakage_mw", leakage_mw}};
}

HierSta prepare_hier_sta(const HierStaSetup& setup) {
  const fs::path work = fs::path(setup.work_dir) / "hier";
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) throw UserError(fmt::format("cannot create '{}'", work.string()));
  const std::map<std::string, NetModule> modules = split_netlist(read_text(setup.netlist));
  if (!modules.count(setup.top))
    throw UserError(fmt::format("the netlist '{}' has no module '{}'", setup.netlist, setup.top));

  // Post-order (children first) from the top, and instance counts over the whole hierarchy.
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    for (const auto& t : modules.at(name).instance_types)
      if (modules.count(t)) visit(t);
    order.push_back(name);
  };
  visit(setup.top);
  std::map<std::string, int64_t> count{{setup.top, 1}};
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    for (const auto& t : modules.at(*it).instance_types)
      if (modules.count(t)) count[t] += count[*it];

  HierSta h;
  std::set<std::string> abstracted;
  // The netlist of NAME and its modules that are not abstracted.
  auto closure_netlist = [&](const std::string& name) {
    std::string text;
    std::set<std::string> done;
    std::function<void(const std::string&)> add = [&](const std::string& n) {
      if (!done.insert(n).second) return;
      text += modules.at(n).text;
      for (const auto& t : modules.at(n).instance_types)
        if (modules.count(t) && !abstracted.count(t)) add(t);
    };
    add(name);
    return text;
  };
  auto read_models = [&] {
    std::string s = fmt::format("read_liberty {{{}}}\n", setup.liberty);
    for (const auto& m : h.modules)
      if (m.abstracted) s += fmt::format("read_liberty {{{}}}\n", m.model);
    return s;
  };

  for (const std::string& name : order) {
    if (name == setup.top) continue;
    const NetModule& nm = modules.at(name);
    HierStaModule hm;
    hm.name = name;
    hm.instances = count[name];
    const bool has_clk = std::any_of(nm.ports.begin(), nm.ports.end(),
                                     [](const Port& p) { return p.name == "clk_i"; });
    const bool has_rst = std::any_of(nm.ports.begin(), nm.ports.end(),
                                     [](const Port& p) { return p.name == "rst_ni"; });
    if (!plain_identifier(name))
      hm.reason = "not a plain identifier (a parameterized module)";
    else if (!has_clk)
      hm.reason = "no clk_i port";
    if (!hm.reason.empty()) {
      h.modules.push_back(hm);
      continue;
    }
    const fs::path net = work / (name + ".v");
    write_text(net, closure_netlist(name));
    const std::string ctrl = has_rst ? "{clk_i rst_ni}" : "{clk_i}";
    std::string tcl =
        read_models() + fmt::format("read_verilog {{{}}}\nlink_design {}\n", net.string(), name);
    tcl += fmt::format(
        "create_clock -name clk -period {0} [get_ports clk_i]\n"
        "{1}"
        "set din [delete_from_list [all_inputs] [get_ports {2}]]\n"
        "set dout [all_outputs]\n"
        "set corner [sta::cmd_corner]\n"
        "set accelgen_ok 1\n"
        "foreach p [all_inputs] {{\n"
        "  set n [get_nets -quiet [get_full_name $p]]\n"
        "  if {{$n == \"\"}} {{ continue }}\n"
        "  puts \"ACCELGEN_CAP [get_full_name $p] [$n pin_capacitance rise $corner max] [$n "
        "pin_capacitance fall $corner max]\"\n"
        "}}\n"
        "foreach o $dout {{\n"
        "  set n [get_nets -quiet [get_full_name $o]]\n"
        "  if {{$n == \"\"}} {{ continue }}\n"
        "  foreach q [get_pins -quiet -of_objects $n] {{\n"
        "    if {{[get_property $q direction] == \"input\"}} {{ puts \"ACCELGEN_FEEDBACK "
        "[get_full_name $o]\"; set accelgen_ok 0; break }}\n"
        "  }}\n"
        "}}\n"
        // Internal register-to-register paths: no input or output constraints yet.
        "foreach pe [find_timing_paths -path_delay max -group_count 1] {{\n"
        "  puts \"ACCELGEN_INTERNAL [get_property $pe slack] [get_full_name [get_property $pe "
        "startpoint]] "
        "[get_full_name [get_property $pe endpoint]]\"\n"
        "}}\n"
        "if {{[llength $din] > 0}} {{ set_input_delay 0 -clock clk $din }}\n"
        "if {{[llength $dout] > 0}} {{ set_output_delay 0 -clock clk $dout }}\n"
        "if {{[llength $din] > 0 && [llength $dout] > 0}} {{\n"
        "  foreach pe [find_timing_paths -from $din -to $dout -path_delay max -group_count 1] {{\n"
        "    puts \"ACCELGEN_COMB [get_full_name [get_property $pe startpoint]] [get_full_name "
        "[get_property $pe endpoint]]\"\n"
        "    set accelgen_ok 0\n"
        "  }}\n"
        "}}\n"
        // Not abstracted: no characterization.
        "if {{!$accelgen_ok}} {{ exit }}\n"
        "foreach s {{{3}}} {{\n"
        "  if {{[llength $din] == 0}} {{ break }}\n"
        "  set_input_transition $s $din\n"
        "  foreach p $din {{ puts \"ACCELGEN_IN [get_full_name $p] [get_property $p "
        "max_rise_slack] [get_property $p max_fall_slack]\" }}\n"
        "}}\n"
        "if {{[llength $din] > 0}} {{ set_input_transition 0 $din }}\n"
        "foreach l {{{4}}} {{\n"
        "  if {{[llength $dout] == 0}} {{ break }}\n"
        "  set_load $l $dout\n"
        "  foreach o $dout {{ puts \"ACCELGEN_OUT [get_full_name $o] [get_property $o "
        "max_rise_slack] [get_property $o max_fall_slack] "
        "[get_property $o actual_rise_transition_max] [get_property $o "
        "actual_fall_transition_max]\" }}\n"
        "}}\n"
        "if {{[llength $dout] > 0}} {{ set_load 0 $dout }}\n"
        "set_power_activity -input -activity {5} -duty 0.5\n"
        "{6}"
        "report_power -digits 6\n",
        setup.period_ns, has_rst ? "set_false_path -from [get_ports rst_ni]\n" : "", ctrl,
        fmt::format("{}", fmt::join(kSlews, " ")), fmt::format("{}", fmt::join(kLoads, " ")),
        setup.module_input_activity,
        has_rst ? "set_power_activity -input_ports [get_ports rst_ni] -activity 0 -duty 1\n" : "");
    const fs::path tcl_path = work / (name + ".tcl");
    write_text(tcl_path, tcl);
    const auto t0 = std::chrono::steady_clock::now();
    ProcessResult r = run_process({setup.sta, "-no_splash", "-exit", tcl_path.string()});
    hm.sta_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_text(work / (name + ".log"), r.output);
    if (r.exit_code != 0 || r.output.find("Error") != std::string::npos)
      throw UserError(fmt::format("OpenSTA on module '{}' failed (see {})", name,
                                  (work / (name + ".log")).string()));

    std::map<std::string, PinTiming> pins;
    std::istringstream lines(r.output);
    bool comb = false;
    std::string feedback;
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string tag, pin, a, b, c, d;
      f >> tag >> pin >> a >> b >> c >> d;
      double va = 0, vb = 0, vc = 0, vd = 0;
      if (tag == "ACCELGEN_CAP") {
        pins[pin].cap_rise = std::stod(a) * 1e12;  // F -> pF
        pins[pin].cap_fall = std::stod(b) * 1e12;
      } else if (tag == "ACCELGEN_FEEDBACK") {
        feedback = pin;
      } else if (tag == "ACCELGEN_COMB") {
        comb = true;
        hm.reason = fmt::format("combinational path {} -> {}", pin, a);
      } else if (tag == "ACCELGEN_INTERNAL") {
        // "INTERNAL slack start end": here PIN holds the slack.
        if (finite_value(pin, &va)) {
          hm.internal_path_ns = setup.period_ns - va;
          hm.internal_start = a;
          hm.internal_end = b;
        }
      } else if (tag == "ACCELGEN_IN") {
        PinTiming& t = pins[pin];
        if (!finite_value(a, &va) || !finite_value(b, &vb)) {
          t.constrained = false;
          continue;
        }
        t.rise.push_back(setup.period_ns - va);
        t.fall.push_back(setup.period_ns - vb);
      } else if (tag == "ACCELGEN_OUT") {
        PinTiming& t = pins[pin];
        if (!finite_value(a, &va) || !finite_value(b, &vb) || !finite_value(c, &vc) ||
            !finite_value(d, &vd)) {
          t.constrained = false;
          continue;
        }
        t.rise.push_back(setup.period_ns - va);
        t.fall.push_back(setup.period_ns - vb);
        t.rise_tran.push_back(vc);
        t.fall_tran.push_back(vd);
      }
    }
    if (!comb && !feedback.empty())
      hm.reason = fmt::format("output {} also feeds the module's own logic", feedback);
    if (hm.reason.empty()) {
      double internal_w = 0, switching_w = 0, leakage_w = 0;
      if (!parse_sta_power_total(r.output, &internal_w, &switching_w, &leakage_w))
        throw UserError(fmt::format("could not read OpenSTA's power report in '{}'",
                                    (work / (name + ".log")).string()));
      for (auto& [pin, t] : pins) {
        const bool input = !t.rise_tran.empty() ? false : true;
        const size_t want = input ? kNumSlews : kNumLoads;
        if (t.constrained && !t.rise.empty() && t.rise.size() != want)
          throw UserError(fmt::format("OpenSTA on module '{}': {} of {} points for pin {}", name,
                                      t.rise.size(), want, pin));
      }
      hm.abstracted = true;
      hm.model = (work / (name + ".lib")).string();
      write_text(hm.model, model_liberty(nm, pins));
      abstracted.insert(name);
      hm.dynamic_pj_per_cycle = (internal_w + switching_w) * setup.period_ns * 1e3;  // W * ns = nJ
      hm.leakage_mw = leakage_w * 1e3;
      const double n = static_cast<double>(hm.instances);
      h.dynamic_pj_per_cycle += n * hm.dynamic_pj_per_cycle;
      h.leakage_mw += n * hm.leakage_mw;
      if (hm.internal_path_ns > h.internal_path_ns) {
        h.internal_path_ns = hm.internal_path_ns;
        h.internal_start = fmt::format("{}:{}", name, hm.internal_start);
        h.internal_end = fmt::format("{}:{}", name, hm.internal_end);
      }
    }
    h.modules.push_back(hm);
  }
  const fs::path top_net = work / (setup.top + ".v");
  write_text(top_net, closure_netlist(setup.top));
  h.top_tcl_prefix = read_models() + fmt::format("read_verilog {{{}}}\n", top_net.string());
  return h;
}

}  // namespace accelgen
