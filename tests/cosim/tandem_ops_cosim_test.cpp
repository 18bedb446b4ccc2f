// Every compiled non-GEMM operator (compiler/tandem's catalog, small shapes that still need
// several tiles) runs on the generated Tandem pipeline and on the golden simulator: the two must
// agree on every write-back and its cycle, every sync, the done cycle and the final buffers and
// DRAM; and the RTL's output region must be what the compiler's golden run reads back (whose
// accuracy against the ONNX definitions tests/compiler checks).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/tandem/catalog.hpp"
#include "compiler/tandem/golden_run.hpp"
#include "tests/cosim/cosim_case.hpp"
#include "verilator_tb/tandem/tandem_tb.hpp"

namespace accelgen::sim {
namespace {

namespace ct = compiler::tandem;

struct OpsConfig {
  std::string name;
  std::vector<std::string> sets;
};

// gtest prints the name instead of the struct's bytes in test listings.
void PrintTo(const OpsConfig& c, std::ostream* os) { *os << c.name; }

class TandemOpsCosim : public ::testing::TestWithParam<OpsConfig> {};

TEST_P(TandemOpsCosim, EveryCompiledOperatorMatchesGolden) {
  const BlockInfo& info = find_block("tandem");
  const ParamSet params = resolve_params(info, "", GetParam().sets, true);
  const TandemParams p = TandemParams::from(params);
  const TandemShape shape = tandem_shape(params);
  const uint32_t seed = 7;
  fmt::print("seed {}\n", seed);
  auto model = build_model(generate_design(info, params), TraceKind::kNone);
  const auto cases = ct::OperatorCatalog({p.lanes, p.interim_depth}, ct::CatalogSize::kSmall, seed);
  ASSERT_EQ(cases.size(), ct::CatalogOperators().size());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.op + " " + c.shape);
    const ct::CompiledOp& op = c.compiled;
    ASSERT_LE(static_cast<int64_t>(op.program.size()), p.imem_depth);
    ASSERT_LE(op.dram_words, shape.dram_words);
    TandemState init = TandemState::zeros(shape);
    const std::vector<int32_t> image = ct::PrepareDram(op, c.inputs);
    std::copy(image.begin(), image.end(), init.dram.begin());
    VerifyResult res;
    const TandemRun run = run_tandem_program(*model, p, op.program, init, res, shape.dram_words,
                                             trace_path_for(GetParam().name + "_" + c.op));
    EXPECT_TRUE(res.passed()) << report_of(res);
    EXPECT_EQ(res.rtl_cycles, res.golden_cycles);
    ASSERT_TRUE(run.rtl.ran) << run.rtl.error;
    const ct::GoldenRun expected = ct::RunOnGolden(op, c.inputs);
    EXPECT_EQ(res.rtl_cycles, expected.cycles);
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      EXPECT_EQ(ct::ReadOutput(op, run.rtl.final_state.dram, i), expected.outputs[i]) << "output " << i;
    }
    fmt::print("{:<18} {:<28} {:>4} words {:>6} cycles: RTL = golden\n", c.op, c.shape, op.program.size(),
               res.rtl_cycles);
  }
}

// lanes 8 shares its Verilated model with the TandemCosim scan (same parameters, same RTL hash).
INSTANTIATE_TEST_SUITE_P(Configs, TandemOpsCosim,
                         ::testing::Values(OpsConfig{"L8_D64", {"lanes=8", "interim_depth=64", "imem_depth=1024"}},
                                           OpsConfig{"L3_D40", {"lanes=3", "interim_depth=40", "imem_depth=1024"}}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace accelgen::sim
