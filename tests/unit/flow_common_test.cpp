// The shared flow pieces: the technology table (curves, presets, the JSON format and its errors)
// and the table printer (text, CSV, JSON of the same rows). Expected values are worked by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "flows/common/table.hpp"
#include "flows/common/tech_table.hpp"

namespace accelgen::flows {
namespace {

TEST(TechCurve, InterpolatesAndExtrapolatesLinearly) {
  const TechCurve c{{{1, 0.3}, {32, 0.81}}, "test"};
  EXPECT_DOUBLE_EQ(c.at(1), 0.3);
  EXPECT_DOUBLE_EQ(c.at(32), 0.81);
  // Slope (0.81 - 0.3) / 31 = 0.016451...; 16.5 KiB is the midpoint.
  EXPECT_DOUBLE_EQ(c.at(16.5), 0.555);
  EXPECT_DOUBLE_EQ(c.at(63), 0.81 + 0.51);  // one more run of 31 KiB past the last point
  EXPECT_DOUBLE_EQ(c.at(0), 0.3 - 0.51 / 31);
  EXPECT_DOUBLE_EQ(c.at(-100), 0.0);  // clamped: never negative
}

TEST(TechCurve, OnePointIsConstantAndThreePointsUseTheirSegment) {
  EXPECT_DOUBLE_EQ((TechCurve{{{4, 2.5}}, "t"}.at(1000)), 2.5);
  const TechCurve c{{{0, 0}, {10, 10}, {20, 0}}, "t"};
  EXPECT_DOUBLE_EQ(c.at(5), 5);
  EXPECT_DOUBLE_EQ(c.at(15), 5);
  EXPECT_DOUBLE_EQ(c.at(25), 0);  // last segment's slope -1 continues, clamped at 0
  EXPECT_DOUBLE_EQ(c.at(22), 0);
  EXPECT_DOUBLE_EQ(c.at(-3), 0);
}

TEST(TechTable, NnBatonPresetHoldsTableOne) {
  const TechTable t = tech_preset("nn_baton_16nm");
  EXPECT_DOUBLE_EQ(t.dram_pj_per_bit.value, 8.75);
  EXPECT_DOUBLE_EQ(t.d2d_pj_per_bit.value, 1.17);
  EXPECT_DOUBLE_EQ(t.rf_pj_per_bit.value, 0.104);
  EXPECT_DOUBLE_EQ(t.mac_pj.value, 0.024);
  EXPECT_DOUBLE_EQ(t.mac_um2.value, 135.1);
  EXPECT_DOUBLE_EQ(t.frequency_mhz.value, 500);
  // 64 bits from a 1 KiB L1 at 0.3 pJ/bit; 8 bits from a 32 KiB L2 at 0.81 pJ/bit.
  EXPECT_DOUBLE_EQ(t.sram_access_pj(1024, 64), 19.2);
  EXPECT_DOUBLE_EQ(t.sram_access_pj(32 * 1024, 8), 6.48);
  // 1.5 mm^2 per MiB: 1 MiB of SRAM is 1.5e6 um^2.
  EXPECT_NEAR(t.sram_area_um2(1 << 20), 1.5e6, 1e-6);
}

TEST(TechTable, EveryPresetStatesEverySourceAndRoundTrips) {
  for (const auto& name : tech_preset_names()) {
    SCOPED_TRACE(name);
    const TechTable t = tech_preset(name);
    EXPECT_EQ(t.name, name);
    const nlohmann::json j = t.to_json();
    for (const auto& [key, e] : j.items()) {
      if (e.is_object()) {
        EXPECT_FALSE(e["source"].get<std::string>().empty()) << key;
      }
    }
    EXPECT_EQ(TechTable::from_json(j, "round trip").to_json(), j);
  }
  EXPECT_DOUBLE_EQ(tech_preset("cocco_12nm").dram_pj_per_bit.value, 12.5);
  EXPECT_DOUBLE_EQ(tech_preset("planaria_45nm").hop_pj_per_bit.value, 0.64);
  // The derived preset's SRAM curve is the synthesis flow's macro model (Horowitz x16): 32 KiB at
  // 5 pJ/bit, halfway between 8 and 32 KiB at 3.75.
  EXPECT_DOUBLE_EQ(tech_preset("osu018").sram_pj_per_bit.at(32), 5.0);
  EXPECT_DOUBLE_EQ(tech_preset("osu018").sram_pj_per_bit.at(20), 3.75);
}

TEST(TechTable, BadInputIsOneClearUserError) {
  EXPECT_THROW(tech_preset("no_such"), UserError);
  EXPECT_THROW(load_tech("no_such"), UserError);
  EXPECT_THROW(load_tech("/nonexistent/tech.json"), UserError);
  const nlohmann::json good = tech_preset("pipeorgan").to_json();
  auto broken = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    try {
      TechTable::from_json(j, "t.json");
    } catch (const UserError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos);
      EXPECT_EQ(what.rfind("t.json", 0), 0u) << what;
      return what;
    }
    ADD_FAILURE() << "accepted: " << j.dump();
    return std::string();
  };
  EXPECT_NE(broken([](auto& j) { j.erase("dram_pj_per_bit"); }).find("dram_pj_per_bit"),
            std::string::npos);
  broken([](auto& j) { j["mac_pj"]["value"] = -1; });
  broken([](auto& j) { j["mac_pj"]["value"] = "cheap"; });
  broken([](auto& j) { j["mac_pj"].erase("source"); });
  broken([](auto& j) { j["frequency_mhz"]["value"] = 0; });
  broken([](auto& j) { j["sram_pj_per_bit"]["points"] = nlohmann::json::array(); });
  broken([](auto& j) { j["sram_pj_per_bit"]["points"] = {{32, 0.8}, {1, 0.3}}; });
  broken([](auto& j) { j["sram_pj_per_bit"]["points"] = {{1, 0.3, 7}}; });
  broken([](auto& j) { j["name"] = 3; });
  broken([](auto& j) { j = nlohmann::json::array(); });
}

TEST(TechTable, LoadsAFileInTheSameShape) {
  const auto dir = std::filesystem::temp_directory_path() / "accelgen_tech_test";
  std::filesystem::create_directories(dir);
  nlohmann::json j = tech_preset("cocco_12nm").to_json();
  j["name"] = "mine";
  j["dram_pj_per_bit"]["value"] = 20.0;
  const auto file = (dir / "mine.json").string();
  std::ofstream(file) << j.dump();
  const TechTable t = load_tech(file);
  EXPECT_EQ(t.name, "mine");
  EXPECT_DOUBLE_EQ(t.dram_pj_per_bit.value, 20.0);
  std::ofstream(file) << "{ not json";
  EXPECT_THROW(load_tech(file), UserError);
  std::filesystem::remove_all(dir);
}

Table example() {
  Table t({{"name", "model"}, {"macs", "MACs"}, {"ratio", "x", 3}});
  t.add({std::string("vgg16"), std::int64_t{15470264320}, 1.5});
  t.add({std::string("a,\"b\""), std::int64_t{-7}, 0.0004});
  return t;
}

TEST(Table, TextAlignsStringsLeftAndNumbersRight) {
  EXPECT_EQ(example().text(),
            "model         MACs      x\n"
            "vgg16  15470264320  1.500\n"
            "a,\"b\"           -7  0.000\n");
}

TEST(Table, CsvQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(example().csv(),
            "name,macs,ratio\n"
            "vgg16,15470264320,1.500\n"
            "\"a,\"\"b\"\"\",-7,0.000\n");
}

TEST(Table, JsonKeepsTypesAndFullPrecision) {
  const auto j = example().json();
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["macs"].get<std::int64_t>(), 15470264320);
  EXPECT_DOUBLE_EQ(j[1]["ratio"].get<double>(), 0.0004);
  EXPECT_EQ(j[1]["name"], "a,\"b\"");
}

TEST(Table, WrongRowWidthIsABug) {
  Table t({{"a", ""}, {"b", ""}});
  EXPECT_THROW(t.add({std::int64_t{1}}), std::logic_error);
  EXPECT_EQ(t.text(), "a  b\n");  // headers default to the keys; an empty table is its header
}

TEST(WriteFileAtomic, WritesWholeFilesAndRefusesBadPaths) {
  const auto dir = std::filesystem::temp_directory_path() / "accelgen_atomic_test";
  std::filesystem::create_directories(dir);
  const auto file = (dir / "out.csv").string();
  write_file_atomic(file, "a,b\n1,2\n");
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "a,b\n1,2\n");
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
  EXPECT_THROW(write_file_atomic((dir / "no_dir" / "x.csv").string(), "x"), UserError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace accelgen::flows
