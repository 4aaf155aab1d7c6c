package dev.quarry.nn;

import dev.quarry.kernels.TensorSupport;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The BERT encoder's forward pass over an unpadded {@link TokenBatch}, written once against
 * {@link TensorSupport} so that every backend runs the same code.
 *
 * <p>Per layer: Q, K, V projections; bidirectional attention per sequence and head (sequences are
 * unpadded, so no mask is needed: a token only ever sees its own sequence); output projection,
 * residual, LayerNorm; the GELU feed-forward block, residual, LayerNorm (post-norm, as in BERT).
 * Rows are split across threads; each row's arithmetic is independent of the split, so a text's
 * output does not depend on its batch or on the thread count.
 */
public final class BertEncoder {

  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final BertConfig config;
  private final TensorSupport ops;
  private final Parallel parallel;
  private final MemorySegment wordEmbeddings;
  private final MemorySegment positionEmbeddings;
  private final MemorySegment typeEmbeddings;
  private final MemorySegment embeddingNormWeight;
  private final MemorySegment embeddingNormBias;
  private final Layer[] layers;

  /** One transformer block's parameters, linear weights {@code [in, out]}. */
  private record Layer(MemorySegment query, MemorySegment queryBias, MemorySegment key,
      MemorySegment keyBias, MemorySegment value, MemorySegment valueBias,
      MemorySegment attentionOut, MemorySegment attentionOutBias, MemorySegment attentionNormWeight,
      MemorySegment attentionNormBias, MemorySegment intermediate, MemorySegment intermediateBias,
      MemorySegment output, MemorySegment outputBias, MemorySegment outputNormWeight,
      MemorySegment outputNormBias) {

    static Layer of(BertWeights w, int index) {
      String p = "encoder.layer." + index + ".";
      return new Layer(
          w.get(p + "attention.self.query.weight"), w.get(p + "attention.self.query.bias"),
          w.get(p + "attention.self.key.weight"), w.get(p + "attention.self.key.bias"),
          w.get(p + "attention.self.value.weight"), w.get(p + "attention.self.value.bias"),
          w.get(p + "attention.output.dense.weight"), w.get(p + "attention.output.dense.bias"),
          w.get(p + "attention.output.LayerNorm.weight"), w.get(p + "attention.output.LayerNorm.bias"),
          w.get(p + "intermediate.dense.weight"), w.get(p + "intermediate.dense.bias"),
          w.get(p + "output.dense.weight"), w.get(p + "output.dense.bias"),
          w.get(p + "output.LayerNorm.weight"), w.get(p + "output.LayerNorm.bias"));
    }
  }

  public BertEncoder(BertWeights weights, TensorSupport ops, Parallel parallel) {
    this.config = weights.config();
    this.ops = ops;
    this.parallel = parallel;
    this.wordEmbeddings = weights.get("embeddings.word_embeddings.weight");
    this.positionEmbeddings = weights.get("embeddings.position_embeddings.weight");
    this.typeEmbeddings = weights.get("embeddings.token_type_embeddings.weight");
    this.embeddingNormWeight = weights.get("embeddings.LayerNorm.weight");
    this.embeddingNormBias = weights.get("embeddings.LayerNorm.bias");
    this.layers = new Layer[config.layers()];
    for (int l = 0; l < layers.length; l++) layers[l] = Layer.of(weights, l);
  }

  public BertConfig config() {
    return config;
  }

  /** The last hidden state: {@code tokenCount × hiddenSize} floats, row {@code t} for token {@code t}. */
  public float[] forward(TokenBatch batch) {
    validate(batch);
    int tokens = batch.tokenCount();
    int h = config.hiddenSize();
    float[] x = new float[tokens * h];
    float[] q = new float[tokens * h];
    float[] k = new float[tokens * h];
    float[] v = new float[tokens * h];
    float[] context = new float[tokens * h];
    float[] ffn = new float[tokens * config.intermediateSize()];
    embed(batch, x);
    for (Layer layer : layers) {
      parallel.forRows(tokens, (from, to) -> {
        int rows = to - from;
        ops.matmul(x, from * h, rows, h, layer.query, layer.queryBias, q, from * h, h);
        ops.matmul(x, from * h, rows, h, layer.key, layer.keyBias, k, from * h, h);
        ops.matmul(x, from * h, rows, h, layer.value, layer.valueBias, v, from * h, h);
      });
      attention(batch, q, k, v, context);
      // x1 = LayerNorm(x + context · Wo + bo), written into q, which is no longer needed.
      float[] x1 = q;
      parallel.forRows(tokens, (from, to) -> {
        ops.matmul(context, from * h, to - from, h, layer.attentionOut, layer.attentionOutBias, x1, from * h, h);
        residualNorm(x1, x, from, to, layer.attentionNormWeight, layer.attentionNormBias);
      });
      int inner = config.intermediateSize();
      parallel.forRows(tokens, (from, to) -> {
        ops.matmul(x1, from * h, to - from, h, layer.intermediate, layer.intermediateBias, ffn, from * inner, inner);
        ops.gelu(ffn, from * inner, (to - from) * inner);
      });
      parallel.forRows(tokens, (from, to) -> {
        ops.matmul(ffn, from * inner, to - from, inner, layer.output, layer.outputBias, x, from * h, h);
        residualNorm(x, x1, from, to, layer.outputNormWeight, layer.outputNormBias);
      });
    }
    return x;
  }

  private void validate(TokenBatch batch) {
    for (int s = 0; s < batch.sequenceCount(); s++) {
      if (batch.length(s) > config.maxPositions()) {
        throw new IllegalArgumentException("sequence " + s + " has " + batch.length(s)
            + " tokens; the model has " + config.maxPositions() + " positions: truncate it");
      }
    }
    for (int t = 0; t < batch.tokenCount(); t++) {
      int id = batch.ids()[t];
      int type = batch.typeIds()[t];
      if (id < 0 || id >= config.vocabSize() || type < 0 || type >= config.typeVocabSize()) {
        throw new IllegalArgumentException("token " + t + ": id " + id + " / type " + type
            + " is outside the model's vocabulary of " + config.vocabSize() + " / "
            + config.typeVocabSize() + "; the tokenizer does not belong to this model");
      }
    }
  }

  /** Word + token type + absolute position embeddings, then LayerNorm (in ONNX's order of sums). */
  private void embed(TokenBatch batch, float[] x) {
    int h = config.hiddenSize();
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) {
        MemorySegment.copy(wordEmbeddings, FLOAT_LE, 4L * batch.ids()[t] * h, x, t * h, h);
        addRow(x, t * h, typeEmbeddings, batch.typeIds()[t]);
        addRow(x, t * h, positionEmbeddings, p);
      }
    }
    parallel.forRows(batch.tokenCount(), (from, to) -> {
      for (int t = from; t < to; t++) {
        ops.layerNorm(x, t * h, h, embeddingNormWeight, embeddingNormBias, config.layerNormEps());
      }
    });
  }

  private void addRow(float[] x, int offset, MemorySegment table, int row) {
    int h = config.hiddenSize();
    long base = 4L * row * h;
    for (int i = 0; i < h; i++) x[offset + i] += table.get(FLOAT_LE, base + 4L * i);
  }

  private void attention(TokenBatch batch, float[] q, float[] k, float[] v, float[] out) {
    int heads = config.heads();
    int headDim = config.headDim();
    int h = config.hiddenSize();
    float scale = (float) (1 / Math.sqrt(headDim));
    parallel.forEach(batch.sequenceCount() * heads, task -> {
      int s = task / heads;
      int head = task % heads;
      int offset = batch.start(s) * h + head * headDim;
      ops.attention(q, k, v, out, offset, h, batch.length(s), headDim, scale, new float[batch.length(s)]);
    });
  }

  /** {@code y = LayerNorm(y + residual)} for rows {@code [from, to)}. */
  private void residualNorm(float[] y, float[] residual, int from, int to, MemorySegment weight,
      MemorySegment bias) {
    int h = config.hiddenSize();
    for (int t = from; t < to; t++) {
      ops.add(y, t * h, residual, t * h, h);
      ops.layerNorm(y, t * h, h, weight, bias, config.layerNormEps());
    }
  }
}
