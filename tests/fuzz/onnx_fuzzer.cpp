// libFuzzer target: the ONNX model loader (onnx_import.hpp). The bytes are a .onnx file; a
// truncated or corrupt one must give one UserError line naming it, an accepted one must give a
// graph that round-trips through the IR JSON form.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/graph/onnx_import.hpp"
#include "tests/fuzz/graph_fuzz_common.hpp"

using namespace accelgen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::Guarded("fuzz.onnx: ", [&] {
    fuzz::CheckGraphRoundTrip(graph::import_onnx_bytes(bytes, "fuzz.onnx").graph);
  });
  return 0;
}
