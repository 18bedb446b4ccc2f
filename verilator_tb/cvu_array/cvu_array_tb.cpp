#include "verilator_tb/cvu_array/cvu_array_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/cvu_array_params.hpp"
#include "compiler/cvu_array/gemm_lowering.hpp"
#include "golden_model/arith.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultJobs = 6;

struct Job {
  std::string kind;  // "gemm" or "conv RxS CinxHxW -> Kout"
  compiler::CvuGemm gemm;
  std::vector<int64_t> reference;  // M*N, computed directly (not through the lowering)
};

// A convolution (stride 1, no padding) as im2col GEMM, with its direct-loop reference.
Job make_conv(std::mt19937_64& rng, const CvuArrayParams& p, int mx, int mw, const std::string& pattern) {
  // Keep K = cin * kr * ks within the scratchpads' capacity.
  const int64_t cap = p.wbuf_depth * compiler::cvu_array_k_per_op(p, mx, mw);
  const int64_t cin = std::min<int64_t>(draw(rng, 1, 3), cap), h = draw(rng, 3, 5), w = draw(rng, 3, 5);
  const int64_t kout = draw(rng, 1, 2 * p.cols + 1);
  const int64_t kr = draw(rng, 0, 1) && cin * 9 <= cap ? 3 : 1, ks = kr;
  const int64_t ph = h - kr + 1, pw = w - ks + 1;
  const int bx = p.cvu.width_of_level(mx), bw = p.cvu.width_of_level(mw);
  std::vector<int64_t> in(cin * h * w), wt(kout * cin * kr * ks);
  for (size_t i = 0; i < in.size(); ++i) in[i] = pattern_operand(rng, pattern, bx, p.cvu.is_signed, static_cast<int64_t>(i));
  for (size_t i = 0; i < wt.size(); ++i) wt[i] = pattern_operand(rng, pattern, bw, p.cvu.is_signed, static_cast<int64_t>(i) + 1);
  Job job;
  job.kind = fmt::format("conv {}x{} {}x{}x{} -> {}", kr, ks, cin, h, w, kout);
  compiler::CvuGemm& g = job.gemm;
  g.mode_x = mx;
  g.mode_w = mw;
  g.M = ph * pw;
  g.K = cin * kr * ks;
  g.N = kout;
  for (int64_t y = 0; y < ph; ++y)  // im2col: row (y, x), column (c, i, j)
    for (int64_t x = 0; x < pw; ++x)
      for (int64_t c = 0; c < cin; ++c)
        for (int64_t i = 0; i < kr; ++i)
          for (int64_t j = 0; j < ks; ++j) g.x.push_back(in[(c * h + y + i) * w + x + j]);
  g.w.resize(g.K * g.N);
  for (int64_t o = 0; o < kout; ++o)
    for (int64_t c = 0; c < cin; ++c)
      for (int64_t i = 0; i < kr; ++i)
        for (int64_t j = 0; j < ks; ++j) g.w[((c * kr + i) * ks + j) * g.N + o] = wt[((o * cin + c) * kr + i) * ks + j];
  for (int64_t y = 0; y < ph; ++y)  // direct convolution, output [(y, x)][o]
    for (int64_t x = 0; x < pw; ++x)
      for (int64_t o = 0; o < kout; ++o) {
        int64_t sum = 0;
        for (int64_t c = 0; c < cin; ++c)
          for (int64_t i = 0; i < kr; ++i)
            for (int64_t j = 0; j < ks; ++j) sum += in[(c * h + y + i) * w + x + j] * wt[((o * cin + c) * kr + i) * ks + j];
        job.reference.push_back(sum);
      }
  return job;
}

Job make_gemm(std::mt19937_64& rng, const CvuArrayParams& p, const CvuArrayStimulus& s, int mx, int mw,
              const std::string& pattern) {
  const int bx = p.cvu.width_of_level(mx), bw = p.cvu.width_of_level(mw);
  const int64_t k_cap = p.wbuf_depth * compiler::cvu_array_k_per_op(p, mx, mw);
  Job job;
  job.kind = "gemm";
  compiler::CvuGemm& g = job.gemm;
  g.mode_x = mx;
  g.mode_w = mw;
  g.M = s.m ? s.m : draw(rng, 1, 6);
  g.K = s.k ? s.k : draw(rng, 1, std::min<int64_t>(k_cap, 3 * compiler::cvu_array_k_per_op(p, mx, mw)));
  g.N = s.n ? s.n : draw(rng, 1, 2 * p.cols + 1);
  for (int64_t i = 0; i < g.M * g.K; ++i) g.x.push_back(pattern_operand(rng, pattern, bx, p.cvu.is_signed, i));
  for (int64_t i = 0; i < g.K * g.N; ++i) g.w.push_back(pattern_operand(rng, pattern, bw, p.cvu.is_signed, i + 1));
  for (int64_t m = 0; m < g.M; ++m)
    for (int64_t n = 0; n < g.N; ++n) {
      int64_t sum = 0;
      for (int64_t k = 0; k < g.K; ++k) sum += g.x[m * g.K + k] * g.w[k * g.N + n];
      job.reference.push_back(sum);
    }
  return job;
}

}  // namespace

VerifyResult run_cvu_array_tb(const ParamSet& params, const Model& model, const VerifyOptions& options) {
  const CvuArrayParams p = CvuArrayParams::from(params);
  const CvuArrayStimulus s = CvuArrayStimulus::from(params);
  std::mt19937_64 rng(options.seed);
  std::vector<std::pair<int, int>> modes;
  for (int i = 0; i < p.cvu.levels(); ++i)
    for (int k = 0; k < p.cvu.levels(); ++k)
      if (s.bx == 0 || (p.cvu.width_of_level(i) == s.bx && p.cvu.width_of_level(k) == s.bw)) modes.push_back({i, k});
  const int64_t count = options.transactions > 0 ? options.transactions : std::max<int64_t>(kDefaultJobs, modes.size());
  std::vector<Job> jobs;
  for (int64_t t = 0; t < count; ++t) {
    const auto [mx, mw] = modes[t % modes.size()];
    const auto& patterns = operand_patterns();
    const std::string& pattern = s.operands == "mixed" ? patterns[t % patterns.size()] : s.operands;
    const bool conv = s.workload == "conv" || (s.workload == "mixed" && t % 3 == 2 && s.k == 0);
    jobs.push_back(conv ? make_conv(rng, p, mx, mw, pattern) : make_gemm(rng, p, s, mx, mw, pattern));
  }
  std::vector<compiler::CvuGemm> gemms;
  for (const auto& j : jobs) gemms.push_back(j.gemm);
  const compiler::CvuArrayProgram prog = compiler::lower_gemms(p, gemms);
  const auto want = golden::predict_cvu_array(p, prog.writes, prog.ops);

  VerifyResult res;
  res.transactions = static_cast<int64_t>(jobs.size());
  res.golden_cycles = want.empty() ? 0 : want.back().cycle + 1;
  Harness h(model.create(options.trace_path), options.activity);
  const int wv = h.port("w_valid_i"), wr = h.port("w_row_i"), wc = h.port("w_col_i"), wa = h.port("w_addr_i");
  const int wd = h.port("w_data_i"), iv = h.port("in_valid_i"), imx = h.port("in_mode_x_i"), imw = h.port("in_mode_w_i");
  const int ia = h.port("in_addr_i"), il = h.port("in_last_i"), xp = h.port("x_i"), ov = h.port("out_valid_o");
  const int op = h.port("out_o");
  const int bus = p.cvu.bus_bits(), acc = p.acc_bits;
  std::vector<uint32_t> xwords(static_cast<size_t>((p.rows * bus + 31) / 32)), ow;
  struct Seen {
    int64_t cycle;
    std::vector<int64_t> y;
  };
  std::vector<Seen> seen;
  const int64_t limit = res.golden_cycles + 1000;
  auto start = std::chrono::steady_clock::now();
  h.reset();
  size_t wi = 0, oi = 0;
  while (seen.size() < want.size() && h.cycle() < limit && !h.error()) {
    const int64_t now = h.cycle();
    const bool write = wi < prog.writes.size() && prog.writes[wi].cycle == now;
    h.set(wv, write);
    if (write) {
      const auto& w = prog.writes[wi++];
      h.set(wr, static_cast<uint64_t>(w.row));
      h.set(wc, static_cast<uint64_t>(w.col));
      h.set(wa, static_cast<uint64_t>(w.addr));
      h.set_wide(wd, w.data);
    }
    const bool issue = oi < prog.ops.size() && prog.ops[oi].cycle == now;
    h.set(iv, issue);
    if (issue) {
      const auto& o = prog.ops[oi++];
      h.set(imx, static_cast<uint64_t>(o.mode_x));
      h.set(imw, static_cast<uint64_t>(o.mode_w));
      h.set(ia, static_cast<uint64_t>(o.addr));
      h.set(il, o.last);
      for (int r = 0; r < p.rows; ++r)
        for (int bit = 0; bit < bus; bit += 32) {
          const int width = std::min(32, bus - bit);
          put_field(xwords, r * bus + bit, width, o.x[r][bit / 32]);
        }
      h.set_wide(xp, xwords);
    }
    h.settle();
    if (h.get(ov)) {
      h.get_wide(op, ow);
      Seen sn{now, {}};
      for (int c = 0; c < p.cols; ++c) sn.y.push_back(golden::wrap_signed(get_field(ow, c * acc, acc), acc));
      seen.push_back(std::move(sn));
    }
    h.tick();
  }
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;

  if (h.error()) res.report("the simulation raised a Verilog error");
  std::vector<std::vector<int64_t>> assembled;
  for (const auto& j : jobs) assembled.emplace_back(j.reference.size(), 0);
  for (size_t i = 0; i < want.size(); ++i) {
    const compiler::CvuOutputRef& ref = prog.outputs[i];
    const Job& job = jobs[ref.gemm];
    const std::string where = fmt::format("job {} ({}, {}b x {}b) row {} columns {}..", ref.gemm, job.kind,
                                          p.cvu.width_of_level(job.gemm.mode_x), p.cvu.width_of_level(job.gemm.mode_w),
                                          ref.m, ref.n0);
    if (i >= seen.size()) {
      res.report(fmt::format("{}: expected at cycle {}, never produced", where, want[i].cycle), want[i].cycle);
      continue;
    }
    ++res.outputs_checked;
    if (seen[i].cycle != want[i].cycle)
      res.report(fmt::format("{}: expected at cycle {}, got at cycle {}", where, want[i].cycle, seen[i].cycle),
                 std::min<int64_t>(want[i].cycle, seen[i].cycle));
    if (seen[i].y != want[i].y)
      res.report(fmt::format("cycle {}: {}: expected [{}], got [{}]", seen[i].cycle, where, fmt::join(want[i].y, ", "),
                         fmt::join(seen[i].y, ", ")),
                 seen[i].cycle);
    for (int c = 0; c < p.cols && ref.n0 + c < job.gemm.N; ++c)
      assembled[ref.gemm][ref.m * job.gemm.N + ref.n0 + c] = seen[i].y[c];
  }
  for (size_t j = 0; j < jobs.size(); ++j)
    for (size_t e = 0; e < jobs[j].reference.size(); ++e)
      if (assembled[j][e] != golden::wrap_signed(static_cast<uint64_t>(jobs[j].reference[e]), acc)) {
        res.report(fmt::format("job {} ({}): output element {} is {}, the direct reference is {}", j, jobs[j].kind, e,
                           assembled[j][e], jobs[j].reference[e]));
        break;
      }
  if (seen.size() > want.size()) res.report(fmt::format("{} unexpected extra outputs", seen.size() - want.size()));
  std::vector<std::string> kinds;
  for (const auto& j : jobs)
    kinds.push_back(fmt::format("{} {}x{}x{} {}b x {}b", j.kind, j.gemm.M, j.gemm.K, j.gemm.N,
                                p.cvu.width_of_level(j.gemm.mode_x), p.cvu.width_of_level(j.gemm.mode_w)));
  res.details = {{"jobs", kinds}, {"writes", prog.writes.size()}, {"operations", prog.ops.size()}};
  return res;
}

}  // namespace accelgen::sim
