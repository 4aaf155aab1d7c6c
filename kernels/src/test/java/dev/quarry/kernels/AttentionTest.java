package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Panama attention against a naive double-precision computation and against the oracle. */
class AttentionTest {

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final TensorSupport scalar = KernelProvider.scalar();

  @Test
  void matchesDoublePrecisionOnOddLengthsAndHeadSizes() {
    Random random = new Random(11);
    int[] lengths = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 130};
    int[] headDims = {1, 7, 16, 17, 32, 40, 64};
    for (int length : lengths) {
      for (int headDim : headDims) {
        int heads = 3;
        int rowStride = heads * headDim + 5;
        int offset = headDim + 2; // the second head, not at a row or vector boundary
        float[] q = TestData.floats(random, length * rowStride, 2f);
        float[] k = TestData.floats(random, length * rowStride, 2f);
        float[] v = TestData.floats(random, length * rowStride, 1f);
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] out = new float[length * rowStride];
        Arrays.fill(out, 42f);
        float[] outScalar = out.clone();
        panama.attention(q, k, v, out, offset, rowStride, length, headDim, scale,
            new float[length]);
        scalar.attention(q, k, v, outScalar, offset, rowStride, length, headDim, scale,
            new float[length]);
        double[] expected = naive(q, k, v, offset, rowStride, length, headDim, scale);
        for (int i = 0; i < length; i++) {
          for (int col = 0; col < rowStride; col++) {
            int index = i * rowStride + col;
            if (col < offset || col >= offset + headDim) {
              assertEquals(42f, out[index], "wrote outside the head at " + index);
              continue;
            }
            double want = expected[i * headDim + col - offset];
            String where = "length " + length + " headDim " + headDim + " row " + i;
            assertEquals(want, out[index], 2e-5, where);
            assertEquals(outScalar[index], out[index], 4e-5, where);
          }
        }
      }
    }
  }

  @Test
  void uniformScoresAverageTheValues() {
    int length = 37, headDim = 32;
    float[] q = new float[length * headDim];
    float[] k = new float[length * headDim];
    float[] v = new float[length * headDim];
    for (int j = 0; j < length; j++) {
      v[j * headDim] = j;
    }
    float[] out = new float[length * headDim];
    panama.attention(q, k, v, out, 0, headDim, length, headDim, 1f, new float[length]);
    assertEquals((length - 1) / 2.0, out[0], 1e-4);
    assertTrue(out[1] == 0f);
  }

  /** {@code out[i][d]}, in double, flattened {@code [length × headDim]}. */
  static double[] naive(float[] q, float[] k, float[] v, int offset, int rowStride, int length,
      int headDim, double scale) {
    double[] out = new double[length * headDim];
    double[] p = new double[length];
    for (int i = 0; i < length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < length; j++) {
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += (double) q[offset + i * rowStride + d] * k[offset + j * rowStride + d];
        }
        p[j] = s * scale;
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
          o += p[j] / sum * v[offset + j * rowStride + d];
        }
        out[i * headDim + d] = o;
      }
    }
    return out;
  }
}
