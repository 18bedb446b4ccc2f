// Workloads of the NN-Baton flows: the CONV and FC layers of a model from the graph zoo (FC as a
// 1x1 convolution on a 1x1 plane, batch 1), and the paper's five case-study layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"
#include "flows/nn_baton/model.hpp"

namespace accelgen::flows::nn_baton {

// The paper's four models (zoo names): alexnet, vgg16, resnet50, darknet19.
const std::vector<std::string>& paper_models();

// CONV and FC layers of a graph, in graph order. UserError for grouped/dilated/transposed
// convolutions or unequal strides (outside the paper's layer set) and for batch > 1.
std::vector<Layer> graph_layers(const graph::Graph& g);
// A zoo model's layers at a square input resolution (0: the model's own). The FC layers are those
// of the model's own resolution: torchvision's AlexNet and VGG-16 pool adaptively to 6x6 / 7x7
// before the classifier (ResNet-50 and DarkNet-19 pool globally), so the classifier does not grow
// with the input. `conv_only` drops the FC layers (the convolutional backbone, as a 512x512
// detector uses it).
std::vector<Layer> model_layers(const std::string& model, int64_t resolution,
                                bool conv_only = false);

// §VI-A case study: VGG-16 conv1 (activation-intensive), VGG-16 conv12 (weight-intensive),
// ResNet-50 conv1 (large kernel), res2a_branch2a (point-wise), res2a_branch2b (common), at
// `resolution`.
std::vector<Layer> case_study_layers(int64_t resolution);

}  // namespace accelgen::flows::nn_baton
