// Assembler and disassembler of the Tandem ISA (isa/tandem/isa.hpp). Syntax (isa/README.md):
//
//   # comment (also ';' to the end of the line)
//   .equ  N = 16              # numeric symbol
//   .ns   in = vmem1          # namespace symbol: in[3] means vmem1[3]
//   .iter acc = vmem2[0]      # operand symbol
//   body:                     # label: its value is the index of the next instruction
//   add acc, in[3], imm[1]    # mnemonic, then comma-separated operands
//
// Errors are accelgen::UserError naming "<source>:<line>:<column>"; no input can crash them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "isa/tandem/isa.hpp"

namespace accelgen::isa::tandem {

// Assembles a whole program; `source` names the input in error messages.
std::vector<uint32_t> Assemble(std::string_view text, std::string_view source = "<input>");

// Canonical text of one instruction (no symbols); throws UserError for an illegal word.
std::string Disassemble(uint32_t word);
std::string Disassemble(const Instruction& instr);

// One instruction per line, canonical text; Assemble() of the result gives `words` back.
std::string DisassembleProgram(std::span<const uint32_t> words);

}  // namespace accelgen::isa::tandem
