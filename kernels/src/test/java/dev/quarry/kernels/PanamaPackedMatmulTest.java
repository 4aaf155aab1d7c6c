package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GEMM over packed weights against the scalar oracle on odd sizes (every micro-kernel, row
 * tail and partial panel), with and without the fused GELU; and the invariances the encoder
 * relies on: a row's bits do not depend on the rows around it, nor on how columns are split.
 */
class PanamaPackedMatmulTest {

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final TensorSupport scalar = KernelProvider.scalar();
  private final Random random = new Random(1234);

  @Test
  void oddShapesMatchTheOracle() {
    int[] ms = {0, 1, 2, 3, 4, 5, 7, 9, 17, 49, 53};
    int[] ks = {1, 3, 17, 64, 383, 384};
    int[] ns = {1, 15, 17, 63, 64, 65, 129, 211, 384};
    for (int m : ms) {
      for (int k : ks) {
        for (int n : ns) {
          if ((long) m * k * n > 3_000_000) continue;
          check(m, k, n, (m + k + n) % 2 == 0, PackedMatrix.Activation.IDENTITY);
        }
      }
    }
  }

  @Test
  void encoderShapesWithGelu() {
    check(13, 384, 1536, true, PackedMatrix.Activation.GELU);
    check(7, 1536, 384, true, PackedMatrix.Activation.IDENTITY);
    check(5, 33, 97, true, PackedMatrix.Activation.GELU);
  }

  private void check(int m, int k, int n, boolean withBias, PackedMatrix.Activation act) {
    try (Arena arena = Arena.ofConfined()) {
      float[] aValues = TestData.floats(random, m * k, 1f);
      float[] bValues = TestData.floats(random, k * n, 1f);
      float[] biasValues = TestData.floats(random, n, 1f);
      MemorySegment b = TestData.segment(arena, bValues, TestData.Placement.UNALIGNED);
      MemorySegment bias = withBias
          ? TestData.segment(arena, biasValues, TestData.Placement.ALIGNED) : null;
      int aOffset = 3, cOffset = 5;
      float[] a = TestData.embed(aValues, aOffset, 2);
      // Stale values in c must be overwritten, not accumulated onto.
      float[] stale = new float[m * n];
      Arrays.fill(stale, 1e30f);
      float[] c = TestData.embed(stale, cOffset, 3);
      float[] expected = c.clone();
      PackedMatrix packed = panama.pack(b, bias, k, n);
      panama.matmul(a, aOffset, m, packed, act, c, cOffset, 0, n);
      scalar.matmul(a, aOffset, m, scalar.pack(b, bias, k, n), act, expected, cOffset, 0, n);
      String shape = "m=" + m + " k=" + k + " n=" + n + " " + act;
      // Both main row tiles, whichever this CPU's register count picks, give the same bits.
      for (int mr : new int[] {2, 4}) {
        float[] tiled = TestData.embed(stale, cOffset, 3);
        PanamaPackedMatmul.matmul(a, aOffset, m, packed, act, tiled, cOffset, 0, n, mr);
        assertArrayEquals(bits(c), bits(tiled), shape + " with " + mr + "-row tiles");
      }
      for (int index = 0; index < c.length; index++) {
        if (index < cOffset || index >= cOffset + m * n) {
          assertEquals(Float.NaN, c[index], shape + ": wrote outside c at " + index);
          continue;
        }
        int i = (index - cOffset) / n, j = (index - cOffset) % n;
        double magnitude = withBias ? Math.abs(biasValues[j]) : 0;
        for (int p = 0; p < k; p++) magnitude += Math.abs(aValues[i * k + p] * bValues[p * n + j]);
        assertEquals(expected[index], c[index], 2e-6 * magnitude * Math.sqrt(k + 1) + 1e-6,
            shape + " at c[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void rowsAndColumnSplitsDoNotChangeBits() {
    int k = 384, n = 3 * PanamaPackedMatmul.PANEL + 16 + 5, rows = 61;
    try (Arena arena = Arena.ofConfined()) {
      float[] a = TestData.floats(random, rows * k, 2f);
      PackedMatrix b = panama.pack(
          TestData.segment(arena, TestData.floats(random, k * n, 1f), TestData.Placement.HEAP),
          TestData.segment(arena, TestData.floats(random, n, 1f), TestData.Placement.HEAP), k, n);
      for (PackedMatrix.Activation act : PackedMatrix.Activation.values()) {
        float[] all = new float[rows * n];
        panama.matmul(a, 0, rows, b, act, all, 0, 0, n);
        for (int m = 1; m <= 9; m++) {
          for (int start = 0; start + m <= rows; start += (m <= 5 ? 1 : 7)) {
            float[] c = new float[m * n];
            // Columns in two ranges split at a panel boundary, as two threads would do it.
            int split = (start % 3 + 1) * b.columnBlock();
            panama.matmul(a, start * k, m, b, act, c, 0, split, n);
            panama.matmul(a, start * k, m, b, act, c, 0, 0, split);
            for (int r = 0; r < m; r++) {
              int row = start + r;
              assertArrayEquals(bits(Arrays.copyOfRange(all, row * n, (row + 1) * n)),
                  bits(Arrays.copyOfRange(c, r * n, (r + 1) * n)),
                  act + ": row " + row + " in a batch of " + m + " starting at " + start);
            }
          }
        }
      }
    }
  }

  @Test
  void everyMicroKernelGivesTheSameBits() {
    // The main kernel depends on the CPU's register count (PanamaSpecies.REGISTERS): call each
    // directly, so that all of them are checked on any machine.
    int k = 300, panel = PanamaPackedMatmul.PANEL;
    float[] a = TestData.floats(random, 4 * k, 2f);
    float[] w = TestData.floats(random, k * panel, 1f);
    float[] four = new float[4 * panel], two = new float[4 * panel], one = new float[4 * panel];
    for (int p0 = 0; p0 < k; p0 += PanamaPackedMatmul.KC) {
      int p1 = Math.min(k, p0 + PanamaPackedMatmul.KC);
      PanamaPackedMatmul.kernel4(a, 0, k, p0, p1, w, 0, four, 0, panel);
      for (int r = 0; r < 4; r += 2) PanamaPackedMatmul.kernel2(a, r * k, k, p0, p1, w, 0, two, r * panel, panel);
      for (int r = 0; r < 4; r++) PanamaPackedMatmul.kernel1(a, r * k, k, p0, p1, w, 0, one, r * panel);
    }
    assertArrayEquals(bits(four), bits(two), "4-row against 2-row kernel");
    assertArrayEquals(bits(four), bits(one), "4-row against 1-row kernel");
  }

  /**
   * Int8 weights kept as codes give the bits of the same GEMM over the weights widened at load, on
   * every shape class (partial panels, depths over {@link PanamaPackedMatmul#KC}, row tails), for
   * uint8 and int8 codes with a zero point and scale per column; and the scalar backend agrees.
   */
  @Test
  void int8CodesGiveTheBitsOfTheirDequantizedFloats() {
    int[][] shapes = {{1, 1, 1}, {3, 17, 33}, {16, 384, 1152}, {49, 300, 65}, {5, 1536, 384},
        {2, 129, 211}};
    for (boolean unsigned : new boolean[] {true, false}) {
      for (int[] shape : shapes) {
        int m = shape[0], k = shape[1], n = shape[2];
        try (Arena arena = Arena.ofConfined()) {
          Int8Matrix b = randomCodes(arena, k, n, unsigned);
          MemorySegment bias = TestData.segment(arena, TestData.floats(random, n, 1f),
              TestData.Placement.ALIGNED);
          MemorySegment widened = b.dequantize(arena);
          float[] a = TestData.floats(random, m * k, 1f);
          String name = (unsigned ? "uint8 " : "int8 ") + "m=" + m + " k=" + k + " n=" + n;
          for (PackedMatrix.Activation act : PackedMatrix.Activation.values()) {
            float[] expected = new float[m * n], c = new float[m * n];
            panama.matmul(a, 0, m, panama.pack(widened, bias, k, n), act, expected, 0, 0, n);
            panama.matmul(a, 0, m, panama.pack(b, bias), act, c, 0, 0, n);
            assertArrayEquals(bits(expected), bits(c), name + " " + act);
            float[] oracle = new float[m * n], scalarCodes = new float[m * n];
            scalar.matmul(a, 0, m, scalar.pack(widened, bias, k, n), act, oracle, 0, 0, n);
            scalar.matmul(a, 0, m, scalar.pack(b, bias), act, scalarCodes, 0, 0, n);
            assertArrayEquals(bits(oracle), bits(scalarCodes), "scalar " + name + " " + act);
            for (int i = 0; i < c.length; i++) {
              assertEquals(oracle[i], c[i], 1e-4f * (1 + Math.abs(oracle[i])) * Math.sqrt(k),
                  name + " " + act + " against the scalar oracle at " + i);
            }
          }
        }
      }
    }
  }

  @Test
  void int8CodesTakeAQuarterOfTheFloatPanels() {
    try (Arena arena = Arena.ofConfined()) {
      Int8Matrix b = randomCodes(arena, 384, 1536, true);
      long floats = panama.pack(b.dequantize(arena), null, 384, 1536).packedBytes();
      long codes = panama.pack(b, null).packedBytes();
      assertEquals(384L * 1536 * Float.BYTES, floats);
      assertEquals(384L * 1536 + 2L * 1536 * Float.BYTES, codes);
    }
  }

  private Int8Matrix randomCodes(Arena arena, int k, int n, boolean unsigned) {
    MemorySegment codes = arena.allocate((long) k * n);
    for (long i = 0; i < codes.byteSize(); i++) {
      codes.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
    }
    float[] scales = new float[n];
    int[] zeros = new int[n];
    for (int j = 0; j < n; j++) {
      scales[j] = 0.001f + random.nextFloat() * 0.02f;
      zeros[j] = unsigned ? random.nextInt(256) : random.nextInt(256) - 128;
    }
    return new Int8Matrix(codes, unsigned, scales, zeros, k, n);
  }

  @Test
  void columnRangesMustBeWholeBlocks() {
    try (Arena arena = Arena.ofConfined()) {
      PackedMatrix b = panama.pack(arena.allocate(4L * 8 * 100), null, 8, 100);
      float[] a = new float[8], c = new float[100];
      assertThrows(IllegalArgumentException.class,
          () -> panama.matmul(a, 0, 1, b, PackedMatrix.Activation.IDENTITY, c, 0, 3, 100));
      assertThrows(IllegalArgumentException.class,
          () -> scalar.matmul(a, 0, 1, b, PackedMatrix.Activation.IDENTITY, c, 0, 0, 100));
      panama.matmul(a, 0, 1, b, PackedMatrix.Activation.IDENTITY, c, 0, b.columnBlock(), 100);
    }
  }

  private static int[] bits(float[] x) {
    int[] bits = new int[x.length];
    for (int i = 0; i < x.length; i++) bits[i] = Float.floatToRawIntBits(x[i]);
    return bits;
  }
}
