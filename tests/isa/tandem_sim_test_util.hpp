// Helpers shared by the Tandem golden-simulator tests: run assembler text, expect an error.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "isa/tandem/asm.hpp"

namespace accelgen::golden::tandem {

inline void RunText(TandemSim& sim, const std::string& text) { sim.Run(isa::tandem::Assemble(text)); }

// Runs `text` on a fresh simulator of `cfg` and expects a UserError naming every needle.
inline void ExpectSimError(const std::string& text, const std::vector<std::string>& needles, TandemSimConfig cfg) {
  TandemSim sim(cfg);
  try {
    RunText(sim, text);
  } catch (const UserError& e) {
    for (const std::string& n : needles) {
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what() << "\nwanted: " << n;
    }
    return;
  }
  ADD_FAILURE() << "no error for:\n" << text;
}

}  // namespace accelgen::golden::tandem
