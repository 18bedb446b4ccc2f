// The standard-cell flow (`accelgen synth`) on small designs: Yosys maps onto the OSU 0.18 um
// library, flip-flops are priced, OpenSTA times and powers the netlist, memories become SRAM
// macros. Expected values come from the netlist and the liberty file read here, or by hand.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "generator/design.hpp"
#include "generator/eda/buffer_tree.hpp"
#include "generator/eda/sram_model.hpp"
#include "generator/eda/stdcell.hpp"

namespace accelgen {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Cell areas and which cells are sequential, read straight from the liberty text.
struct Lib {
  std::map<std::string, double> area;
  std::map<std::string, bool> seq;
};
Lib read_lib(const std::string& path) {
  const std::string text = slurp(path);
  Lib lib;
  std::regex cell(R"re(cell \((\w+)\))re");
  std::vector<std::pair<size_t, std::string>> at;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), cell); it != std::sregex_iterator(); ++it)
    at.emplace_back(it->position(0), (*it)[1].str());
  for (size_t i = 0; i < at.size(); ++i) {
    const std::string body = text.substr(at[i].first, (i + 1 < at.size() ? at[i + 1].first : text.size()) - at[i].first);
    std::smatch m;
    std::regex_search(body, m, std::regex(R"(area : ([0-9.]+))"));
    lib.area[at[i].second] = std::stod(m[1].str());
    lib.seq[at[i].second] = body.find("ff (") != std::string::npos || body.find("latch (") != std::string::npos;
  }
  return lib;
}

// Instances per cell type in a flat netlist: lines "  CELL name (".
std::map<std::string, int64_t> count_instances(const std::string& netlist) {
  std::map<std::string, int64_t> n;
  std::regex inst(R"(^\s+([A-Za-z_]\w*)\s+\S+\s+\($)");
  std::istringstream lines(netlist);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, inst) && m[1].str() != "module") ++n[m[1].str()];
  }
  return n;
}

class Synth : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = fs::temp_directory_path() /
           ("accelgen_synth_" + std::to_string(getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void TearDown() override { fs::remove_all(tmp_); }

  DesignDir generate(const std::string& block, const std::vector<std::string>& sets) {
    const BlockInfo& info = find_block(block);
    const std::string dir = (tmp_ / block).string();
    write_design(generate_design(info, resolve_params(info, "", sets, false)), dir);
    return read_design_dir(dir);
  }
  // A hand-written design: VERILOG written to TOP.v, TOP its top module.
  DesignDir handwritten(const std::string& top, const std::string& verilog) {
    const fs::path f = tmp_ / (top + ".v");
    std::ofstream(f) << verilog;
    DesignDir d;
    d.dir = tmp_.string();
    d.block = "handwritten";
    d.top = top;
    d.files = {f.string()};
    return d;
  }
  // A hand-written two-instance design with one 16x16 memory per instance.
  DesignDir memory_design() {
    return handwritten("mem_top", R"(module mem_leaf(input clk_i, input we_i, input [3:0] wa_i, input [3:0] ra_i,
                input [15:0] d_i, output [15:0] q_o);
  reg [15:0] mem [0:15];
  always @(posedge clk_i) if (we_i) mem[wa_i] <= d_i;
  assign q_o = mem[ra_i];
endmodule
module mem_top(input clk_i, input rst_ni, input we_i, input [3:0] wa_i, input [3:0] ra_i, input [15:0] d_i,
               output reg [31:0] q_o);
  wire [31:0] q;
  mem_leaf u_a(.clk_i(clk_i), .we_i(we_i), .wa_i(wa_i), .ra_i(ra_i), .d_i(d_i), .q_o(q[15:0]));
  mem_leaf u_b(.clk_i(clk_i), .we_i(we_i), .wa_i(ra_i), .ra_i(wa_i), .d_i(~d_i), .q_o(q[31:16]));
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) q_o <= 32'd0; else q_o <= q;
endmodule
)");
  }
  StdCellOptions options(const std::string& sub) {
    StdCellOptions o;
    o.work_dir = (tmp_ / sub).string();
    return o;
  }
  fs::path tmp_;
};

TEST_F(Synth, SmallSystolicMapsWithFlipFlopsPriced) {
  const DesignDir d = generate("systolic", {"rows=1", "cols=2", "in_bits=4", "acc_bits=8"});
  StdCellOptions o = options("flat");
  o.flatten = true;  // one flat netlist, so cells can be counted from its text
  const StdCellResult r = stdcell_ppa(d, o);
  ASSERT_TRUE(fs::exists(r.netlist));
  const Lib lib = read_lib(r.liberty);
  const auto counts = count_instances(slurp(r.netlist));
  double area = 0, ff_area = 0;
  int64_t cells = 0, ffs = 0;
  for (const auto& [cell, n] : counts) {
    if (cell == "accelgen_tielo" || cell == "accelgen_tiehi")
      continue;  // zero-area tie black boxes (stdcell.cpp)
    ASSERT_TRUE(lib.area.count(cell)) << "netlist instance of unknown cell " << cell;
    area += lib.area.at(cell) * n;
    cells += n;
    if (lib.seq.at(cell)) {
      ffs += n;
      ff_area += lib.area.at(cell) * n;
    }
  }
  EXPECT_GT(area, 0);
  EXPECT_EQ(r.cells, cells);
  EXPECT_EQ(r.flip_flops, ffs);
  EXPECT_NEAR(r.logic_area_um2, area, 1e-6 * area);
  EXPECT_NEAR(r.flip_flop_area_um2, ff_area, 1e-6 * ff_area);
  EXPECT_DOUBLE_EQ(r.area_um2, r.logic_area_um2);  // no memory macros here
  // Every register is counted: at least one output accumulator per column (2 x acc_bits flops),
  // each no smaller than DFFPOSX1 (96 um^2), and the logic around them costs area too.
  EXPECT_GE(r.flip_flops, 2 * 8);
  EXPECT_GE(r.flip_flop_area_um2, 96.0 * r.flip_flops);
  EXPECT_GT(r.area_um2, r.flip_flop_area_um2);

  // Static timing: a positive path with named ends; fmax and slack follow from it.
  EXPECT_GT(r.critical_path_ns, 0);
  EXPECT_FALSE(r.start_point.empty());
  EXPECT_FALSE(r.end_point.empty());
  EXPECT_NEAR(r.fmax_mhz, 1000.0 / r.critical_path_ns, 1e-9);
  EXPECT_GT(r.power_mw, 0);
}

TEST_F(Synth, HierarchicalMatchesFlatCountsAndSlackFollowsTheClock) {
  const DesignDir d = generate("systolic", {"rows=2", "cols=1", "in_bits=4", "acc_bits=8"});
  StdCellOptions flat = options("flat");
  flat.flatten = true;
  const StdCellResult f = stdcell_ppa(d, flat);
  StdCellOptions hier = options("hier");
  hier.clock_ns = 20;
  const StdCellResult h = stdcell_ppa(d, hier);
  // Flattening lets Yosys drop registers whose outputs go unused across module boundaries (delay
  // line bits, constant flops); a hierarchical run keeps them, never fewer.
  EXPECT_GE(h.flip_flops, f.flip_flops);
  EXPECT_GT(h.logic_area_um2, 0);
  EXPECT_NEAR(h.slack_ns, 20 - h.critical_path_ns, 1e-9);
  // Power at the target clock: the dynamic part scales with frequency, leakage does not.
  const double dyn_at_clock = h.power_at_clock_mw - h.logic_leakage_mw;
  const double dyn_at_fmax = h.power_mw - h.logic_leakage_mw;
  EXPECT_NEAR(dyn_at_clock * 20, dyn_at_fmax * h.critical_path_ns, 1e-9 * dyn_at_fmax * h.critical_path_ns);
}

TEST_F(Synth, AbcFastScriptMapsTheSameFlipFlops) {
  const DesignDir d = generate("systolic", {"rows=1", "cols=2", "in_bits=4", "acc_bits=8"});
  const StdCellResult full = stdcell_ppa(d, options("full"));
  StdCellOptions fast_options = options("fast");
  fast_options.abc_fast = true;
  const StdCellResult fast = stdcell_ppa(d, fast_options);
  EXPECT_NE(slurp(fs::path(fast_options.work_dir) / "synth.ys").find("abc -fast -liberty"),
            std::string::npos);
  // Flip-flops are mapped by dfflibmap before ABC: the script changes only the combinational cells.
  EXPECT_EQ(fast.flip_flops, full.flip_flops);
  EXPECT_DOUBLE_EQ(fast.flip_flop_area_um2, full.flip_flop_area_um2);
  EXPECT_GT(fast.logic_area_um2, fast.flip_flop_area_um2);
  EXPECT_GT(fast.critical_path_ns, 0);
}

TEST_F(Synth, BufferingShortensAHighFanOutPath) {
  // One registered enable selects 256 register bits: unbuffered, a single gate drives them all.
  const DesignDir d = handwritten("fan", R"(module fan(input clk_i, input rst_ni, input en_i, input [255:0] d_i, output reg [255:0] q_o);
  reg en_q;
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) en_q <= 1'b0; else en_q <= en_i;
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) q_o <= 256'd0; else if (en_q) q_o <= d_i;
endmodule
)");
  StdCellOptions plain_options = options("plain");
  plain_options.buffer_tree = false;  // ABC's buffering alone, against no buffering at all
  const StdCellResult plain = stdcell_ppa(d, plain_options);
  StdCellOptions buffered_options = options("buffered");
  buffered_options.buffer = true;
  buffered_options.buffer_tree = false;
  const StdCellResult buffered = stdcell_ppa(d, buffered_options);
  EXPECT_NE(slurp(fs::path(buffered_options.work_dir) / "synth.ys").find("-constr"),
            std::string::npos);
  EXPECT_EQ(buffered.flip_flops, plain.flip_flops);
  EXPECT_GT(buffered.cells, plain.cells);  // the buffer tree
  EXPECT_LT(buffered.critical_path_ns, plain.critical_path_ns / 2);
}

TEST_F(Synth, BufferTreesShortenAFanOutAcrossModulesAndKeepTheFunction) {
  // One registered enable drives 8 instances of a 12-bit register; the shared data input drives
  // all 8 too. Unbuffered, one flip-flop output drives 96 enable pins through the module ports.
  const DesignDir d = handwritten("fan_tree", R"(module fan_leaf(input clk_i, input rst_ni, input en_i, input [11:0] d_i, output reg [11:0] q_o);
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) q_o <= 12'd0; else if (en_i) q_o <= d_i;
endmodule
module fan_tree(input clk_i, input rst_ni, input en_i, input [11:0] d_i, output [95:0] q_o);
  reg en_q;
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) en_q <= 1'b0; else en_q <= en_i;
  genvar i;
  generate for (i = 0; i < 8; i = i + 1) begin : g
    fan_leaf u(.clk_i(clk_i), .rst_ni(rst_ni), .en_i(en_q), .d_i(d_i), .q_o(q_o[12*i+11:12*i]));
  end endgenerate
endmodule
)");
  StdCellOptions plain_options = options("plain");
  plain_options.buffer_tree = false;
  const StdCellResult plain = stdcell_ppa(d, plain_options);
  StdCellOptions tree_options = options("tree");
  const StdCellResult tree = stdcell_ppa(d, tree_options);  // buffer trees are the default
  ASSERT_FALSE(tree.buffer_tree.is_null());
  EXPECT_TRUE(plain.buffer_tree.is_null());

  // The bound is F inputs of the buffer cell, whose capacitance is read here from the liberty text.
  const std::string cell = tree.buffer_tree["buffer_cell"];
  const std::string lib_text = slurp(tree.liberty);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(lib_text, m, std::regex("cell \\(" + cell + "\\)[^}]*?pin\\(A\\)\\s*\\{\\s*direction : input;\\s*capacitance : ([0-9.]+)")));
  const double c_in = std::stod(m[1].str());
  const int fanout = tree.buffer_tree["max_fanout"];
  EXPECT_GE(fanout, 2);
  EXPECT_NEAR(tree.buffer_tree["max_load_pf"].get<double>(), fanout * c_in, 1e-9);

  // The high fan-out path is shorter: the enable no longer drives 256 pins from one gate.
  EXPECT_LT(tree.critical_path_ns, plain.critical_path_ns / 2) << plain.critical_path_ns;
  // Area counts the buffers, over the hierarchy (8 leaf instances): every other cell type keeps its
  // count, and the area grows by exactly the added buffers at the liberty's buffer area.
  const Lib lib = read_lib(tree.liberty);
  int64_t added = 0;
  for (const auto& [name, n] : tree.cell_counts)
    if (name == cell) added = n - (plain.cell_counts.count(name) ? plain.cell_counts.at(name) : 0);
    else EXPECT_EQ(n, plain.cell_counts.count(name) ? plain.cell_counts.at(name) : 0) << name;
  EXPECT_GT(added, 8);  // at least one buffer per leaf instance (their enables) plus the top's tree
  EXPECT_EQ(added, tree.buffer_tree["module_buffers"].value("fan_leaf", 0) * 8 +
                       tree.buffer_tree["module_buffers"].value("fan_tree", 0));
  EXPECT_NEAR(tree.logic_area_um2 - plain.logic_area_um2, added * lib.area.at(cell), 1e-6);
  EXPECT_EQ(tree.flip_flops, plain.flip_flops);

  // Functionally identical: Yosys proves the netlist before the pass (mapped.json) equivalent to
  // the one after it, flattened, with the cells' functions from the liberty file.
  const fs::path w = tree_options.work_dir;
  std::ofstream(w / "tie.v") << "module accelgen_tielo(output Y); assign Y = 1'b0; endmodule\n"
                                "module accelgen_tiehi(output Y); assign Y = 1'b1; endmodule\n";
  std::string script;
  for (const char* side : {"gold", "gate"})
    script += fmt::format(
        "read_liberty {0}; read_verilog {1}; read_json {2}; hierarchy -top fan_tree; flatten; async2sync; "
        "rename fan_tree {3}; design -stash {3}\n",
        tree.liberty, (w / "tie.v").string(), (w / (std::string(side) == "gold" ? "mapped.json" : "buffered.json")).string(), side);
  script +=
      "design -copy-from gold -as gold gold\ndesign -copy-from gate -as gate gate\n"
      "equiv_make gold gate equiv\nhierarchy -top equiv\nequiv_simple -seq 2\nequiv_induct -seq 2\nequiv_status -assert\n";
  std::ofstream(w / "equiv.ys") << script;
  const ProcessResult eq = run_process({"yosys", "-q", "-s", (w / "equiv.ys").string()});
  EXPECT_EQ(eq.exit_code, 0) << eq.output;
  // The proof can fail: the same check on a netlist with one enable pin moved to the wrong net.
  std::string broken = slurp(w / "buffered.json");
  const size_t buf = broken.find("\"type\":\"" + cell + "\"");
  ASSERT_NE(buf, std::string::npos);
  ASSERT_TRUE(std::regex_search(broken.cbegin() + static_cast<std::ptrdiff_t>(buf), broken.cend(), m,
                                std::regex(R"re("A":\[(\d+)\])re")));
  const size_t at = buf + static_cast<size_t>(m.position(1));
  broken.replace(at, m[1].length(), "\"0\"");  // the first buffer's input tied low
  std::ofstream(w / "buffered.json") << broken;
  const ProcessResult bad = run_process({"yosys", "-q", "-s", (w / "equiv.ys").string()});
  EXPECT_NE(bad.exit_code, 0);
}

TEST_F(Synth, InputActivityReachesThePowerReport) {
  const DesignDir d = generate("systolic", {"rows=1", "cols=1", "in_bits=4", "acc_bits=8"});
  StdCellOptions quiet = options("quiet");
  quiet.default_activity = 0.02;
  StdCellOptions busy = options("busy");
  busy.default_activity = 0.5;
  const StdCellResult q = stdcell_ppa(d, quiet), b = stdcell_ppa(d, busy);
  EXPECT_GT(b.logic_dynamic_pj_per_cycle, q.logic_dynamic_pj_per_cycle);
  // Per-port rates override the default and are reported as their width-weighted mean.
  StdCellOptions per_port = options("port");
  per_port.default_activity = 0.02;
  per_port.input_activity = {{"x_data_i", 4, 0.5}, {"x_valid_i", 1, 0.25}};
  const StdCellResult p = stdcell_ppa(d, per_port);
  EXPECT_NEAR(p.mean_input_activity, (4 * 0.5 + 1 * 0.25) / 5, 1e-12);
  EXPECT_GT(p.logic_dynamic_pj_per_cycle, q.logic_dynamic_pj_per_cycle);
}

TEST_F(Synth, MemoriesBecomeMacrosPricedByTheSramModel) {
  const DesignDir d = memory_design();
  StdCellOptions macros = options("macros");
  macros.macro_min_bits = 256;  // a 16 x 16 memory qualifies (the default threshold is 1024 bits)
  const StdCellResult m = stdcell_ppa(d, macros);
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_EQ(m.memories[0].instances, 2);
  EXPECT_EQ(m.memories[0].memid, "mem");
  EXPECT_EQ(m.memories[0].shape.words, 16);
  EXPECT_EQ(m.memories[0].shape.width, 16);
  EXPECT_EQ(m.memories[0].shape.read_ports, 1);
  EXPECT_FALSE(m.memories[0].shape.sync_read);
  const SramEstimate e = estimate_sram({16, 16, 1, 1, false});
  EXPECT_DOUBLE_EQ(m.memory_area_um2, 2 * e.area_um2);
  EXPECT_DOUBLE_EQ(m.area_um2, m.logic_area_um2 + m.memory_area_um2);
  EXPECT_EQ(m.flip_flops, 32);  // only the output register
  // The same design with memories in flip-flops holds the 2 x 256 memory bits as registers.
  StdCellOptions flops = options("flops");
  flops.macro_min_bits = 0;
  const StdCellResult f = stdcell_ppa(d, flops);
  EXPECT_TRUE(f.memories.empty());
  EXPECT_EQ(f.flip_flops, 32 + 2 * 256);
  EXPECT_GT(f.logic_area_um2, m.logic_area_um2 + 2 * 256 * 96.0);
}

// Hierarchical static timing (generator/eda/hier_sta.hpp): the same mapped netlist timed flat and
// with extracted models of its repeated modules. Flat OpenSTA is the independent reference: areas
// and counts come from the same Yosys run (equal), leakage is a sum over cells (equal), and the
// critical path agrees up to the models' table interpolation and the flat run's slew merging
// (a gate's output slew is the worst over all its inputs; a model's table sees one input's).
void expect_hier_matches_flat(const StdCellResult& f, const StdCellResult& h,
                              double path_tolerance) {
  EXPECT_EQ(f.sta_method, "flat");
  EXPECT_EQ(h.sta_method, "hier");
  EXPECT_EQ(h.cells, f.cells);
  EXPECT_EQ(h.flip_flops, f.flip_flops);
  EXPECT_DOUBLE_EQ(h.area_um2, f.area_um2);
  EXPECT_NEAR(h.logic_leakage_mw, f.logic_leakage_mw, 1e-4 * f.logic_leakage_mw);
  EXPECT_NEAR(h.critical_path_ns, f.critical_path_ns, path_tolerance * f.critical_path_ns);
  EXPECT_GT(h.logic_dynamic_pj_per_cycle, 0);
}

const nlohmann::json& hier_module(const StdCellResult& r, const std::string& name) {
  for (const auto& m : r.hier.at("modules"))
    if (m.at("module") == name) return m;
  ADD_FAILURE() << "no module " << name;
  static const nlohmann::json none;
  return none;
}

TEST_F(Synth, HierStaMatchesFlatOnARegisteredChain) {
  // Three instances of a leaf whose inputs go through logic into registers and whose outputs are
  // registers, chained through logic in the top: every boundary path crosses a model.
  const fs::path f = tmp_ / "chain.v";
  std::ofstream(f)
      << R"(module leaf(input clk_i, input rst_ni, input [7:0] a_i, input [7:0] b_i, output reg [7:0] q_o);
  reg [7:0] s_q;
  always @(posedge clk_i or negedge rst_ni)
    if (!rst_ni) begin s_q <= 8'd0; q_o <= 8'd0; end else begin s_q <= a_i ^ b_i; q_o <= a_i * b_i + s_q * s_q; end
endmodule
module chain(input clk_i, input rst_ni, input [7:0] a_i, input [7:0] b_i, output reg [7:0] q_o);
  wire [7:0] q0, q1, q2;
  leaf u0(.clk_i(clk_i), .rst_ni(rst_ni), .a_i(a_i), .b_i(b_i), .q_o(q0));
  leaf u1(.clk_i(clk_i), .rst_ni(rst_ni), .a_i(q0 + b_i), .b_i(q0), .q_o(q1));
  leaf u2(.clk_i(clk_i), .rst_ni(rst_ni), .a_i(q1 ^ q0), .b_i(q1 - a_i), .q_o(q2));
  always @(posedge clk_i or negedge rst_ni) if (!rst_ni) q_o <= 8'd0; else q_o <= q2 + q1;
endmodule
)";
  DesignDir d;
  d.dir = tmp_.string();
  d.block = "handwritten";
  d.top = "chain";
  d.files = {f.string()};
  StdCellOptions flat = options("flat");
  flat.sta_mode = "flat";
  StdCellOptions hier = options("hier");
  hier.sta_mode = "hier";
  const StdCellResult fr = stdcell_ppa(d, flat), hr = stdcell_ppa(d, hier);
  expect_hier_matches_flat(fr, hr, 0.02);
  const nlohmann::json& leaf = hier_module(hr, "leaf");
  EXPECT_TRUE(leaf.at("abstracted"));
  EXPECT_EQ(leaf.at("instances"), 3);
  const std::string model = slurp(leaf.at("model").get<std::string>());
  EXPECT_NE(model.find("timing_type : setup_rising"), std::string::npos);
  EXPECT_NE(model.find("timing_type : rising_edge"), std::string::npos);
  // The leaf's own worst path (s_q * s_q into q_o) is a candidate for the critical path.
  EXPECT_GT(leaf.at("internal_path_ns").get<double>(), 0);
  EXPECT_GE(hr.critical_path_ns, leaf.at("internal_path_ns").get<double>());
}

TEST_F(Synth, HierStaMatchesFlatOnASmallPlanaria) {
  const DesignDir d = generate("planaria", {"sub_rows=2", "sub_cols=2", "subarrays=2", "pods=1"});
  StdCellOptions flat = options("flat");
  flat.sta_mode = "flat";
  StdCellOptions hier = options("hier");
  hier.sta_mode = "hier";
  const StdCellResult fr = stdcell_ppa(d, flat), hr = stdcell_ppa(d, hier);
  expect_hier_matches_flat(fr, hr, 0.03);
  const std::string top = d.top;
  const nlohmann::json& pe = hier_module(hr, top + "_pe");
  EXPECT_TRUE(pe.at("abstracted"));
  EXPECT_EQ(pe.at("instances"), 2 * 2 * 2);
  // The subarray's edge multiplexers (psum_dir_i selects which PE row leaves) are combinational
  // input-to-output paths: it stays a netlist in the top's run, with PE models inside.
  const nlohmann::json& sub = hier_module(hr, top + "_subarray");
  EXPECT_FALSE(sub.at("abstracted"));
  EXPECT_NE(sub.at("reason").get<std::string>().find("combinational path"), std::string::npos);
}

TEST_F(Synth, UnknownStaModeIsAUserError) {
  const DesignDir d = generate("systolic", {"rows=1", "cols=1", "in_bits=4", "acc_bits=8"});
  StdCellOptions o = options("bad");
  o.sta_mode = "deep";
  EXPECT_THROW(stdcell_ppa(d, o), UserError);
}

// OpenSTA 2019-11 crashed in report_power's activity propagation on the 4x4 NoC, whose routers'
// coordinate pins are tied to constants; the flow drives every constant pin from a tie black box.
TEST_F(Synth, NocMeshWithConstantPinsGetsPower) {
  const DesignDir d = generate("noc", {"rows=4", "cols=4"});
  StdCellOptions o = options("noc");
  o.default_activity = 0.1;
  const StdCellResult r = stdcell_ppa(d, o);
  EXPECT_FALSE(std::regex_search(slurp(r.netlist), std::regex(R"(\b\d+'[hbd][0-9a-fA-F]+)")))
      << "a constant literal is left in the netlist";
  EXPECT_GT(r.logic_dynamic_pj_per_cycle, 0);
  EXPECT_GT(r.power_mw, r.logic_leakage_mw);
}

TEST(SramModel, HandComputedPoints) {
  // 8 KiB, 64-bit words, 1R1W: Horowitz's 10 pJ per 64-bit access at 45 nm, x16 to 0.18 um/1.8 V.
  SramEstimate a = estimate_sram({1024, 64, 1, 1, true});
  EXPECT_NEAR(a.read_pj, 160.0, 1e-9);
  EXPECT_NEAR(a.write_pj, 160.0, 1e-9);
  EXPECT_NEAR(a.area_um2, 65536 * 4.65 / 0.5, 1e-6);
  EXPECT_NEAR(a.access_ns, 0.09 * (16 + 1.5 * 3), 1e-12);
  // 32 KiB, 32-bit words, 2 read ports: two replicas; 20 pJ / 64 bits x 16 per bit.
  SramEstimate b = estimate_sram({8192, 32, 2, 1, true});
  EXPECT_EQ(b.replicas, 2);
  EXPECT_NEAR(b.read_pj, 32 * 20.0 / 64 * 16, 1e-9);
  EXPECT_NEAR(b.write_pj, 2 * 32 * 20.0 / 64 * 16, 1e-9);
  EXPECT_NEAR(b.area_um2, 2 * 262144 * 4.65 / 0.5, 1e-6);
  EXPECT_NEAR(b.access_ns, 0.09 * (16 + 1.5 * 5), 1e-12);
  // 20 KiB lies halfway between the 8 and 32 KiB points: (10 + 20) / 2 pJ per 64 bits.
  EXPECT_NEAR(estimate_sram({2560, 64, 1, 1, true}).read_pj, 15.0 * 16, 1e-9);
}

TEST(BufferTree, BoundFromTheDelayTableAndTreesCountedByHand) {
  // A hand-made library whose buffer delay is exactly d(C) = 0.1 ns + 0.5 ns/pF * C (the same at
  // every input transition) and whose input pins are 0.01 pF. Per tree level of fan-out F the delay
  // is 0.1 + 0.005 F over ln F levels per e-fold of loads: F = 12: 0.16 / ln 12 = 0.064388,
  // F = 13: 0.165 / ln 13 = 0.064328, F = 14: 0.17 / ln 14 = 0.064417, so F = 13 (bound 0.13 pF).
  const fs::path dir = fs::temp_directory_path() / ("accelgen_buftree_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path lib = dir / "t.lib";
  std::ofstream(lib) << R"(library (t) {
  lu_table_template (d2) { variable_1 : total_output_net_capacitance; variable_2 : input_net_transition;
    index_1 ("1, 2"); index_2 ("1, 2"); }
  cell (BUF) { area : 2;
    pin (A) { direction : input; capacitance : 0.01; }
    pin (Y) { direction : output; capacitance : 0; function : "A";
      timing () { related_pin : "A";
        cell_rise (d2) { index_1 ("0.0, 0.2"); index_2 ("0.1, 0.3"); values ("0.1, 0.1", "0.2, 0.2"); }
        cell_fall (d2) { index_1 ("0.0, 0.2"); index_2 ("0.1, 0.3"); values ("0.1, 0.1", "0.2, 0.2"); } } } }
  cell (INV) { area : 1;
    pin (A) { direction : input; capacitance : 0.01; }
    pin (Y) { direction : output; function : "!A"; } }
  cell (DFF) { area : 4; ff (IQ, IQN) { clocked_on : "C"; next_state : "D"; }
    pin (C) { direction : input; capacitance : 0.01; clock : true; }
    pin (D) { direction : input; capacitance : 0.01; }
    pin (Q) { direction : output; function : "IQ"; } }
}
)";
  BufferTreeOptions o;
  o.buffer_cell = "BUF";
  const BufferTreeResult p = buffer_tree_parameters(lib.string(), o);
  EXPECT_NEAR(p.delay_intercept_ns, 0.1, 1e-12);
  EXPECT_NEAR(p.delay_slope_ns_per_pf, 0.5, 1e-12);
  EXPECT_EQ(p.max_fanout, 13);
  EXPECT_NEAR(p.max_load_pf, 0.13, 1e-12);

  // leaf: input a drives 40 inverters (0.40 pF), clk drives 40 flip-flop clock pins.
  // top: input p drives a of 20 leaf instances, clk their clocks.
  nlohmann::json leaf = {{"ports", {{"a", {{"direction", "input"}, {"bits", {2}}}}, {"clk", {{"direction", "input"}, {"bits", {3}}}}}},
                         {"cells", nlohmann::json::object()},
                         {"netnames", nlohmann::json::object()}};
  for (int k = 0; k < 40; ++k) {
    leaf["cells"][fmt::format("i{:02}", k)] = {{"type", "INV"}, {"connections", {{"A", {2}}, {"Y", {100 + k}}}}};
    leaf["cells"][fmt::format("f{:02}", k)] = {{"type", "DFF"}, {"connections", {{"C", {3}}, {"D", {100 + k}}, {"Q", {200 + k}}}}};
  }
  nlohmann::json top = {{"ports", {{"p", {{"direction", "input"}, {"bits", {2}}}}, {"clk", {{"direction", "input"}, {"bits", {3}}}}}},
                        {"cells", nlohmann::json::object()},
                        {"netnames", nlohmann::json::object()}};
  for (int k = 0; k < 20; ++k)
    top["cells"][fmt::format("u{:02}", k)] = {{"type", "leaf"},
                                              {"port_directions", {{"a", "input"}, {"clk", "input"}}},
                                              {"connections", {{"a", {2}}, {"clk", {3}}}}};
  nlohmann::json design = {{"modules", {{"leaf", leaf}, {"top", top}}}};
  const BufferTreeResult r = insert_buffer_trees(design, lib.string(), o);
  // leaf: 0.40 pF > 0.13 -> ceil(0.40 / 0.13) = 4 groups of 0.10 pF: 4 buffers of 10 inverters each,
  // the port then loads 4 buffer inputs = 0.04 pF. The clock net (0.40 pF) stays as it is.
  // top: 20 instances x 0.04 = 0.80 pF -> 7 groups, target 0.80 / 7 = 0.114: groups close at
  // 0.12 pF (3 instances), so 3,3,3,3,3,3,2; the root then drives 7 buffers = 0.07 pF.
  EXPECT_EQ(r.module_buffers.at("leaf"), 4);
  EXPECT_EQ(r.module_buffers.at("top"), 7);
  EXPECT_EQ(r.buffers_one_instance_each, 11);
  std::map<int64_t, int> inverters_per_net, instances_per_net, buffers_on_root;
  int clock_pins_on_clk = 0;
  for (const auto& [name, cell] : design["modules"]["leaf"]["cells"].items()) {
    if (cell["type"] == "INV") ++inverters_per_net[cell["connections"]["A"][0].get<int64_t>()];
    if (cell["type"] == "DFF" && cell["connections"]["C"][0] == 3) ++clock_pins_on_clk;
    if (cell["type"] == "BUF" && cell["connections"]["A"][0] == 2) ++buffers_on_root[0];
  }
  EXPECT_EQ(clock_pins_on_clk, 40);
  EXPECT_EQ(buffers_on_root[0], 4);
  ASSERT_EQ(inverters_per_net.size(), 4u);
  for (const auto& [net, n] : inverters_per_net) EXPECT_EQ(n, 10) << net;
  for (const auto& [name, cell] : design["modules"]["top"]["cells"].items()) {
    if (cell["type"] == "leaf") {
      ++instances_per_net[cell["connections"]["a"][0].get<int64_t>()];
      EXPECT_EQ(cell["connections"]["clk"][0], 3);
    }
    if (cell["type"] == "BUF") {
      EXPECT_EQ(cell["connections"]["A"][0], 2);
    }
  }
  std::multiset<int> sizes;
  for (const auto& [net, n] : instances_per_net) sizes.insert(n);
  EXPECT_EQ(sizes, (std::multiset<int>{2, 3, 3, 3, 3, 3, 3}));
  fs::remove_all(dir);
}

TEST(SynthTools, MissingLibraryOrStaIsAUserErrorNamingThePackage) {
  try {
    resolve_liberty("/nonexistent/osu018_stdcells.lib");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("qflow-tech-osu018"), std::string::npos) << e.what();
  }
  try {
    resolve_sta("/nonexistent/sta");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("opensta"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accelgen
