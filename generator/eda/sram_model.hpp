// First-order SRAM macro model for the OSU 0.18 um flow (`accelgen synth`): area, access energy and
// access time of a memory that synthesis keeps as a black box. All constants live in sram_model.cpp
// with their sources; README "Standard-cell PPA" states the model and its limits.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace accelgen {

struct SramShape {
  int64_t words = 0;
  int64_t width = 0;  // bits per word
  int read_ports = 1;
  int write_ports = 1;
  bool sync_read = true;  // false: combinational read (the RTL reads in the cycle it addresses)
  int64_t bits() const { return words * width; }
};

struct SramEstimate {
  double area_um2 = 0;        // all replicas
  double read_pj = 0;         // one read of one word (width bits)
  double write_pj = 0;        // one write of one word
  double access_ns = 0;       // address to data
  double leakage_mw = 0;      // not modelled: 0 (stated)
  int replicas = 1;           // one 1R1W array per read port
  nlohmann::json to_json() const;
};

// Model name and the sources of its constants, for reports.
const char* sram_model_name();
const char* sram_model_source();

// The estimate for SHAPE. A memory with R read ports is R replicas of a 1-read 1-write array (each
// write goes to every replica), the usual construction from single-port compiler macros.
SramEstimate estimate_sram(const SramShape& shape);

}  // namespace accelgen
