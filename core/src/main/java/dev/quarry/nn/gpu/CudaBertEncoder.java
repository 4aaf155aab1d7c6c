package dev.quarry.nn.gpu;

import dev.quarry.kernels.cuda.CublasGemm;
import dev.quarry.kernels.cuda.CudaContext;
import dev.quarry.kernels.cuda.CudaException;
import dev.quarry.kernels.cuda.CudaGraph;
import dev.quarry.kernels.cuda.CudaModule;
import dev.quarry.kernels.cuda.DeviceBuffer;
import dev.quarry.kernels.cuda.PinnedBuffer;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.model.Pooling;
import dev.quarry.nn.TokenBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUfunction;

/**
 * The BERT encoder on one NVIDIA GPU, from token ids to pooled, normalised sentence vectors: fp16
 * weights resident on the device, fp32 accumulation everywhere, unpadded batches.
 *
 * <p>Per batch: one copy of the packed ids in; embedding gather + LayerNorm; per layer one cuBLAS
 * GEMM for Q|K|V, flash-style attention over each sequence (biases added as it loads), the output
 * GEMM, bias + residual + LayerNorm, the inner GEMM, bias + GELU, the outer GEMM, bias + residual +
 * LayerNorm; pooling, Matryoshka truncation and normalisation; one copy of the vectors out. The whole
 * sequence is captured once per {@link ShapeBucket} as a CUDA graph and replayed.
 *
 * <p>Large inputs run in sub-batches of at most {@link #tokenBudget()} tokens (whole sequences), so
 * that activations stay small enough to live mostly in L2; when the device runs out of memory the
 * budget halves and the batch is retried (and that is said once on stderr). One caller at a time:
 * methods are synchronized.
 */
public final class CudaBertEncoder implements AutoCloseable {

  private static final int MAX_GRAPHS = 64;

  private final BertConfig config;
  private final CudaContext context;
  private final CudaModule module;
  private final CublasGemm blas;
  private final GpuBertWeights weights;
  private final DeviceMemoryPlan plan;
  private final CUfunction embedNorm, residualNorm, biasGelu, attention, pool;
  private final Map<String, CudaGraph> graphs = new LinkedHashMap<>(16, 0.75f, true);
  private int tokenBudget;
  private boolean useGraphs = true;
  private Workspace workspace;
  private boolean closed;

  /** The activation buffers for batches up to {@code capacity}, and the pinned buffers of its copies. */
  private record Workspace(ShapeBucket capacity, DeviceBuffer inputs, DeviceBuffer x, DeviceBuffer x1,
      DeviceBuffer projected, DeviceBuffer qkv, DeviceBuffer context, DeviceBuffer inner,
      DeviceBuffer pooled, PinnedBuffer hostInputs, PinnedBuffer hostPooled) implements AutoCloseable {
    @Override
    public void close() {
      for (AutoCloseable c : new AutoCloseable[] {inputs, x, x1, projected, qkv, context, inner, pooled,
          hostInputs, hostPooled}) {
        try {
          if (c != null) c.close();
        } catch (Exception ignored) {
          // freeing after a device error can fail again; the first error is the one reported
        }
      }
    }
  }

  private CudaBertEncoder(BertWeights bertWeights, CudaContext context, int tokenBudget) {
    this.config = bertWeights.config();
    if (config.hiddenSize() % 2 != 0 || config.hiddenSize() > 1024 || config.intermediateSize() % 2 != 0) {
      throw new IllegalArgumentException("the GPU encoder needs an even hidden size of at most 1024, got "
          + config.hiddenSize());
    }
    if (config.headDim() != 32 && config.headDim() != 64) {
      throw new IllegalArgumentException("the GPU encoder's attention handles head sizes 32 and 64, got "
          + config.headDim());
    }
    this.context = context;
    this.plan = new DeviceMemoryPlan(config);
    this.module = CudaModule.load(context);
    this.blas = new CublasGemm(context);
    try {
      this.weights = new GpuBertWeights(context, bertWeights);
    } catch (RuntimeException e) {
      blas.close();
      throw e;
    }
    this.embedNorm = module.function("embed_layernorm");
    this.residualNorm = module.function("bias_residual_layernorm");
    this.biasGelu = module.function("bias_gelu");
    this.attention = module.function(config.headDim() == 32 ? "attention_d32" : "attention_d64");
    this.pool = module.function("pool_normalize");
    this.tokenBudget = tokenBudget;
  }

  /**
   * Puts {@code weights} on GPU {@code ordinal}.
   *
   * @param tokenBudget the most tokens one sub-batch runs with
   * @throws dev.quarry.kernels.cuda.CudaUnavailableException with a one-line reason when there is no GPU
   */
  public static CudaBertEncoder open(BertWeights weights, int ordinal, int tokenBudget) {
    CudaContext context = CudaContext.open(ordinal);
    try {
      return new CudaBertEncoder(weights, context, tokenBudget);
    } catch (RuntimeException | Error e) {
      context.close();
      throw e;
    }
  }

  public BertConfig config() {
    return config;
  }

  /** The GPU's name and what ran: e.g. {@code NVIDIA H100 80GB HBM3 (sm_90, fatbin sm_90)}. */
  public String deviceDescription() {
    return context.name() + " (sm_" + context.computeCapability() + ", " + module.source() + ")";
  }

  public synchronized int tokenBudget() {
    return tokenBudget;
  }

  public synchronized void setTokenBudget(int tokens) {
    if (tokens < 1) throw new IllegalArgumentException("token budget must be positive, got " + tokens);
    tokenBudget = tokens;
  }

  /** Replays captured graphs (default) or launches every kernel each time (for comparison). */
  public synchronized void setUseGraphs(boolean use) {
    useGraphs = use;
  }

  /**
   * One vector per sequence of {@code batch}: pooled, truncated to its first {@code dimension}
   * components, then L2-normalised when {@code normalize}, as the CPU path computes it.
   */
  public synchronized float[][] embed(TokenBatch batch, Pooling pooling, boolean normalize, int dimension) {
    if (closed) throw new IllegalStateException("this GPU encoder is closed");
    if (dimension < 1 || dimension > config.hiddenSize()) {
      throw new IllegalArgumentException("dimension " + dimension + " is outside 1.." + config.hiddenSize());
    }
    validate(batch);
    context.makeCurrent();
    float[][] out = new float[batch.sequenceCount()][];
    int first = 0;
    while (first < batch.sequenceCount()) {
      int end = first, tokens = 0;
      while (end < batch.sequenceCount() && (end == first || tokens + batch.length(end) <= tokenBudget)) {
        tokens += batch.length(end++);
      }
      TokenBatch part = slice(batch, first, end);
      try {
        float[][] vectors = run(part, pooling, normalize, dimension);
        System.arraycopy(vectors, 0, out, first, vectors.length);
        first = end;
      } catch (CudaException e) {
        if (!e.outOfMemory() || end - first == 1) throw e;
        releaseWorkspace();
        tokenBudget = Math.max(1, Math.min(tokenBudget, tokens) / 2);
        System.err.println("quarry: the GPU ran out of memory for " + tokens + " tokens; splitting batches"
            + " to at most " + tokenBudget + " tokens and retrying");
      }
    }
    return out;
  }

  private void validate(TokenBatch batch) {
    for (int s = 0; s < batch.sequenceCount(); s++) {
      if (batch.length(s) > config.maxPositions()) {
        throw new IllegalArgumentException("sequence " + s + " has " + batch.length(s) + " tokens; the model has "
            + config.maxPositions() + " positions: truncate it");
      }
    }
    for (int t = 0; t < batch.tokenCount(); t++) {
      int id = batch.ids()[t], type = batch.typeIds()[t];
      if (id < 0 || id >= config.vocabSize() || type < 0 || type >= config.typeVocabSize()) {
        throw new IllegalArgumentException("token " + t + ": id " + id + " / type " + type
            + " is outside the model's vocabulary of " + config.vocabSize() + " / " + config.typeVocabSize()
            + "; the tokenizer does not belong to this model");
      }
    }
  }

  static TokenBatch slice(TokenBatch batch, int from, int to) {
    if (from == 0 && to == batch.sequenceCount()) return batch;
    int t0 = batch.start(from), t1 = batch.start(to);
    int[] starts = new int[to - from + 1];
    for (int s = from; s <= to; s++) starts[s - from] = batch.starts()[s] - t0;
    return new TokenBatch(java.util.Arrays.copyOfRange(batch.ids(), t0, t1),
        java.util.Arrays.copyOfRange(batch.typeIds(), t0, t1), starts);
  }

  private float[][] run(TokenBatch batch, Pooling pooling, boolean normalize, int dimension) {
    int maxLength = 0;
    for (int s = 0; s < batch.sequenceCount(); s++) maxLength = Math.max(maxLength, batch.length(s));
    ShapeBucket bucket = ShapeBucket.of(batch.tokenCount(), batch.sequenceCount(), maxLength);
    Workspace ws = workspaceFor(bucket);
    PackedBatch.write(batch, bucket, ws.capacity(), ws.hostInputs().buffer());
    if (useGraphs) {
      String key = bucket.tokens() + "x" + bucket.sequences() + "x" + bucket.maxLength() + ":" + pooling
          + ":" + normalize + ":" + dimension;
      CudaGraph graph = graphs.get(key);
      if (graph == null) {
        graph = CudaGraph.capture(context, () -> queue(ws, bucket, pooling, normalize, dimension));
        graphs.put(key, graph);
        if (graphs.size() > MAX_GRAPHS) {
          var eldest = graphs.entrySet().iterator().next();
          eldest.getValue().close();
          graphs.remove(eldest.getKey());
        }
      }
      graph.launch();
    } else {
      queue(ws, bucket, pooling, normalize, dimension);
    }
    context.synchronize();
    ByteBuffer pooled = ws.hostPooled().buffer();
    float[][] out = new float[batch.sequenceCount()][dimension];
    for (int s = 0; s < out.length; s++) {
      for (int i = 0; i < dimension; i++) out[s][i] = pooled.getFloat(4 * (s * dimension + i));
    }
    return out;
  }

  /** Queues one forward pass of a {@code bucket}-shaped batch on the stream (captured into graphs as is). */
  private void queue(Workspace ws, ShapeBucket bucket, Pooling pooling, boolean normalize, int dimension) {
    ShapeBucket cap = ws.capacity();
    int rows = bucket.tokens(), h = config.hiddenSize(), inner = config.intermediateSize();
    long in = ws.inputs().address();
    long ids = in + PackedBatch.idsOffset(cap), types = in + PackedBatch.typesOffset(cap);
    long positions = in + PackedBatch.positionsOffset(cap), starts = in + PackedBatch.startsOffset(cap);
    for (long offset : new long[] {PackedBatch.idsOffset(cap), PackedBatch.typesOffset(cap), PackedBatch.positionsOffset(cap)}) {
      ws.inputs().upload(ws.hostInputs(), offset, offset, 4L * rows);
    }
    ws.inputs().upload(ws.hostInputs(), PackedBatch.startsOffset(cap), PackedBatch.startsOffset(cap),
        4L * (bucket.sequences() + 1));
    float eps = config.layerNormEps();
    int normBlocks = (rows + 3) / 4;
    context.launch(embedNorm, "embed_layernorm", normBlocks, 1, 1, 128, 0, ids, types, positions,
        weights.wordEmbeddings.address(), weights.positionEmbeddings.address(), weights.typeEmbeddings.address(),
        weights.embeddingNormWeight.address(), weights.embeddingNormBias.address(), ws.x().address(), rows, h, eps);
    float scaleLog2 = (float) (1 / Math.sqrt(config.headDim()) / Math.log(2));
    int geluBlocks = (int) Math.min(65535, ((long) rows * inner / 2 + 255) / 256);
    for (GpuBertWeights.Layer layer : weights.layers) {
      blas.linear(ws.x().address(), layer.qkv().address(), ws.qkv().address(), rows, h, 3 * h);
      context.launch(attention, "attention", bucket.sequences(), config.heads(),
          bucket.maxLength() / ShapeBucket.QUERY_TILE, ShapeBucket.QUERY_TILE, 0, ws.qkv().address(), layer.qkvBias().address(), starts,
          ws.context().address(), h, scaleLog2);
      blas.linear(ws.context().address(), layer.attentionOut().address(), ws.projected().address(), rows, h, h);
      context.launch(residualNorm, "bias_residual_layernorm", normBlocks, 1, 1, 128, 0,
          ws.projected().address(), layer.attentionOutBias().address(), ws.x().address(),
          layer.attentionNormWeight().address(), layer.attentionNormBias().address(), ws.x1().address(), rows, h, eps);
      blas.linear(ws.x1().address(), layer.intermediate().address(), ws.inner().address(), rows, h, inner);
      context.launch(biasGelu, "bias_gelu", geluBlocks, 1, 1, 256, 0, ws.inner().address(),
          layer.intermediateBias().address(), rows, inner);
      blas.linear(ws.inner().address(), layer.output().address(), ws.projected().address(), rows, inner, h);
      context.launch(residualNorm, "bias_residual_layernorm", normBlocks, 1, 1, 128, 0,
          ws.projected().address(), layer.outputBias().address(), ws.x1().address(),
          layer.outputNormWeight().address(), layer.outputNormBias().address(), ws.x().address(), rows, h, eps);
    }
    int mode = switch (pooling) {
      case MEAN -> 0;
      case CLS -> 1;
      case MAX -> 2;
    };
    context.launch(pool, "pool_normalize", bucket.sequences(), 1, 1, 128, 0, ws.x().address(), starts, h, mode,
        dimension, normalize ? 1 : 0, ws.pooled().address());
    ws.pooled().download(0, ws.hostPooled(), 4L * bucket.sequences() * dimension);
  }

  private Workspace workspaceFor(ShapeBucket bucket) {
    if (workspace != null && bucket.fitsIn(workspace.capacity())) return workspace;
    ShapeBucket capacity = workspace == null ? bucket
        : new ShapeBucket(Math.max(bucket.tokens(), workspace.capacity().tokens()),
            Math.max(bucket.sequences(), workspace.capacity().sequences()), 0);
    releaseWorkspace();
    long need = plan.activationBytes(capacity);
    long free = context.freeMemory();
    if (need + DeviceMemoryPlan.RESERVE > free) {
      throw new CudaException("planning " + need + " bytes of activations for " + capacity.tokens() + " tokens ("
          + free + " free)", "CUDA_ERROR_OUT_OF_MEMORY");
    }
    List<AutoCloseable> made = new ArrayList<>();
    try {
      int rows = capacity.tokens(), h = config.hiddenSize();
      DeviceBuffer inputs = track(made, context.allocate(PackedBatch.bytes(capacity)));
      DeviceBuffer x = track(made, context.allocate(2L * rows * h));
      DeviceBuffer x1 = track(made, context.allocate(2L * rows * h));
      DeviceBuffer projected = track(made, context.allocate(2L * rows * h));
      DeviceBuffer qkv = track(made, context.allocate(6L * rows * h));
      DeviceBuffer ctx = track(made, context.allocate(2L * rows * h));
      DeviceBuffer inner = track(made, context.allocate(2L * rows * config.intermediateSize()));
      DeviceBuffer pooled = track(made, context.allocate(4L * capacity.sequences() * h));
      PinnedBuffer hostInputs = track(made, context.allocatePinned(PackedBatch.bytes(capacity)));
      PinnedBuffer hostPooled = track(made, context.allocatePinned(4L * capacity.sequences() * h));
      context.synchronize();
      workspace = new Workspace(capacity, inputs, x, x1, projected, qkv, ctx, inner, pooled, hostInputs, hostPooled);
      return workspace;
    } catch (RuntimeException e) {
      for (AutoCloseable c : made) {
        try {
          c.close();
        } catch (Exception ignored) {
          // the allocation error is the one to report
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> made, T resource) {
    made.add(resource);
    return resource;
  }

  /** Frees the activations and every graph that refers to them. */
  private void releaseWorkspace() {
    for (CudaGraph g : graphs.values()) g.close();
    graphs.clear();
    if (workspace != null) workspace.close();
    workspace = null;
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    releaseWorkspace();
    weights.close();
    blas.close();
    context.close();
  }
}
