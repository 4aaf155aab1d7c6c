package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Panama GEMM against the scalar oracle on shapes that hit every block and tail, and the batch
 * invariance the encoder relies on: a row's result is bit-identical whatever rows surround it.
 */
class PanamaMatmulTest {

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final TensorSupport scalar = KernelProvider.scalar();
  private final Random random = new Random(99);

  @Test
  void everyColumnCount() {
    for (int n : TestData.SIZES) {
      check(5, 33, n, TestData.Placement.UNALIGNED, true);
    }
  }

  @Test
  void everyInnerDimension() {
    for (int k : TestData.SIZES) {
      check(6, k, 65, TestData.Placement.HEAP, true);
    }
  }

  @Test
  void everyRowCount() {
    for (int m : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 33}) {
      check(m, 17, 129, TestData.Placement.ALIGNED, m % 2 == 0);
    }
  }

  @Test
  void encoderShapesInEveryPlacement() {
    for (TestData.Placement placement : TestData.Placement.values()) {
      check(13, 384, 1536, placement, true);
      check(3, 1537, 130, placement, false);
      check(0, 7, 9, placement, true);
      check(4, 0, 9, placement, true);
    }
  }

  /** c = a·b (+ bias) inside larger arrays, compared with the oracle and checked for overwrites. */
  private void check(int m, int k, int n, TestData.Placement placement, boolean withBias) {
    try (Arena arena = Arena.ofConfined()) {
      float[] aValues = TestData.floats(random, m * k, 1f);
      float[] bValues = TestData.floats(random, k * n, 1f);
      MemorySegment b = TestData.segment(arena, bValues, placement);
      MemorySegment bias = withBias
          ? TestData.segment(arena, TestData.floats(random, n, 1f), placement) : null;
      int aOffset = 3, cOffset = 7;
      float[] a = TestData.embed(aValues, aOffset, 2);
      float[] c = TestData.embed(new float[m * n], cOffset, 5);
      float[] expected = c.clone();
      panama.matmul(a, aOffset, m, k, b, bias, c, cOffset, n);
      scalar.matmul(a, aOffset, m, k, b, bias, expected, cOffset, n);
      String shape = "m=" + m + " k=" + k + " n=" + n + " " + placement;
      for (int index = 0; index < c.length; index++) {
        int i = (index - cOffset) / n, j = (index - cOffset) % n;
        if (index < cOffset || index >= cOffset + m * n) {
          assertEquals(Float.NaN, c[index], shape + ": wrote outside c at " + index);
          continue;
        }
        // Both sum k products in float; they differ by rounding, bounded by the magnitudes.
        double magnitude = withBias ? Math.abs(bias.getAtIndex(ScalarTensorSupport.FLOAT_LE, j))
            : 0;
        for (int p = 0; p < k; p++) {
          magnitude += Math.abs(aValues[i * k + p] * bValues[p * n + j]);
        }
        assertEquals(expected[index], c[index], 2e-6 * magnitude * Math.sqrt(k + 1) + 1e-7,
            shape + " at c[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void rowResultsDoNotDependOnTheBatch() {
    // n spans full column panels, a single vector and a partial one; rows span full row blocks,
    // the row tail and the few-row path.
    int k = 384, n = 2 * PanamaMatmul.COLUMNS + 16 + 5, rows = 37;
    try (Arena arena = Arena.ofConfined()) {
      float[] a = TestData.floats(random, rows * k, 1f);
      MemorySegment b = TestData.segment(arena, TestData.floats(random, k * n, 1f),
          TestData.Placement.UNALIGNED);
      MemorySegment bias = TestData.segment(arena, TestData.floats(random, n, 1f),
          TestData.Placement.UNALIGNED);
      float[] all = new float[rows * n];
      panama.matmul(a, 0, rows, k, b, bias, all, 0, n);
      for (int m = 1; m <= 9; m++) {
        for (int start = 0; start + m <= rows; start += (m <= 5 ? 1 : 7)) {
          float[] c = new float[m * n];
          panama.matmul(a, start * k, m, k, b, bias, c, 0, n);
          for (int r = 0; r < m; r++) {
            int row = start + r;
            assertArrayEquals(bits(Arrays.copyOfRange(all, row * n, (row + 1) * n)),
                bits(Arrays.copyOfRange(c, r * n, (r + 1) * n)),
                "row " + row + " computed in a batch of " + m + " starting at " + start);
          }
        }
      }
    }
  }

  private static int[] bits(float[] x) {
    int[] bits = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      bits[i] = Float.floatToRawIntBits(x[i]);
    }
    return bits;
  }
}
