// libFuzzer target: the Tandem decoder. Every 4-byte little-endian word goes through Decode,
// DecodeProblem and Disassemble: DecodeProblem() == "" exactly when Decode does not throw, legal
// words re-encode to themselves and disassemble to text that assembles back to the same word.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "isa/tandem/asm.hpp"
#include "isa/tandem/isa.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace accelgen;
using namespace accelgen::isa::tandem;

namespace {

void CheckWord(uint32_t word) {
  const std::string problem = DecodeProblem(word);
  bool decoded = false;
  Instruction instr;
  try {
    instr = Decode(word);
    decoded = true;
  } catch (const UserError& e) {
    if (problem.empty()) fuzz::Fail("Decode throws but DecodeProblem is empty", e.what());
    if (std::string(e.what()).find('\n') != std::string::npos)
      fuzz::Fail("Decode error spans several lines", e.what());
  }
  if (decoded != problem.empty()) fuzz::Fail("Decode succeeds but DecodeProblem reports", problem);
  std::string text;
  try {
    text = Disassemble(word);
  } catch (const UserError& e) {
    if (decoded) fuzz::Fail("Disassemble rejects a legal word", e.what());
    return;
  }
  if (!decoded) fuzz::Fail("Disassemble accepts an illegal word", text);
  uint32_t encoded = 0;
  std::vector<uint32_t> assembled;
  try {
    encoded = Encode(instr);
    assembled = Assemble(text, "word.tasm");
  } catch (const std::exception& e) {
    fuzz::Fail("a legal word does not re-encode or reassemble", e.what());
  }
  if (encoded != word) fuzz::Fail("Encode(Decode(w)) != w", text);
  if (assembled != std::vector<uint32_t>{word}) fuzz::Fail("Assemble(Disassemble(w)) != w", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    for (size_t i = 0; i + 4 <= size; i += 4) {
      CheckWord(static_cast<uint32_t>(data[i]) | static_cast<uint32_t>(data[i + 1]) << 8 |
                static_cast<uint32_t>(data[i + 2]) << 16 |
                static_cast<uint32_t>(data[i + 3]) << 24);
    }
  } catch (const std::exception& e) {
    fuzz::Fail("unexpected exception", e.what());
  }
  return 0;
}
