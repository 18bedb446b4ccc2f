#include "isa/tandem/asm.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "common/error.hpp"

namespace accelgen::isa::tandem {
namespace {

enum class TokKind { kIdent, kNumber, kPunct };

struct Token {
  TokKind kind;
  std::string_view text;
  int col;  // 1-based
};

struct Line {
  int number;  // 1-based
  std::vector<Token> tokens;
};

// Magnitudes above this are rejected while parsing, so no arithmetic can overflow.
constexpr uint64_t kMaxMagnitude = uint64_t{1} << 40;

class Assembler {
 public:
  explicit Assembler(std::string_view source) : source_(source) {}

  std::vector<uint32_t> Run(std::string_view text) {
    std::vector<Line> lines = Tokenize(text);
    CollectLabels(lines);
    std::vector<uint32_t> words;
    for (const Line& line : lines) {
      line_ = line.number;
      size_t pos = LabelTokens(line);
      if (pos == line.tokens.size()) continue;
      const Token& first = line.tokens[pos];
      if (first.kind == TokKind::kIdent && first.text.front() == '.') {
        Directive(line, pos);
      } else {
        words.push_back(InstructionLine(line, pos));
      }
    }
    return words;
  }

 private:
  enum class SymKind { kNumber, kNamespace, kSlot };
  struct Symbol {
    SymKind kind;
    int64_t value;
    int64_t iter;
  };

  [[noreturn]] void Fail(int col, const std::string& msg) const {
    throw UserError(fmt::format("{}:{}:{}: {}", source_, line_, col, msg));
  }

  static std::string Shown(std::string_view text) {
    std::string out;
    for (char c : text) {
      const auto u = static_cast<unsigned char>(c);
      out += (u >= 0x20 && u < 0x7f) ? std::string(1, c) : fmt::format("\\x{:02x}", u);
    }
    return out;
  }

  std::vector<Line> Tokenize(std::string_view text) {
    std::vector<Line> lines;
    int number = 0;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view s = text.substr(start, end - start);
      ++number;
      line_ = number;
      Line line{number, {}};
      size_t i = 0;
      while (i < s.size()) {
        const char c = s[i];
        const auto is_ident = [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' ||
                 (ch >= '0' && ch <= '9');
        };
        if (c == '#' || c == ';') break;
        if (c == ' ' || c == '\t' || c == '\r') {
          ++i;
        } else if (is_ident(c)) {
          const size_t b = i;
          while (i < s.size() && is_ident(s[i])) ++i;
          const TokKind kind = (c >= '0' && c <= '9') ? TokKind::kNumber : TokKind::kIdent;
          line.tokens.push_back(Token{kind, s.substr(b, i - b), static_cast<int>(b) + 1});
        } else if (c == '[' || c == ']' || c == ',' || c == ':' || c == '=' || c == '-' ||
                   c == '+') {
          line.tokens.push_back(Token{TokKind::kPunct, s.substr(i, 1), static_cast<int>(i) + 1});
          ++i;
        } else {
          Fail(static_cast<int>(i) + 1,
               fmt::format("unexpected character '{}'", Shown(s.substr(i, 1))));
        }
      }
      lines.push_back(std::move(line));
      if (end == text.size()) break;
      start = end + 1;
    }
    return lines;
  }

  // Number of tokens forming a leading "name:" label (0 or 2).
  static size_t LabelTokens(const Line& line) {
    const auto& t = line.tokens;
    if (t.size() >= 2 && t[0].kind == TokKind::kIdent && t[1].text == ":") return 2;
    return 0;
  }

  void CollectLabels(const std::vector<Line>& lines) {
    int64_t index = 0;
    for (const Line& line : lines) {
      line_ = line.number;
      const size_t pos = LabelTokens(line);
      if (pos == 2) {
        const Token& name = line.tokens[0];
        if (name.text.front() == '.') Fail(name.col, "a label name cannot start with '.'");
        Define(name, Symbol{SymKind::kNumber, index, 0});
      }
      if (pos < line.tokens.size() && line.tokens[pos].text.front() != '.') ++index;
    }
  }

  static bool IsReservedName(std::string_view name) {
    static const std::set<std::string_view> reserved = [] {
      std::set<std::string_view> r;
      for (int n = 0; n < kNumNamespaces; ++n) r.insert(NamespaceName(n));
      for (const InstrDef& d : InstructionTable()) {
        for (const Operand& op : d.operands) {
          for (std::string_view e : op.enum_names) {
            if (!e.empty()) r.insert(e);
          }
        }
      }
      return r;
    }();
    return reserved.count(name) != 0;
  }

  void Define(const Token& name, Symbol sym) {
    if (name.kind != TokKind::kIdent)
      Fail(name.col, fmt::format("'{}' is not a name", Shown(name.text)));
    if (IsReservedName(name.text)) {
      Fail(name.col, fmt::format("'{}' is a reserved word and cannot be redefined", name.text));
    }
    if (!symbols_.emplace(std::string(name.text), sym).second) {
      Fail(name.col, fmt::format("symbol '{}' is already defined", name.text));
    }
  }

  // --- cursor over one line's tokens ---
  struct Cursor {
    const Line& line;
    size_t pos;
    int EndCol() const {
      if (line.tokens.empty()) return 1;
      const Token& last = line.tokens.back();
      return last.col + static_cast<int>(last.text.size());
    }
    bool AtEnd() const { return pos >= line.tokens.size(); }
    const Token* Peek() const { return AtEnd() ? nullptr : &line.tokens[pos]; }
    int Col() const { return AtEnd() ? EndCol() : line.tokens[pos].col; }
  };

  const Token& Next(Cursor& c, std::string_view what) {
    if (c.AtEnd()) Fail(c.Col(), fmt::format("expected {} at the end of the line", what));
    return c.line.tokens[c.pos++];
  }

  void Expect(Cursor& c, std::string_view punct) {
    const Token& t = Next(c, fmt::format("'{}'", punct));
    if (t.text != punct)
      Fail(t.col, fmt::format("expected '{}', found '{}'", punct, Shown(t.text)));
  }

  void ExpectEnd(const Cursor& c, std::string_view after) {
    if (!c.AtEnd()) {
      Fail(c.Col(), fmt::format("unexpected '{}' after {}", Shown(c.Peek()->text), after));
    }
  }

  int64_t ParseNumber(const Token& t) {
    std::string_view s = t.text;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
      base = 2;
      s.remove_prefix(2);
    }
    uint64_t v = 0;
    for (char ch : s) {
      int d = -1;
      if (ch >= '0' && ch <= '9') d = ch - '0';
      if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
      if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
      if (d < 0 || d >= base) Fail(t.col, fmt::format("malformed number '{}'", Shown(t.text)));
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
      if (v > kMaxMagnitude) Fail(t.col, fmt::format("number '{}' is too large", Shown(t.text)));
    }
    return static_cast<int64_t>(v);
  }

  // value := ['+'|'-'] (number | numeric symbol | label)
  int64_t ParseValue(Cursor& c) {
    const Token* t = &Next(c, "a value");
    bool negative = false;
    if (t->text == "-" || t->text == "+") {
      negative = t->text == "-";
      t = &Next(c, "a value after the sign");
    }
    int64_t v = 0;
    if (t->kind == TokKind::kNumber) {
      v = ParseNumber(*t);
    } else if (t->kind == TokKind::kIdent) {
      auto it = symbols_.find(std::string(t->text));
      if (it == symbols_.end()) Fail(t->col, fmt::format("undefined symbol '{}'", Shown(t->text)));
      if (it->second.kind != SymKind::kNumber) {
        Fail(t->col, fmt::format("'{}' is not a numeric symbol", t->text));
      }
      v = it->second.value;
    } else {
      Fail(t->col, fmt::format("expected a value, found '{}'", Shown(t->text)));
    }
    return negative ? -v : v;
  }

  // namespace reference: a namespace name or a .ns symbol
  int64_t ParseNamespace(Cursor& c) {
    const Token& t = Next(c, "a namespace");
    if (t.kind == TokKind::kIdent) {
      for (int n = 0; n < kNumNamespaces; ++n) {
        if (NamespaceName(n) == t.text) return n;
      }
      auto it = symbols_.find(std::string(t.text));
      if (it != symbols_.end() && it->second.kind == SymKind::kNamespace) return it->second.value;
    }
    Fail(t.col, fmt::format("expected a namespace (obuf, ibuf, vmem1, vmem2, imm or a .ns symbol), "
                            "found '{}'",
                            Shown(t.text)));
  }

  // slot := ns '[' value ']' | .iter symbol
  OperandValue ParseSlot(Cursor& c) {
    const Token* t = c.Peek();
    if (t != nullptr && t->kind == TokKind::kIdent) {
      auto it = symbols_.find(std::string(t->text));
      if (it != symbols_.end() && it->second.kind == SymKind::kSlot) {
        ++c.pos;
        return OperandValue{it->second.value, it->second.iter};
      }
    }
    OperandValue v;
    v.value = ParseNamespace(c);
    Expect(c, "[");
    v.iter = ParseValue(c);
    Expect(c, "]");
    return v;
  }

  OperandValue ParseEnum(Cursor& c, const Operand& op) {
    const Token& t = Next(c, fmt::format("operand '{}'", op.name));
    std::string_view name = t.text;
    if (auto it = symbols_.find(std::string(t.text));
        it != symbols_.end() && it->second.kind == SymKind::kNamespace) {
      name = NamespaceName(static_cast<int>(it->second.value));
    }
    if (t.kind == TokKind::kIdent) {
      for (size_t v = 0; v < op.enum_names.size(); ++v) {
        if (!op.enum_names[v].empty() && op.enum_names[v] == name) {
          return OperandValue{static_cast<int64_t>(v), 0};
        }
      }
    }
    std::string legal;
    for (std::string_view e : op.enum_names) {
      if (!e.empty()) legal += fmt::format("{}{}", legal.empty() ? "" : ", ", e);
    }
    Fail(t.col,
         fmt::format("operand '{}' must be one of {}; found '{}'", op.name, legal, Shown(t.text)));
  }

  void Directive(const Line& line, size_t pos) {
    Cursor c{line, pos};
    const Token& dir = Next(c, "a directive");
    const Token& name = Next(c, "a symbol name");
    if (name.kind != TokKind::kIdent || name.text.front() == '.') {
      Fail(name.col, fmt::format("expected a symbol name, found '{}'", Shown(name.text)));
    }
    const Token& sep = Next(c, "'='");
    if (sep.text != "=" && sep.text != ",") {
      Fail(sep.col, fmt::format("expected '=' after the symbol name, found '{}'", Shown(sep.text)));
    }
    Symbol sym{};
    if (dir.text == ".equ") {
      sym = Symbol{SymKind::kNumber, ParseValue(c), 0};
    } else if (dir.text == ".ns") {
      sym = Symbol{SymKind::kNamespace, ParseNamespace(c), 0};
    } else if (dir.text == ".iter") {
      const int col = c.Col();
      const OperandValue v = ParseSlot(c);
      if (v.iter < 0 || v.iter >= kItersPerNamespace) {
        Fail(col, fmt::format("iterator index {} is out of range 0..{}", v.iter,
                              kItersPerNamespace - 1));
      }
      sym = Symbol{SymKind::kSlot, v.value, v.iter};
    } else {
      Fail(dir.col,
           fmt::format("unknown directive '{}' (expected .equ, .ns or .iter)", Shown(dir.text)));
    }
    ExpectEnd(c, "the directive");
    Define(name, sym);
  }

  uint32_t InstructionLine(const Line& line, size_t pos) {
    Cursor c{line, pos};
    const Token& m = Next(c, "a mnemonic");
    const InstrDef* def = m.kind == TokKind::kIdent ? FindByMnemonic(m.text) : nullptr;
    if (def == nullptr) Fail(m.col, fmt::format("unknown mnemonic '{}'", Shown(m.text)));
    Instruction instr;
    instr.def = def;
    for (size_t i = 0; i < def->operands.size(); ++i) {
      const Operand& op = def->operands[i];
      if (c.AtEnd()) {
        std::string names;
        for (const Operand& o : def->operands)
          names += fmt::format("{}{}", names.empty() ? "" : ", ", o.name);
        Fail(c.Col(), fmt::format("'{}' expects {} operand(s): {}", def->mnemonic,
                                  def->operands.size(), names));
      }
      if (i > 0) Expect(c, ",");
      const int col = c.Col();
      OperandValue v;
      switch (op.kind) {
        case OperandKind::kSlot:
          v = ParseSlot(c);
          break;
        case OperandKind::kEnum:
          v = ParseEnum(c, op);
          break;
        case OperandKind::kUnsigned:
        case OperandKind::kSigned:
          v.value = ParseValue(c);
          break;
      }
      if (std::string why = OperandProblem(op, v); !why.empty()) Fail(col, why);
      instr.operands.push_back(v);
    }
    ExpectEnd(c, fmt::format("the operands of '{}'", def->mnemonic));
    return Encode(instr);
  }

  std::string_view source_;
  int line_ = 0;
  std::map<std::string, Symbol> symbols_;
};

}  // namespace

std::vector<uint32_t> Assemble(std::string_view text, std::string_view source) {
  return Assembler(source).Run(text);
}

std::string Disassemble(const Instruction& instr) {
  const InstrDef& d = *instr.def;
  std::string out(d.mnemonic);
  for (size_t i = 0; i < d.operands.size(); ++i) {
    const Operand& op = d.operands[i];
    const OperandValue& v = instr.operands[i];
    out += i == 0 ? " " : ", ";
    switch (op.kind) {
      case OperandKind::kSlot:
        out += fmt::format("{}[{}]", NamespaceName(static_cast<int>(v.value)), v.iter);
        break;
      case OperandKind::kEnum:
        out += op.enum_names[v.value];
        break;
      case OperandKind::kUnsigned:
        out += op.hex ? fmt::format("{:#x}", v.value) : fmt::format("{}", v.value);
        break;
      case OperandKind::kSigned:
        out += fmt::format("{}", v.value);
        break;
    }
  }
  return out;
}

std::string Disassemble(uint32_t word) { return Disassemble(Decode(word)); }

std::string DisassembleProgram(std::span<const uint32_t> words) {
  std::string out;
  for (uint32_t w : words) {
    out += Disassemble(w);
    out += '\n';
  }
  return out;
}

}  // namespace accelgen::isa::tandem
