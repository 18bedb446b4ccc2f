// PipeOrgan stage 1: the workload view of the graph, segmentation, loop orders and Algorithm 1.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "flows/pipeorgan/pipeorgan.hpp"

namespace accelgen::flows::pipeorgan {

namespace {

using graph::OpKind;

int64_t elements(const graph::Shape& s) {
  int64_t e = 1;
  for (int64_t d : s) e *= d;
  return e;
}

// Loop bounds of a light (zero-MAC) layer from its output shape: [N, C, H, W] and shorter forms.
void light_dims(Layer& l, const graph::Shape& s) {
  l.n = s.size() >= 2 ? s[0] : 1;
  l.k = s.size() >= 2 ? s[1] : (s.empty() ? 1 : s[0]);
  l.p = 1;
  l.q = 1;
  if (s.size() >= 3) l.p = s[2];
  if (s.size() >= 4) l.q = s[3];
  for (size_t i = 4; i < s.size(); ++i) l.q *= s[i];
  l.c = l.k;
}

// Operators whose output is a re-arrangement of the input (no row/column correspondence).
bool reorders(OpKind op) {
  return op == OpKind::kReshape || op == OpKind::kFlatten || op == OpKind::kTranspose ||
         op == OpKind::kSlice || op == OpKind::kPad || op == OpKind::kReduce ||
         op == OpKind::kSoftmax || op == OpKind::kLayerNorm;
}

}  // namespace

Workload make_workload(const graph::Graph& g) {
  Workload w;
  w.name = g.name();
  std::vector<long> id_of(g.size(), 0);
  for (size_t i = 0; i < g.size(); ++i) {
    const graph::Node& node = g.node(i);
    if (node.op == OpKind::kInput) {
      id_of[i] = -1 - static_cast<long>(w.graph_inputs.size());
      w.graph_inputs.push_back(elements(node.shape));
      continue;
    }
    if (node.op == OpKind::kLstm || node.op == OpKind::kMatMul || node.op == OpKind::kEmbedding)
      throw UserError(fmt::format("pipeorgan: layer '{}': operator '{}' is not modeled by the flow",
                                  node.name, graph::to_string(node.op)));
    Layer l;
    l.name = node.name;
    l.op = graph::op_label(g, node);
    const graph::NodeStats st = graph::node_stats(g, node);
    l.macs = st.macs;
    l.weights = st.weight_volume;
    l.in_act = st.input_activations;
    l.out_act = st.output_activations;
    const auto shapes = g.input_shapes(node);
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      l.inputs.push_back(id_of[*g.find(node.inputs[k])]);
      l.input_elems.push_back(elements(shapes[k]));
    }
    const auto conv = graph::conv_dims(g, node);
    const auto gemm = graph::gemm_dims(g, node);
    if (node.op == OpKind::kCustom) {
      l.cls = LayerClass::kComplex;
      light_dims(l, node.shape);
    } else if (conv && l.macs > 0) {
      l.cls = LayerClass::kCompute;
      l.n = conv->n, l.k = conv->k, l.c = conv->c, l.p = conv->p, l.q = conv->q, l.r = conv->r,
      l.s = conv->s;
      l.stride_h = conv->transposed ? 1 : conv->stride_h;
      l.stride_w = conv->transposed ? 1 : conv->stride_w;
      l.channel_preserving = conv->depthwise;
    } else if (gemm && l.macs > 0) {
      l.cls = LayerClass::kCompute;
      l.n = gemm->batch, l.p = gemm->m, l.q = 1, l.k = gemm->n, l.c = gemm->k;
    } else {
      l.cls = LayerClass::kLight;
      light_dims(l, node.shape);
      l.channel_preserving = !reorders(node.op);
      // Input rows per output row (a pool's stride, a global pool's whole input; 1 when
      // upsampling).
      if (!shapes.empty() && shapes[0].size() == 4 && node.shape.size() == 4 &&
          !reorders(node.op)) {
        l.stride_h = std::max<int64_t>(1, shapes[0][2] / std::max<int64_t>(1, node.shape[2]));
        l.stride_w = std::max<int64_t>(1, shapes[0][3] / std::max<int64_t>(1, node.shape[3]));
      }
    }
    if (l.cls == LayerClass::kLight && reorders(node.op))
      l.op += "*";  // marks a re-arranging layer
    const int64_t outs = l.n * l.k * l.p * l.q;
    l.dot = l.cls == LayerClass::kCompute
                ? std::max<int64_t>(1, (l.macs + outs - 1) / std::max<int64_t>(1, outs))
                : 1;
    l.aw = l.weights > 0 ? static_cast<double>(l.in_act) / static_cast<double>(l.weights) : 0;
    id_of[i] = static_cast<long>(w.layers.size());
    w.layers.push_back(std::move(l));
  }
  if (w.layers.empty())
    throw UserError(fmt::format("pipeorgan: graph '{}' has no layers", g.name()));
  w.succs.assign(w.layers.size(), {});
  for (size_t i = 0; i < w.layers.size(); ++i)
    for (long in : w.layers[i].inputs)
      if (in >= 0 && std::find(w.succs[in].begin(), w.succs[in].end(), i) == w.succs[in].end())
        w.succs[in].push_back(i);
  return w;
}

std::string choose_dataflow(const Layer& l, const Stage1Options& o) {
  if (l.cls == LayerClass::kComplex) return "-";
  if (l.cls == LayerClass::kLight) return "NHWK";
  std::string d;
  if (l.aw < 1)
    d = "KCRSNHW";  // weight stationary: weight ranks outermost
  else if (l.aw >= o.full_as_threshold)
    d = "NHWKCRS";  // fully activation stationary
  else
    d = "NHKCWRS";  // activation stationary with some weight reuse across W
  if (l.channel_preserving) d.erase(d.find('C'), 1);
  return d;
}

std::vector<Loop> loops_of(const Layer& l, const std::string& dataflow) {
  std::vector<Loop> loops;
  const bool opaque =
      l.cls == LayerClass::kComplex || (l.cls == LayerClass::kLight && !l.channel_preserving);
  for (char ch : dataflow) {
    Loop lp;
    switch (ch) {
      case 'N':
        lp = {'N', 'N', l.n};
        break;
      case 'H':
        lp = {'H', 'H', l.p};
        break;
      case 'W':
        lp = {'W', 'W', l.q};
        break;
      case 'K':
        lp = {'K', static_cast<char>(l.channel_preserving ? 'C' : 0), l.k};
        break;
      case 'C':
        lp = {0, 'C', l.c};
        break;
      case 'R':
        lp = {0, 0, l.r};
        break;
      case 'S':
        lp = {0, 0, l.s};
        break;
      default:
        continue;
    }
    if (opaque) lp.in = 0;  // a re-arranging layer consumes its input in no fused order
    loops.push_back(lp);
  }
  return loops;
}

int64_t consumer_tile(const Layer& consumer, char in_dim) {
  if (in_dim == 'H') return consumer.stride_h;
  if (in_dim == 'W') return consumer.stride_w;
  return 1;
}

Pair finest_granularity(const Workload& w, size_t producer, size_t consumer, const std::string& pdf,
                        const std::string& cdf) {
  const Layer& p = w.layers[producer];
  const Layer& c = w.layers[consumer];
  const std::vector<Loop> lp = loops_of(p, pdf), lc = loops_of(c, cdf);
  Pair pair{producer, consumer, p.n * p.p * p.q * p.k, 0};  // line 1: Granularity = output size
  bool previous_equal = true;
  for (size_t i = 0; i < lp.size() && i < lc.size(); ++i) {
    if (lp[i].out == 0) break;   // only uncontracted loops fuse
    if (!previous_equal) break;  // line 6: the previous loop's tiles must be equal
    const char a = lp[i].out, b = lc[i].in;
    const bool fusable = (a == 'N' && b == 'N') || (a == 'H' && b == 'H') ||
                         (a == 'W' && b == 'W') || (a == 'K' && b == 'C');
    if (!fusable) break;  // line 7
    const int64_t tp = 1, tc = consumer_tile(c, b);
    const int64_t t = std::min(std::lcm(tp, tc), lp[i].size);
    pair.granularity = pair.granularity / lp[i].size * t;  // line 8
    ++pair.fused;                                          // line 9
    previous_equal = tp == tc;
  }
  return pair;
}

int64_t boundary_activations(const Workload& w, size_t first, size_t last) {
  std::set<long> read;
  int64_t a = 0;
  for (size_t i = first; i <= last; ++i) {
    const Layer& l = w.layers[i];
    for (size_t k = 0; k < l.inputs.size(); ++k) {
      const long id = l.inputs[k];
      if ((id < 0 || static_cast<size_t>(id) < first) && read.insert(id).second)
        a += l.input_elems[k];
    }
    const auto& s = w.succs[i];
    const bool leaves =
        s.empty() || std::any_of(s.begin(), s.end(), [&](size_t j) { return j > last; });
    if (leaves) a += l.out_act;
  }
  return a;
}

Stage1 run_stage1(const Workload& w, const Stage1Options& o) {
  if (o.max_depth < 1) throw UserError("pipeorgan: the maximum depth must be at least 1");
  Stage1 s;
  const size_t n = w.layers.size();
  for (const Layer& l : w.layers) s.dataflow.push_back(choose_dataflow(l, o));
  size_t l = 0;
  while (l < n) {
    size_t last = l;
    if (w.layers[l].cls != LayerClass::kComplex) {
      int64_t weights = w.layers[l].weights;
      while (last + 1 < n && static_cast<int>(last + 1 - l) < o.max_depth &&
             w.layers[last + 1].cls != LayerClass::kComplex) {
        const int64_t wsum = weights + w.layers[last + 1].weights;
        if (boundary_activations(w, l, last + 1) < wsum) break;  // stop the moment sum W is greater
        weights = wsum;
        ++last;
      }
    }
    s.segments.push_back({l, last});
    l = last + 1;
  }
  s.depth.assign(n, 1);
  s.granularity.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const Layer& L = w.layers[i];
    s.granularity[i] = L.n * L.p * L.q * L.k;
  }
  for (const Segment& seg : s.segments) {
    std::vector<int64_t> coarsest(seg.depth(), 0);
    for (size_t c = seg.first; c <= seg.last; ++c) {
      s.depth[c] = static_cast<int>(seg.depth());
      std::set<long> seen;
      for (long p : w.layers[c].inputs) {
        if (p < 0 || static_cast<size_t>(p) < seg.first || !seen.insert(p).second) continue;
        const Pair pair = finest_granularity(w, p, c, s.dataflow[p], s.dataflow[c]);
        s.pairs.push_back(pair);
        coarsest[p - seg.first] = std::max(coarsest[p - seg.first], pair.granularity);
      }
    }
    for (size_t i = seg.first; i <= seg.last; ++i)
      if (coarsest[i - seg.first] > 0) s.granularity[i] = coarsest[i - seg.first];
  }
  return s;
}

}  // namespace accelgen::flows::pipeorgan
