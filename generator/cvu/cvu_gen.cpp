// Generator for `cvu`: the Composable Vector Unit. Interface, arithmetic and timing are specified
// in golden_model/README.md ("cvu"); the golden model implements that specification independently.
//
// Structure (golden_model/README.md, "Structure of the RTL"): NBVE n = J*P + K (P = B/b) always
// sits at x-slice row J and w-slice column K. Two routers turn the element-packed buses into one
// b-bit slice per NBVE lane; each NBVE ANDs its L slice pairs into unsigned partial-product bits (a
// signed top slice inverts the bits of its MSB, Baugh-Wooley style) and sums them in one tree; the
// shifts compose in two levels, w significance (mode_w only) then x significance (mode_x only), and
// the sign corrections of all lanes and NBVEs fold into one constant per mode.
#include "generator/cvu/cvu_gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <tuple>

#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

int slices_per_operand(const CvuParams& p) { return p.max_bits / p.slice_bits; }  // P

// Zero-extends (or truncates, modulo 2^TO) a FROM-bit unsigned expression to TO bits.
std::string resize_unsigned(const std::string& expr, int from, int to) {
  if (from >= to) return from == to ? expr : slice(expr, 0, to);
  return fmt::format("{{{}, {}}}", lit(to - from, 0), expr);
}

// Partial-product bit (x bit i, w bit j) of a slice pair has weight -2^(i+j) when exactly one of
// the two bits is the MSB of a signed top slice.
bool negative_bit(int i, int j, int b, bool x_top, bool w_top) {
  return (i == b - 1 && x_top) != (j == b - 1 && w_top);
}

// A bit class (i, j) of a signed CVU can be negative in some mode exactly when i or j is a slice
// MSB.
bool negatable_class(const CvuParams& p, int i, int j) {
  return p.is_signed && (i == p.slice_bits - 1 || j == p.slice_bits - 1);
}

// A negatable class counts its bits in the first C = 2^m - 1 lanes (the largest such C <= L) as
// one m-bit number and complements the count when the class is negative; the other L - C lanes
// invert their bits one by one. A complemented count is C - count and an inverted bit 1 - bit, so
// a negative class adds L - (its bits set) = its true value + L, at most L either way, and its
// correction is -L * 2^(i+j), as for plain Baugh-Wooley bits.
int counted_lane_bits(const CvuParams& p) {
  return static_cast<int>(std::bit_width(static_cast<unsigned>(p.lanes + 1))) - 1;  // m
}

// Largest value of one NBVE's unsigned sum: every class adds at most L (see above).
uint64_t nbve_max_sum(const CvuParams& p) {
  const uint64_t m = (uint64_t{1} << p.slice_bits) - 1;
  return m * m * static_cast<uint64_t>(p.lanes);
}

// Width of a level-1 sum (one x-slice row J: P NBVE sums shifted by b*(K mod pw)), every mode.
int row_sum_bits(const CvuParams& p) {
  const int P = slices_per_operand(p);
  uint64_t most = 0;
  for (int level = 0; level < p.levels(); ++level) {
    const int pw = p.width_of_level(level) / p.slice_bits;
    uint64_t total = 0;
    for (int k = 0; k < P; ++k) total += nbve_max_sum(p) << (p.slice_bits * (k % pw));
    most = std::max(most, total);
  }
  return static_cast<int>(std::bit_width(most));
}

// The mode's sign correction, modulo 2^result_bits: a negative class of an NBVE adds its true
// value + L (complemented count and inverted bits, above), so the -L * 2^s of every such class and
// NBVE, shifted by the NBVE's significance, adds up here (Baugh-Wooley, once per mode).
uint64_t mode_constant(const CvuParams& p, int px, int pw) {
  if (!p.is_signed) return 0;
  const int b = p.slice_bits, P = slices_per_operand(p);
  int64_t c = 0;
  for (int J = 0; J < P; ++J)
    for (int K = 0; K < P; ++K)
      for (int i = 0; i < b; ++i)
        for (int j = 0; j < b; ++j)
          if (negative_bit(i, j, b, J % px == px - 1, K % pw == pw - 1))
            c -= int64_t{p.lanes} << (i + j + b * (J % px + K % pw));
  const int RB = p.result_bits();
  return static_cast<uint64_t>(c) & (RB >= 64 ? ~uint64_t{0} : (uint64_t{1} << RB) - 1);
}

std::string mode_label(const CvuParams& p, int i, int k) {
  const int MB = p.mode_bits();
  return fmt::format("{{{}, {}}}", lit(MB, static_cast<uint64_t>(i)),
                     lit(MB, static_cast<uint64_t>(k)));
}

// Router of one operand: element-packed bus -> the b-bit slice each NBVE lane reads in this mode.
// NBVE n = J*P + K, mode (px, pw): x slice j = J mod px, w slice k = K mod pw, group
// g = J/px + (P/px)*(K/pw); lane l reads element g*L + l.
std::string emit_router(const std::string& name, bool x_side, const CvuParams& p,
                        const nlohmann::json& params) {
  const int b = p.slice_bits, L = p.lanes, N = p.nbves(), P = slices_per_operand(p),
            MB = p.mode_bits();
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format("{}: {} operand router (element-packed bus -> one slice per NBVE lane).", name,
                  x_side ? "x" : "w"),
      "cvu", params));
  m.input("mode_x_i", MB, "x width level")
      .input("mode_w_i", MB, "w width level")
      .input("bus_i", p.bus_bits(), "element e in bits [e*width +: width]")
      .output("slices_o", N * L * b, "NBVE n lane l reads bits [(n*L + l)*b +: b]");
  auto& body = m.body();
  auto& gen = body.generate_for("g_nbve", "n", N);
  gen.vector("lane_slices", L * b);
  std::vector<vlog::Block::CaseItem> route;
  for (int i = 0; i < p.levels(); ++i)
    for (int k = 0; k < p.levels(); ++k) {
      const int bx = p.width_of_level(i), bw = p.width_of_level(k), px = bx / b, pw = bw / b;
      const std::string group =
          fmt::format("((n / {}) / {} + {}*((n % {}) / {}))", P, px, P / px, P, pw);
      const std::string offset = x_side ? fmt::format("((n / {}) % {})*{}", P, px, b)
                                        : fmt::format("((n % {}) % {})*{}", P, pw, b);
      const int width = x_side ? bx : bw;
      route.push_back(
          {mode_label(p, i, k), [=](vlog::Block& c) {
             c.comment(fmt::format("{}b x {}b", bx, bw));
             c.for_("l", L, [&](vlog::Block& f) {
               f.assign(
                   slice("lane_slices", fmt::format("l*{}", b), b),
                   slice("bus_i", fmt::format("({}*{} + l)*{} + {}", group, L, width, offset), b));
             });
           }});
    }
  auto& rc = gen.always_comb();
  rc.assign("lane_slices", lit(L * b, 0));
  rc.case_("{mode_x_i, mode_w_i}", route,
           [](vlog::Block& d) { d.comment("illegal mode: all-zero slices"); });
  gen.assign(slice("slices_o", fmt::format("n*{}", L * b), L * b), "lane_slices");
  return m.emit();
}

// One NBVE: L unsigned b x b AND arrays, registered as one sum. The bits of a class (i, j) that
// is never negative enter the sum directly; of a negatable class, the bits of the first C lanes
// are counted and the m-bit count complemented when the class is negative in this mode (x_top_i,
// w_top_i), the bits of the remaining L - C lanes inverted, so the mode costs m + L - C XORs per
// class instead of L.
std::string emit_nbve(const std::string& name, const CvuParams& p, const nlohmann::json& params) {
  const int b = p.slice_bits, L = p.lanes, S = cvu_nbve_sum_bits(p), k = counted_lane_bits(p);
  const int C = (1 << k) - 1;
  vlog::Module m(name);
  m.header(generated_header(
      name + ": narrow-bitwidth vector engine (L slice multipliers, one adder tree).", "cvu",
      params));
  m.input("clk_i", 1)
      .input("x_i", L * b, "lane l's x slice in bits [l*b +: b]", /*ranged=*/true)
      .input("w_i", L * b, "lane l's w slice in bits [l*b +: b]", /*ranged=*/true);
  if (p.is_signed)
    m.input("x_top_i", 1, "x slices are signed top slices: their MSB weighs -2^(b-1)")
        .input("w_top_i", 1, "w slices are signed top slices");
  m.output("sum_o", S,
           "registered sum (unsigned; the constants of negated classes are added outside)");
  auto& body = m.body();
  body.logic("sum", S).logic("sum_q", S);
  auto widen = [&](const std::string& v, int width, int shift) {
    const int hi = S - width - shift;
    std::string t = shift > 0 ? fmt::format("{}, {}", v, lit(shift, 0)) : v;
    return hi > 0 ? fmt::format("{{{}, {}}}", lit(hi, 0), t) : fmt::format("{{{}}}", t);
  };
  std::vector<std::string> terms;
  for (int i = 0; i < b; ++i)
    for (int j = 0; j < b; ++j) {
      auto bit = [&](int l) { return fmt::format("(x_i[{}] & w_i[{}])", l * b + i, l * b + j); };
      if (!negatable_class(p, i, j)) {
        for (int l = 0; l < L; ++l) terms.push_back(widen(bit(l), 1, i + j));
        continue;
      }
      const bool xi = i == b - 1, wj = j == b - 1;
      const std::string neg = xi && wj ? "x_top_i ^ w_top_i" : xi ? "x_top_i" : "w_top_i";
      body.comment(fmt::format("bits of weight 2^{}: negative when {}", i + j, neg));
      if (C > 1) {
        const std::string cnt = fmt::format("count_{}_{}", i, j),
                          cls = fmt::format("class_{}_{}", i, j);
        body.logic(cnt, k).logic(cls, k);
        std::string count;
        for (int l = 0; l < C; ++l)
          count += (l ? " + " : "") + fmt::format("{{{}, {}}}", lit(k - 1, 0), bit(l));
        body.assign(cnt, count);
        body.assign(cls, fmt::format("{} ^ {{{}{{{}}}}}", cnt, k, neg));
        terms.push_back(widen(cls, k, i + j));
      }
      for (int l = C > 1 ? C : 0; l < L; ++l)
        terms.push_back(widen(fmt::format("({} ^ {})", bit(l), neg), 1, i + j));
    }
  std::string sum;
  for (size_t t = 0; t < terms.size(); ++t) sum += (t ? "\n      + " : "") + terms[t];
  body.assign("sum", sum);
  body.always_ff_noreset().assign("sum_q", "sum");
  body.assign("sum_o", "sum_q");
  return m.emit();
}

// The ports of the block and of its core, which differ only in the operand buses' layout.
void add_ports(vlog::Module& m, const CvuParams& p, const std::string& x_doc,
               const std::string& w_doc) {
  const int MB = p.mode_bits();
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("in_valid_i", 1, "start an operation this cycle")
      .input("mode_x_i", MB, "x width level: bx = slice_bits << mode_x_i")
      .input("mode_w_i", MB, "w width level: bw = slice_bits << mode_w_i")
      .input("x_i", p.bus_bits(), x_doc)
      .input("w_i", p.bus_bits(), w_doc)
      .output("out_valid_o", 1, "result of the operation started 3 cycles ago")
      .output("out_o", p.result_bits(), "signed dot product");
}

// The CVU proper: slice-major operand buses (one b-bit slice per NBVE lane, the format of the
// thesis's NBVEs, which receive bit-sliced sub-vectors), registered, then the NBVEs and the
// two-level shift-add. cvu_array instantiates it behind routers shared along a row.
std::string emit_core(const std::string& name, const std::string& nbve, const CvuParams& p,
                      const nlohmann::json& params) {
  const int b = p.slice_bits, L = p.lanes, N = p.nbves(), P = slices_per_operand(p),
            MB = p.mode_bits(), BUS = p.bus_bits();
  // Everything after the NBVEs is taken modulo 2^result_bits (the result fits, so that is exact).
  const int RB = p.result_bits(), S = cvu_nbve_sum_bits(p), T = std::min(row_sum_bits(p), RB);
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format(
          "{}: composable vector unit core, {} NBVEs of {} lanes, {}-bit slices, up to {}-bit "
          "operands, slice-major operand buses.",
          name, N, L, b, p.max_bits),
      "cvu", params));
  add_ports(m, p, "NBVE n lane l's x slice in bits [(n*L + l)*b +: b]",
            "NBVE n lane l's w slice in bits [(n*L + l)*b +: b]");
  auto& body = m.body();

  body.comment("Stage 1: operand registers (data: no reset) and the control, which is reset.");
  body.logic("v1_q", 1).logic("mx1_q", MB).logic("mw1_q", MB).logic("x1_q", BUS).logic("w1_q", BUS);
  body.comment("Stage 2 (NBVE sums registered inside the NBVEs): the mode follows its operands.");
  body.logic("v2_q", 1).logic("mx2_q", MB).logic("mw2_q", MB);
  body.comment("Stage 3: the result.");
  body.logic("v3_q", 1).logic("result_q", RB).logic("result", RB);
  auto& ff = body.always_ff();
  for (auto [reg, w] : {std::pair{"v1_q", 1},
                        {"mx1_q", MB},
                        {"mw1_q", MB},
                        {"v2_q", 1},
                        {"mx2_q", MB},
                        {"mw2_q", MB},
                        {"v3_q", 1}})
    ff.reset.assign(reg, lit(w, 0));
  ff.body.assign("v1_q", "in_valid_i").assign("mx1_q", "mode_x_i").assign("mw1_q", "mode_w_i");
  ff.body.assign("v2_q", "v1_q")
      .assign("mx2_q", "mx1_q")
      .assign("mw2_q", "mw1_q")
      .assign("v3_q", "v2_q");
  body.always_ff_noreset().assign("x1_q", "x_i").assign("w1_q", "w_i").assign("result_q", "result");
  body.blank();

  body.logic("shifted_w", N * T);
  body.comment(fmt::format(
      "NBVE n = J*{0} + K (J = n / {0}, K = n % {0}): x slice J mod px, w slice K mod pw.", P));
  auto& gen = body.generate_for("g_nbve", "n", N);
  gen.logic("sum", S).logic("shifted", T);
  if (p.is_signed) gen.logic("x_top", 1).logic("w_top", 1);
  std::vector<vlog::Block::CaseItem> x_top, w_top, w_shift;
  for (int i = 0; i < p.levels(); ++i) {
    const int pp = p.width_of_level(i) / b;
    const std::string label = lit(MB, static_cast<uint64_t>(i));
    x_top.push_back({label, [=](vlog::Block& c) {
                       c.assign("x_top", fmt::format("(n / {}) % {} == {}", P, pp, pp - 1));
                     }});
    w_top.push_back({label, [=](vlog::Block& c) {
                       c.assign("w_top", fmt::format("(n % {}) % {} == {}", P, pp, pp - 1));
                     }});
    w_shift.push_back({label, [=](vlog::Block& c) {
                         c.assign("shifted", fmt::format("{} << ({}*((n % {}) % {}))",
                                                         resize_unsigned("sum", S, T), b, P, pp));
                       }});
  }
  if (p.is_signed) {
    auto& tc = gen.always_comb();
    tc.assign("x_top", "1'b0").assign("w_top", "1'b0");
    tc.case_("mx1_q", x_top, [](vlog::Block& d) { d.comment("illegal mode: the shifts give 0"); });
    tc.case_("mw1_q", w_top, [](vlog::Block& d) { d.comment("illegal mode: the shifts give 0"); });
  }
  auto& inst = gen.instance(nbve, "u_nbve")
                   .connect("clk_i", "clk_i")
                   .connect("x_i", slice("x1_q", fmt::format("n*{}", L * b), L * b))
                   .connect("w_i", slice("w1_q", fmt::format("n*{}", L * b), L * b));
  if (p.is_signed) inst.connect("x_top_i", "x_top").connect("w_top_i", "w_top");
  inst.connect("sum_o", "sum");
  if (S > T) {  // only the low result_bits of a sum matter
    gen.logic("unused_sum_hi", S - T);
    gen.assign("unused_sum_hi", slice("sum", T, S - T));
  }
  body.comment("Level 1: w significance within each x-slice row (a function of mode_w only).");
  auto& sc = gen.always_comb();
  sc.assign("shifted", lit(T, 0));
  sc.case_("mw2_q", w_shift, [](vlog::Block& d) { d.comment("illegal mode: 0"); });
  gen.assign(slice("shifted_w", fmt::format("n*{}", T), T), "shifted");
  body.blank();

  body.comment(
      "Level 2: x significance of each row (a function of mode_x only), then one sum with the "
      "mode's");
  body.comment("sign-correction constant.");
  body.logic("shifted_x", P * RB).logic("correction", RB);
  auto& rows = body.generate_for("g_row", "r", P);
  std::string row_sum;
  for (int k = 0; k < P; ++k)
    row_sum += (k ? " + " : "") + slice("shifted_w", fmt::format("(r*{} + {})*{}", P, k, T), T);
  rows.logic("row_sum", T).logic("row_shifted", RB);
  rows.assign("row_sum", row_sum);
  std::vector<vlog::Block::CaseItem> x_shift;
  for (int i = 0; i < p.levels(); ++i) {
    const int px = p.width_of_level(i) / b;
    x_shift.push_back(
        {lit(MB, static_cast<uint64_t>(i)), [=](vlog::Block& c) {
           c.assign("row_shifted",
                    fmt::format("{} << ({}*(r % {}))", resize_unsigned("row_sum", T, RB), b, px));
         }});
  }
  auto& xc = rows.always_comb();
  xc.assign("row_shifted", lit(RB, 0));
  xc.case_("mx2_q", x_shift, [](vlog::Block& d) { d.comment("illegal mode: 0"); });
  rows.assign(slice("shifted_x", fmt::format("r*{}", RB), RB), "row_shifted");
  std::vector<vlog::Block::CaseItem> constants;
  for (int i = 0; i < p.levels(); ++i)
    for (int k = 0; k < p.levels(); ++k) {
      const uint64_t c = mode_constant(p, p.width_of_level(i) / b, p.width_of_level(k) / b);
      constants.push_back(
          {mode_label(p, i, k), [=](vlog::Block& blk) { blk.assign("correction", lit(RB, c)); }});
    }
  auto& cc = body.always_comb();
  cc.assign("correction", lit(RB, 0));
  cc.case_("{mx2_q, mw2_q}", constants, [](vlog::Block& d) { d.comment("illegal mode: 0"); });
  std::string total = "correction";
  for (int r = 0; r < P; ++r) total += " + " + slice("shifted_x", r * RB, RB);
  body.assign("result", total);
  body.assign("out_valid_o", "v3_q").assign("out_o", "result_q");
  return m.emit();
}

// The `cvu` block: the element-packed buses of the specification, routed to the core's slices.
std::string emit_top(const std::string& name, const CvuModules& mods, const CvuParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int BUS = p.bus_bits();
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format("{}: composable vector unit (element-packed buses routed to the core's slices).",
                  name),
      "cvu", params));
  add_ports(m, p, "element e in bits [e*bx +: bx]", "element e in bits [e*bw +: bw]");
  *ports = top_ports(m);
  auto& body = m.body();
  body.logic("x_slices", BUS).logic("w_slices", BUS);
  for (const auto& [router, bus, out] :
       {std::tuple{mods.route_x, "x_i", "x_slices"}, std::tuple{mods.route_w, "w_i", "w_slices"}})
    body.instance(router, router == mods.route_x ? "u_route_x" : "u_route_w")
        .connect("mode_x_i", "mode_x_i")
        .connect("mode_w_i", "mode_w_i")
        .connect("bus_i", bus)
        .connect("slices_o", out);
  body.instance(mods.core, "u_core")
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("in_valid_i", "in_valid_i")
      .connect("mode_x_i", "mode_x_i")
      .connect("mode_w_i", "mode_w_i")
      .connect("x_i", "x_slices")
      .connect("w_i", "w_slices")
      .connect("out_valid_o", "out_valid_o")
      .connect("out_o", "out_o");
  return m.emit();
}

}  // namespace

int cvu_nbve_sum_bits(const CvuParams& p) {
  return static_cast<int>(std::bit_width(nbve_max_sum(p)));
}

CvuModules cvu_modules(const CvuParams& p) {
  CvuModules m;
  m.top =
      fmt::format("cvu_b{}_B{}_L{}_{}", p.slice_bits, p.max_bits, p.lanes, p.is_signed ? "s" : "u");
  m.core = m.top + "_core";
  m.nbve = m.top + "_nbve";
  m.route_x = m.top + "_route_x";
  m.route_w = m.top + "_route_w";
  return m;
}

GeneratedDesign generate_cvu(const CvuParams& p, const nlohmann::json& params_json) {
  const CvuModules mods = cvu_modules(p);
  GeneratedDesign d;
  d.block = "cvu";
  d.params = params_json;
  d.top = mods.top;
  d.files.push_back({mods.route_x + ".sv", emit_router(mods.route_x, true, p, params_json)});
  d.files.push_back({mods.route_w + ".sv", emit_router(mods.route_w, false, p, params_json)});
  d.files.push_back({mods.nbve + ".sv", emit_nbve(mods.nbve, p, params_json)});
  d.files.push_back({mods.core + ".sv", emit_core(mods.core, mods.nbve, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, mods, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
