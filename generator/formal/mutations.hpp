// Deliberate bugs in emitted RTL, by name: the mutations the co-simulation tests use
// (tests/cosim/*_cosim_test.cpp, `<Block>CosimMutation.<Name>IsCaught`), collected here so that
// `accelgen prove --mutate NAME` applies exactly the same edit to the same text.
#pragma once

#include <string>
#include <vector>

#include "generator/design.hpp"

namespace accelgen::formal {

struct Mutation {
  std::string name;         // as in the co-simulation test's name, without "IsCaught"
  std::string block;        // the block whose RTL it edits
  std::string description;  // what breaks
  std::string from, to;     // text edit (or std::regex_replace pattern and format when regex)
  bool regex = false;
  bool first_only = false;  // replace only the first occurrence in each file (as the test does)
  std::vector<std::string> example_sets;  // a configuration whose RTL contains the anchor
};

const std::vector<Mutation>& all_mutations();
// Throws UserError listing the mutations of BLOCK when NAME is unknown or belongs to another block.
const Mutation& find_mutation(const std::string& block, const std::string& name);
// Applies M to every file of D; UserError if its anchor occurs nowhere (a mutation never silently
// stops mutating, e.g. when another configuration or a redesign emits different text).
void apply_mutation(GeneratedDesign& d, const Mutation& m);

}  // namespace accelgen::formal
