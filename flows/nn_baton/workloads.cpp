#include "flows/nn_baton/workloads.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "compiler/graph/analysis.hpp"
#include "compiler/graph/zoo/zoo.hpp"

namespace accelgen::flows::nn_baton {

const std::vector<std::string>& paper_models() {
  static const std::vector<std::string> m = {"alexnet", "vgg16", "resnet50", "darknet19"};
  return m;
}

std::vector<Layer> graph_layers(const graph::Graph& g) {
  std::vector<Layer> out;
  for (const graph::Node& n : g.nodes()) {
    if (auto c = graph::conv_dims(g, n)) {
      if (c->groups != 1 || c->transposed || c->dilation_h != 1 || c->dilation_w != 1 ||
          c->stride_h != c->stride_w)
        throw UserError(fmt::format(
            "layer '{}': only dense, undilated convolutions with equal strides are modelled",
            n.name));
      if (c->n != 1) throw UserError(fmt::format("layer '{}': batch must be 1", n.name));
      const graph::Shape in = g.input_shapes(n).at(0);
      Layer l;
      l.name = n.name;
      l.ci = c->c;
      l.co = c->k;
      l.hi = in[2];
      l.wi = in[3];
      l.ho = c->p;
      l.wo = c->q;
      l.r = c->r;
      l.s = c->s;
      l.stride = c->stride_h;
      l.pad_h = n.attrs.pads[0];
      l.pad_w = n.attrs.pads[1];
      validate(l);
      out.push_back(l);
    } else if (n.op == graph::OpKind::kGemm) {
      const auto d = graph::gemm_dims(g, n);
      if (d->m != 1) throw UserError(fmt::format("layer '{}': batch must be 1", n.name));
      Layer l;
      l.name = n.name;
      l.ci = d->k;
      l.co = d->n;
      l.fc = true;
      validate(l);
      out.push_back(l);
    }
  }
  if (out.empty()) throw UserError(fmt::format("model '{}' has no CONV or FC layer", g.name()));
  return out;
}

std::vector<Layer> model_layers(const std::string& model, int64_t resolution, bool conv_only) {
  graph::ZooOptions o;
  o.resolution = resolution;
  std::vector<Layer> layers = graph_layers(graph::build_zoo_model(model, o));
  const auto is_fc = [](const Layer& l) { return l.fc; };
  std::vector<Layer> native_fc;
  if (!conv_only)
    for (const Layer& l : graph_layers(graph::build_zoo_model(model, {})))
      if (is_fc(l)) native_fc.push_back(l);
  std::vector<Layer> out;
  for (const Layer& l : layers)
    if (!is_fc(l)) out.push_back(l);
  out.insert(out.end(), native_fc.begin(), native_fc.end());
  return out;
}

std::vector<Layer> case_study_layers(int64_t resolution) {
  const auto pick = [&](const std::string& model, const std::string& node,
                        const std::string& label) {
    for (Layer l : model_layers(model, resolution))
      if (l.name == node) {
        l.name = label;
        return l;
      }
    throw UserError(fmt::format("{} has no layer {}", model, node));
  };
  return {pick("vgg16", "conv1_1", "vgg16.conv1"), pick("vgg16", "conv5_2", "vgg16.conv12"),
          pick("resnet50", "conv1", "resnet50.conv1"),
          pick("resnet50", "layer1.0.conv1", "res2a_branch2a"),
          pick("resnet50", "layer1.0.conv2", "res2a_branch2b")};
}

}  // namespace accelgen::flows::nn_baton
