// Generator for `cvu`: the Composable Vector Unit. Interface, arithmetic and timing are specified in
// golden_model/README.md ("cvu"); the golden model implements that specification independently.
#include "generator/cvu/cvu_gen.hpp"

#include <fmt/format.h>

#include <bit>

#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

int product_bits(const CvuParams& p) { return 2 * p.slice_bits + 2; }

// One NBVE: L signed (b+1)x(b+1) slice multipliers and a balanced adder tree, registered.
std::string emit_nbve(const std::string& name, const CvuParams& p, const nlohmann::json& params) {
  const int b = p.slice_bits, L = p.lanes, P = product_bits(p), S = cvu_nbve_sum_bits(p);
  vlog::Module m(name);
  m.header(generated_header(name + ": narrow-bitwidth vector engine (L slice multipliers + adder tree).", "cvu", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("x_i", L * b, "lane l's x slice in bits [l*b +: b]", /*ranged=*/true)
      .input("w_i", L * b, "lane l's w slice in bits [l*b +: b]", /*ranged=*/true)
      .input("x_top_i", 1, "x slices are the signed top slices of their operands")
      .input("w_top_i", 1, "w slices are the signed top slices of their operands")
      .output("sum_o", S, "registered sum of the L slice products");
  auto& body = m.body();
  body.logic("product", L * P).logic("sum_q", S);
  body.comment("Each slice gets a sign bit: its MSB if it is a signed top slice, else 0.");
  auto& lane = body.generate_for("g_lane", "l", L);
  lane.logic("x_ext", b + 1).logic("w_ext", b + 1).logic("lane_product", P);
  lane.assign("x_ext", fmt::format("{{x_top_i & x_i[l*{} + {}], {}}}", b, b - 1, slice("x_i", fmt::format("l*{}", b), b)));
  lane.assign("w_ext", fmt::format("{{w_top_i & w_i[l*{} + {}], {}}}", b, b - 1, slice("w_i", fmt::format("l*{}", b), b)));
  lane.assign("lane_product", "$signed(x_ext) * $signed(w_ext)");
  lane.assign(slice("product", fmt::format("l*{}", P), P), "lane_product");
  std::vector<std::string> terms;
  for (int l = 0; l < L; ++l) terms.push_back(vlog::sign_extend_slice("product", l * P, P, S));
  const std::string total = adder_tree(body, "tree", terms, S);
  auto& ff = body.always_ff();
  ff.reset.assign("sum_q", lit(S, 0));
  ff.body.assign("sum_q", total);
  body.assign("sum_o", "sum_q");
  return m.emit();
}

std::string emit_top(const std::string& name, const std::string& nbve, const CvuParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int b = p.slice_bits, L = p.lanes, N = p.nbves(), MB = p.mode_bits(), BUS = p.bus_bits();
  const int RB = p.result_bits(), S = cvu_nbve_sum_bits(p);
  vlog::Module m(name);
  m.header(generated_header(fmt::format("{}: composable vector unit, {} NBVEs of {} lanes, {}-bit slices, up to {}-bit operands.",
                              name, N, L, b, p.max_bits), "cvu", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("in_valid_i", 1, "start an operation this cycle")
      .input("mode_x_i", MB, "x width level: bx = slice_bits << mode_x_i")
      .input("mode_w_i", MB, "w width level: bw = slice_bits << mode_w_i")
      .input("x_i", BUS, "element e in bits [e*bx +: bx]")
      .input("w_i", BUS, "element e in bits [e*bw +: bw]")
      .output("out_valid_o", 1, "result of the operation started 3 cycles ago")
      .output("out_o", RB, "signed dot product");
  *ports = top_ports(m);
  auto& body = m.body();

  body.comment("Stage 1: operand and mode registers.");
  body.logic("v1_q", 1).logic("mx1_q", MB).logic("mw1_q", MB).logic("x1_q", BUS).logic("w1_q", BUS);
  body.comment("Stage 2 (NBVE sums registered inside the NBVEs): the mode follows its operands.");
  body.logic("v2_q", 1).logic("mx2_q", MB).logic("mw2_q", MB);
  body.comment("Stage 3: the result.");
  body.logic("v3_q", 1).logic("result_q", RB);
  body.logic("shifted_all", N * RB);
  auto& ff = body.always_ff();
  for (auto [reg, w] : {std::pair{"v1_q", 1}, {"mx1_q", MB}, {"mw1_q", MB}, {"x1_q", BUS}, {"w1_q", BUS}, {"v2_q", 1},
                        {"mx2_q", MB}, {"mw2_q", MB}, {"v3_q", 1}, {"result_q", RB}})
    ff.reset.assign(reg, lit(w, 0));
  ff.body.assign("v1_q", "in_valid_i").assign("mx1_q", "mode_x_i").assign("mw1_q", "mode_w_i");
  ff.body.assign("x1_q", "x_i").assign("w1_q", "w_i");
  ff.body.assign("v2_q", "v1_q").assign("mx2_q", "mx1_q").assign("mw2_q", "mw1_q");
  ff.body.assign("v3_q", "v2_q");
  body.blank();

  body.comment("Per NBVE n and mode (px = bx/b, pw = bw/b slices): group g = n / (px*pw), x slice");
  body.comment("j = (n % (px*pw)) / pw, w slice k = n % pw; lane l takes element g*L + l; shift b*(j+k).");
  auto& gen = body.generate_for("g_nbve", "n", N);
  gen.vector("x_slices", L * b).vector("w_slices", L * b).logic("x_top", 1).logic("w_top", 1);
  gen.logic("sum", S).logic("shifted", RB);
  std::vector<vlog::Block::CaseItem> route, shift;
  for (int i = 0; i < p.levels(); ++i) {
    for (int k = 0; k < p.levels(); ++k) {
      const int bx = p.width_of_level(i), bw = p.width_of_level(k);
      const int px = bx / b, pw = bw / b, pp = px * pw, G = p.groups(bx, bw);
      const std::string label = fmt::format("{{{}, {}}}", lit(MB, static_cast<uint64_t>(i)), lit(MB, static_cast<uint64_t>(k)));
      const std::string j_expr = fmt::format("((n % {}) / {})", pp, pw), k_expr = fmt::format("(n % {})", pw);
      route.push_back({label, [=](vlog::Block& c) {
        c.comment(fmt::format("{}b x {}b: G = {}, {} elements", bx, bw, G, G * L));
        c.for_("l", L, [&](vlog::Block& f) {
          f.assign(slice("x_slices", fmt::format("l*{}", b), b),
                   slice("x1_q", fmt::format("(n / {})*{} + {}*{} + l*{}", pp, L * bx, j_expr, b, bx), b));
          f.assign(slice("w_slices", fmt::format("l*{}", b), b),
                   slice("w1_q", fmt::format("(n / {})*{} + {}*{} + l*{}", pp, L * bw, k_expr, b, bw), b));
        });
        c.assign("x_top", p.is_signed ? fmt::format("{} == {}", j_expr, px - 1) : "1'b0");
        c.assign("w_top", p.is_signed ? fmt::format("{} == {}", k_expr, pw - 1) : "1'b0");
      }});
      shift.push_back({label, [=](vlog::Block& c) {
        c.assign("shifted", fmt::format("{} << ({}*({} + {}))", vlog::resize_signed("sum", S, RB), b, j_expr, k_expr));
      }});
    }
  }
  auto& rc = gen.always_comb();
  rc.assign("x_slices", lit(L * b, 0)).assign("w_slices", lit(L * b, 0)).assign("x_top", "1'b0").assign("w_top", "1'b0");
  rc.case_("{mx1_q, mw1_q}", route, [](vlog::Block& d) { d.comment("illegal mode: all-zero operands, result 0"); });
  gen.instance(nbve, "u_nbve")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("x_i", "x_slices").connect("w_i", "w_slices")
      .connect("x_top_i", "x_top").connect("w_top_i", "w_top")
      .connect("sum_o", "sum");
  auto& sc = gen.always_comb();
  sc.assign("shifted", lit(RB, 0));
  sc.case_("{mx2_q, mw2_q}", shift, [](vlog::Block& d) { d.comment("illegal mode: the NBVE sums are 0"); });
  gen.assign(slice("shifted_all", fmt::format("n*{}", RB), RB), "shifted");
  if (S > RB) {  // only the low result_bits of a sum matter: the result is taken modulo 2^result_bits
    gen.logic("unused_sum_hi", S - RB);
    gen.assign("unused_sum_hi", slice("sum", RB, S - RB));
  }
  body.blank();

  body.comment("Global adder tree over the shifted NBVE sums.");
  std::vector<std::string> terms;
  for (int n = 0; n < N; ++n) terms.push_back(slice("shifted_all", n * RB, RB));
  ff.body.assign("result_q", adder_tree(body, "global", terms, RB));
  body.assign("out_valid_o", "v3_q").assign("out_o", "result_q");
  return m.emit();
}

}  // namespace

int cvu_nbve_sum_bits(const CvuParams& p) {
  const uint64_t max_product = ((uint64_t{1} << p.slice_bits) - 1) * ((uint64_t{1} << p.slice_bits) - 1);
  const int exact = static_cast<int>(std::bit_width(max_product * static_cast<uint64_t>(p.lanes))) + 1;
  return std::max(exact, product_bits(p));
}

GeneratedDesign generate_cvu(const CvuParams& p, const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "cvu";
  d.params = params_json;
  d.top = fmt::format("cvu_b{}_B{}_L{}_{}", p.slice_bits, p.max_bits, p.lanes, p.is_signed ? "s" : "u");
  const std::string nbve = d.top + "_nbve";
  d.files.push_back({nbve + ".sv", emit_nbve(nbve, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, nbve, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
