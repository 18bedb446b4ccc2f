#include "flows/tandem_ops/tandem_ops_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/error.hpp"
#include "compiler/tandem/catalog.hpp"
#include "compiler/tandem/golden_run.hpp"
#include "flows/common/table.hpp"

namespace accelgen::flows {

namespace ct = compiler::tandem;

namespace {

// Thesis Table 4.3 (primitive operations of non-GEMM layers); LayerNorm's row is its Sqrt.
std::string ThesisMix(const std::string& op) {
  if (op == "LeakyRelu") return "Max, Mul";
  if (op == "Clip") return "Max, Min";
  if (op == "Gelu") return "5 Mul, 3 Add, Sign, Abs, Min";
  if (op == "Softmax") return "4 Add, 4 Mul, Floor, Max, Sub";
  if (op == "LayerNorm") return "Sqrt: 4 Add, 4 Ceil, 4 Shift, 3 Div, Mul";
  return "";
}

TandemAblation RunAblation(const ct::TandemTarget& t, uint32_t seed) {
  const std::vector<int64_t> shape = {4000};
  const ct::QParams a{0.05, 3}, b{0.03, -5}, y{0.08, -2};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(-128, 127);
  std::vector<std::vector<int32_t>> inputs(2, std::vector<int32_t>(4000));
  for (auto& in : inputs) std::generate(in.begin(), in.end(), [&] { return d(rng); });
  const ct::CompiledOp iter = ct::CompileBinary(t, ct::Binary::kAdd, shape, a, b, y);
  const ct::CompiledOp alu = ct::CompileAddWithAluAddressing(t, shape, a, b, y);
  const ct::GoldenRun ri = ct::RunOnGolden(iter, inputs), ra = ct::RunOnGolden(alu, inputs);
  if (ri.outputs != ra.outputs) {
    throw std::logic_error("address-calculation ablation changed the result of Add");
  }
  const ct::GoldenRun wi = ct::RunOnGolden(ct::OneWordEngines(iter), inputs);
  const ct::GoldenRun wa = ct::RunOnGolden(ct::OneWordEngines(alu), inputs);
  TandemAblation ab;
  ab.elements = 4000;
  ab.iterator_cycles = ri.cycles;
  ab.alu_cycles = ra.cycles;
  ab.iterator_compute_cycles = ct::ComputeCycles(ri);
  ab.alu_compute_cycles = ct::ComputeCycles(ra);
  ab.iterator_instructions = ri.compute;
  ab.alu_instructions = ra.compute;
  ab.iterator_word_cycles = wi.cycles;
  ab.alu_word_cycles = wa.cycles;
  return ab;
}

}  // namespace

std::string mix_text(const std::map<std::string, int>& mix) {
  std::vector<std::pair<std::string, int>> items(mix.begin(), mix.end());
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& l, const auto& r) { return l.second > r.second; });
  std::string out;
  for (const auto& [name, n] : items) {
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", n > 1 ? fmt::format("{} ", n) : "", name);
  }
  return out.empty() ? "-" : out;
}

TandemOpsResult run_tandem_ops_flow(const TandemOpsOptions& o) {
  const ct::TandemTarget t{o.lanes, o.depth, o.dram_bus_words, o.permute_width};
  TandemOpsResult result;
  for (const auto& c : ct::OperatorCatalog(t, ct::CatalogSize::kBench, o.seed)) {
    const ct::Throughput th = ct::MeasureThroughput(c.compiled, c.inputs);
    const ct::GoldenRun word = ct::RunOnGolden(ct::OneWordEngines(c.compiled), c.inputs);
    if (ct::ComputeCycles(word) != th.cycles - th.engine_beats - 7 * c.compiled.engine_starts) {
      throw std::logic_error(c.op + ": the engine widths changed the compute cycles");
    }
    TandemOpsRow row;
    row.op = c.op;
    row.shape = c.shape;
    row.elements = th.elements;
    row.cycles = th.cycles;
    row.slots = th.slots;
    row.compute_instructions = th.compute;
    row.nops = c.compiled.nops;
    row.engine_elements = c.compiled.engine_elements;
    row.engine_starts = c.compiled.engine_starts;
    row.engine_beats = th.engine_beats;
    row.word_cycles = word.cycles;
    row.word_cycles_per_element = static_cast<double>(word.cycles) / th.elements;
    row.program_words = static_cast<int64_t>(c.compiled.program.size());
    row.cycles_per_element = th.cycles_per_element;
    row.compute_cycles_per_element = th.compute_cycles_per_element;
    row.ideal_cycles_per_element = th.ideal_cycles_per_element;
    row.core_mix = c.compiled.core_mix;
    row.extra_mix = c.compiled.extra_mix;
    row.thesis_mix = ThesisMix(c.op);
    result.rows.push_back(std::move(row));
  }
  result.ablation = RunAblation(t, o.seed);
  return result;
}

std::vector<EmittedProgram> emit_tandem_ops(const TandemOpsOptions& o, const std::string& dir) {
  namespace fs = std::filesystem;
  create_output_dir(dir);
  std::vector<EmittedProgram> out;
  for (const auto& c : ct::OperatorCatalog({o.lanes, o.depth, o.dram_bus_words, o.permute_width},
                                           ct::CatalogSize::kBench, o.seed)) {
    const fs::path base = fs::path(dir) / c.op;
    std::ofstream tasm(base.string() + ".tasm"), dram(base.string() + ".dram");
    if (!tasm || !dram)
      throw UserError(fmt::format("cannot write '{}.tasm' or '.dram'", base.string()));
    tasm << c.compiled.tasm;
    dram << fmt::format("# {} {}: DRAM image, {} words (inputs; outputs follow)\n", c.op, c.shape,
                        c.compiled.dram_words);
    for (int32_t w : ct::PrepareDram(c.compiled, c.inputs)) dram << w << '\n';
    out.push_back({c.op, static_cast<int64_t>(c.compiled.program.size()), c.compiled.dram_words});
  }
  return out;
}

std::string tandem_ops_csv(const TandemOpsResult& r) {
  std::string out =
      "operator,shape,elements,cycles,cycles_per_element,word_cycles,word_cycles_per_element,"
      "compute_cycles_per_element,ideal_cycles_per_element,slots,compute_instructions,nops,"
      "engine_elements,engine_beats,program_words,core_mix,extra_mix,thesis_mix\n";
  for (const auto& row : r.rows) {
    out += fmt::format(
        "{},\"{}\",{},{},{:.4f},{},{:.4f},{:.4f},{:.4f},{},{},{},{},{},{},\"{}\",\"{}\",\"{}\"\n",
        row.op, row.shape, row.elements, row.cycles, row.cycles_per_element, row.word_cycles,
        row.word_cycles_per_element, row.compute_cycles_per_element, row.ideal_cycles_per_element,
        row.slots, row.compute_instructions, row.nops, row.engine_elements, row.engine_beats,
        row.program_words, mix_text(row.core_mix), mix_text(row.extra_mix), row.thesis_mix);
  }
  return out;
}

nlohmann::json tandem_ops_json(const TandemOpsOptions& o, const TandemOpsResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    rows.push_back({{"operator", row.op},
                    {"shape", row.shape},
                    {"elements", row.elements},
                    {"cycles", row.cycles},
                    {"cycles_per_element", row.cycles_per_element},
                    {"word_cycles", row.word_cycles},
                    {"word_cycles_per_element", row.word_cycles_per_element},
                    {"engine_beats", row.engine_beats},
                    {"compute_cycles_per_element", row.compute_cycles_per_element},
                    {"ideal_cycles_per_element", row.ideal_cycles_per_element},
                    {"slots", row.slots},
                    {"compute_instructions", row.compute_instructions},
                    {"nops", row.nops},
                    {"engine_elements", row.engine_elements},
                    {"program_words", row.program_words},
                    {"core_mix", row.core_mix},
                    {"extra_mix", row.extra_mix},
                    {"thesis_mix", row.thesis_mix}});
  }
  const TandemAblation& a = r.ablation;
  return {{"flow", "tandem-ops"},
          {"lanes", o.lanes},
          {"depth", o.depth},
          {"dram_bus_words", ct::TandemTarget{o.lanes, o.depth, o.dram_bus_words, 0}.LineWords()},
          {"permute_width", o.permute_width != 0 ? o.permute_width : o.lanes},
          {"seed", o.seed},
          {"rows", rows},
          {"ablation",
           {{"operator", "Add"},
            {"elements", a.elements},
            {"iterator_cycles", a.iterator_cycles},
            {"alu_cycles", a.alu_cycles},
            {"iterator_compute_cycles", a.iterator_compute_cycles},
            {"alu_compute_cycles", a.alu_compute_cycles},
            {"iterator_word_cycles", a.iterator_word_cycles},
            {"alu_word_cycles", a.alu_word_cycles},
            {"iterator_instructions", a.iterator_instructions},
            {"alu_instructions", a.alu_instructions}}}};
}

}  // namespace accelgen::flows
