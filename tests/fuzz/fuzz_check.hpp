// Shared checks of the libFuzzer targets (README.md, "Fuzzing"; run by scripts/fuzz.sh): a
// rejected input must give one UserError line naming the input; anything else that
// escapes, or a broken invariant, aborts so that libFuzzer records the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace accelgen::fuzz {

[[noreturn]] inline void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "FUZZ FINDING: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// A clear error: non-empty, one line (no control characters), prefixed with the input's name.
inline void CheckUserError(const UserError& e, std::string_view prefix) {
  const std::string_view msg = e.what();
  if (msg.size() <= prefix.size() || msg.substr(0, prefix.size()) != prefix)
    Fail("UserError does not name the input", msg);
  for (const char c : msg) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) Fail("UserError holds a control character (not one line)", msg);
  }
}

// Runs BODY; a UserError is checked, any other exception is a finding.
template <typename Body>
void Guarded(std::string_view prefix, Body&& body) {
  try {
    body();
  } catch (const UserError& e) {
    CheckUserError(e, prefix);
  } catch (const std::exception& e) {
    Fail("exception other than UserError", e.what());
  } catch (...) {
    Fail("exception other than UserError", "(not a std::exception)");
  }
}

}  // namespace accelgen::fuzz
