// A stable, platform-independent text hash (FNV-1a 64) for cache keys; not for security.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace accelgen {

// Hash of the pieces in order; a separator is mixed in after each, so ("ab","c") != ("a","bc").
std::string stable_hash(const std::vector<std::string_view>& pieces);

}  // namespace accelgen
