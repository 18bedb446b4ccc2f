// The construction layer: literals, widths, declarations, processes, instances, generate loops.
#include "generator/vlog/vlog.hpp"

#include <gtest/gtest.h>

namespace accelgen::vlog {
namespace {

TEST(VlogLiterals, SizedAndChecked) {
  EXPECT_EQ(lit(1, 1), "1'b1");
  EXPECT_EQ(lit(8, 255), "8'd255");
  EXPECT_EQ(lit(64, ~uint64_t{0}), "64'd18446744073709551615");
  EXPECT_THROW(lit(8, 256), std::logic_error);
  EXPECT_THROW(lit(0, 0), std::logic_error);
  EXPECT_EQ(lit(512, 0), "512'd0");  // wide zero fills stay sized
}

TEST(VlogLiterals, SlicesAndSignExtension) {
  EXPECT_EQ(slice("x", 8, 8), "x[15:8]");
  EXPECT_EQ(slice("x", 3, 1), "x[3]");
  EXPECT_EQ(slice("x", "r*8", 8), "x[r*8 +: 8]");
  EXPECT_EQ(sign_extend("p", 16, 16), "p");
  EXPECT_EQ(sign_extend("p", 16, 17), "{p[15], p}");
  EXPECT_EQ(sign_extend("p", 16, 32), "{{16{p[15]}}, p}");
  EXPECT_EQ(sign_extend_slice("v", 6, 6, 9), "{{3{v[11]}}, v[11:6]}");
  EXPECT_EQ(resize_signed("s", 12, 10), "s[9:0]");
  EXPECT_EQ(resize_signed("s", 8, 9), "{s[7], s}");
  EXPECT_EQ(range(1), "");
  EXPECT_EQ(range(12), "[11:0]");
}

TEST(VlogModule, EmitsPortsDeclarationsAndProcesses) {
  Module m("adder");
  m.header({"adder: one registered add."});
  m.input("clk_i", 1).input("rst_ni", 1).input("a_i", 8, "first operand").input("b_i", 8).output("s_o", 9);
  auto& b = m.body();
  b.logic("sum_q", 9).vector("flag", 1);
  b.assign("flag", "1'b0");
  auto& ff = b.always_ff();
  ff.reset.assign("sum_q", lit(9, 0));
  ff.body.assign("sum_q", "{1'b0, a_i} + {1'b0, b_i}");
  b.assign("s_o", "sum_q");
  const std::string text = m.emit();
  EXPECT_NE(text.find("// adder: one registered add.\nmodule adder (\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  input  logic [7:0] a_i,     // first operand\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  output logic [8:0] s_o\n);"), std::string::npos) << text;
  EXPECT_NE(text.find("  logic [0:0] flag;\n"), std::string::npos) << text;
  EXPECT_NE(text.find("always_ff @(posedge clk_i or negedge rst_ni) begin\n    if (!rst_ni) begin\n"
                      "      sum_q <= 9'd0;\n    end else begin\n      sum_q <= {1'b0, a_i} + {1'b0, b_i};\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nendmodule\n"), std::string::npos);
}

TEST(VlogModule, AlwaysFFWithoutResetForMemories) {
  Module m("mem");
  m.input("clk_i", 1).input("we_i", 1).input("a_i", 2).input("d_i", 8);
  auto& b = m.body();
  b.logic("mem_q", 8, 4);
  b.always_ff("clk_i", "").body.if_("we_i", [](Block& t) { t.assign("mem_q[a_i]", "d_i"); });
  EXPECT_NE(m.emit().find("  logic [7:0] mem_q [4];\n  always_ff @(posedge clk_i) begin\n    if (we_i) begin\n"
                          "      mem_q[a_i] <= d_i;\n    end\n  end\n"),
            std::string::npos)
      << m.emit();
}

TEST(VlogModule, CombIfElseUsesBlockingAssignments) {
  Module m("mux");
  m.input("s_i", 1).output("y_o", 2);
  m.body().always_comb().if_("s_i", [](Block& t) { t.assign("y_o", "2'd1"); },
                              [](Block& e) { e.assign("y_o", "2'd2"); });
  EXPECT_NE(m.emit().find("  always_comb begin\n    if (s_i) begin\n      y_o = 2'd1;\n    end else begin\n"
                          "      y_o = 2'd2;\n    end\n  end\n"),
            std::string::npos)
      << m.emit();
}

TEST(VlogModule, InstancesAndLabelledGenerateLoops) {
  Module m("top");
  m.input("clk_i", 1);
  auto& loop = m.body().generate_for("g_lane", "i", 4);
  loop.logic("tmp", 3);
  loop.instance("leaf", "u_leaf").param("Width", 3).connect("clk_i", "clk_i").connect("q_o", "tmp");
  const std::string text = m.emit();
  EXPECT_NE(text.find("  for (genvar i = 0; i < 4; i++) begin : g_lane\n    logic [2:0] tmp;\n"
                      "    leaf #(\n      .Width (3)\n    ) u_leaf (\n      .clk_i (clk_i),\n      .q_o   (tmp)\n    );\n"
                      "  end\n"),
            std::string::npos)
      << text;
}

TEST(VlogModule, RejectsDuplicateNamesAndBadWidths) {
  Module m("dup");
  m.input("a_i", 1);
  EXPECT_THROW(m.input("a_i", 2), std::logic_error);
  EXPECT_THROW(m.body().logic("a_i", 1), std::logic_error);
  EXPECT_THROW(m.body().logic("z", 0), std::logic_error);
  EXPECT_THROW(m.body().generate_for("g", "i", 0), std::logic_error);
  m.body().logic("x", 1);
  EXPECT_THROW(m.body().generate_for("x", "i", 2), std::logic_error);
}

TEST(VlogModule, EmissionIsDeterministic) {
  auto build = [] {
    Module m("same");
    m.input("a_i", 4).output("b_o", 4);
    m.body().assign("b_o", "~a_i");
    return m.emit();
  };
  EXPECT_EQ(build(), build());
}

}  // namespace
}  // namespace accelgen::vlog
