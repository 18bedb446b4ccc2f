#include "flows/common/plot.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "common/error.hpp"
#include "common/process.hpp"

namespace accelgen::flows {

bool render_gnuplot(const std::string& script) {
  if (find_program("gnuplot").empty()) return false;
  const std::filesystem::path path(script);
  const ProcessResult r =
      run_process({"gnuplot", path.filename().string()}, path.parent_path().string());
  if (r.exit_code != 0)
    throw UserError(fmt::format("gnuplot failed on {}: {}", script, one_line(r.output)));
  return true;
}

}  // namespace accelgen::flows
