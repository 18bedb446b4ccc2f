// The conventional reference the CVU is compared with in the cvu-dse flow: an L-lane signed
// BITS x BITS dot-product unit (full-width multipliers + adder tree) with the CVU's three-stage
// pipeline. Not a block of its own: it exists to be synthesized next to the CVU.
#pragma once

#include "generator/design.hpp"

namespace accelgen {

GeneratedDesign generate_dot_baseline(int lanes, int bits);

}  // namespace accelgen
