#include "compiler/npu/workload.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/error.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "compiler/npu/bert.hpp"
#include "compiler/npu/network.hpp"
#include "compiler/npu/quant.hpp"

namespace accelgen::compiler::npu {

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names = {"resnet_block", "mbv2_block", "bert_layer",
                                                 "tiny_resnet", "resnet18"};
  return names;
}

NpuProgram compile_workload(const std::string& name, const golden::npu::NpuConfig& config,
                            const WorkloadOptions& o) {
  if (name == "bert_layer") {
    return compile_bert(quantize_bert(random_bert({o.seq, o.hidden, o.heads, o.ffn}, o.seed)),
                        config);
  }
  graph::Graph g;
  if (name == "resnet_block") {
    g = resnet_basic_block(o.channels, o.size, o.size);
  } else if (name == "resnet18") {
    g = graph::build_zoo_model("resnet18", {.resolution = o.size});
  } else if (name == "tiny_resnet") {
    g = tiny_resnet(o.size, o.size);
  } else if (name == "mbv2_block") {
    g = mobilenet_v2_block(o.channels, 2 * o.channels, o.size, o.size);
  } else {
    throw UserError(
        fmt::format("npu: unknown workload '{}' ({})", name, fmt::join(workload_names(), ", ")));
  }
  return compile(quantize(g, random_float_model(g, o.seed)), config, {o.tile_m});
}

NpuWorkload make_workload(const std::string& name, const golden::npu::NpuConfig& config,
                          const WorkloadOptions& o) {
  NpuWorkload w;
  w.name = name;
  w.program = compile_workload(name, config, o);
  golden::npu::NpuSim sim(config);
  w.expected = run_on_golden(w.program, sim);
  w.cycles = sim.DoneCycle();
  return w;
}

}  // namespace accelgen::compiler::npu
