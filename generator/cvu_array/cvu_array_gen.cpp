// Generator for `cvu_array`: the BPVeC core. Interface and timing: golden_model/README.md, section
// "cvu_array". The CVUs themselves come from the `cvu` generator.
#include "generator/cvu_array/cvu_array_gen.hpp"

#include <fmt/format.h>

#include "generator/cvu/cvu_gen.hpp"
#include "generator/templates.hpp"
#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

// One array cell: a CVU core, its private weight scratchpad with the w router on its read port,
// and the column's partial-sum register. The activation slices come routed from the row.
std::string emit_pe(const std::string& name, const CvuModules& cvu, const CvuArrayParams& p,
                    const nlohmann::json& params) {
  const int BUS = p.cvu.bus_bits(), MB = p.cvu.mode_bits(), AW = p.addr_bits();
  const int RB = p.cvu.result_bits(), PB = p.psum_bits();
  vlog::Module m(name);
  m.header(generated_header(name + ": CVU core + private weight scratchpad + column partial-sum register.", "cvu_array", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("in_valid_i", 1).input("mode_x_i", MB).input("mode_w_i", MB)
      .input("addr_i", AW, "scratchpad word holding this operation's weights")
      .input("x_i", BUS, "activation slices shared along the row (routed once per row)")
      .input("we_i", 1, "scratchpad write").input("waddr_i", AW).input("wdata_i", BUS)
      .input("psum_i", PB, "partial sum from the CVU above")
      .output("psum_o", PB, "partial sum to the CVU below");
  auto& b = m.body();
  b.logic("wbuf_q", BUS, p.wbuf_depth).logic("w_slices", BUS).logic("cvu_out", RB).logic("psum_q", PB)
      .logic("unused_out_valid", 1);
  auto& mem = b.always_ff_noreset();
  mem.if_("we_i", [](vlog::Block& t) { t.assign("wbuf_q[waddr_i]", "wdata_i"); });
  b.instance(cvu.route_w, "u_route_w")
      .connect("mode_x_i", "mode_x_i").connect("mode_w_i", "mode_w_i")
      .connect("bus_i", "wbuf_q[addr_i]").connect("slices_o", "w_slices");
  b.instance(cvu.core, "u_cvu")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("in_valid_i", "in_valid_i").connect("mode_x_i", "mode_x_i").connect("mode_w_i", "mode_w_i")
      .connect("x_i", "x_i").connect("w_i", "w_slices")
      .connect("out_valid_o", "unused_out_valid").connect("out_o", "cvu_out");
  auto& ff = b.always_ff();
  ff.reset.assign("psum_q", lit(PB, 0));
  ff.body.assign("psum_q", fmt::format("psum_i + {}", vlog::sign_extend("cvu_out", RB, PB)));
  b.assign("psum_o", "psum_q");
  return m.emit();
}

std::string emit_top(const std::string& name, const std::string& pe, const std::string& route_x,
                     const CvuArrayParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int R = p.rows, C = p.cols, BUS = p.cvu.bus_bits(), MB = p.cvu.mode_bits(), AW = p.addr_bits();
  const int PB = p.psum_bits(), ACC = p.acc_bits, RW = p.row_bits(), CW = p.col_bits();
  const int OPW = 1 + 2 * MB + AW + BUS;  // {valid, mode_x, mode_w, addr, x} per row
  vlog::Module m(name);
  m.header(generated_header(fmt::format("{}: {} x {} systolic array of composable vector units.", name, R, C), "cvu_array", params));
  m.input("clk_i", 1).input("rst_ni", 1)
      .input("w_valid_i", 1, "write one scratchpad word").input("w_row_i", RW).input("w_col_i", CW)
      .input("w_addr_i", AW).input("w_data_i", BUS)
      .input("in_valid_i", 1, "issue one operation to every CVU (row r sees it r+1 cycles later)")
      .input("in_mode_x_i", MB).input("in_mode_w_i", MB)
      .input("in_addr_i", AW, "scratchpad word every CVU uses")
      .input("in_last_i", 1, "last operation of an accumulation: output the column sums")
      .input("x_i", R * BUS, "row r's activation vector in bits [r*bus +: bus]")
      .output("out_valid_o", 1, "column results, rows+5 cycles after the last operation")
      .output("out_o", C * ACC, "column c in bits [c*acc_bits +: acc_bits]");
  *ports = top_ports(m);
  auto& b = m.body();
  b.logic("psum_link", (R + 1) * C * PB);
  b.assign(slice("psum_link", 0, C * PB), lit(C * PB, 0));
  b.blank();
  auto& row = b.generate_for("g_row", "r", R);
  row.logic("op", OPW);
  row.comment("Row r receives each operation r+1 cycles after issue, so partial sums meet it in step.");
  row.instance("accelgen_delay_line", "u_op_skew")
      .param("Width", OPW).param("Depth", "r + 1")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("d_i", fmt::format("{{in_valid_i, in_mode_x_i, in_mode_w_i, in_addr_i, {}}}",
                                  slice("x_i", fmt::format("r*{}", BUS), BUS)))
      .connect("q_o", "op");
  row.logic("x_slices", BUS);
  row.comment("One x router per row: the element-packed activation vector to the cores' slices.");
  row.instance(route_x, "u_route_x")
      .connect("mode_x_i", slice("op", BUS + AW + MB, MB))
      .connect("mode_w_i", slice("op", BUS + AW, MB))
      .connect("bus_i", slice("op", 0, BUS))
      .connect("slices_o", "x_slices");
  auto& col = row.generate_for("g_col", "c", C);
  col.logic("we", 1);
  col.assign("we", fmt::format("w_valid_i && w_row_i == {}'(r) && w_col_i == {}'(c)", RW, CW));
  col.instance(pe, "u_pe")
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("in_valid_i", fmt::format("op[{}]", OPW - 1))
      .connect("mode_x_i", slice("op", BUS + AW + MB, MB))
      .connect("mode_w_i", slice("op", BUS + AW, MB))
      .connect("addr_i", slice("op", BUS, AW))
      .connect("x_i", "x_slices")
      .connect("we_i", "we").connect("waddr_i", "w_addr_i").connect("wdata_i", "w_data_i")
      .connect("psum_i", slice("psum_link", fmt::format("(r*{}+c)*{}", C, PB), PB))
      .connect("psum_o", slice("psum_link", fmt::format("((r+1)*{}+c)*{}", C, PB), PB));
  b.blank();

  b.comment("Accumulators: the bottom partial sums arrive rows+4 cycles after issue.");
  b.logic("ctl", 2).logic("fresh_q", 1).logic("ovalid_q", 1).logic("acc_q", C * ACC);
  b.instance("accelgen_delay_line", "u_ctl")
      .param("Width", 2).param("Depth", R + 4)
      .connect("clk_i", "clk_i").connect("rst_ni", "rst_ni")
      .connect("d_i", "{in_valid_i, in_last_i}").connect("q_o", "ctl");
  auto& ff = b.always_ff();
  ff.reset.assign("fresh_q", "1'b1").assign("ovalid_q", "1'b0").assign("acc_q", lit(C * ACC, 0));
  ff.body.assign("ovalid_q", "ctl[1] && ctl[0]");
  ff.body.if_("ctl[1]", [&](vlog::Block& t) {
    t.assign("fresh_q", "ctl[0]");
    for (int c = 0; c < C; ++c) {
      const std::string a = slice("acc_q", c * ACC, ACC);
      const std::string ps = vlog::sign_extend_slice("psum_link", (R * C + c) * PB, PB, ACC);
      t.assign(a, fmt::format("(fresh_q ? {} : {}) + {}", lit(ACC, 0), a, ps));
    }
  });
  b.assign("out_valid_o", "ovalid_q").assign("out_o", "acc_q");
  return m.emit();
}

}  // namespace

GeneratedDesign generate_cvu_array(const CvuArrayParams& p, const nlohmann::json& params_json) {
  nlohmann::json cvu_json = {{"slice_bits", p.cvu.slice_bits}, {"max_bits", p.cvu.max_bits},
                             {"lanes", p.cvu.lanes}, {"signed", p.cvu.is_signed}};
  GeneratedDesign d = generate_cvu(p.cvu, cvu_json);  // the CVU modules, unchanged
  const CvuModules cvu = cvu_modules(p.cvu);
  // The array instantiates the core and the routers; the `cvu` block's own top is not needed.
  std::erase_if(d.files, [&](const GeneratedFile& f) { return f.name == cvu.top + ".sv"; });
  d.block = "cvu_array";
  d.params = params_json;
  d.ports.clear();
  d.top = fmt::format("cvu_array_{}x{}_b{}_B{}_L{}_{}_a{}_d{}", p.rows, p.cols, p.cvu.slice_bits, p.cvu.max_bits,
                      p.cvu.lanes, p.cvu.is_signed ? "s" : "u", p.acc_bits, p.wbuf_depth);
  const std::string pe = d.top + "_pe";
  d.files.insert(d.files.begin(), {"accelgen_delay_line.sv", rtl_template("accelgen_delay_line")});
  d.files.push_back({pe + ".sv", emit_pe(pe, cvu, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, pe, cvu.route_x, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
