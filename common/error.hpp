// Error types shared by every library. A UserError is the user's fault (bad parameter, bad file,
// missing tool): the CLI prints its message on one line and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace accelgen {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace accelgen
