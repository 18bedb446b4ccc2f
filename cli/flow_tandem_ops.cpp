#include "cli/flow_tandem_ops.hpp"

#include <fmt/format.h>

#include <fstream>

#include "common/error.hpp"
#include "flows/tandem_ops/tandem_ops_flow.hpp"

namespace accelgen {

namespace {

struct TandemOpsCli {
  flows::TandemOpsOptions o;
  int dram_bus_bits = 0;
  bool json = false;
  std::string csv, emit;
};

void run(TandemOpsCli& c) {
  if (c.dram_bus_bits != 0 && (c.dram_bus_bits < 32 || (c.dram_bus_bits & (c.dram_bus_bits - 1)) != 0))
    throw UserError(fmt::format("--dram-bus-bits {} must be 0 (a lanes-wide line) or a power of two 32..4096", c.dram_bus_bits));
  if (c.o.permute_width > c.o.lanes)
    throw UserError(fmt::format("--permute-width {} exceeds --lanes {}", c.o.permute_width, c.o.lanes));
  c.o.dram_bus_words = c.dram_bus_bits / 32;
  int line = c.o.dram_bus_words;
  if (line == 0)
    for (line = 1; line * 2 <= c.o.lanes;) line *= 2;
  const auto r = flows::run_tandem_ops_flow(c.o);
  if (!c.csv.empty()) {
    std::ofstream f(c.csv);
    if (!f) throw UserError(fmt::format("cannot write '{}'", c.csv));
    f << flows::tandem_ops_csv(r);
  }
  fmt::print("Tandem operators on {} lanes x {} rows (golden cycle model of the generated pipeline, seed {})\n",
             c.o.lanes, c.o.depth, c.o.seed);
  fmt::print("engines: DAE {}-bit DRAM line ({} words), permute {} elements per cycle; 1-word = the same program on\n"
             "the one-word engines (dram_bus_bits=32, permute_width=1: one element per engine cycle)\n",
             32 * line, line, c.o.permute_width != 0 ? c.o.permute_width : c.o.lanes);
  fmt::print("cycles per input element: total = whole program; compute = without the DAE/permute engines' time;\n"
             "issued = compute instructions executed (one cycle each, all lanes); ideal = ceil(elements/lanes) x\n"
             "primitives of the lowered body / elements (the issue's definition; it counts per-row work such as\n"
             "LayerNorm's Newton steps once per element, so it is no bound for reductions)\n\n");
  fmt::print("{:<18} {:<30} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>5}\n", "operator", "shape", "elements",
             "cycles", "total", "1-word", "compute", "issued", "ideal", "c/issued", "nops");
  const auto ratio = [](double a, double b) { return b > 0 ? fmt::format("{:.2f}x", a / b) : std::string("-"); };
  for (const auto& row : r.rows) {
    const double issued = static_cast<double>(row.compute_instructions) / row.elements;
    fmt::print("{:<18} {:<30} {:>8} {:>9} {:>7.3f} {:>7.3f} {:>7.3f} {:>7.3f} {:>7.3f} {:>8} {:>5}\n", row.op, row.shape,
               row.elements, row.cycles, row.cycles_per_element, row.word_cycles_per_element,
               row.compute_cycles_per_element, issued,
               row.ideal_cycles_per_element, ratio(row.compute_cycles_per_element, issued), row.nops);
  }
  fmt::print("\ninstruction mix of the lowered body (per element; core = the operator's primitives, extra = "
             "requantization etc.)\n");
  fmt::print("{:<18} {:<34} {:<44} {}\n", "operator", "ours: core", "ours: extra", "thesis Table 4.3");
  for (const auto& row : r.rows) {
    fmt::print("{:<18} {:<34} {:<44} {}\n", row.op, flows::mix_text(row.core_mix), flows::mix_text(row.extra_mix),
               row.thesis_mix.empty() ? "-" : row.thesis_mix);
  }
  const auto& a = r.ablation;
  fmt::print("\naddress-calculation ablation (thesis Fig. 4.5), Add of {} int8 elements:\n", a.elements);
  fmt::print("  iterators: {} cycles ({} without the DAE), {} compute instructions\n", a.iterator_cycles,
             a.iterator_compute_cycles, a.iterator_instructions);
  fmt::print("  ALU addressing (3 address instructions per two-operand op): {} cycles ({} without the DAE), {} "
             "compute instructions\n",
             a.alu_cycles, a.alu_compute_cycles, a.alu_instructions);
  fmt::print("  ratio: {:.2f}x whole program, {:.2f}x compute\n", double(a.alu_cycles) / a.iterator_cycles,
             double(a.alu_compute_cycles) / a.iterator_compute_cycles);
  fmt::print("  with the one-word engines: {} vs {} cycles ({:.2f}x)\n", a.iterator_word_cycles, a.alu_word_cycles,
             double(a.alu_word_cycles) / a.iterator_word_cycles);
  if (!c.csv.empty()) fmt::print("\ncsv: {}\n", c.csv);
  if (!c.emit.empty()) {
    const auto programs = flows::emit_tandem_ops(c.o, c.emit);
    int64_t imem = 1024, dram = 1 << 16;  // the defaults, grown to hold the largest program
    for (const auto& p : programs) {
      while (imem < p.words) imem *= 2;
      while (dram < p.dram_words) dram *= 2;
    }
    fmt::print("\nprograms: {0}/<operator>.tasm and .dram for {1} operators; run one on golden and RTL with\n"
               "  accelgen run-tasm {0}/{2}.tasm --dram {0}/{2}.dram --set lanes={3} --set interim_depth={4} "
               "--set imem_depth={5} --set dram_words={6}{7}\n",
               c.emit, programs.size(), programs.front().op, c.o.lanes, c.o.depth, imem, dram,
               fmt::format("{}{}", c.dram_bus_bits ? fmt::format(" --set dram_bus_bits={}", c.dram_bus_bits) : "",
                           c.o.permute_width ? fmt::format(" --set permute_width={}", c.o.permute_width) : ""));
  }
  if (c.json) fmt::print("{}\n", flows::tandem_ops_json(c.o, r).dump());
}

}  // namespace

void register_tandem_ops_flow(CLI::App& flow) {
  static TandemOpsCli c;
  auto* cmd = flow.add_subcommand(
      "tandem-ops", "Cycles per element of every compiled non-GEMM operator on Tandem vs the ideal; mix vs Table 4.3");
  cmd->add_option("--lanes", c.o.lanes, "Tandem lanes")->check(CLI::Range(1, 128));
  cmd->add_option("--depth", c.o.depth, "words per lane of each buffer")->check(CLI::Range(64, 4096));
  cmd->add_option("--seed", c.o.seed, "seed of the operator inputs");
  cmd->add_option("--dram-bus-bits", c.dram_bus_bits,
                  "DAE DRAM bus: 0 = a lanes-wide line (default), else a power of two 32..4096 (32 = one word per cycle)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--permute-width", c.o.permute_width, "permute engine elements per cycle: 0 = lanes (default)")
      ->check(CLI::Range(0, 128));
  cmd->add_flag("--json", c.json, "last line of stdout: one JSON object with every row and the ablation");
  cmd->add_option("--csv", c.csv, "also write the operator table as CSV")->type_name("FILE");
  cmd->add_option("--emit", c.emit, "write every operator's program (.tasm) and DRAM image (.dram) into DIR")
      ->type_name("DIR");
  cmd->callback([] { run(c); });
}

}  // namespace accelgen
