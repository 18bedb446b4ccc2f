// Generator for `planaria`: omni-directional systolic subarrays chained by bidirectional
// activation and partial-sum ring buses, fission pods with activation-read and output-write
// crossbars, and double-buffered configuration and weights that change only at a tile boundary.
// Interface and cycle timing are specified in golden_model/README.md ("planaria"); the golden
// model implements that specification independently of this file.
#include "generator/planaria/planaria_gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "generator/rtl_util.hpp"
#include "generator/templates.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::sign_extend;
using vlog::slice;

// Verilator emits code per instance: flattened, the thesis size (16,384 PEs) is ~150 MB of C++.
// From 1,024 PEs on, the subarray is Verilated once and instanced (README, "planaria"); smaller
// arrays stay flat (and their RTL carries no hier_block marker).
bool hierarchical(const PlanariaParams& p) { return p.subarrays * p.sub_rows * p.sub_cols >= 1024; }

int log2_exact(int v) { return std::countr_zero(static_cast<unsigned>(v)); }
// Bits of the weight-row field of a weight address (at least one).
int row_bits(int rows) {
  return std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(rows - 1))));
}

void delay_line(vlog::Scope& scope, const std::string& name, int width, const std::string& depth,
                const std::string& d, const std::string& q) {
  scope.instance("accelgen_delay_line", name)
      .param("Width", width)
      .param("Depth", depth)
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("d_i", d)
      .connect("q_o", q);
}

// A reset shift register of `len` words of `width` bits that takes `d` in at word 0 each cycle:
// word k holds `d` from k + 1 cycles ago. Returns the register's name for the taps.
std::string shift_register(vlog::Scope& b, const std::string& q, int len, int width,
                           const std::string& d) {
  b.logic(q, len * width);
  auto& ff = b.always_ff();
  ff.reset.assign(q, lit(len * width, 0));
  ff.body.assign(q, len == 1 ? d : fmt::format("{{{}, {}}}", slice(q, 0, (len - 1) * width), d));
  return q;
}

// The omni-directional PE (Fig. 5.8): activation from the west or the east, partial sum from the
// north or the south, one active and one shadow weight.
std::string emit_pe(const std::string& name, const PlanariaParams& p,
                    const nlohmann::json& params) {
  const int in = p.in_bits, acc = p.acc_bits, prod = 2 * p.in_bits;
  vlog::Module m(name);
  m.header(
      generated_header(name + ": omni-directional weight-stationary MAC PE with a shadow weight.",
                       "planaria", params));
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("act_dir_i", 1, "0: activation from the west (flows left to right); 1: from the east")
      .input("psum_dir_i", 1,
             "0: partial sum from the north (flows top to bottom); 1: from the south")
      .input("x_west_i", in)
      .input("x_east_i", in)
      .input("psum_north_i", acc)
      .input("psum_south_i", acc)
      .input("w_load_i", 1, "write the shadow weight")
      .input("w_i", in)
      .input("swap_i", 1, "tile boundary: the shadow weight becomes active")
      .output("x_o", in, "registered activation, to both horizontal neighbours")
      .output("psum_o", acc, "registered partial sum, to both vertical neighbours");
  auto& b = m.body();
  b.logic("x_in", in).logic("psum_in", acc).logic("product", prod).logic("psum_d", acc);
  b.logic("w_shadow_q", in).logic("w_active_q", in).logic("x_q", in).logic("psum_q", acc);
  b.blank();
  b.comment("The direction multiplexers (one bit each, shared by the whole subarray).");
  b.assign("x_in", "act_dir_i ? x_east_i : x_west_i");
  b.assign("psum_in", "psum_dir_i ? psum_south_i : psum_north_i");
  b.comment("Signed product, exact in 2*in_bits; sign-extended and added modulo 2^acc_bits.");
  b.assign("product", "$signed(x_in) * $signed(w_active_q)");
  b.assign("psum_d", fmt::format("psum_in + {}", sign_extend("product", prod, acc)));
  b.blank();
  auto& ff = b.always_ff();
  for (auto [reg, width] :
       {std::pair{"w_shadow_q", in}, {"w_active_q", in}, {"x_q", in}, {"psum_q", acc}})
    ff.reset.assign(reg, lit(width, 0));
  ff.body.assign("x_q", "x_in").assign("psum_q", "psum_d");
  ff.body.if_("w_load_i", [](vlog::Block& t) { t.assign("w_shadow_q", "w_i"); });
  ff.body.if_("swap_i", [](vlog::Block& t) { t.assign("w_active_q", "w_shadow_q"); });
  b.blank();
  b.assign("x_o", "x_q").assign("psum_o", "psum_q");
  return m.emit();
}

// One R x C subarray: PE grid, crossbar-input skew, output de-skew, valid pipelines.
std::string emit_subarray(const std::string& name, const std::string& pe, const PlanariaParams& p,
                          const nlohmann::json& params) {
  const int R = p.sub_rows, C = p.sub_cols, in = p.in_bits, acc = p.acc_bits, rb = row_bits(R);
  vlog::Module m(name);
  m.header(
      generated_header(fmt::format("{}: omni-directional {} x {} systolic subarray.", name, R, C),
                       "planaria", params));
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("act_dir_i", 1)
      .input("psum_dir_i", 1)
      .input("act_from_ring_i", 1,
             "activations from the activation ring (else from the pod crossbar)")
      .input("psum_from_ring_i", 1, "partial sums from the partial-sum ring (else 0)")
      .input("swap_i", 1, "tile boundary")
      .input("w_valid_i", 1)
      .input("w_row_i", rb)
      .input("w_data_i", C * in, "shadow weight row")
      .input("xv_xbar_i", 1)
      .input("x_xbar_i", R * in, "unskewed vector from the crossbar")
      .input("xv_ring_i", 1)
      .input("x_ring_i", R * in, "skewed rows from the ring neighbour")
      .input("psum_ring_i", C * acc, "partial sums from the ring neighbour")
      .output("xv_o", 1, "entry valid, C cycles later (to the activation ring)")
      .output("x_edge_o", R * in, "activations leaving the far edge")
      .output("psum_edge_o", C * acc, "partial sums leaving the far edge")
      .output("yv_o", 1, "output valid: entry + R + C + 1")
      .output("y_o", C * acc, "de-skewed outputs");
  auto& b = m.body();
  if (hierarchical(p)) {
    b.comment(
        "Verilated on its own and instanced, not flattened into the top (--hierarchical, large "
        "arrays).");
    b.comment("verilator hier_block");
  }
  b.logic("entry_valid", 1).logic("edge_x", R * in).logic("psum_top", C * acc);
  b.logic("x_link", R * (C + 2) * in).logic("psum_link", (R + 2) * C * acc);
  b.blank();
  b.assign("entry_valid", "act_from_ring_i ? xv_ring_i : xv_xbar_i");
  b.assign("psum_top", fmt::format("psum_from_ring_i ? psum_ring_i : {}", lit(C * acc, 0)));
  delay_line(b, "u_xv", 1, std::to_string(C), "entry_valid", "xv_o");
  delay_line(b, "u_yv", 1, std::to_string(R + C + 1), "entry_valid", "yv_o");
  b.blank();

  b.comment(
      "Skew of crossbar vectors: row r waits 1 + h_r cycles, h_r = r (psum_dir 0) or R-1-r (1).");
  b.comment("Ring vectors arrive skewed already.");
  for (int r = 0; r < R; ++r) {
    const std::string q = shift_register(b, fmt::format("skew{}_q", r), std::max(r + 1, R - r), in,
                                         slice("x_xbar_i", r * in, in));
    b.assign(
        slice("edge_x", r * in, in),
        fmt::format("act_from_ring_i ? {} : (psum_dir_i ? {} : {})", slice("x_ring_i", r * in, in),
                    slice(q, (R - 1 - r) * in, in), slice(q, r * in, in)));
  }
  b.blank();

  b.comment(
      "Links: x_link slot (r, c+1) is PE (r, c)'s activation; slots (r, 0) and (r, C+1) are the "
      "edge.");
  b.comment(
      "psum_link slot (r+1, c) is PE (r, c)'s partial sum; slots (0, c) and (R+1, c) are the ring "
      "input.");
  auto& edges = b.generate_for("g_edge_row", "r", R);
  edges.assign(slice("x_link", fmt::format("r*{}", (C + 2) * in), in),
               slice("edge_x", fmt::format("r*{}", in), in));
  edges.assign(slice("x_link", fmt::format("(r*{}+{})*{}", C + 2, C + 1, in), in),
               slice("edge_x", fmt::format("r*{}", in), in));
  auto& tops = b.generate_for("g_edge_col", "c", C);
  tops.assign(slice("psum_link", fmt::format("c*{}", acc), acc),
              slice("psum_top", fmt::format("c*{}", acc), acc));
  tops.assign(slice("psum_link", fmt::format("({}+c)*{}", (R + 1) * C, acc), acc),
              slice("psum_top", fmt::format("c*{}", acc), acc));
  b.blank();

  b.comment("The PE grid; row r's weights load when w_row_i == r.");
  auto& row = b.generate_for("g_row", "r", R);
  auto& col = row.generate_for("g_col", "c", C);
  col.instance(pe, "u_pe")
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("act_dir_i", "act_dir_i")
      .connect("psum_dir_i", "psum_dir_i")
      .connect("x_west_i", slice("x_link", fmt::format("(r*{}+c)*{}", C + 2, in), in))
      .connect("x_east_i", slice("x_link", fmt::format("(r*{}+c+2)*{}", C + 2, in), in))
      .connect("psum_north_i", slice("psum_link", fmt::format("(r*{}+c)*{}", C, acc), acc))
      .connect("psum_south_i", slice("psum_link", fmt::format("((r+2)*{}+c)*{}", C, acc), acc))
      .connect("w_load_i", fmt::format("w_valid_i && w_row_i == {}'(r)", rb))
      .connect("w_i", slice("w_data_i", fmt::format("c*{}", in), in))
      .connect("swap_i", "swap_i")
      .connect("x_o", slice("x_link", fmt::format("(r*{}+c+1)*{}", C + 2, in), in))
      .connect("psum_o", slice("psum_link", fmt::format("((r+1)*{}+c)*{}", C, acc), acc));
  b.blank();

  b.comment("Far edges: column C-1 (act_dir 0) or 0 (1); row R-1 (psum_dir 0) or 0 (1).");
  auto& fe = b.generate_for("g_far_row", "r", R);
  fe.assign(
      slice("x_edge_o", fmt::format("r*{}", in), in),
      fmt::format("act_dir_i ? {} : {}", slice("x_link", fmt::format("(r*{}+1)*{}", C + 2, in), in),
                  slice("x_link", fmt::format("(r*{}+{})*{}", C + 2, C, in), in)));
  auto& fc = b.generate_for("g_far_col", "c", C);
  fc.assign(
      slice("psum_edge_o", fmt::format("c*{}", acc), acc),
      fmt::format("psum_dir_i ? {} : {}", slice("psum_link", fmt::format("({}+c)*{}", C, acc), acc),
                  slice("psum_link", fmt::format("({}+c)*{}", R * C, acc), acc)));
  b.blank();

  b.comment("De-skew: column c waits C - k_c cycles, k_c = c (act_dir 0) or C-1-c (1).");
  for (int c = 0; c < C; ++c) {
    const std::string q = shift_register(b, fmt::format("deskew{}_q", c), std::max(c + 1, C - c),
                                         acc, slice("psum_edge_o", c * acc, acc));
    b.assign(slice("y_o", c * acc, acc), fmt::format("act_dir_i ? {} : {}", slice(q, c * acc, acc),
                                                     slice(q, (C - 1 - c) * acc, acc)));
  }
  return m.emit();
}

std::string emit_top(const std::string& name, const std::string& sub, const PlanariaParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int S = p.subarrays, P = p.pods, Q = p.per_pod(), R = p.sub_rows, C = p.sub_cols;
  const int in = p.in_bits, acc = p.acc_bits, sel = log2_exact(Q), rb = row_bits(R);
  const int F = Q * (2 * sel + 1), cfg_bits = 6 * S + P * F, aw = sel + rb;
  const int XW = R * in, PW = C * acc, AW = XW + 1;  // activation-ring payload: valid + rows
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format("{}: Planaria array, {} omni-directional {} x {} subarrays in {} fission pods.",
                  name, S, R, C, P),
      "planaria", params));
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("cfg_valid_i", 1, "write the next configuration (shadow)")
      .input("cfg_i", cfg_bits, "6-bit word per subarray, then per pod x_sel, y_sel, y_en")
      .input("tile_start_i", 1, "tile boundary: shadow configuration and weights become active")
      .input("w_valid_i", P, "per pod: one shadow weight row", true)
      .input("w_addr_i", P * aw,
             fmt::format("per pod: {{subarray u ({} bits), row r ({} bits)}}", sel, rb))
      .input("w_data_i", P * C * in)
      .input("x_valid_i", S, "lane p*Q+b: pod p's activation buffer b")
      .input("x_data_i", S * XW)
      .output("y_valid_o", S, "lane p*Q+b: pod p's output buffer b")
      .output("y_data_o", S * PW);
  auto& b = m.body();

  b.comment("Double-buffered configuration: written any time, active from a tile boundary.");
  b.logic("cfg_shadow_q", cfg_bits).logic("cfg_active_q", cfg_bits);
  auto& ff = b.always_ff();
  ff.reset.assign("cfg_shadow_q", lit(cfg_bits, 0)).assign("cfg_active_q", lit(cfg_bits, 0));
  ff.body.if_("cfg_valid_i", [](vlog::Block& t) { t.assign("cfg_shadow_q", "cfg_i"); });
  ff.body.if_("tile_start_i", [](vlog::Block& t) { t.assign("cfg_active_q", "cfg_shadow_q"); });
  b.blank();

  b.comment("Per-subarray signals, flattened by subarray index.");
  b.logic("xv_out", S)
      .logic("x_edge", S * XW)
      .logic("psum_edge", S * PW)
      .logic("yv", S)
      .logic("y", S * PW);
  b.logic("xv_xbar", S)
      .logic("x_xbar", S * XW)
      .logic("w_valid_sub", S)
      .logic("w_row_sub", S * rb)
      .logic("w_data_sub", S * C * in);
  b.blank();

  b.comment(
      "Ring registers, one per hop and direction. Slot s+1 of *_fwd is subarray s's output "
      "towards");
  b.comment(
      "s+1; slot s of *_bwd its output towards s-1. Slot 0 of *_fwd and slot S of *_bwd are 0.");
  b.logic("act_fwd", (S + 1) * AW).logic("act_bwd", (S + 1) * AW);
  b.logic("psum_fwd", (S + 1) * PW).logic("psum_bwd", (S + 1) * PW);
  b.assign(slice("act_fwd", 0, AW), lit(AW, 0)).assign(slice("act_bwd", S * AW, AW), lit(AW, 0));
  b.assign(slice("psum_fwd", 0, PW), lit(PW, 0)).assign(slice("psum_bwd", S * PW, PW), lit(PW, 0));
  auto& ring = b.generate_for("g_ring", "s", S);
  ring.logic("act_out", AW)
      .logic("act_fwd_q", AW)
      .logic("act_bwd_q", AW)
      .logic("psum_fwd_q", PW)
      .logic("psum_bwd_q", PW);
  ring.assign("act_out",
              fmt::format("{{xv_out[s], {}}}", slice("x_edge", fmt::format("s*{}", XW), XW)));
  auto& rff = ring.always_ff();
  rff.reset.assign("act_fwd_q", lit(AW, 0)).assign("act_bwd_q", lit(AW, 0));
  rff.reset.assign("psum_fwd_q", lit(PW, 0)).assign("psum_bwd_q", lit(PW, 0));
  rff.body.assign("act_fwd_q", "act_out").assign("act_bwd_q", "act_out");
  rff.body.assign("psum_fwd_q", slice("psum_edge", fmt::format("s*{}", PW), PW));
  rff.body.assign("psum_bwd_q", slice("psum_edge", fmt::format("s*{}", PW), PW));
  ring.assign(slice("act_fwd", fmt::format("(s+1)*{}", AW), AW), "act_fwd_q");
  ring.assign(slice("act_bwd", fmt::format("s*{}", AW), AW), "act_bwd_q");
  ring.assign(slice("psum_fwd", fmt::format("(s+1)*{}", PW), PW), "psum_fwd_q");
  ring.assign(slice("psum_bwd", fmt::format("s*{}", PW), PW), "psum_bwd_q");
  b.blank();

  b.comment(
      "The subarrays and their 6-bit words: act_dir, psum_dir, act_prev, act_next, psum_prev, "
      "psum_next.");
  auto& sa = b.generate_for("g_sub", "s", S);
  sa.logic("word", 6).logic("act_ring", AW).logic("psum_ring", PW);
  sa.assign("word", slice("cfg_active_q", "s*6", 6));
  sa.assign("act_ring",
            fmt::format("word[2] ? {} : {}", slice("act_fwd", fmt::format("s*{}", AW), AW),
                        slice("act_bwd", fmt::format("(s+1)*{}", AW), AW)));
  sa.assign("psum_ring",
            fmt::format("word[4] ? {} : {}", slice("psum_fwd", fmt::format("s*{}", PW), PW),
                        slice("psum_bwd", fmt::format("(s+1)*{}", PW), PW)));
  sa.instance(sub, "u_subarray")
      .connect("clk_i", "clk_i")
      .connect("rst_ni", "rst_ni")
      .connect("act_dir_i", "word[0]")
      .connect("psum_dir_i", "word[1]")
      .connect("act_from_ring_i", "word[2] || word[3]")
      .connect("psum_from_ring_i", "word[4] || word[5]")
      .connect("swap_i", "tile_start_i")
      .connect("w_valid_i", "w_valid_sub[s]")
      .connect("w_row_i", slice("w_row_sub", fmt::format("s*{}", rb), rb))
      .connect("w_data_i", slice("w_data_sub", fmt::format("s*{}", C * in), C * in))
      .connect("xv_xbar_i", "xv_xbar[s]")
      .connect("x_xbar_i", slice("x_xbar", fmt::format("s*{}", XW), XW))
      .connect("xv_ring_i", fmt::format("act_ring[{}]", XW))
      .connect("x_ring_i", slice("act_ring", 0, XW))
      .connect("psum_ring_i", "psum_ring")
      .connect("xv_o", "xv_out[s]")
      .connect("x_edge_o", slice("x_edge", fmt::format("s*{}", XW), XW))
      .connect("psum_edge_o", slice("psum_edge", fmt::format("s*{}", PW), PW))
      .connect("yv_o", "yv[s]")
      .connect("y_o", slice("y", fmt::format("s*{}", PW), PW));
  b.blank();

  b.comment("Fission pods: weight bus decode and the two Q x Q crossbars.");
  auto& pod = b.generate_for("g_pod", "p", P);
  pod.logic("pod_cfg", F);
  pod.assign("pod_cfg", slice("cfg_active_q", fmt::format("{}+p*{}", 6 * S, F), F));
  auto& pu = pod.generate_for("g_slot", "u", Q);
  pu.logic("x_sel", sel).logic("y_sel", sel);
  pu.assign("x_sel", slice("pod_cfg", fmt::format("u*{}", sel), sel));
  pu.assign("y_sel", slice("pod_cfg", fmt::format("{}+u*{}", Q * sel, sel), sel));
  pu.assign(fmt::format("w_valid_sub[p*{}+u]", Q),
            fmt::format("w_valid_i[p] && {} == {}'(u)",
                        slice("w_addr_i", fmt::format("p*{}+{}", aw, rb), sel), sel));
  pu.assign(slice("w_row_sub", fmt::format("(p*{}+u)*{}", Q, rb), rb),
            slice("w_addr_i", fmt::format("p*{}", aw), rb));
  pu.assign(slice("w_data_sub", fmt::format("(p*{}+u)*{}", Q, C * in), C * in),
            slice("w_data_i", fmt::format("p*{}", C * in), C * in));
  // Activation crossbar: subarray u reads buffer x_sel; output crossbar: buffer u takes subarray
  // y_sel.
  std::string xd, xv, yd, yvv;
  for (int k = Q - 1; k >= 0; --k) {
    const std::string lane = fmt::format("p*{}+{}", Q, k);
    const std::string xdk = slice("x_data_i", fmt::format("({})*{}", lane, XW), XW),
                      xvk = fmt::format("x_valid_i[{}]", lane);
    const std::string ydk = slice("y", fmt::format("({})*{}", lane, PW), PW),
                      yvk = fmt::format("yv[{}]", lane);
    if (k == Q - 1) {
      xd = xdk, xv = xvk, yd = ydk, yvv = yvk;
    } else {
      xd = fmt::format("x_sel == {} ? {} : {}", lit(sel, k), xdk, xd);
      xv = fmt::format("x_sel == {} ? {} : {}", lit(sel, k), xvk, xv);
      yd = fmt::format("y_sel == {} ? {} : {}", lit(sel, k), ydk, yd);
      yvv = fmt::format("y_sel == {} ? {} : {}", lit(sel, k), yvk, yvv);
    }
  }
  pu.assign(slice("x_xbar", fmt::format("(p*{}+u)*{}", Q, XW), XW), xd);
  pu.assign(fmt::format("xv_xbar[p*{}+u]", Q), xv);
  pu.assign(slice("y_data_o", fmt::format("(p*{}+u)*{}", Q, PW), PW), yd);
  pu.assign(fmt::format("y_valid_o[p*{}+u]", Q),
            fmt::format("pod_cfg[{}+u] && ({})", 2 * Q * sel, yvv));
  b.blank();

  b.comment(
      "The ring's unbuilt closing link: subarray S-1's forward and subarray 0's backward outputs.");
  b.logic("unused_ring", 2 * AW + 2 * PW);
  b.assign("unused_ring",
           fmt::format("{{{}, {}, {}, {}}}", slice("act_fwd", S * AW, AW), slice("act_bwd", 0, AW),
                       slice("psum_fwd", S * PW, PW), slice("psum_bwd", 0, PW)));
  *ports = top_ports(m);
  return m.emit();
}

}  // namespace

GeneratedDesign generate_planaria(const PlanariaParams& p, const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "planaria";
  d.params = params_json;
  d.top = fmt::format("planaria_s{}p{}_{}x{}_i{}a{}", p.subarrays, p.pods, p.sub_rows, p.sub_cols,
                      p.in_bits, p.acc_bits);
  const std::string pe = d.top + "_pe", sub = d.top + "_subarray";
  d.files.push_back({"accelgen_delay_line.sv", rtl_template("accelgen_delay_line")});
  d.files.push_back({pe + ".sv", emit_pe(pe, p, params_json)});
  d.files.push_back({sub + ".sv", emit_subarray(sub, pe, p, params_json)});
  d.files.push_back({d.top + ".sv", emit_top(d.top, sub, p, params_json, &d.ports)});
  d.verilate_hierarchical = hierarchical(p);
  return d;
}

}  // namespace accelgen
