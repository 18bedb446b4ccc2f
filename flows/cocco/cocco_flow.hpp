// `accelgen flow cocco`: graph partition and on-chip memory co-exploration (Cocco, ASPLOS '24) on
// a model of the zoo (or any model file): the Cocco GA and the paper's baselines, with rows like
// the paper's Tables 1–3 (buffer sizes and Eq. 2 cost per method), convergence traces and JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flows/cocco/search.hpp"

namespace accelgen::flows::cocco {

struct CoccoFlowOptions {
  std::string model = "resnet50";
  std::vector<int64_t> batches = {1};
  std::vector<int> cores = {1};
  int64_t seq_len = 128;  // Transformer / GPT tokens  // multi-core: one row per (cores, batch)
  std::vector<std::string> methods = {"ga"};
  std::string metric = "energy";     // energy | ema
  std::string buffers = "separate";  // separate | shared
  bool coexplore = true;             // Eq. 2 (false: Eq. 1 at the given capacities)
  int64_t samples = 50000;
  uint64_t seed = 1;
  double alpha = 0.002;
  int64_t tile = 8;
  std::string footprint = "main_side";  // main_side | rows
  bool weight_reads_per_op = false;
  double bank_kib = 32;
  std::string tech = "cocco_12nm";
  int64_t gb_kib = 1024, wb_kib = 1152,
          shared_kib = 1152;  // fixed capacities (non-searching methods)
  int max_nodes = 64;
  int population = 100;
  int tournament = 3;
  int64_t trace_every = 1000;
  int64_t per_candidate = 5000;  // two-step methods
  int64_t exact_states = 200000;
  void validate() const;  // UserError on anything unusable
};

struct CoccoFlowRow {
  std::string method;
  int cores = 1;
  int64_t batch = 1;
  SearchResult result;
  int64_t gb_bytes = 0, wb_bytes = 0, shared_bytes = 0;
  double cost = 0;  // Eq. 2 (co-exploration) or Eq. 1
  nlohmann::json subgraphs;
};

struct CoccoFlowResult {
  std::string model;
  int layers = 0;
  std::vector<CoccoFlowRow> rows;
  nlohmann::json params;
};

// Known method names, in the order Table 1 lists them.
const std::vector<std::string>& cocco_methods();
CoccoFlowResult run_cocco_flow(const CoccoFlowOptions& o, const Progress& progress = {});
std::string cocco_flow_text(const CoccoFlowOptions& o, const CoccoFlowResult& r);
std::string cocco_flow_csv(const CoccoFlowResult& r);
std::string cocco_trace_csv(const CoccoFlowResult& r);
// Writes trace CSV + gnuplot script (and the PNG when gnuplot exists) into dir; returns paths.
std::vector<std::string> write_cocco_trace(const CoccoFlowResult& r, const std::string& dir);
nlohmann::json cocco_flow_json(const CoccoFlowResult& r);

}  // namespace accelgen::flows::cocco
