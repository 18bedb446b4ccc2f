// tandem's parameter schema: defaults, ranges and stimulus keys (each bad value is one clear
// UserError naming the key and its range).
#include <gtest/gtest.h>

#include <string>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/tandem_params.hpp"

namespace accelgen {
namespace {

ParamSet resolve(const std::vector<std::string>& sets, bool stimulus = false) {
  return resolve_params(find_block("tandem"), "", sets, stimulus);
}

std::string error_of(const std::vector<std::string>& sets, bool stimulus = false) {
  try {
    resolve(sets, stimulus);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(TandemParams, Defaults) {
  const TandemParams p = TandemParams::from(resolve({}));
  EXPECT_EQ(p.lanes, 32);
  EXPECT_EQ(p.interim_depth, 512);
  EXPECT_EQ(p.imem_depth, 1024);
  const TandemStimulus s = TandemStimulus::from(resolve({}, true));
  EXPECT_EQ(s.program, "random");
  EXPECT_EQ(s.dram_words, 65536);
  EXPECT_FALSE(find_block("tandem").description.empty());
}

TEST(TandemParams, RangeEndsAreAccepted) {
  const TandemParams lo = TandemParams::from(resolve({"lanes=1", "interim_depth=8", "imem_depth=16"}));
  EXPECT_EQ(lo.lanes, 1);
  EXPECT_EQ(lo.interim_depth, 8);
  EXPECT_EQ(lo.imem_depth, 16);
  const TandemParams hi = TandemParams::from(resolve({"lanes=128", "interim_depth=4096", "imem_depth=65536"}));
  EXPECT_EQ(hi.lanes, 128);
  EXPECT_EQ(hi.interim_depth, 4096);
  EXPECT_EQ(hi.imem_depth, 65536);
}

TEST(TandemParams, OutOfRangeValuesAreOneClearError) {
  const std::pair<std::string, std::string> cases[] = {
      {"lanes=0", "parameter 'lanes' = 0 is out of range [1, 128]"},
      {"lanes=129", "parameter 'lanes' = 129 is out of range [1, 128]"},
      {"interim_depth=7", "parameter 'interim_depth' = 7 is out of range [8, 4096]"},
      {"interim_depth=4097", "parameter 'interim_depth' = 4097 is out of range [8, 4096]"},
      {"imem_depth=15", "parameter 'imem_depth' = 15 is out of range [16, 65536]"},
      {"imem_depth=65537", "parameter 'imem_depth' = 65537 is out of range [16, 65536]"},
  };
  for (const auto& [set, message] : cases) {
    const std::string e = error_of({set});
    EXPECT_EQ(e, message) << set;
    EXPECT_EQ(e.find('\n'), std::string::npos) << set;
  }
}

TEST(TandemParams, EngineWidths) {
  const TandemParams d = TandemParams::from(resolve({}));
  EXPECT_EQ(d.dram_bus_bits, 0);
  EXPECT_EQ(d.permute_width, 0);
  EXPECT_EQ(d.bus_words(), 32);  // a lanes-wide line at 32 lanes
  EXPECT_EQ(d.perm_width(), 32);
  const TandemParams six = TandemParams::from(resolve({"lanes=6"}));
  EXPECT_EQ(six.bus_words(), 4);  // largest power of two <= 6
  EXPECT_EQ(six.perm_width(), 6);
  const TandemParams one = TandemParams::from(resolve({"lanes=6", "dram_bus_bits=32", "permute_width=1"}));
  EXPECT_EQ(one.bus_words(), 1);
  EXPECT_EQ(one.perm_width(), 1);
  EXPECT_EQ(TandemParams::from(resolve({"lanes=2", "dram_bus_bits=4096"})).bus_words(), 128);
  EXPECT_EQ(error_of({"dram_bus_bits=48"}),
            "parameter 'dram_bus_bits' = 48 must be 0 (a lanes-wide line) or a power of two 32..4096");
  EXPECT_EQ(error_of({"dram_bus_bits=16"}),
            "parameter 'dram_bus_bits' = 16 must be 0 (a lanes-wide line) or a power of two 32..4096");
  EXPECT_EQ(error_of({"dram_bus_bits=8192"}), "parameter 'dram_bus_bits' = 8192 is out of range [0, 4096]");
  EXPECT_EQ(error_of({"lanes=4", "permute_width=5"}), "parameter 'permute_width' = 5 exceeds lanes (4)");
  EXPECT_EQ(error_of({"permute_width=129"}), "parameter 'permute_width' = 129 is out of range [0, 128]");
}

TEST(TandemParams, StimulusKeys) {
  for (const char* prog : {"random", "sweep", "loops", "dae", "permute", "all"})
    EXPECT_EQ(TandemStimulus::from(resolve({std::string("program=") + prog}, true)).program, prog);
  EXPECT_NE(error_of({"program=fuzz"}, true).find("program"), std::string::npos);
  EXPECT_EQ(error_of({"dram_words=15"}, true), "parameter 'dram_words' = 15 is out of range [16, 16777216]");
  EXPECT_EQ(error_of({"dram_words=16777217"}, true), "parameter 'dram_words' = 16777217 is out of range [16, 16777216]");
  EXPECT_EQ(TandemStimulus::from(resolve({"dram_words=16"}, true)).dram_words, 16);
  // Stimulus keys steer verify only: generate rejects them.
  EXPECT_NE(error_of({"program=dae"}, false).find("verify"), std::string::npos);
}

}  // namespace
}  // namespace accelgen
