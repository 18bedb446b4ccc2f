// GNMT v2: the recurrent translator of Wu et al. 2016 ("Google's Neural Machine Translation
// System", arXiv:1609.08144) as benchmarked by MLPerf Training (rnn_translator) and NVIDIA
// DeepLearningExamples PyTorch/Translation/GNMT (seq2seq/models/{encoder,decoder,attention}.py):
//
//   encoder  embedding (shared with the decoder) -> LSTM 1 bidirectional -> LSTM 2 (input 2H)
//            -> LSTM 3, 4 each with a residual add around it
//   decoder  embedding -> LSTM 1, whose output is the attention query -> LSTM 2, 3, 4, each fed
//            [previous output, attention context] (2H), LSTM 3 and 4 with a residual add around
//            them -> classifier (fully connected to the vocabulary, with bias)
//   attention normalized Bahdanau: score(t, s) = g * (v/|v|) . tanh(Wq q_t + Wk k_s + b), softmax
//            over the source steps, context = the scores times the encoder outputs themselves
//
// H = 1024, vocabulary V = 32,320 (the shared 32k BPE vocabulary of WMT16 en-de plus the special
// tokens, padded to a multiple of 8 as the reference tokenizer does). The graph is the
// teacher-forced (training / scoring) pass over a source of S and a target of T tokens, time-major
// as the reference runs it ([S, N, ...]); dropout is the identity. Beam-search inference runs the
// decoder once per emitted token instead, with the same weights and per-token cost.
//
// Parameters. An LSTM layer holds dirs * (4H*I + 4H*H + 8H): input and recurrent weights and two
// bias vectors per direction (b_ih and b_hh, as cuDNN and PyTorch's nn.LSTM keep them and the IR's
// ONNX layout B [dirs, 8H] stores them).
//   embedding, shared          V*H                        33,095,680
//   encoder LSTM 1 (bi, I=H)   2 * (4H*2H + 8H)           16,793,600
//   encoder LSTM 2 (I=2H)      4H*3H + 8H                 12,591,104
//   encoder LSTM 3, 4 (I=H)    2 * (4H*2H + 8H)           16,793,600
//   decoder LSTM 1 (I=H)       4H*2H + 8H                  8,396,800
//   decoder LSTM 2-4 (I=2H)    3 * (4H*3H + 8H)           37,773,312
//   attention                  Wq, Wk H*H each; v, b H each; g 1    2,099,201
//   classifier                 H*V + V                    33,128,000
//   total                                                160,671,297
//
// MACs (LSTM: the gate GEMMs S*dirs*4H*(I+H); element-wise gate arithmetic, tanh and softmax are
// not counted, as for every other zoo model), per sentence pair:
//   encoder LSTMs 44*S*H^2 + key projection S*H^2 + decoder LSTMs 44*T*H^2 + query projection
//   T*H^2 + scores (v . tanh) S*T*H + context S*T*H + classifier T*H*V
//   = 45*H^2*(S + T) + 2*S*T*H + T*H*V, times the batch.
#include <fmt/format.h>

#include "common/error.hpp"
#include "compiler/graph/builder.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph::zoo {
namespace {

constexpr int64_t kHidden = 1024;
constexpr int64_t kVocab = 32320;
constexpr int kLayers = 4;
// The attention energy tensor is [N, T, S, H]; 1024 tokens a side keeps it at 2^30 elements per
// sentence pair. The reference trains on at most 50 tokens and tests on at most 150.
constexpr int64_t kMaxLength = 1024;

// Normalized Bahdanau attention of the decoder's first-layer outputs `query` [T, N, H] over the
// encoder outputs `keys` [S, N, H]; returns the context [T, N, H].
std::string attention(Builder& b, const std::string& query, const std::string& keys) {
  const int64_t source_len = b.shape(keys)[0];
  const std::string bias = parameter(b, "attn.normalize_bias", {kHidden}, {kHidden});
  const std::string scale = parameter(b, "attn.normalize_scalar", {1}, {1});
  const std::string k = b.transpose("attn.keys", keys, {1, 0, 2});      // [N, S, H]
  const std::string q = b.transpose("attn.queries", query, {1, 0, 2});  // [N, T, H]
  const std::string wk =
      b.reshape("attn.k_expand", b.fc("attn.linear_k", k, kHidden, "", -1, false),
                {0, 1, source_len, kHidden});
  const std::string wq = b.reshape(
      "attn.q_expand", b.fc("attn.linear_q", q, kHidden, "", -1, false), {0, 0, 1, kHidden});
  // Every (target, source) pair: tanh(Wq q_t + Wk k_s + b), [N, T, S, H].
  const std::string energy = b.add("attn.energy", {bias, wq, wk}, "tanh");
  // The dot product with v/|v| (the fully connected weight; normalizing v is a weight-only
  // computation), then the learned scale g.
  std::string score = b.fc("attn.linear_att", energy, 1, "", -1, false);  // [N, T, S, 1]
  score = b.mul("attn.scale", {score, scale});
  score = b.softmax("attn.softmax", b.reshape("attn.scores", score, {0, 0, source_len}));
  const std::string context = b.matmul("attn.context", score, k);  // [N, T, H]
  return b.transpose("attn.context_time_major", context, {1, 0, 2});
}

}  // namespace

Graph gnmt_v2(int64_t batch, int64_t source_len, int64_t target_len) {
  for (const int64_t length : {source_len, target_len}) {
    if (length < 1 || length > kMaxLength) {
      throw UserError(
          fmt::format("gnmt: sequence length must be 1..{}, got {}", kMaxLength, length));
    }
  }
  Builder b(fmt::format("gnmt_s{}_t{}", source_len, target_len));

  const std::string source = b.input("source", {source_len, batch}, DType::kI64);
  std::string x = b.embedding("embedding", source, kVocab, kHidden);
  x = b.lstm("enc.layer0", x, kHidden, /*bidirectional=*/true);
  x = b.lstm("enc.layer1", x, kHidden);
  for (int i = 2; i < kLayers; ++i) {
    const std::string name = fmt::format("enc.layer{}", i);
    x = b.add(name + ".residual", {b.lstm(name, x, kHidden), x});
  }
  const std::string encoded = x;

  Node target_embedding;
  target_embedding.name = "dec.embedding";
  target_embedding.op = OpKind::kEmbedding;
  target_embedding.inputs = {b.input("target", {target_len, batch}, DType::kI64)};
  target_embedding.attrs.vocab = kVocab;
  target_embedding.attrs.out_channels = kHidden;
  target_embedding.weight_shared_with = "embedding";
  std::string y = b.lstm("dec.layer0", b.node(target_embedding), kHidden);
  const std::string context = attention(b, y, encoded);
  y = b.lstm("dec.layer1", b.concat("dec.layer1.input", {y, context}, 2), kHidden);
  for (int i = 2; i < kLayers; ++i) {
    const std::string name = fmt::format("dec.layer{}", i);
    const std::string in = b.concat(name + ".input", {y, context}, 2);
    y = b.add(name + ".residual", {b.lstm(name, in, kHidden), y});
  }
  b.fc("classifier", y, kVocab);  // logits [T, N, V]
  return b.take();
}

Graph gnmt(const ZooOptions& o) { return gnmt_v2(o.batch, o.seq_len, o.seq_len); }

}  // namespace accelgen::graph::zoo
