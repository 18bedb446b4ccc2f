#include "cli/run_tasm.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "common/block_info.hpp"
#include "common/error.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"
#include "isa/tandem/asm.hpp"
#include "isa/tandem/isa.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/tandem/tandem_tb.hpp"

namespace accelgen {

namespace {

struct RunTasmCli {
  std::string program;
  std::vector<std::string> sets;
  std::string config, dram, trace;
  std::vector<std::string> dumps, buffers;
  bool json = false, golden_only = false;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read '{}'", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The 32-bit words of a text file, line by line: whitespace-separated numbers (decimal, 0x hex,
// optional sign; -2^31..2^32-1); '#' starts a comment.
std::vector<std::vector<int32_t>> read_words(const std::string& path) {
  std::istringstream in(read_text(path));
  std::vector<std::vector<int32_t>> lines;
  int64_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    std::istringstream ls(line);
    std::vector<int32_t>& out = lines.emplace_back();
    for (std::string tok; ls >> tok;) {
      const bool neg = tok[0] == '-';
      std::string_view digits = tok;
      if (neg || tok[0] == '+') digits.remove_prefix(1);
      int base = 10;
      if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.remove_prefix(2);
        base = 16;
      }
      int64_t v = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size())
        throw UserError(fmt::format("{}:{}: '{}' is not a number", path, line_no, tok));
      if (neg) v = -v;
      if (v < INT32_MIN || v > UINT32_MAX)
        throw UserError(fmt::format("{}:{}: {} does not fit in a 32-bit word", path, line_no, tok));
      out.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
    }
  }
  return lines;
}

// A DRAM image: the file's words in order from word 0.
std::vector<int32_t> read_dram(const std::string& path, int64_t words) {
  std::vector<int32_t> dram(static_cast<size_t>(words), 0);
  int64_t n = 0;
  for (const auto& line : read_words(path))
    for (int32_t v : line) {
      if (n >= words) throw UserError(fmt::format("{}: more than dram_words = {} words", path, words));
      dram[static_cast<size_t>(n++)] = v;
    }
  return dram;
}

int namespace_id(const std::string& name) {
  for (int i = 0; i < 4; ++i)
    if (isa::tandem::NamespaceName(i) == name) return i;
  return -1;
}

// --buffer NS:FILE: line r of FILE is row r of buffer NS, lane 0 first (missing lanes are 0).
void load_buffer(const std::string& spec, const sim::TandemShape& shape, sim::TandemState& state) {
  const size_t colon = spec.find(':');
  const int ns = colon == std::string::npos ? -1 : namespace_id(spec.substr(0, colon));
  if (ns < 0) throw UserError(fmt::format("--buffer '{}': expected NS:FILE with NS one of obuf, ibuf, vmem1, vmem2", spec));
  const std::string path = spec.substr(colon + 1);
  const auto rows = read_words(path);
  if (static_cast<int64_t>(rows.size()) > shape.depth)
    throw UserError(fmt::format("{}: {} rows, the buffer has interim_depth = {}", path, rows.size(), shape.depth));
  for (size_t r = 0; r < rows.size(); ++r) {
    if (static_cast<int>(rows[r].size()) > shape.lanes)
      throw UserError(fmt::format("{}:{}: {} values, the buffer has {} lanes", path, r + 1, rows[r].size(), shape.lanes));
    for (size_t l = 0; l < rows[r].size(); ++l) state.buffers[ns][l * shape.depth + r] = rows[r][l];
  }
}

struct Dump {
  int ns;
  int first, last;
};

Dump parse_dump(const std::string& text, int depth) {
  const auto bad = [&] {
    return UserError(fmt::format("--dump '{}': expected NS:ROW or NS:ROW0-ROW1 with NS one of obuf, ibuf, vmem1, "
                                 "vmem2 and rows in 0..{}", text, depth - 1));
  };
  const size_t colon = text.find(':');
  if (colon == std::string::npos) throw bad();
  const std::string ns = text.substr(0, colon), rows = text.substr(colon + 1);
  Dump d{namespace_id(ns), 0, 0};
  if (d.ns < 0) throw bad();
  const size_t dash = rows.find('-');
  auto num = [&](const std::string& s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) throw bad();
    return v;
  };
  d.first = num(rows.substr(0, dash));
  d.last = dash == std::string::npos ? d.first : num(rows.substr(dash + 1));
  if (d.first < 0 || d.last < d.first || d.last >= depth) throw bad();
  return d;
}

void run_tasm(const RunTasmCli& o) {
  const BlockInfo& info = find_block("tandem");
  ParamSet params = resolve_params(info, o.config, o.sets, /*allow_stimulus=*/true);
  const sim::TandemShape shape = sim::tandem_shape(params);
  const std::vector<uint32_t> words = isa::tandem::Assemble(read_text(o.program), o.program);
  if (static_cast<int64_t>(words.size()) > shape.imem_depth)
    throw UserError(fmt::format("{}: {} instruction words do not fit imem_depth = {}", o.program, words.size(),
                                shape.imem_depth));
  std::vector<Dump> dumps;
  for (const auto& d : o.dumps) dumps.push_back(parse_dump(d, shape.depth));
  sim::TandemState init = sim::TandemState::zeros(shape);
  if (!o.dram.empty()) init.dram = read_dram(o.dram, shape.dram_words);
  for (const auto& b : o.buffers) load_buffer(b, shape, init);

  sim::TandemRun run;
  run.golden = sim::run_tandem_golden(shape, words, init);
  // A program the golden simulator rejects (spacing rule, address out of range, ...) is bad input.
  if (!run.golden.ran) throw UserError(fmt::format("{}: {}", o.program, run.golden.error));

  sim::VerifyResult res;
  std::string top;
  bool cached = false;
  if (!o.golden_only) {
    GeneratedDesign design = generate_design(info, params);
    top = design.top;
    auto progress = [](const std::string& msg) { fmt::print(stderr, "accelgen: {}\n", msg); };
    auto model = sim::build_model(design, sim::trace_kind_for(o.trace), progress);
    cached = model->was_cached();
    sim::TandemRtlDriver rtl(*model, shape, o.trace);
    run = sim::run_tandem_program(rtl, shape, words, init, o.program, res);
    res.sim_seconds = rtl.sim_seconds();
  }
  const bool passed = o.golden_only || res.passed();

  fmt::print("{}: {} words; lanes {}, interim_depth {}, imem_depth {}\n", o.program, words.size(), shape.lanes,
             shape.depth, shape.imem_depth);
  fmt::print("  golden: done in cycle {}, {} commits, {} sync events, {} compute instructions\n",
             run.golden.done_cycle, run.golden.commits.size(), run.golden.syncs.size(), run.golden.compute_count);
  if (!o.golden_only) {
    fmt::print("  rtl:    done in cycle {}, {} commits, {} sync events ({})\n", run.rtl.done_cycle,
               run.rtl.commits.size(), run.rtl.syncs.size(), top);
    fmt::print("  {}: {} commits/sync events/done cycle and {} final buffer and DRAM words compared, {} mismatches\n",
               passed ? "AGREE" : "MISMATCH", res.outputs_checked,
               res.details.value("final_words_compared", int64_t{0}), res.mismatches);
    for (const auto& m : res.first_mismatches) fmt::print("  mismatch: {}\n", m);
    if (!o.trace.empty()) fmt::print("  waveform: {} (open with: gtkwave {})\n", o.trace, o.trace);
  }
  nlohmann::json jd = nlohmann::json::object();
  for (const Dump& d : dumps) {
    const std::string ns(isa::tandem::NamespaceName(d.ns));
    fmt::print("  {} rows {}..{} (golden{}):\n", ns, d.first, d.last, o.golden_only ? "" : "; * = RTL differs");
    for (int r = d.first; r <= d.last; ++r) {
      std::vector<int32_t> row;
      bool differs = false;
      for (int l = 0; l < shape.lanes; ++l) {
        const size_t i = static_cast<size_t>(l) * shape.depth + r;
        row.push_back(run.golden.final_state.buffers[d.ns][i]);
        differs = differs || (!o.golden_only && run.rtl.final_state.buffers[d.ns][i] != row.back());
      }
      fmt::print("   {}{:>5}: {}\n", differs ? "*" : " ", r, fmt::join(row, " "));
      jd[ns][std::to_string(r)] = row;
    }
  }
  if (o.json) {
    nlohmann::json j = {{"program", o.program},
                        {"words", words.size()},
                        {"params", info.schema.to_json(params, /*include_stimulus=*/true)},
                        {"golden_only", o.golden_only},
                        {"golden_cycles", run.golden.done_cycle},
                        {"commits", run.golden.commits.size()},
                        {"syncs", run.golden.syncs.size()},
                        {"compute_instructions", run.golden.compute_count},
                        {"passed", passed},
                        {"dump", jd}};
    if (!o.golden_only) {
      j["rtl_cycles"] = run.rtl.done_cycle;
      j["top"] = top;
      j["outputs_checked"] = res.outputs_checked;
      j["mismatches"] = res.mismatches;
      j["first_mismatches"] = res.first_mismatches;
      j["sim_cycles_per_second"] = res.cycles_per_second();
      j["verilator_version"] = verilator_version();
      j["model_cached"] = cached;
      if (!o.trace.empty()) j["trace"] = o.trace;
    }
    fmt::print("{}\n", j.dump());
  }
  set_exit_status(passed ? 0 : 1);
}

}  // namespace

void register_run_tasm_command(CLI::App& app) {
  static RunTasmCli o;
  auto* cmd = app.add_subcommand(
      "run-tasm",
      "Assemble a Tandem program (.tasm), run it on the golden simulator and the generated RTL, compare them");
  cmd->footer(
      "Runs PROGRAM on the golden simulator and on the Verilated `tandem` configuration chosen with --set\n"
      "(lanes, interim_depth, imem_depth; dram_words sizes the DRAM model), starting from zeroed buffers,\n"
      "then the --buffer rows and the --dram image, and compares every write-back (cycle, pc, row, lanes, data), every sync event, the\n"
      "done cycle and the final buffers and DRAM. Prints both cycle counts and the first mismatches.\n"
      "Exit status: 0 the two agree, 1 they differ, 2 bad input (assembler errors name FILE:LINE:COLUMN;\n"
      "a program the golden simulator rejects, e.g. for the spacing rule, is bad input too).\n"
      "Example: accelgen run-tasm relu.tasm --set lanes=8 --dump vmem2:0-3 --trace relu.fst");
  cmd->add_option("program", o.program, "the program (assembler syntax: isa/README.md)")->required()->type_name("PROGRAM.tasm");
  cmd->add_option("--set", o.sets, "tandem parameter KEY=VALUE (repeatable): lanes, interim_depth, imem_depth, dram_words")
      ->type_name("KEY=VALUE");
  cmd->add_option("--config", o.config, "JSON file with tandem parameters")->type_name("FILE.json");
  cmd->add_option("--dram", o.dram, "initial DRAM: whitespace-separated words from word 0 ('#' comments)")->type_name("FILE");
  cmd->add_option("--buffer", o.buffers, "initial buffer rows: line r of FILE is row r, lane 0 first (repeatable)")
      ->type_name("NS:FILE");
  cmd->add_option("--dump", o.dumps, "print final buffer rows, e.g. vmem1:0-7 (repeatable)")->type_name("NS:ROW0-ROW1");
  cmd->add_option("--trace", o.trace, "write a waveform (.fst or .vcd) of the RTL run")->type_name("FILE");
  cmd->add_flag("--golden-only", o.golden_only, "run the golden simulator only (no Verilator needed)");
  cmd->add_flag("--json", o.json, "last line of stdout: one JSON object with the result");
  cmd->callback([] { run_tasm(o); });
}

}  // namespace accelgen
