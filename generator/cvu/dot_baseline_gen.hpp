// The conventional references the CVU is compared with in the cvu-dse flow. Not blocks of their
// own: they exist to be synthesized next to the CVU, with the same arithmetic care — every sum of
// products is one expression (Yosys fuses it into one carry-save tree, as it does the CVU's NBVE
// sums), data registers have no reset (only control does), and the same three-stage pipeline.
#pragma once

#include "generator/design.hpp"

namespace accelgen {

// An L-lane signed BITS x BITS dot-product unit: input registers, the L products summed in one
// tree (registered), an output register. Same 8b x 8b throughput as an L-lane CVU.
GeneratedDesign generate_dot_baseline(int lanes, int bits);

// One conventional scalar MAC: input registers and an ACC_BITS accumulator that adds the signed
// BITS x BITS product every cycle (restarting from the product when `first_i` is set).
GeneratedDesign generate_scalar_mac(int bits, int acc_bits);

}  // namespace accelgen
