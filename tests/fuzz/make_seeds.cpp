// Writes the seed corpora of the fuzz targets into OUTDIR/<target>/ (scripts/fuzz.sh runs it, so
// the repository holds no corpus files): the assembler example of isa/README.md and a few programs
// covering every instruction class, their assembled words, and IR JSON / ONNX exports of small zoo
// models. scripts/fuzz.sh adds XRBench files and libonnx-testdata models.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "compiler/graph/json_io.hpp"
#include "compiler/graph/onnx_import.hpp"
#include "compiler/graph/zoo/zoo.hpp"
#include "isa/tandem/asm.hpp"
#include "tests/isa/tandem_seed_programs.hpp"

namespace fs = std::filesystem;
using namespace accelgen;

namespace {

std::vector<std::string> Programs() {
  std::vector<std::string> programs = {
    // isa/README.md, "Assembler syntax"
    R"(# comment; ';' also starts a comment
.equ  N = 64               # numeric symbol (',' may replace '=')
.ns   in = vmem1           # namespace symbol: in[3] is vmem1[3]; accepted where a buffer is named
.iter x = in[0]            # operand symbol
.iter y = vmem2[0]
      loop.set_iter 0, N
      loop.set_index y, x, imm[1]
      loop.set_num_inst 1
body: add y, x, imm[1]     # label: value = index of its instruction (usable as a number)
      ld.start vmem1, 5, 0x100
      perm.set_stride src, 0, -8
)",
  };
  const auto& more = isa::tandem::SeedPrograms();
  programs.insert(programs.end(), more.begin(), more.end());
  return programs;
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) throw UserError(path.string() + ": cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  try {
    const std::vector<std::string> programs = Programs();
    for (size_t i = 0; i < programs.size(); ++i) {
      const std::string name = "prog" + std::to_string(i);
      Write(out / "tandem_asm" / (name + ".tasm"), programs[i]);
      const std::vector<uint32_t> words = isa::tandem::Assemble(programs[i], name);
      std::string bytes;
      for (uint32_t w : words)
        for (int b = 0; b < 4; ++b) bytes += static_cast<char>((w >> (8 * b)) & 0xff);
      Write(out / "tandem_decode" / (name + ".bin"), bytes);
    }
    for (const char* model : {"alexnet", "resnet18", "tiny_yolo_v2"}) {
      const graph::Graph g = graph::build_zoo_model(model);
      Write(out / "graph_json" / (std::string(model) + ".json"), graph::to_json(g).dump(1));
      if (graph::onnx_import_available())
        Write(out / "onnx" / (std::string(model) + ".onnx"), graph::export_onnx(g));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
