package dev.quarry.nn.gpu;

import dev.quarry.kernels.Erf;
import dev.quarry.kernels.cuda.CublasLtLinear;
import dev.quarry.kernels.cuda.CublasLtLinear.Epilogue;
import dev.quarry.kernels.cuda.CudaContext;
import dev.quarry.kernels.cuda.DeviceBuffer;
import dev.quarry.kernels.cuda.PinnedBuffer;
import dev.quarry.model.BertConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import jcuda.driver.CUfunction;

/**
 * The checks the GPU encoder runs at open, before it trusts a fast path: each fast kernel against a
 * slower one or a double-precision host reference, on fresh random inputs, with outputs poisoned
 * with NaN first so that an unwritten element fails. Each returns {@code PASS: …} or
 * {@code FAIL: …} with its figures; the encoder falls back to the checked path on FAIL.
 */
final class SelfChecks {

  /** fp16 NaN: what outputs are filled with before a kernel runs. */
  private static final short NAN16 = 0x7e00;
  /** Relative L2 error a check accepts: fp16 storage and tanh-GELU sit far below, a wrong kernel far above. */
  private static final double TOLERANCE = 1e-2;

  private SelfChecks() {}

  /** The tensor-core attention kernel against the CUDA-core one on random q|k|v. */
  static String attention(CudaContext context, BertConfig config, CUfunction simt, CUfunction mma, int mmaThreads) {
    int h = config.hiddenSize();
    int[] lengths = {1, 7, 64, 65, 128, Math.min(130, config.maxPositions())};
    int tokens = 0, maxLength = 0;
    for (int n : lengths) {
      tokens += n;
      maxLength = Math.max(maxLength, n);
    }
    int slots = lengths.length + 1; // plus an empty slot, as the graph buckets have
    ByteBuffer startsHost = direct(4 * (slots + 1));
    int at = 0;
    startsHost.putInt(0);
    for (int n : lengths) startsHost.putInt(at += n);
    startsHost.putInt(at).flip();
    Random random = new Random(11);
    float scaleLog2 = (float) (1 / Math.sqrt(config.headDim()) / Math.log(2));
    int zTiles = (maxLength + ShapeBucket.QUERY_TILE - 1) / ShapeBucket.QUERY_TILE;
    try (Buffers b = new Buffers(context)) {
      DeviceBuffer starts = b.upload(startsHost);
      DeviceBuffer qkv = b.upload(halves(random, tokens * 3 * h, 2));
      DeviceBuffer bias = b.upload(floats(random, 3 * h, 0.5f));
      DeviceBuffer reference = b.poisoned(tokens * h);
      DeviceBuffer fast = b.poisoned(tokens * h);
      context.launch(simt, "attention", slots, config.heads(), zTiles, ShapeBucket.QUERY_TILE, 0,
          qkv.address(), bias.address(), starts.address(), reference.address(), h, scaleLog2);
      context.launch(mma, "attention_mma", slots, config.heads(), zTiles, mmaThreads, 0,
          qkv.address(), bias.address(), starts.address(), fast.address(), h, scaleLog2);
      double[] expected = b.downloadHalves(reference, tokens * h);
      double[] got = b.downloadHalves(fast, tokens * h);
      return verdict("tensor-core attention vs CUDA-core attention", compare(expected, got));
    }
  }

  /**
   * The cuBLASLt epilogues the encoder fuses (bias + GELU after the inner GEMM; bias + residual
   * after the output GEMMs) and the plain LayerNorm that follows them, against the exact
   * operations (erf GELU) in double on the host, over a block of random rows.
   */
  static String fusedEpilogues(CudaContext context, BertConfig config, CublasLtLinear lt, CUfunction layerNorm) {
    int h = config.hiddenSize(), inner = config.intermediateSize(), rows = 96;
    Random random = new Random(13);
    ByteBuffer x = halves(random, rows * h, 2), w1 = halves(random, h * inner, (float) (1 / Math.sqrt(h)));
    ByteBuffer b1 = halves(random, inner, 0.5f), w2 = halves(random, h * h, (float) (1 / Math.sqrt(h)));
    ByteBuffer b2 = halves(random, h, 0.5f), r = halves(random, rows * h, 1);
    ByteBuffer gamma = floats(random, h, 1.5f), beta = floats(random, h, 0.5f);
    try (Buffers b = new Buffers(context)) {
      DeviceBuffer dx = b.upload(x), dw1 = b.upload(w1), db1 = b.upload(b1), dw2 = b.upload(w2), db2 = b.upload(b2);
      DeviceBuffer dr = b.upload(r), dg = b.upload(gamma), dbeta = b.upload(beta);
      DeviceBuffer y1 = b.poisoned(rows * inner), y2 = b.poisoned(rows * h), z = b.poisoned(rows * h);
      lt.linear(dx.address(), dw1.address(), y1.address(), rows, h, inner, Epilogue.GELU_BIAS, db1.address(), 0);
      lt.linear(dx.address(), dw2.address(), y2.address(), rows, h, h, Epilogue.BIAS, db2.address(), dr.address());
      float eps = config.layerNormEps();
      context.launch(layerNorm, "layernorm16", (rows + 7) / 8, 1, 1, 128, 0, y2.address(), dg.address(),
          dbeta.address(), z.address(), rows, h, eps);
      double[] gelu = b.downloadHalves(y1, rows * inner), residual = b.downloadHalves(y2, rows * h);
      double[] normed = b.downloadHalves(z, rows * h);

      double[] geluRef = new double[rows * inner], residualRef = new double[rows * h], normRef = new double[rows * h];
      for (int i = 0; i < rows; i++) {
        for (int o = 0; o < inner; o++) {
          double s = half(b1, o);
          for (int k = 0; k < h; k++) s += half(x, i * h + k) * half(w1, k * inner + o);
          geluRef[i * inner + o] = 0.5 * s * (1 + Erf.erf(s / Math.sqrt(2)));
        }
        for (int o = 0; o < h; o++) {
          double s = half(b2, o) + half(r, i * h + o);
          for (int k = 0; k < h; k++) s += half(x, i * h + k) * half(w2, k * h + o);
          residualRef[i * h + o] = s;
        }
        double mean = 0, var = 0;
        for (int o = 0; o < h; o++) mean += residual[i * h + o] / h;
        for (int o = 0; o < h; o++) var += (residual[i * h + o] - mean) * (residual[i * h + o] - mean) / h;
        for (int o = 0; o < h; o++) {
          normRef[i * h + o] = (residual[i * h + o] - mean) / Math.sqrt(var + eps) * gamma.getFloat(4 * o)
              + beta.getFloat(4 * o);
        }
      }
      String[] parts = {compare(geluRef, gelu), compare(residualRef, residual), compare(normRef, normed)};
      boolean pass = true;
      for (String p : parts) pass &= p.startsWith("ok");
      return (pass ? "PASS" : "FAIL") + ": cuBLASLt bias+GELU " + parts[0] + "; bias+residual " + parts[1]
          + "; layernorm16 " + parts[2] + " (vs exact, double)";
    }
  }

  /** {@code ok rel. L2 …} or {@code bad …}: relative L2 error and NaN/unwritten count. */
  private static String compare(double[] expected, double[] got) {
    double err = 0, norm = 0, maxDiff = 0;
    int bad = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!Double.isFinite(got[i])) {
        bad++;
        continue;
      }
      double d = expected[i] - got[i];
      err += d * d;
      norm += expected[i] * expected[i];
      maxDiff = Math.max(maxDiff, Math.abs(d));
    }
    double rel = Math.sqrt(err / norm);
    boolean ok = bad == 0 && rel < TOLERANCE;
    return String.format(Locale.ROOT, "%s rel. L2 %.1e, max|d| %.1e, %d NaN/unwritten of %d", ok ? "ok" : "bad",
        rel, maxDiff, bad, expected.length);
  }

  private static String verdict(String what, String comparison) {
    return (comparison.startsWith("ok") ? "PASS: " : "FAIL: ") + what + ", " + comparison.substring(comparison.indexOf(' ') + 1);
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** {@code n} fp16 values uniform in {@code [-scale, scale)}. */
  private static ByteBuffer halves(Random random, int n, float scale) {
    ByteBuffer out = direct(2 * n);
    for (int i = 0; i < n; i++) out.putShort(Float.floatToFloat16((random.nextFloat() * 2 - 1) * scale));
    return out.flip();
  }

  private static ByteBuffer floats(Random random, int n, float scale) {
    ByteBuffer out = direct(4 * n);
    for (int i = 0; i < n; i++) out.putFloat((random.nextFloat() * 2 - 1) * scale);
    return out.flip();
  }

  private static double half(ByteBuffer b, int index) {
    return Float.float16ToFloat(b.getShort(2 * index));
  }

  /** Device buffers of one check, freed together; downloads synchronise. */
  private static final class Buffers implements AutoCloseable {
    private final CudaContext context;
    private final List<AutoCloseable> all = new ArrayList<>();
    private final List<ByteBuffer> staged = new ArrayList<>();

    Buffers(CudaContext context) {
      this.context = context;
    }

    DeviceBuffer upload(ByteBuffer host) {
      DeviceBuffer d = context.allocate(host.remaining());
      all.add(d);
      staged.add(host); // an asynchronous copy reads it until the next synchronisation
      d.upload(host.duplicate(), 0);
      return d;
    }

    DeviceBuffer poisoned(int halves) {
      ByteBuffer nan = direct(2 * halves);
      while (nan.hasRemaining()) nan.putShort(NAN16);
      return upload(nan.flip());
    }

    double[] downloadHalves(DeviceBuffer d, int n) {
      PinnedBuffer host = context.allocatePinned(2L * n);
      all.add(host);
      d.download(0, host, 2L * n);
      context.synchronize();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(host.buffer().getShort(2 * i));
      return out;
    }

    @Override
    public void close() {
      context.synchronize();
      for (AutoCloseable c : all) {
        try {
          c.close();
        } catch (Exception ignored) {
          // freeing after a device error can fail again; the check's own result is what counts
        }
      }
    }
  }
}
