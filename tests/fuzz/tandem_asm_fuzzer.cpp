// libFuzzer target: the Tandem assembler. The bytes are a .tasm program; a rejected program must
// give one UserError line, an accepted one must survive Assemble(DisassembleProgram(words)).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "isa/tandem/asm.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace accelgen;
using namespace accelgen::isa::tandem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::Guarded("fuzz.tasm:", [&] {
    const std::vector<uint32_t> words = Assemble(text, "fuzz.tasm");
    std::string listing;
    std::vector<uint32_t> again;
    try {
      listing = DisassembleProgram(words);
      again = Assemble(listing, "listing.tasm");
    } catch (const std::exception& e) {
      fuzz::Fail("an assembled program does not disassemble and reassemble", e.what());
    }
    if (again != words) fuzz::Fail("round trip changed the program", listing);
  });
  return 0;
}
