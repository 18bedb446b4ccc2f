// Generator for `bihiwe`: the digital stand-in for BiHiWe's MS-WAGG (16 MS-BPMACCs for 8-bit
// operands). Interface, arithmetic and timing: golden_model/README.md, section "bihiwe".
#include "generator/bihiwe/bihiwe_gen.hpp"

#include <fmt/format.h>

#include <bit>

#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

constexpr int kPb = kBihiwePartitionBits;

// One MS-BPMACC: n lanes of 2-bit magnitude multipliers with private +/- accumulators (the
// capacitors), and a registered conversion Pos - Neg (charge sharing + differential ADC).
std::string emit_bpmacc(const std::string& name, const BihiweParams& p, const nlohmann::json& params) {
  const int n = p.lanes, A = p.lane_acc_bits(), PB = p.polarity_bits(), CB = p.conversion_bits();
  const int exact = PB + 1;
  vlog::Module m(name);
  m.header(generated_header(name + ": bit-partitioned MACC array (n lanes, +/- accumulators, one conversion).", "bihiwe", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("beat_i", 1, "accumulate this cycle's lane products")
      .input("clear_i", 1, "first beat of a batch: start the accumulators from zero")
      .input("xm_i", n * kPb, "lane l's x magnitude partition in bits [l*2 +: 2]")
      .input("wm_i", n * kPb, "lane l's w magnitude partition in bits [l*2 +: 2]")
      .input("neg_i", n, "lane l's product is negative (sign x xor sign w)", /*ranged=*/true)
      .input("convert_i", 1, "convert the accumulators (cycle after the batch's last beat)")
      .output("conv_o", CB, "registered conversion Pos - Neg");
  auto& b = m.body();
  b.logic("acc_pos", n * A).logic("acc_neg", n * A).logic("conv_q", CB).logic("diff", exact);
  auto& lane = b.generate_for("g_lane", "l", n);
  lane.logic("product", 4).logic("pos_q", A).logic("neg_q", A);
  lane.assign("product", fmt::format("{{2'd0, {}}} * {{2'd0, {}}}", slice("xm_i", "l*2", 2), slice("wm_i", "l*2", 2)));
  auto& lff = lane.always_ff();
  lff.reset.assign("pos_q", lit(A, 0)).assign("neg_q", lit(A, 0));
  lff.body.if_("beat_i", [&](vlog::Block& t) {
    t.assign("pos_q", fmt::format("(clear_i ? {0} : pos_q) + (neg_i[l] ? {0} : {1}'(product))", lit(A, 0), A));
    t.assign("neg_q", fmt::format("(clear_i ? {0} : neg_q) + (neg_i[l] ? {1}'(product) : {0})", lit(A, 0), A));
  });
  lane.assign(slice("acc_pos", fmt::format("l*{}", A), A), "pos_q");
  lane.assign(slice("acc_neg", fmt::format("l*{}", A), A), "neg_q");
  std::vector<std::string> pos_terms, neg_terms;
  for (int l = 0; l < n; ++l) {
    pos_terms.push_back(fmt::format("{}'({})", PB, slice("acc_pos", l * A, A)));
    neg_terms.push_back(fmt::format("{}'({})", PB, slice("acc_neg", l * A, A)));
  }
  const std::string pos = adder_tree(b, "pos_tree", pos_terms, PB);
  const std::string neg = adder_tree(b, "neg_tree", neg_terms, PB);
  b.comment("Conversion: the signed difference of the two polarities.");
  b.assign("diff", fmt::format("{{1'b0, {}}} - {{1'b0, {}}}", pos, neg));
  std::string converted = "diff";
  if (CB < exact) {
    b.comment(fmt::format("ADC model: saturate to the signed {}-bit range.", CB));
    b.logic("saturated", CB);
    const uint64_t max = (uint64_t{1} << (CB - 1)) - 1;
    const uint64_t min_twos = (uint64_t{1} << exact) - (uint64_t{1} << (CB - 1));
    b.assign("saturated", fmt::format("$signed(diff) > $signed({0}) ? {1} : $signed(diff) < $signed({2}) ? {3} : {4}",
                                      lit(exact, max), lit(CB, max), lit(exact, min_twos),
                                      lit(CB, uint64_t{1} << (CB - 1)), slice("diff", 0, CB)));
    converted = "saturated";
  }
  auto& ff = b.always_ff();
  ff.reset.assign("conv_q", lit(CB, 0));
  ff.body.if_("convert_i", [&](vlog::Block& t) { t.assign("conv_q", converted); });
  b.assign("conv_o", "conv_q");
  return m.emit();
}

std::string emit_top(const std::string& name, const std::string& bpmacc, const BihiweParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int n = p.lanes, m_cycles = p.acc_cycles, B = p.max_bits, P = p.partitions(), CB = p.conversion_bits();
  const int OB = kBihiweOutBits;
  vlog::Module m(name);
  m.header(generated_header(fmt::format("{}: MS-WAGG of {} bit-partitioned MACC arrays, {} lanes, {} accumulation cycles.",
                              name, P * P, n, m_cycles), "bihiwe", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("in_valid_i", 1, "one beat: lanes elements of x and w")
      .input("in_last_i", 1, "last beat of the dot product")
      .input("x_i", n * B, "element l in bits [l*max_bits +: max_bits], two's complement")
      .input("w_i", n * B, "element l in bits [l*max_bits +: max_bits], two's complement")
      .output("out_valid_o", 1, "dot product complete (3 cycles after its last beat)")
      .output("out_o", OB, "the MS-WAGG output register");
  *ports = top_ports(m);
  auto& b = m.body();

  b.comment("Batch control: a batch closes on its m-th beat or on a vector's last beat.");
  const bool count = m_cycles > 1;
  const int cw = count ? static_cast<int>(std::bit_width(static_cast<unsigned>(m_cycles - 1))) : 0;
  if (count) b.logic("cnt_q", cw);
  b.logic("batch_first", 1).logic("closing", 1).logic("newvec_q", 1).logic("batchvec_q", 1);
  b.logic("closing_q", 1).logic("clast_q", 1).logic("cfirst_q", 1);
  b.logic("cv_q", 1).logic("cvlast_q", 1).logic("cvfirst_q", 1).logic("ovalid_q", 1).logic("out_q", OB);
  b.assign("batch_first", count ? fmt::format("cnt_q == {}", lit(cw, 0)) : "1'b1");
  b.assign("closing", count ? fmt::format("in_valid_i && (in_last_i || cnt_q == {})", lit(cw, m_cycles - 1))
                            : "in_valid_i");
  auto& ff = b.always_ff();
  if (count) ff.reset.assign("cnt_q", lit(cw, 0));
  ff.reset.assign("newvec_q", "1'b1").assign("batchvec_q", "1'b1");
  for (const char* r : {"closing_q", "clast_q", "cfirst_q", "cv_q", "cvlast_q", "cvfirst_q", "ovalid_q"})
    ff.reset.assign(r, "1'b0");
  ff.reset.assign("out_q", lit(OB, 0));
  ff.body.assign("closing_q", "closing").assign("clast_q", "in_valid_i && in_last_i");
  ff.body.assign("cfirst_q", "batch_first ? newvec_q : batchvec_q");
  ff.body.if_("in_valid_i", [&](vlog::Block& t) {
    if (count) t.assign("cnt_q", fmt::format("closing ? {} : cnt_q + {}", lit(cw, 0), lit(cw, 1)));
    t.assign("newvec_q", "in_last_i");
    t.if_("batch_first", [](vlog::Block& f) { f.assign("batchvec_q", "newvec_q"); });
  });
  ff.body.assign("cv_q", "closing_q").assign("cvlast_q", "clast_q").assign("cvfirst_q", "cfirst_q");
  ff.body.assign("ovalid_q", "cv_q && cvlast_q");
  b.blank();

  b.comment("Sign-magnitude form: |x| fits max_bits bits (|-2^(B-1)| = 2^(B-1)); product sign = xor.");
  b.logic("x_mag", n * B).logic("w_mag", n * B).vector("lane_neg", n);
  auto& sm = b.generate_for("g_sign", "l", n);
  sm.logic("x_el", B).logic("w_el", B);
  sm.assign("x_el", slice("x_i", fmt::format("l*{}", B), B)).assign("w_el", slice("w_i", fmt::format("l*{}", B), B));
  sm.assign(slice("x_mag", fmt::format("l*{}", B), B), fmt::format("x_el[{}] ? -x_el : x_el", B - 1));
  sm.assign(slice("w_mag", fmt::format("l*{}", B), B), fmt::format("w_el[{}] ? -w_el : w_el", B - 1));
  sm.assign("lane_neg[l]", fmt::format("x_el[{0}] ^ w_el[{0}]", B - 1));
  b.blank();

  b.comment("Partition j of every lane's magnitude, gathered: x_parts[(j*lanes + l)*2 +: 2].");
  b.logic("x_parts", P * n * kPb).logic("w_parts", P * n * kPb);
  auto& gj = b.generate_for("g_part", "j", P);
  auto& gl = gj.generate_for("g_part_lane", "l", n);
  gl.assign(slice("x_parts", fmt::format("(j*{}+l)*2", n), 2), slice("x_mag", fmt::format("l*{}+j*2", B), 2));
  gl.assign(slice("w_parts", fmt::format("(j*{}+l)*2", n), 2), slice("w_mag", fmt::format("l*{}+j*2", B), 2));
  b.blank();

  b.comment("MS-BPMACC (j, k) multiplies partition j of x by partition k of w.");
  b.logic("convs", P * P * CB);
  auto& bj = b.generate_for("g_bp_j", "j", P);
  auto& bk = bj.generate_for("g_bp_k", "k", P);
  bk.instance(bpmacc, "u_bpmacc")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("beat_i", "in_valid_i").connect("clear_i", "batch_first")
      .connect("xm_i", slice("x_parts", fmt::format("j*{}", n * kPb), n * kPb))
      .connect("wm_i", slice("w_parts", fmt::format("k*{}", n * kPb), n * kPb))
      .connect("neg_i", "lane_neg").connect("convert_i", "closing_q")
      .connect("conv_o", slice("convs", fmt::format("(j*{}+k)*{}", P, CB), CB));
  b.blank();

  b.comment("MS-WAGG: shift each conversion by 2(j+k) and add into the 32-bit output register.");
  std::vector<std::string> terms;
  for (int j = 0; j < P; ++j)
    for (int k = 0; k < P; ++k) {
      std::string term = vlog::sign_extend_slice("convs", (j * P + k) * CB, CB, OB);
      terms.push_back(j + k == 0 ? term : fmt::format("({} << {})", term, kPb * (j + k)));
    }
  const std::string wagg = adder_tree(b, "wagg", terms, OB);
  ff.body.if_("cv_q", [&](vlog::Block& t) { t.assign("out_q", fmt::format("(cvfirst_q ? {} : out_q) + {}", lit(OB, 0), wagg)); });
  b.assign("out_valid_o", "ovalid_q").assign("out_o", "out_q");
  return m.emit();
}

}  // namespace

GeneratedDesign generate_bihiwe(const BihiweParams& p, const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "bihiwe";
  d.params = params_json;
  d.top = fmt::format("bihiwe_n{}_m{}_B{}{}", p.lanes, p.acc_cycles, p.max_bits,
                      p.adc_bits > 0 ? fmt::format("_adc{}", p.adc_bits) : "");
  const std::string bp = d.top + "_bpmacc";
  d.files.push_back({bp + ".sv", emit_bpmacc(bp, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, bp, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
