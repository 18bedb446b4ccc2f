#include "verilator_tb/model_builder.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/process.hpp"
#include "generator/eda/eda.hpp"

#ifndef ACCELGEN_SOURCE_DIR
#error "ACCELGEN_SOURCE_DIR must point at the source tree (for verilator_tb/dut.hpp)"
#endif

namespace accelgen::sim {

namespace fs = std::filesystem;

std::string cache_root() {
  if (const char* c = std::getenv("ACCELGEN_CACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/accelgen";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/accelgen";
  return "/tmp/accelgen-cache";
}

TraceKind trace_kind_for(const std::string& trace_path) {
  if (trace_path.empty()) return TraceKind::kNone;
  std::string ext = fs::path(trace_path).extension().string();
  if (ext == ".fst") return TraceKind::kFst;
  if (ext == ".vcd") return TraceKind::kVcd;
  throw UserError(fmt::format("trace file '{}' must end in .fst or .vcd", trace_path));
}

std::unique_ptr<Dut> Model::create(const std::string& trace_path) const {
  return std::unique_ptr<Dut>(create_(trace_path.c_str()));
}

namespace {

const char* trace_name(TraceKind t) {
  return t == TraceKind::kFst ? "fst" : t == TraceKind::kVcd ? "vcd" : "notrace";
}

// The first line that looks like an error, for a one-line report; the full log stays on disk.
std::string first_error(const std::string& log) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    if (line.find("%Error") != std::string::npos || line.find("error:") != std::string::npos) return line;
  return "see the build log";
}

void run_step(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log_path,
              const std::vector<std::string>& env, const std::string& what) {
  ProcessResult r = run_process(argv, cwd, env);
  std::ofstream(log_path, std::ios::app) << r.output;
  if (r.exit_code != 0)
    throw UserError(fmt::format("{} failed: {} (log: {})", what, first_error(r.output), log_path));
}

// Exclusive lock on a file, held for the lifetime of the object: two processes building the same
// configuration (ctest -j) wait for each other instead of racing.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ < 0) throw UserError(fmt::format("cannot create lock file '{}'", path));
    flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    flock(fd_, LOCK_UN);
    close(fd_);
  }

 private:
  int fd_;
};

// The Verilator command line (without sources). The adapter is the "main" of a --exe build linked
// with -shared: one step builds the model, the Verilator runtime and the adapter into one
// position-independent shared object. 1 ns time units make a clock cycle 10 ns in waveforms.
std::vector<std::string> verilator_args(const std::string& top, TraceKind trace, unsigned jobs, bool hierarchical) {
  std::vector<std::string> args = {
      "verilator", "--cc", "--exe", "--build", "-j", std::to_string(jobs), "-O3", "--x-assign", "0",
      "--x-initial", "0", "-Wno-fatal", "--timescale", "1ns/1ns", "--prefix", "Vdut", "--top-module", top,
      "--Mdir", "obj", "-o", "dut.so.tmp", "-LDFLAGS", "-shared",
      "-CFLAGS", "-fPIC -fvisibility=hidden -I" ACCELGEN_SOURCE_DIR,
      "-MAKEFLAGS", "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2"};
  if (trace == TraceKind::kFst) args.push_back("--trace-fst");
  if (trace == TraceKind::kVcd) args.push_back("--trace");
  if (hierarchical) args.push_back("--hierarchical");
  return args;
}

void compile(const GeneratedDesign& design, const std::string& adapter, TraceKind trace, const fs::path& dir,
             const std::function<void(const std::string&)>& progress) {
  fs::create_directories(dir / "rtl");
  std::vector<std::string> files;
  for (const auto& f : design.files) {
    std::ofstream(dir / "rtl" / f.name) << f.contents;
    files.push_back((dir / "rtl" / f.name).string());
  }
  std::ofstream(dir / "adapter.cpp") << adapter;
  const std::string log = (dir / "build.log").string();
  const unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> env;
  if (!find_program("ccache").empty()) env.push_back("OBJCACHE=ccache");

  if (progress) progress(fmt::format("verilating {} ({}) into {}", design.top, trace_name(trace), dir.string()));
  std::vector<std::string> verilate = verilator_args(design.top, trace, jobs, design.verilate_hierarchical);
  verilate.insert(verilate.end(), files.begin(), files.end());
  verilate.push_back("adapter.cpp");
  run_step(verilate, dir.string(), log, env, "Verilation of " + design.top);
  fs::rename(dir / "obj" / "dut.so.tmp", dir / "dut.so");
}

}  // namespace

std::shared_ptr<Model> build_model(const GeneratedDesign& design, TraceKind trace,
                                   const std::function<void(const std::string&)>& progress) {
  fs::path root = cache_root();
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw UserError(fmt::format("cannot create the model cache '{}': {}", root.string(), ec.message()));
  // The key covers everything that shapes the shared object: RTL, adapter, Verilator and its options.
  const std::string adapter = emit_adapter(design, trace);
  std::string recipe;
  for (const auto& a : verilator_args(design.top, trace, 0, design.verilate_hierarchical)) recipe += a + " ";
  const std::string key = fmt::format("{}-{}-{}-v{}", design.top, stable_hash({design.content_hash(), adapter, recipe}),
                                      trace_name(trace), verilator_version());
  fs::path dir = root / key;
  auto model = std::make_shared<Model>();
  model->dir_ = dir.string();
  model->top_ = design.top;
  model->ports_ = design.ports;
  {
    FileLock lock((root / (key + ".lock")).string());
    if (fs::exists(dir / "dut.so")) {
      model->cached_ = true;
    } else {
      auto start = std::chrono::steady_clock::now();
      fs::remove_all(dir, ec);
      compile(design, adapter, trace, dir, progress);
      model->build_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  // Models are never unloaded: Verilated code may run static destructors at exit.
  void* handle = dlopen((dir / "dut.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw UserError(fmt::format("cannot load model '{}': {}", (dir / "dut.so").string(), dlerror()));
  auto abi = reinterpret_cast<AccelgenDutAbi>(dlsym(handle, "accelgen_dut_abi"));
  model->create_ = reinterpret_cast<AccelgenCreateDut>(dlsym(handle, "accelgen_create_dut"));
  if (!abi || !model->create_ || abi() != kDutAbiVersion)
    throw UserError(fmt::format("model '{}' does not match this accelgen; delete it and retry", dir.string()));
  return model;
}

}  // namespace accelgen::sim
