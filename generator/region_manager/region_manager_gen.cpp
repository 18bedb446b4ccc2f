// Generator for `region_manager`: Cocco's buffer region manager (a 2N-entry register file of region
// start/end addresses with allocate / free / translate). Interface, placement, errors and timing:
// golden_model/README.md, section "region_manager".
#include "generator/region_manager/region_manager_gen.hpp"

#include <fmt/format.h>

#include "generator/rtl_util.hpp"
#include "generator/vlog/vlog.hpp"

namespace accelgen {

namespace {

using vlog::lit;
using vlog::slice;

// Declares WIDE (A+1 bits) = EXPR and NAME (A bits) = WIDE mod C, where EXPR < 2C whenever the
// result is used; the top bit of the reduced value goes to an unused sink.
void mod_capacity(vlog::Scope& b, const std::string& name, const std::string& expr, int A,
                  const std::string& cap) {
  b.logic(name + "_sum", A + 1)
      .logic(name + "_red", A + 1)
      .logic(name, A)
      .logic("unused_" + name + "_hi", 1);
  b.assign(name + "_sum", expr);
  b.assign(name + "_red", fmt::format("{0}_sum >= {1} ? {0}_sum - {1} : {0}_sum", name, cap));
  b.assign(name, slice(name + "_red", 0, A));
  b.assign("unused_" + name + "_hi", fmt::format("{}_red[{}]", name, A));
}

std::string emit_top(const std::string& name, const RegionManagerParams& p,
                     const nlohmann::json& params, std::vector<TopPort>* ports) {
  const int N = p.regions, A = p.addr_bits, IW = p.id_bits(), AW = p.arg_bits(), LW = p.live_bits();
  const int64_t C = p.capacity();
  const std::string cap = lit(AW, static_cast<uint64_t>(C));
  vlog::Module m(name);
  m.header(generated_header(
      fmt::format("{}: buffer region manager, {} regions of {}-bit start/end addresses over {} "
                  "words of {} bits ({} bytes).",
                  name, N, A, C, p.word_bits, C * p.word_bits / 8),
      "region_manager", params));
  m.input("clk_i", 1)
      .input("rst_ni", 1)
      .input("cmd_valid_i", 1, "a command this cycle (always accepted)")
      .input("cmd_op_i", 2, "0 ALLOC, 1 FREE, 2 TRANSLATE, 3 reserved (error)")
      .input("cmd_id_i", IW, "region id")
      .input("cmd_arg_i", AW, "ALLOC: length in words; TRANSLATE: word offset in the region")
      .output("rsp_valid_o", 1, "response to the previous cycle's command")
      .output("rsp_error_o", 1, "that command was illegal and changed nothing")
      .output("rsp_addr_o", A,
              "ALLOC/FREE: region start; TRANSLATE: physical word address; 0 on error")
      .output("used_o", AW, "words placed since the buffer was last empty")
      .output("live_o", LW, "allocated regions");
  *ports = top_ports(m);
  auto& b = m.body();

  b.comment("The register file: N (start, end) entry pairs and their valid bits.");
  const int padded = 1 << IW;
  b.vector("valid_q", padded).logic("start_tab", padded * A).logic("end_tab", padded * A);
  if (padded > N) {
    b.assign(slice("valid_q", N, padded - N), lit(padded - N, 0));
    b.assign(slice("start_tab", N * A, (padded - N) * A), lit((padded - N) * A, 0));
    b.assign(slice("end_tab", N * A, (padded - N) * A), lit((padded - N) * A, 0));
  }
  b.logic("top_q", A).logic("used_q", AW).logic("live_q", LW);
  b.logic("alloc_ok", 1).logic("free_ok", 1).logic("trans_ok", 1);
  b.comment(
      "Read port: the addressed entry, a balanced multiplexer (the tables are padded to 2^IW");
  b.comment(
      "entries so that every id selects inside them; ids past the table are rejected below).");
  b.logic("sel_valid", 1).logic("sel_start", A).logic("sel_end", A);
  b.assign("sel_valid", "valid_q[cmd_id_i]");
  b.assign("sel_start", fmt::format("start_tab[cmd_id_i*{0} +: {0}]", A));
  b.assign("sel_end", fmt::format("end_tab[cmd_id_i*{0} +: {0}]", A));
  b.blank();

  b.comment("Decode and checks (first matching rule of the specification wins).");
  b.logic("id_ok", 1).logic("is_alloc", 1).logic("is_free", 1).logic("is_trans", 1);
  b.assign("id_ok", (int64_t{1} << IW) == N ? "1'b1" : fmt::format("cmd_id_i < {}", lit(IW, N)));
  b.assign("is_alloc", "cmd_valid_i && cmd_op_i == 2'd0");
  b.assign("is_free", "cmd_valid_i && cmd_op_i == 2'd1");
  b.assign("is_trans", "cmd_valid_i && cmd_op_i == 2'd2");
  b.comment("Region length minus one: (end - start) mod C.");
  b.logic("rel_last", AW);
  b.assign("rel_last",
           fmt::format("sel_end >= sel_start ? {{1'b0, sel_end}} - {{1'b0, sel_start}} : "
                       "{{1'b0, sel_end}} + {} - {{1'b0, sel_start}}",
                       cap));
  b.comment("Over capacity: used + length > C (one bit wider, so nothing wraps).");
  b.logic("alloc_fits", 1);
  b.assign("alloc_fits", fmt::format("{{1'b0, used_q}} + {{1'b0, cmd_arg_i}} <= {}",
                                     lit(AW + 1, static_cast<uint64_t>(C))));
  b.assign(
      "alloc_ok",
      fmt::format("is_alloc && id_ok && !sel_valid && cmd_arg_i != {} && alloc_fits", lit(AW, 0)));
  b.assign("free_ok", "is_free && id_ok && sel_valid");
  b.assign("trans_ok", "is_trans && id_ok && sel_valid && cmd_arg_i <= rel_last");
  b.comment("Addresses modulo C: the region's end, the next top, the translated word.");
  mod_capacity(b, "alloc_end", fmt::format("{{1'b0, top_q}} + cmd_arg_i - {}", lit(AW, 1)), A, cap);
  mod_capacity(b, "top_next", "{1'b0, top_q} + cmd_arg_i", A, cap);
  mod_capacity(b, "phys", "{1'b0, sel_start} + cmd_arg_i", A, cap);
  b.blank();

  b.comment("The entries: written by a successful ALLOC (start, end, valid) or FREE (valid).");
  auto& entry = b.generate_for("g_entry", "i", N);
  entry.logic("start_q", A).logic("end_q", A).logic("valid_entry_q", 1).logic("hit", 1);
  entry.assign("hit", fmt::format("cmd_id_i == {}'(i)", IW));
  auto& eff = entry.always_ff();
  eff.reset.assign("valid_entry_q", "1'b0").assign("start_q", lit(A, 0)).assign("end_q", lit(A, 0));
  eff.body.if_(
      "alloc_ok && hit",
      [&](vlog::Block& t) {
        t.assign("valid_entry_q", "1'b1").assign("start_q", "top_q").assign("end_q", "alloc_end");
      },
      [&](vlog::Block& e) {
        e.if_("free_ok && hit", [](vlog::Block& f) { f.assign("valid_entry_q", "1'b0"); });
      });
  entry.assign("valid_q[i]", "valid_entry_q");
  entry.assign(slice("start_tab", fmt::format("i*{}", A), A), "start_q");
  entry.assign(slice("end_tab", fmt::format("i*{}", A), A), "end_q");
  b.blank();

  b.comment("Allocation state and the registered response.");
  b.logic("rsp_valid_q", 1).logic("rsp_error_q", 1).logic("rsp_addr_q", A);
  auto& ff = b.always_ff();
  ff.reset.assign("top_q", lit(A, 0)).assign("used_q", lit(AW, 0)).assign("live_q", lit(LW, 0));
  ff.reset.assign("rsp_valid_q", "1'b0")
      .assign("rsp_error_q", "1'b0")
      .assign("rsp_addr_q", lit(A, 0));
  ff.body.if_("alloc_ok", [&](vlog::Block& t) {
    t.assign("top_q", "top_next")
        .assign("used_q", "used_q + cmd_arg_i")
        .assign("live_q", fmt::format("live_q + {}", lit(LW, 1)));
  });
  ff.body.if_("free_ok", [&](vlog::Block& t) {
    t.assign("live_q", fmt::format("live_q - {}", lit(LW, 1)));
    t.if_(fmt::format("live_q == {}", lit(LW, 1)),
          [&](vlog::Block& z) { z.assign("used_q", lit(AW, 0)); });
  });
  ff.body.assign("rsp_valid_q", "cmd_valid_i");
  ff.body.assign("rsp_error_q", "cmd_valid_i && !(alloc_ok || free_ok || trans_ok)");
  ff.body.assign(
      "rsp_addr_q",
      fmt::format("alloc_ok ? top_q : free_ok ? sel_start : trans_ok ? phys : {}", lit(A, 0)));
  b.assign("rsp_valid_o", "rsp_valid_q")
      .assign("rsp_error_o", "rsp_error_q")
      .assign("rsp_addr_o", "rsp_addr_q");
  b.assign("used_o", "used_q").assign("live_o", "live_q");
  return m.emit();
}

}  // namespace

GeneratedDesign generate_region_manager(const RegionManagerParams& p,
                                        const nlohmann::json& params_json) {
  GeneratedDesign d;
  d.block = "region_manager";
  d.params = params_json;
  d.top = fmt::format("region_manager_n{}_a{}{}", p.regions, p.addr_bits,
                      p.capacity_words > 0 ? fmt::format("_c{}", p.capacity_words) : "");
  d.files.push_back({d.top + ".sv", emit_top(d.top, p, params_json, &d.ports)});
  return d;
}

}  // namespace accelgen
