#include "cli/jobs_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/hash.hpp"
#include "flows/common/table.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"
#include "generator/formal/prove.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen {

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kKinds = {"lint", "synth", "verify", "prove"};

// One point of a sweep: what a shard computes, and everything its result's name depends on.
struct Point {
  std::string kind, block;
  std::vector<std::pair<std::string, std::string>> sets;  // in the spec's grid order
  uint64_t seed = 0;                                      // verify only
};

struct Spec {
  std::string name, kind, block;
  std::vector<std::string> keys;  // grid keys, in order
  std::vector<Point> points;
  nlohmann::json source;
};

// Built-in sweeps: the long jobs of scripts/ and the flows, by name.
nlohmann::json builtin_spec(const std::string& name) {
  auto range = [](int a, int b) {
    nlohmann::json r = nlohmann::json::array();
    for (int i = a; i <= b; ++i) r.push_back(std::to_string(i));
    return r;
  };
  if (name == "noc-lint")  // scripts/sweep_noc_lint.sh: every noc shape 2..16 x 2..16, mesh and AMP
    return {{"name", name},
            {"kind", "lint"},
            {"block", "noc"},
            {"grid", nlohmann::json::array({{{"topology", {"mesh", "amp"}}},
                                            {{"rows", range(2, 16)}},
                                            {{"cols", range(2, 16)}}})}};
  if (name == "cvu-synth")  // the CVU Yosys sweep over (slice_bits, lanes)
    return {{"name", name},
            {"kind", "synth"},
            {"block", "cvu"},
            {"grid", nlohmann::json::array({{{"slice_bits", {"1", "2", "4"}}},
                                            {{"lanes", {"1", "2", "4", "8", "16"}}}})}};
  if (name == "cvu-prove")  // every small CVU the formal proof covers in seconds
    return {{"name", name},
            {"kind", "prove"},
            {"block", "cvu"},
            {"grid",
             nlohmann::json::array(
                 {{{"slice_bits", {"1", "2"}}}, {{"max_bits", {"2", "4"}}}, {{"lanes", {"1"}}}})}};
  if (name == "cvu-soak")  // co-simulation scan with several seeds
    return {{"name", name},
            {"kind", "verify"},
            {"block", "cvu"},
            {"seeds", {1, 2, 3}},
            {"grid", nlohmann::json::array({{{"lanes", {"1", "4"}}}, {{"max_bits", {"4", "8"}}}})}};
  throw UserError(fmt::format(
      "'{}' is neither a spec file nor a built-in sweep (noc-lint, cvu-synth, cvu-prove, cvu-soak)",
      name));
}

// SPEC: {"name", "kind": lint|synth|verify|prove, "block", "grid": [{"key": ["v", ...]}, ...] (in
// order; the last key varies fastest), optional "fixed": {"key": "v"}, optional "seeds": [..]}.
Spec parse_spec(const nlohmann::json& j, const std::string& origin) {
  Spec s;
  s.source = j;
  try {
    s.name = j.value("name", "sweep");
    s.kind = j.at("kind").get<std::string>();
    s.block = j.at("block").get<std::string>();
    if (std::find(kKinds.begin(), kKinds.end(), s.kind) == kKinds.end())
      throw UserError(
          fmt::format("{}: kind '{}' is not one of {}", origin, s.kind, fmt::join(kKinds, ", ")));
    const BlockInfo& info = find_block(s.block);
    std::vector<std::pair<std::string, std::vector<std::string>>> grid;
    for (const auto& g : j.at("grid")) {
      if (!g.is_object() || g.size() != 1)
        throw UserError(fmt::format("{}: each grid entry is {{\"key\": [values]}}", origin));
      auto it = g.begin();
      std::vector<std::string> values;
      for (const auto& v : it.value())
        values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      if (values.empty())
        throw UserError(fmt::format("{}: grid key '{}' has no values", origin, it.key()));
      grid.emplace_back(it.key(), values);
      s.keys.push_back(it.key());
    }
    std::vector<std::pair<std::string, std::string>> fixed;
    if (j.contains("fixed"))
      for (auto it = j["fixed"].begin(); it != j["fixed"].end(); ++it)
        fixed.emplace_back(
            it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    std::vector<uint64_t> seeds = {0};
    if (s.kind == "verify") seeds = j.value("seeds", std::vector<uint64_t>{1});
    std::vector<size_t> at(grid.size(), 0);
    for (bool more = true; more;) {
      for (uint64_t seed : seeds) {
        Point p{s.kind, s.block, fixed, seed};
        for (size_t g = 0; g < grid.size(); ++g)
          p.sets.emplace_back(grid[g].first, grid[g].second[at[g]]);
        std::vector<std::string> assigns;
        for (const auto& [k, v] : p.sets) assigns.push_back(k + "=" + v);
        try {
          resolve_params(info, "", assigns, s.kind == "verify");
        } catch (const UserError& e) {
          continue;  // an illegal combination of the grid (e.g. slice_bits > max_bits) is not a job
        }
        s.points.push_back(std::move(p));
      }
      more = false;
      for (size_t g = grid.size(); g-- > 0;) {
        if (++at[g] < grid[g].second.size()) {
          more = true;
          break;
        }
        at[g] = 0;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: not a sweep spec ({})", origin, e.what()));
  }
  if (s.points.empty()) throw UserError(fmt::format("{}: the grid has no legal point", origin));
  return s;
}

Spec load_spec(const std::string& name_or_file) {
  if (!fs::exists(name_or_file)) return parse_spec(builtin_spec(name_or_file), name_or_file);
  std::ifstream in(name_or_file);
  try {
    return parse_spec(nlohmann::json::parse(in), name_or_file);
  } catch (const nlohmann::json::exception&) {
    throw UserError(fmt::format("'{}' is not valid JSON", name_or_file));
  }
}

std::string tool_versions(const std::string& kind) {
  std::string v = version_string();
  if (kind == "lint" || kind == "verify") v += "; verilator " + verilator_version();
  if (kind == "synth" || kind == "prove") v += "; yosys " + yosys_version();
  return v;
}

// The shard's result file name: a hash of everything its result depends on.
std::string point_key(const Point& p, const std::string& versions) {
  nlohmann::json j = {{"kind", p.kind}, {"block", p.block}, {"seed", p.seed}, {"tools", versions}};
  for (const auto& [k, v] : p.sets) j["params"][k] = v;
  return fmt::format("{}-{}-{}", p.block, p.kind, stable_hash({j.dump()}));
}

std::string self_path() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("accelgen") : exe.string();
}

std::string shard_command(const Point& p, const std::string& dir) {
  std::string cmd = fmt::format("{} jobs shard --kind {} --block {}", self_path(), p.kind, p.block);
  for (const auto& [k, v] : p.sets) cmd += fmt::format(" --set {}={}", k, v);
  if (p.kind == "verify") cmd += fmt::format(" --seed {}", p.seed);
  return cmd + fmt::format(" -o {}", fs::absolute(dir).string());
}

// Computes one point; the deterministic part of the result only (no times).
nlohmann::json compute(const Point& p) {
  const BlockInfo& info = find_block(p.block);
  std::vector<std::string> assigns;
  for (const auto& [k, v] : p.sets) assigns.push_back(k + "=" + v);
  ParamSet params = resolve_params(info, "", assigns, p.kind == "verify");
  if (p.kind == "prove") {
    formal::ProveResult r = formal::prove(info, params, {});
    return {{"ok", r.proved}, {"property", r.proved ? "proved" : "counterexample"}};
  }
  GeneratedDesign design = generate_design(info, params);
  if (p.kind == "verify") {
    auto model = sim::build_model(design, sim::TraceKind::kNone);
    sim::VerifyResult r =
        sim::run_testbench(info, params, *model, sim::VerifyOptions{p.seed, 0, "", {}});
    return {{"ok", r.passed()},
            {"transactions", r.transactions},
            {"mismatches", r.mismatches},
            {"rtl_cycles", r.rtl_cycles},
            {"golden_cycles", r.golden_cycles}};
  }
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("accelgen_shard_{}_{}", ::getpid(), p.block);
  write_design(design, dir.string());
  DesignDir d = read_design_dir(dir.string());
  nlohmann::json out;
  if (p.kind == "lint") {
    LintResult r = lint_design(d);
    out = {{"ok", r.clean}, {"warnings", r.warnings}};
  } else {
    SynthResult r = synth_design(d);
    out = {{"ok", true},
           {"cells", r.cells},
           {"flip_flops", r.flip_flops},
           {"transistors", r.transistors},
           {"longest_path", r.longest_path}};
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return out;
}

// The table every way of running a sweep prints: one row per point in spec order.
flows::Table make_table(const Spec& s, const std::vector<nlohmann::json>& results) {
  std::vector<flows::Column> cols;
  for (const auto& k : s.keys) cols.emplace_back(k);
  if (s.kind == "verify") cols.emplace_back("seed");
  std::vector<std::string> fields;
  if (s.kind == "lint") fields = {"warnings"};
  if (s.kind == "synth") fields = {"cells", "flip_flops", "transistors", "longest_path"};
  if (s.kind == "verify") fields = {"transactions", "mismatches", "rtl_cycles", "golden_cycles"};
  if (s.kind == "prove") fields = {"property"};
  for (const auto& f : fields) cols.emplace_back(f);
  cols.emplace_back("result");
  flows::Table t(cols);
  for (size_t i = 0; i < s.points.size(); ++i) {
    const Point& p = s.points[i];
    const nlohmann::json& r = results[i];
    std::vector<flows::Cell> row;
    for (const auto& k : s.keys)
      for (const auto& [pk, pv] : p.sets)
        if (pk == k) row.emplace_back(pv);
    if (s.kind == "verify") row.emplace_back(static_cast<int64_t>(p.seed));
    for (const auto& f : fields) {
      if (r.at(f).is_string())
        row.emplace_back(r.at(f).get<std::string>());
      else
        row.emplace_back(r.at(f).get<int64_t>());
    }
    row.emplace_back(std::string(r.at("ok").get<bool>() ? "pass" : "FAIL"));
    t.add(row);
  }
  return t;
}

struct OutputOptions {
  bool json = false;
  std::string csv;
};

void print_sweep(const Spec& s, const std::vector<nlohmann::json>& results,
                 const OutputOptions& o) {
  flows::Table t = make_table(s, results);
  int failed = 0;
  for (const auto& r : results) failed += r.at("ok").get<bool>() ? 0 : 1;
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"sweep", s.name},
                                      {"kind", s.kind},
                                      {"block", s.block},
                                      {"points", results.size()},
                                      {"failed", failed},
                                      {"rows", t.json()}}
                           .dump());
  } else {
    fmt::print("{}", t.text());
    fmt::print("{} ({} {}): {} points, {} passed, {} failed\n", s.name, s.block, s.kind,
               results.size(), results.size() - failed, failed);
  }
  if (!o.csv.empty()) flows::write_file_atomic(o.csv, t.csv());
  set_exit_status(failed ? 1 : 0);
}

nlohmann::json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("cannot read '{}'", path.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw UserError(fmt::format("'{}' is not valid JSON", path.string()));
  }
}

struct ShardCli {
  std::string kind, block, dir;
  std::vector<std::string> sets;
  uint64_t seed = 0;
};

void run_shard(const ShardCli& o) {
  Point p{o.kind, o.block, {}, o.kind == "verify" ? o.seed : 0};
  for (const auto& a : o.sets) {
    auto eq = a.find('=');
    if (eq == std::string::npos) throw UserError(fmt::format("--set '{}' is not KEY=VALUE", a));
    p.sets.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  if (std::find(kKinds.begin(), kKinds.end(), p.kind) == kKinds.end())
    throw UserError(fmt::format("--kind '{}' is not one of {}", p.kind, fmt::join(kKinds, ", ")));
  const std::string versions = tool_versions(p.kind);
  const std::string key = point_key(p, versions);
  const fs::path file = fs::path(o.dir) / (key + ".json");
  if (fs::exists(file) && read_json_file(file).value("status", "") == "done") {
    fmt::print("{}: already done\n", key);
    return;  // idempotent: a rerun never computes or counts a point twice
  }
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  nlohmann::json j = {
      {"key", key}, {"kind", p.kind}, {"block", p.block}, {"seed", p.seed}, {"tools", versions}};
  for (const auto& [k, v] : p.sets) j["params"][k] = v;
  try {
    j["result"] = compute(p);
    j["status"] = "done";
  } catch (const UserError& e) {
    j["status"] = "error";
    j["error"] = e.what();
  }
  flows::write_file_atomic(file.string(), j.dump() + "\n");
  fmt::print("{}: {}\n", key, j["status"].get<std::string>());
  set_exit_status(j["status"] == "done" ? 0 : 1);
}

}  // namespace

void register_jobs_command(CLI::App& app) {
  auto* jobs = app.add_subcommand(
      "jobs", "Split long sweeps into shards (GNU parallel, Slurm arrays) and merge them");
  jobs->require_subcommand(1);

  static std::string emit_spec, emit_dir;
  auto* emit = jobs->add_subcommand(
      "emit", "Print one self-contained shard command per line (and DIR/jobs.json)");
  emit->add_option("spec", emit_spec,
                   "spec JSON file or built-in sweep (noc-lint, cvu-synth, cvu-prove, cvu-soak)")
      ->required();
  emit->add_option("-o,--out", emit_dir, "directory the shards write their results into")
      ->required();
  emit->callback([] {
    Spec s = load_spec(emit_spec);
    std::error_code ec;
    fs::create_directories(emit_dir, ec);
    if (ec) throw UserError(fmt::format("cannot create '{}'", emit_dir));
    const std::string versions = tool_versions(s.kind);
    nlohmann::json shards = nlohmann::json::array();
    std::string lines;
    for (const auto& p : s.points) {
      const std::string cmd = shard_command(p, emit_dir);
      shards.push_back({{"key", point_key(p, versions)}, {"command", cmd}});
      lines += cmd + "\n";
    }
    flows::write_file_atomic(
        (fs::path(emit_dir) / "jobs.json").string(),
        nlohmann::json{{"spec", s.source}, {"tools", versions}, {"shards", shards}}.dump(1) + "\n");
    flows::write_file_atomic((fs::path(emit_dir) / "commands.txt").string(), lines);
    fmt::print("{}", lines);
  });

  static ShardCli shard;
  auto* sh = jobs->add_subcommand(
      "shard", "Compute one point and write DIR/<name>.json (skips a point already done)");
  sh->add_option("--kind", shard.kind, "lint, synth, verify or prove")->required();
  sh->add_option("--block", shard.block, "block name")->required();
  sh->add_option("--set", shard.sets, "parameter KEY=VALUE (repeatable)");
  sh->add_option("--seed", shard.seed, "stimulus seed (verify)");
  sh->add_option("-o,--out", shard.dir, "result directory")->required();
  sh->callback([] { run_shard(shard); });

  static std::string run_spec;
  static OutputOptions run_out;
  auto* run = jobs->add_subcommand("run", "Run a whole sweep here, unsharded, and print its table");
  run->add_option("spec", run_spec, "spec JSON file or built-in sweep")->required();
  run->add_flag("--json", run_out.json, "one JSON object instead of the text table");
  run->add_option("--csv", run_out.csv, "also write the table as CSV")->type_name("FILE");
  run->callback([] {
    Spec s = load_spec(run_spec);
    std::vector<nlohmann::json> results;
    for (size_t i = 0; i < s.points.size(); ++i) {
      fmt::print(stderr, "accelgen: {}/{}\n", i + 1, s.points.size());
      results.push_back(compute(s.points[i]));
    }
    print_sweep(s, results, run_out);
  });

  static std::string merge_dir;
  static OutputOptions merge_out;
  auto* merge = jobs->add_subcommand(
      "merge", "Gather DIR's shard results into the table the unsharded run prints");
  merge->add_option("dir", merge_dir, "directory given to 'jobs emit -o'")->required();
  merge->add_flag("--json", merge_out.json, "one JSON object instead of the text table");
  merge->add_option("--csv", merge_out.csv, "also write the table as CSV")->type_name("FILE");
  merge->callback([] {
    const nlohmann::json jobs_json = read_json_file(fs::path(merge_dir) / "jobs.json");
    Spec s = parse_spec(jobs_json.at("spec"), merge_dir + "/jobs.json");
    const std::string versions = jobs_json.at("tools").get<std::string>();
    std::vector<nlohmann::json> results;
    std::vector<std::string> problems;
    for (const auto& p : s.points) {
      const std::string key = point_key(p, versions);
      const fs::path file = fs::path(merge_dir) / (key + ".json");
      if (!fs::exists(file)) {
        problems.push_back(fmt::format("missing shard {}: {}", key, shard_command(p, merge_dir)));
        continue;
      }
      const nlohmann::json j = read_json_file(file);
      if (j.value("status", "") != "done") {
        problems.push_back(fmt::format("failed shard {}: {} ({})", key,
                                       j.value("error", "no result"), shard_command(p, merge_dir)));
        continue;
      }
      results.push_back(j.at("result"));
    }
    if (!problems.empty()) {
      for (const auto& m : problems) fmt::print(stderr, "{}\n", m);
      fmt::print(stderr,
                 "{} of {} shards missing or failed in '{}': no table (rerun their commands; done "
                 "shards are skipped)\n",
                 problems.size(), s.points.size(), merge_dir);
      set_exit_status(1);
      return;
    }
    print_sweep(s, results, merge_out);
  });
}

}  // namespace accelgen
