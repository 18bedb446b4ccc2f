#include "flows/common/tech_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace accelgen::flows {

namespace {

using nlohmann::json;

// The scalar fields in their JSON order, with their units (part of the format: a file's numbers are
// read in these units).
struct ScalarField {
  const char* key;
  const char* unit;
  TechValue TechTable::*member;
};
constexpr ScalarField kScalars[] = {
    {"frequency_mhz", "MHz", &TechTable::frequency_mhz},
    {"mac_pj", "pJ per 8-bit MAC", &TechTable::mac_pj},
    {"mac_um2", "um^2 per 8-bit MAC unit", &TechTable::mac_um2},
    {"rf_pj_per_bit", "pJ/bit", &TechTable::rf_pj_per_bit},
    {"dram_pj_per_bit", "pJ/bit", &TechTable::dram_pj_per_bit},
    {"hop_pj_per_bit", "pJ/bit per router+link hop", &TechTable::hop_pj_per_bit},
    {"d2d_pj_per_bit", "pJ/bit per die-to-die crossing", &TechTable::d2d_pj_per_bit},
    {"d2d_phy_mm2", "mm^2 per die-to-die PHY", &TechTable::d2d_phy_mm2},
};

struct CurveField {
  const char* key;
  const char* unit;
  TechCurve TechTable::*member;
};
constexpr CurveField kCurves[] = {
    {"sram_pj_per_bit", "pJ/bit vs capacity KiB", &TechTable::sram_pj_per_bit},
    {"sram_um2_per_kib", "um^2/KiB vs capacity KiB", &TechTable::sram_um2_per_kib},
    {"sram_access_ns", "ns vs capacity KiB", &TechTable::sram_access_ns},
};

double number_at(const json& j, const std::string& where) {
  if (!j.is_number()) throw UserError(fmt::format("{}: expected a number", where));
  const double v = j.get<double>();
  if (!std::isfinite(v) || v < 0)
    throw UserError(fmt::format("{}: expected a finite number >= 0", where));
  return v;
}

std::string source_at(const json& j, const std::string& where) {
  if (!j.contains("source") || !j["source"].is_string() || j["source"].get<std::string>().empty())
    throw UserError(fmt::format(
        "{}: needs a non-empty \"source\" string (where the figure comes from)", where));
  return j["source"].get<std::string>();
}

const json& member(const json& j, const char* key, const std::string& origin) {
  if (!j.contains(key)) throw UserError(fmt::format("{}: missing \"{}\"", origin, key));
  return j[key];
}

// Shared figures of the presets. The sources say which document each number comes from; a figure a
// document does not give is borrowed from another and marked "substituted".
constexpr double kSramMm2PerMib = 1.5;  // Cocco §1: "1 to 2 mm^2/MB in 12nm" (midpoint)
TechCurve nn_baton_sram_energy(const std::string& how) {
  return {{{1, 0.3}, {32, 0.81}},
          how +
              "NN-Baton Table I: L1 (1 KB) 0.3 pJ/bit, L2 (32 KB) 0.81 pJ/bit; linear in size "
              "(NN-Baton Fig. 10)"};
}
TechCurve sram_area(const std::string& how) {
  return {{{1, kSramMm2PerMib * 1e6 / 1024}},
          how + "Cocco §1: SRAM '1 to 2 mm^2/MB in 12nm', midpoint 1.5 mm^2/MiB, linear in size"};
}
TechCurve one_cycle_sram(double mhz, const std::string& doc) {
  return {{{1, 1000.0 / mhz}},
          fmt::format(
              "assumption: every buffer answers in one {} MHz cycle, as {}'s cost model assumes",
              mhz, doc)};
}

// The figures a document does not publish, borrowed from NN-Baton (16 nm) and marked so:
// `compute` says why the MAC and RF figures are borrowed, `d2d` why the die-to-die ones are.
void borrow_from_nn_baton(TechTable& t, const std::string& compute, const std::string& d2d) {
  const std::string mac = fmt::format("substituted{}: NN-Baton 16 nm, ", compute);
  t.mac_pj = {0.024, mac + "0.024 pJ per 8-bit MAC"};
  t.mac_um2 = {135.1, mac + "135.1 um^2 per 8-bit MAC"};
  t.rf_pj_per_bit = {0.104,
                     fmt::format("substituted{}: NN-Baton Table I, RF 0.104 pJ/bit", compute)};
  t.d2d_pj_per_bit = {1.17, fmt::format("substituted ({}): NN-Baton GRS 1.17 pJ/bit", d2d)};
  t.d2d_phy_mm2 = {0.38, fmt::format("substituted ({}): NN-Baton GRS PHY 0.38 mm^2", d2d)};
}

TechTable nn_baton_16nm() {
  TechTable t;
  t.name = "nn_baton_16nm";
  t.description = "NN-Baton (16 nm, scaled from UMC 28 nm synthesis), Table I and §V-A";
  t.frequency_mhz = {500, "NN-Baton §V-A: 500 MHz"};
  t.mac_pj = {0.024, "NN-Baton §V-A / Table I: 0.024 pJ per 8-bit MAC op"};
  t.mac_um2 = {135.1, "NN-Baton §V-A: 135.1 um^2 per 8-bit MAC"};
  t.rf_pj_per_bit = {0.104, "NN-Baton Table I: RF 0.104 pJ/bit"};
  t.dram_pj_per_bit = {8.75, "NN-Baton Table I: DRAM 8.75 pJ/bit"};
  t.hop_pj_per_bit = {
      0.64, "substituted (NN-Baton has no NoC): thesis ch. 5, McPAT '0.64 pJ/bit per hop'"};
  t.d2d_pj_per_bit = {1.17, "NN-Baton §V-A: average GRS energy 1.17 pJ/bit"};
  t.d2d_phy_mm2 = {0.38, "NN-Baton §V-A: GRS PHY 0.38 mm^2"};
  t.sram_pj_per_bit = nn_baton_sram_energy("");
  t.sram_um2_per_kib = sram_area("substituted (NN-Baton gives no coefficient): ");
  t.sram_access_ns = one_cycle_sram(500, "NN-Baton");
  return t;
}

TechTable cocco_12nm() {
  TechTable t;
  t.name = "cocco_12nm";
  t.description =
      "Cocco (12 nm, 1 GHz SIMBA-like core); only DRAM energy and SRAM area are published";
  t.frequency_mhz = {1000, "Cocco §5.1.2: 1 GHz"};
  borrow_from_nn_baton(t, " (Cocco gives none)", "not used by Cocco");
  t.dram_pj_per_bit = {12.5, "Cocco §5.1.2: DRAM 12.5 pJ/bit (citing Interstellar)"};
  t.hop_pj_per_bit = {
      0.64,
      "substituted (Cocco's crossbar energy is unpublished): thesis ch. 5, 0.64 pJ/bit per hop"};
  t.sram_pj_per_bit = nn_baton_sram_energy("substituted (Cocco gives none, digest §1.4.4): ");
  t.sram_um2_per_kib = sram_area("");
  t.sram_access_ns = one_cycle_sram(1000, "Cocco");
  return t;
}

TechTable planaria_45nm() {
  TechTable t;
  t.name = "planaria_45nm";
  t.description =
      "Planaria (thesis ch. 5: FreePDK 45 nm, CACTI-P SRAM, McPAT buses, 700 MHz for the "
      "comparison)";
  t.frequency_mhz = {700, "thesis ch. 5: 700 MHz (same clock as PREMA)"};
  borrow_from_nn_baton(t, " (the thesis gives no per-operation figures)", "not used by Planaria");
  t.dram_pj_per_bit = {12.5, "Planaria artifact configuration: DRAM 12.5 pJ/bit"};
  t.hop_pj_per_bit = {0.64,
                      "thesis ch. 5: McPAT 1.3, '0.64 pJ/bit per hop' (the artifact uses 0.61)"};
  t.sram_pj_per_bit = nn_baton_sram_energy("substituted (CACTI-P figures unpublished): ");
  t.sram_um2_per_kib = sram_area("substituted: ");
  t.sram_access_ns = one_cycle_sram(700, "Planaria");
  return t;
}

TechTable pipeorgan() {
  TechTable t;
  t.name = "pipeorgan";
  t.description =
      "PipeOrgan publishes no energy figures (its Table II is qualitative): every entry is "
      "substituted";
  t.frequency_mhz = {1000, "assumption (PipeOrgan states no clock): 1 GHz"};
  borrow_from_nn_baton(t, "", "not used by PipeOrgan");
  t.dram_pj_per_bit = {12.5, "substituted: 12.5 pJ/bit (Interstellar, as Cocco and Planaria use)"};
  t.hop_pj_per_bit = {0.64, "substituted: thesis ch. 5, McPAT '0.64 pJ/bit per hop'"};
  t.sram_pj_per_bit = nn_baton_sram_energy("substituted: ");
  t.sram_um2_per_kib = sram_area("substituted: ");
  t.sram_access_ns = one_cycle_sram(1000, "PipeOrgan");
  return t;
}

// Derived from this project's own standard-cell flow (`accelgen synth`, README "Standard-cell
// PPA"): OSU 0.18 um cells, OpenSTA 2019-11, input activity measured in co-simulation.
TechTable osu018() {
  TechTable t;
  t.name = "osu018";
  t.description =
      "derived from accelgen synth: OSU 0.18 um standard cells, OpenSTA timing and power (README "
      "PPA table)";
  const std::string synth =
      "accelgen synth on the default systolic (8x8, OSU 0.18 um, OpenSTA 2019-11): ";
  t.frequency_mhz = {140.7, synth + "fmax 140.7 MHz (critical path 7.11 ns)"};
  t.mac_pj = {45.2, synth +
                        "45.2 pJ per MAC at fmax, PE registers and clock included, measured input "
                        "toggle rate 0.18"};
  t.mac_um2 = {36530, synth + "2.338 mm^2 / 64 PEs"};
  t.rf_pj_per_bit = {
      0.38,
      synth +
          "clocking one flip-flop costs about 0.38 pJ per cycle (2,075 pJ over 5,514 flip-flops)"};
  t.dram_pj_per_bit = {12.5,
                       "substituted (off chip, not synthesized): 12.5 pJ/bit (Interstellar, as "
                       "Cocco and Planaria use)"};
  t.hop_pj_per_bit = {
      8.81,
      "accelgen synth on the default noc (4x4 mesh, 32-bit flits, OSU 0.18 um, OpenSTA 2019-11, "
      "--sim-transactions 200): 1,410 pJ per router-cycle at fmax 74.8 MHz over the 5 x 32 bits a "
      "router moves per cycle at full load (router only: no wire model for the links)"};
  t.d2d_pj_per_bit = {1.17, "substituted (not synthesized): NN-Baton GRS 1.17 pJ/bit"};
  t.d2d_phy_mm2 = {0.38, "substituted (not synthesized): NN-Baton GRS PHY 0.38 mm^2"};
  const std::string sram = "accelgen synth's SRAM macro model (generator/eda/sram_model.cpp): ";
  t.sram_pj_per_bit = {
      {{8, 2.5}, {32, 5.0}, {1024, 25.0}},
      sram + "Horowitz ISSCC 2014 45 nm SRAM energies scaled x16 to 0.18 um / 1.8 V"};
  t.sram_um2_per_kib = {{{1, 76186}},
                        sram + "4.65 um^2 6T bitcell / 50% array efficiency = 9.3 um^2 per bit"};
  t.sram_access_ns = {
      {{1, 1.44}, {8, 1.845}, {64, 2.25}, {1024, 2.79}},
      sram + "FO4 0.09 ns x (16 + 1.5 log2 KiB), assumed; sampled at 1, 8, 64, 1024 KiB"};
  return t;
}

}  // namespace

double TechCurve::at(double x) const {
  if (points.empty()) return 0;
  if (points.size() == 1) return points.front().second;
  // The segment that holds x, or the first/last segment when x is outside the points.
  std::size_t i = 1;
  while (i + 1 < points.size() && x > points[i].first) ++i;
  const auto [x0, y0] = points[i - 1];
  const auto [x1, y1] = points[i];
  const double y = y0 + (y1 - y0) * (x - x0) / (x1 - x0);
  return std::max(0.0, y);
}

double TechTable::sram_access_pj(double capacity_bytes, double bits) const {
  return bits * sram_pj_per_bit.at(capacity_bytes / 1024.0);
}

double TechTable::sram_area_um2(double capacity_bytes) const {
  const double kib = capacity_bytes / 1024.0;
  return kib * sram_um2_per_kib.at(kib);
}

json TechTable::to_json() const {
  json j;
  j["name"] = name;
  j["description"] = description;
  for (const auto& f : kScalars) {
    const TechValue& v = this->*f.member;
    j[f.key] = {{"value", v.value}, {"unit", f.unit}, {"source", v.source}};
  }
  for (const auto& f : kCurves) {
    const TechCurve& c = this->*f.member;
    json pts = json::array();
    for (const auto& [x, y] : c.points) pts.push_back({x, y});
    j[f.key] = {{"points", pts}, {"unit", f.unit}, {"source", c.source}};
  }
  return j;
}

TechTable TechTable::from_json(const json& j, const std::string& origin) {
  if (!j.is_object())
    throw UserError(fmt::format("{}: a technology table is a JSON object", origin));
  TechTable t;
  const json& name = member(j, "name", origin);
  if (!name.is_string() || name.get<std::string>().empty())
    throw UserError(fmt::format("{}: \"name\" must be a non-empty string", origin));
  t.name = name.get<std::string>();
  if (j.contains("description")) {
    if (!j["description"].is_string())
      throw UserError(fmt::format("{}: \"description\" must be a string", origin));
    t.description = j["description"].get<std::string>();
  }
  for (const auto& f : kScalars) {
    const std::string where = fmt::format("{}: \"{}\"", origin, f.key);
    const json& e = member(j, f.key, origin);
    if (!e.is_object() || !e.contains("value"))
      throw UserError(fmt::format("{}: expected {{\"value\": ..., \"source\": ...}}", where));
    t.*f.member = {number_at(e["value"], where + ".value"), source_at(e, where)};
  }
  for (const auto& f : kCurves) {
    const std::string where = fmt::format("{}: \"{}\"", origin, f.key);
    const json& e = member(j, f.key, origin);
    if (!e.is_object() || !e.contains("points") || !e["points"].is_array() || e["points"].empty())
      throw UserError(
          fmt::format("{}: expected {{\"points\": [[KiB, value], ...], \"source\": ...}}", where));
    TechCurve c;
    for (const json& p : e["points"]) {
      if (!p.is_array() || p.size() != 2)
        throw UserError(fmt::format("{}: each point is [KiB, value]", where));
      const double x = number_at(p[0], where + " point KiB");
      const double y = number_at(p[1], where + " point value");
      if (!c.points.empty() && x <= c.points.back().first)
        throw UserError(fmt::format("{}: point capacities must increase strictly", where));
      c.points.emplace_back(x, y);
    }
    c.source = source_at(e, where);
    t.*f.member = std::move(c);
  }
  if (t.frequency_mhz.value <= 0)
    throw UserError(fmt::format("{}: \"frequency_mhz\" must be > 0", origin));
  return t;
}

const std::vector<std::string>& tech_preset_names() {
  static const std::vector<std::string> names{"nn_baton_16nm", "cocco_12nm", "planaria_45nm",
                                              "pipeorgan"};
  return names;
}

TechTable tech_preset(const std::string& name) {
  if (name == "nn_baton_16nm") return nn_baton_16nm();
  if (name == "cocco_12nm") return cocco_12nm();
  if (name == "planaria_45nm") return planaria_45nm();
  if (name == "pipeorgan") return pipeorgan();
  if (name == "osu018") return osu018();
  std::string known;
  for (const auto& n : tech_preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw UserError(fmt::format("unknown technology preset '{}' (presets: {}; or give a JSON file)",
                              one_line(name), known));
}

TechTable load_tech(const std::string& name_or_json_path) {
  const auto& names = tech_preset_names();
  if (std::find(names.begin(), names.end(), name_or_json_path) != names.end())
    return tech_preset(name_or_json_path);
  const std::string shown = one_line(name_or_json_path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(name_or_json_path, ec)) {
    if (name_or_json_path.find('/') == std::string::npos &&
        name_or_json_path.find(".json") == std::string::npos)
      return tech_preset(name_or_json_path);  // reads as a preset name: say which presets exist
    throw UserError(fmt::format("technology table '{}': no such file", shown));
  }
  std::ifstream in(name_or_json_path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw UserError(fmt::format("technology table '{}': cannot read", shown));
  const json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    throw UserError(fmt::format("technology table '{}': not valid JSON", shown));
  return TechTable::from_json(j, fmt::format("technology table '{}'", shown));
}

}  // namespace accelgen::flows
