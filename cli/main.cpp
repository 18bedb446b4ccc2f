// accelgen: the command-line front end. Thin by design: every subcommand parses its options and
// calls one library function. Exit status: 0 success, 1 a check failed (lint warnings, co-simulation
// mismatches), 2 bad input or a missing tool (one line on stderr naming the problem), 3 an
// internal error (a bug).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "common/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "accelgen: generator and verifier for DNN-accelerator hardware blocks.\n"
      "Typical session:\n"
      "  accelgen list\n"
      "  accelgen generate systolic --set rows=8 --set cols=8 -o out/sa8\n"
      "  accelgen lint out/sa8 && accelgen synth out/sa8\n"
      "  accelgen verify systolic --set rows=8 --set cols=8 --seed 7 --trace run.fst\n",
      "accelgen"};
  app.require_subcommand(1);
  app.set_version_flag("--version", accelgen::version_string());
  accelgen::register_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (what.empty()) what = "missing subcommand";
    fmt::print(stderr, "accelgen: error: {} (see 'accelgen --help')\n", what);
    return 2;
  } catch (const accelgen::UserError& e) {
    fmt::print(stderr, "accelgen: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // A bug in accelgen, not in the input: say so, and never abort with a core dump.
    fmt::print(stderr, "accelgen: internal error: {} (please report it with the command line)\n", e.what());
    return 3;
  }
  return accelgen::exit_status();
}
