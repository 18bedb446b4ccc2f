// Runs an external program (Verilator, Yosys, the C++ compiler) without a shell and captures its
// output, so arguments never need quoting and a missing tool is a clear UserError.
#pragma once

#include <string>
#include <vector>

namespace accelgen {

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

// Full path of PROGRAM found on PATH, or "" when absent.
std::string find_program(const std::string& program);

// Runs argv[0] (looked up on PATH) with the given arguments in working directory CWD ("" = ours).
// Extra environment entries "NAME=VALUE" are added to ours. Throws UserError if argv[0] is missing.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd = "",
                          const std::vector<std::string>& extra_env = {});

}  // namespace accelgen
