// Seeded Tandem programs for the co-simulation: per-instruction sweeps over edge values and
// fixed-point formats, loop nests and addressing, Data Access Engine tiles, permutations and random
// mixes. Every program is legal by construction: addresses stay inside the buffers and the DRAM,
// engine starts stand outside loop bodies, and no compute instruction reads a word written fewer
// than 3 issue slots earlier (isa/README.md item 14) — the builder inserts nops where needed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace accelgen::sim {

// The configuration a program is generated for (the RTL's parameters plus the DRAM model's size).
struct TandemShape {
  int lanes = 32;
  int depth = 512;  // interim_depth: words per lane of every buffer
  int imem_depth = 1024;
  int64_t dram_words = 1 << 16;
  // Engine widths (golden TandemSimConfig semantics): DAE bus in words (0 = lanes-wide line) and
  // permute elements per cycle (0 = lanes).
  int bus_words = 0;
  int perm_width = 0;
};

// Buffer and DRAM contents: buffers[ns][lane * depth + row] for ns = obuf, ibuf, vmem1, vmem2.
struct TandemState {
  std::array<std::vector<int32_t>, 4> buffers;
  std::vector<int32_t> dram;

  static TandemState zeros(const TandemShape& shape);
};

struct TandemCase {
  std::string name;    // family and index, e.g. "loops#3"
  uint64_t seed = 0;   // the seed that regenerates it (with the family and the shape)
  std::string family;  // sweep | loops | dae | permute | random
  std::string source;  // assembler text (what the words were assembled from)
  std::vector<uint32_t> words;
  TandemState init;
};

// The program families of the `program` stimulus key, "all" last.
const std::vector<std::string>& tandem_program_families();

// Programs of FAMILY ("all" = every family). Deterministic in SEED; "random" makes RANDOM_COUNT
// programs (other families have a fixed size that depends only on the shape). Every case carries
// SEED and a name with its index, so a reported program replays with the same command.
std::vector<TandemCase> make_tandem_cases(const TandemShape& shape, const std::string& family, uint64_t seed,
                                          int64_t random_count);

}  // namespace accelgen::sim
