// Generator for `systolic`: a weight-stationary R x C array with double-buffered weights.
// Interface and cycle timing are specified in golden_model/README.md ("systolic"); the golden model
// implements that specification independently of this file.
#include "generator/systolic/systolic_gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "generator/templates.hpp"
#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::sign_extend;
using vlog::slice;

// An accelgen_delay_line instance: Q is D delayed by DEPTH (an integer or genvar expression).
void delay_line(vlog::Scope& scope, const std::string& name, int width, const std::string& depth,
                const std::string& d, const std::string& q) {
  scope.instance("accelgen_delay_line", name)
      .param("Width", width).param("Depth", depth)
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("d_i", d).connect("q_o", q);
}

// One processing element: psum_o <= psum_i + x_i * w[sel_i]; activations move right, partial sums
// down; weights shift down the column into the bank named by w_bank_i while w_en_i is high.
std::string emit_pe(const std::string& name, const SystolicParams& p, const nlohmann::json& params) {
  const int in = p.in_bits, acc = p.acc_bits, prod = 2 * p.in_bits;
  vlog::Module m(name);
  m.header(generated_header(name + ": weight-stationary MAC processing element with two weight banks.", "systolic", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("x_i", in, "activation from the west")
      .input("sel_i", 1, "weight bank this activation uses")
      .input("psum_i", acc, "partial sum from the north")
      .input("w_en_i", 1, "weight shift enable (whole column)")
      .input("w_bank_i", 1, "bank being loaded (whole column)")
      .input("w_i", in, "weight from the north")
      .output("x_o", in, "activation to the east")
      .output("sel_o", 1)
      .output("psum_o", acc, "partial sum to the south")
      .output("w_o", in, "weight to the south");
  auto& b = m.body();
  b.logic("w0_q", in).logic("w1_q", in).logic("x_q", in).logic("sel_q", 1).logic("psum_q", acc);
  b.logic("w_active", in).logic("product", prod).logic("psum_d", acc);
  b.blank();
  b.assign("w_active", "sel_i ? w1_q : w0_q");
  b.comment("Signed product, exact in 2*in_bits; sign-extended and added modulo 2^acc_bits.");
  b.assign("product", "$signed(x_i) * $signed(w_active)");
  b.assign("psum_d", fmt::format("psum_i + {}", sign_extend("product", prod, acc)));
  b.blank();
  auto& ff = b.always_ff();
  for (auto [reg, width] : {std::pair{"w0_q", in}, {"w1_q", in}, {"x_q", in}, {"sel_q", 1}, {"psum_q", acc}})
    ff.reset.assign(reg, lit(width, 0));
  ff.body.assign("x_q", "x_i").assign("sel_q", "sel_i").assign("psum_q", "psum_d");
  ff.body.if_("w_en_i && !w_bank_i", [](vlog::Block& t) { t.assign("w0_q", "w_i"); });
  ff.body.if_("w_en_i && w_bank_i", [](vlog::Block& t) { t.assign("w1_q", "w_i"); });
  b.blank();
  b.assign("x_o", "x_q").assign("sel_o", "sel_q").assign("psum_o", "psum_q");
  b.assign("w_o", "w_bank_i ? w1_q : w0_q");
  return m.emit();
}

std::string emit_top(const std::string& name, const std::string& pe, const SystolicParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int R = p.rows, C = p.cols, in = p.in_bits, acc = p.acc_bits;
  vlog::Module m(name);
  m.header(generated_header(fmt::format("{}: weight-stationary systolic GEMM array, {} rows x {} cols.", name, R, C), "systolic", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("w_valid_i", 1, "weight row beat: bottom row first, rows beats per tile")
      .output("w_ready_o", 1)
      .input("w_data_i", C * in, "column c in bits [c*in_bits +: in_bits]")
      .input("x_valid_i", 1, "activation vector (one GEMM row, K slice of one tile)")
      .output("x_ready_o", 1)
      .input("x_last_i", 1, "last vector of the tile: the next vector uses the next weights")
      .input("x_data_i", R * in, "row r in bits [r*in_bits +: in_bits]")
      .output("y_valid_o", 1, "output vector, rows+cols+1 cycles after its activation vector")
      .output("y_data_o", C * acc, "column c in bits [c*acc_bits +: acc_bits]");
  auto& b = m.body();

  // ---- Control: which bank is loading, which is computing, and when a bank is free again.
  b.comment("Weight-bank control. A bank is loadable once the last activation using it has left");
  b.comment("the bottom PE row (rows-1 cycles after x_last), and usable once fully loaded.");
  const bool count_beats = R > 1;
  const int cnt_w = count_beats ? std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(R - 1)))) : 0;
  const int drain = std::max(R - 2, 0);
  const int drain_w = drain > 0 ? static_cast<int>(std::bit_width(static_cast<unsigned>(drain))) : 0;
  b.logic("load_bank_q", 1).logic("cur_bank_q", 1).logic("full_q", 2).logic("full_d", 2);
  if (count_beats) b.logic("load_cnt_q", cnt_w);
  if (drain > 0) b.logic("drain0_q", drain_w).logic("drain1_q", drain_w).logic("load_bank_draining", 1);
  b.logic("w_fire", 1).logic("x_fire", 1).logic("load_done", 1);
  b.blank();
  b.assign("load_done", count_beats ? fmt::format("load_cnt_q == {}", lit(cnt_w, R - 1)) : "1'b1");
  if (drain > 0) {
    b.assign("load_bank_draining", fmt::format("load_bank_q ? (drain1_q != {0}) : (drain0_q != {0})", lit(drain_w, 0)));
    b.assign("w_ready_o", "!full_q[load_bank_q] && !load_bank_draining");
  } else {
    b.assign("w_ready_o", "!full_q[load_bank_q]");
  }
  b.assign("x_ready_o", "full_q[cur_bank_q]");
  b.assign("w_fire", "w_valid_i && w_ready_o");
  b.assign("x_fire", "x_valid_i && x_ready_o");
  b.blank();
  auto& comb = b.always_comb();
  comb.assign("full_d", "full_q");
  comb.if_("w_fire && load_done", [](vlog::Block& t) { t.assign("full_d[load_bank_q]", "1'b1"); });
  comb.if_("x_fire && x_last_i", [](vlog::Block& t) { t.assign("full_d[cur_bank_q]", "1'b0"); });
  b.blank();
  auto& ff = b.always_ff();
  ff.reset.assign("load_bank_q", "1'b0").assign("cur_bank_q", "1'b0").assign("full_q", lit(2, 0));
  if (count_beats) ff.reset.assign("load_cnt_q", lit(cnt_w, 0));
  if (drain > 0) ff.reset.assign("drain0_q", lit(drain_w, 0)).assign("drain1_q", lit(drain_w, 0));
  ff.body.assign("full_q", "full_d");
  ff.body.if_("w_fire", [&](vlog::Block& t) {
    if (count_beats)
      t.assign("load_cnt_q", fmt::format("load_done ? {} : load_cnt_q + {}", lit(cnt_w, 0), lit(cnt_w, 1)));
    t.if_("load_done", [](vlog::Block& d) { d.assign("load_bank_q", "!load_bank_q"); });
  });
  if (drain > 0) {
    for (int bank = 0; bank < 2; ++bank) {
      std::string reg = fmt::format("drain{}_q", bank);
      ff.body.if_(fmt::format("x_fire && x_last_i && cur_bank_q == 1'b{}", bank),
                  [&](vlog::Block& t) { t.assign(reg, lit(drain_w, drain)); },
                  [&](vlog::Block& e) {
                    e.if_(fmt::format("{} != {}", reg, lit(drain_w, 0)),
                          [&](vlog::Block& d) { d.assign(reg, fmt::format("{} - {}", reg, lit(drain_w, 1))); });
                  });
    }
  }
  ff.body.if_("x_fire && x_last_i", [](vlog::Block& t) { t.assign("cur_bank_q", "!cur_bank_q"); });
  b.blank();

  // ---- Links between PEs, flattened (Yosys 0.23 rejects packed multi-dimensional arrays).
  b.comment("PE links: x/sel move east, psum and weights move south.");
  b.logic("x_link", R * (C + 1) * in).logic("sel_link", R * (C + 1));
  b.logic("psum_link", (R + 1) * C * acc).logic("w_link", (R + 1) * C * in);
  b.vector("w_en_col", C).vector("w_bank_col", C);
  b.blank();

  b.comment("Skew: row r sees its activation r+1 cycles after the handshake, with the bank it uses.");
  auto& xs = b.generate_for("g_x_skew", "r", R);
  xs.logic("skewed", in + 1);
  delay_line(xs, "u_x_skew", in + 1, "r + 1",
             fmt::format("{{cur_bank_q, {}}}", slice("x_data_i", fmt::format("r*{}", in), in)), "skewed");
  xs.assign(slice("x_link", fmt::format("r*{}", (C + 1) * in), in), slice("skewed", 0, in));
  xs.assign(fmt::format("sel_link[r*{}]", C + 1), fmt::format("skewed[{}]", in));
  b.blank();

  b.comment("Skew: column c shifts its weights c+1 cycles after the handshake.");
  auto& ws = b.generate_for("g_w_skew", "c", C);
  ws.logic("skewed_w", in + 2);
  delay_line(ws, "u_w_skew", in + 2, "c + 1",
             fmt::format("{{w_fire, load_bank_q, {}}}", slice("w_data_i", fmt::format("c*{}", in), in)), "skewed_w");
  ws.assign(slice("w_link", fmt::format("c*{}", in), in), slice("skewed_w", 0, in));
  ws.assign("w_bank_col[c]", fmt::format("skewed_w[{}]", in));
  ws.assign("w_en_col[c]", fmt::format("skewed_w[{}]", in + 1));
  ws.assign(slice("psum_link", fmt::format("c*{}", acc), acc), lit(acc, 0));
  b.blank();

  b.comment("The PE grid.");
  auto& row = b.generate_for("g_row", "r", R);
  auto& col = row.generate_for("g_col", "c", C);
  col.instance(pe, "u_pe")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("x_i", slice("x_link", fmt::format("(r*{}+c)*{}", C + 1, in), in))
      .connect("sel_i", fmt::format("sel_link[r*{}+c]", C + 1))
      .connect("psum_i", slice("psum_link", fmt::format("(r*{}+c)*{}", C, acc), acc))
      .connect("w_en_i", "w_en_col[c]")
      .connect("w_bank_i", "w_bank_col[c]")
      .connect("w_i", slice("w_link", fmt::format("(r*{}+c)*{}", C, in), in))
      .connect("x_o", slice("x_link", fmt::format("(r*{}+c+1)*{}", C + 1, in), in))
      .connect("sel_o", fmt::format("sel_link[r*{}+c+1]", C + 1))
      .connect("psum_o", slice("psum_link", fmt::format("((r+1)*{}+c)*{}", C, acc), acc))
      .connect("w_o", slice("w_link", fmt::format("((r+1)*{}+c)*{}", C, in), in));
  b.blank();

  b.comment("De-skew: column c waits cols-c cycles so a whole output vector leaves together.");
  auto& ds = b.generate_for("g_y_deskew", "c", C);
  delay_line(ds, "u_y_deskew", acc, fmt::format("{} - c", C),
             slice("psum_link", fmt::format("({}+c)*{}", R * C, acc), acc), slice("y_data_o", fmt::format("c*{}", acc), acc));
  delay_line(b, "u_y_valid", 1, std::to_string(R + C + 1), "x_fire", "y_valid_o");
  b.blank();

  b.comment("Values that leave the array's east and south edges are not used.");
  b.logic("unused_x_east", R * (in + 1)).logic("unused_w_south", C * in);
  auto& ue = b.generate_for("g_unused_east", "r", R);
  ue.assign(slice("unused_x_east", fmt::format("r*{}", in + 1), in + 1),
            fmt::format("{{sel_link[r*{0}+{1}], {2}}}", C + 1, C,
                        slice("x_link", fmt::format("(r*{}+{})*{}", C + 1, C, in), in)));
  b.assign("unused_w_south", slice("w_link", R * C * in, C * in));
  *ports = top_ports(m);
  return m.emit();
}

}  // namespace

GeneratedDesign generate_systolic(const SystolicParams& p, const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "systolic";
  d.params = params_json;
  d.top = fmt::format("systolic_{}x{}_i{}a{}", p.rows, p.cols, p.in_bits, p.acc_bits);
  const std::string pe = d.top + "_pe";
  d.files.push_back({"accelgen_delay_line.sv", rtl_template("accelgen_delay_line")});
  d.files.push_back({pe + ".sv", emit_pe(pe, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, pe, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
