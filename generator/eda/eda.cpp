#include "generator/eda/eda.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.hpp"
#include "common/process.hpp"

namespace accelgen {

namespace fs = std::filesystem;

DesignDir read_design_dir(const std::string& dir) {
  fs::path manifest = fs::path(dir) / "manifest.json";
  std::ifstream in(manifest);
  if (!in) throw UserError(fmt::format("'{}' holds no manifest.json (write one with 'accelgen generate')", dir));
  nlohmann::json m;
  try {
    m = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw UserError(fmt::format("'{}' is not valid JSON", manifest.string()));
  }
  DesignDir d;
  d.dir = dir;
  try {
    d.block = m.at("block").get<std::string>();
    d.top = m.at("top").get<std::string>();
    d.params = m.at("params");
    for (const auto& f : m.at("files")) {
      fs::path p = fs::absolute(fs::path(dir) / f.get<std::string>());
      if (!fs::exists(p)) throw UserError(fmt::format("'{}' lists '{}', which is missing", manifest.string(), f.get<std::string>()));
      d.files.push_back(p.string());
    }
  } catch (const nlohmann::json::exception&) {
    throw UserError(fmt::format("'{}' lacks block/top/params/files", manifest.string()));
  }
  return d;
}

LintResult lint_design(const DesignDir& design) {
  std::vector<std::string> argv = {"verilator", "--lint-only", "-Wall", "--top-module", design.top};
  argv.insert(argv.end(), design.files.begin(), design.files.end());
  ProcessResult r = run_process(argv);
  LintResult out;
  out.log = r.output;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("%Warning", 0) == 0 || line.rfind("%Error", 0) == 0) ++out.warnings;
  out.clean = r.exit_code == 0 && out.warnings == 0;
  return out;
}

namespace {

int64_t last_match(const std::string& text, const std::regex& re) {
  int64_t value = -1;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    value = std::stoll((*it)[1].str());
  return value;
}

}  // namespace

nlohmann::json SynthResult::to_json() const {
  return {{"cells", cells}, {"flip_flops", flip_flops}, {"transistors", transistors},
          {"longest_path", longest_path}};
}

SynthResult synth_design(const DesignDir& design) {
  std::string script = "read_verilog -sv";
  for (const auto& f : design.files) script += " " + f;
  script += fmt::format("; hierarchy -check -top {0}; synth -flatten -top {0}; stat -tech cmos; ltp -noff", design.top);
  ProcessResult r = run_process({"yosys", "-p", script});
  SynthResult s;
  s.log = r.output;
  if (r.exit_code != 0) {
    std::string first_error = "Yosys failed";
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
      if (line.find("ERROR") != std::string::npos) { first_error = line; break; }
    throw UserError(fmt::format("synthesis of '{}' failed: {}", design.dir, first_error));
  }
  s.cells = last_match(r.output, std::regex(R"(Number of cells:\s+(\d+))"));
  s.transistors = last_match(r.output, std::regex(R"(Estimated number of transistors:\s+(\d+))"));
  s.longest_path = last_match(r.output, std::regex(R"(Longest topological path in \S+ \(length=(\d+)\))"));
  // Flip-flops: every $_DFF*/$_SDFF*/$_DFFE* cell line of the final stat.
  auto stat_pos = r.output.rfind("Number of cells:");
  std::string stat = stat_pos == std::string::npos ? "" : r.output.substr(stat_pos);
  std::regex ff(R"(\s+\$_(?:S?DFFE?|ALDFFE?|DFFSRE?)_\w+\s+(\d+))");
  for (auto it = std::sregex_iterator(stat.begin(), stat.end(), ff); it != std::sregex_iterator(); ++it)
    s.flip_flops += std::stoll((*it)[1].str());
  if (s.cells < 0 || s.transistors < 0 || s.longest_path < 0)
    throw UserError(fmt::format("could not read Yosys statistics for '{}'", design.dir));
  return s;
}

namespace {

std::string version_of(const std::vector<std::string>& argv, const std::regex& re) {
  ProcessResult r = run_process(argv);
  std::smatch m;
  if (r.exit_code != 0 || !std::regex_search(r.output, m, re))
    throw UserError(fmt::format("cannot read the version of '{}'", argv[0]));
  return m[1].str();
}

}  // namespace

std::string verilator_version() { return version_of({"verilator", "--version"}, std::regex(R"(Verilator (\S+))")); }
std::string yosys_version() { return version_of({"yosys", "-V"}, std::regex(R"(Yosys (\S+))")); }

}  // namespace accelgen
