// Seeded mutation fuzzing of the Tandem assembler: malformed input must produce a UserError (never
// a crash or another exception), and whatever still assembles must survive the round trip.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "isa/tandem/asm.hpp"
#include "tests/isa/tandem_seed_programs.hpp"

namespace accelgen::isa::tandem {
namespace {

const std::vector<std::string>& Corpus() { return SeedPrograms(); }

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {"[",      "]",
                                                  ",",      ":",
                                                  "=",      "-",
                                                  "+",      "#",
                                                  ";",      "\n",
                                                  " ",      "0x",
                                                  "0b",     "99999999999",
                                                  "vmem1",  "imm",
                                                  "obuf",   ".equ",
                                                  ".ns",    ".iter",
                                                  "add",    "ld.start",
                                                  "lo",     "src",
                                                  "x:",     std::string(1, '\0'),
                                                  "\xff",   "\t",
                                                  "-32769", "65536",
                                                  "31",     "32",
                                                  "N"};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:  // delete a run
        if (!s.empty() && pos < s.size()) s.erase(pos, 1 + rng() % 6);
        break;
      case 1:  // insert a piece
        s.insert(pos, pieces[rng() % pieces.size()]);
        break;
      case 2:  // replace one byte with any byte
        if (pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
      default:  // duplicate a run
        if (pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 12));
        break;
    }
  }
  return s;
}

TEST(TandemAsmFuzz, CorpusAssembles) {
  for (const std::string& p : Corpus()) EXPECT_NO_THROW(Assemble(p)) << p;
}

TEST(TandemAsmFuzz, MutatedProgramsFailCleanlyOrRoundTrip) {
  const uint64_t seed = 0x7a4d3e;
  std::mt19937_64 rng(seed);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = Mutate(Corpus()[i % Corpus().size()], rng);
    try {
      const std::vector<uint32_t> words = Assemble(text, "fuzz.tasm");
      ASSERT_EQ(Assemble(DisassembleProgram(words)), words) << "seed " << seed << " case " << i;
      ++accepted;
    } catch (const UserError& e) {
      const std::string msg = e.what();
      ASSERT_EQ(msg.rfind("fuzz.tasm:", 0), 0u) << msg;
      ++rejected;
    }
  }
  // Both outcomes must occur, or the mutator is not exercising the assembler.
  EXPECT_GT(accepted, 200) << "seed " << seed;
  EXPECT_GT(rejected, 5000) << "seed " << seed;
}

}  // namespace
}  // namespace accelgen::isa::tandem
