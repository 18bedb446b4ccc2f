#include "flows/noc/noc_sweep.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/block_info.hpp"
#include "common/error.hpp"
#include "common/noc_params.hpp"
#include "flows/common/plot.hpp"
#include "flows/common/table.hpp"
#include "golden_model/noc/noc_model.hpp"
#include "golden_model/noc/noc_traffic.hpp"

namespace accelgen::flows {

namespace fs = std::filesystem;

namespace {

// Parameters through the block's own schema, so the flow gets the same validation as `verify`.
std::pair<NocParams, NocStimulus> resolve(const std::vector<std::string>& sets) {
  const BlockInfo& info = find_block("noc");
  ParamSet set = resolve_params(info, "", sets, true);
  return {NocParams::from(set), NocStimulus::from(set)};
}

}  // namespace

std::vector<std::string> noc_router_sets(const NocSweepOptions& o, const std::string& topology, int vcs, int flits) {
  std::vector<std::string> sets = {fmt::format("rows={}", o.rows), fmt::format("cols={}", o.cols),
                                   fmt::format("topology={}", topology), fmt::format("buffer_depth={}", o.buffer_depth)};
  if (vcs > 1 || flits > 1) {
    sets.push_back(fmt::format("vcs={}", vcs));
    sets.push_back(fmt::format("packet_flits={}", flits));
    sets.push_back(fmt::format("vc_depth={}", o.vc_depth));
  }
  return sets;
}

bool noc_vcs_fit(const std::string& topology, int vcs) { return (topology == "amp" ? 9 : 5) * vcs <= 64; }

std::vector<NocLatencyPoint> noc_latency_sweep(const NocSweepOptions& o) {
  std::vector<int> rates = o.rates;
  if (rates.empty()) rates = {2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100};
  std::vector<NocLatencyPoint> out;
  for (const char* topo : {"mesh", "amp"}) {
    for (int vcs : o.vcs) {
      if (!noc_vcs_fit(topo, vcs)) continue;
      for (int flits : o.packet_flits) {
        for (int rate : rates) {
          std::vector<std::string> sets = noc_router_sets(o, topo, vcs, flits);
          sets.insert(sets.end(), {fmt::format("traffic={}", o.traffic), fmt::format("injection_rate={}", rate),
                                   fmt::format("cycles={}", o.cycles), "source_queue=1048576"});
          auto [p, s] = resolve(sets);
          golden::NocRunStats st = golden::run_noc_golden(p, s, o.seed, o.warmup);
          NocLatencyPoint pt;
          pt.topology = topo;
          pt.vcs = vcs;
          pt.packet_flits = flits;
          pt.rate = rate;
          pt.offered = static_cast<double>(st.created) / (static_cast<double>(p.rows) * p.cols * o.cycles);
          pt.accepted = st.accepted_rate;
          pt.accepted_flits = st.accepted_flit_rate;
          pt.mean_latency = st.mean_latency;
          pt.mean_network_latency = st.mean_network_latency;
          pt.max_latency = st.max_latency;
          pt.drained = st.drained;
          out.push_back(pt);
        }
      }
    }
  }
  return out;
}

std::vector<NocSaturationRow> noc_saturation(const NocSweepOptions& o) {
  std::vector<NocSaturationRow> out;
  for (const char* topo : {"mesh", "amp"}) {
    for (int vcs : o.vcs) {
      if (!noc_vcs_fit(topo, vcs)) continue;
      for (int flits : o.packet_flits) {
        std::vector<std::string> sets = noc_router_sets(o, topo, vcs, flits);
        sets.insert(sets.end(), {fmt::format("traffic={}", o.traffic), "injection_rate=100",
                                 fmt::format("cycles={}", o.cycles), fmt::format("source_queue={}", o.source_queue)});
        auto [p, s] = resolve(sets);
        golden::NocRunStats st = golden::run_noc_golden(p, s, o.seed, o.warmup);
        NocSaturationRow row;
        // Bernoulli scan from 0.06 below the backlogged rate (a load below it that is not saturated
        // delivers what it is offered, so it cannot hold the peak); from 0.02 if that start is saturated.
        auto scan = [&](int from) {
          for (int rate = from; rate <= 100; rate += 2) {
            std::vector<std::string> b = noc_router_sets(o, topo, vcs, flits);
            b.insert(b.end(), {fmt::format("traffic={}", o.traffic), fmt::format("injection_rate={}", rate),
                               fmt::format("cycles={}", o.cycles), "source_queue=1048576"});
            auto [bp, bs] = resolve(b);
            const golden::NocRunStats bt = golden::run_noc_golden(bp, bs, o.seed, o.warmup);
            const double offered = rate / 100.0;
            if (rate == from && from > 2 && bt.accepted_flit_rate < offered - 0.005) return false;
            if (bt.accepted_flit_rate > row.saturation_flits) {
              row.saturation_flits = bt.accepted_flit_rate;
              row.saturation_offered = offered;
            }
            if (bt.accepted_flit_rate < offered - 0.03) break;
          }
          return true;
        };
        if (!scan(std::max(2, 2 * static_cast<int>(st.accepted_flit_rate * 50) - 6))) scan(2);
        row.topology = topo;
        row.vcs = vcs;
        row.packet_flits = flits;
        row.vc_depth = p.vc_router() ? p.vc_buffer() : p.buffer_depth;
        row.accepted_flits = st.accepted_flit_rate;
        row.accepted_packets = st.accepted_rate;
        row.mean_latency = st.mean_latency;
        row.drained = st.drained && st.delivered == st.created;
        out.push_back(row);
      }
    }
  }
  return out;
}

std::vector<std::string> noc_fig15_sets(const std::string& case_name, const std::string& allocation, int interval,
                                        int size, int rounds, int buffer_depth) {
  return {fmt::format("rows={}", size), fmt::format("cols={}", size),
          fmt::format("topology={}", case_name == "amp" ? "amp" : "mesh"),
          fmt::format("buffer_depth={}", buffer_depth), "traffic=pipeorgan",
          fmt::format("organization={}", case_name == "fine_striped" ? "fine_striped" : "blocked_1d"), "depth=2",
          fmt::format("allocation={}", allocation), fmt::format("interval={}", interval),
          fmt::format("cycles={}", static_cast<int64_t>(rounds) * interval), "source_queue=1048576"};
}

std::vector<std::string> noc_fig15_sets(const NocSweepOptions& o, const std::string& case_name,
                                        const std::string& allocation, int interval, int size) {
  std::vector<std::string> sets = noc_fig15_sets(case_name, allocation, interval, size, o.rounds, o.buffer_depth);
  if (o.fig15_tile_flits > 0) {
    sets.push_back(fmt::format("tile_flits={}", o.fig15_tile_flits));
    sets.push_back(fmt::format("packet_flits={}", o.fig15_packet_flits));
    sets.push_back(fmt::format("vcs={}", o.fig15_vcs));
    if (o.fig15_vcs > 1 || o.fig15_packet_flits > 1) sets.push_back(fmt::format("vc_depth={}", o.vc_depth));
  }
  return sets;
}

std::vector<NocFig15Row> noc_fig15(const NocSweepOptions& o, int size) {
  std::vector<NocFig15Row> out;
  for (const char* alloc : {"equal", "unequal"}) {
    for (const char* name : {"blocked", "fine_striped", "amp"}) {
      for (int interval = 1; interval <= o.max_interval; ++interval) {
        auto [p, s] = resolve(noc_fig15_sets(o, name, alloc, interval, size));
        const int tile = o.fig15_tile_flits > 0 ? o.fig15_tile_flits : 1;
        golden::NocTraffic traffic(p, s, o.seed);
        const golden::NocTopology topo = golden::noc_topology(p);
        const auto demand = traffic.demand();
        const golden::NocLoads loads = golden::noc_channel_loads(topo, demand);
        golden::NocRunStats st = golden::run_noc_golden(p, s, o.seed);
        if (!st.drained) throw UserError(fmt::format("noc-sweep: {} interval {} did not drain", name, interval));
        NocFig15Row row;
        row.case_name = name;
        row.allocation = alloc;
        row.interval = interval;
        // A round puts `tile` flits per producer->consumer pair on every link of its path; one
        // packet alone is delivered hops + packet_flits cycles after creation.
        row.worst_load = loads.max_load * tile;
        row.congestion = std::max(1.0, row.worst_load / interval);
        row.zero_load_delay = loads.mean_hops + p.packet_flits;
        row.mean_delay = st.mean_latency;
        row.max_delay = st.max_latency;
        row.packets = st.delivered;
        out.push_back(row);
      }
    }
  }
  return out;
}

std::vector<std::string> write_noc_sweep(const std::string& dir, const std::vector<NocLatencyPoint>& curve,
                                         const std::vector<NocFig15Row>& fig15, const NocSweepOptions& o,
                                         const std::vector<NocSaturationRow>& saturation) {
  create_output_dir(dir);
  std::vector<std::string> written;
  const fs::path lat = fs::path(dir) / "noc_latency.csv";
  {
    std::ofstream f(lat);
    f << "topology,injection_rate_percent,offered,accepted,mean_latency,mean_network_latency,max_latency,drained,vcs,"
         "packet_flits,accepted_flits\n";
    for (const auto& pt : curve)
      f << fmt::format("{},{},{:.4f},{:.4f},{:.3f},{:.3f},{},{},{},{},{:.4f}\n", pt.topology, pt.rate, pt.offered,
                       pt.accepted, pt.mean_latency, pt.mean_network_latency, pt.max_latency, pt.drained ? 1 : 0, pt.vcs,
                       pt.packet_flits, pt.accepted_flits);
  }
  written.push_back(lat.string());
  if (!saturation.empty()) {
    const fs::path sat = fs::path(dir) / "noc_saturation.csv";
    std::ofstream f(sat);
    f << "topology,vcs,packet_flits,vc_depth,accepted_flits,accepted_packets,mean_latency,drained,saturation_flits,"
         "saturation_offered\n";
    for (const auto& r : saturation)
      f << fmt::format("{},{},{},{},{:.4f},{:.4f},{:.2f},{},{:.4f},{:.2f}\n", r.topology, r.vcs, r.packet_flits,
                       r.vc_depth, r.accepted_flits, r.accepted_packets, r.mean_latency, r.drained ? 1 : 0,
                       r.saturation_flits, r.saturation_offered);
    written.push_back(sat.string());
  }
  const fs::path fig = fs::path(dir) / "noc_fig15.csv";
  {
    std::ofstream f(fig);
    f << "case,allocation,interval,worst_channel_load,congestion_factor,zero_load_delay,mean_delay,max_delay,packets\n";
    for (const auto& r : fig15)
      f << fmt::format("{},{},{},{:.0f},{:.3f},{:.3f},{:.3f},{},{}\n", r.case_name, r.allocation, r.interval, r.worst_load,
                       r.congestion, r.zero_load_delay, r.mean_delay, r.max_delay, r.packets);
  }
  written.push_back(fig.string());
  // gnuplot scripts beside the CSVs (a user can restyle them), run when gnuplot is installed.
  const fs::path gp_lat = fs::path(dir) / "noc_latency.gp";
  {
    std::string plot;
    for (const char* topo : {"mesh", "amp"})
      for (int vcs : o.vcs)
        for (int flits : o.packet_flits) {
          if (!noc_vcs_fit(topo, vcs)) continue;
          const std::string title = (o.vcs.size() == 1 && o.packet_flits.size() == 1 && vcs == 1 && flits == 1)
                                        ? std::string(topo == std::string("mesh") ? "mesh" : "AMP")
                                        : fmt::format("{} {}VC {}-flit", topo, vcs, flits);
          plot += fmt::format("{}'noc_latency.csv' using ((strcol(1) eq '{}' && $9 == {} && $10 == {}) ? $3 * {} : 1/0):5 "
                              "with linespoints title '{}'",
                              plot.empty() ? "plot " : ", \\\n     ", topo, vcs, flits, flits, title);
        }
    std::ofstream(gp_lat) << fmt::format(
        "set terminal pngcairo size 900,600 noenhanced\nset output 'noc_latency.png'\nset datafile separator ','\n"
        "set title 'Latency vs offered load, {}x{} {} traffic (golden model, cycle-exact vs RTL)'\n"
        "set xlabel 'offered load (flits/node/cycle)'\nset ylabel 'mean packet latency, created to tail delivered (cycles)'\n"
        "set logscale y\nset key top left\nset grid\n{}\n",
        o.rows, o.cols, o.traffic, plot);
  }
  const fs::path gp_fig = fs::path(dir) / "noc_fig15.gp";
  std::ofstream(gp_fig) << fmt::format(
      "set terminal pngcairo size 1200,500 noenhanced\nset output 'noc_fig15.png'\nset datafile separator ','\n"
      "set multiplot layout 1,2 title 'PipeOrgan Fig. 15: {0}x{0}, depth 2, equal allocation'\n"
      "set xlabel 'compute interval (cycles)'\nset grid\nset key top right\n"
      "set ylabel 'worst-case channel load (packets/round)'\n"
      "plot for [c in 'blocked fine_striped amp'] 'noc_fig15.csv' using ((strcol(1) eq c && strcol(2) eq 'equal') ? $3 : 1/0):4 "
      "with linespoints title c\n"
      "set ylabel 'mean delay per packet (cycles)'\nset logscale y\n"
      "plot for [c in 'blocked fine_striped amp'] 'noc_fig15.csv' using ((strcol(1) eq c && strcol(2) eq 'equal') ? $3 : 1/0):7 "
      "with linespoints title c\n"
      "unset multiplot\n",
      o.fig15_size);
  written.push_back(gp_lat.string());
  written.push_back(gp_fig.string());
  std::vector<std::pair<fs::path, const char*>> plots;
  if (!fig15.empty()) plots.push_back({gp_fig, "noc_fig15.png"});
  if (!curve.empty()) plots.insert(plots.begin(), {gp_lat, "noc_latency.png"});
  for (const auto& [gp, png] : plots) {
    if (!render_gnuplot(gp.string())) break;  // no gnuplot: the CSVs and scripts are the result
    written.push_back((fs::path(dir) / png).string());
  }
  return written;
}

}  // namespace accelgen::flows
