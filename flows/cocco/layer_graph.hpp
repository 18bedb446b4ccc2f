// Cocco's view of a workload (digest §1.1): every graph-IR node becomes a layer with a row/column
// geometry, and every edge carries the (kernel extent F, stride s) the consumer applies to its
// producer along each spatial axis. Graph inputs are sources (tensors in DRAM), never partitioned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph/graph.hpp"

namespace accelgen::flows::cocco {

// How a consumer reads its producer along one axis.
enum class EdgeKind {
  kSliding,  // window of F rows advancing by s rows per output row (conv, pool, element-wise F=s=1)
  kGlobal,   // the consumer needs the producer's whole extent before its first output (global
             // pooling, FC over a flattened map, anything whose output has a single row)
  kIrregular,  // no integer sliding relation (upsample, transposed conv, reshapes across axes)
};

struct AxisGeom {
  EdgeKind kind = EdgeKind::kSliding;
  int64_t f = 1;  // kernel extent (dilation included)
  int64_t s = 1;  // stride
  int64_t p = 0;  // leading padding: output row j reads rows [j*s - p, j*s - p + f)
};

struct Layer {
  std::string name;
  std::string op;        // operator label of the IR ("conv", "add", "max", "input", ...)
  bool source = false;   // graph input: lives in DRAM, loaded by the subgraph that reads it
  int64_t rows = 1;      // H of the output (1 for tensors that are not N x C x H x W)
  int64_t cols = 1;      // W of the output
  int64_t channels = 1;  // C (for non-image tensors: all elements of one sample)
  int64_t batch = 1;
  int64_t out_bytes = 0;     // output tensor, all samples, at the data width
  int64_t weight_bytes = 0;  // weights (and bias) at the data width; 0 for pool / element-wise
  int64_t macs = 0;          // multiply-accumulates, all samples
  int64_t ops = 0;           // MAC-equivalent work for latency: MACs, or window work for pooling
  std::vector<int> preds;    // producer layer ids (deduplicated, in operand order)
  std::vector<AxisGeom> geom_h, geom_w;  // per pred: how this layer reads it
  std::vector<int> succs;                // consumer layer ids
};

struct LayerGraph {
  std::string name;
  std::vector<Layer> layers;  // topological order; sources included
  std::vector<int> compute;   // ids of the non-source layers (what a partition covers)
  int64_t bytes_per_element = 1;

  int size() const { return static_cast<int>(layers.size()); }
  // Throws UserError when the graph is unusable (no compute layer, a layer without inputs that
  // is not a source, a dangling id, an id order that is not topological).
  void validate() const;
};

// Normalises a graph-IR graph (§1.1 of the digest): FC and convolution read a sliding window,
// pooling and element-wise layers are depth-wise windows without weights, batch norm and
// activations are zero-cost layers, non-image tensors are one row. Data width: 1 byte (8-bit) by
// default. Folded batch-norm scale/shift are not weights at inference time and are not counted.
LayerGraph from_ir(const graph::Graph& g, int64_t bytes_per_element = 1);

// A small graph written by hand (tests, tools): sources are the layers with no preds.
struct LayerSpec {
  std::string name;
  std::vector<int> preds;
  int64_t rows = 1, cols = 1, channels = 8;
  int64_t f_h = 1, s_h = 1, f_w = 1, s_w = 1;  // the same geometry on every input edge
  int64_t p_h = 0, p_w = 0;                    // leading padding
  int64_t weight_bytes = 0;
  int64_t macs = 0;
};
LayerGraph from_specs(const std::string& name, const std::vector<LayerSpec>& specs);

}  // namespace accelgen::flows::cocco
