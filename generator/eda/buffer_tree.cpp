#include "generator/eda/buffer_tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"

namespace accelgen {

namespace {

using nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("cannot read '{}'", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- liberty: pins and the buffer's delay table ------------------------------------------

struct Pin {
  bool input = false, output = false, clock = false;
  double cap = 0;  // pF
};

struct LibertyPins {
  std::map<std::string, std::map<std::string, Pin>> cells;
  std::map<std::string, std::string> bodies;  // cell name -> its text (for the buffer's tables)
  std::string text;
};

// Splits TEXT at the matches of RE: (name, body up to the next match).
std::vector<std::pair<std::string, std::string>> split_groups(const std::string& text,
                                                              const std::regex& re) {
  std::vector<std::pair<size_t, std::string>> starts;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    starts.emplace_back(static_cast<size_t>(it->position(0)), (*it)[1].str());
  std::vector<std::pair<std::string, std::string>> groups;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1].first : text.size();
    groups.emplace_back(starts[i].second, text.substr(starts[i].first, end - starts[i].first));
  }
  return groups;
}

LibertyPins read_liberty_pins(const std::string& path) {
  LibertyPins lib;
  lib.text = slurp(path);
  static const std::regex cell_re(R"re(\bcell\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\))re");
  static const std::regex pin_re(R"re(\bpin\s*\(\s*"?([A-Za-z0-9_]+)"?\s*\))re");
  static const std::regex dir_re(R"(\bdirection\s*:\s*"?(\w+))");
  static const std::regex cap_re(R"(\bcapacitance\s*:\s*([0-9.eE+-]+))");
  static const std::regex clock_re(R"(\bclock\s*:\s*"?true)");
  for (const auto& [cell, body] : split_groups(lib.text, cell_re)) {
    lib.bodies[cell] = body;
    auto& pins = lib.cells[cell];
    for (const auto& [pin, pbody] : split_groups(body, pin_re)) {
      Pin p;
      std::smatch m;
      if (std::regex_search(pbody, m, dir_re)) {
        p.input = m[1].str() == "input" || m[1].str() == "inout";
        p.output = m[1].str() == "output" || m[1].str() == "inout";
      }
      if (std::regex_search(pbody, m, cap_re)) p.cap = std::stod(m[1].str());
      p.clock = std::regex_search(pbody, clock_re);
      pins[pin] = p;
    }
  }
  if (lib.cells.empty()) throw UserError(fmt::format("'{}' defines no liberty cells", path));
  return lib;
}

std::vector<double> numbers(const std::string& s) {
  std::vector<double> v;
  static const std::regex num_re(R"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), num_re); it != std::sregex_iterator();
       ++it)
    v.push_back(std::stod(it->str()));
  return v;
}

// (output capacitance, delay averaged over input transitions) of every cell_rise / cell_fall table
// in BODY whose template names total_output_net_capacitance as one of its variables.
std::vector<std::pair<double, double>> delay_points(const std::string& library,
                                                    const std::string& body) {
  std::vector<std::pair<double, double>> points;
  static const std::regex table_re(
      R"re(\bcell_(?:rise|fall)\s*\(\s*"?(\w+)"?\s*\)\s*\{([^}]*)\})re");
  static const std::regex idx1_re(R"re(index_1\s*\(\s*"([^"]*)"\s*\))re"),
      idx2_re(R"re(index_2\s*\(\s*"([^"]*)"\s*\))re");
  static const std::regex values_re(R"(values\s*\(([^)]*)\))");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), table_re);
       it != std::sregex_iterator(); ++it) {
    const std::string tmpl = (*it)[1].str(), table = (*it)[2].str();
    const std::regex tmpl_re("lu_table_template\\s*\\(\\s*\"?" + tmpl +
                             "\"?\\s*\\)\\s*\\{([^}]*)\\}");
    std::smatch t, i1, i2, vals;
    if (!std::regex_search(library, t, tmpl_re)) continue;
    const std::string tbody = t[1].str();
    const size_t v1 = tbody.find("variable_1"), v2 = tbody.find("variable_2"),
                 cap = tbody.find("total_output_net_capacitance");
    if (cap == std::string::npos || v1 == std::string::npos || v2 == std::string::npos) continue;
    const bool cap_first = (cap > v1) && (cap < v2 || v2 < v1);
    if (!std::regex_search(table, i1, idx1_re) || !std::regex_search(table, i2, idx2_re) ||
        !std::regex_search(table, vals, values_re))
      continue;
    const std::vector<double> a = numbers(i1[1].str()), b = numbers(i2[1].str()),
                              v = numbers(vals[1].str());
    if (v.size() != a.size() * b.size()) continue;
    const std::vector<double>& caps = cap_first ? a : b;
    for (size_t c = 0; c < caps.size(); ++c) {
      double sum = 0;
      const size_t other = cap_first ? b.size() : a.size();
      for (size_t k = 0; k < other; ++k)
        sum += cap_first ? v[c * b.size() + k] : v[k * b.size() + c];
      points.emplace_back(caps[c], sum / static_cast<double>(other));
    }
  }
  return points;
}

bool is_blackbox(const json& module) {
  return module.contains("attributes") && module["attributes"].contains("blackbox");
}

// ---- the pass -------------------------------------------------------------------------------

struct PortBit {
  double cap = 0;  // load the bit presents to a driver outside (after the module's own trees)
  bool clock = false;
};
using PortLoads = std::map<std::string, std::vector<PortBit>>;  // input port -> per bit

struct Load {
  json* arr;  // the connection array holding the bit
  size_t idx;
  double cap;
};

struct Net {
  int drivers = 0;
  bool clock = false, dont_touch = false;
  double fixed = 0;  // output ports of this module: stay on the root net
  std::vector<Load> loads;
};

class Pass {
 public:
  Pass(json& design, const LibertyPins& lib, const BufferTreeResult& params, std::string in_pin,
       std::string out_pin)
      : design_(design),
        lib_(lib),
        p_(params),
        in_pin_(std::move(in_pin)),
        out_pin_(std::move(out_pin)) {}

  BufferTreeResult run() {
    if (!design_.contains("modules") || !design_["modules"].is_object())
      throw UserError("the netlist JSON has no 'modules'");
    for (auto& [name, module] : design_["modules"].items()) visit(name);
    BufferTreeResult r = p_;
    r.module_buffers = buffers_;
    r.module_nets = nets_;
    for (const auto& [m, n] : buffers_) r.buffers_one_instance_each += n;
    return r;
  }

 private:
  json& design_;
  const LibertyPins& lib_;
  BufferTreeResult p_;
  std::string in_pin_, out_pin_;
  std::map<std::string, PortLoads> ports_;
  std::set<std::string> visiting_;
  std::map<std::string, int64_t> buffers_, nets_;

  void visit(const std::string& name) {
    if (ports_.count(name) || visiting_.count(name)) return;
    visiting_.insert(name);
    json& module = design_["modules"][name];
    if (module.contains("cells"))
      for (auto& [cname, cell] : module["cells"].items()) {
        const std::string type = cell.value("type", "");
        if (design_["modules"].contains(type)) visit(type);
      }
    ports_[name] = is_blackbox(module) ? blackbox_ports(module) : buffer_module(name, module);
    visiting_.erase(name);
  }

  // A macro's input pins load like one buffer input each; its clock pins are clocks.
  PortLoads blackbox_ports(const json& module) const {
    PortLoads loads;
    if (!module.contains("ports")) return loads;
    for (const auto& [port, p] : module["ports"].items()) {
      if (p.value("direction", "") != "input") continue;
      const bool clock =
          port.find("CLK") != std::string::npos || port.find("clk") != std::string::npos;
      loads[port].assign(p["bits"].size(), PortBit{p_.buffer_input_pf, clock});
    }
    return loads;
  }

  PortLoads buffer_module(const std::string& name, json& module) {
    std::unordered_map<int64_t, Net> nets;
    int64_t max_bit = 1;
    auto note = [&](const json& bit) -> Net* {
      if (!bit.is_number_integer()) return nullptr;  // constant "0", "1", "x", "z"
      max_bit = std::max(max_bit, bit.get<int64_t>());
      return &nets[bit.get<int64_t>()];
    };
    if (module.contains("netnames"))
      for (auto& [n, net] : module["netnames"].items())
        for (const auto& b : net["bits"]) note(b);
    if (module.contains("ports"))
      for (auto& [port, p] : module["ports"].items()) {
        const std::string dir = p.value("direction", "");
        for (const auto& b : p["bits"]) {
          Net* n = note(b);
          if (!n) continue;
          if (dir == "input")
            ++n->drivers;
          else if (dir == "output")
            n->fixed += p_.buffer_input_pf;
          else
            n->dont_touch = true;
        }
      }
    if (module.contains("cells"))
      for (auto& [cname, cell] : module["cells"].items()) {
        const std::string type = cell.value("type", "");
        const auto lib_cell = lib_.cells.find(type);
        const auto child = ports_.find(type);
        const json* child_ports =
            design_["modules"].contains(type) && design_["modules"][type].contains("ports")
                ? &design_["modules"][type]["ports"]
                : nullptr;
        if (!cell.contains("connections")) continue;
        for (auto& [pin, arr] : cell["connections"].items()) {
          for (size_t i = 0; i < arr.size(); ++i) {
            Net* n = note(arr[i]);
            if (!n) continue;
            if (lib_cell != lib_.cells.end()) {
              const auto pit = lib_cell->second.find(pin);
              if (pit == lib_cell->second.end()) {
                n->dont_touch = true;
                continue;
              }
              if (pit->second.output) ++n->drivers;
              if (pit->second.input) {
                if (pit->second.clock) n->clock = true;
                n->loads.push_back({&arr, i, pit->second.cap});
              }
            } else if (child != ports_.end() && child_ports && child_ports->contains(pin)) {
              const std::string dir = (*child_ports)[pin].value("direction", "");
              if (dir == "output") {
                ++n->drivers;
              } else if (dir == "input") {
                const auto& bits = child->second[pin];
                const PortBit pb = i < bits.size() ? bits[i] : PortBit{p_.buffer_input_pf, false};
                if (pb.clock) n->clock = true;
                n->loads.push_back({&arr, i, pb.cap});
              } else {
                n->dont_touch = true;
              }
            } else {
              n->dont_touch =
                  true;  // a cell the pass does not know (tie cells): leave its nets alone
            }
          }
        }
      }

    json& cells = module["cells"];
    json& netnames = module["netnames"];
    int64_t serial = 0;
    std::unordered_map<int64_t, double> final_load;
    std::vector<int64_t> order;
    order.reserve(nets.size());
    for (const auto& [bit, n] : nets) order.push_back(bit);
    std::sort(order.begin(), order.end());  // deterministic cell names
    for (const int64_t bit : order) {
      Net& n = nets[bit];
      double total = n.fixed;
      for (const Load& l : n.loads) total += l.cap;
      final_load[bit] = total;
      const double eps = 1e-9 * p_.max_load_pf;  // sums of pin capacitances are not exact
      if (n.drivers != 1 || n.clock || n.dont_touch || total <= p_.max_load_pf + eps) continue;
      std::vector<Load> level = n.loads;
      double sum = total - n.fixed;
      while (sum + n.fixed > p_.max_load_pf + eps && !level.empty()) {
        const size_t groups =
            std::max<size_t>(1, static_cast<size_t>(std::ceil(sum / p_.max_load_pf - 1e-9)));
        const double target = sum / static_cast<double>(groups);
        std::vector<Load> next;
        size_t i = 0;
        while (i < level.size()) {
          double acc = 0;
          size_t j = i;
          while (j < level.size() &&
                 (j == i || (acc + level[j].cap <= p_.max_load_pf + eps && acc < target - eps)))
            acc += level[j++].cap;
          const int64_t nb = ++max_bit;
          const std::string bname = fmt::format("$buftree${}${}", bit, serial++);
          cells[bname] = {
              {"hide_name", 1},
              {"type", p_.buffer_cell},
              {"parameters", json::object()},
              {"attributes", json::object()},
              {"connections", {{in_pin_, json::array({bit})}, {out_pin_, json::array({nb})}}}};
          netnames[bname + "$y"] = {
              {"hide_name", 1}, {"bits", json::array({nb})}, {"attributes", json::object()}};
          for (size_t k = i; k < j; ++k) (*level[k].arr)[level[k].idx] = nb;
          next.push_back({&cells[bname]["connections"][in_pin_], 0, p_.buffer_input_pf});
          ++buffers_[name];
          i = j;
        }
        const double next_sum = p_.buffer_input_pf * static_cast<double>(next.size());
        level = std::move(next);
        if (next_sum >= sum) {  // no further reduction possible (single loads above the bound)
          sum = next_sum;
          break;
        }
        sum = next_sum;
      }
      final_load[bit] = sum + n.fixed;
      ++nets_[name];
    }

    PortLoads loads;
    if (module.contains("ports"))
      for (const auto& [port, p] : module["ports"].items()) {
        if (p.value("direction", "") != "input") continue;
        auto& v = loads[port];
        for (const auto& b : p["bits"]) {
          if (!b.is_number_integer()) {
            v.push_back({0, false});
            continue;
          }
          const Net& n = nets[b.get<int64_t>()];
          v.push_back({final_load[b.get<int64_t>()], n.clock});
        }
      }
    return loads;
  }
};

}  // namespace

nlohmann::json BufferTreeResult::to_json() const {
  return {{"buffer_cell", buffer_cell},
          {"max_fanout", max_fanout},
          {"buffer_input_pf", buffer_input_pf},
          {"max_load_pf", max_load_pf},
          {"delay_intercept_ns", delay_intercept_ns},
          {"delay_slope_ns_per_pf", delay_slope_ns_per_pf},
          {"module_buffers", module_buffers},
          {"module_nets", module_nets},
          {"buffers_one_instance_each", buffers_one_instance_each}};
}

namespace {

BufferTreeResult parameters_from(const LibertyPins& lib, const std::string& path,
                                 const BufferTreeOptions& o, std::string* in_pin,
                                 std::string* out_pin) {
  BufferTreeResult r;
  r.buffer_cell = o.buffer_cell;
  const auto cell = lib.cells.find(o.buffer_cell);
  if (cell == lib.cells.end())
    throw UserError(fmt::format("'{}' defines no buffer cell '{}'", path, o.buffer_cell));
  for (const auto& [pin, p] : cell->second) {
    if (p.input) {
      *in_pin = pin;
      r.buffer_input_pf = p.cap;
    } else if (p.output) {
      *out_pin = pin;
    }
  }
  if (in_pin->empty() || out_pin->empty() || cell->second.size() != 2 || r.buffer_input_pf <= 0)
    throw UserError(
        fmt::format("'{}' in '{}' is not a one-input, one-output buffer", o.buffer_cell, path));
  const auto points = delay_points(lib.text, lib.bodies.at(o.buffer_cell));
  if (points.size() >= 2) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& [x, y] : points) sx += x, sy += y, sxx += x * x, sxy += x * y;
    const double n = static_cast<double>(points.size());
    r.delay_slope_ns_per_pf = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    r.delay_intercept_ns = (sy - r.delay_slope_ns_per_pf * sx) / n;
  }
  if (o.max_fanout > 0) {
    r.max_fanout = o.max_fanout;
  } else {
    if (points.size() < 2 || r.delay_slope_ns_per_pf <= 0)
      throw UserError(
          fmt::format("'{}' has no usable delay table for '{}': give the maximum fan-out", path,
                      o.buffer_cell));
    double best = 0;
    for (int f = 2; f <= 64; ++f) {
      const double per_level =
          (r.delay_intercept_ns + r.delay_slope_ns_per_pf * f * r.buffer_input_pf) / std::log(f);
      if (r.max_fanout == 0 || per_level < best) best = per_level, r.max_fanout = f;
    }
  }
  if (r.max_fanout < 2) throw UserError("the maximum fan-out of a buffer tree must be at least 2");
  r.max_load_pf = r.max_fanout * r.buffer_input_pf;
  return r;
}

}  // namespace

BufferTreeResult buffer_tree_parameters(const std::string& liberty_path,
                                        const BufferTreeOptions& options) {
  std::string in, out;
  return parameters_from(read_liberty_pins(liberty_path), liberty_path, options, &in, &out);
}

BufferTreeResult insert_buffer_trees(nlohmann::json& design, const std::string& liberty_path,
                                     const BufferTreeOptions& options) {
  const LibertyPins lib = read_liberty_pins(liberty_path);
  std::string in, out;
  const BufferTreeResult params = parameters_from(lib, liberty_path, options, &in, &out);
  return Pass(design, lib, params, in, out).run();
}

BufferTreeResult insert_buffer_trees(const std::string& in_json, const std::string& out_json,
                                     const std::string& liberty_path,
                                     const BufferTreeOptions& options) {
  json design;
  try {
    design = json::parse(slurp(in_json));
  } catch (const json::parse_error& e) {
    throw UserError(fmt::format("'{}' is not a netlist JSON: {}", in_json, e.what()));
  }
  BufferTreeResult r = insert_buffer_trees(design, liberty_path, options);
  std::ofstream out(out_json);
  if (!out || !(out << design.dump())) throw UserError(fmt::format("cannot write '{}'", out_json));
  return r;
}

}  // namespace accelgen
