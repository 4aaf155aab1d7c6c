package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scalar backward passes against central finite differences of double-precision forward
 * passes written here from the textbook formulas: for a random upstream gradient {@code u}, the
 * gradient of {@code loss = sum u * forward(inputs)} with respect to every input and parameter.
 * In double a step of 1e-5 leaves the numeric gradient good to about 1e-9, so the tolerances
 * measure the kernels' float rounding, not the method's error.
 */
class TensorGradientsFiniteDifferenceTest {

  private static final double STEP = 1e-5;

  private final TensorGradients gradients = KernelProvider.scalarGradients();
  private final Random random = new Random(1234);

  @Test
  void trainingLayerNormWritesWhatInferenceWrites() {
    TensorSupport inference = KernelProvider.scalar();
    for (int n : TestData.SIZES) {
      float[] gamma = TestData.floats(random, n, 2f);
      float[] beta = TestData.floats(random, n, 1f);
      float[] values = TestData.floats(random, n, 4f);
      for (int i = 0; i < n; i++) {
        values[i] += 100f;
      }
      float[] x = TestData.embed(values, 3, 2);
      float[] expected = x.clone();
      inference.layerNorm(expected, 3, n, MemorySegment.ofArray(gamma),
          MemorySegment.ofArray(beta), 1e-12f);
      float[] xhat = TestData.embed(new float[n], 1, 2);
      float rstd = gradients.layerNorm(x, 3, n, gamma, beta, 1e-12f, xhat, 1);
      assertArrayEquals(expected, x, "n=" + n);

      double mean = 0, variance = 0;
      for (float value : values) {
        mean += value;
      }
      mean /= n;
      for (float value : values) {
        variance += (value - mean) * (value - mean);
      }
      variance /= n;
      double exactRstd = 1 / Math.sqrt(variance + 1e-12);
      assertEquals(exactRstd, rstd, 1e-6 * exactRstd, "rstd n=" + n);
      float[] exactXhat = new float[xhat.length];
      Arrays.fill(exactXhat, Float.NaN);
      for (int i = 0; i < n; i++) {
        exactXhat[1 + i] = (float) ((values[i] - mean) * exactRstd);
      }
      PanamaTensorSupportTest.assertClose(exactXhat, xhat, 1e-6, 1e-6, "xhat n=" + n);
    }
  }

  @Test
  void layerNormBackward() {
    for (int n : new int[] {2, 7, 31, 100}) {
      float epsilon = 1e-5f;
      float[] x = TestData.floats(random, n, 3f);
      x[0] += 5f; // a skewed row: xhat far from symmetric
      float[] gamma = TestData.floats(random, n, 2f);
      float[] beta = TestData.floats(random, n, 1f);
      float[] u = TestData.floats(random, n, 1f);

      float[] y = x.clone();
      float[] xhat = new float[n];
      float rstd = gradients.layerNorm(y, 0, n, gamma, beta, epsilon, xhat, 0);
      float[] dx = TestData.embed(new float[n], 2, 1);
      float[] dGamma = TestData.floats(random, n, 1f);
      float[] dBeta = TestData.floats(random, n, 1f);
      float[] dGammaBefore = dGamma.clone(), dBetaBefore = dBeta.clone();
      float[] dy = TestData.embed(u, 4, 1);
      gradients.layerNormBackward(dy, 4, xhat, 0, rstd, gamma, n, dx, 2, dGamma, dBeta);

      double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta);
      double[] ud = toDouble(u);
      Loss loss = () -> dot(ud, layerNorm(xd, gd, bd, epsilon));
      for (int i = 0; i < n; i++) {
        assertNear(numeric(loss, xd, i), dx[2 + i], 1e-4, "dx n=" + n + " i=" + i);
        assertNear(numeric(loss, gd, i), dGamma[i] - dGammaBefore[i], 1e-4, "dGamma i=" + i);
        assertNear(numeric(loss, bd, i), dBeta[i] - dBetaBefore[i], 1e-4, "dBeta i=" + i);
      }
      assertTrue(Float.isNaN(dx[1]) && Float.isNaN(dx[2 + n]), "wrote outside dx");

      // dx written over dy itself.
      float[] inPlace = u.clone();
      gradients.layerNormBackward(inPlace, 0, xhat, 0, rstd, gamma, n, inPlace, 0,
          new float[n], new float[n]);
      assertArrayEquals(Arrays.copyOfRange(dx, 2, 2 + n), inPlace, "dx over dy n=" + n);
    }
  }

  @Test
  void geluBackward() {
    int n = 64;
    float[] x = TestData.floats(random, n, 6f);
    x[0] = 0f;
    x[1] = 1e-20f;
    x[2] = -3.5f;
    float[] u = TestData.floats(random, n, 2f);
    float[] dy = TestData.embed(u, 3, 2);
    gradients.geluBackward(x, 0, dy, 3, n);
    for (int i = 0; i < n; i++) {
      double xi = x[i];
      double numeric = (gelu(xi + STEP) - gelu(xi - STEP)) / (2 * STEP);
      assertNear(u[i] * numeric, dy[3 + i], 1e-6, "x=" + x[i]);
    }
    assertTrue(Float.isNaN(dy[2]) && Float.isNaN(dy[3 + n]), "wrote outside dy");
  }

  @Test
  void geluBackwardFarOut() {
    float[] x = {-1e30f, Float.NEGATIVE_INFINITY, -41f, 41f, 1e30f, Float.POSITIVE_INFINITY,
        Float.NaN};
    float[] dy = {2f, 2f, 2f, 2f, 2f, 2f, 2f};
    gradients.geluBackward(x, 0, dy, 0, x.length);
    assertArrayEquals(new float[] {0f, 0f, 0f, 2f, 2f, 2f, Float.NaN}, dy);
  }

  @Test
  void attentionBackwardOfTwoInterleavedHeads() {
    for (int[] shape : new int[][] {{7, 5}, {1, 3}, {4, 8}, {9, 1}}) {
      int length = shape[0], headDim = shape[1];
      int hidden = 2 * headDim;
      // One fused Q|K|V row per token, one spare column; dOut rows with two spare columns.
      int inStride = 3 * hidden + 1, outStride = hidden + 2;
      float[] qkv = TestData.floats(random, length * inStride, 1.5f);
      float[] dOut = TestData.floats(random, length * outStride, 1f);
      float scale = (float) (1.5 / Math.sqrt(headDim));
      float[] grads = new float[length * inStride + 1];
      Arrays.fill(grads, Float.NaN);

      float[] afterHead0 = null;
      for (int head = 0; head < 2; head++) {
        int column = head * headDim;
        gradients.attentionBackward(qkv, column, qkv, hidden + column, qkv, 2 * hidden + column,
            inStride, dOut, column, outStride, grads, column, grads, hidden + column, grads,
            2 * hidden + column, inStride, length, headDim, scale);
        if (head == 0) {
          afterHead0 = grads.clone();
        }
        double[] qkvd = toDouble(qkv);
        Loss loss = () -> attentionLoss(qkvd, dOut, column, hidden, inStride, outStride, length,
            headDim, scale);
        for (int t = 0; t < length; t++) {
          for (int part = 0; part < 3; part++) {
            for (int d = 0; d < headDim; d++) {
              int index = t * inStride + part * hidden + column + d;
              assertNear(numeric(loss, qkvd, index), grads[index], 1e-5, "length " + length
                  + " head " + head + " token " + t + " part " + part + " column " + d);
            }
          }
        }
      }
      for (int i = 0; i < grads.length; i++) {
        int column = i % inStride;
        boolean head0 = i < length * inStride && column < 3 * hidden
            && column % hidden < headDim;
        boolean head1 = i < length * inStride && column < 3 * hidden
            && column % hidden >= headDim;
        if (head0) {
          assertEquals(afterHead0[i], grads[i], "head 1 overwrote head 0 at " + i);
        } else if (head1) {
          assertTrue(Float.isNaN(afterHead0[i]), "head 0 wrote head 1's column at " + i);
        } else {
          assertTrue(Float.isNaN(grads[i]), "wrote outside the heads at " + i);
        }
      }
    }
  }

  /** {@code sum_i u_i . O_i} for one head, {@code O_i = sum_j softmax_j(scale q_i.k_j) v_j}. */
  private static double attentionLoss(double[] qkv, float[] dOut, int column, int hidden,
      int inStride, int outStride, int length, int headDim, double scale) {
    double loss = 0;
    double[] p = new double[length];
    for (int i = 0; i < length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < length; j++) {
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += qkv[i * inStride + column + d] * qkv[j * inStride + hidden + column + d];
        }
        p[j] = scale * s;
        max = Math.max(max, p[j]);
      }
      double sum = 0;
      for (int j = 0; j < length; j++) {
        p[j] = Math.exp(p[j] - max);
        sum += p[j];
      }
      for (int d = 0; d < headDim; d++) {
        double o = 0;
        for (int j = 0; j < length; j++) {
          o += p[j] / sum * qkv[j * inStride + 2 * hidden + column + d];
        }
        loss += dOut[i * outStride + column + d] * o;
      }
    }
    return loss;
  }

  private static double[] layerNorm(double[] x, double[] gamma, double[] beta, double epsilon) {
    int n = x.length;
    double mean = 0;
    for (double value : x) {
      mean += value;
    }
    mean /= n;
    double variance = 0;
    for (double value : x) {
      variance += (value - mean) * (value - mean);
    }
    variance /= n;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = (x[i] - mean) / Math.sqrt(variance + epsilon) * gamma[i] + beta[i];
    }
    return y;
  }

  private static double gelu(double x) {
    return x * 0.5 * (1 + Erf.erf(x / Math.sqrt(2)));
  }

  /** A scalar function of arrays that {@link #numeric} perturbs in place. */
  private interface Loss {
    double value();
  }

  /** The central difference of {@code loss} in {@code inputs[index]}, which it restores. */
  private static double numeric(Loss loss, double[] inputs, int index) {
    double saved = inputs[index];
    inputs[index] = saved + STEP;
    double up = loss.value();
    inputs[index] = saved - STEP;
    double down = loss.value();
    inputs[index] = saved;
    return (up - down) / (2 * STEP);
  }

  /** Relative tolerance, with an absolute floor of the same size for gradients near zero. */
  private static void assertNear(double expected, float actual, double tolerance, String what) {
    double error = Math.abs(expected - actual);
    if (!(error <= tolerance * Math.max(1, Math.abs(expected)))) {
      throw new AssertionError(what + ": numeric " + expected + ", analytic " + actual);
    }
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
