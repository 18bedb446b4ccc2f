// The Verilog construction layer: build modules as data (ports, signals, processes, instances,
// labelled generate loops) and print deterministic SystemVerilog in the project's RTL style.
//
// Expressions are plain strings; the helpers below build the sized, explicitly-cast pieces that
// keep `verilator -Wall` clean. Widths are always computed by the generator (integers), so the
// output never depends on context-determined sizing. The subset emitted is the one that both
// Verilator 5.006 and Yosys 0.23 accept (CONVENTIONS.md): no packed multi-dimensional arrays, no
// package imports in module headers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace accelgen::vlog {

// Sized literal: lit(8, 5) == "8'd5", lit(1, 1) == "1'b1". Throws if VALUE does not fit WIDTH.
std::string lit(int width, uint64_t value);
// Part select of WIDTH bits starting at LSB index LO (an integer or an expression).
std::string slice(const std::string& signal, const std::string& lo, int width);
std::string slice(const std::string& signal, int lo, int width);
// Sign-extends a signed WIDTH-bit expression to TO bits with an explicit replication.
std::string sign_extend(const std::string& expr, int width, int to);
// Sign-extends WIDTH bits of SIGNAL starting at LO to TO bits: {{n{sig[msb]}}, sig[msb:lo]}.
std::string sign_extend_slice(const std::string& signal, int lo, int width, int to);
// A signed WIDTH-bit SIGNAL resized to TO bits: sign-extended, or its low TO bits (the value is
// then taken modulo 2^TO, which is exact when the caller knows the result fits).
std::string resize_signed(const std::string& signal, int width, int to);
// Range suffix for a declaration: "" for one bit, "[W-1:0]" otherwise.
std::string range(int width);

// Procedural statements inside always_ff / always_comb.
class Block {
 public:
  enum class Kind { kComb, kSeq };
  explicit Block(Kind kind) : kind_(kind) {}

  // `lhs = rhs;` in always_comb, `lhs <= rhs;` in always_ff.
  Block& assign(std::string lhs, std::string rhs);
  Block& comment(std::string text);
  // if (cond) { then } else { otherwise }; an empty `otherwise` omits the else branch.
  Block& if_(std::string cond, const std::function<void(Block&)>& then,
             const std::function<void(Block&)>& otherwise = {});

  // for (int unsigned VAR = 0; VAR < COUNT; VAR++) begin ... end
  Block& for_(std::string var, int count, const std::function<void(Block&)>& body);
  // unique case (EXPR) LABEL: begin ... end ... default: begin ... end endcase
  using CaseItem = std::pair<std::string, std::function<void(Block&)>>;
  Block& case_(std::string expr, const std::vector<CaseItem>& items,
               const std::function<void(Block&)>& otherwise);

  void emit(std::string& out, int indent) const;
  bool empty() const { return stmts_.empty(); }

 private:
  struct Stmt {
    enum class Type { kAssign, kComment, kIf, kFor, kCase } type;
    std::string a, b;  // lhs/rhs, comment text, condition, loop variable or case expression
    std::unique_ptr<Block> then, otherwise;  // if branches; loop body in `then`; case default
    int count = 0;
    std::vector<std::pair<std::string, std::unique_ptr<Block>>> items;  // case items
  };
  Kind kind_;
  std::vector<Stmt> stmts_;
};

// An always_ff with active-low asynchronous reset: `reset` runs under !rst_ni, `body` otherwise.
// With an empty reset_n it is `always_ff @(posedge clock)` with the body alone (for memories).
struct AlwaysFF {
  std::string clock, reset_n;
  Block reset{Block::Kind::kSeq};
  Block body{Block::Kind::kSeq};
};

class Instance {
 public:
  Instance(std::string module, std::string name) : module_(std::move(module)), name_(std::move(name)) {}
  Instance& param(std::string name, std::string value);
  Instance& param(std::string name, int64_t value) { return param(std::move(name), std::to_string(value)); }
  Instance& connect(std::string port, std::string expr);
  void emit(std::string& out, int indent) const;

 private:
  std::string module_, name_;
  std::vector<std::pair<std::string, std::string>> params_, ports_;
};

// The items of a module body or of a generate block.
class Scope {
 public:
  explicit Scope(std::set<std::string>* names) : names_(names) {}
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  Scope& comment(std::string text);
  Scope& blank();
  // `logic [W-1:0] name;` (or `logic [W-1:0] name [depth];` for depth > 0).
  Scope& logic(std::string name, int width, int depth = 0);
  // Like logic() but always ranged ("logic [0:0] x;" for one bit), so x[i] stays legal when a
  // generator parameter makes the vector one bit wide.
  Scope& vector(std::string name, int width);
  Scope& localparam(std::string name, int64_t value);
  // Continuous assignment.
  Scope& assign(std::string lhs, std::string rhs);
  AlwaysFF& always_ff(std::string clock = "clk_i", std::string reset_n = "rst_ni");
  // always_ff @(posedge CLOCK) with no reset (memories): only the returned body is emitted.
  Block& always_ff_noreset(std::string clock = "clk_i");
  Block& always_comb();
  Instance& instance(std::string module, std::string name);
  // for (genvar VAR = 0; VAR < COUNT; VAR++) begin : LABEL ... end
  Scope& generate_for(std::string label, std::string var, int count);

  void emit(std::string& out, int indent) const;

 private:
  void declare(const std::string& name);
  struct Item {
    enum class Type { kComment, kBlank, kLogic, kLocalparam, kAssign, kFF, kComb, kInstance, kFor };
    explicit Item(Type t) : type(t) {}
    Type type;
    std::string a, b;
    int width = 0, depth = 0, count = 0;
    bool ranged = false;
    int64_t value = 0;
    std::unique_ptr<AlwaysFF> ff;
    std::unique_ptr<Block> comb;
    std::unique_ptr<Instance> inst;
    std::unique_ptr<Scope> scope;
  };
  std::set<std::string>* names_;  // shared by the whole module: every name is unique in it
  std::vector<Item> items_;
};

enum class Dir { kInput, kOutput };

struct Port {
  Dir dir;
  std::string name;
  int width;
  std::string comment;
  bool ranged = false;
};

class Module {
 public:
  explicit Module(std::string name);
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }
  Module& header(std::vector<std::string> lines);
  // RANGED keeps a [0:0] range on one-bit ports, so p[i] stays legal when a parameter makes the
  // port one bit wide.
  Module& input(std::string name, int width, std::string comment = "", bool ranged = false);
  Module& output(std::string name, int width, std::string comment = "", bool ranged = false);
  const std::vector<Port>& ports() const { return ports_; }
  Scope& body() { return body_; }

  // The whole file: header comment, module, ports, body, endmodule.
  std::string emit() const;

 private:
  Module& port(Dir dir, std::string name, int width, std::string comment, bool ranged);
  std::string name_;
  std::vector<std::string> header_;
  std::vector<Port> ports_;
  std::set<std::string> names_;
  Scope body_{&names_};
};

}  // namespace accelgen::vlog
