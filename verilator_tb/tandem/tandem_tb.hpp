// Testbench of `tandem`: runs Tandem programs on the generated pipeline (instruction memory and
// buffers loaded through the host ports, DRAM served by a C++ model of aligned W-word lines with
// the spec's one-cycle read latency) and on the golden simulator, and compares every write-back (cycle, pc, namespace, row,
// lane mask, data), every sync event, the done cycle, and the final buffers and DRAM. The driver
// also holds the RTL to the port contract: garbage on the host write ports in every busy cycle
// (ignored), a poison word on mem_rdata_i whenever the previous cycle made no read request,
// busy_o high from cycle 1 until done, and done_o a one-cycle pulse.
// Ports and timing: golden_model/README.md, section `tandem`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/tandem_params.hpp"
#include "golden_model/tandem/tandem_sim.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/tandem/tandem_stimulus.hpp"
#include "verilator_tb/verify.hpp"

namespace accelgen::sim {

// The shape of a configuration: lanes, interim_depth, imem_depth and the `dram_words` stimulus key.
TandemShape tandem_shape(const ParamSet& params);

// What one side produced for one program.
struct TandemSide {
  bool ran = false;   // false: the side did not run (golden-only) or rejected the program
  std::string error;  // why it did not finish (rejected program, timeout, Verilog error)
  std::vector<golden::tandem::Commit> commits;
  std::vector<golden::tandem::SyncEvent> syncs;
  TandemState final_state;
  int64_t done_cycle = 0;
  int64_t compute_count = 0;  // golden only
};

struct TandemRun {
  TandemSide golden, rtl;
};

// The golden simulator on PROGRAM from INIT (a rejected program leaves ran = false and the reason).
TandemSide run_tandem_golden(const TandemShape& shape, std::span<const uint32_t> program, const TandemState& init);

// Drives one Verilated tandem top. The harness is reused for many programs (each starts with a
// reset), so a single waveform covers a whole verify run.
class TandemRtlDriver {
 public:
  TandemRtlDriver(const Model& model, const TandemShape& shape, const std::string& trace_path = "",
                  ActivityRecord* activity = nullptr);
  // Runs PROGRAM from INIT; gives up TIMEOUT cycles after start.
  TandemSide run(std::span<const uint32_t> program, const TandemState& init, int64_t timeout);
  double sim_seconds() const { return sim_seconds_; }

 private:
  TandemShape shape_;
  Harness h_;
  int imem_we_, imem_addr_, imem_wdata_, host_we_, host_ns_, host_addr_, host_wdata_, host_rdata_;
  int start_, prog_len_, busy_, done_;
  int c_valid_, c_pc_, c_ns_, c_addr_, c_mask_, c_data_, s_valid_, s_func_, s_group_;
  int m_valid_, m_we_, m_addr_, m_wdata_, m_rdata_, m_wmask_;
  int bus_words_ = 1;
  double sim_seconds_ = 0;
};

// Compares RTL against golden for one program and reports into RES (LABEL names the program and
// its seed in every message; PROGRAM is disassembled in commit mismatches).
void compare_tandem(const TandemRun& run, const TandemShape& shape, std::span<const uint32_t> program,
                    const std::string& label, VerifyResult& res);

// One program through both sides and the comparison: the entry point for compiled operators and
// `accelgen run-tasm`. RES accumulates (cycles, checks, mismatches) over calls.
TandemRun run_tandem_program(TandemRtlDriver& rtl, const TandemShape& shape, std::span<const uint32_t> program,
                             const TandemState& init, const std::string& label, VerifyResult& res);

// One-shot form for callers holding a model of configuration PARAMS (compiled operators): builds
// a driver, runs PROGRAM from INIT on both sides and compares into RES.
TandemRun run_tandem_program(const Model& model, const TandemParams& params, std::span<const uint32_t> program,
                             const TandemState& init, VerifyResult& res, int64_t dram_words = 1 << 16,
                             const std::string& trace_path = "");

// `accelgen verify tandem`: the programs of the `program` stimulus key (random: --transactions of
// them, default 20).
VerifyResult run_tandem_tb(const ParamSet& params, const Model& model, const VerifyOptions& options);

}  // namespace accelgen::sim
