// What every co-simulation test does: build a configuration (optionally mutated on purpose), run
// its testbench, and expect bit- and cycle-exact agreement with the golden model.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/block_info.hpp"
#include "generator/design.hpp"
#include "verilator_tb/model_builder.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

struct CosimCase {
  std::string name;
  std::vector<std::string> sets;
  uint64_t seed;
  int64_t transactions = 0;  // 0 = the block's default
};

// gtest prints this instead of the struct's bytes in test listings.
inline void PrintTo(const CosimCase& c, std::ostream* os) { *os << c.name; }

// ACCELGEN_TRACE_DIR=/dir makes every co-simulation test write /dir/<test>.fst.
inline std::string trace_path_for(const std::string& test) {
  const char* dir = std::getenv("ACCELGEN_TRACE_DIR");
  if (!dir || !*dir) return "";
  std::filesystem::create_directories(dir);
  return (std::filesystem::path(dir) / (test + ".fst")).string();
}

inline VerifyResult run_cosim(const std::string& block, const std::vector<std::string>& sets, uint64_t seed,
                              const std::string& trace = "", int64_t transactions = 0,
                              const std::function<void(GeneratedDesign&)>& mutate = {}) {
  const BlockInfo& info = find_block(block);
  ParamSet params = resolve_params(info, "", sets, true);
  GeneratedDesign design = generate_design(info, params);
  if (mutate) mutate(design);
  auto model = build_model(design, trace_kind_for(trace));
  return run_testbench(info, params, *model, VerifyOptions{seed, transactions, trace, {}});
}

// Replaces every occurrence of FROM in the emitted files (a deliberate bug); fails the test if
// FROM is nowhere, so a mutation can never silently stop mutating.
inline std::function<void(GeneratedDesign&)> mutation(std::string from, std::string to) {
  return [from, to](GeneratedDesign& d) {
    size_t hits = 0;
    for (auto& f : d.files)
      for (size_t pos = 0; (pos = f.contents.find(from, pos)) != std::string::npos; pos += to.size(), ++hits)
        f.contents.replace(pos, from.size(), to);
    EXPECT_GT(hits, 0u) << "mutation target '" << from << "' not found";
  };
}

// The first mismatches of a run, one per line, for a failure message.
inline std::string report_of(const VerifyResult& r) {
  std::string s;
  for (const auto& m : r.first_mismatches) s += "\n  " + m;
  return s;
}

inline void expect_exact(const VerifyResult& r, uint64_t seed) {
  EXPECT_EQ(r.mismatches, 0) << "seed " << seed << report_of(r);
  EXPECT_EQ(r.rtl_cycles, r.golden_cycles) << "seed " << seed;
  EXPECT_GT(r.outputs_checked, 0);
}

}  // namespace accelgen::sim
