package dev.quarry.train;

import dev.quarry.kernels.TensorGradients;
import dev.quarry.kernels.TensorSupport;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.TokenBatch;
import dev.quarry.train.Parameters.Parameter;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT encoder that can learn: its parameters as heap arrays with gradients, a forward pass that
 * keeps what the backward pass needs ({@link Tape}), and the backward pass itself, written once
 * against {@link TensorSupport} (the GEMMs, through {@link Linear}) and {@link TensorGradients}
 * (the per-row steps), so that every CPU backend trains with the same code.
 *
 * <p>The forward pass is the inference one ({@link dev.quarry.nn.BertEncoder}) over an unpadded
 * batch: post-norm layers, fused Q|K|V, attention per sequence and head. It saves per layer the
 * layer's input, Q|K|V, the attention output, the normalised rows and inverse deviations of both
 * LayerNorms, and the feed-forward block's input, pre-activation and activation: 16 hidden widths
 * per token and layer. Attention probabilities are not saved; the backward pass recomputes them,
 * so memory grows linearly with the sequence length. There is no dropout: fine-tuning a
 * pre-trained encoder on a few thousand pairs for an epoch or two does not need it.
 *
 * <p>Gradients accumulate into {@link #parameters()} until the caller zeroes them; after changing
 * the values (an optimizer step) the caller must call {@link #parametersChanged()}.
 * Deterministic for a given thread count: every sum is split the same way every time.
 */
public final class TrainableBert {

  private final BertConfig config;
  private final TensorSupport ops;
  private final TensorGradients grads;
  private final Parallel parallel;
  private final Parameters parameters = new Parameters();
  private final Parameter word;
  private final Parameter position;
  private final Parameter type;
  private final Parameter embeddingNormWeight;
  private final Parameter embeddingNormBias;
  private final Block[] blocks;
  private boolean stale = true;

  /** One transformer block's parameters and the GEMMs over them. */
  private record Block(Parameter[] qkvWeights, Parameter[] qkvBiases, Linear qkv,
      Parameter attentionOutWeight, Parameter attentionOutBias, Linear attentionOut,
      Parameter attentionNormWeight, Parameter attentionNormBias,
      Parameter intermediateWeight, Parameter intermediateBias, Linear intermediate,
      Parameter outputWeight, Parameter outputBias, Linear output,
      Parameter outputNormWeight, Parameter outputNormBias) {}

  /** Copies {@code weights} into trainable arrays; the original segments are not kept. */
  public TrainableBert(BertWeights weights, TensorSupport ops, TensorGradients grads, Parallel parallel) {
    this.config = weights.config();
    this.ops = ops;
    this.grads = grads;
    this.parallel = parallel;
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (BertConfig.Parameter p : config.parameters()) {
      MemorySegment segment = weights.get(p.name());
      float[] value = new float[Math.toIntExact(p.elementCount())];
      MemorySegment.copy(segment, BertWeights.FLOAT, 0, value, 0, value.length);
      // BERT's recipe: no weight decay on biases and LayerNorm parameters.
      boolean decay = !p.name().endsWith(".bias") && !p.name().contains("LayerNorm");
      byName.put(p.name(), parameters.add(p.name(), p.shape(), value, decay));
    }
    word = byName.get("embeddings.word_embeddings.weight");
    position = byName.get("embeddings.position_embeddings.weight");
    type = byName.get("embeddings.token_type_embeddings.weight");
    embeddingNormWeight = byName.get("embeddings.LayerNorm.weight");
    embeddingNormBias = byName.get("embeddings.LayerNorm.bias");
    int h = config.hiddenSize();
    int inner = config.intermediateSize();
    blocks = new Block[config.layers()];
    for (int l = 0; l < blocks.length; l++) {
      String p = "encoder.layer." + l + ".";
      String self = p + "attention.self.";
      blocks[l] = new Block(
          new Parameter[] {byName.get(self + "query.weight"), byName.get(self + "key.weight"),
              byName.get(self + "value.weight")},
          new Parameter[] {byName.get(self + "query.bias"), byName.get(self + "key.bias"),
              byName.get(self + "value.bias")},
          new Linear(ops, parallel, h, 3 * h),
          byName.get(p + "attention.output.dense.weight"), byName.get(p + "attention.output.dense.bias"),
          new Linear(ops, parallel, h, h),
          byName.get(p + "attention.output.LayerNorm.weight"), byName.get(p + "attention.output.LayerNorm.bias"),
          byName.get(p + "intermediate.dense.weight"), byName.get(p + "intermediate.dense.bias"),
          new Linear(ops, parallel, h, inner),
          byName.get(p + "output.dense.weight"), byName.get(p + "output.dense.bias"),
          new Linear(ops, parallel, inner, h),
          byName.get(p + "output.LayerNorm.weight"), byName.get(p + "output.LayerNorm.bias"));
    }
  }

  public BertConfig config() {
    return config;
  }

  public Parameters parameters() {
    return parameters;
  }

  /** Must be called after the parameter values change, before the next forward pass. */
  public void parametersChanged() {
    stale = true;
  }

  /** The current values as weights (views of the live arrays, not copies), e.g. to save them. */
  public BertWeights weights() {
    Map<String, MemorySegment> tensors = new LinkedHashMap<>();
    for (Parameter p : parameters.all()) tensors.put(p.name(), MemorySegment.ofArray(p.value()));
    return new BertWeights(config, tensors, "the model in training");
  }

  /** What one forward pass keeps for its backward pass. */
  public static final class Tape {
    private final TokenBatch batch;
    private final float[] hidden;
    private final float[] embeddingXhat;
    private final float[] embeddingRstd;
    private final LayerTape[] layers;

    private Tape(TokenBatch batch, float[] hidden, float[] embeddingXhat, float[] embeddingRstd,
        LayerTape[] layers) {
      this.batch = batch;
      this.hidden = hidden;
      this.embeddingXhat = embeddingXhat;
      this.embeddingRstd = embeddingRstd;
      this.layers = layers;
    }

    public TokenBatch batch() {
      return batch;
    }

    /** The last hidden state, {@code tokens × hiddenSize}. */
    public float[] hidden() {
      return hidden;
    }
  }

  /** One layer's saved activations (see the class comment). */
  private record LayerTape(float[] input, float[] qkv, float[] context, float[] attentionXhat,
      float[] attentionRstd, float[] attended, float[] preActivation, float[] activation,
      float[] outputXhat, float[] outputRstd) {}

  /** The forward pass, keeping what {@link #backward} needs. */
  public Tape forward(TokenBatch batch) {
    batch.checkFits(config);
    if (stale) repack();
    int tokens = batch.tokenCount();
    int h = config.hiddenSize();
    int inner = config.intermediateSize();
    float[] x = new float[tokens * h];
    float[] embeddingXhat = new float[tokens * h];
    float[] embeddingRstd = new float[tokens];
    embed(batch, x);
    layerNorm(x, tokens, embeddingNormWeight, embeddingNormBias, embeddingXhat, embeddingRstd);
    LayerTape[] tapes = new LayerTape[blocks.length];
    for (int l = 0; l < blocks.length; l++) {
      Block b = blocks[l];
      LayerTape t = new LayerTape(x, new float[tokens * 3 * h], new float[tokens * h],
          new float[tokens * h], new float[tokens], new float[tokens * h], new float[tokens * inner],
          new float[tokens * inner], new float[tokens * h], new float[tokens]);
      b.qkv.forward(x, tokens, t.qkv);
      attention(batch, t.qkv, t.context);
      float[] attended = t.attended;
      b.attentionOut.forward(t.context, tokens, attended);
      add(attended, x, tokens * h);
      layerNorm(attended, tokens, b.attentionNormWeight, b.attentionNormBias, t.attentionXhat, t.attentionRstd);
      b.intermediate.forward(attended, tokens, t.preActivation);
      System.arraycopy(t.preActivation, 0, t.activation, 0, t.activation.length);
      parallel.forRows(tokens, (from, to) -> ops.gelu(t.activation, from * inner, (to - from) * inner));
      float[] out = new float[tokens * h];
      b.output.forward(t.activation, tokens, out);
      add(out, attended, tokens * h);
      layerNorm(out, tokens, b.outputNormWeight, b.outputNormBias, t.outputXhat, t.outputRstd);
      tapes[l] = t;
      x = out;
    }
    return new Tape(batch, x, embeddingXhat, embeddingRstd, tapes);
  }

  /**
   * The backward pass: from {@code dHidden} (the loss's gradient with respect to
   * {@link Tape#hidden()}), accumulates every parameter's gradient. The tape is spent: its
   * activations are released as the pass goes down the layers.
   */
  public void backward(Tape tape, float[] dHidden) {
    TokenBatch batch = tape.batch;
    int tokens = batch.tokenCount();
    int h = config.hiddenSize();
    int inner = config.intermediateSize();
    if (dHidden.length != tokens * h) {
      throw new IllegalArgumentException("gradient of " + dHidden.length + " floats for "
          + tokens + " tokens of width " + h);
    }
    float[] d = dHidden;
    for (int l = blocks.length - 1; l >= 0; l--) {
      Block b = blocks[l];
      LayerTape t = tape.layers[l];
      tape.layers[l] = null;
      // Output LayerNorm, then the feed-forward block; the residual carries dOut past it.
      float[] dOut = new float[tokens * h];
      layerNormBackward(d, t.outputXhat, t.outputRstd, b.outputNormWeight, b.outputNormBias, dOut, tokens);
      b.output.backwardWeights(t.activation, dOut, tokens, b.outputWeight.grad(), b.outputBias.grad());
      float[] dActivation = new float[tokens * inner];
      b.output.backwardInput(dOut, tokens, dActivation);
      parallel.forRows(tokens, (from, to) -> grads.geluBackward(t.preActivation, from * inner,
          dActivation, from * inner, (to - from) * inner));
      b.intermediate.backwardWeights(t.attended, dActivation, tokens, b.intermediateWeight.grad(),
          b.intermediateBias.grad());
      float[] dAttended = new float[tokens * h];
      b.intermediate.backwardInput(dActivation, tokens, dAttended);
      add(dAttended, dOut, tokens * h);
      // Attention LayerNorm, output projection, attention; the residual carries dIn past them.
      float[] dIn = new float[tokens * h];
      layerNormBackward(dAttended, t.attentionXhat, t.attentionRstd, b.attentionNormWeight,
          b.attentionNormBias, dIn, tokens);
      b.attentionOut.backwardWeights(t.context, dIn, tokens, b.attentionOutWeight.grad(),
          b.attentionOutBias.grad());
      float[] dContext = new float[tokens * h];
      b.attentionOut.backwardInput(dIn, tokens, dContext);
      float[] dQkv = new float[tokens * 3 * h];
      attentionBackward(batch, t.qkv, dContext, dQkv);
      float[] dQkvWeight = new float[h * 3 * h];
      float[] dQkvBias = new float[3 * h];
      b.qkv.backwardWeights(t.input, dQkv, tokens, dQkvWeight, dQkvBias);
      scatterQkv(b, dQkvWeight, dQkvBias);
      float[] dInput = new float[tokens * h];
      b.qkv.backwardInput(dQkv, tokens, dInput);
      add(dInput, dIn, tokens * h);
      d = dInput;
    }
    float[] dEmbedding = new float[tokens * h];
    layerNormBackward(d, tape.embeddingXhat, tape.embeddingRstd, embeddingNormWeight,
        embeddingNormBias, dEmbedding, tokens);
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) {
        addRow(word.grad(), batch.ids()[t], dEmbedding, t);
        addRow(type.grad(), batch.typeIds()[t], dEmbedding, t);
        addRow(position.grad(), p, dEmbedding, t);
      }
    }
  }

  private void repack() {
    int h = config.hiddenSize();
    for (Block b : blocks) {
      // Q, K and V side by side, [h, 3h]: one GEMM instead of three, as in inference.
      float[] weight = new float[h * 3 * h];
      float[] bias = new float[3 * h];
      for (int part = 0; part < 3; part++) {
        float[] w = b.qkvWeights[part].value();
        for (int r = 0; r < h; r++) System.arraycopy(w, r * h, weight, r * 3 * h + part * h, h);
        System.arraycopy(b.qkvBiases[part].value(), 0, bias, part * h, h);
      }
      b.qkv.repack(weight, bias);
      b.attentionOut.repack(b.attentionOutWeight.value(), b.attentionOutBias.value());
      b.intermediate.repack(b.intermediateWeight.value(), b.intermediateBias.value());
      b.output.repack(b.outputWeight.value(), b.outputBias.value());
    }
    stale = false;
  }

  /** The fused Q|K|V gradient back into the query, key and value parameters. */
  private void scatterQkv(Block b, float[] dWeight, float[] dBias) {
    int h = config.hiddenSize();
    for (int part = 0; part < 3; part++) {
      float[] g = b.qkvWeights[part].grad();
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < h; c++) g[r * h + c] += dWeight[r * 3 * h + part * h + c];
      }
      float[] gb = b.qkvBiases[part].grad();
      for (int c = 0; c < h; c++) gb[c] += dBias[part * h + c];
    }
  }

  /** Word + token type + absolute position embeddings (in ONNX's order of sums, as inference). */
  private void embed(TokenBatch batch, float[] x) {
    int h = config.hiddenSize();
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) {
        System.arraycopy(word.value(), batch.ids()[t] * h, x, t * h, h);
        float[] typeRow = type.value();
        float[] positionRow = position.value();
        int ty = batch.typeIds()[t] * h;
        int po = p * h;
        for (int i = 0; i < h; i++) x[t * h + i] += typeRow[ty + i];
        for (int i = 0; i < h; i++) x[t * h + i] += positionRow[po + i];
      }
    }
  }

  private void addRow(float[] table, int row, float[] d, int token) {
    int h = config.hiddenSize();
    for (int i = 0; i < h; i++) table[row * h + i] += d[token * h + i];
  }

  /** {@code x += y} over {@code n} floats, split by rows across the threads. */
  private void add(float[] x, float[] y, int n) {
    int h = config.hiddenSize();
    parallel.forRows(n / h, (from, to) -> ops.add(x, from * h, y, from * h, (to - from) * h));
  }

  private void layerNorm(float[] x, int tokens, Parameter weight, Parameter bias, float[] xhat,
      float[] rstd) {
    int h = config.hiddenSize();
    float eps = config.layerNormEps();
    parallel.forRows(tokens, (from, to) -> {
      for (int t = from; t < to; t++) {
        rstd[t] = grads.layerNorm(x, t * h, h, weight.value(), bias.value(), eps, xhat, t * h);
      }
    });
  }

  /**
   * LayerNorm's backward over every row. Each thread sums its rows' parameter gradients into its
   * own buffers, added in a fixed order afterwards: the result does not depend on timing.
   */
  private void layerNormBackward(float[] dy, float[] xhat, float[] rstd, Parameter weight,
      Parameter bias, float[] dx, int tokens) {
    int h = config.hiddenSize();
    int chunks = Math.min(parallel.threads(), tokens);
    float[][] dWeight = new float[chunks][h];
    float[][] dBias = new float[chunks][h];
    parallel.forEach(chunks, c -> {
      int from = (int) ((long) tokens * c / chunks);
      int to = (int) ((long) tokens * (c + 1) / chunks);
      for (int t = from; t < to; t++) {
        grads.layerNormBackward(dy, t * h, xhat, t * h, rstd[t], weight.value(), h, dx, t * h,
            dWeight[c], dBias[c]);
      }
    });
    for (int c = 0; c < chunks; c++) {
      for (int i = 0; i < h; i++) {
        weight.grad()[i] += dWeight[c][i];
        bias.grad()[i] += dBias[c][i];
      }
    }
  }

  private void attention(TokenBatch batch, float[] qkv, float[] out) {
    int h = config.hiddenSize();
    forEachHead(batch, (length, qkvAt, outAt, scale) -> ops.attention(qkv, qkvAt, qkv, qkvAt + h,
        qkv, qkvAt + 2 * h, 3 * h, out, outAt, h, length, config.headDim(), scale));
  }

  private void attentionBackward(TokenBatch batch, float[] qkv, float[] dOut, float[] dQkv) {
    int h = config.hiddenSize();
    forEachHead(batch, (length, qkvAt, outAt, scale) -> grads.attentionBackward(qkv, qkvAt, qkv,
        qkvAt + h, qkv, qkvAt + 2 * h, 3 * h, dOut, outAt, h, dQkv, qkvAt, dQkv, qkvAt + h, dQkv,
        qkvAt + 2 * h, 3 * h, length, config.headDim(), scale));
  }

  /** One (sequence, head) pair of attention: where its query columns and output columns start. */
  private interface HeadTask {
    void run(int length, int qkvOffset, int outOffset, float scale);
  }

  /** Runs {@code task} for every sequence and head, claimed one at a time by the threads. */
  private void forEachHead(TokenBatch batch, HeadTask task) {
    int heads = config.heads();
    int headDim = config.headDim();
    int h = config.hiddenSize();
    float scale = (float) (1 / Math.sqrt(headDim));
    parallel.forEach(batch.sequenceCount() * heads, i -> {
      int start = batch.start(i / heads);
      int column = (i % heads) * headDim;
      task.run(batch.length(i / heads), start * 3 * h + column, start * h + column, scale);
    });
  }
}
