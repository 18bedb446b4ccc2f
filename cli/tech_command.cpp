#include "cli/tech_command.hpp"

#include <fmt/format.h>

#include "flows/common/table.hpp"
#include "flows/common/tech_table.hpp"

namespace accelgen {

namespace {

struct TechCli {
  std::string which;
  bool json = false;
};

void list_presets() {
  flows::Table t({{"name", "preset"}, {"description", "description"}});
  for (const auto& name : flows::tech_preset_names())
    t.add({name, flows::tech_preset(name).description});
  fmt::print("{}", t.text());
  fmt::print(
      "\nEvery flow takes --tech NAME or --tech FILE.json; 'accelgen tech show NAME --json' prints "
      "a\n"
      "preset in the file format, to copy and edit.\n");
}

void show(const TechCli& c) {
  const flows::TechTable tech = flows::load_tech(c.which);
  const nlohmann::json j = tech.to_json();
  if (c.json) {
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{}: {}\n\n", tech.name, tech.description);
  flows::Table t({{"key", "entry"}, {"value", "value", 4}, {"unit", "unit"}, {"source", "source"}});
  for (const auto& [key, e] : j.items()) {
    if (!e.is_object()) continue;
    if (e.contains("value")) {
      t.add({key, e["value"].get<double>(), e["unit"].get<std::string>(),
             e["source"].get<std::string>()});
    } else {
      std::string pts;
      for (const auto& p : e["points"])
        pts += fmt::format("{}({:g} KiB: {:g})", pts.empty() ? "" : " ", p[0].get<double>(),
                           p[1].get<double>());
      t.add({key, pts, e["unit"].get<std::string>(), e["source"].get<std::string>()});
    }
  }
  fmt::print("{}", t.text());
}

}  // namespace

void register_tech_command(CLI::App& app) {
  static TechCli c;
  auto* tech = app.add_subcommand(
      "tech", "The technology tables (energy and area figures, with sources) flows read");
  tech->require_subcommand(1);
  tech->add_subcommand("list", "List the built-in presets")->callback(list_presets);
  auto* s = tech->add_subcommand(
      "show", "Print one preset or JSON file, every entry with its unit and source");
  s->add_option("table", c.which, "preset name or technology JSON file")->required();
  s->add_flag("--json", c.json, "print the table in the file format (JSON)");
  s->callback([] { show(c); });
}

}  // namespace accelgen
