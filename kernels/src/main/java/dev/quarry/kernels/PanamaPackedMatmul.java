package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 GEMM over weights packed at load time: {@code c = act(a · b + bias)} for a column range of
 * {@code c}, with {@code b} in column panels of four vectors (see {@link PackedMatrix}).
 *
 * <p>Loop nest (Goto-style, {@code a} left unpacked since its rows are read as broadcasts): blocks
 * of {@link #ROW_BLOCK} rows outside, so that the whole matrix streams from L3 only once per
 * block; then the column panels; then slices of {@link #KC} rows of the panel (32 KB, in L1),
 * read by every micro-kernel of the block: 4 rows × 4 vectors, whose 16 accumulators stay in
 * registers (6 × 4, with 24 accumulators, measured four times slower: C2 spills them), or 2 rows
 * where there are only 16 vector registers ({@link #MR}). Leftover rows use 2- and 1-row kernels.
 * Each element's chain starts from +0 (in a register, or in c for the 4-row kernel) and later
 * passes continue from the partial sums parked in c.
 * The kernels step through a and the panel with induction variables of their own: with both
 * indexed from one counter, C2 ran out of general registers and reloaded the array base from the
 * stack every step (2-row kernel on AVX2: 62–64 GFLOP/s, against 75–77 now).
 * The bias and the activation are applied to a row block right after it is computed, while it is
 * still in cache. About 110 GFLOP/s on one Sapphire Rapids core at encoder shapes, 60–65 % of the
 * FMA peak measured in the same JVM ({@code MatmulThroughput}).
 *
 * <p><b>Batch invariance.</b> Every element is {@code fma(a[i][k-1], b[k-1][j], ... fma(a[i][0],
 * b[0][j], 0))}, then {@code + bias[j]}, then the activation, whatever kernel computes it, whatever
 * rows or columns surround it: same operations, same order. The activation runs on row segments
 * that start at a panel boundary, so an element's position among GELU's vector lanes depends only
 * on its column.
 *
 * <p><b>Int8 weights</b> stay as codes in the panels (a quarter of the memory, and 11 MB rather than
 * 42 for MiniLM's linear layers: they fit in L3). Each slice of {@link #KC} rows of a panel is
 * widened into a thread's scratch panel right before the micro-kernels of the row block read it,
 * to {@code (code − zero) · scale} exactly as {@link Int8Matrix#value} computes it; from there on
 * it is the fp32 GEMM, with the same bits as over weights widened at load.
 */
final class PanamaPackedMatmul {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();

  /** Columns per panel: four vectors. */
  static final int PANEL = 4 * L;

  /** Rows per cache block: a panel of b is reused by this many rows before the next is read. */
  static final int ROW_BLOCK = 48;

  /**
   * Depth of one pass over a panel: {@code KC × PANEL} floats (32 KB) stay in L1 while every
   * micro-kernel of the row block reads them; partial sums are parked in c between passes, which
   * is exact, so each element's chain of FMAs is unchanged.
   */
  static final int KC = 128;

  /**
   * Rows of the main micro-kernel: 4 × 4 vectors (16 accumulators, 21 live vectors) where C2 has
   * 32 vector registers; 2 × 4 where it has 16 (AVX2), on which the 4-row kernel spills. At
   * encoder shapes on an AVX2 AMD EPYC core (MatmulThroughput packed, 2026-12-06): 2 rows 75–77
   * GFLOP/s, 4 rows 52, and 6 rows × 2 vectors (12 accumulators, measured before the loops had
   * induction variables of their own, when 2 rows gave 62–64) 37–46.
   */
  static final int MR = PanamaSpecies.REGISTERS >= 32 ? 4 : 2;

  private static final ThreadLocal<float[]> EDGE =
      ThreadLocal.withInitial(() -> new float[ROW_BLOCK * PANEL]);

  /** A slice of a panel of int8 weights, widened to floats. */
  private static final ThreadLocal<float[]> WIDENED =
      ThreadLocal.withInitial(() -> new float[KC * PANEL]);

  /** Codes that widen into one float vector; null where that is under 64 bits (4 float lanes). */
  private static final VectorSpecies<Byte> CODE =
      L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;

  private PanamaPackedMatmul() {}

  static PackedMatrix pack(MemorySegment b, MemorySegment bias, int k, int n) {
    int panelCount = (n + PANEL - 1) / PANEL;
    float[] panels = new float[Math.multiplyExact(panelCount, Math.multiplyExact(k, PANEL))];
    for (int jp = 0; jp < panelCount; jp++) {
      int j0 = jp * PANEL;
      int width = Math.min(PANEL, n - j0);
      int base = jp * k * PANEL;
      for (int p = 0; p < k; p++) {
        MemorySegment.copy(b, ScalarTensorSupport.FLOAT_LE, ((long) p * n + j0) * Float.BYTES,
            panels, base + p * PANEL, width);
      }
    }
    // The source is not kept: once packed, its pages can go cold.
    return new PackedMatrix(k, n, PANEL, null, null, panels, biasValues(bias, n));
  }

  static PackedMatrix pack(Int8Matrix b, MemorySegment bias) {
    int k = b.rows();
    int n = b.columns();
    int panelCount = (n + PANEL - 1) / PANEL;
    byte[] panels = new byte[Math.multiplyExact(panelCount, Math.multiplyExact(k, PANEL))];
    // Padding columns keep code, zero point and scale 0: they widen to 0.
    float[] zeros = new float[panelCount * PANEL];
    float[] scales = new float[panelCount * PANEL];
    for (int j = 0; j < n; j++) {
      int at = (j / PANEL) * k * PANEL + j % PANEL;
      for (int p = 0; p < k; p++, at += PANEL) panels[at] = b.signedCode(p, j);
      zeros[j] = b.signedZero(j);
      scales[j] = b.scale(j);
    }
    return new PackedMatrix(k, n, PANEL, biasValues(bias, n),
        new PackedMatrix.Codes(panels, zeros, scales));
  }

  private static float[] biasValues(MemorySegment bias, int n) {
    float[] values = new float[n];
    if (bias != null) {
      MemorySegment.copy(bias, ScalarTensorSupport.FLOAT_LE, 0, values, 0, n);
    }
    return values;
  }

  static void matmul(float[] a, int aOffset, int m, PackedMatrix b, PackedMatrix.Activation act,
      float[] c, int cOffset, int from, int to) {
    matmul(a, aOffset, m, b, act, c, cOffset, from, to, MR);
  }

  /** The same with main micro-kernels of {@code mr} rows (4 or 2): tests run both on any CPU. */
  static void matmul(float[] a, int aOffset, int m, PackedMatrix b, PackedMatrix.Activation act,
      float[] c, int cOffset, int from, int to, int mr) {
    int k = b.rows();
    int n = b.columns();
    float[] w = b.panels;
    PackedMatrix.Codes codes = b.codes;
    float[] widened = codes == null ? null : WIDENED.get();
    for (int i0 = 0; i0 < m; i0 += ROW_BLOCK) {
      int rows = Math.min(ROW_BLOCK, m - i0);
      for (int j = from; j < to; j += PANEL) {
        int w0 = (j / PANEL) * k * PANEL;
        // A partial panel is computed whole into a scratch block, then its columns copied.
        boolean edge = j + PANEL > n;
        float[] dst = edge ? EDGE.get() : c;
        int d0 = edge ? 0 : cOffset + i0 * n + j;
        int ld = edge ? PANEL : n;
        // The 2- and 1-row kernels start their first pass from +0 in registers; the 4-row one
        // accumulates onto c from the start, so its rows start from +0 in c. (The conditional
        // start per accumulator made C2 compile the 4-row kernel six times slower.)
        for (int r = 0; r < (mr == 4 ? rows / 4 * 4 : 0); r++) {
          Arrays.fill(dst, d0 + r * ld, d0 + r * ld + (edge ? PANEL : Math.min(PANEL, n - j)), 0f);
        }
        for (int p0 = 0; p0 < k; p0 += KC) {
          int p1 = Math.min(k, p0 + KC);
          float[] panel = w;
          int q0 = w0;
          if (codes != null) {
            widen(codes, k, j / PANEL, p0, p1, widened);
            // The kernels start reading at q0 + p0 · PANEL: the scratch's first row.
            panel = widened;
            q0 = -p0 * PANEL;
          }
          int i = 0;
          for (; mr == 4 && i + 4 <= rows; i += 4) {
            kernel4(a, aOffset + (i0 + i) * k, k, p0, p1, panel, q0, dst, d0 + i * ld, ld);
          }
          for (; i + 2 <= rows; i += 2) {
            kernel2(a, aOffset + (i0 + i) * k, k, p0, p1, panel, q0, dst, d0 + i * ld, ld);
          }
          if (i < rows) {
            kernel1(a, aOffset + (i0 + i) * k, k, p0, p1, panel, q0, dst, d0 + i * ld);
          }
        }
        if (edge) copyEdge(dst, rows, c, cOffset + i0 * n + j, n, n - j);
      }
      epilogue(b.biasValues, act, c, cOffset + i0 * n, rows, n, from, to);
    }
  }

  /**
   * Rows {@code [p0, p1)} of code panel {@code jp} into {@code w[0, (p1 − p0) · PANEL)}, each
   * {@code (code − zero) · scale}: code and zero point are small integers, so their difference is
   * exact in float, and the product rounds as {@link Int8Matrix#value}'s does.
   */
  static void widen(PackedMatrix.Codes codes, int k, int jp, int p0, int p1, float[] w) {
    byte[] q = codes.panels();
    float[] zeros = codes.zeros();
    float[] scales = codes.scales();
    int c0 = jp * PANEL;
    int from = (jp * k + p0) * PANEL;
    int count = (p1 - p0) * PANEL;
    if (CODE == null) {
      for (int i = 0; i < count; i++) {
        w[i] = (q[from + i] - zeros[c0 + i % PANEL]) * scales[c0 + i % PANEL];
      }
      return;
    }
    FloatVector z0 = FloatVector.fromArray(F, zeros, c0);
    FloatVector z1 = FloatVector.fromArray(F, zeros, c0 + L);
    FloatVector z2 = FloatVector.fromArray(F, zeros, c0 + 2 * L);
    FloatVector z3 = FloatVector.fromArray(F, zeros, c0 + 3 * L);
    FloatVector s0 = FloatVector.fromArray(F, scales, c0);
    FloatVector s1 = FloatVector.fromArray(F, scales, c0 + L);
    FloatVector s2 = FloatVector.fromArray(F, scales, c0 + 2 * L);
    FloatVector s3 = FloatVector.fromArray(F, scales, c0 + 3 * L);
    for (int i = 0; i < count; i += PANEL) {
      widen(q, from + i, z0, s0).intoArray(w, i);
      widen(q, from + i + L, z1, s1).intoArray(w, i + L);
      widen(q, from + i + 2 * L, z2, s2).intoArray(w, i + 2 * L);
      widen(q, from + i + 3 * L, z3, s3).intoArray(w, i + 3 * L);
    }
  }

  private static FloatVector widen(byte[] q, int at, FloatVector zero, FloatVector scale) {
    FloatVector codes = (FloatVector) ByteVector.fromArray(CODE, q, at)
        .convertShape(VectorOperators.B2F, F, 0);
    return codes.sub(zero).mul(scale);
  }

  private static void copyEdge(float[] t, int rows, float[] c, int c0, int n, int width) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * PANEL, c, c0 + r * n, width);
    }
  }

  private static void epilogue(float[] bias, PackedMatrix.Activation act, float[] c, int c0,
      int rows, int n, int from, int to) {
    int width = to - from;
    int bound = from + F.loopBound(width);
    for (int r = 0; r < rows; r++) {
      int row = c0 + r * n;
      int j = from;
      for (; j < bound; j += L) {
        FloatVector.fromArray(F, c, row + j).add(FloatVector.fromArray(F, bias, j))
            .intoArray(c, row + j);
      }
      for (; j < to; j++) {
        c[row + j] += bias[j];
      }
      if (act == PackedMatrix.Activation.GELU) {
        PanamaGelu.gelu(c, row + from, width);
      }
    }
  }

  static void kernel4(float[] a, int a0, int lda, int p0, int p1, float[] w, int w0,
      float[] c,
      int c0, int ldc) {
    FloatVector c00 = FloatVector.fromArray(F, c, c0);
    FloatVector c01 = FloatVector.fromArray(F, c, c0 + L);
    FloatVector c02 = FloatVector.fromArray(F, c, c0 + 2 * L);
    FloatVector c03 = FloatVector.fromArray(F, c, c0 + 3 * L);
    FloatVector c10 = FloatVector.fromArray(F, c, c0 + ldc);
    FloatVector c11 = FloatVector.fromArray(F, c, c0 + ldc + L);
    FloatVector c12 = FloatVector.fromArray(F, c, c0 + ldc + 2 * L);
    FloatVector c13 = FloatVector.fromArray(F, c, c0 + ldc + 3 * L);
    FloatVector c20 = FloatVector.fromArray(F, c, c0 + 2 * ldc);
    FloatVector c21 = FloatVector.fromArray(F, c, c0 + 2 * ldc + L);
    FloatVector c22 = FloatVector.fromArray(F, c, c0 + 2 * ldc + 2 * L);
    FloatVector c23 = FloatVector.fromArray(F, c, c0 + 2 * ldc + 3 * L);
    FloatVector c30 = FloatVector.fromArray(F, c, c0 + 3 * ldc);
    FloatVector c31 = FloatVector.fromArray(F, c, c0 + 3 * ldc + L);
    FloatVector c32 = FloatVector.fromArray(F, c, c0 + 3 * ldc + 2 * L);
    FloatVector c33 = FloatVector.fromArray(F, c, c0 + 3 * ldc + 3 * L);
    for (int ia = a0 + p0, end = a0 + p1, q = w0 + p0 * PANEL; ia < end; ia++, q += PANEL) {
      FloatVector b0 = FloatVector.fromArray(F, w, q);
      FloatVector b1 = FloatVector.fromArray(F, w, q + L);
      FloatVector b2 = FloatVector.fromArray(F, w, q + 2 * L);
      FloatVector b3 = FloatVector.fromArray(F, w, q + 3 * L);
      FloatVector x = FloatVector.broadcast(F, a[ia]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(F, a[ia + lda]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      c13 = x.fma(b3, c13);
      x = FloatVector.broadcast(F, a[ia + 2 * lda]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      c23 = x.fma(b3, c23);
      x = FloatVector.broadcast(F, a[ia + 3 * lda]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      c33 = x.fma(b3, c33);
    }
    store4(c00, c01, c02, c03, c, c0);
    store4(c10, c11, c12, c13, c, c0 + ldc);
    store4(c20, c21, c22, c23, c, c0 + 2 * ldc);
    store4(c30, c31, c32, c33, c, c0 + 3 * ldc);
  }

  static void kernel2(float[] a, int a0, int lda, int p0, int p1, float[] w, int w0,
      float[] c,
      int c0, int ldc) {
    FloatVector c00 = start(c, c0, p0);
    FloatVector c01 = start(c, c0 + L, p0);
    FloatVector c02 = start(c, c0 + 2 * L, p0);
    FloatVector c03 = start(c, c0 + 3 * L, p0);
    FloatVector c10 = start(c, c0 + ldc, p0);
    FloatVector c11 = start(c, c0 + ldc + L, p0);
    FloatVector c12 = start(c, c0 + ldc + 2 * L, p0);
    FloatVector c13 = start(c, c0 + ldc + 3 * L, p0);
    for (int ia = a0 + p0, end = a0 + p1, q = w0 + p0 * PANEL; ia < end; ia++, q += PANEL) {
      FloatVector b0 = FloatVector.fromArray(F, w, q);
      FloatVector b1 = FloatVector.fromArray(F, w, q + L);
      FloatVector b2 = FloatVector.fromArray(F, w, q + 2 * L);
      FloatVector b3 = FloatVector.fromArray(F, w, q + 3 * L);
      FloatVector x = FloatVector.broadcast(F, a[ia]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(F, a[ia + lda]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      c13 = x.fma(b3, c13);
    }
    store4(c00, c01, c02, c03, c, c0);
    store4(c10, c11, c12, c13, c, c0 + ldc);
  }

  static void kernel1(float[] a, int a0, int lda, int p0, int p1, float[] w, int w0,
      float[] c,
      int c0) {
    FloatVector c00 = start(c, c0, p0);
    FloatVector c01 = start(c, c0 + L, p0);
    FloatVector c02 = start(c, c0 + 2 * L, p0);
    FloatVector c03 = start(c, c0 + 3 * L, p0);
    for (int ia = a0 + p0, end = a0 + p1, q = w0 + p0 * PANEL; ia < end; ia++, q += PANEL) {
      FloatVector x = FloatVector.broadcast(F, a[ia]);
      c00 = x.fma(FloatVector.fromArray(F, w, q), c00);
      c01 = x.fma(FloatVector.fromArray(F, w, q + L), c01);
      c02 = x.fma(FloatVector.fromArray(F, w, q + 2 * L), c02);
      c03 = x.fma(FloatVector.fromArray(F, w, q + 3 * L), c03);
    }
    store4(c00, c01, c02, c03, c, c0);
  }

  /**
   * An accumulator of the 2- or 1-row kernel: +0 on the first pass over the panel's depth, else the
   * partial sum parked in c by the previous pass.
   */
  private static FloatVector start(float[] c, int at, int p0) {
    return p0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, c, at);
  }

  private static void store4(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3,
      float[] c, int c0) {
    v0.intoArray(c, c0);
    v1.intoArray(c, c0 + L);
    v2.intoArray(c, c0 + 2 * L);
    v3.intoArray(c, c0 + 3 * L);
  }
}
