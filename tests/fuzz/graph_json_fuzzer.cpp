// libFuzzer target: the graph IR JSON loader (json_io.hpp). The bytes are a graph file; a rejected
// file must give one UserError line naming it, an accepted one must round-trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "compiler/graph/json_io.hpp"
#include "tests/fuzz/graph_fuzz_common.hpp"

using namespace accelgen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::Guarded("fuzz.json: ", [&] {
    fuzz::CheckGraphRoundTrip(
        graph::json_graph_from_text(text, "fuzz.json", graph::graph_from_json));
  });
  return 0;
}
