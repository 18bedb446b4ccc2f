// BERT-base (Devlin et al. 2019; layout of Hugging Face BertModel, pooler included) and ViT-B/16
// (Dosovitskiy et al. 2021; layout of torchvision models/vision_transformer.py). Attention is
// written out: per-head reshapes, Q x K^T and scores x V as matmuls, softmax between them.
#include <fmt/format.h>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

// Width of a transformer: model dimension, heads and feed-forward width.
struct Dims {
  int64_t hidden = 768;
  int64_t heads = 12;
  int64_t ff = 3072;
  int64_t head_dim() const { return hidden / heads; }
};
constexpr Dims kBase;  // BERT-base, ViT-B and GPT (Radford et al. 2018)
constexpr int64_t kHidden = kBase.hidden;
constexpr int kLayers = 12;

// [N, S, hidden] -> [N, heads, S, head_dim] (or [N, heads, head_dim, S] when `keys`).
std::string split_heads(Builder& b, const std::string& name, const std::string& x, bool keys,
                        const Dims& d) {
  const std::string r = b.reshape(name + ".heads", x, {0, 0, d.heads, d.head_dim()});
  return b.transpose(name + ".perm", r,
                     keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3});
}

// Multi-head attention of the queries from `x` over the keys and values from `memory` (= x for
// self-attention). A causal mask changes no operator or MAC count: masked scores are computed.
std::string attention(Builder& b, const std::string& name, const std::string& x,
                      const std::string& memory, const Dims& d = kBase) {
  const std::string q = split_heads(b, name + ".q", b.fc(name + ".query", x, d.hidden), false, d);
  const std::string k = split_heads(b, name + ".k", b.fc(name + ".key", memory, d.hidden), true, d);
  const std::string v =
      split_heads(b, name + ".v", b.fc(name + ".value", memory, d.hidden), false, d);
  std::string s = b.matmul(name + ".scores", q, k);
  s = b.softmax(name + ".softmax", s);
  std::string c = b.matmul(name + ".context", s, v);
  c = b.transpose(name + ".merge", c, {0, 2, 1, 3});
  c = b.reshape(name + ".merge_heads", c, {0, 0, d.hidden});
  return b.fc(name + ".output", c, d.hidden);
}

std::string self_attention(Builder& b, const std::string& name, const std::string& x,
                           const Dims& d = kBase) {
  return attention(b, name, x, x, d);
}

std::string feed_forward(Builder& b, const std::string& name, const std::string& x,
                         const Dims& d = kBase, const std::string& activation = "gelu") {
  return b.fc(name + ".fc2", b.fc(name + ".fc1", x, d.ff, activation), d.hidden);
}

// Post-norm residual: layer_norm(x + sublayer).
std::string post_norm(Builder& b, const std::string& name, const std::string& sublayer,
                      const std::string& x) {
  return b.layer_norm(name + "_norm", b.add(name + "_add", {sublayer, x}));
}

// Post-norm encoder layer (BERT).
std::string bert_layer(Builder& b, const std::string& name, const std::string& x) {
  const std::string y = post_norm(b, name + ".attn", self_attention(b, name + ".attn", x), x);
  return post_norm(b, name + ".ffn", feed_forward(b, name + ".ffn", y), y);
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

// Transformer-base (Vaswani et al. 2017, Table 3 "base": N = 6, d_model 512, 8 heads, d_ff 2048,
// post-norm, ReLU) as Cocco evaluates it: source and target sequences of --seq-len tokens enter
// already embedded and position-encoded (a table lookup and a sinusoid: no MACs, no weights),
// and the pre-softmax projection to the 37,000-token shared vocabulary is the embedding matrix
// the paper ties it to (no bias, counted once).
Graph transformer_base(const ZooOptions& o) {
  if (o.seq_len < 1 || o.seq_len > 4096) {
    throw UserError(fmt::format("transformer: sequence length must be 1..4096, got {}", o.seq_len));
  }
  constexpr Dims d = {.hidden = 512, .heads = 8, .ff = 2048};
  constexpr int layers = 6;
  Builder b(fmt::format("transformer_s{}", o.seq_len));
  std::string x = b.input("source", {o.batch, o.seq_len, d.hidden});
  for (int i = 0; i < layers; ++i) {
    const std::string n = fmt::format("enc{}", i);
    x = post_norm(b, n + ".attn", self_attention(b, n + ".attn", x, d), x);
    x = post_norm(b, n + ".ffn", feed_forward(b, n + ".ffn", x, d, "relu"), x);
  }
  const std::string memory = x;
  std::string y = b.input("target", {o.batch, o.seq_len, d.hidden});
  for (int i = 0; i < layers; ++i) {
    const std::string n = fmt::format("dec{}", i);
    y = post_norm(b, n + ".self", self_attention(b, n + ".self", y, d), y);
    y = post_norm(b, n + ".cross", attention(b, n + ".cross", y, memory, d), y);
    y = post_norm(b, n + ".ffn", feed_forward(b, n + ".ffn", y, d, "relu"), y);
  }
  b.fc("logits", y, 37000, "", -1, false);
  return b.take();
}

// GPT (Radford et al. 2018, "Improving Language Understanding by Generative Pre-Training"; layout
// of Hugging Face OpenAIGPTModel + LM head): 12 post-norm decoder blocks of width 768, 12 heads,
// d_ff 3072, GELU, masked self-attention, learned positions (a 512 x 768 table), vocabulary 40,478
// with the LM head tied to the token embedding (no bias, counted once). Token embeddings enter as
// the input (a lookup, no MACs); --seq-len tokens (1..512), of which the position table holds the
// rows used (all 512 at --seq-len 512, the published size).
Graph gpt(const ZooOptions& o) {
  if (o.seq_len < 1 || o.seq_len > 512) {
    throw UserError(fmt::format("gpt: sequence length must be 1..512, got {}", o.seq_len));
  }
  Builder b(fmt::format("gpt_s{}", o.seq_len));
  std::string x = b.input("token_embeddings", {o.batch, o.seq_len, kHidden});
  const Shape positions = {1, o.seq_len, kHidden};
  x = b.add("embed", {x, parameter(b, "pos_embedding", positions, positions)});
  for (int i = 0; i < kLayers; ++i) {
    const std::string n = fmt::format("h{}", i);
    x = post_norm(b, n + ".attn", self_attention(b, n + ".attn", x), x);
    x = post_norm(b, n + ".mlp", feed_forward(b, n + ".mlp", x), x);
  }
  b.fc("lm_head", x, 40478, "", -1, false);
  return b.take();
}

}  // namespace accelgen::graph::zoo
