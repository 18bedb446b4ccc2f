#include "generator/formal/cvu_bw.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <map>
#include <stdexcept>
#include <utility>

namespace accelgen::formal {

BwForm cvu_bw_form(const CvuParams& p, int i, int j, int W) {
  const int b = p.slice_bits, P = p.max_bits / b;
  BwForm f;
  f.bx = b << i, f.bw = b << j;
  const int px = f.bx / b, pw = f.bw / b;
  f.elements = p.groups(f.bx, f.bw) * p.lanes;
  uint64_t negative = 0;
  for (int J = 0; J < P; ++J)
    for (int K = 0; K < P; ++K) {
      const int xs = J % px, ws = K % pw, g = J / px + (P / px) * (K / pw);
      BwNbve n{J, b * ws, b * xs, {}};
      const bool x_top = p.is_signed && xs == px - 1, w_top = p.is_signed && ws == pw - 1;
      for (int l = 0; l < p.lanes; ++l) {
        const int e = g * p.lanes + l;
        for (int u = 0; u < b; ++u)
          for (int v = 0; v < b; ++v) {
            const bool inv = (x_top && u == b - 1) != (w_top && v == b - 1);
            n.bits.push_back({e * f.bx + xs * b + u, e * f.bw + ws * b + v, u + v, inv});
            if (inv) negative += uint64_t{1} << (n.x_shift + n.w_shift + u + v);
          }
      }
      f.nbves.push_back(std::move(n));
    }
  f.correction = (0 - negative) & ((W >= 64 ? 0 : uint64_t{1} << W) - 1);
  return f;
}

BwLemma cvu_bw_lemma(const BwForm& f, bool is_signed, int W) {
  BwLemma lemma{true, 0};
  std::vector<std::vector<std::pair<BwBit, int>>> by_element(f.elements);  // bit, total shift
  for (const auto& n : f.nbves)
    for (const auto& bit : n.bits) {
      const int e = bit.x_bit / f.bx;
      if (e >= f.elements || bit.w_bit / f.bw != e) {
        lemma.holds = false;
        continue;
      }
      by_element[e].push_back({bit, n.x_shift + n.w_shift + bit.shift});
    }
  auto value = [&](int64_t v, int width) {
    return is_signed && (v >> (width - 1)) ? v - (int64_t{1} << width) : v;
  };
  uint64_t constants = 0;
  for (int e = 0; e < f.elements; ++e) {
    int64_t c = 0;
    for (const auto& [bit, s] : by_element[e])
      if (bit.inverted) c += int64_t{1} << s;
    constants += static_cast<uint64_t>(c);
    for (int64_t x = 0; x < (int64_t{1} << f.bx); ++x)
      for (int64_t w = 0; w < (int64_t{1} << f.bw); ++w) {
        int64_t sum = 0;
        for (const auto& [bit, s] : by_element[e]) {
          const int64_t a = ((x >> (bit.x_bit - e * f.bx)) & (w >> (bit.w_bit - e * f.bw)) & 1) ^
                            (bit.inverted ? 1 : 0);
          sum += a << s;
        }
        lemma.holds &= sum - c == value(x, f.bx) * value(w, f.bw);
        ++lemma.cases;
      }
  }
  const uint64_t mask = (W >= 64 ? 0 : uint64_t{1} << W) - 1;
  lemma.holds &= ((f.correction + constants) & mask) == 0;
  return lemma;
}

std::string cvu_bw_reference(const BwForm* f, int bus, int W) {
  std::string s = fmt::format(
      "module accelgen_ref_cvu_bw (\n  input logic [{0}:0] x_i,\n  input logic [{0}:0] w_i,\n"
      "  output logic [{1}:0] dot_o\n);\n",
      bus - 1, W - 1);
  if (f == nullptr) return s + "  assign dot_o = '0;\nendmodule\n";
  // Zero-extension of a WIDTH-bit value to TO bits, shifted left by SHIFT, as a concatenation.
  auto place = [](const std::string& v, int width, int shift, int to) {
    if (width + shift > to) throw std::logic_error("cvu_bw_reference: a sum would be truncated");
    std::string r = "{";
    if (to - width - shift > 0) r += fmt::format("{}'d0, ", to - width - shift);
    r += v;
    if (shift > 0) r += fmt::format(", {}'d0", shift);
    return r + "}";
  };
  auto bits_for = [](uint64_t largest) {
    return std::max(1, static_cast<int>(std::bit_width(largest)));
  };
  struct Placed {
    std::string name;
    int width, shift;
  };
  std::map<int, std::vector<Placed>> rows;  // J: its NBVE sums
  std::map<int, uint64_t> row_largest;
  std::map<int, int> row_shift;
  for (size_t n = 0; n < f->nbves.size(); ++n) {
    const BwNbve& nb = f->nbves[n];
    uint64_t largest = 0;
    for (const auto& bit : nb.bits) largest += uint64_t{1} << bit.shift;
    const int sw = bits_for(largest);
    std::vector<std::string> terms;
    for (const auto& bit : nb.bits)
      terms.push_back(
          place(fmt::format("{}(x_i[{}] & w_i[{}])", bit.inverted ? "~" : "", bit.x_bit, bit.w_bit),
                1, bit.shift, sw));
    s += fmt::format("  wire [{}:0] s{} = {};\n", sw - 1, n, fmt::join(terms, "\n      + "));
    rows[nb.row].push_back({fmt::format("s{}", n), sw, nb.w_shift});
    row_largest[nb.row] += largest << nb.w_shift;
    if (row_shift.count(nb.row) && row_shift[nb.row] != nb.x_shift)
      throw std::logic_error("cvu_bw_reference: NBVEs of one row with different x shifts");
    row_shift[nb.row] = nb.x_shift;
  }
  std::vector<std::string> finals = {fmt::format("{}'d{}", W, f->correction)};
  for (const auto& [row, sums] : rows) {
    const int rw = bits_for(row_largest[row]);
    std::vector<std::string> terms;
    for (const auto& t : sums) terms.push_back(place(t.name, t.width, t.shift, rw));
    s += fmt::format("  wire [{}:0] r{} = {};\n", rw - 1, row, fmt::join(terms, " + "));
    finals.push_back(place(fmt::format("r{}", row), rw, row_shift[row], W));
  }
  return s + fmt::format("  assign dot_o = {};\nendmodule\n", fmt::join(finals, "\n      + "));
}

}  // namespace accelgen::formal
