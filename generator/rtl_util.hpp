// Datapath idioms shared by generators, built on the construction layer.
#pragma once

#include <string>
#include <vector>

#include "generator/design.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

// A balanced tree of two-input adders over TERMS (each already WIDTH bits, e.g. sign-extended),
// declared in SCOPE as one flat vector per level named PREFIX_l<level>. Returns the sum's
// expression. Sums wrap modulo 2^WIDTH, so WIDTH must hold the largest sum.
std::string adder_tree(vlog::Scope& scope, const std::string& prefix, const std::vector<std::string>& terms,
                       int width);

// The ports of a top module, as the co-simulation adapter needs them.
std::vector<TopPort> top_ports(const vlog::Module& m);

}  // namespace accelgen
