#include "verilator_tb/planaria/planaria_tb.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <map>
#include <random>

#include "common/error.hpp"
#include "golden_model/systolic/systolic_model.hpp"
#include "verilator_tb/harness.hpp"
#include "verilator_tb/stimulus.hpp"

namespace accelgen::sim {

namespace {

constexpr int64_t kDefaultGemmsPerShape = 2;

struct Placement {
  size_t job;
  int first;
  bool reverse = false;
  int dirs = -1;
};

PlanariaGemm random_gemm(std::mt19937_64& rng, const PlanariaParams& p, const PlanariaStimulus& s,
                         int64_t K, int64_t N, size_t index) {
  PlanariaGemm g;
  g.M = s.m ? s.m : draw(rng, 1, 2 * p.sub_rows + 3);
  g.K = K;
  g.N = N;
  const auto& patterns = operand_patterns();
  g.pattern = s.operands == "mixed" ? patterns[index % patterns.size()] : s.operands;
  g.x.resize(g.M * g.K);
  g.w.resize(g.K * g.N);
  for (int64_t i = 0; i < g.M * g.K; ++i)
    g.x[i] = pattern_operand(rng, g.pattern, p.in_bits, true, i);
  for (int64_t i = 0; i < g.K * g.N; ++i)
    g.w[i] = pattern_operand(rng, g.pattern, p.in_bits, true, i + 1);
  return g;
}

// Runs the placements' jobs to completion: each global tile gives every placement whose job has
// blocks left its next block (n outer, k inner), zero-padded at the GEMM's edges.
void add_phase(const PlanariaParams& p, PlanariaWorkload& wl,
               const std::vector<Placement>& placements) {
  const int64_t R = p.sub_rows, C = p.sub_cols;
  std::map<size_t, std::vector<std::pair<int64_t, int64_t>>> blocks;  // job -> (k0, n0), in order
  for (const auto& pl : placements) {
    if (blocks.count(pl.job)) continue;
    const PlanariaJob& job = wl.jobs[pl.job];
    const PlanariaGemm& g = wl.gemms[job.gemm];
    auto& list = blocks[pl.job];
    for (int64_t n0 = 0; n0 < g.N; n0 += job.j * C)
      for (int64_t k0 = 0; k0 < g.K; k0 += job.i * R) list.push_back({k0, n0});
    std::reverse(list.begin(), list.end());  // taken from the back
  }
  for (;;) {
    golden::PlanariaTile tile;
    std::vector<PlanariaClusterRef> refs;
    for (const auto& pl : placements) {
      auto& list = blocks[pl.job];
      if (list.empty()) continue;
      const auto [k0, n0] = list.back();
      list.pop_back();
      const PlanariaJob& job = wl.jobs[pl.job];
      const PlanariaGemm& g = wl.gemms[job.gemm];
      const int64_t TK = job.i * R, TN = job.j * C;
      golden::PlanariaCluster cl;
      cl.first = pl.first;
      cl.i = job.i;
      cl.j = job.j;
      cl.reverse = pl.reverse;
      cl.dirs = pl.dirs;
      cl.weights.assign(TK * TN, 0);
      for (int64_t r = 0; r < TK && k0 + r < g.K; ++r)
        for (int64_t c = 0; c < TN && n0 + c < g.N; ++c)
          cl.weights[r * TN + c] = g.w[(k0 + r) * g.N + n0 + c];
      for (int64_t m = 0; m < g.M; ++m) {
        std::vector<int64_t> v(TK, 0);
        for (int64_t r = 0; r < TK && k0 + r < g.K; ++r) v[r] = g.x[m * g.K + k0 + r];
        cl.vectors.push_back(std::move(v));
      }
      tile.clusters.push_back(std::move(cl));
      refs.push_back({pl.job, k0, n0});
    }
    if (tile.clusters.empty()) return;
    wl.tiles.push_back(std::move(tile));
    wl.refs.push_back(std::move(refs));
  }
}

}  // namespace

PlanariaWorkload make_planaria_workload(const PlanariaParams& p, const PlanariaStimulus& s,
                                        uint64_t seed, int64_t gemms_per_shape) {
  std::mt19937_64 rng(seed);
  const int S = p.subarrays, R = p.sub_rows, C = p.sub_cols;
  PlanariaWorkload wl;
  auto add_gemm = [&](int64_t K, int64_t N) {
    wl.gemms.push_back(random_gemm(rng, p, s, K, N, wl.gemms.size()));
    return wl.gemms.size() - 1;
  };
  auto add_job = [&](size_t gemm, int i, int j, std::string label) {
    wl.jobs.push_back({gemm, i, j, std::move(label)});
    return wl.jobs.size() - 1;
  };
  if (s.fission == "mixed") {
    if (S < 8)
      throw UserError(fmt::format("fission=mixed needs at least 8 subarrays (subarrays = {})", S));
    const int nA = 3 * S / 4, nB = S / 8, nC = S / 8, Q = p.per_pod();
    const int iA = nA % Q == 0 ? Q : 2;
    const size_t A = add_gemm(draw(rng, R + 1, 6 * R), draw(rng, C + 1, 4 * C));
    const size_t B = add_gemm(draw(rng, 1, 3 * R), draw(rng, 1, 2 * C));
    const size_t Cg = add_gemm(draw(rng, 1, 3 * R), draw(rng, 1, 3 * C));
    auto name = [&](int i, int j) { return fmt::format("{}x{}", i * R, j * C); };
    // Three tenants co-located (e.g. 12 + 2 + 2 of 16), then the same GEMMs on other shapes.
    add_phase(p, wl,
              {{add_job(A, iA, nA / iA, "A on " + name(iA, nA / iA)), 0},
               {add_job(B, nB, 1, "B on " + name(nB, 1)), nA},
               {add_job(Cg, 1, nC, "C on " + name(1, nC)), nA + nB}});
    add_phase(p, wl,
              {{add_job(A, 1, nA, "A on " + name(1, nA) + " reversed"), 0, true},
               {add_job(B, 1, nB, "B on " + name(1, nB)), nA},
               {add_job(Cg, nC, 1, "C on " + name(nC, 1) + " reversed"), nA + nB, true}});
    // Every subarray alone, with all four direction settings.
    std::vector<Placement> singles;
    const size_t A3 =
        add_job(A, 1, 1, "A on " + name(1, 1) + " x" + std::to_string(S) + ", all directions");
    for (int sub = 0; sub < S; ++sub) singles.push_back({A3, sub, false, sub % 4});
    add_phase(p, wl, singles);
    // The whole ring as one tall chain, reversed, and a 2-row shape with both directions set.
    add_phase(p, wl, {{add_job(B, S, 1, "B on " + name(S, 1) + " reversed"), 0, true}});
    add_phase(p, wl,
              {{add_job(Cg, 2, S / 2, "C on " + name(2, S / 2) + " with both directions set"), 0,
                false, 3}});
    return wl;
  }
  std::vector<FissionShape> shapes;
  if (s.fission == "all")
    shapes = homogeneous_shapes(S);
  else
    shapes.push_back(parse_fission(s.fission, p));
  // The monolithic array of the same PEs: Im x Jm subarrays.
  const int Im = 1 << (std::countr_zero(static_cast<unsigned>(S)) / 2), Jm = S / Im;
  for (const FissionShape& sh : shapes) {
    for (int64_t t = 0; t < gemms_per_shape; ++t) {
      const size_t g =
          t == 0 ? add_gemm(int64_t{Im} * R, int64_t{Jm} * C)
                 : add_gemm(draw(rng, 1, 2 * sh.i * R + 1), draw(rng, 1, 2 * sh.j * C + 1));
      const size_t job = add_job(g, sh.i, sh.j, fission_name(sh, p));
      std::vector<Placement> pl;
      for (int k = 0; k < sh.k; ++k) pl.push_back({job, k * sh.i * sh.j});
      add_phase(p, wl, pl);
    }
  }
  return wl;
}

namespace {

struct Observed {
  int64_t cycle;
  int lane;
  std::vector<int64_t> y;
};

std::vector<Observed> drive(const PlanariaParams& p, const golden::PlanariaPrediction& pred,
                            Harness& h, int64_t expected_outputs, int64_t cycle_limit) {
  const int S = p.subarrays, P = p.pods, Q = p.per_pod(), R = p.sub_rows, C = p.sub_cols;
  const int in = p.in_bits, acc = p.acc_bits, sel = std::countr_zero(static_cast<unsigned>(Q));
  const int rb = std::max(1, static_cast<int>(std::bit_width(static_cast<unsigned>(R - 1)))),
            aw = sel + rb;
  const int cfg_valid = h.port("cfg_valid_i"), cfg = h.port("cfg_i"),
            start = h.port("tile_start_i");
  const int w_valid = h.port("w_valid_i"), w_addr = h.port("w_addr_i"), w_data = h.port("w_data_i");
  const int x_valid = h.port("x_valid_i"), x_data = h.port("x_data_i");
  const int y_valid = h.port("y_valid_o"), y_data = h.port("y_data_o");
  const uint64_t in_mask = (uint64_t{1} << in) - 1;

  // Everything the host and the pod memories put on the ports, by cycle.
  struct CycleInputs {
    const golden::PlanariaConfig* cfg = nullptr;
    bool start = false;
    int64_t weight_beat = -1;
    const golden::PlanariaTilePlan* weights = nullptr;
    std::vector<const golden::PlanariaVectorBeat*> beats;
  };
  std::map<int64_t, CycleInputs> inputs;
  for (const auto& plan : pred.plan) {
    inputs[plan.config_cycle].cfg = &plan.config;
    inputs[plan.start_cycle].start = true;
    for (int64_t a = 0; a < int64_t{Q} * R; ++a) {
      inputs[plan.weight_cycle + a].weight_beat = a;
      inputs[plan.weight_cycle + a].weights = &plan;
    }
    for (const auto& beat : plan.beats) inputs[beat.cycle].beats.push_back(&beat);
  }

  std::vector<Observed> seen;
  std::vector<uint32_t> words, y_words, zero_x((S * R * in + 31) / 32, 0);
  h.reset();
  while (static_cast<int64_t>(seen.size()) < expected_outputs && h.cycle() < cycle_limit &&
         !h.error()) {
    const int64_t now = h.cycle();
    auto it = inputs.find(now);
    const CycleInputs none;
    const CycleInputs& in_now = it == inputs.end() ? none : it->second;
    h.set(cfg_valid, in_now.cfg != nullptr);
    if (in_now.cfg) h.set_wide(cfg, golden::pack_planaria_config(p, *in_now.cfg));
    h.set(start, in_now.start);
    words.assign((P * aw + 31) / 32, 0);
    std::vector<uint32_t> wd((P * C * in + 31) / 32, 0);
    uint64_t wv = 0;
    if (in_now.weight_beat >= 0) {
      const int64_t a = in_now.weight_beat;
      const uint64_t addr = (static_cast<uint64_t>(a / R) << rb) | static_cast<uint64_t>(a % R);
      for (int pod = 0; pod < P; ++pod) {
        wv |= uint64_t{1} << pod;
        put_field(words, pod * aw, aw, addr);
        const auto& row = in_now.weights->weight_rows[pod * Q * R + a];
        for (int c = 0; c < C; ++c)
          put_field(wd, (pod * C + c) * in, in, static_cast<uint64_t>(row[c]) & in_mask);
      }
    }
    h.set(w_valid, wv);
    h.set_wide(w_addr, words);
    h.set_wide(w_data, wd);
    uint64_t xv = 0;
    std::vector<uint32_t> xd = zero_x;
    for (const auto* beat : in_now.beats) {
      xv |= uint64_t{1} << beat->lane;
      for (int r = 0; r < R; ++r)
        put_field(xd, (beat->lane * R + r) * in, in, static_cast<uint64_t>(beat->x[r]) & in_mask);
    }
    h.set(x_valid, xv);
    h.set_wide(x_data, xd);
    h.settle();
    const uint64_t yv = h.get(y_valid);
    if (yv) {
      h.get_wide(y_data, y_words);
      for (int lane = 0; lane < S; ++lane) {
        if (!((yv >> lane) & 1)) continue;
        Observed o{now, lane, std::vector<int64_t>(C)};
        for (int c = 0; c < C; ++c)
          o.y[c] = golden::wrap_signed(get_field(y_words, (lane * C + c) * acc, acc), acc);
        seen.push_back(std::move(o));
      }
    }
    h.tick();
  }
  return seen;
}

}  // namespace

VerifyResult run_planaria_tb(const ParamSet& params, const Model& model,
                             const VerifyOptions& options) {
  const PlanariaParams p = PlanariaParams::from(params);
  const PlanariaStimulus s = PlanariaStimulus::from(params);
  if (p.subarrays > 64) throw UserError("the planaria testbench drives at most 64 lanes");
  VerifyResult res;
  const int64_t per_shape = options.transactions > 0 ? options.transactions : kDefaultGemmsPerShape;
  const PlanariaWorkload wl = make_planaria_workload(p, s, options.seed, per_shape);
  res.transactions = static_cast<int64_t>(wl.gemms.size());
  const golden::PlanariaPrediction pred = golden::predict_planaria(p, wl.tiles);
  res.golden_cycles = pred.cycles;

  Harness h(model.create(options.trace_path), options.activity);
  const int64_t limit = 2 * pred.cycles + 1000;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<Observed> seen = drive(p, pred, h, static_cast<int64_t>(pred.outputs.size()), limit);
  res.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.rtl_cycles = seen.empty() ? 0 : seen.back().cycle + 1;
  if (h.error()) res.report("the simulation raised a Verilog error ($stop/$error/assertion)");

  std::vector<std::vector<int64_t>> assembled(wl.jobs.size());
  for (size_t j = 0; j < wl.jobs.size(); ++j) {
    const PlanariaGemm& g = wl.gemms[wl.jobs[j].gemm];
    assembled[j].assign(g.M * g.N, 0);
  }
  for (size_t o = 0; o < pred.outputs.size(); ++o) {
    const golden::PlanariaOutput& want = pred.outputs[o];
    const PlanariaClusterRef& ref = wl.refs[want.tile][want.cluster];
    const PlanariaJob& job = wl.jobs[ref.job];
    const PlanariaGemm& g = wl.gemms[job.gemm];
    const std::string where = fmt::format(
        "tile {} cluster {} ({}, gemm {} {}x{}x{} {}) block k0={} n0={} column group {} row m={} "
        "lane {}",
        want.tile, want.cluster, job.label, job.gemm, g.M, g.K, g.N, g.pattern, ref.k0, ref.n0,
        want.group, want.m, want.lane);
    if (o >= seen.size()) {
      res.report(fmt::format("{}: expected at cycle {}, never produced (stopped at cycle {})",
                             where, want.cycle, h.cycle()),
                 want.cycle);
      continue;
    }
    const Observed& got = seen[o];
    ++res.outputs_checked;
    if (got.cycle != want.cycle || got.lane != want.lane)
      res.report(fmt::format("{}: expected at cycle {} on lane {}, got cycle {} lane {}", where,
                             want.cycle, want.lane, got.cycle, got.lane),
                 std::min<int64_t>(want.cycle, got.cycle));
    for (int c = 0; c < p.sub_cols; ++c)
      if (got.y[c] != want.y[c]) {
        res.report(fmt::format("cycle {}: {} col {}: expected {}, got {}", got.cycle, where, c,
                               want.y[c], got.y[c]),
                   got.cycle);
        break;
      }
    const int64_t n_base = ref.n0 + int64_t{want.group} * p.sub_cols;
    for (int c = 0; c < p.sub_cols && n_base + c < g.N; ++c) {
      if (want.m < 0 || want.m >= g.M) break;
      int64_t& a = assembled[ref.job][want.m * g.N + n_base + c];
      a = golden::wrap_signed(static_cast<uint64_t>(a) + static_cast<uint64_t>(got.y[c]),
                              p.acc_bits);
    }
  }
  // Every job's GEMM, reassembled from the RTL's outputs, against a direct product.
  std::vector<nlohmann::json> jobs;
  for (size_t j = 0; j < wl.jobs.size(); ++j) {
    const PlanariaGemm& g = wl.gemms[wl.jobs[j].gemm];
    const auto want = golden::gemm_reference(g.M, g.K, g.N, g.x, g.w, p.acc_bits);
    for (size_t e = 0; e < want.size(); ++e)
      if (assembled[j][e] != want[e]) {
        res.report(fmt::format("job {} ({}) element ({}, {}): expected {}, reassembled {}", j,
                               wl.jobs[j].label, e / g.N, e % g.N, want[e], assembled[j][e]));
        break;
      }
    jobs.push_back({{"config", wl.jobs[j].label},
                    {"m", g.M},
                    {"k", g.K},
                    {"n", g.N},
                    {"operands", g.pattern}});
  }
  if (seen.size() > pred.outputs.size())
    res.report(fmt::format("{} unexpected extra outputs", seen.size() - pred.outputs.size()));
  res.details = {{"fission", s.fission},
                 {"jobs", jobs},
                 {"tiles", wl.tiles.size()},
                 {"outputs", pred.outputs.size()}};
  return res;
}

}  // namespace accelgen::sim
