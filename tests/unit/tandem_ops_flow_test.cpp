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
  }
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
}

TEST(TandemOpsFlow, MixText) {
  EXPECT_EQ(mix_text({{"mul", 4}, {"abs", 1}, {"add", 3}}), "4 mul, 3 add, abs");
  EXPECT_EQ(mix_text({}), "-");
}

}  // namespace
}  // namespace accelgen::flows
