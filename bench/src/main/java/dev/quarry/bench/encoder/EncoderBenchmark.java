package dev.quarry.bench.encoder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.quarry.bench.encoder.EncoderWorkloads.Workload;
import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.BuiltinModels;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.TokenBatch;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One encoder forward pass plus mean pooling, Quarry or ONNX Runtime, on the same token ids
 * ({@link EncoderWorkloads}) and the same number of intra-op threads. Tokenization is outside the
 * timing. ONNX Runtime gets a padded batch with an attention mask (as langchain4j and DJL feed
 * it); Quarry gets the texts concatenated without padding. Both pool the real tokens only.
 *
 * <p>Setup checks that the two engines agree (mean-pooled vectors at cosine 0.9999 for fp32, 0.98
 * for the int8 files, whose ONNX Runtime path also quantizes activations), so a fast wrong
 * answer cannot be timed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EncoderBenchmark {

  @Param({"quarry", "onnxruntime"})
  public String engine;

  @Param({"LATENCY_1X16", "BATCH_32X128", "SENTENCES_32", "MIXED_32"})
  public String workload;

  @Param({"all-MiniLM-L6-v2", "all-MiniLM-L6-v2-q"})
  public String model;

  @Param({"2"})
  public int threads;

  private int[][] ids;
  private Quarry quarry;
  private Ort ort;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path onnx = BuiltinModels.fetch(BuiltinModels.find(model).orElseThrow()).resolve("model.onnx");
    EncoderModel loaded = Models.load(model);
    ids = EncoderWorkloads.ids(Workload.valueOf(workload), Models.configure(loaded.tokenizer(), 512));
    Quarry q = new Quarry(loaded, threads);
    Ort o = new Ort(onnx, threads);
    float[][] a = q.run(ids);
    float[][] b = o.run(ids);
    double worst = 1;
    for (int i = 0; i < a.length; i++) worst = Math.min(worst, cosine(a[i], b[i]));
    double wanted = model.endsWith("-q") ? 0.98 : 0.9999;
    if (!(worst >= wanted)) {
      throw new IllegalStateException(model + " " + workload + ": Quarry and ONNX Runtime disagree,"
          + " worst cosine " + worst + " < " + wanted);
    }
    if (engine.equals("quarry")) {
      quarry = q;
      o.close();
    } else {
      ort = o;
      q.close();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (quarry != null) quarry.close();
    if (ort != null) ort.close();
  }

  @Benchmark
  public float[][] encode() throws OrtException {
    return quarry != null ? quarry.run(ids) : ort.run(ids);
  }

  /** Quarry's encoder on an unpadded batch, then mean pooling. */
  static final class Quarry implements AutoCloseable {
    final EncoderModel model;
    final Parallel parallel;
    final BertEncoder encoder;

    Quarry(EncoderModel model, int threads) {
      this.model = model;
      this.parallel = new Parallel(threads);
      this.encoder = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), parallel);
    }

    float[][] run(int[][] ids) {
      int[][] types = new int[ids.length][];
      for (int i = 0; i < ids.length; i++) types[i] = new int[ids[i].length];
      TokenBatch batch = TokenBatch.of(ids, types);
      float[] hidden = encoder.forward(batch);
      int h = encoder.config().hiddenSize();
      float[][] out = new float[ids.length][h];
      for (int s = 0; s < ids.length; s++) {
        meanPool(hidden, batch.start(s) * h, batch.length(s), h, out[s]);
      }
      return out;
    }

    @Override
    public void close() {
      parallel.close();
      model.close();
    }
  }

  /** ONNX Runtime on a padded batch with its attention mask, then mean pooling over the mask. */
  static final class Ort implements AutoCloseable {
    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final OrtSession session;

    Ort(Path onnx, int threads) throws OrtException {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(onnx.toString(), options);
    }

    float[][] run(int[][] ids) throws OrtException {
      int batch = ids.length;
      int width = 0;
      for (int[] t : ids) width = Math.max(width, t.length);
      long[][] tokens = new long[batch][width];
      long[][] mask = new long[batch][width];
      long[][] types = new long[batch][width];
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < ids[b].length; t++) {
          tokens[b][t] = ids[b][t];
          mask[b][t] = 1;
        }
      }
      try (OnnxTensor idsT = OnnxTensor.createTensor(env, tokens);
           OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
           OnnxTensor typesT = OnnxTensor.createTensor(env, types);
           OrtSession.Result result = session.run(Map.of("input_ids", idsT,
               "attention_mask", maskT, "token_type_ids", typesT))) {
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        int h = (int) (hidden.remaining() / ((long) batch * width));
        float[] all = new float[hidden.remaining()];
        hidden.get(all);
        float[][] out = new float[batch][h];
        for (int b = 0; b < batch; b++) meanPool(all, b * width * h, ids[b].length, h, out[b]);
        return out;
      }
    }

    @Override
    public void close() throws OrtException {
      session.close();
    }
  }

  static void meanPool(float[] hidden, int offset, int length, int h, float[] out) {
    for (int t = 0; t < length; t++) {
      for (int i = 0; i < h; i++) out[i] += hidden[offset + t * h + i];
    }
    for (int i = 0; i < h; i++) out[i] /= length;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
