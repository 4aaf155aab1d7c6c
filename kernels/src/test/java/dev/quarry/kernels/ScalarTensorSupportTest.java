package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The oracle against definitions and known values, so that testing against it means something. */
class ScalarTensorSupportTest {

  private final TensorSupport scalar = KernelProvider.scalar();

  @Test
  void geluMatchesKnownValues() {
    float[] x = {1, -1, 0.5f, -3, 3, -5, 5, -10, 10, -20, 0, -0f, 100, -100,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    scalar.gelu(x, 0, x.length);
    float[] expected = {0.8413447460685429f, -0.15865525393145707f, 0.34573123063700655f,
        -0.0040496940948902836f, 2.9959503059051097f, -1.4332578593959696e-6f,
        4.999998566742141f, -7.619853024160526e-23f, 10f, -0f, 0f, -0f, 100f, -0f,
        Float.POSITIVE_INFINITY, -0f};
    // The oracle computes in double and rounds once: exactly the float nearest the true value.
    assertArrayEquals(expected, x);
  }

  @Test
  void softmaxRowsSumToOneAndKeepOrder() {
    float[] x = {1, 2, 3, 1000, -1000, 999};
    scalar.softmax(x, 0, x.length);
    double sum = 0;
    for (float v : x) {
      sum += v;
    }
    assertEquals(1.0, sum, 1e-6);
    assertEquals(0.7310586f, x[3], 1e-6f);
    assertEquals(0.26894143f, x[5], 1e-6f);
    assertEquals(0f, x[4]);
  }

  @Test
  void layerNormGivesZeroMeanUnitVarianceBeforeTheAffineMap() {
    try (Arena arena = Arena.ofConfined()) {
      int n = 7;
      float[] x = {1000.5f, 1001.5f, 999.5f, 1000f, 1002f, 998f, 1000.25f};
      float[] ones = new float[n];
      Arrays.fill(ones, 1f);
      MemorySegment gamma = TestData.segment(arena, ones, TestData.Placement.UNALIGNED);
      MemorySegment beta = TestData.segment(arena, new float[n], TestData.Placement.HEAP);
      scalar.layerNorm(x, 0, n, gamma, beta, 0f);
      double mean = 0, squares = 0;
      for (float v : x) {
        mean += v;
        squares += v * v;
      }
      assertEquals(0, mean / n, 1e-6);
      assertEquals(1, squares / n, 1e-5);
    }
  }

  @Test
  void matmulComputesTheTextbookProduct() {
    // a = [[1, 2], [3, 4]], b = [[5, 6, 7], [8, 9, 10]] stored [k × n], bias = [1, 0, -1].
    try (Arena arena = Arena.ofConfined()) {
      float[] a = {1, 2, 3, 4};
      MemorySegment b = TestData.segment(arena, new float[] {5, 6, 7, 8, 9, 10},
          TestData.Placement.UNALIGNED);
      MemorySegment bias = TestData.segment(arena, new float[] {1, 0, -1},
          TestData.Placement.ALIGNED);
      float[] c = new float[6];
      scalar.matmul(a, 0, 2, 2, b, bias, c, 0, 3);
      assertArrayEquals(new float[] {22, 24, 26, 48, 54, 60}, c);
      scalar.matmul(a, 0, 2, 2, b, null, c, 0, 3);
      assertArrayEquals(new float[] {21, 24, 27, 47, 54, 61}, c);
    }
  }

  @Test
  void attentionMatchesADoublePrecisionComputation() {
    Random random = new Random(7);
    int length = 13, headDim = 32, rowStride = 96, offset = 32;
    float[] q = TestData.floats(random, length * rowStride, 1f);
    float[] k = TestData.floats(random, length * rowStride, 1f);
    float[] v = TestData.floats(random, length * rowStride, 1f);
    float[] out = new float[length * rowStride];
    scalar.attention(q, k, v, out, offset, rowStride, length, headDim, 0.125f,
        new float[length]);
    double[] expected = AttentionTest.naive(q, k, v, offset, rowStride, length, headDim, 0.125);
    for (int i = 0; i < length; i++) {
      for (int d = 0; d < headDim; d++) {
        assertEquals(expected[i * headDim + d], out[offset + i * rowStride + d], 1e-5);
      }
    }
  }

  @Test
  void badShapesNameTheArgument() {
    var e = assertThrows(IndexOutOfBoundsException.class,
        () -> scalar.matmul(new float[5], 0, 2, 3, MemorySegment.ofArray(new float[6]), null,
            new float[4], 0, 2));
    assertEquals("a: elements [0, 6) do not fit in an array of 5 floats", e.getMessage());
    var f = assertThrows(IndexOutOfBoundsException.class,
        () -> scalar.matmul(new float[6], 0, 2, 3, MemorySegment.ofArray(new float[5]), null,
            new float[4], 0, 2));
    assertEquals("b: needs 6 floats (24 bytes) but the segment has 20 bytes", f.getMessage());
  }
}
