// Emits the C++ adapter that wraps one Verilated top module (class Vdut) into sim::Dut.
#pragma once

#include <string>

#include "generator/design.hpp"

namespace accelgen::sim {

enum class TraceKind { kNone, kFst, kVcd };

std::string emit_adapter(const GeneratedDesign& design, TraceKind trace);

}  // namespace accelgen::sim
