#include "generator/rtl_util.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace accelgen {

std::string adder_tree(vlog::Scope& scope, const std::string& prefix, const std::vector<std::string>& terms,
                       int width) {
  if (terms.empty()) throw std::logic_error("adder tree of no terms");
  std::vector<std::string> level = terms;
  for (int depth = 1; level.size() > 1; ++depth) {
    const std::string name = fmt::format("{}_l{}", prefix, depth);
    const int count = static_cast<int>((level.size() + 1) / 2);
    scope.logic(name, count * width);
    std::vector<std::string> next;
    for (int i = 0; i < count; ++i) {
      const std::string lhs = vlog::slice(name, i * width, width);
      const size_t a = 2 * static_cast<size_t>(i);
      scope.assign(lhs, a + 1 < level.size() ? fmt::format("{} + {}", level[a], level[a + 1]) : level[a]);
      next.push_back(lhs);
    }
    level = std::move(next);
  }
  return level.front();
}

std::vector<TopPort> top_ports(const vlog::Module& m) {
  std::vector<TopPort> ports;
  for (const auto& port : m.ports()) ports.push_back({port.name, port.width, port.dir == vlog::Dir::kInput});
  return ports;
}

}  // namespace accelgen
