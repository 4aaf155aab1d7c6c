package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The Panama backward passes against the scalar oracle on odd and prime sizes, at offsets that are
 * not vector-aligned, with sentinels around every output; attention with two heads interleaved in
 * one fused Q|K|V row, each head writing only its own columns, also from concurrent threads.
 */
class PanamaTensorGradientsTest {

  private static final int[] SIZES = {1, 7, 31, 384, 385};
  private static final int[] LENGTHS = {1, 3, 17, 130};
  private static final int[] HEAD_DIMS = {32, 64, 5, 33};
  private static final int OFFSET = 5;
  private static final int SLACK = 3;

  private final TensorGradients panama = new PanamaTensorGradients();
  private final TensorGradients scalar = KernelProvider.scalarGradients();
  private final Random random = new Random(77);

  @Test
  void theProviderPairsGradientsWithItsBackend() {
    assertTrue(scalar instanceof ScalarTensorGradients, scalar.toString());
    TensorGradients chosen = KernelProvider.tensorGradients();
    assertSame(chosen, KernelProvider.tensorGradients());
    String expected = KernelProvider.backendName().equals("panama")
        ? "PanamaTensorGradients" : "ScalarTensorGradients";
    assertEquals(expected, chosen.getClass().getSimpleName());
  }

  @Test
  void trainingLayerNormWritesWhatInferenceWrites() {
    TensorSupport inference = KernelProvider.lookup("panama");
    for (int n : TestData.SIZES) {
      float[] gamma = TestData.floats(random, n, 2f);
      float[] beta = TestData.floats(random, n, 1f);
      float[] values = TestData.floats(random, n, 4f);
      for (int i = 0; i < n; i++) {
        values[i] += 100f;
      }
      float[] x = TestData.embed(values, OFFSET, SLACK);
      float[] expected = x.clone();
      inference.layerNorm(expected, OFFSET, n, MemorySegment.ofArray(gamma),
          MemorySegment.ofArray(beta), 1e-12f);
      float[] xs = x.clone();
      float[] xhat = TestData.embed(new float[n], 2, SLACK);
      float[] xhatScalar = xhat.clone();
      float rstd = panama.layerNorm(x, OFFSET, n, gamma, beta, 1e-12f, xhat, 2);
      float rstdScalar = scalar.layerNorm(xs, OFFSET, n, gamma, beta, 1e-12f, xhatScalar, 2);
      assertArrayEquals(expected, x, "n=" + n);
      PanamaTensorSupportTest.assertClose(xs, x, 1e-4, 1e-4, "output n=" + n);
      PanamaTensorSupportTest.assertClose(xhatScalar, xhat, 1e-4, 1e-4, "xhat n=" + n);
      assertEquals(rstdScalar, rstd, 1e-5 * rstdScalar, "rstd n=" + n);
    }
  }

  @Test
  void layerNormBackward() {
    for (int n : SIZES) {
      float[] gamma = TestData.floats(random, n, 2f);
      float[] xhat = TestData.embed(normalized(TestData.floats(random, n, 3f)), 1, SLACK);
      float rstd = 0.7f;
      float[] dy = TestData.embed(TestData.floats(random, n, 1f), OFFSET, SLACK);
      float[] dGamma = TestData.floats(random, n, 1f), dBeta = TestData.floats(random, n, 1f);
      float[] dGammaScalar = dGamma.clone(), dBetaScalar = dBeta.clone();
      float[] dx = TestData.embed(new float[n], 2, SLACK);
      float[] dxScalar = dx.clone();
      panama.layerNormBackward(dy, OFFSET, xhat, 1, rstd, gamma, n, dx, 2, dGamma, dBeta);
      scalar.layerNormBackward(dy, OFFSET, xhat, 1, rstd, gamma, n, dxScalar, 2, dGammaScalar,
          dBetaScalar);
      // dx is a difference of O(1) terms: compare against the row's scale, not each element.
      double scale = maxAbs(dxScalar);
      PanamaTensorSupportTest.assertClose(dxScalar, dx, 1e-5, 1e-5 * scale, "dx n=" + n);
      PanamaTensorSupportTest.assertClose(dGammaScalar, dGamma, 1e-6, 1e-6, "dGamma n=" + n);
      PanamaTensorSupportTest.assertClose(dBetaScalar, dBeta, 0, 0, "dBeta n=" + n);

      // dx over dy: the same values as into a separate row.
      float[] inPlace = dy.clone();
      panama.layerNormBackward(inPlace, OFFSET, xhat, 1, rstd, gamma, n, inPlace, OFFSET,
          new float[n], new float[n]);
      assertArrayEquals(Arrays.copyOfRange(dx, 2, 2 + n),
          Arrays.copyOfRange(inPlace, OFFSET, OFFSET + n), "in place n=" + n);
    }
  }

  @Test
  void geluBackward() {
    for (int n : TestData.SIZES) {
      float[] values = TestData.floats(random, n, 8f);
      float[] far = {0f, -0f, 1e-30f, -41f, 41f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
          -39.9f, 39.9f, -1e30f, 1e30f, Float.NaN};
      System.arraycopy(far, 0, values, 0, Math.min(n, far.length));
      float[] x = TestData.embed(values, 1, SLACK);
      float[] dy = TestData.embed(TestData.floats(random, n, 2f), OFFSET, SLACK);
      float[] dyScalar = dy.clone();
      panama.geluBackward(x, 1, dy, OFFSET, n);
      scalar.geluBackward(x, 1, dyScalar, OFFSET, n);
      for (int i = 0; i < n; i++) {
        if (Float.isNaN(values[i])) {
          assertTrue(Float.isNaN(dy[OFFSET + i]), "NaN in, NaN out");
          dy[OFFSET + i] = dyScalar[OFFSET + i] = 0f;
        }
      }
      // Near x = -0.75, where gelu' crosses zero, the polynomial erf's 5e-10 is all that is left.
      PanamaTensorSupportTest.assertClose(dyScalar, dy, 3e-7, 2e-9, "geluBackward n=" + n);
    }
  }

  @Test
  void attentionBackwardMatchesTheOracle() {
    for (int length : LENGTHS) {
      for (int headDim : HEAD_DIMS) {
        Heads heads = new Heads(random, length, headDim);
        float[] expected = heads.run(scalar);
        float[] actual = heads.run(panama);
        double scale = maxAbs(expected);
        for (int i = 0; i < expected.length; i++) {
          if (Float.isNaN(expected[i])) {
            assertTrue(Float.isNaN(actual[i]), "wrote outside the heads at " + i);
          } else if (!(Math.abs(expected[i] - actual[i])
              <= 2e-5 * Math.abs(expected[i]) + 2e-6 * scale)) {
            throw new AssertionError("length " + length + " headDim " + headDim + " at " + i
                + ": expected " + expected[i] + " got " + actual[i]);
          }
        }
      }
    }
  }

  @Test
  void eachHeadWritesOnlyItsColumns() {
    for (int headDim : HEAD_DIMS) {
      Heads heads = new Heads(random, 17, headDim);
      float[] grads = heads.emptyGradients();
      heads.backward(panama, 0, grads);
      float[] afterHead0 = grads.clone();
      heads.backward(panama, 1, grads);
      for (int i = 0; i < grads.length; i++) {
        switch (heads.headOf(i)) {
          case 0 -> assertEquals(afterHead0[i], grads[i], "head 1 overwrote head 0 at " + i);
          case 1 -> assertTrue(Float.isNaN(afterHead0[i]) && !Float.isNaN(grads[i]),
              "head 0 wrote head 1's column, or head 1 missed it, at " + i);
          default -> assertTrue(Float.isNaN(grads[i]), "wrote outside the heads at " + i);
        }
      }
    }
  }

  @Test
  void concurrentHeadsGiveTheSequentialResult() throws Exception {
    Heads heads = new Heads(random, 130, 32);
    float[] sequential = heads.run(panama);
    float[] grads = heads.emptyGradients();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int round = 0; round < 20; round++) {
        Arrays.fill(grads, Float.NaN);
        List<Future<?>> futures = new ArrayList<>();
        for (int head = 0; head < 2; head++) {
          int h = head;
          futures.add(pool.submit(() -> heads.backward(panama, h, grads)));
        }
        for (Future<?> future : futures) {
          future.get();
        }
        assertArrayEquals(sequential, grads, "round " + round);
      }
    }
  }

  @Test
  void resultsDoNotDependOnEarlierCalls() {
    Heads small = new Heads(random, 5, 33);
    float[] first = small.run(panama);
    new Heads(random, 200, 64).run(panama);
    assertArrayEquals(first, small.run(panama));
  }

  @Test
  void aHeadWiderThanTheGradientRowsIsRejectedBeforeAnyWrite() {
    for (TensorGradients backend : List.of(panama, scalar)) {
      float[] qkv = new float[3 * 24];
      float[] grads = new float[3 * 24];
      Arrays.fill(grads, 42f);
      var e = assertThrows(IllegalArgumentException.class, () -> backend.attentionBackward(qkv,
          0, qkv, 8, qkv, 16, 24, qkv, 0, 24, grads, 0, grads, 8, grads, 16, 6, 3, 8, 0.5f));
      assertEquals("attentionBackward: a head of 8 columns does not fit rows of 24 / 24 / 6 floats",
          e.getMessage());
      for (float g : grads) {
        assertEquals(42f, g, backend.toString());
      }
    }
  }

  /**
   * Two heads interleaved in fused Q|K|V rows ({@code q0 q1 k0 k1 v0 v1} and a spare column), the
   * upstream gradient in rows with two spare columns, the gradients into one fused array laid out
   * like the input.
   */
  private static final class Heads {
    final int length, headDim, hidden, inStride, outStride;
    final float[] qkv, dOut;
    final float scale;

    Heads(Random random, int length, int headDim) {
      this.length = length;
      this.headDim = headDim;
      hidden = 2 * headDim;
      inStride = 3 * hidden + 1;
      outStride = hidden + 2;
      qkv = TestData.floats(random, length * inStride, 2f);
      dOut = TestData.floats(random, length * outStride, 1f);
      scale = (float) (1 / Math.sqrt(headDim));
    }

    float[] emptyGradients() {
      float[] grads = new float[OFFSET + length * inStride + SLACK];
      Arrays.fill(grads, Float.NaN);
      return grads;
    }

    void backward(TensorGradients backend, int head, float[] grads) {
      int column = head * headDim;
      backend.attentionBackward(qkv, column, qkv, hidden + column, qkv, 2 * hidden + column,
          inStride, dOut, column, outStride, grads, OFFSET + column, grads,
          OFFSET + hidden + column, grads, OFFSET + 2 * hidden + column, inStride, length,
          headDim, scale);
    }

    float[] run(TensorGradients backend) {
      float[] grads = emptyGradients();
      backward(backend, 0, grads);
      backward(backend, 1, grads);
      return grads;
    }

    /** The head whose gradient element {@code i} of the fused array is, or -1. */
    int headOf(int i) {
      int at = i - OFFSET;
      if (at < 0 || at >= length * inStride || at % inStride >= 3 * hidden) {
        return -1;
      }
      return at % inStride % hidden / headDim;
    }
  }

  /** A row with mean 0 and variance 1, as a saved layer-norm input is. */
  private static float[] normalized(float[] x) {
    double mean = 0, variance = 0;
    for (float value : x) {
      mean += value;
    }
    mean /= x.length;
    for (float value : x) {
      variance += (value - mean) * (value - mean);
    }
    double rstd = 1 / Math.sqrt(variance / x.length + 1e-12);
    float[] xhat = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      xhat[i] = (float) ((x[i] - mean) * rstd);
    }
    return xhat;
  }

  private static double maxAbs(float[] x) {
    double max = 0;
    for (float value : x) {
      if (!Float.isNaN(value)) {
        max = Math.max(max, Math.abs(value));
      }
    }
    return max;
  }
}
