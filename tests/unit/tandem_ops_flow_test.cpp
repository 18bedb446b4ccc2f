// `accelgen flow tandem-ops` on a small target: every operator measured, the cycle columns
// ordered as the golden cycle model implies, and the address-calculation ablation's instruction
// count as the thesis describes it (three address instructions per two-operand instruction).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "compiler/tandem/catalog.hpp"
#include "flows/tandem_ops/tandem_ops_flow.hpp"

namespace accelgen::flows {
namespace {

TEST(TandemOpsFlow, MeasuresEveryOperatorConsistently) {
  const TandemOpsOptions o{8, 64, 3};
  const TandemOpsResult r = run_tandem_ops_flow(o);
  std::set<std::string> seen;
  for (const auto& row : r.rows) {
    seen.insert(row.op);
    SCOPED_TRACE(row.op);
    EXPECT_GT(row.elements, 0);
    // Every compute instruction occupies one issue slot, every slot at least one cycle, and the
    // engines' time is what separates "total" from "compute".
    EXPECT_GE(row.slots, row.compute_instructions);
    EXPECT_GE(row.cycles, row.slots);
    EXPECT_GE(row.compute_cycles_per_element * row.elements, row.compute_instructions);
    EXPECT_GE(row.cycles_per_element, row.compute_cycles_per_element);
    EXPECT_DOUBLE_EQ(row.cycles_per_element, static_cast<double>(row.cycles) / row.elements);
    // The one-word engines take one beat per element and the lanes-wide ones never more; only
    // the engines' time differs (the flow checks the compute cycles agree).
    EXPECT_LE(row.engine_beats, row.engine_elements);
    EXPECT_EQ(row.word_cycles - row.cycles, row.engine_elements - row.engine_beats);
    EXPECT_DOUBLE_EQ(row.word_cycles_per_element, static_cast<double>(row.word_cycles) / row.elements);
  }
  // Element-wise operators on aligned, contiguous tiles move whole 8-lane lines: ReLU loads and
  // stores N elements in 2 ceil(N / 8) beats.
  const auto relu = std::find_if(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.op == "Relu"; });
  ASSERT_NE(relu, r.rows.end());
  EXPECT_EQ(relu->engine_elements, 2 * relu->elements);
  EXPECT_EQ(relu->engine_beats, 2 * ((relu->elements + 7) / 8));
  const auto ops = compiler::tandem::CatalogOperators();
  EXPECT_EQ(seen, std::set<std::string>(ops.begin(), ops.end()));
  const TandemAblation& a = r.ablation;
  EXPECT_EQ(a.alu_instructions, 4 * a.iterator_instructions);  // Add: all two-operand
  EXPECT_GT(a.alu_compute_cycles, 3 * a.iterator_compute_cycles);
  EXPECT_GT(a.alu_cycles, a.iterator_cycles);
  const nlohmann::json j = tandem_ops_json(o, r);
  EXPECT_EQ(j["rows"].size(), ops.size());
  EXPECT_EQ(j["ablation"]["alu_instructions"], a.alu_instructions);
  const std::string csv = tandem_ops_csv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(ops.size()) + 1);
  EXPECT_EQ(j["dram_bus_words"], 8);
  // Asking for the one-word engines makes both columns equal.
  TandemOpsOptions w = o;
  w.dram_bus_words = 1;
  w.permute_width = 1;
  for (const auto& row : run_tandem_ops_flow(w).rows) {
    EXPECT_EQ(row.cycles, row.word_cycles) << row.op;
    EXPECT_EQ(row.engine_beats, row.engine_elements) << row.op;
  }
}

TEST(TandemOpsFlow, MixText) {
  EXPECT_EQ(mix_text({{"mul", 4}, {"abs", 1}, {"add", 3}}), "4 mul, 3 add, abs");
  EXPECT_EQ(mix_text({}), "-");
}

}  // namespace
}  // namespace accelgen::flows
