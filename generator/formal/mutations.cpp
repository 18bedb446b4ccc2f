#include "generator/formal/mutations.hpp"

#include <fmt/format.h>

#include <regex>

#include "common/error.hpp"

namespace accelgen::formal {

const std::vector<Mutation>& all_mutations() {
  // Each entry is the edit of the co-simulation test of the same name, character for character.
  static const std::vector<Mutation> kAll = {
      {"WrongShift",
       "cvu",
       "every NBVE shifted by b(j+k)/2 instead of b(j+k) (b = 2)",
       "<< (2*(",
       "<< (1*(",
       false,
       false,
       {"lanes=2"}},
      {"WrongProductSign",
       "bihiwe",
       "a lane's product sign is sign(x) OR sign(w) instead of XOR",
       "x_el[7] ^ w_el[7]",
       "x_el[7] | w_el[7]",
       false,
       false,
       {"lanes=2", "acc_cycles=2"}},
      {"PruningEqualScores",
       "leopard_qk",
       "prunes when bound <= Th (equal scores must be kept)",
       "$signed(bound) < $signed(th_i)",
       "$signed(bound) <= $signed(th_i)",
       false,
       true,
       {"taps=4", "n_dpu=2", "seq_len=6"}},
      {"TooSmallMargin",
       "leopard_qk",
       "margin S*(2^p - 2) instead of S*(2^p - 1)",
       "(s_sum << rem) - s_sum",
       "(s_sum << rem) - (s_sum << 1)",
       false,
       true,
       {"taps=4", "n_dpu=2", "seq_len=6"}},
      {"XorMarginOnTwosComplement",
       "leopard_qk",
       "the thesis's sign-XOR margin applied to two's-complement K in the first bit-serial cycle",
       "assign s_term = q_t[11] ? 12'd0 : q_t;",
       "assign s_term = (q_t != 12'd0 && q_t[11] == digit[2]) ? (q_t[11] ? 12'd0 - q_t : q_t) : "
       "12'd0;",
       false,
       true,
       {"taps=4", "n_dpu=2", "seq_len=6"}},
      {"MissingBarrier",
       "leopard_qk",
       "the next Q vector is accepted while units are still busy",
       "assign q_ready_o = !(|busy);",
       "assign q_ready_o = !(&busy);",
       false,
       true,
       {"taps=4", "n_dpu=2", "seq_len=6"}},
      {"IgnoredBackPressure",
       "noc",
       "a router input FIFO of depth 2 always claims room (overwrites flits)",
       R"(assign ready_o = cnt_q != 2'd2;)",
       "assign ready_o = 1'b1;",
       true,
       false,
       {"rows=3", "cols=3", "topology=amp", "express_len=2", "buffer_depth=2"}},
      {"FixedPriorityInsteadOfRoundRobin",
       "noc",
       "outputs arbitrate by fixed priority, not round robin",
       R"(assign (above\d) = (cand\d) & )",
       "assign $1 = 9'd0 & $2 & ",
       true,
       false,
       {"rows=3", "cols=3", "topology=amp", "express_len=2", "buffer_depth=2"}},
      {"LateExpressRouting",
       "noc",
       "express links taken one hop later than specified",
       R"(- my_row_i >= 2'd2)",
       "- my_row_i > 2'd2",
       true,
       false,
       {"rows=3", "cols=3", "topology=amp", "express_len=2", "buffer_depth=2"}},
      {"CorruptedSourceId",
       "noc",
       "the network stamps node 0's id on node 1's packets (2x2)",
       R"(2'd1, inj_data_i\[)",
       "2'd0, inj_data_i[",
       true,
       false,
       {"rows=2", "cols=2"}},
  };
  return kAll;
}

const Mutation& find_mutation(const std::string& block, const std::string& name) {
  std::string known;
  for (const auto& m : all_mutations()) {
    if (m.block != block) continue;
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw UserError(fmt::format("unknown mutation '{}' for block '{}' (known: {})", name, block,
                              known.empty() ? "none" : known));
}

void apply_mutation(GeneratedDesign& d, const Mutation& m) {
  size_t hits = 0;
  for (auto& f : d.files) {
    if (m.regex) {
      const std::regex re(m.from);
      const auto n =
          std::distance(std::sregex_iterator(f.contents.begin(), f.contents.end(), re), {});
      if (n == 0) continue;
      hits += static_cast<size_t>(n);
      f.contents = std::regex_replace(f.contents, re, m.to);
      continue;
    }
    for (size_t pos = 0; (pos = f.contents.find(m.from, pos)) != std::string::npos;
         pos += m.to.size()) {
      f.contents.replace(pos, m.from.size(), m.to);
      ++hits;
      if (m.first_only) break;
    }
  }
  if (hits == 0)
    throw UserError(fmt::format(
        "mutation {}: its anchor '{}' is not in this configuration's RTL (it is in e.g. --set {})",
        m.name, m.from, fmt::join(m.example_sets, " --set ")));
}

}  // namespace accelgen::formal
