#include "flows/nn_baton/tech.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen::flows::nn_baton {

Tech load_tech(const std::string& name_or_path) {
  if (name_or_path == "nn_baton_16nm") return Tech{};
  throw UserError(fmt::format("unknown technology '{}' (known: nn_baton_16nm)", name_or_path));
}

}  // namespace accelgen::flows::nn_baton
