#include "flows/common/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "common/error.hpp"

namespace accelgen::flows {

namespace {

std::string format_cell(const Cell& cell, int precision) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return fmt::format("{}", *i);
  return fmt::format("{:.{}f}", std::get<double>(cell), std::max(0, precision));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {
  for (auto& c : columns_)
    if (c.header.empty()) c.header = c.key;
}

Table& Table::add(std::vector<Cell> row) {
  if (row.size() != columns_.size())
    throw std::logic_error(
        fmt::format("table row has {} cells, the table {} columns", row.size(), columns_.size()));
  rows_.push_back(std::move(row));
  return *this;
}

std::string Table::text() const {
  std::vector<std::vector<std::string>> cells(rows_.size());
  std::vector<std::size_t> width(columns_.size());
  std::vector<bool> left(columns_.size(),
                         true);  // a column is left-aligned unless all cells are numbers
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    width[c] = columns_[c].header.size();
    if (!rows_.empty())
      left[c] = std::any_of(rows_.begin(), rows_.end(), [&](const auto& r) {
        return std::holds_alternative<std::string>(r[c]);
      });
  }
  for (std::size_t r = 0; r < rows_.size(); ++r)
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      cells[r].push_back(format_cell(rows_[r][c], columns_[c].precision));
      width[c] = std::max(width[c], cells[r][c].size());
    }
  auto line = [&](auto cell_of) {
    std::string out;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += "  ";
      const std::string& s = cell_of(c);
      out += left[c] ? fmt::format("{:<{}}", s, width[c]) : fmt::format("{:>{}}", s, width[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line([&](std::size_t c) -> const std::string& { return columns_[c].header; });
  for (const auto& row : cells)
    out += line([&](std::size_t c) -> const std::string& { return row[c]; });
  return out;
}

std::string Table::csv() const {
  std::string out;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (c) out += ',';
    out += csv_field(columns_[c].key);
  }
  out += '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += ',';
      out += csv_field(format_cell(row[c], columns_[c].precision));
    }
    out += '\n';
  }
  return out;
}

nlohmann::json Table::json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t c = 0; c < columns_.size(); ++c)
      std::visit([&](const auto& v) { o[columns_[c].key] = v; }, row[c]);
    out.push_back(std::move(o));
  }
  return out;
}

void create_output_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("cannot create '{}': {}", one_line(dir), ec.message()));
}

void write_file_atomic(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const std::string shown = one_line(path);
  const fs::path target(path);
  const fs::path tmp = target.parent_path() / (target.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(fmt::format("cannot write '{}'", shown));
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw UserError(fmt::format("cannot write '{}'", shown));
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw UserError(fmt::format("cannot write '{}'", shown));
  }
}

}  // namespace accelgen::flows
