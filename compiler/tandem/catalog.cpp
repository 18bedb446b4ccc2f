#include "compiler/tandem/catalog.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <random>

namespace accelgen::compiler::tandem {

namespace {

using Shape = std::vector<int64_t>;

// Seeded values in [lo, hi] with the corners lo, hi, 0, -1, 1 first (clamped into the range).
std::vector<int32_t> Data(int64_t n, std::mt19937& rng, int32_t lo, int32_t hi) {
  std::uniform_int_distribution<int32_t> d(lo, hi);
  const int32_t corners[] = {lo, hi, 0, -1, 1};
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = i < 5 ? std::clamp(corners[i], lo, hi) : d(rng);
  return v;
}

std::vector<int32_t> Int8(int64_t n, std::mt19937& rng) { return Data(n, rng, -128, 127); }

std::string ShapeText(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

std::string WindowText(const Shape& nchw, const Window& w) {
  return fmt::format("{} k{}x{} s{} p{}", ShapeText(nchw), w.kh, w.kw, w.sh, w.ph);
}

}  // namespace

std::vector<std::string> CatalogOperators() {
  return {"Relu",      "LeakyRelu",  "Clip",          "Add",         "Sub",
          "Mul",       "Cast",       "Gelu",          "ReduceMean",  "GlobalAveragePool",
          "Softmax",   "LayerNorm",  "MaxPool",       "AveragePool", "DepthwiseConv",
          "Transpose"};
}

std::vector<OperatorCase> OperatorCatalog(const TandemTarget& t, CatalogSize size, uint32_t seed) {
  const bool bench = size == CatalogSize::kBench;
  std::mt19937 rng(seed);
  // Element-wise: one full tile at bench size; at small size 3 tiles' worth on a shallow target
  // plus a ragged last row.
  const Shape elt = bench ? Shape{int64_t{t.lanes} * t.depth} : Shape{3, 2 * t.lanes + 3};
  // [M][K] reductions; Softmax and LayerNorm keep three K-row buffers per group of lanes.
  const int64_t m = bench ? 8 * t.lanes : t.lanes + 3;
  const int64_t k = std::min<int64_t>(bench ? 64 : 12, t.depth / 4);
  const Shape planes = bench ? Shape{1, 2 * t.lanes, 16, 16} : Shape{1, t.lanes + 1, 7, 7};
  const Window pool{2, 2, 2, 2, 0, 0}, conv{3, 3, 1, 1, 1, 1};
  const QParams x{0.05, 0}, y{0.05, 0}, xz{0.05, 3};

  std::vector<OperatorCase> cases;
  const auto add = [&](std::string op, std::string shape, CompiledOp c,
                       std::vector<std::vector<int32_t>> inputs) {
    cases.push_back({std::move(op), std::move(shape), std::move(c), std::move(inputs)});
  };
  const int64_t n = ElementCount(elt);
  add("Relu", ShapeText(elt), CompileRelu(t, elt, x), {Int8(n, rng)});
  add("LeakyRelu", ShapeText(elt) + " alpha 0.1", CompileLeakyRelu(t, elt, x, 0.1), {Int8(n, rng)});
  add("Clip", ShapeText(elt) + " [-2, 6]", CompileClip(t, elt, x, -2.0, 6.0), {Int8(n, rng)});
  for (const auto& [name, op] : {std::pair{"Add", Binary::kAdd}, {"Sub", Binary::kSub},
                                 {"Mul", Binary::kMul}}) {
    const QParams out = op == Binary::kMul ? QParams{0.1, 0} : QParams{0.08, -2};
    add(name, ShapeText(elt), CompileBinary(t, op, elt, xz, QParams{0.03, -5}, out),
        {Int8(n, rng), Int8(n, rng)});
  }
  add("Cast", ShapeText(elt) + " Q8 -> Q2", CompileCast(t, elt, 8, 2), {Data(n, rng, -20000, 20000)});
  add("Gelu", ShapeText(elt), CompileGelu(t, elt, QParams{1.0 / 16, 0}, QParams{1.0 / 16, 0}),
      {Int8(n, rng)});
  add("ReduceMean", ShapeText({m, k}) + " axis -1", CompileReduceMean(t, m, k, xz, y),
      {Int8(m * k, rng)});
  add("GlobalAveragePool", ShapeText(planes), CompileGlobalAveragePool(t, planes, xz, y),
      {Int8(ElementCount(planes), rng)});
  add("Softmax", ShapeText({m, k}) + " axis -1", CompileSoftmax(t, m, k, QParams{0.1, 0}),
      {Int8(m * k, rng)});
  add("LayerNorm", ShapeText({m, k}) + " axis -1",
      CompileLayerNorm(t, m, k, xz, QParams{0.02, 0}, y),
      {Int8(m * k, rng), Data(k, rng, 20, 127), Data(k, rng, -40000, 40000)});
  add("MaxPool", WindowText(planes, pool), CompileMaxPool(t, planes, pool, x),
      {Int8(ElementCount(planes), rng)});
  add("AveragePool", WindowText(planes, pool), CompileAveragePool(t, planes, pool, xz, y),
      {Int8(ElementCount(planes), rng)});
  const int64_t channels = planes[1];
  add("DepthwiseConv", WindowText(planes, conv),
      CompileDepthwiseConv(t, planes, conv, x, QParams{0.01, 0}, QParams{0.02, 0}),
      {Int8(ElementCount(planes), rng), Int8(channels * conv.kh * conv.kw, rng),
       Data(channels, rng, -3000, 3000)});
  const Shape tr = bench ? Shape{64, 4 * t.lanes} : Shape{5, t.lanes + 3};
  add("Transpose", ShapeText(tr) + " perm [1, 0]", CompileTranspose(t, tr, {1, 0}),
      {Data(ElementCount(tr), rng, INT32_MIN, INT32_MAX)});
  return cases;
}

}  // namespace accelgen::compiler::tandem
