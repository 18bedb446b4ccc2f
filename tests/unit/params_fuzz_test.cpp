// Seeded mutation fuzzing of the parameter front end (JSON configs and --set assignments): every
// input must either produce a validated ParamSet or a UserError — never a crash or another
// exception type. Seeds are fixed; the failing input is printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/block_info.hpp"
#include "common/error.hpp"

namespace accelgen {
namespace {

std::string mutate(std::mt19937_64& rng, std::string s) {
  const std::string alphabet = "{}[]\":,0123456789-+eE.truefalsnul rowscolsin_bitsacc_bits\\\x01\xff";
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 3) {
      case 0: if (!s.empty()) s.erase(pos, 1 + rng() % 3); break;
      case 1: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      default: if (!s.empty()) s[pos] = alphabet[rng() % alphabet.size()]; break;
    }
  }
  return s;
}

TEST(ParamsFuzz, MutatedJsonConfigsAreAcceptedOrRejectedCleanly) {
  const BlockInfo& b = find_block("systolic");
  const std::string seeds[] = {R"({"rows": 4, "cols": 3, "in_bits": 8, "acc_bits": 32})",
                               R"({"block": "systolic", "params": {"rows": 2, "cols": 16}})"};
  const auto path = std::filesystem::temp_directory_path() / ("accelgen_fuzz_" + std::to_string(getpid()) + ".json");
  std::mt19937_64 rng(20261123);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string input = mutate(rng, seeds[i % 2]);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << input;
    try {
      ParamSet p = resolve_params(b, path.string(), {}, false);
      EXPECT_GE(p.integer("rows"), 1) << input;
      ++accepted;
    } catch (const UserError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "multi-line error for: " << input;
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected " << e.what() << " for input: " << input;
    }
  }
  std::filesystem::remove(path);
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

TEST(ParamsFuzz, RandomSetAssignments) {
  const BlockInfo& b = find_block("systolic");
  std::mt19937_64 rng(7);
  const std::string keys[] = {"rows", "cols", "in_bits", "acc_bits", "operands", "m", "bogus", ""};
  const std::string values[] = {"1", "16", "0", "-1", "129", "99999999999999999999", "0x10", "8 ", "", "random", "=", "1e3"};
  for (int i = 0; i < 2000; ++i) {
    std::string a = keys[rng() % 8] + "=" + values[rng() % 12];
    if (rng() % 5 == 0) a = mutate(rng, a);
    try {
      resolve_params(b, "", {a}, true);
    } catch (const UserError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected " << e.what() << " for --set " << a;
    }
  }
}

}  // namespace
}  // namespace accelgen
