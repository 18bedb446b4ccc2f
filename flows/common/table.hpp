// The one table printer every flow shares: the same rows as an aligned text table for people, CSV
// for spreadsheets and plots, and a JSON array for machines, so the three never disagree.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace accelgen::flows {

using Cell = std::variant<std::string, std::int64_t, double>;

struct Column {
  // A constructor rather than an aggregate, so {"key"} and {"key", "Header"} need no filler.
  Column(std::string key_, std::string header_ = "", int precision_ = 2)
      : key(std::move(key_)), header(std::move(header_)), precision(precision_) {}
  std::string key;     // CSV header and JSON member name (snake_case)
  std::string header;  // text-table header (defaults to key when empty)
  int precision = 2;   // digits after the point for double cells (text and CSV)
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);
  // Appends one row; it must have one cell per column (std::logic_error otherwise: a caller's bug).
  Table& add(std::vector<Cell> row);

  const std::vector<Column>& columns() const { return columns_; }
  std::size_t size() const { return rows_.size(); }

  // Header line, then one line per row; strings left-aligned, numbers right-aligned, two spaces
  // between columns, every line ending in '\n'.
  std::string text() const;
  // Header of keys, then rows; fields quoted (RFC 4180) only when they contain , " or a newline.
  std::string csv() const;
  // Array of objects {key: value}; doubles keep full precision.
  nlohmann::json json() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Writes CONTENT to PATH through a temporary file in the same directory and a rename, so a reader
// never sees half a file. UserError when the file cannot be written.
void write_file_atomic(const std::string& path, const std::string& content);

// Creates DIR (and its parents) for a flow's output files; UserError naming it when that fails.
void create_output_dir(const std::string& dir);

}  // namespace accelgen::flows
