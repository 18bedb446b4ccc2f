#include "flows/nn_baton/flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <tuple>

#include "common/error.hpp"

namespace accelgen::flows::nn_baton {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

MapReport run_map(const std::string& workload, const std::vector<Layer>& layers, const Hardware& hw,
                  const Tech& tech, const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  validate(hw);
  MapReport r;
  r.workload = workload;
  r.hw = hw;
  for (const Layer& l : layers) {
    r.layers.push_back(best_mapping(l, hw, tech, o));
    r.simba.push_back(simba_best(l, hw, tech, o));
    r.energy += r.layers.back().energy;
    r.simba_energy += r.simba.back().energy;
    r.cycles += r.layers.back().cycles;
    r.simba_cycles += r.simba.back().cycles;
    r.candidates += r.layers.back().candidates;
  }
  r.seconds = seconds_since(t0);
  return r;
}

nlohmann::json map_json(const MapReport& r, const Tech& tech, const Options& o) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& x = r.layers[i];
    const SimbaResult& s = r.simba[i];
    layers.push_back({{"layer", x.layer.to_json()},
                      {"mapping", x.mapping.to_json(r.hw.nc)},
                      {"energy_pj", x.energy.total()},
                      {"breakdown_pj", x.energy.to_json()},
                      {"cycles", x.cycles},
                      {"traffic_bytes",
                       {{"dram_weights", x.traffic.dram_w},
                        {"dram_activations", x.traffic.dram_a},
                        {"dram_outputs", x.traffic.out_bytes},
                        {"d2d", x.traffic.d2d},
                        {"al2_fill", x.traffic.al2_fill},
                        {"al2_read", x.traffic.al2_read},
                        {"al1_fill", x.traffic.al1_fill},
                        {"wl1_fill", x.traffic.wl1_fill}}},
                      {"candidates", x.candidates},
                      {"simba",
                       {{"energy_pj", s.energy.total()},
                        {"breakdown_pj", s.energy.to_json()},
                        {"cycles", s.cycles},
                        {"ci_rows", {s.pr, s.cr}},
                        {"co_cols", {s.pc, s.cc}},
                        {"tile", {s.hoc, s.woc}}}},
                      {"energy_vs_simba", x.energy.total() / s.energy.total()}});
  }
  return {{"flow", "nn-baton"},
          {"command", "map"},
          {"workload", r.workload},
          {"hardware", r.hw.to_json()},
          {"tech", tech.name},
          {"c3p", o.c3p_literal_eq1 ? "literal Eq. (1)" : "A_0 x prod P_k (Eq. (1) corrected)"},
          {"rf_bits", o.rf_bits},
          {"energy_pj", r.energy.total()},
          {"breakdown_pj", r.energy.to_json()},
          {"cycles", r.cycles},
          {"runtime_s", static_cast<double>(r.cycles) / (tech.frequency_mhz * 1e6)},
          {"simba_energy_pj", r.simba_energy.total()},
          {"simba_breakdown_pj", r.simba_energy.to_json()},
          {"simba_cycles", r.simba_cycles},
          {"energy_vs_simba", r.energy_vs_simba()},
          {"candidates", r.candidates},
          {"seconds", r.seconds},
          {"layers", layers}};
}

// ---------------------------------------------------------------------------------------------
// Pre-design sweep

namespace {

// One unique layer shape of the workloads with its multiplicity per model.
struct UniqueLayer {
  Layer layer;
  std::vector<int64_t> count;  // per model
};

std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>
shape_key(const Layer& l) {
  return {l.ci, l.co, l.hi, l.wi, l.ho, l.wo, l.r, l.s, l.stride, l.pad_h * 1000 + l.pad_w};
}

}  // namespace

ExploreResult run_explore(const ExploreOptions& e, const Tech& tech, const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  if (e.macs < 1) throw UserError(fmt::format("--macs must be positive, got {}", e.macs));
  if (!(e.area_mm2 > 0) || !std::isfinite(e.area_mm2))
    throw UserError(fmt::format("--area-mm2 must be a positive number, got {}", e.area_mm2));
  if (e.models.empty()) throw UserError("explore needs at least one model");
  // Workloads, deduplicated by shape.
  std::vector<UniqueLayer> layers;
  std::map<decltype(shape_key(Layer{})), size_t> index;
  for (size_t mi = 0; mi < e.models.size(); ++mi) {
    for (const Layer& l : model_layers(e.models[mi], e.resolution)) {
      auto [it, inserted] = index.try_emplace(shape_key(l), layers.size());
      if (inserted) layers.push_back({l, std::vector<int64_t>(e.models.size(), 0)});
      ++layers[it->second].count[mi];
    }
  }
  std::vector<std::tuple<int, int, int, int>> compute;
  for (int np : e.np)
    for (int nc : e.nc)
      for (int l : e.l)
        for (int p : e.p)
          if (int64_t{np} * nc * l * p == e.macs) compute.emplace_back(np, nc, l, p);
  if (compute.empty())
    throw UserError(fmt::format("no (N_P, N_C, L, P) in Table II's options gives {} MACs", e.macs));
  if (e.al1.size() > 32 || e.wl1.size() > 32 || e.al2.size() > 32 || e.al1.empty() ||
      e.wl1.empty() || e.al2.empty() || e.ol1.empty())
    throw UserError("each memory grid needs 1..32 sizes");

  ExploreResult r;
  const double freq_hz = tech.frequency_mhz * 1e6;
  const size_t nm = e.models.size();
  const size_t n1 = e.al1.size(), nw = e.wl1.size(), n2 = e.al2.size();
  // Per-bit energies of every buffer size on the grid.
  const auto pj = [&](const std::vector<int64_t>& v) {
    std::vector<double> out;
    for (int64_t b : v) out.push_back(8 * tech.sram_pj_per_bit(static_cast<double>(b)));
    return out;
  };
  const std::vector<double> e1 = pj(e.al1), ew = pj(e.wl1), e2 = pj(e.al2);
  const double dram = 8 * tech.dram_pj_per_bit, d2d = 8 * tech.d2d_pj_per_bit;
  // The mapping candidates of every unique layer on one compute configuration, analysed once (the
  // O-L1 size only decides which core tiles are allowed), each reduced to its energy terms of one
  // buffer size each: E = K + W[wl1] + Y[al1] + e(al2) X[al1] + Z[al2] (energy(traffic())
  // regrouped).
  struct Cand {
    double K = 0;
    double W[32], X[32], Y[32], Z[32];
    bool zok[32];
    int64_t cycles = 0, psum = 0;
  };
  const int64_t max_ol1 = *std::max_element(e.ol1.begin(), e.ol1.end());
  for (const auto& [np, nc, lanes, vec] : compute) {
    const int64_t ol1_scale = e.ol1_per_lane ? lanes : 1;
    const Hardware probe{
        np, nc, lanes, vec, max_ol1 * ol1_scale, 1, 1, int64_t{1} << 40, int64_t{1} << 40};
    std::vector<std::vector<Cand>> cands(layers.size());
    for (size_t li = 0; li < layers.size(); ++li) {
      for (const Mapping& m : mapping_space(layers[li].layer, probe, true)) {
        const MappingStreams s = analyse(layers[li].layer, probe, m);
        if (!s.valid) continue;
        const Traffic& f = s.fixed;
        const double active = s.chiplets;
        const bool rotate = active > 1;
        const double per_w =
            rotate && m.pkg == Part::kP ? dram / active + d2d * (active - 1) / active : dram;
        const double per_a =
            rotate && m.pkg == Part::kC ? dram / active + d2d * (active - 1) / active : dram;
        Cand c;
        c.K = dram * static_cast<double>(f.out_bytes) +
              o.rf_bits * tech.rf_pj_per_bit * static_cast<double>(f.rmw) +
              tech.mac_pj * static_cast<double>(f.macs);
        c.cycles = s.cycles;
        c.psum = 3 * m.hoc * m.woc * lanes;
        for (size_t j = 0; j < nw; ++j) {
          int64_t fill = 0;
          for (const auto& st : s.wl1) fill += st.total(int64_t{m.gh} * m.gw * e.wl1[j]);
          c.W[j] =
              per_w * static_cast<double>(fill) + ew[j] * static_cast<double>(fill + f.wl1_read);
        }
        for (size_t i = 0; i < n1; ++i) {
          int64_t rd = 0;
          for (const auto& st : s.al1) rd += st.total(e.al1[i]);
          c.X[i] = static_cast<double>(rd);
          c.Y[i] = e1[i] * static_cast<double>(rd * m.gc + f.al1_read);
        }
        for (size_t k = 0; k < n2; ++k) {
          c.zok[k] = s.need_al2 <= e.al2[k] && s.need_ol2 <= e.al2[k];
          int64_t fill = 0;
          for (const auto& st : s.al2) fill += st.total(e.al2[k]);
          c.Z[k] = per_a * static_cast<double>(fill) +
                   e2[k] * (static_cast<double>(fill) + 2.0 * static_cast<double>(f.out_bytes));
        }
        cands[li].push_back(c);
      }
    }
    for (int64_t ol1 : e.ol1) {
      Hardware base = probe;
      base.ol1 = ol1 * ol1_scale;
      // Area and validity of every memory combination; fit[(i * nw + j) * n2 + k]: the design's
      // index or -1.
      std::vector<int> fit(n1 * nw * n2, -1);
      std::vector<DesignPoint> group;
      for (size_t i = 0; i < n1; ++i)
        for (size_t j = 0; j < nw; ++j)
          for (size_t k = 0; k < n2; ++k) {
            ++r.points;
            Hardware hw = base;
            hw.al1 = e.al1[i];
            hw.wl1 = e.wl1[j];
            hw.al2 = e.al2[k];
            hw.ol2 = 0;
            const double area = chiplet_area_mm2(hw, tech);
            if (area > e.area_mm2) continue;
            ++r.area_ok;
            if (hw.al1 > hw.al2)
              continue;  // A-L1 larger than A-L2 is skipped (§V-B, read as L1 <= L2)
            fit[(i * nw + j) * n2 + k] = static_cast<int>(group.size());
            group.push_back({hw, area, 0, 0, std::vector<double>(nm, 0), 0});
          }
      if (group.empty()) continue;
      // Per (A-L1, A-L2) pair, the W-L1 sizes that fit, with their design index.
      std::vector<std::vector<std::pair<size_t, int>>> js(n1 * n2);
      for (size_t i = 0; i < n1; ++i)
        for (size_t k = 0; k < n2; ++k)
          for (size_t j = 0; j < nw; ++j)
            if (fit[(i * nw + j) * n2 + k] >= 0)
              js[i * n2 + k].emplace_back(j, fit[(i * nw + j) * n2 + k]);
      std::vector<std::vector<double>> me(group.size(), std::vector<double>(nm, 0));
      std::vector<std::vector<int64_t>> mc(group.size(), std::vector<int64_t>(nm, 0));
      std::vector<char> ok(group.size(), 1);
      std::vector<double> best_e(group.size());
      std::vector<int64_t> best_c(group.size());
      for (size_t li = 0; li < layers.size(); ++li) {
        std::fill(best_e.begin(), best_e.end(), std::numeric_limits<double>::infinity());
        std::fill(best_c.begin(), best_c.end(), 0);
        for (const Cand& c : cands[li]) {
          if (c.psum > base.ol1) continue;
          for (size_t k = 0; k < n2; ++k) {
            if (!c.zok[k]) continue;
            for (size_t i = 0; i < n1; ++i) {
              const double base_e = c.K + c.Z[k] + c.Y[i] + e2[k] * c.X[i];
              for (const auto& [j, d] : js[i * n2 + k]) {
                const double en = base_e + c.W[j];
                if (en < best_e[d] || (en == best_e[d] && c.cycles < best_c[d])) {
                  best_e[d] = en;
                  best_c[d] = c.cycles;
                }
              }
            }
          }
        }
        for (size_t d = 0; d < group.size(); ++d) {
          if (!std::isfinite(best_e[d])) ok[d] = 0;
          for (size_t mi = 0; mi < nm; ++mi) {
            me[d][mi] += best_e[d] * static_cast<double>(layers[li].count[mi]);
            mc[d][mi] += best_c[d] * layers[li].count[mi];
          }
        }
      }
      for (size_t d = 0; d < group.size(); ++d) {
        if (!ok[d]) continue;
        DesignPoint& p = group[d];
        ++r.valid;
        double log_sum = 0;
        for (size_t mi = 0; mi < nm; ++mi) {
          p.energy_pj += me[d][mi];
          p.cycles += mc[d][mi];
          p.model_edp[mi] = me[d][mi] * 1e-12 * static_cast<double>(mc[d][mi]) / freq_hz;
          log_sum += std::log(p.model_edp[mi]);
        }
        p.score = std::exp(log_sum / static_cast<double>(nm));
        r.designs.push_back(std::move(p));
      }
    }
  }
  if (r.designs.empty())
    throw UserError(
        fmt::format("no design with {} MACs fits a {} mm^2 chiplet ({} swept, {} within the area)",
                    e.macs, e.area_mm2, r.points, r.area_ok));
  const auto argmin = [&](auto value, auto keep) {
    int b = -1;
    for (size_t i = 0; i < r.designs.size(); ++i)
      if (keep(r.designs[i]) &&
          (b < 0 || value(r.designs[i]) < value(r.designs[static_cast<size_t>(b)])))
        b = static_cast<int>(i);
    return b;
  };
  r.best =
      argmin([](const DesignPoint& d) { return d.score; }, [](const DesignPoint&) { return true; });
  for (size_t mi = 0; mi < nm; ++mi)
    r.best_per_model.push_back(argmin([mi](const DesignPoint& d) { return d.model_edp[mi]; },
                                      [](const DesignPoint&) { return true; }));
  for (int np : e.np)
    r.best_per_np.push_back(argmin([](const DesignPoint& d) { return d.score; },
                                   [np](const DesignPoint& d) { return d.hw.np == np; }));
  r.seconds = seconds_since(t0);
  r.cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  r.evaluations_per_second = static_cast<double>(r.points) / std::max(r.seconds, 1e-9);
  return r;
}

nlohmann::json explore_json(const ExploreResult& r, const ExploreOptions& e) {
  const auto design = [&](int i) -> nlohmann::json {
    if (i < 0) return nullptr;
    const DesignPoint& d = r.designs[static_cast<size_t>(i)];
    nlohmann::json j = d.hw.to_json();
    j["area_mm2"] = d.area_mm2;
    j["energy_pj"] = d.energy_pj;
    j["cycles"] = d.cycles;
    j["edp_score"] = d.score;
    j["model_edp_js"] = d.model_edp;
    return j;
  };
  nlohmann::json per_model = nlohmann::json::object();
  for (size_t i = 0; i < e.models.size(); ++i)
    per_model[e.models[i]] = r.designs[static_cast<size_t>(r.best_per_model[i])].hw.name();
  nlohmann::json per_np = nlohmann::json::object();
  for (size_t i = 0; i < e.np.size(); ++i)
    per_np[std::to_string(e.np[i])] = design(r.best_per_np[i]);
  return {{"flow", "nn-baton"},
          {"command", "explore"},
          {"macs", e.macs},
          {"area_mm2", e.area_mm2},
          {"models", e.models},
          {"resolution", e.resolution},
          {"ol1_per_lane", e.ol1_per_lane},
          {"best", r.designs[static_cast<size_t>(r.best)].hw.name()},
          {"best_design", design(r.best)},
          {"best_per_model", per_model},
          {"best_per_np", per_np},
          {"points", r.points},
          {"area_ok", r.area_ok},
          {"valid_points", r.valid},
          {"seconds", r.seconds},
          {"cpu_seconds", r.cpu_seconds},
          {"evaluations_per_second", r.evaluations_per_second}};
}

std::string explore_csv(const ExploreResult& r) {
  std::string s =
      "design,np,nc,l,p,ol1_b,al1_b,wl1_b,al2_b,ol2_b,area_mm2,energy_pj,cycles,edp_score\n";
  for (const DesignPoint& d : r.designs)
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.6f},{:.6e},{},{:.6e}\n", d.hw.name(),
                     d.hw.np, d.hw.nc, d.hw.l, d.hw.p, d.hw.ol1, d.hw.al1, d.hw.wl1, d.hw.al2,
                     d.hw.ol2_bytes(), d.area_mm2, d.energy_pj, d.cycles, d.score);
  return s;
}

std::string explore_gnuplot(const ExploreResult& r, const ExploreOptions& e, const std::string& csv,
                            const std::string& png) {
  std::string s = fmt::format(
      "# NN-Baton pre-design sweep (Fig. 15 style): EDP against chiplet area, one colour per N_P.\n"
      "set terminal pngcairo size 900,600\nset output '{}'\nset datafile separator ','\n"
      "set key bottom right opaque box\nset logscale y\nset grid\nset xrange [0:{:.3f}]\n"
      "set xlabel 'chiplet area (mm^2)'\nset ylabel 'EDP (J s, geometric mean over {} model(s))'\n"
      "set title '{} MACs, {} mm^2 limit, {}x{}: {} of {} points valid; best {}'\n"
      "set arrow from {},graph 0 to {},graph 1 nohead dt 2 lc rgb 'grey'\n",
      png, 1.1 * e.area_mm2, e.models.size(), e.macs, e.area_mm2, e.resolution, e.resolution,
      r.valid, r.points, r.designs[static_cast<size_t>(r.best)].hw.name(), e.area_mm2, e.area_mm2);
  std::string plots;
  for (int np : e.np) {
    if (!plots.empty()) plots += ", \\\n     ";
    plots += fmt::format(
        "'{}' using ($2=={} ? $11 : 1/0):14 every ::1 with points pt 7 ps 0.5 title 'N_P = {}'",
        csv, np, np);
  }
  const DesignPoint& b = r.designs[static_cast<size_t>(r.best)];
  plots += fmt::format(
      ", \\\n     '+' using ({}):({}) every ::0::0 with points pt 6 ps 3 lc rgb 'black' title "
      "'best {}'",
      b.area_mm2, b.score, b.hw.name());
  return s + "plot " + plots + "\n";
}

}  // namespace accelgen::flows::nn_baton
