#include "generator/formal/prove.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "common/bihiwe_params.hpp"
#include "common/bits.hpp"
#include "common/cvu_params.hpp"
#include "common/error.hpp"
#include "common/leopard_params.hpp"
#include "common/noc_params.hpp"
#include "common/process.hpp"
#include "generator/design.hpp"
#include "generator/eda/eda.hpp"
#include "generator/formal/cvu_bw.hpp"
#include "generator/formal/mutations.hpp"

namespace accelgen::formal {

namespace fs = std::filesystem;

namespace {

// One Yosys `sat` call of a proof plan.
struct SatRun {
  std::string name;
  int steps = 1;
  bool reset_first = true;  // rst_ni low in step 1 and high after; otherwise high in every step
  int skip = 1;             // steps whose assertions are not checked (-prove-skip)
  std::string extra;        // more sat options (e.g. -set of a mode input for every step)
};

// One ABC combinational equivalence check (`&cec`, SAT sweeping) of the DUT unrolled for FRAMES
// cycles from an arbitrary state (rst_ni high): the flip-flops are cut into inputs (state of frame
// 1) and outputs (next state), FRAMES copies are chained, and CHECK (Verilog inside the unrolled
// module, over f<k>_<input> and o<k>_<output>) drives `bad`. A counterexample is re-found by the
// Yosys SAT run FALLBACK (same claim, plain reference) to write its waveform.
struct AbcRun {
  std::string name;
  int frames = 1;
  std::vector<std::pair<std::string, std::string>> frame1_constants;  // input, Verilog constant
  std::string modules;  // reference modules CHECK instantiates
  std::string check;
  SatRun fallback;
};

// A fact the proof rests on that is checked by enumeration (no solver): name, holds, cases.
struct Lemma {
  std::string name;
  bool holds = false;
  int64_t cases = 0;
  double seconds = 0;
};

// What a block's checker contributes: the miter source (reference + top) and the SAT calls.
struct Plan {
  std::string property;
  std::string method;
  bool bounded = false;
  int depth = 0;
  std::string miter;  // Verilog: reference modules and module accelgen_prove_top
  std::vector<SatRun> runs;
  std::vector<Lemma> lemmas;
  std::vector<AbcRun> abc_runs;  // after RUNS
};

constexpr const char* kTop = "accelgen_prove_top";

const TopPort& port(const GeneratedDesign& d, const std::string& name) {
  for (const auto& p : d.ports)
    if (p.name == name) return p;
  throw UserError(
      fmt::format("the emitted {} top '{}' has no port '{}' (the specification's interface)",
                  d.block, d.top, name));
}

std::string range(int width) { return width == 1 ? "" : fmt::format("[{}:0] ", width - 1); }

// The miter's inputs are the DUT's inputs, one for one; its DUT instance connects every input
// straight through and every output to a wire dut_<name>.
std::string miter_header(const GeneratedDesign& d) {
  std::string s = fmt::format("module {} (\n", kTop);
  std::vector<std::string> ins;
  for (const auto& p : d.ports)
    if (p.input) ins.push_back(fmt::format("  input logic {}{}", range(p.width), p.name));
  s += fmt::format("{}\n);\n", fmt::join(ins, ",\n"));
  for (const auto& p : d.ports)
    if (!p.input) s += fmt::format("  logic {}dut_{};\n", range(p.width), p.name);
  std::vector<std::string> conns;
  for (const auto& p : d.ports)
    conns.push_back(fmt::format("    .{}({}{})", p.name, p.input ? "" : "dut_", p.name));
  s += fmt::format("  {} u_dut (\n{}\n  );\n", d.top, fmt::join(conns, ",\n"));
  return s;
}

// Sign- or zero-extension of a slice to WIDTH bits, as plain concatenation.
std::string ext(const std::string& vec, int lo, int bits, int width, bool is_signed) {
  const std::string slice =
      bits == 1 ? fmt::format("{}[{}]", vec, lo) : fmt::format("{}[{}:{}]", vec, lo + bits - 1, lo);
  if (width == bits) return slice;
  const std::string fill = is_signed ? fmt::format("{}[{}]", vec, lo + bits - 1) : "1'b0";
  return fmt::format("{{{{{}{{{}}}}}, {}}}", width - bits, fill, slice);
}

// ---------------------------------------------------------------------------------------------
// cvu: out_o = plain dot product of the G*L elements of the mode, 3 cycles after in_valid_i.
Plan plan_cvu(const GeneratedDesign& d, const ParamSet& params) {
  const CvuParams p = CvuParams::from(params);
  const int MB = port(d, "mode_x_i").width, BUS = port(d, "x_i").width, RB = port(d, "out_o").width;
  port(d, "mode_w_i"), port(d, "w_i"), port(d, "in_valid_i"), port(d, "out_valid_o");
  if (BUS != p.lanes * p.max_bits * p.max_bits / p.slice_bits)
    throw UserError(fmt::format("cvu: x_i is {} bits, the specification says L*B^2/b = {}", BUS,
                                p.lanes * p.max_bits * p.max_bits / p.slice_bits));
  if (p.max_bits > 8)
    throw UserError(fmt::format(
        "prove cvu: max_bits={} is too wide; the lemma enumerates all 2^(2*max_bits) operand "
        "pairs of the widest mode (max_bits <= 8)",
        p.max_bits));
  const int levels = p.levels();
  // Exact width of any mode's result: the largest |x|*|w| times the element count, plus sign.
  int64_t largest = 0;
  for (int i = 0; i < levels; ++i)
    for (int j = 0; j < levels; ++j) {
      const int bx = p.slice_bits << i, bw = p.slice_bits << j;
      const int64_t n = int64_t{p.max_bits} * p.max_bits / (bx * bw) * p.lanes;
      largest = std::max(largest, n << (bx + bw));  // |x|,|w| <= 2^bx, 2^bw bounds both encodings
    }
  const int W = std::max(RB, static_cast<int>(std::bit_width(static_cast<uint64_t>(largest))) + 1);
  const bool sg = p.is_signed;

  std::string ref = fmt::format(
      "// Plain {} dot product of one operation, for every legal mode (bx, bw) = (b*2^i, b*2^j):\n"
      "// element e of x is x_i[e*bx +: bx], of w is w_i[e*bw +: bw], e < G*L, G = B*B/(bx*bw).\n"
      "// Illegal mode encodings give 0. Written from golden_model/README.md, not from the "
      "generator.\n"
      "module accelgen_ref_cvu_dot (\n  input logic [{}:0] mode_x_i,\n  input logic [{}:0] "
      "mode_w_i,\n"
      "  input logic [{}:0] x_i,\n  input logic [{}:0] w_i,\n  output logic [{}:0] dot_o\n);\n",
      sg ? "signed" : "unsigned", MB - 1, MB - 1, BUS - 1, BUS - 1, W - 1);
  std::string cases;
  for (int i = 0; i < levels; ++i)
    for (int j = 0; j < levels; ++j) {
      const int bx = p.slice_bits << i, bw = p.slice_bits << j;
      const int n = p.max_bits * p.max_bits / (bx * bw) * p.lanes;
      const int PW = bx + bw + (sg ? 0 : 1);  // the exact product's signed width
      std::vector<std::string> terms;
      for (int e = 0; e < n; ++e) {
        const std::string prod = fmt::format("p_{}_{}_{}", i, j, e);
        ref += fmt::format("  wire signed [{}:0] {} = $signed({}) * $signed({});\n", PW - 1, prod,
                           ext("x_i", e * bx, bx, bx + (sg ? 0 : 1), false),
                           ext("w_i", e * bw, bw, bw + (sg ? 0 : 1), false));
        terms.push_back(fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", W - PW, prod, PW - 1, prod));
      }
      ref += fmt::format("  wire [{}:0] dot_{}_{} = {};\n", W - 1, i, j,
                         fmt::join(terms, "\n      + "));
      cases += fmt::format("      {{{}'d{}, {}'d{}}}: dot_o = dot_{}_{};\n", MB, i, MB, j, i, j);
    }
  ref += fmt::format(
      "  always_comb begin\n    case ({{mode_x_i, mode_w_i}})\n{}      default: dot_o = '0;\n"
      "    endcase\n  end\nendmodule\n\n",
      cases);

  std::string top = miter_header(d);
  top += fmt::format(
      "  logic [{0}:0] dot;\n"
      "  accelgen_ref_cvu_dot u_ref (.mode_x_i(mode_x_i), .mode_w_i(mode_w_i), .x_i(x_i), "
      ".w_i(w_i), .dot_o(dot));\n"
      "  // The specification's latency: in_valid_i in cycle t, out_valid_o in cycle t + 3.\n"
      "  logic v1_q, v2_q, v3_q;\n  logic [{0}:0] d1_q, d2_q, d3_q;\n"
      "  always_ff @(posedge clk_i) begin\n"
      "    if (!rst_ni) begin v1_q <= 1'b0; v2_q <= 1'b0; v3_q <= 1'b0; end\n"
      "    else begin v1_q <= in_valid_i; v2_q <= v1_q; v3_q <= v2_q; end\n"
      "    d1_q <= dot; d2_q <= d1_q; d3_q <= d2_q;\n"
      "  end\n"
      "  always_comb begin\n"
      "    if (rst_ni) begin\n"
      "      assert (dut_out_valid_o == v3_q);\n"
      "      if (v3_q) assert (dut_out_o == d3_q[{1}:0]);\n"
      "      if (v3_q) assert (d3_q == {{{{{2}{{d3_q[{1}]}}}}, d3_q[{1}:0]}});  // fits "
      "result_bits\n"
      "    end\n"
      "  end\nendmodule\n",
      W - 1, RB - 1, W - RB);
  if (W == RB) {  // no bits beyond result_bits: the fit check is void
    const std::string fit = fmt::format(
        "      if (v3_q) assert (d3_q == {{{{{}{{d3_q[{}]}}}}, d3_q[{}:0]}});  // fits "
        "result_bits\n",
        0, RB - 1, RB - 1);
    auto pos = top.find(fit);
    if (pos != std::string::npos) top.erase(pos, fit.size());
  }

  Plan plan;
  plan.property = fmt::format(
      "cvu: for every (bx, bw) mode, out_o equals the plain {} dot product of the mode's G*L "
      "elements "
      "(which fits result_bits), with out_valid_o exactly 3 cycles after in_valid_i; illegal modes "
      "give 0",
      sg ? "signed" : "unsigned");
  plan.method =
      "unbounded: Yosys SAT, steps 2..4 from reset; and per mode of the operation started in step "
      "1, ABC's &cec on the DUT unrolled for 4 cycles from an arbitrary state (later steps' modes "
      "are free, so mode changes every cycle are covered) against the specification's "
      "Baugh-Wooley form (golden_model/README.md: per NBVE the unsigned sum of its partial-product "
      "bits, negative-weight bits inverted, shifted by b(j+k), plus one correction constant), "
      "whose equality with the plain dot product is the Baugh-Wooley lemma, checked exhaustively "
      "per element on the form's own bit list; the arbitrary-state step 4 stands for every cycle "
      ">= 4 of every run";
  plan.miter = ref + top;
  plan.runs = {{"from reset", 4, true, 1, ""}};
  // One Baugh-Wooley form per legal mode; its lemma (checked on the form's bit list) ties the
  // reference ABC compares the DUT against to the plain dot product.
  std::map<std::pair<int, int>, BwForm> forms;
  for (int i = 0; i < levels; ++i)
    for (int j = 0; j < levels; ++j) {
      forms[{i, j}] = cvu_bw_form(p, i, j, W);
      const auto t0 = std::chrono::steady_clock::now();
      const BwLemma lemma = cvu_bw_lemma(forms[{i, j}], sg, W);
      plan.lemmas.push_back(
          {fmt::format("Baugh-Wooley lemma {}x{}", p.slice_bits << i, p.slice_bits << j),
           lemma.holds, lemma.cases,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
    }
  const int encodings = 1 << MB;
  for (int i = 0; i < encodings; ++i)
    for (int j = 0; j < encodings; ++j) {
      const bool legal = i < levels && j < levels;
      const std::string name = legal
                                   ? fmt::format("mode {}x{}", p.slice_bits << i, p.slice_bits << j)
                                   : fmt::format("illegal mode {},{}", i, j);
      AbcRun run;
      run.name = name;
      run.frames = 4;
      run.frame1_constants = {{"mode_x_i", fmt::format("{}'d{}", MB, i)},
                              {"mode_w_i", fmt::format("{}'d{}", MB, j)}};
      run.modules = cvu_bw_reference(legal ? &forms.at({i, j}) : nullptr, BUS, W);
      run.check = fmt::format(
          "  logic [{0}:0] sdot;\n"
          "  accelgen_ref_cvu_bw u_ref (.x_i(f1_x_i), .w_i(f1_w_i), .dot_o(sdot));\n"
          "  assign bad = o4_out_valid_o != f1_in_valid_i || (f1_in_valid_i && (o4_out_o != "
          "sdot[{1}:0]{2}));\n",
          W - 1, RB - 1,
          W == RB ? ""
                  : fmt::format(" || sdot != {{{{{}{{sdot[{}]}}}}, sdot[{}:0]}}", W - RB, RB - 1,
                                RB - 1));
      run.fallback = {name, 4, false, 3,
                      fmt::format("-set-at 1 mode_x_i {} -set-at 1 mode_w_i {}", i, j)};
      plan.abc_runs.push_back(run);
    }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// bihiwe: out_o = Σ x_i·w_i of the beats since the previous in_last_i (mod 2^32), 3 cycles after
// it.
Plan plan_bihiwe(const GeneratedDesign& d, const ParamSet& params, int depth) {
  const BihiweParams p = BihiweParams::from(params);
  if (p.adc_bits != 0)
    throw UserError(
        "prove bihiwe: the plain-MAC property holds for exact conversions only (set adc_bits=0)");
  const int B = p.max_bits, n = p.lanes, OW = port(d, "out_o").width;
  if (port(d, "x_i").width != n * B)
    throw UserError("prove bihiwe: x_i is not lanes*max_bits wide");
  port(d, "w_i"), port(d, "in_valid_i"), port(d, "in_last_i"), port(d, "out_valid_o");
  std::string top = miter_header(d);
  top +=
      "  // Plain MAC of the same beats: products of the two's-complement elements, summed mod "
      "2^32.\n";
  std::vector<std::string> terms;
  for (int l = 0; l < n; ++l) {
    top +=
        fmt::format("  wire signed [{}:0] prod_{} = $signed(x_i[{}:{}]) * $signed(w_i[{}:{}]);\n",
                    2 * B - 1, l, l * B + B - 1, l * B, l * B + B - 1, l * B);
    terms.push_back(fmt::format("{{{{{}{{prod_{}[{}]}}}}, prod_{}}}", OW - 2 * B, l, 2 * B - 1, l));
  }
  top += fmt::format(
      "  logic [{0}:0] acc_q;\n"
      "  wire [{0}:0] sum = acc_q + {1};\n"
      "  logic e1_q, e2_q, e3_q;\n  logic [{0}:0] s1_q, s2_q, s3_q;\n"
      "  always_ff @(posedge clk_i) begin\n"
      "    if (!rst_ni) begin acc_q <= '0; e1_q <= 1'b0; e2_q <= 1'b0; e3_q <= 1'b0; end\n"
      "    else begin\n"
      "      if (in_valid_i) acc_q <= in_last_i ? '0 : sum;\n"
      "      e1_q <= in_valid_i && in_last_i; e2_q <= e1_q; e3_q <= e2_q;\n"
      "    end\n"
      "    s1_q <= sum; s2_q <= s1_q; s3_q <= s2_q;\n"
      "  end\n"
      "  always_comb begin\n"
      "    if (rst_ni) begin\n"
      "      assert (dut_out_valid_o == e3_q);\n"
      "      if (e3_q) assert (dut_out_o == s3_q);\n"
      "    end\n"
      "  end\nendmodule\n",
      OW - 1, fmt::join(terms, "\n      + "));
  Plan plan;
  plan.bounded = true;
  plan.depth = depth > 0 ? depth : 2 * p.acc_cycles + 6;
  plan.property = fmt::format(
      "bihiwe: the (B/2)^2 sign-magnitude partition accumulators, converted and shift-added, equal "
      "the plain MAC: "
      "out_o = sum of x*w over the beats since the previous in_last_i (mod 2^32), out_valid_o "
      "exactly 3 cycles "
      "after the last beat; every beat pattern, batch boundary and operand for {} cycles after "
      "reset",
      plan.depth - 1);
  plan.method = fmt::format(
      "bounded: {} steps from reset (vectors of up to {} beats, i.e. {} batches of m = {})",
      plan.depth, plan.depth - 4, (plan.depth - 4 + p.acc_cycles - 1) / p.acc_cycles, p.acc_cycles);
  plan.miter = top;
  plan.runs = {{"from reset", plan.depth, true, 1, ""}};
  return plan;
}

// ---------------------------------------------------------------------------------------------
// leopard_qk: a pruned key's exact score q.k is below the threshold; a kept one is >= it and its
// 24-bit score is the exact score mapped as specified.
Plan plan_leopard_qk(const GeneratedDesign& d, const ParamSet& params, int depth) {
  const LeopardQkParams p = LeopardQkParams::from(params);
  const int D = p.taps, QW = p.q_bits, KW = p.k_bits, B = p.bits_per_cycle, C = p.cycles_per_key(),
            N = p.n_dpu;
  const int KP = p.keys_per_dpu();
  const int NW = port(d, "kw_bank_i").width, IW = port(d, "kw_key_i").width,
            CW = port(d, "kw_plane_i").width;
  const int TW = port(d, "q_th_i").width;  // SW + 1
  const int SW = TW - 1;
  if (port(d, "kw_data_i").width != D * B || port(d, "q_data_i").width != D * QW)
    throw UserError("prove leopard_qk: kw_data_i / q_data_i widths differ from the specification");
  const int OIW = port(d, "idx_o").width / N;
  port(d, "done_o"), port(d, "pruned_o"), port(d, "score_o"), port(d, "q_ready_o"),
      port(d, "kw_valid_i");
  // Exact score width of the reference: |q.k| <= D * 2^(QW-1) * 2^(KW-1).
  const int EW = QW + KW + clog2(D) + 1;
  const int XW = std::max(EW, TW) + 1;  // comparison width
  const int shift = std::max(0, SW - LeopardQkParams::kFifoScoreBits);

  std::string top = miter_header(d);
  top += "  // Shadow key buffer: every word written through kw_*, and whether it was.\n";
  top += fmt::format("  logic [{}:0] q_q;\n  logic [{}:0] th_q;\n", D * QW - 1, TW - 1);
  top +=
      "  wire kw_fire = kw_valid_i && dut_q_ready_o;\n  wire q_fire = q_valid_i && "
      "dut_q_ready_o;\n";
  top +=
      "  always_comb assume (!kw_valid_i || dut_q_ready_o);  // the interface rule: writes only "
      "between Q vectors\n";
  std::string ff =
      "  always_ff @(posedge clk_i) begin\n    if (q_fire) begin q_q <= q_data_i; th_q <= q_th_i; "
      "end\n";
  std::string rst = "", upd = "";
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < KP; ++k) {
      if (k >= p.keys_of_dpu(n)) continue;
      for (int c = 0; c < C; ++c) {
        const std::string w = fmt::format("kb_{}_{}_{}", n, k, c);
        top += fmt::format("  logic [{}:0] {}_q;\n  logic {}_wr_q;\n", D * B - 1, w, w);
        upd += fmt::format(
            "    if (kw_fire && kw_bank_i == {}'d{} && kw_key_i == {}'d{} && kw_plane_i == {}'d{}) "
            "begin {}_q <= kw_data_i; "
            "{}_wr_q <= 1'b1; end\n",
            NW, n, IW, k, CW, c, w, w);
        rst += fmt::format("      {}_wr_q <= 1'b0;\n", w);
      }
    }
  ff += fmt::format("    if (!rst_ni) begin\n{}    end else begin\n{}    end\n  end\n", rst, upd);
  top += ff;
  // The exact score of local key k of bank n: words of tap t reassembled MSB chunk first.
  auto tap_word = [&](int n, int k, int t) {
    std::vector<std::string> chunks;
    for (int c = 0; c < C; ++c)
      chunks.push_back(fmt::format("kb_{}_{}_{}_q[{}:{}]", n, k, c, t * B + B - 1, t * B));
    return fmt::format("{{{}}}", fmt::join(chunks, ", "));
  };
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < p.keys_of_dpu(n); ++k) {
      std::vector<std::string> terms, wr;
      for (int c = 0; c < C; ++c) wr.push_back(fmt::format("kb_{}_{}_{}_wr_q", n, k, c));
      for (int t = 0; t < D; ++t) {
        const std::string kw = fmt::format("k_{}_{}_{}", n, k, t);
        top += fmt::format("  wire [{}:0] {}_raw = {};\n", KW - 1, kw, tap_word(n, k, t));
        if (p.signmag)  // [s | magnitude]: (-1)^s * m, "-0" = 0
          top += fmt::format(
              "  wire signed [{0}:0] {1} = {1}_raw[{2}] ? -$signed({{1'b0, {1}_raw[{3}:0]}}) : "
              "$signed({{1'b0, {1}_raw[{3}:0]}});\n",
              KW - 1, kw, KW - 1, KW - 2);
        else
          top += fmt::format("  wire signed [{}:0] {} = $signed({}_raw);\n", KW - 1, kw, kw);
        top += fmt::format("  wire signed [{}:0] pr_{}_{}_{} = $signed(q_q[{}:{}]) * {};\n",
                           QW + KW - 1, n, k, t, t * QW + QW - 1, t * QW, kw);
        terms.push_back(fmt::format("{{{{{}{{pr_{}_{}_{}[{}]}}}}, pr_{}_{}_{}}}", XW - QW - KW, n,
                                    k, t, QW + KW - 1, n, k, t));
      }
      top += fmt::format("  wire signed [{}:0] score_{}_{} = {};\n", XW - 1, n, k,
                         fmt::join(terms, " + "));
      top += fmt::format("  wire written_{}_{} = {};\n", n, k, fmt::join(wr, " && "));
    }
  top += fmt::format("  wire signed [{}:0] th_x = {{{{{}{{th_q[{}]}}}}, th_q}};\n", XW - 1, XW - TW,
                     TW - 1);
  top += "  always_comb begin\n    if (rst_ni) begin\n";
  for (int n = 0; n < N; ++n) {
    const std::string idx = OIW == 1 ? fmt::format("dut_idx_o[{}]", n)
                                     : fmt::format("dut_idx_o[{}:{}]", n * OIW + OIW - 1, n * OIW);
    top += fmt::format(
        "      if (dut_done_o[{0}]) begin\n        assert ({{1'b0, {1}}} < {2}'d{3});  // a key of "
        "this unit\n",
        n, idx, OIW + 1, p.keys_of_dpu(n));
    for (int k = 0; k < p.keys_of_dpu(n); ++k) {
      const std::string s = fmt::format("score_{}_{}", n, k);
      top += fmt::format(
          "        if ({0} == {1}'d{2} && written_{3}_{2}) begin\n"
          "          if (dut_pruned_o[{3}]) assert ($signed({4}) < $signed(th_x));  // sound "
          "margin\n"
          "          else begin\n"
          "            assert ($signed({4}) >= $signed(th_x));  // pruned whenever below: exact "
          "decisions\n"
          "            assert (dut_score_o[{5}:{6}] == {7}'({4} >>> {8}));  // 24-bit score\n"
          "          end\n"
          "        end\n",
          idx, OIW, k, n, s, n * 24 + 23, n * 24, 24, shift);
    }
    top += "      end\n";
  }
  top += "    end\n  end\nendmodule\n";

  Plan plan;
  plan.bounded = true;
  // Reset, every key word written once, one Q vector, every key of the busiest unit, slack.
  plan.depth = depth > 0 ? depth : 1 + p.seq_len * C + 1 + KP * C;
  plan.property = fmt::format(
      "leopard_qk ({} K): every key a unit finishes with pruned_o has exact score q.k < Th (the "
      "margin is sound), "
      "every key it keeps has q.k >= Th and score_o = q.k >>> {} (exact decisions); all Q, K, Th, "
      "write orders "
      "and Q-vector timings for {} cycles after reset",
      p.signmag ? "sign-magnitude" : "two's-complement", shift, plan.depth - 1);
  plan.method = fmt::format(
      "bounded: {} steps from reset (enough to write all {} key words, accept a Q vector and "
      "finish every key)",
      plan.depth, p.seq_len * C);
  plan.miter = top;
  plan.runs = {{"from reset", plan.depth, true, 1, ""}};
  return plan;
}

// ---------------------------------------------------------------------------------------------
// noc: a tracked flit (any source, any payload, any destination, injected at any cycle of the
// injection window) is ejected exactly once, at its destination, with its header and payload.
Plan plan_noc(const GeneratedDesign& d, const ParamSet& params, int depth) {
  const NocParams p = NocParams::from(params);
  const int R = p.rows, Cc = p.cols, nodes = R * Cc, F = p.flit_bits;
  const int IDB = index_bits(nodes), CB = index_bits(Cc), RB = index_bits(R);
  const int IW = F + CB + RB, FW = F + IDB + CB + RB;
  if (port(d, "inj_data_i").width != nodes * IW || port(d, "ej_data_o").width != nodes * FW)
    throw UserError("prove noc: inj_data_i / ej_data_o widths differ from the specification");
  port(d, "inj_valid_i"), port(d, "inj_ready_o"), port(d, "ej_valid_o");
  const int window = 2;  // cycles after reset in which flits may be injected
  const int hops = (R - 1) + (Cc - 1);
  // Default drain: every injected flit through one ejection port, plus the longest path, plus
  // slack.
  const int drain = nodes * window + 2 * hops + 4;
  const int steps = depth > 0 ? depth : 1 + window + drain;
  if (steps < window + 3)
    throw UserError(fmt::format("prove noc: --depth must be at least {}", window + 3));
  const int deadline = steps - 2;  // cycle_q in the last step (0 in the step after reset)

  std::string top = miter_header(d);
  top += fmt::format(
      "  // The tracked flit: source tsrc, payload tpay (symbolic constants chosen by the "
      "solver).\n"
      "  (* anyconst *) logic [{0}:0] tsrc_q;\n  (* anyconst *) logic [{1}:0] tpay_q;\n"
      "  always_comb assume ({{1'b0, tsrc_q}} < {5}'d{2});\n"
      "  logic [7:0] cycle_q;\n  logic [1:0] inj_cnt_q;\n  logic [2:0] ej_cnt_q;\n"
      "  logic [{3}:0] tdc_q;\n  logic [{4}:0] tdr_q;\n",
      IDB - 1, F - 1, nodes, CB - 1, RB - 1, IDB + 1);
  std::string inj = "", ej = "", dst_ok = "";
  for (int n = 0; n < nodes; ++n) {
    const int base = n * IW;
    top += fmt::format("  wire inj_{0} = inj_valid_i[{0}] && dut_inj_ready_o[{0}];\n", n);
    top += fmt::format(
        "  wire trk_inj_{0} = inj_{0} && tsrc_q == {1}'d{0} && inj_data_i[{2}:{3}] == tpay_q;\n", n,
        IDB, base + F - 1, base);
    // Legal destinations only (the interface carries in-range coordinates).
    top += fmt::format(
        "  always_comb if (inj_valid_i[{}]) assume ({{1'b0, inj_data_i[{}:{}]}} < {}'d{} && "
        "{{1'b0, inj_data_i[{}:{}]}} < {}'d{});\n",
        n, base + F + CB - 1, base + F, CB + 1, Cc, base + F + CB + RB - 1, base + F + CB, RB + 1,
        R);
    inj += fmt::format("{}trk_inj_{}", n ? " || " : "", n);
    const int eb = n * FW;
    top += fmt::format(
        "  wire trk_ej_{0} = dut_ej_valid_o[{0}] && dut_ej_data_o[{1}:{2}] == tpay_q && "
        "dut_ej_data_o[{3}:{4}] == tsrc_q;\n",
        n, eb + F - 1, eb, eb + F + IDB - 1, eb + F);
    ej += fmt::format("{}3'(trk_ej_{})", n ? " + " : "", n);
    dst_ok += fmt::format(
        "      if (trk_ej_{0}) begin\n"
        "        assert (tdr_q == {1}'d{2} && tdc_q == {3}'d{4});  // at its destination\n"
        "        assert (dut_ej_data_o[{5}:{6}] == tdc_q && dut_ej_data_o[{7}:{8}] == tdr_q);  // "
        "header intact\n"
        "      end\n",
        n, RB, n / Cc, CB, n % Cc, eb + F + IDB + CB - 1, eb + F + IDB, eb + FW - 1,
        eb + F + IDB + CB);
  }
  std::string tdst_mux = "";
  for (int n = 0; n < nodes; ++n)
    tdst_mux += fmt::format(
        "      if (trk_inj_{}) begin tdc_q <= inj_data_i[{}:{}]; tdr_q <= inj_data_i[{}:{}]; end\n",
        n, n * IW + F + CB - 1, n * IW + F, n * IW + IW - 1, n * IW + F + CB);
  top += fmt::format(
      "  wire trk_inj = {0};\n"
      "  wire [2:0] trk_ej = {1};\n"
      "  always_comb assume (!(trk_inj && inj_cnt_q != 2'd0));  // the tracked flit is injected at "
      "most once\n"
      "  always_comb if (cycle_q >= 8'd{2}) assume (inj_valid_i == '0);  // injection window\n"
      "  always_ff @(posedge clk_i) begin\n"
      "    if (!rst_ni) begin cycle_q <= '0; inj_cnt_q <= '0; ej_cnt_q <= '0; end\n"
      "    else begin\n"
      "      if (cycle_q != 8'hff) cycle_q <= cycle_q + 8'd1;\n"
      "      if (trk_inj) inj_cnt_q <= inj_cnt_q + 2'd1;\n"
      "      ej_cnt_q <= ej_cnt_q + trk_ej;\n"
      "{3}"
      "    end\n"
      "  end\n"
      "  wire [2:0] ej_total = ej_cnt_q + trk_ej;\n"
      "  always_comb begin\n"
      "    if (rst_ni) begin\n"
      "      assert (ej_total <= 3'(inj_cnt_q));  // never duplicated (nor made up)\n"
      "      if (cycle_q >= 8'd{4}) assert (ej_cnt_q == 3'(inj_cnt_q));  // never dropped: "
      "delivered by then\n"
      "{5}"
      "    end\n"
      "  end\nendmodule\n",
      inj, ej, window, tdst_mux, deadline, dst_ok);

  Plan plan;
  plan.bounded = true;
  plan.depth = steps;
  plan.property = fmt::format(
      "noc: every flit injected in the first {} cycles after reset (any sources, payloads, "
      "destinations and "
      "back-pressure) is ejected exactly once, at its destination, with its source, destination "
      "and payload, "
      "within k = {} cycles after reset; no flit is duplicated at any cycle",
      window, deadline);
  plan.method = fmt::format(
      "bounded: {} steps from reset; one tracked flit (symbolic source and payload, unique among "
      "the injected "
      "flits of its source) stands for every flit",
      steps);
  plan.miter = top;
  plan.runs = {{"from reset", steps, true, 1, ""}};
  return plan;
}

Plan plan_for(const GeneratedDesign& d, const ParamSet& params, int depth) {
  if (d.block == "cvu") return plan_cvu(d, params);
  if (d.block == "bihiwe") return plan_bihiwe(d, params, depth);
  if (d.block == "leopard_qk") return plan_leopard_qk(d, params, depth);
  if (d.block == "noc") return plan_noc(d, params, depth);
  throw UserError(fmt::format("no formal property for block '{}' (provable: {})", d.block,
                              fmt::join(provable_blocks(), ", ")));
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw UserError(fmt::format("cannot write '{}'", path.string()));
}

// Verilog of module accelgen_unroll: RUN.frames chained copies of accelgen_comb (PORTS: Yosys JSON
// of its ports) from a free state s1_*, clock 0, rst_ni 1, frame k's inputs f<k>_<name> (frame 1's
// RUN.frame1_constants fixed), outputs o<k>_<name>; RUN.check drives the single output `bad`.
std::string unrolled_miter(const nlohmann::json& ports, const AbcRun& run) {
  struct Port {
    std::string name;
    int width;
  };
  std::vector<Port> inputs, outputs, state;  // state: flip-flop names (without .Q / .D)
  for (const auto& [name, port] : ports.items()) {
    const int width = static_cast<int>(port["bits"].size());
    const bool in = port["direction"] == "input";
    if (name.size() > 2 && name.rfind(".Q") == name.size() - 2)
      state.push_back({name.substr(0, name.size() - 2), width});
    else if (name.find('.') != std::string::npos)
      continue;  // .D (read through the state list) and .CLK
    else if (in && name != "clk_i" && name != "rst_ni")
      inputs.push_back({name, width});
    else if (!in)
      outputs.push_back({name, width});
  }
  auto constant = [&](const std::string& name) -> const std::string* {
    for (const auto& [input, value] : run.frame1_constants)
      if (input == name) return &value;
    return nullptr;
  };
  std::vector<std::string> decl;
  std::string body;
  for (int k = 1; k <= run.frames; ++k)
    for (const auto& in : inputs) {
      if (k == 1 && constant(in.name))
        body += fmt::format("  wire {}f1_{} = {};\n", range(in.width), in.name, *constant(in.name));
      else
        decl.push_back(fmt::format("  input logic {}f{}_{}", range(in.width), k, in.name));
    }
  for (const auto& ff : state)
    decl.push_back(fmt::format("  input logic {}s1_{}", range(ff.width), ff.name));
  decl.push_back("  output logic bad");
  for (int k = 1; k <= run.frames; ++k) {
    std::vector<std::string> conns = {".clk_i(1'b0)", ".rst_ni(1'b1)"};
    for (const auto& in : inputs) conns.push_back(fmt::format(".{0}(f{1}_{0})", in.name, k));
    for (const auto& out : outputs) {
      body += fmt::format("  logic {}o{}_{};\n", range(out.width), k, out.name);
      conns.push_back(fmt::format(".{0}(o{1}_{0})", out.name, k));
    }
    for (const auto& ff : state) {
      if (k < run.frames)
        body += fmt::format("  logic {}s{}_{};\n", range(ff.width), k + 1, ff.name);
      conns.push_back(fmt::format(".\\{0}.Q (s{1}_{0})", ff.name, k));
      if (k < run.frames) conns.push_back(fmt::format(".\\{0}.D (s{1}_{0})", ff.name, k + 1));
    }
    body +=
        fmt::format("  accelgen_comb u_frame{} (\n    {}\n  );\n", k, fmt::join(conns, ",\n    "));
  }
  return fmt::format("{}\nmodule accelgen_unroll (\n{}\n);\n{}{}endmodule\n", run.modules,
                     fmt::join(decl, ",\n"), body, run.check);
}

}  // namespace

const std::vector<std::string>& provable_blocks() {
  static const std::vector<std::string> kBlocks = {"cvu", "bihiwe", "leopard_qk", "noc"};
  return kBlocks;
}

nlohmann::json ProveResult::to_json(const nlohmann::json& params) const {
  nlohmann::json steps_json = nlohmann::json::array();
  for (const auto& s : steps)
    steps_json.push_back({{"name", s.name},
                          {"engine", s.engine},
                          {"steps", s.steps},
                          {"proved", s.proved},
                          {"timed_out", s.timed_out},
                          {"seconds", s.seconds}});
  nlohmann::json j = {
      {"block", block},     {"params", params},        {"property", property},
      {"method", method},   {"bounded", bounded},      {"proved", proved},
      {"seconds", seconds}, {"sat_calls", steps_json}, {"yosys_version", yosys_version}};
  if (bounded) j["depth"] = depth;
  if (!mutation.empty()) j["mutation"] = mutation;
  if (!vcd.empty()) j["vcd"] = vcd;
  return j;
}

ProveResult prove(const BlockInfo& block, const ParamSet& params, const ProveOptions& o) {
  GeneratedDesign design = generate_design(block, params);
  if (!o.mutation.empty()) apply_mutation(design, find_mutation(block.name, o.mutation));
  Plan plan = plan_for(design, params, o.depth);

  // Work directory: the user's (kept) or a temporary one (removed unless a counterexample lands in
  // it).
  const bool keep = !o.work_dir.empty();
  fs::path dir = keep
                     ? fs::path(o.work_dir)
                     : fs::temp_directory_path() /
                           fmt::format("accelgen_prove_{}_{}", ::getpid(),
                                       std::chrono::steady_clock::now().time_since_epoch().count());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(fmt::format("cannot create '{}'", dir.string()));
  std::vector<std::string> files;
  for (const auto& f : design.files) {
    write_text(dir / f.name, f.contents);
    files.push_back((dir / f.name).string());
  }
  write_text(dir / "accelgen_prove_top.sv", plan.miter);
  files.push_back((dir / "accelgen_prove_top.sv").string());

  ProveResult r;
  r.block = block.name;
  r.property = plan.property;
  r.method = plan.method;
  r.bounded = plan.bounded;
  r.depth = plan.depth;
  r.mutation = o.mutation;
  r.yosys_version = yosys_version();
  r.proved = true;
  const fs::path vcd = !o.vcd.empty() ? fs::absolute(o.vcd)
                       : keep         ? dir / "counterexample.vcd"
                              : fs::absolute(fmt::format("{}_counterexample.vcd", block.name));
  auto read_log = [](const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto yosys_failure = [&](const fs::path& ys, const ProcessResult& pr, const std::string& text) {
    std::string first_error = "no proof result in its log";
    std::istringstream lines(pr.output + "\n" + text);
    for (std::string line; std::getline(lines, line);)
      if (line.find("ERROR") != std::string::npos) {
        first_error = line;
        break;
      }
    return UserError(
        fmt::format("Yosys failed on the {} proof ({}): {}", block.name, ys.string(), first_error));
  };
  auto run_yosys = [&](const std::string& stem, const std::string& script) {
    const fs::path ys = dir / (stem + ".ys");
    write_text(ys, script);
    ProcessResult pr =
        run_process({"yosys", "-q", "-l", (dir / (stem + ".log")).string(), "-s", ys.string()});
    const std::string text = read_log(dir / (stem + ".log"));
    if (pr.exit_code != 0) throw yosys_failure(ys, pr, text);
    return text;
  };
  std::string read_all = "read_verilog -sv -formal";
  for (const auto& f : files) read_all += " " + f;
  int sat_calls = 0;
  // One Yosys SAT call; a counterexample's waveform is copied to VCD.
  auto run_sat = [&](const SatRun& run) {
    const int i = sat_calls++;
    std::string sat = fmt::format(
        "sat -seq {} -prove-asserts -set-assumes -prove-skip {} -show-inputs", run.steps, run.skip);
    if (run.reset_first) {
      sat += " -set-at 1 rst_ni 0";
      for (int s = 2; s <= run.steps; ++s) sat += fmt::format(" -set-at {} rst_ni 1", s);
    } else {
      sat += " -set rst_ni 1";
    }
    if (!run.extra.empty()) sat += " " + run.extra;
    if (o.timeout_s > 0) sat += fmt::format(" -timeout {}", o.timeout_s);
    const fs::path run_vcd = dir / fmt::format("sat{}.vcd", i);
    fs::remove(run_vcd, ec);
    sat += fmt::format(" -dump_vcd {}", run_vcd.string());
    const std::string script = fmt::format(
        "{}\nhierarchy -check -top {}\nproc\nmemory\nflatten\nopt_clean\nasync2sync\ndffunmap\nopt "
        "-fast\n{}\n",
        read_all, kTop, sat);
    const fs::path ys = dir / fmt::format("sat{}.ys", i);
    write_text(ys, script);
    const auto t0 = std::chrono::steady_clock::now();
    ProcessResult pr = run_process(
        {"yosys", "-q", "-l", (dir / fmt::format("sat{}.log", i)).string(), "-s", ys.string()});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string text = read_log(dir / fmt::format("sat{}.log", i));
    SatStep step{run.name, fmt::format("yosys sat -seq {}", run.steps), run.steps, false, false,
                 secs};
    if (text.find("SAT proof finished - no model found: SUCCESS!") != std::string::npos) {
      step.proved = true;
    } else if (text.find("SAT proof finished - model found: FAIL!") != std::string::npos) {
      r.proved = false;
      if (fs::exists(run_vcd)) {
        fs::create_directories(vcd.parent_path(), ec);
        fs::copy_file(run_vcd, vcd, fs::copy_options::overwrite_existing, ec);
        if (ec)
          throw UserError(fmt::format("cannot write the counterexample to '{}'", vcd.string()));
        r.vcd = vcd.string();
      }
    } else if (text.find("TIMEOUT") != std::string::npos) {
      step.timed_out = true;
      r.proved = false;
    } else {
      throw yosys_failure(ys, pr, text);
    }
    r.seconds += secs;
    r.steps.push_back(step);
  };

  for (const Lemma& lemma : plan.lemmas) {
    r.steps.push_back({lemma.name, fmt::format("exhaustive, {} cases", lemma.cases), 0, lemma.holds,
                       false, lemma.seconds});
    r.seconds += lemma.seconds;
    r.proved &= lemma.holds;
  }
  for (size_t i = 0; i < plan.runs.size() && r.proved; ++i) run_sat(plan.runs[i]);

  if (!plan.abc_runs.empty() && r.proved) {
    // The DUT with every flip-flop cut into a state input (<ff>.Q) and a next-state output
    // (<ff>.D). Undefined constants left in a run's gates (Yosys reads a `unique case` without a
    // match as x) become free inputs (setundef -anyseq): the proof holds for any value of them.
    const auto t0 = std::chrono::steady_clock::now();
    std::string dut_files;
    for (const auto& f : design.files) dut_files += " " + (dir / f.name).string();
    run_yosys("comb", fmt::format("read_verilog -sv{}\nhierarchy -check -top {}\nproc\nmemory\n"
                                  "flatten\nopt_clean\nasync2sync\nopt -fast\ndffunmap\n"
                                  "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$mem_v2\n"
                                  "rename -enumerate -pattern accelgen_ff% t:$dff\n"
                                  "expose -evert t:$dff\nselect -assert-none t:$dff t:$ff\n"
                                  "rename {} accelgen_comb\nwrite_verilog -noattr {}\n"
                                  "write_json {}\n",
                                  dut_files, design.top, design.top, (dir / "comb.v").string(),
                                  (dir / "comb.json").string()));
    r.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const nlohmann::json ports =
        nlohmann::json::parse(read_log(dir / "comb.json"))["modules"]["accelgen_comb"]["ports"];
    for (size_t a = 0; a < plan.abc_runs.size() && r.proved; ++a) {
      const AbcRun& run = plan.abc_runs[a];
      const auto ta = std::chrono::steady_clock::now();
      const std::string stem = fmt::format("abc{}", a);
      write_text(dir / (stem + ".sv"), unrolled_miter(ports, run));
      run_yosys(stem, fmt::format("read_verilog -sv {} {}\nhierarchy -check -top accelgen_unroll\n"
                                  "proc\nflatten\nopt\ntechmap\nopt -fast\naigmap\nopt_clean\n"
                                  "setundef -anyseq\nwrite_aiger -zinit {}\n",
                                  (dir / "comb.v").string(), (dir / (stem + ".sv")).string(),
                                  (dir / (stem + ".aig")).string()));
      std::string cec = "&cec -m";
      if (o.timeout_s > 0) cec += fmt::format(" -T {}", o.timeout_s);
      ProcessResult pr = run_process(
          {"yosys-abc", "-c",
           fmt::format("read_aiger {}; &get; {}", (dir / (stem + ".aig")).string(), cec)});
      write_text(dir / (stem + ".abc.log"), pr.output);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - ta).count();
      SatStep step{
          run.name, fmt::format("abc &cec, {} frames", run.frames), run.frames, false, false, secs};
      r.seconds += secs;
      if (pr.output.find("Networks are equivalent") != std::string::npos) {
        step.proved = true;
        r.steps.push_back(step);
      } else if (pr.output.find("NOT EQUIVALENT") != std::string::npos) {
        r.steps.push_back(step);
        run_sat(run.fallback);  // the waveform
        if (r.proved)
          throw UserError(fmt::format(
              "prove {}: ABC found the {} miter satisfiable, Yosys SAT found no counterexample "
              "({})",
              block.name, run.name, dir.string()));
        r.proved = false;
      } else if (pr.exit_code == 0) {
        step.timed_out = true;
        r.proved = false;
        r.steps.push_back(step);
      } else {
        throw UserError(fmt::format("ABC failed on the {} proof ({}): {}", block.name,
                                    (dir / (stem + ".abc.log")).string(), pr.output));
      }
    }
  }
  if (!keep) fs::remove_all(dir, ec);
  return r;
}

}  // namespace accelgen::formal
