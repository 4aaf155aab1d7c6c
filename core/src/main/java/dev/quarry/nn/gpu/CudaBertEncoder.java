package dev.quarry.nn.gpu;

import dev.quarry.kernels.cuda.CublasGemm;
import dev.quarry.kernels.cuda.CublasLtLinear;
import dev.quarry.kernels.cuda.CublasLtLinear.Epilogue;
import dev.quarry.kernels.cuda.CudaContext;
import dev.quarry.kernels.cuda.CudaEvent;
import dev.quarry.kernels.cuda.CudaException;
import dev.quarry.kernels.cuda.CudaGraph;
import dev.quarry.kernels.cuda.CudaModule;
import dev.quarry.kernels.cuda.DeviceBuffer;
import dev.quarry.kernels.cuda.PinnedBuffer;
import dev.quarry.kernels.cuda.StageTimer;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.model.Pooling;
import dev.quarry.nn.TokenBatch;
import java.nio.FloatBuffer;
import java.util.Arrays;
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
 * GEMM with bias + residual in its epilogue, LayerNorm, the inner GEMM with bias + GELU in its
 * epilogue, the outer GEMM with bias + residual, LayerNorm; pooling, Matryoshka truncation and
 * normalisation; one copy of the vectors out. The whole sequence is captured once per
 * {@link ShapeBucket} as a CUDA graph and replayed.
 *
 * <p>Each fast path is checked at open against a slower one ({@link SelfChecks}) and replaced by it
 * when the check fails: the CUDA-core attention kernel for the tensor-core one, separate bias + GELU
 * and bias + residual + LayerNorm kernels (exact erf GELU) for the cuBLASLt epilogues (tanh GELU).
 * System properties force the slower paths: {@code quarry.gpu.attention=simt},
 * {@code quarry.gpu.epilogue=kernels}, {@code quarry.gpu.gelu=pairs}.
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
  /** The GEMMs with fused epilogues, or null when cuBLASLt could not be set up or failed its check. */
  private final CublasLtLinear fused;
  private final CUfunction embedNorm, residualNorm, layerNorm16, biasGelu, biasGelu8, attentionSimt, attentionMma, pool, spin;
  /** Tensor-core attention (mma.sync) unless its start-up self-check failed or it was switched off. */
  private boolean mmaAttention;
  /** 16-byte bias + GELU (cols a multiple of 8) or the original pairwise kernel. */
  private boolean vectorGelu;
  /** Bias, GELU and residual in the GEMMs' epilogues (cuBLASLt), then a plain LayerNorm. */
  private boolean fusedEpilogues;
  private final String attentionCheck;
  private final String epilogueCheck;
  private final Map<String, CudaGraph> graphs = new LinkedHashMap<>(16, 0.75f, true);
  private int tokenBudget;
  private boolean useGraphs = true;
  private Workspace workspace;
  private boolean closed;

  /** The activation buffers for batches up to {@code capacity}, and two staging slots for their copies. */
  private record Workspace(ShapeBucket capacity, DeviceBuffer inputs, DeviceBuffer x, DeviceBuffer x1,
      DeviceBuffer projected, DeviceBuffer qkv, DeviceBuffer context, DeviceBuffer inner,
      DeviceBuffer pooled, Staging[] staging, List<AutoCloseable> resources) implements AutoCloseable {
    @Override
    public void close() {
      for (AutoCloseable c : resources) {
        try {
          c.close();
        } catch (Exception ignored) {
          // freeing after a device error can fail again; the first error is the one reported
        }
      }
    }
  }

  /** Pinned host buffers of one sub-batch in flight, and the event that says its vectors are back. */
  private record Staging(PinnedBuffer inputs, PinnedBuffer pooled, CudaEvent finished) {}

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
    this.layerNorm16 = module.function("layernorm16");
    this.biasGelu = module.function("bias_gelu");
    this.biasGelu8 = module.function("bias_gelu8");
    this.attentionSimt = module.function(config.headDim() == 32 ? "attention_d32" : "attention_d64");
    this.attentionMma = module.function(config.headDim() == 32 ? "attention_mma_d32" : "attention_mma_d64");
    this.pool = module.function("pool_normalize");
    this.spin = module.function("spin_ns");
    this.tokenBudget = tokenBudget;
    this.vectorGelu = config.intermediateSize() % 8 == 0
        && !"pairs".equals(System.getProperty("quarry.gpu.gelu"));
    boolean wantMma = !"simt".equals(System.getProperty("quarry.gpu.attention"));
    try {
      attentionCheck = wantMma ? SelfChecks.attention(context, config, attentionSimt, attentionMma, MMA_THREADS)
          : "tensor-core attention off (quarry.gpu.attention=simt)";
    } catch (RuntimeException e) {
      blas.close();
      weights.close();
      throw e;
    }
    this.mmaAttention = wantMma && attentionCheck.startsWith("PASS");
    if (wantMma && !mmaAttention) System.err.println("quarry: " + attentionCheck + "; using the CUDA-core attention kernel");
    boolean wantFused = !"kernels".equals(System.getProperty("quarry.gpu.epilogue"));
    CublasLtLinear lt = null;
    String check;
    if (!wantFused) {
      check = "fused epilogues off (quarry.gpu.epilogue=kernels)";
    } else if (config.hiddenSize() % 8 != 0 || config.intermediateSize() % 8 != 0) {
      check = "fused epilogues need widths that are multiples of 8";
    } else {
      try {
        lt = new CublasLtLinear(context);
        check = SelfChecks.fusedEpilogues(context, config, lt, layerNorm16);
      } catch (RuntimeException | LinkageError e) {
        check = "FAIL: cuBLASLt epilogues: " + e;
      }
      if (!check.startsWith("PASS")) {
        System.err.println("quarry: " + check + "; using separate bias, GELU and LayerNorm kernels");
        if (lt != null) lt.close();
        lt = null;
      }
    }
    this.fused = lt;
    this.fusedEpilogues = lt != null;
    this.epilogueCheck = check;
  }

  /** What the start-up check of the tensor-core attention found (PASS/FAIL and its figures). */
  public String attentionCheck() {
    return attentionCheck;
  }

  /** What the start-up check of the fused GEMM epilogues and their LayerNorm found. */
  public String epilogueCheck() {
    return epilogueCheck;
  }

  /** Which kernels run now: e.g. {@code attention=mma gelu=vec8 epilogues=fused}. */
  public synchronized String kernelChoice() {
    return "attention=" + (mmaAttention ? "mma" : "simt") + " gelu=" + (vectorGelu ? "vec8" : "pairs")
        + " epilogues=" + (fusedEpilogues ? "fused" : "kernels");
  }

  /**
   * Chooses the attention kernel, the GELU kernel and whether the GEMMs fuse their epilogues (each
   * fast path only if its check passed), for A/B timing; drops captured graphs.
   */
  public synchronized void setKernels(boolean mma, boolean vectorGelu, boolean fusedEpilogues) {
    if (mma && !attentionCheck.startsWith("PASS")) throw new IllegalStateException(attentionCheck);
    if (vectorGelu && config.intermediateSize() % 8 != 0) throw new IllegalStateException("intermediate size % 8 != 0");
    if (fusedEpilogues && fused == null) throw new IllegalStateException(epilogueCheck);
    this.mmaAttention = mma;
    this.vectorGelu = vectorGelu;
    this.fusedEpilogues = fusedEpilogues;
    for (CudaGraph g : graphs.values()) g.close();
    graphs.clear();
  }

  private static final int MMA_THREADS = 128;

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
    batch.checkFits(config);
    context.makeCurrent();
    int longest = 0;
    for (int s = 0; s < batch.sequenceCount(); s++) longest = Math.max(longest, batch.length(s));
    while (true) {
      try {
        return pipelined(batch, pooling, normalize, dimension);
      } catch (CudaException e) {
        if (!e.outOfMemory() || tokenBudget <= longest) throw e;
        try {
          context.synchronize();
        } catch (CudaException ignored) {
          // the out-of-memory error is the one to act on
        }
        releaseWorkspace();
        tokenBudget = Math.max(longest, Math.min(tokenBudget, batch.tokenCount()) / 2);
        System.err.println("quarry: the GPU ran out of memory for " + batch.tokenCount() + " tokens; splitting"
            + " batches to at most " + tokenBudget + " tokens and retrying");
      }
    }
  }

  /**
   * Runs {@code batch} in sub-batches of at most {@link #tokenBudget()} tokens, two in flight: the
   * host packs sub-batch k+1 into one staging slot and unpacks k-1 from the other while the GPU runs
   * k, so that host work hides behind device work.
   */
  private float[][] pipelined(TokenBatch batch, Pooling pooling, boolean normalize, int dimension) {
    List<int[]> parts = new ArrayList<>();
    for (int first = 0; first < batch.sequenceCount(); ) {
      int end = first, tokens = 0;
      while (end < batch.sequenceCount() && (end == first || tokens + batch.length(end) <= tokenBudget)) {
        tokens += batch.length(end++);
      }
      parts.add(new int[] {first, end});
      first = end;
    }
    TokenBatch[] slices = new TokenBatch[parts.size()];
    ShapeBucket[] buckets = new ShapeBucket[parts.size()];
    int capacityTokens = 0, capacitySequences = 0;
    for (int k = 0; k < slices.length; k++) {
      slices[k] = slice(batch, parts.get(k)[0], parts.get(k)[1]);
      buckets[k] = bucketOf(slices[k]);
      capacityTokens = Math.max(capacityTokens, buckets[k].tokens());
      capacitySequences = Math.max(capacitySequences, buckets[k].sequences());
    }
    Workspace ws = workspaceFor(new ShapeBucket(capacityTokens, capacitySequences, 0));
    float[][] out = new float[batch.sequenceCount()][];
    for (int k = 0; k <= slices.length; k++) {
      if (k < slices.length) {
        // This slot last held sub-batch k-2, whose copies finished before its vectors were read.
        Staging slot = ws.staging()[k % 2];
        PackedBatch.write(slices[k], buckets[k], ws.capacity(), slot.inputs().buffer());
        enqueue(ws, slot, buckets[k], pooling, normalize, dimension);
      }
      if (k > 0) {
        Staging done = ws.staging()[(k - 1) % 2];
        done.finished().synchronize();
        FloatBuffer pooled = done.pooled().buffer().asFloatBuffer();
        for (int s = parts.get(k - 1)[0], at = 0; s < parts.get(k - 1)[1]; s++, at += dimension) {
          out[s] = new float[dimension];
          pooled.get(at, out[s]);
        }
      }
    }
    return out;
  }

  static TokenBatch slice(TokenBatch batch, int from, int to) {
    if (from == 0 && to == batch.sequenceCount()) return batch;
    int t0 = batch.start(from), t1 = batch.start(to);
    int[] starts = new int[to - from + 1];
    for (int s = from; s <= to; s++) starts[s - from] = batch.starts()[s] - t0;
    return new TokenBatch(java.util.Arrays.copyOfRange(batch.ids(), t0, t1),
        java.util.Arrays.copyOfRange(batch.typeIds(), t0, t1), starts);
  }

  /** Queues one sub-batch: its packed inputs in from {@code slot}, the forward pass, its vectors out to {@code slot}. */
  private void enqueue(Workspace ws, Staging slot, ShapeBucket bucket, Pooling pooling, boolean normalize, int dimension) {
    upload(ws, slot, bucket);
    if (useGraphs) {
      graphFor(ws, bucket, pooling, normalize, dimension).launch();
    } else {
      queue(ws, bucket, pooling, normalize, dimension, null);
    }
    ws.pooled().download(0, slot.pooled(), 4L * bucket.sequences() * dimension);
    slot.finished().record();
  }

  /** Copies the packed ids, types, positions and sequence starts of a {@code bucket}-shaped batch in. */
  private static void upload(Workspace ws, Staging slot, ShapeBucket bucket) {
    ShapeBucket cap = ws.capacity();
    for (long offset : new long[] {PackedBatch.idsOffset(cap), PackedBatch.typesOffset(cap), PackedBatch.positionsOffset(cap)}) {
      ws.inputs().upload(slot.inputs(), offset, offset, 4L * bucket.tokens());
    }
    ws.inputs().upload(slot.inputs(), PackedBatch.startsOffset(cap), PackedBatch.startsOffset(cap),
        4L * (bucket.sequences() + 1));
  }

  private static ShapeBucket bucketOf(TokenBatch batch) {
    int maxLength = 0;
    for (int s = 0; s < batch.sequenceCount(); s++) maxLength = Math.max(maxLength, batch.length(s));
    return ShapeBucket.of(batch.tokenCount(), batch.sequenceCount(), maxLength);
  }

  private CudaGraph graphFor(Workspace ws, ShapeBucket bucket, Pooling pooling, boolean normalize, int dimension) {
    String key = bucket.tokens() + "x" + bucket.sequences() + "x" + bucket.maxLength() + ":" + pooling
        + ":" + normalize + ":" + dimension;
    CudaGraph graph = graphs.get(key);
    if (graph == null) {
      context.synchronize(); // capture starts on an idle stream
      graph = CudaGraph.capture(context, () -> queue(ws, bucket, pooling, normalize, dimension, null));
      graphs.put(key, graph);
      if (graphs.size() > MAX_GRAPHS) {
        var eldest = graphs.entrySet().iterator().next();
        eldest.getValue().close();
        graphs.remove(eldest.getKey());
      }
    }
    return graph;
  }

  /**
   * Where the device time of one forward pass of {@code batch} (one sub-batch: at most
   * {@link #tokenBudget()} tokens) goes, mean pooling, normalised, full width.
   *
   * @param stageMs median milliseconds per kernel family over the repetitions, summed over layers,
   *     timed by events around each launch with every launch queued behind a spinning kernel (so the
   *     host's launch gaps are not in them)
   * @param stagedTotalMs median of the first-to-last event time of those runs
   * @param graphMs median device time of one replay of the captured graph (the kernels, without the
   *     copies in and out; events around it)
   * @param queueMs median host time to queue one staged pass (must stay under {@code spinMs})
   */
  public record Profile(Map<String, Double> stageMs, double stagedTotalMs, double graphMs, double queueMs, double spinMs) {}

  public synchronized Profile profile(TokenBatch batch, int repetitions) {
    if (batch.tokenCount() > tokenBudget) {
      throw new IllegalArgumentException(batch.tokenCount() + " tokens exceed the budget of " + tokenBudget);
    }
    batch.checkFits(config);
    context.makeCurrent();
    int h = config.hiddenSize();
    ShapeBucket bucket = bucketOf(batch);
    Workspace ws = workspaceFor(bucket);
    Staging slot = ws.staging()[0];
    PackedBatch.write(batch, bucket, ws.capacity(), slot.inputs().buffer());
    upload(ws, slot, bucket);
    CudaGraph graph = graphFor(ws, bucket, Pooling.MEAN, true, h);
    double spinMs = 5 + 0.8 * config.layers();
    Map<String, double[]> stages = new LinkedHashMap<>();
    double[] graphMs = new double[repetitions], totals = new double[repetitions], queue = new double[repetitions];
    try (StageTimer timer = new StageTimer(context)) {
      for (int i = 0; i < 3; i++) graph.launch();
      for (int r = 0; r < repetitions; r++) {
        timer.start();
        graph.launch();
        timer.stage("graph");
        graphMs[r] = timer.totalMillis();
      }
      for (int r = -1; r < repetitions; r++) {
        context.launch(spin, "spin_ns", 1, 1, 1, 1, 0, (long) (spinMs * 1e6));
        long t0 = System.nanoTime();
        timer.start();
        upload(ws, slot, bucket);
        stage(timer, "H2D inputs");
        queue(ws, bucket, Pooling.MEAN, true, h, timer);
        ws.pooled().download(0, slot.pooled(), 4L * bucket.sequences() * h);
        stage(timer, "D2H vectors");
        double q = (System.nanoTime() - t0) / 1e6;
        context.synchronize();
        if (r < 0) continue; // warm-up: the first eager pass loads cuBLAS's kernels
        queue[r] = q;
        totals[r] = timer.totalMillis();
        for (Map.Entry<String, Double> e : timer.millis().entrySet()) {
          stages.computeIfAbsent(e.getKey(), k -> new double[repetitions])[r] = e.getValue();
        }
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : stages.entrySet()) medians.put(e.getKey(), median(e.getValue()));
    return new Profile(medians, median(totals), median(graphMs), median(queue), spinMs);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static void stage(StageTimer timer, String label) {
    if (timer != null) timer.stage(label);
  }

  /**
   * Queues one forward pass of a {@code bucket}-shaped batch on the stream (captured into graphs as
   * is); with a {@code timer}, an event after each launch charges it to its kernel family.
   */
  private void queue(Workspace ws, ShapeBucket bucket, Pooling pooling, boolean normalize, int dimension, StageTimer timer) {
    ShapeBucket cap = ws.capacity();
    int rows = bucket.tokens(), h = config.hiddenSize(), inner = config.intermediateSize();
    long in = ws.inputs().address();
    long ids = in + PackedBatch.idsOffset(cap), types = in + PackedBatch.typesOffset(cap);
    long positions = in + PackedBatch.positionsOffset(cap), starts = in + PackedBatch.startsOffset(cap);
    float eps = config.layerNormEps();
    int normBlocks = (rows + 3) / 4, norm16Blocks = (rows + 7) / 8;
    context.launch(embedNorm, "embed_layernorm", normBlocks, 1, 1, 128, 0, ids, types, positions,
        weights.wordEmbeddings.address(), weights.positionEmbeddings.address(), weights.typeEmbeddings.address(),
        weights.embeddingNormWeight.address(), weights.embeddingNormBias.address(), ws.x().address(), rows, h, eps);
    stage(timer, "embeddings + LN");
    float scaleLog2 = (float) (1 / Math.sqrt(config.headDim()) / Math.log(2));
    int geluBlocks = (int) Math.min(65535, ((long) rows * inner / 2 + 255) / 256);
    // bias_gelu8: x = 8-column chunks of a row (64 threads), y = row groups of ~16 rows per thread.
    int chunkBlocks = (inner / 8 + 63) / 64;
    int rowGroups = Math.max(1, Math.min(65535, (rows + 15) / 16));
    for (GpuBertWeights.Layer layer : weights.layers) {
      blas.linear(ws.x().address(), layer.qkv().address(), ws.qkv().address(), rows, h, 3 * h);
      stage(timer, "QKV GEMM");
      if (mmaAttention) {
        context.launch(attentionMma, "attention_mma", bucket.sequences(), config.heads(),
            bucket.maxLength() / ShapeBucket.QUERY_TILE, MMA_THREADS, 0, ws.qkv().address(), layer.qkvBias().address(),
            starts, ws.context().address(), h, scaleLog2);
      } else {
        context.launch(attentionSimt, "attention", bucket.sequences(), config.heads(),
            bucket.maxLength() / ShapeBucket.QUERY_TILE, ShapeBucket.QUERY_TILE, 0, ws.qkv().address(),
            layer.qkvBias().address(), starts, ws.context().address(), h, scaleLog2);
      }
      stage(timer, "attention");
      if (fusedEpilogues) {
        GpuBertWeights.HalfBiases half = layer.half();
        fused.linear(ws.context().address(), layer.attentionOut().address(), ws.projected().address(), rows, h, h,
            Epilogue.BIAS, half.attentionOut().address(), ws.x().address());
        stage(timer, "out-proj GEMM +bias+residual");
        context.launch(layerNorm16, "layernorm16", norm16Blocks, 1, 1, 128, 0, ws.projected().address(),
            layer.attentionNormWeight().address(), layer.attentionNormBias().address(), ws.x1().address(), rows, h, eps);
        stage(timer, "LN (attn)");
        fused.linear(ws.x1().address(), layer.intermediate().address(), ws.inner().address(), rows, h, inner,
            Epilogue.GELU_BIAS, half.intermediate().address(), 0);
        stage(timer, "FFN1 GEMM +bias+GELU");
        fused.linear(ws.inner().address(), layer.output().address(), ws.projected().address(), rows, inner, h,
            Epilogue.BIAS, half.output().address(), ws.x1().address());
        stage(timer, "FFN2 GEMM +bias+residual");
        context.launch(layerNorm16, "layernorm16", norm16Blocks, 1, 1, 128, 0, ws.projected().address(),
            layer.outputNormWeight().address(), layer.outputNormBias().address(), ws.x().address(), rows, h, eps);
        stage(timer, "LN (ffn)");
        continue;
      }
      blas.linear(ws.context().address(), layer.attentionOut().address(), ws.projected().address(), rows, h, h);
      stage(timer, "out-proj GEMM");
      context.launch(residualNorm, "bias_residual_layernorm", normBlocks, 1, 1, 128, 0,
          ws.projected().address(), layer.attentionOutBias().address(), ws.x().address(),
          layer.attentionNormWeight().address(), layer.attentionNormBias().address(), ws.x1().address(), rows, h, eps);
      stage(timer, "bias+residual+LN (attn)");
      blas.linear(ws.x1().address(), layer.intermediate().address(), ws.inner().address(), rows, h, inner);
      stage(timer, "FFN1 GEMM");
      if (vectorGelu) {
        context.launch(biasGelu8, "bias_gelu8", chunkBlocks, rowGroups, 1, 64, 0, ws.inner().address(),
            layer.intermediateBias().address(), rows, inner);
      } else {
        context.launch(biasGelu, "bias_gelu", geluBlocks, 1, 1, 256, 0, ws.inner().address(),
            layer.intermediateBias().address(), rows, inner);
      }
      stage(timer, "bias+GELU");
      blas.linear(ws.inner().address(), layer.output().address(), ws.projected().address(), rows, inner, h);
      stage(timer, "FFN2 GEMM");
      context.launch(residualNorm, "bias_residual_layernorm", normBlocks, 1, 1, 128, 0,
          ws.projected().address(), layer.outputBias().address(), ws.x1().address(),
          layer.outputNormWeight().address(), layer.outputNormBias().address(), ws.x().address(), rows, h, eps);
      stage(timer, "bias+residual+LN (ffn)");
    }
    int mode = switch (pooling) {
      case MEAN -> 0;
      case CLS -> 1;
      case MAX -> 2;
    };
    context.launch(pool, "pool_normalize", bucket.sequences(), 1, 1, 128, 0, ws.x().address(), starts, h, mode,
        dimension, normalize ? 1 : 0, ws.pooled().address());
    stage(timer, "pool + normalize");
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
      Staging[] staging = new Staging[2];
      for (int i = 0; i < staging.length; i++) {
        staging[i] = new Staging(track(made, context.allocatePinned(PackedBatch.bytes(capacity))),
            track(made, context.allocatePinned(4L * capacity.sequences() * h)), track(made, new CudaEvent(context)));
      }
      context.synchronize();
      workspace = new Workspace(capacity, inputs, x, x1, projected, qkv, ctx, inner, pooled, staging, made);
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
    if (fused != null) fused.close();
    blas.close();
    context.close();
  }
}
