package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every element-wise and reduction method of the Panama backend against the scalar oracle, on odd
 * sizes, at array offsets that are not vector-aligned, with weights off-heap (aligned and not) and
 * on the heap. Tolerances, never exact equality: the two sum in different orders.
 */
class PanamaTensorSupportTest {

  private static final int OFFSET = 5;
  private static final int SLACK = 3;

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final TensorSupport scalar = KernelProvider.scalar();
  private final Random random = new Random(2024);

  @Test
  void isTheVectorBackend() {
    assertTrue(panama instanceof PanamaTensorSupport, panama.toString());
  }

  @Test
  void dot() {
    for (int n : TestData.SIZES) {
      float[] a = TestData.embed(TestData.floats(random, n, 1f), OFFSET, SLACK);
      float[] b = TestData.embed(TestData.floats(random, n, 1f), 1, SLACK);
      double exact = 0, magnitude = 0;
      for (int i = 0; i < n; i++) {
        exact += (double) a[OFFSET + i] * b[1 + i];
        magnitude += Math.abs((double) a[OFFSET + i] * b[1 + i]);
      }
      float p = panama.dot(a, OFFSET, b, 1, n);
      float s = scalar.dot(a, OFFSET, b, 1, n);
      assertEquals(exact, p, 1e-6 * magnitude + 1e-7, "n=" + n);
      assertEquals(s, p, 2e-6 * magnitude + 1e-7, "n=" + n);
    }
  }

  @Test
  void addAxpyScale() {
    for (int n : TestData.SIZES) {
      float[] x = TestData.embed(TestData.floats(random, n, 3f), OFFSET, SLACK);
      float[] y = TestData.embed(TestData.floats(random, n, 3f), 2, SLACK);
      float[] xs = x.clone();
      panama.add(x, OFFSET, y, 2, n);
      scalar.add(xs, OFFSET, y, 2, n);
      assertClose(xs, x, 0, 0, "add n=" + n); // one rounding each: exactly equal
      float[] ys = y.clone();
      panama.axpy(-0.75f, x, OFFSET, y, 2, n);
      scalar.axpy(-0.75f, x, OFFSET, ys, 2, n);
      assertClose(ys, y, 1e-6, 1e-6, "axpy n=" + n);
      panama.scale(x, OFFSET, n, 1.5f);
      scalar.scale(xs, OFFSET, n, 1.5f);
      assertClose(xs, x, 0, 0, "scale n=" + n);
    }
  }

  @Test
  void softmax() {
    for (int n : TestData.SIZES) {
      float[] values = TestData.floats(random, n, 20f);
      values[random.nextInt(n)] = 80f; // exp(80) overflows float unless the max is subtracted
      float[] x = TestData.embed(values, OFFSET, SLACK);
      float[] xs = x.clone();
      panama.softmax(x, OFFSET, n);
      scalar.softmax(xs, OFFSET, n);
      assertClose(xs, x, 1e-5, 1e-12, "softmax n=" + n);
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += x[OFFSET + i];
      }
      assertEquals(1.0, sum, 1e-5, "sum n=" + n);
    }
  }

  @Test
  void gelu() {
    for (int n : TestData.SIZES) {
      float[] x = TestData.embed(TestData.floats(random, n, 8f), OFFSET, SLACK);
      float[] xs = x.clone();
      panama.gelu(x, OFFSET, n);
      scalar.gelu(xs, OFFSET, n);
      assertClose(xs, x, 2e-7, 1e-30, "gelu n=" + n);
    }
  }

  @Test
  void layerNorm() {
    try (Arena arena = Arena.ofConfined()) {
      for (TestData.Placement placement : TestData.Placement.values()) {
        for (int n : TestData.SIZES) {
          MemorySegment gamma = TestData.segment(arena, TestData.floats(random, n, 2f), placement);
          MemorySegment beta = TestData.segment(arena, TestData.floats(random, n, 1f), placement);
          float[] values = TestData.floats(random, n, 4f);
          for (int i = 0; i < n; i++) {
            values[i] += 100f; // a large mean, as residual streams have
          }
          float[] x = TestData.embed(values, OFFSET, SLACK);
          float[] xs = x.clone();
          panama.layerNorm(x, OFFSET, n, gamma, beta, 1e-12f);
          scalar.layerNorm(xs, OFFSET, n, gamma, beta, 1e-12f);
          // A value near 100 carries 4e-6 of rounding, a few thousandths of a unit deviation.
          assertClose(xs, x, 1e-4, 1e-4, "layerNorm " + placement + " n=" + n);
        }
      }
    }
  }

  /** Elements [OFFSET, OFFSET + n) within tolerance, and the sentinels around them untouched. */
  static void assertClose(float[] expected, float[] actual, double relative, double absolute,
      String what) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      if (Float.isNaN(e)) {
        assertTrue(Float.isNaN(a), what + ": wrote a sentinel at " + i);
        continue;
      }
      double tolerance = Math.abs(e) * relative + absolute;
      if (!(Math.abs(e - a) <= tolerance)) {
        throw new AssertionError(what + " at " + i + ": expected " + e + " got " + a);
      }
    }
  }
}
