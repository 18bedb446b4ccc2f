#include "generator/vlog/vlog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace accelgen::vlog {

namespace {

std::string pad(int indent) { return std::string(static_cast<size_t>(indent) * 2, ' '); }

}  // namespace

std::string lit(int width, uint64_t value) {
  if (width < 1 || width > 64) throw std::logic_error(fmt::format("literal width {}", width));
  if (width < 64 && (value >> width) != 0)
    throw std::logic_error(fmt::format("literal {} does not fit {} bits", value, width));
  return width == 1 ? fmt::format("1'b{}", value) : fmt::format("{}'d{}", width, value);
}

std::string slice(const std::string& signal, const std::string& lo, int width) {
  return fmt::format("{}[{} +: {}]", signal, lo, width);
}

std::string slice(const std::string& signal, int lo, int width) {
  if (width == 1) return fmt::format("{}[{}]", signal, lo);
  return fmt::format("{}[{}:{}]", signal, lo + width - 1, lo);
}

std::string sign_extend(const std::string& expr, int width, int to) {
  if (to < width) throw std::logic_error("sign_extend to a narrower width");
  if (to == width) return expr;
  std::string msb = width == 1 ? expr : fmt::format("{}[{}]", expr, width - 1);
  if (to - width == 1) return fmt::format("{{{}, {}}}", msb, expr);
  return fmt::format("{{{{{}{{{}}}}}, {}}}", to - width, msb, expr);
}

std::string range(int width) {
  if (width < 1) throw std::logic_error(fmt::format("signal width {}", width));
  return width == 1 ? "" : fmt::format("[{}:0]", width - 1);
}

// ---------------------------------------------------------------------------------------------
// Block

Block& Block::assign(std::string lhs, std::string rhs) {
  stmts_.push_back({Stmt::Type::kAssign, std::move(lhs), std::move(rhs), nullptr, nullptr});
  return *this;
}

Block& Block::comment(std::string text) {
  stmts_.push_back({Stmt::Type::kComment, std::move(text), "", nullptr, nullptr});
  return *this;
}

Block& Block::if_(std::string cond, const std::function<void(Block&)>& then,
                  const std::function<void(Block&)>& otherwise) {
  Stmt s{Stmt::Type::kIf, std::move(cond), "", std::make_unique<Block>(kind_), nullptr};
  then(*s.then);
  if (otherwise) {
    s.otherwise = std::make_unique<Block>(kind_);
    otherwise(*s.otherwise);
  }
  stmts_.push_back(std::move(s));
  return *this;
}

void Block::emit(std::string& out, int indent) const {
  const char* op = kind_ == Kind::kSeq ? "<=" : "=";
  for (const auto& s : stmts_) {
    switch (s.type) {
      case Stmt::Type::kAssign: out += fmt::format("{}{} {} {};\n", pad(indent), s.a, op, s.b); break;
      case Stmt::Type::kComment: out += fmt::format("{}// {}\n", pad(indent), s.a); break;
      case Stmt::Type::kIf:
        out += fmt::format("{}if ({}) begin\n", pad(indent), s.a);
        s.then->emit(out, indent + 1);
        if (s.otherwise) {
          out += fmt::format("{}end else begin\n", pad(indent));
          s.otherwise->emit(out, indent + 1);
        }
        out += fmt::format("{}end\n", pad(indent));
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Instance

Instance& Instance::param(std::string name, std::string value) {
  params_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Instance& Instance::connect(std::string port, std::string expr) {
  ports_.emplace_back(std::move(port), std::move(expr));
  return *this;
}

void Instance::emit(std::string& out, int indent) const {
  auto widest = [](const auto& pairs) {
    size_t w = 0;
    for (const auto& p : pairs) w = std::max(w, p.first.size());
    return w;
  };
  out += pad(indent) + module_;
  if (!params_.empty()) {
    out += " #(\n";
    size_t w = widest(params_);
    for (size_t i = 0; i < params_.size(); ++i)
      out += fmt::format("{}.{:<{}} ({}){}\n", pad(indent + 1), params_[i].first, w,
                         params_[i].second, i + 1 < params_.size() ? "," : "");
    out += pad(indent) + ")";
  }
  out += fmt::format(" {} (\n", name_);
  size_t w = widest(ports_);
  for (size_t i = 0; i < ports_.size(); ++i)
    out += fmt::format("{}.{:<{}} ({}){}\n", pad(indent + 1), ports_[i].first, w,
                       ports_[i].second, i + 1 < ports_.size() ? "," : "");
  out += pad(indent) + ");\n";
}

// ---------------------------------------------------------------------------------------------
// Scope

void Scope::declare(const std::string& name) {
  if (!names_->insert(name).second)
    throw std::logic_error(fmt::format("name '{}' declared twice in one module", name));
}

Scope& Scope::comment(std::string text) {
  Item it(Item::Type::kComment);
  it.a = std::move(text);
  items_.push_back(std::move(it));
  return *this;
}

Scope& Scope::blank() {
  items_.emplace_back(Item::Type::kBlank);
  return *this;
}

Scope& Scope::logic(std::string name, int width, int depth) {
  declare(name);
  range(width);  // validates
  Item it(Item::Type::kLogic);
  it.a = std::move(name);
  it.width = width;
  it.depth = depth;
  items_.push_back(std::move(it));
  return *this;
}

Scope& Scope::vector(std::string name, int width) {
  logic(std::move(name), width);
  items_.back().ranged = true;
  return *this;
}

Scope& Scope::localparam(std::string name, int64_t value) {
  declare(name);
  Item it(Item::Type::kLocalparam);
  it.a = std::move(name);
  it.value = value;
  items_.push_back(std::move(it));
  return *this;
}

Scope& Scope::assign(std::string lhs, std::string rhs) {
  Item it(Item::Type::kAssign);
  it.a = std::move(lhs);
  it.b = std::move(rhs);
  items_.push_back(std::move(it));
  return *this;
}

AlwaysFF& Scope::always_ff(std::string clock, std::string reset_n) {
  Item it(Item::Type::kFF);
  it.ff = std::make_unique<AlwaysFF>();
  it.ff->clock = std::move(clock);
  it.ff->reset_n = std::move(reset_n);
  items_.push_back(std::move(it));
  return *items_.back().ff;
}

Block& Scope::always_comb() {
  Item it(Item::Type::kComb);
  it.comb = std::make_unique<Block>(Block::Kind::kComb);
  items_.push_back(std::move(it));
  return *items_.back().comb;
}

Instance& Scope::instance(std::string module, std::string name) {
  declare(name);
  Item it(Item::Type::kInstance);
  it.inst = std::make_unique<Instance>(std::move(module), std::move(name));
  items_.push_back(std::move(it));
  return *items_.back().inst;
}

Scope& Scope::generate_for(std::string label, std::string var, int count) {
  declare(label);
  if (count < 1) throw std::logic_error(fmt::format("generate loop '{}' of {} iterations", label, count));
  Item it(Item::Type::kFor);
  it.a = std::move(label);
  it.b = std::move(var);
  it.count = count;
  it.scope = std::make_unique<Scope>(names_);
  items_.push_back(std::move(it));
  return *items_.back().scope;
}

void Scope::emit(std::string& out, int indent) const {
  for (const auto& it : items_) {
    switch (it.type) {
      case Item::Type::kComment: out += fmt::format("{}// {}\n", pad(indent), it.a); break;
      case Item::Type::kBlank: out += "\n"; break;
      case Item::Type::kLogic: {
        std::string r = it.ranged ? fmt::format("[{}:0]", it.width - 1) : range(it.width);
        out += fmt::format("{}logic {}{}{}{};\n", pad(indent), r, r.empty() ? "" : " ", it.a,
                           it.depth > 0 ? fmt::format(" [{}]", it.depth) : "");
        break;
      }
      case Item::Type::kLocalparam:
        out += fmt::format("{}localparam int unsigned {} = {};\n", pad(indent), it.a, it.value);
        break;
      case Item::Type::kAssign:
        out += fmt::format("{}assign {} = {};\n", pad(indent), it.a, it.b);
        break;
      case Item::Type::kFF:
        if (it.ff->reset_n.empty()) {  // no reset (memories): the body alone
          out += fmt::format("{}always_ff @(posedge {}) begin\n", pad(indent), it.ff->clock);
          it.ff->body.emit(out, indent + 1);
          out += fmt::format("{}end\n", pad(indent));
          break;
        }
        out += fmt::format("{}always_ff @(posedge {} or negedge {}) begin\n", pad(indent),
                           it.ff->clock, it.ff->reset_n);
        out += fmt::format("{}if (!{}) begin\n", pad(indent + 1), it.ff->reset_n);
        it.ff->reset.emit(out, indent + 2);
        out += fmt::format("{}end else begin\n", pad(indent + 1));
        it.ff->body.emit(out, indent + 2);
        out += fmt::format("{}end\n{}end\n", pad(indent + 1), pad(indent));
        break;
      case Item::Type::kComb:
        out += fmt::format("{}always_comb begin\n", pad(indent));
        it.comb->emit(out, indent + 1);
        out += fmt::format("{}end\n", pad(indent));
        break;
      case Item::Type::kInstance: it.inst->emit(out, indent); break;
      case Item::Type::kFor:
        out += fmt::format("{0}for (genvar {1} = 0; {1} < {2}; {1}++) begin : {3}\n", pad(indent),
                           it.b, it.count, it.a);
        it.scope->emit(out, indent + 1);
        out += fmt::format("{}end\n", pad(indent));
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Module

Module::Module(std::string name) : name_(std::move(name)) {}

Module& Module::header(std::vector<std::string> lines) {
  header_ = std::move(lines);
  return *this;
}

Module& Module::port(Dir dir, std::string name, int width, std::string comment) {
  if (!names_.insert(name).second)
    throw std::logic_error(fmt::format("port '{}' declared twice", name));
  range(width);
  ports_.push_back({dir, std::move(name), width, std::move(comment)});
  return *this;
}

Module& Module::input(std::string name, int width, std::string comment) {
  return port(Dir::kInput, std::move(name), width, std::move(comment));
}

Module& Module::output(std::string name, int width, std::string comment) {
  return port(Dir::kOutput, std::move(name), width, std::move(comment));
}

std::string Module::emit() const {
  std::string out;
  for (const auto& line : header_) out += line.empty() ? "//\n" : "// " + line + "\n";
  out += fmt::format("module {} (\n", name_);
  size_t range_w = 0, name_w = 0;
  for (const auto& p : ports_) {
    range_w = std::max(range_w, range(p.width).size());
    name_w = std::max(name_w, p.name.size() + 1);
  }
  for (size_t i = 0; i < ports_.size(); ++i) {
    const Port& p = ports_[i];
    std::string decl = fmt::format("{} logic {:<{}} {}{}", p.dir == Dir::kInput ? "input " : "output",
                                   range(p.width), range_w, p.name, i + 1 < ports_.size() ? "," : "");
    if (!p.comment.empty()) decl = fmt::format("{:<{}}  // {}", decl, 14 + range_w + name_w, p.comment);
    // Trailing spaces would make the golden text fragile; strip them.
    while (!decl.empty() && decl.back() == ' ') decl.pop_back();
    out += "  " + decl + "\n";
  }
  out += ");\n\n";
  body_.emit(out, 1);
  out += "\nendmodule\n";
  return out;
}

}  // namespace accelgen::vlog
