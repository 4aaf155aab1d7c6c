package dev.quarry.nn;

import dev.quarry.kernels.Int8Matrix;
import dev.quarry.kernels.PackedMatrix;
import dev.quarry.kernels.PackedMatrix.Activation;
import dev.quarry.kernels.TensorSupport;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The BERT encoder's forward pass over an unpadded {@link TokenBatch}, written once against
 * {@link TensorSupport} so that every backend runs the same code.
 *
 * <p>Per layer: one fused Q|K|V projection; bidirectional attention per sequence and head
 * (sequences are unpadded, so no mask is needed: a token only ever sees its own sequence); output
 * projection, residual, LayerNorm; the GELU feed-forward block, residual, LayerNorm (post-norm, as
 * in BERT). The linear weights are packed for the backend once, here, at construction.
 *
 * <p>Work is split two ways. A large batch is split by rows: every step but attention only reads
 * its own row, so each thread carries its rows in chunks of {@link #CHUNK} from the output
 * projection through the feed-forward block to the next layer's Q|K|V without a barrier, while the
 * chunk's intermediates are still in cache. A small batch (one short query) has too few rows to
 * share, so each GEMM is split by columns instead. Either way every output element is computed by
 * the same operations in the same order, so a text's output depends neither on its batch nor on
 * the thread count (the backend's GEMM guarantees it per element; layer norms run per row).
 *
 * <p>Safe for many threads at once: the activations live in per-call scratch taken from a pool.
 */
public final class BertEncoder {

  /** Rows carried together through one layer's row-wise steps (intermediates stay in L2). */
  static final int CHUNK = 64;

  /** Below this many tokens per thread, GEMMs are split by columns rather than rows. */
  static final int COLUMN_SPLIT_BELOW = 48;

  private final BertConfig config;
  private final TensorSupport ops;
  private final Parallel parallel;
  private final MemorySegment wordEmbeddings;
  /** The word embeddings' codes where the model stores them so (then wordEmbeddings is null). */
  private final Int8Matrix wordCodes;
  private final MemorySegment positionEmbeddings;
  private final MemorySegment typeEmbeddings;
  private final MemorySegment embeddingNormWeight;
  private final MemorySegment embeddingNormBias;
  private final Layer[] layers;
  private final ConcurrentLinkedQueue<Scratch> scratchPool = new ConcurrentLinkedQueue<>();

  /** One transformer block: packed linear layers, layer norm parameters as segments. */
  private record Layer(PackedMatrix qkv, PackedMatrix attentionOut, MemorySegment attentionNormWeight,
      MemorySegment attentionNormBias, PackedMatrix intermediate, PackedMatrix output,
      MemorySegment outputNormWeight, MemorySegment outputNormBias) {

    static Layer of(BertWeights w, int index, TensorSupport ops, BertConfig config) {
      String p = "encoder.layer." + index + ".";
      int h = config.hiddenSize();
      int inner = config.intermediateSize();
      Layer layer = new Layer(
          packQkv(w, p + "attention.self.", ops, h),
          pack(w, p + "attention.output.dense", ops, h, h),
          w.get(p + "attention.output.LayerNorm.weight"), w.get(p + "attention.output.LayerNorm.bias"),
          pack(w, p + "intermediate.dense", ops, h, inner),
          pack(w, p + "output.dense", ops, inner, h),
          w.get(p + "output.LayerNorm.weight"), w.get(p + "output.LayerNorm.bias"));
      if (layer.qkv.packedBytes() > 0) {
        // The backend keeps its own copy: the mapped originals need not stay resident. (They
        // fault back in if anything reads them again, e.g. saving the model.)
        for (String name : new String[] {"attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"}) {
          Int8Matrix codes = w.int8(p + name + ".weight");
          MemorySegment weight = codes != null ? codes.codes() : w.get(p + name + ".weight");
          if (weight.isMapped()) weight.unload();
        }
      }
      return layer;
    }

    /** A linear layer, from its 8-bit codes where the model stores them so. */
    private static PackedMatrix pack(BertWeights w, String name, TensorSupport ops, int k, int n) {
      Int8Matrix codes = w.int8(name + ".weight");
      MemorySegment bias = w.get(name + ".bias");
      return codes != null ? ops.pack(codes, bias) : ops.pack(w.get(name + ".weight"), bias, k, n);
    }

    /** Q, K and V side by side, {@code [h, 3h]}: one GEMM instead of three. */
    private static PackedMatrix packQkv(BertWeights w, String prefix, TensorSupport ops, int h) {
      // An automatic arena: a backend that packs copies it and drops it, the scalar one keeps it.
      Arena arena = Arena.ofAuto();
      String[] names = {"query", "key", "value"};
      Int8Matrix[] codes = new Int8Matrix[3];
      for (int part = 0; part < 3; part++) codes[part] = w.int8(prefix + names[part] + ".weight");
      MemorySegment bias = arena.allocate(4L * 3 * h, 64);
      for (int part = 0; part < 3; part++) {
        MemorySegment.copy(w.get(prefix + names[part] + ".bias"), 0, bias, 4L * part * h, 4L * h);
      }
      if (codes[0] != null && codes[1] != null && codes[2] != null) {
        return ops.pack(Int8Matrix.sideBySide(arena, codes), bias);
      }
      MemorySegment weight = arena.allocate(4L * h * 3 * h, 64);
      for (int part = 0; part < 3; part++) {
        MemorySegment src = w.get(prefix + names[part] + ".weight");
        for (int p = 0; p < h; p++) {
          MemorySegment.copy(src, 4L * p * h, weight, 4L * (p * 3L * h + (long) part * h), 4L * h);
        }
      }
      return ops.pack(weight, bias, h, 3 * h);
    }
  }

  /** One forward call's activations, reused by later calls. */
  private static final class Scratch {
    int capacity;
    float[] qkv = new float[0];
    float[] context = new float[0];
    float[] x1 = new float[0];
    float[] ffn = new float[0];

    void ensure(int tokens, BertConfig config) {
      if (tokens <= capacity) return;
      int h = config.hiddenSize();
      qkv = new float[tokens * 3 * h];
      context = new float[tokens * h];
      x1 = new float[tokens * h];
      ffn = new float[tokens * config.intermediateSize()];
      capacity = tokens;
    }
  }

  public BertEncoder(BertWeights weights, TensorSupport ops, Parallel parallel) {
    this.config = weights.config();
    this.ops = ops;
    this.parallel = parallel;
    // An int8 table is widened a row per token, not at load: 4× less memory for the largest tensor.
    this.wordCodes = weights.int8("embeddings.word_embeddings.weight");
    this.wordEmbeddings = wordCodes == null ? weights.get("embeddings.word_embeddings.weight") : null;
    this.positionEmbeddings = weights.get("embeddings.position_embeddings.weight");
    this.typeEmbeddings = weights.get("embeddings.token_type_embeddings.weight");
    this.embeddingNormWeight = weights.get("embeddings.LayerNorm.weight");
    this.embeddingNormBias = weights.get("embeddings.LayerNorm.bias");
    this.layers = new Layer[config.layers()];
    for (int l = 0; l < layers.length; l++) layers[l] = Layer.of(weights, l, ops, config);
  }

  public BertConfig config() {
    return config;
  }

  /** The last hidden state: {@code tokenCount × hiddenSize} floats, row {@code t} for token {@code t}. */
  public float[] forward(TokenBatch batch) {
    batch.checkFits(config);
    int tokens = batch.tokenCount();
    float[] x = new float[tokens * config.hiddenSize()];
    Scratch s = scratchPool.poll();
    if (s == null) s = new Scratch();
    try {
      s.ensure(tokens, config);
      embed(batch, x);
      if (tokens < COLUMN_SPLIT_BELOW * parallel.threads()) {
        forwardByColumns(batch, x, s);
      } else {
        forwardByRows(batch, x, s);
      }
    } finally {
      scratchPool.offer(s);
    }
    return x;
  }

  /** Few rows: every GEMM split across threads by column panels; row-wise steps on the caller. */
  private void forwardByColumns(TokenBatch batch, float[] x, Scratch s) {
    int tokens = batch.tokenCount();
    int h = config.hiddenSize();
    float eps = config.layerNormEps();
    for (Layer layer : layers) {
      gemmByColumns(x, tokens, layer.qkv, Activation.IDENTITY, s.qkv);
      attention(batch, s.qkv, s.context);
      gemmByColumns(s.context, tokens, layer.attentionOut, Activation.IDENTITY, s.x1);
      for (int t = 0; t < tokens; t++) {
        ops.addLayerNorm(s.x1, t * h, x, t * h, h, layer.attentionNormWeight, layer.attentionNormBias, eps);
      }
      gemmByColumns(s.x1, tokens, layer.intermediate, Activation.GELU, s.ffn);
      gemmByColumns(s.ffn, tokens, layer.output, Activation.IDENTITY, x);
      for (int t = 0; t < tokens; t++) {
        ops.addLayerNorm(x, t * h, s.x1, t * h, h, layer.outputNormWeight, layer.outputNormBias, eps);
      }
    }
  }

  private void gemmByColumns(float[] a, int m, PackedMatrix b, Activation act, float[] c) {
    parallel.forColumns(b.columns(), b.columnBlock(), (from, to) -> ops.matmul(a, 0, m, b, act, c, 0, from, to));
  }

  /**
   * Many rows: one barrier before attention and one after it per layer. After attention, each
   * thread takes its rows through the output projection, the feed-forward block and the next
   * layer's Q|K|V projection, {@link #CHUNK} rows at a time.
   */
  private void forwardByRows(TokenBatch batch, float[] x, Scratch s) {
    int tokens = batch.tokenCount();
    parallel.forRows(tokens, (from, to) -> {
      for (int r = from; r < to; r += CHUNK) {
        int rows = Math.min(CHUNK, to - r);
        qkv(layers[0], x, s, r, rows);
      }
    });
    for (int l = 0; l < layers.length; l++) {
      Layer layer = layers[l];
      Layer next = l + 1 < layers.length ? layers[l + 1] : null;
      attention(batch, s.qkv, s.context);
      parallel.forRows(tokens, (from, to) -> {
        for (int r = from; r < to; r += CHUNK) {
          int rows = Math.min(CHUNK, to - r);
          rowWise(layer, x, s, r, rows);
          if (next != null) qkv(next, x, s, r, rows);
        }
      });
    }
  }

  private void qkv(Layer layer, float[] x, Scratch s, int row, int rows) {
    int h = config.hiddenSize();
    ops.matmul(x, row * h, rows, layer.qkv, Activation.IDENTITY, s.qkv, row * 3 * h, 0, 3 * h);
  }

  /** Output projection, residual and norm, feed-forward, residual and norm, for some rows. */
  private void rowWise(Layer layer, float[] x, Scratch s, int row, int rows) {
    int h = config.hiddenSize();
    int inner = config.intermediateSize();
    float eps = config.layerNormEps();
    ops.matmul(s.context, row * h, rows, layer.attentionOut, Activation.IDENTITY, s.x1, row * h, 0, h);
    for (int t = row; t < row + rows; t++) {
      ops.addLayerNorm(s.x1, t * h, x, t * h, h, layer.attentionNormWeight, layer.attentionNormBias, eps);
    }
    ops.matmul(s.x1, row * h, rows, layer.intermediate, Activation.GELU, s.ffn, row * inner, 0, inner);
    ops.matmul(s.ffn, row * inner, rows, layer.output, Activation.IDENTITY, x, row * h, 0, h);
    for (int t = row; t < row + rows; t++) {
      ops.addLayerNorm(x, t * h, s.x1, t * h, h, layer.outputNormWeight, layer.outputNormBias, eps);
    }
  }

  /** Word + token type + absolute position embeddings, then LayerNorm (in ONNX's order of sums). */
  private void embed(TokenBatch batch, float[] x) {
    int h = config.hiddenSize();
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) {
        if (wordCodes != null) {
          wordCodes.row(batch.ids()[t], x, t * h);
        } else {
          MemorySegment.copy(wordEmbeddings, BertWeights.FLOAT, 4L * batch.ids()[t] * h, x, t * h, h);
        }
        addRow(x, t * h, typeEmbeddings, batch.typeIds()[t]);
        addRow(x, t * h, positionEmbeddings, p);
      }
    }
    for (int t = 0; t < batch.tokenCount(); t++) {
      ops.layerNorm(x, t * h, h, embeddingNormWeight, embeddingNormBias, config.layerNormEps());
    }
  }

  private void addRow(float[] x, int offset, MemorySegment table, int row) {
    int h = config.hiddenSize();
    long base = 4L * row * h;
    for (int i = 0; i < h; i++) x[offset + i] += table.get(BertWeights.FLOAT, base + 4L * i);
  }

  /** Sequence indices by decreasing length. */
  private static int[] longestFirst(TokenBatch batch) {
    int n = batch.sequenceCount();
    long[] keys = new long[n];
    for (int s = 0; s < n; s++) keys[s] = ((long) -batch.length(s) << 32) | s;
    Arrays.sort(keys);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = (int) keys[i];
    return order;
  }

  /** Attention for every (sequence, head) pair, claimed one at a time by the threads. */
  private void attention(TokenBatch batch, float[] qkv, float[] out) {
    int heads = config.heads();
    int headDim = config.headDim();
    int h = config.hiddenSize();
    float scale = (float) (1 / Math.sqrt(headDim));
    int[] order = longestFirst(batch);
    // Longest sequences first, so that the last tasks to be claimed are the short ones.
    parallel.forEach(batch.sequenceCount() * heads, task -> {
      int s = order[task / heads];
      int head = task % heads;
      int start = batch.start(s);
      int q = start * 3 * h + head * headDim;
      ops.attention(qkv, q, qkv, q + h, qkv, q + 2 * h, 3 * h, out, start * h + head * headDim, h,
          batch.length(s), headDim, scale);
    });
  }
}
