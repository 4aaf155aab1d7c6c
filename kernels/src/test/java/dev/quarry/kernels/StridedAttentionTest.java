package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention over one fused Q|K|V array (three offsets, one input stride, another output stride),
 * Panama against the scalar oracle on odd sizes; and its per-thread scratch: a long sequence
 * followed by a short one must not see the long one's leftovers.
 */
class StridedAttentionTest {

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final TensorSupport scalar = KernelProvider.scalar();

  @Test
  void fusedQkvMatchesTheOracle() {
    Random random = new Random(5);
    for (int length : new int[] {1, 2, 5, 16, 17, 33, 130, 3}) {
      for (int headDim : new int[] {1, 7, 16, 32, 33}) {
        int hidden = 2 * headDim + 3;
        int inStride = 3 * hidden, outStride = hidden + 1;
        float[] qkv = TestData.floats(random, length * inStride, 2f);
        int q = headDim + 1;
        float[] out = new float[length * outStride + 4];
        Arrays.fill(out, 42f);
        float[] expected = out.clone();
        float scale = (float) (1 / Math.sqrt(headDim));
        panama.attention(qkv, q, qkv, q + hidden, qkv, q + 2 * hidden, inStride, out, 2,
            outStride, length, headDim, scale);
        scalar.attention(qkv, q, qkv, q + hidden, qkv, q + 2 * hidden, inStride, expected, 2,
            outStride, length, headDim, scale);
        for (int i = 0; i < out.length; i++) {
          int col = (i - 2) % outStride;
          if (i < 2 || col >= headDim || i >= 2 + (length - 1) * outStride + headDim) {
            assertEquals(42f, out[i], "wrote outside the head at " + i);
          } else {
            assertEquals(expected[i], out[i], 4e-5, "length " + length + " headDim " + headDim);
          }
        }
      }
    }
  }

  @Test
  void resultsDoNotDependOnEarlierCalls() {
    Random random = new Random(8);
    int headDim = 32, stride = 96;
    float[] shortQkv = TestData.floats(random, 5 * stride, 1f);
    float[] first = new float[5 * headDim];
    panama.attention(shortQkv, 0, shortQkv, 32, shortQkv, 64, stride, first, 0, headDim, 5,
        headDim, 0.2f);
    float[] longQkv = TestData.floats(random, 200 * stride, 3f);
    panama.attention(longQkv, 0, longQkv, 32, longQkv, 64, stride, new float[200 * headDim], 0,
        headDim, 200, headDim, 0.2f);
    float[] again = new float[5 * headDim];
    panama.attention(shortQkv, 0, shortQkv, 32, shortQkv, 64, stride, again, 0, headDim, 5,
        headDim, 0.2f);
    assertArrayEquals(first, again);
  }
}
