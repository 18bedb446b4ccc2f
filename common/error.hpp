// Error types shared by every library. A UserError is the user's fault (bad parameter, bad file,
// missing tool): the CLI prints its message on one line and exits with status 2.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace accelgen {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

// MESSAGE with every control character escaped (\n, \r, \t, \xNN), so that a name taken from an
// input file cannot split a UserError over several lines. Backslashes are kept as they are, so
// applying it twice changes nothing.
inline std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  return out;
}

}  // namespace accelgen
