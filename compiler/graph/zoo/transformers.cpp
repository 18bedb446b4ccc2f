// BERT-base (Devlin et al. 2019; layout of Hugging Face BertModel, pooler included) and ViT-B/16
// (Dosovitskiy et al. 2021; layout of torchvision models/vision_transformer.py). Attention is
// written out: per-head reshapes, Q x K^T and scores x V as matmuls, softmax between them.
#include <fmt/format.h>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

constexpr int64_t kHidden = 768;
constexpr int64_t kHeads = 12;
constexpr int64_t kHeadDim = kHidden / kHeads;
constexpr int64_t kFeedForward = 3072;
constexpr int kLayers = 12;

// [N, S, hidden] -> [N, heads, S, head_dim] (or [N, heads, head_dim, S] when `keys`).
std::string split_heads(Builder& b, const std::string& name, const std::string& x, bool keys) {
  const std::string r = b.reshape(name + ".heads", x, {0, 0, kHeads, kHeadDim});
  return b.transpose(name + ".perm", r,
                     keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3});
}

std::string self_attention(Builder& b, const std::string& name, const std::string& x) {
  const std::string q = split_heads(b, name + ".q", b.fc(name + ".query", x, kHidden), false);
  const std::string k = split_heads(b, name + ".k", b.fc(name + ".key", x, kHidden), true);
  const std::string v = split_heads(b, name + ".v", b.fc(name + ".value", x, kHidden), false);
  std::string s = b.matmul(name + ".scores", q, k);
  s = b.softmax(name + ".softmax", s);
  std::string c = b.matmul(name + ".context", s, v);
  c = b.transpose(name + ".merge", c, {0, 2, 1, 3});
  c = b.reshape(name + ".merge_heads", c, {0, 0, kHidden});
  return b.fc(name + ".output", c, kHidden);
}

std::string feed_forward(Builder& b, const std::string& name, const std::string& x) {
  return b.fc(name + ".fc2", b.fc(name + ".fc1", x, kFeedForward, "gelu"), kHidden);
}

// Post-norm encoder layer (BERT).
std::string bert_layer(Builder& b, const std::string& name, const std::string& x) {
  std::string y = b.add(name + ".attn_add", {self_attention(b, name + ".attn", x), x});
  y = b.layer_norm(name + ".attn_norm", y);
  std::string z = b.add(name + ".ffn_add", {feed_forward(b, name + ".ffn", y), y});
  return b.layer_norm(name + ".ffn_norm", z);
}

// Pre-norm encoder layer (ViT).
std::string vit_layer(Builder& b, const std::string& name, const std::string& x) {
  std::string y = self_attention(b, name + ".attn", b.layer_norm(name + ".ln1", x));
  y = b.add(name + ".attn_add", {y, x});
  std::string z = feed_forward(b, name + ".mlp", b.layer_norm(name + ".ln2", y));
  return b.add(name + ".mlp_add", {z, y});
}

// The first token's features, [N, S, hidden] -> [N, hidden]: an opaque gather, no MACs.
std::string first_token(Builder& b, const std::string& name, const std::string& x) {
  Node n;
  n.name = name;
  n.op = OpKind::kCustom;
  n.attrs.mode = "select_first_token";
  n.inputs = {x};
  n.shape = {b.shape(x)[0], kHidden};
  return b.node(n);
}

}  // namespace

std::string parameter(Builder& b, const std::string& name, Shape shape, Shape weight) {
  Node n;
  n.name = name;
  n.op = OpKind::kCustom;
  n.attrs.mode = "parameter";
  n.shape = std::move(shape);
  n.weights = {{"value", std::move(weight)}};
  return b.node(n);
}

Graph bert_base(const ZooOptions& o) {
  if (o.seq_len < 1 || o.seq_len > 512) {
    throw UserError(fmt::format("bert_base: sequence length must be 1..512, got {}", o.seq_len));
  }
  Builder b(fmt::format("bert_base_s{}", o.seq_len));
  const Shape ids = {o.batch, o.seq_len};
  std::string words =
      b.embedding("embed.words", b.input("tokens", ids, DType::kI64), 30522, kHidden);
  std::string pos =
      b.embedding("embed.positions", b.input("positions", ids, DType::kI64), 512, kHidden);
  std::string seg =
      b.embedding("embed.segments", b.input("segments", ids, DType::kI64), 2, kHidden);
  std::string x = b.layer_norm("embed.norm", b.add("embed.sum", {words, pos, seg}));
  for (int i = 0; i < kLayers; ++i) x = bert_layer(b, fmt::format("layer{}", i), x);
  b.fc("pooler", first_token(b, "cls", x), kHidden, "tanh");
  return b.take();
}

Graph vit_b16(const ZooOptions& o) {
  const int64_t side = resolution(o, 224);
  if (side % 16 != 0)
    throw UserError(fmt::format("vit_b16: resolution {} is not a multiple of 16", side));
  Builder b("vit_b16");
  std::string x = b.input("input", {o.batch, 3, side, side});
  x = b.conv("patch_embed", x, kHidden, 16,
             {.stride = 16, .pad = 0, .bias = true, .batch_norm = false, .activation = ""});
  const int64_t patches = (side / 16) * (side / 16);
  x = b.reshape("patches", x, {0, kHidden, patches});
  x = b.transpose("tokens", x, {0, 2, 1});
  const std::string cls = parameter(b, "class_token", {o.batch, 1, kHidden}, {1, 1, kHidden});
  x = b.concat("with_class", {cls, x});
  const Shape positions = {1, patches + 1, kHidden};
  x = b.add("embed", {x, parameter(b, "pos_embedding", positions, positions)});
  for (int i = 0; i < kLayers; ++i) x = vit_layer(b, fmt::format("layer{}", i), x);
  x = b.layer_norm("norm", x);
  b.fc("head", first_token(b, "cls", x), 1000);
  return b.take();
}

}  // namespace accelgen::graph::zoo
