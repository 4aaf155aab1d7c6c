package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked fp32 GEMM on the Vector API: {@code c = a · b (+ bias)} with {@code a} on the
 * heap and {@code b} a little-endian weight segment stored {@code [k × n]}.
 *
 * <p>Three paths, by shape:
 * <ul>
 *   <li>Full column panels (4 vectors wide), at least 4 rows: the panel of {@code b} is packed
 *       into a contiguous per-thread array, then 4 rows × 4 vectors of {@code c} stay in 16
 *       registers while {@code p} walks through {@code k}, broadcasting {@code a[i][p]} and
 *       multiplying it with the panel's row {@code p}. Leftover rows use a 1 × 4 block.
 *   <li>Leftover columns (fewer than a panel): 4 × 1 and 1 × 1 vector blocks straight from the
 *       segment, with a lane mask on the last partial vector.
 *   <li>Fewer than 4 rows (a single query): {@code b} is streamed once in memory order.
 * </ul>
 * The bias is added in a last pass over {@code c}.
 *
 * <p><b>Batch invariance.</b> On every path, each element {@code c[i][j]} is {@code fma(a[i][k-1],
 * b[k-1][j], ... fma(a[i][0], b[0][j], 0))} and then {@code + bias[j]}: the same operations in the
 * same order, since a vector FMA rounds each lane exactly like {@link Math#fma}, and packing or
 * parking a partial sum in {@code c} copies floats exactly. So a row's result is bit-identical
 * whatever {@code m} is and wherever the row falls in the blocks ({@code PanamaMatmulTest} checks
 * it). Keep it that way: no splitting of {@code k} into partial sums added later, no reordering.
 */
final class PanamaMatmul {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();
  private static final long VECTOR_BYTES = (long) L * Float.BYTES;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Rows of {@code a} per main block. */
  static final int ROWS = 4;

  /** Columns of {@code c} per main block: four vectors. */
  static final int COLUMNS = 4 * L;

  /** One packed panel per thread, reused across calls rather than reallocated per call. */
  private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

  private PanamaMatmul() {}

  static void matmul(float[] a, int aOffset, int m, int k, MemorySegment b, MemorySegment bias,
      float[] c, int cOffset, int n) {
    long rowBytes = (long) n * Float.BYTES;
    int j = 0;
    if (m < ROWS) {
      streamRows(a, aOffset, m, k, b, c, cOffset, n);
      j = n;
    } else if (n >= COLUMNS) {
      float[] panel = panel(k * COLUMNS);
      // Column panels outside, row blocks inside: each panel of b (k × 4 vectors) is copied once
      // into contiguous heap memory (a strided segment walk touches a new page every row), then
      // read by every row block from cache. Copying changes where values come from, not the
      // arithmetic.
      for (; j + COLUMNS <= n; j += COLUMNS) {
        pack(b, (long) j * Float.BYTES, rowBytes, k, panel);
        int i = 0;
        for (; i + ROWS <= m; i += ROWS) {
          rows4x4(a, aOffset + i * k, k, panel, c, cOffset + i * n + j, n);
        }
        for (; i < m; i++) {
          rows1x4(a, aOffset + i * k, k, panel, c, cOffset + i * n + j);
        }
      }
    }
    for (; j < n; j += L) {
      VectorMask<Float> lanes = F.indexInRange(j, n);
      long bColumn = (long) j * Float.BYTES;
      int i = 0;
      for (; i + ROWS <= m; i += ROWS) {
        rows4x1(a, aOffset + i * k, k, b, bColumn, rowBytes, c, cOffset + i * n + j, n, lanes);
      }
      for (; i < m; i++) {
        rows1x1(a, aOffset + i * k, k, b, bColumn, rowBytes, c, cOffset + i * n + j, lanes);
      }
    }
    if (bias != null) {
      addBias(bias, c, cOffset, m, n);
    }
  }

  /** This thread's panel buffer, grown to at least {@code size} floats. */
  private static float[] panel(int size) {
    float[] panel = PANEL.get();
    if (panel.length < size) {
      panel = new float[size];
      PANEL.set(panel);
    }
    return panel;
  }

  /** Copies {@code b[0..k)[j..j + COLUMNS)} into {@code panel}, row after row. */
  private static void pack(MemorySegment b, long bColumn, long rowBytes, int k, float[] panel) {
    for (int p = 0; p < k; p++) {
      long o = bColumn + p * rowBytes;
      int q = p * COLUMNS;
      FloatVector.fromMemorySegment(F, b, o, LE).intoArray(panel, q);
      FloatVector.fromMemorySegment(F, b, o + VECTOR_BYTES, LE).intoArray(panel, q + L);
      FloatVector.fromMemorySegment(F, b, o + 2 * VECTOR_BYTES, LE).intoArray(panel, q + 2 * L);
      FloatVector.fromMemorySegment(F, b, o + 3 * VECTOR_BYTES, LE).intoArray(panel, q + 3 * L);
    }
  }

  private static void rows4x4(float[] a, int a0, int k, float[] panel, float[] c, int c0, int n) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (int p = 0; p < k; p++) {
      int q = p * COLUMNS;
      FloatVector b0 = FloatVector.fromArray(F, panel, q);
      FloatVector b1 = FloatVector.fromArray(F, panel, q + L);
      FloatVector b2 = FloatVector.fromArray(F, panel, q + 2 * L);
      FloatVector b3 = FloatVector.fromArray(F, panel, q + 3 * L);
      FloatVector x = FloatVector.broadcast(F, a[a0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(F, a[a1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      c13 = x.fma(b3, c13);
      x = FloatVector.broadcast(F, a[a2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      c23 = x.fma(b3, c23);
      x = FloatVector.broadcast(F, a[a3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      c33 = x.fma(b3, c33);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c12.intoArray(c, c0 + n + 2 * L);
    c13.intoArray(c, c0 + n + 3 * L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c22.intoArray(c, c0 + 2 * n + 2 * L);
    c23.intoArray(c, c0 + 2 * n + 3 * L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
    c32.intoArray(c, c0 + 3 * n + 2 * L);
    c33.intoArray(c, c0 + 3 * n + 3 * L);
  }

  private static void rows1x4(float[] a, int a0, int k, float[] panel, float[] c, int c0) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
    for (int p = 0; p < k; p++) {
      int q = p * COLUMNS;
      FloatVector x = FloatVector.broadcast(F, a[a0 + p]);
      c00 = x.fma(FloatVector.fromArray(F, panel, q), c00);
      c01 = x.fma(FloatVector.fromArray(F, panel, q + L), c01);
      c02 = x.fma(FloatVector.fromArray(F, panel, q + 2 * L), c02);
      c03 = x.fma(FloatVector.fromArray(F, panel, q + 3 * L), c03);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c02.intoArray(c, c0 + 2 * L);
    c03.intoArray(c, c0 + 3 * L);
  }

  /**
   * Fewer rows than a block (one query's worth of work): too little reuse to repay packing, so b
   * is streamed once, row p after row p, in memory order, and {@code c[i][j] = fma(a[i][p],
   * b[p][j], c[i][j])} accumulates in {@code c} itself. Storing a float partial sum and reloading
   * it is exact, so each element sees the same FMA chain as in the register blocks.
   */
  private static void streamRows(float[] a, int aOffset, int m, int k, MemorySegment b,
      float[] c, int cOffset, int n) {
    Arrays.fill(c, cOffset, cOffset + m * n, 0f);
    int bound = F.loopBound(n);
    for (int p = 0; p < k; p++) {
      long bRow = (long) p * n * Float.BYTES;
      for (int i = 0; i < m; i++) {
        float aip = a[aOffset + i * k + p];
        FloatVector x = FloatVector.broadcast(F, aip);
        int row = cOffset + i * n;
        int j = 0;
        for (; j < bound; j += L) {
          x.fma(FloatVector.fromMemorySegment(F, b, bRow + (long) j * Float.BYTES, LE),
              FloatVector.fromArray(F, c, row + j)).intoArray(c, row + j);
        }
        for (; j < n; j++) {
          c[row + j] = Math.fma(aip,
              b.get(ScalarTensorSupport.FLOAT_LE, bRow + (long) j * Float.BYTES), c[row + j]);
        }
      }
    }
  }

  private static void rows4x1(float[] a, int a0, int k, MemorySegment b, long bColumn,
      long rowBytes, float[] c, int c0, int n, VectorMask<Float> lanes) {
    FloatVector c0v = FloatVector.zero(F), c1v = c0v, c2v = c0v, c3v = c0v;
    int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (int p = 0; p < k; p++) {
      long o = bColumn + p * rowBytes;
      FloatVector bv = FloatVector.fromMemorySegment(F, b, o, LE, lanes);
      c0v = FloatVector.broadcast(F, a[a0 + p]).fma(bv, c0v);
      c1v = FloatVector.broadcast(F, a[a1 + p]).fma(bv, c1v);
      c2v = FloatVector.broadcast(F, a[a2 + p]).fma(bv, c2v);
      c3v = FloatVector.broadcast(F, a[a3 + p]).fma(bv, c3v);
    }
    c0v.intoArray(c, c0, lanes);
    c1v.intoArray(c, c0 + n, lanes);
    c2v.intoArray(c, c0 + 2 * n, lanes);
    c3v.intoArray(c, c0 + 3 * n, lanes);
  }

  private static void rows1x1(float[] a, int a0, int k, MemorySegment b, long bColumn,
      long rowBytes, float[] c, int c0, VectorMask<Float> lanes) {
    FloatVector acc = FloatVector.zero(F);
    for (int p = 0; p < k; p++) {
      long o = bColumn + p * rowBytes;
      FloatVector bv = FloatVector.fromMemorySegment(F, b, o, LE, lanes);
      acc = FloatVector.broadcast(F, a[a0 + p]).fma(bv, acc);
    }
    acc.intoArray(c, c0, lanes);
  }

  /**
   * {@code c[i][j] += bias[j]} over the finished rows. A pass of its own (m·n adds against m·k·n
   * FMAs) because mixing the bias load into the kernels' epilogues made C2 box their vectors.
   */
  private static void addBias(MemorySegment bias, float[] c, int cOffset, int m, int n) {
    int bound = F.loopBound(n);
    for (int i = 0; i < m; i++) {
      int row = cOffset + i * n;
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromArray(F, c, row + j)
            .add(FloatVector.fromMemorySegment(F, bias, (long) j * Float.BYTES, LE))
            .intoArray(c, row + j);
      }
      for (; j < n; j++) {
        c[row + j] += bias.getAtIndex(ScalarTensorSupport.FLOAT_LE, j);
      }
    }
  }
}
