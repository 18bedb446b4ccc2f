#include "common/hash.hpp"

#include <fmt/format.h>

namespace accelgen {

std::string stable_hash(const std::vector<std::string_view>& pieces) {
  uint64_t h = 1469598103934665603ull;
  for (std::string_view s : pieces) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace accelgen
