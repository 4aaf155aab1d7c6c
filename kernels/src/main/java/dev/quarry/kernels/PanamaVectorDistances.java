package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorDistances} on the Vector API: two float accumulators, int8 widened to int lanes,
 * and a lane reduction in a fixed tree order (rotations and lane-wise adds, each exact in IEEE
 * arithmetic) so that sums do not depend on whether C2 or the interpreter ran them.
 */
final class PanamaVectorDistances implements VectorDistances {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Bytes with as many lanes as {@link #I}: the shape that widens into one int vector. */
  private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
      jdk.incubator.vector.VectorShape.forBitSize(I.vectorBitSize() / 4));
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  /**
   * Rotations by half, a quarter, ... of the lanes, each its own constant: C2 compiles a rearrange
   * only when it knows the shuffle, and elements of a static array are not constants to it (from
   * an array, the adds after them ran in the Vector API's Java fallback: 7 % of a float search).
   */
  private static final VectorShuffle<Float> ROTATE_8 = rotation(8);
  private static final VectorShuffle<Float> ROTATE_4 = rotation(4);
  private static final VectorShuffle<Float> ROTATE_2 = rotation(2);
  private static final VectorShuffle<Float> ROTATE_1 = rotation(1);

  private static VectorShuffle<Float> rotation(int step) {
    return VectorShuffle.fromOp(F, i -> (i + step) % L);
  }

  PanamaVectorDistances() {
    // The int8 kernels widen bytes lane for lane into ints; a platform without a matching byte
    // species gets the scalar distances from the holder instead.
    if (B.length() != I.length()) {
      throw new IllegalStateException("no byte vector shape matches " + I + "; use the scalar distances");
    }
    if (L > 16) throw new IllegalStateException(L + " float lanes: sumLanes rotates at most 16; use the scalar distances");
  }

  /** The sum of the lanes in a fixed pairwise order: lane i plus lane i + L/2, and so on down to 1. */
  private static float sumLanes(FloatVector v) {
    if (L >= 16) v = v.add(v.rearrange(ROTATE_8));
    if (L >= 8) v = v.add(v.rearrange(ROTATE_4));
    if (L >= 4) v = v.add(v.rearrange(ROTATE_2));
    if (L >= 2) v = v.add(v.rearrange(ROTATE_1));
    return v.lane(0);
  }

  @Override
  public float dot(float[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
        long at = offset + 4L * i;
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromMemorySegment(F, v, at, LE), s0);
        s1 = FloatVector.fromArray(F, q, i + L).fma(FloatVector.fromMemorySegment(F, v, at + 4L * L, LE), s1);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromMemorySegment(F, v, offset + 4L * i, LE), s0);
      }
      sum = sumLanes(s0.add(s1));
    }
    for (; i < n; i++) sum = Math.fma(q[i], v.get(ScalarVectorDistances.FLOAT, offset + 4L * i), sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
        long at = offset + 4L * i;
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(FloatVector.fromMemorySegment(F, v, at, LE));
        FloatVector d1 = FloatVector.fromArray(F, q, i + L).sub(FloatVector.fromMemorySegment(F, v, at + 4L * L, LE));
        s0 = d0.fma(d0, s0);
        s1 = d1.fma(d1, s1);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector d = FloatVector.fromArray(F, q, i).sub(FloatVector.fromMemorySegment(F, v, offset + 4L * i, LE));
        s0 = d.fma(d, s0);
      }
      sum = sumLanes(s0.add(s1));
    }
    for (; i < n; i++) {
      float d = q[i] - v.get(ScalarVectorDistances.FLOAT, offset + 4L * i);
      sum = Math.fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public float dot(float[] q, float[] v, int offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
        int at = offset + i;
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, v, at), s0);
        s1 = FloatVector.fromArray(F, q, i + L).fma(FloatVector.fromArray(F, v, at + L), s1);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, v, offset + i), s0);
      }
      sum = sumLanes(s0.add(s1));
    }
    for (; i < n; i++) sum = Math.fma(q[i], v[offset + i], sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, float[] v, int offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
        int at = offset + i;
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(FloatVector.fromArray(F, v, at));
        FloatVector d1 = FloatVector.fromArray(F, q, i + L).sub(FloatVector.fromArray(F, v, at + L));
        s0 = d0.fma(d0, s0);
        s1 = d1.fma(d1, s1);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector d = FloatVector.fromArray(F, q, i).sub(FloatVector.fromArray(F, v, offset + i));
        s0 = d.fma(d, s0);
      }
      sum = sumLanes(s0.add(s1));
    }
    for (; i < n; i++) {
      float d = q[i] - v[offset + i];
      sum = Math.fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public void dot(float[] q, MemorySegment v, long stride, int[] nodes, int count, int n, float[] out) {
    readAhead(v, stride, nodes, count);
    int j = interleavable(n) ? four(q, v, stride, nodes, count, n, out, false) : 0;
    for (; j < count; j++) out[j] = dot(q, v, stride * nodes[j], n);
  }

  @Override
  public void squareDistance(float[] q, MemorySegment v, long stride, int[] nodes, int count, int n, float[] out) {
    readAhead(v, stride, nodes, count);
    int j = interleavable(n) ? four(q, v, stride, nodes, count, n, out, true) : 0;
    for (; j < count; j++) out[j] = squareDistance(q, v, stride * nodes[j], n);
  }

  @Override
  public void dot(float[] q, float[] v, int stride, int[] nodes, int count, int n, float[] out) {
    readAhead(v, stride, nodes, count);
    int j = interleavable(n) ? four(q, v, stride, nodes, count, n, out, false) : 0;
    for (; j < count; j++) out[j] = dot(q, v, stride * nodes[j], n);
  }

  @Override
  public void squareDistance(float[] q, float[] v, int stride, int[] nodes, int count, int n, float[] out) {
    readAhead(v, stride, nodes, count);
    int j = interleavable(n) ? four(q, v, stride, nodes, count, n, out, true) : 0;
    for (; j < count; j++) out[j] = squareDistance(q, v, stride * nodes[j], n);
  }

  /**
   * Loads the first word of every vector of the batch before any is scored, so that the cache
   * misses on their first lines overlap, instead of four at a time as the kernel reaches them; the
   * hardware prefetcher streams the rest of each vector once the kernel reads on. hnsw-search at
   * ef 24 on 100k MiniLM vectors: 0.87–0.91 of the time. Two or three lines of each vector read
   * ahead gained no more, and every line was slower (the loads compete with the kernel's own).
   */
  private static void readAhead(MemorySegment v, long stride, int[] nodes, int count) {
    int bits = 0;
    for (int j = 0; j < count; j++) bits ^= v.get(ValueLayout.JAVA_INT_UNALIGNED, stride * nodes[j]);
    keep(bits);
  }

  /** {@link #readAhead(MemorySegment, long, int[], int)} over an array, vector j at float {@code stride * nodes[j]}. */
  private static void readAhead(float[] v, int stride, int[] nodes, int count) {
    int bits = 0;
    for (int j = 0; j < count; j++) bits ^= Float.floatToRawIntBits(v[stride * nodes[j]]);
    keep(bits);
  }

  /** What read-ahead loaded, written only on a value it will practically never see. */
  @SuppressWarnings("unused")
  private static int kept;

  /**
   * Makes loads whose values nothing needs impossible for the compiler to drop: a branch depends on
   * them. The store it guards is a rare, harmless race, never a shared write on every call.
   */
  private static void keep(int bits) {
    if (bits == 0x7fc0_1234) kept = bits;
  }

  /**
   * Whether the single-vector loops run their two-accumulator body alone (no tails): then four
   * vectors at a time, each with the same two accumulators in the same order, give the same bits.
   */
  private static boolean interleavable(int n) {
    return n >= 2 * L && n % (2 * L) == 0;
  }

  /**
   * Scores vectors four at a time so that their cache misses overlap, each with the two
   * accumulators of the single-vector loop (eight in all: with sixteen, C2 spilled six of them to
   * the stack on 16-register AVX2, and a search took 1.15× the time). A last group of one to three
   * repeats its last vector rather than scoring the rest one by one, whose misses would each stall
   * alone; only real results are stored. Returns how many it scored (all).
   */
  private static int four(float[] q, MemorySegment v, long stride, int[] nodes, int count, int n, float[] out,
      boolean square) {
    int j = 0;
    for (int last = count - 1; j < count; j += 4) {
      long o0 = stride * nodes[j], o1 = stride * nodes[Math.min(j + 1, last)];
      long o2 = stride * nodes[Math.min(j + 2, last)], o3 = stride * nodes[Math.min(j + 3, last)];
      FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
      for (int i = 0; i < n; i += 2 * L) {
        long x = 4L * i;
        FloatVector q0 = FloatVector.fromArray(F, q, i);
        a0 = term(q0, FloatVector.fromMemorySegment(F, v, o0 + x, LE), a0, square);
        b0 = term(q0, FloatVector.fromMemorySegment(F, v, o1 + x, LE), b0, square);
        c0 = term(q0, FloatVector.fromMemorySegment(F, v, o2 + x, LE), c0, square);
        d0 = term(q0, FloatVector.fromMemorySegment(F, v, o3 + x, LE), d0, square);
        x += 4L * L;
        FloatVector q1 = FloatVector.fromArray(F, q, i + L);
        a1 = term(q1, FloatVector.fromMemorySegment(F, v, o0 + x, LE), a1, square);
        b1 = term(q1, FloatVector.fromMemorySegment(F, v, o1 + x, LE), b1, square);
        c1 = term(q1, FloatVector.fromMemorySegment(F, v, o2 + x, LE), c1, square);
        d1 = term(q1, FloatVector.fromMemorySegment(F, v, o3 + x, LE), d1, square);
      }
      out[j] = sumLanes(a0.add(a1));
      if (j + 1 < count) out[j + 1] = sumLanes(b0.add(b1));
      if (j + 2 < count) out[j + 2] = sumLanes(c0.add(c1));
      if (j + 3 < count) out[j + 3] = sumLanes(d0.add(d1));
    }
    return Math.min(j, count);
  }

  /** {@link #four(float[], MemorySegment, long, int[], int, int, float[], boolean)} over an array. */
  private static int four(float[] q, float[] v, int stride, int[] nodes, int count, int n, float[] out,
      boolean square) {
    int j = 0;
    for (int last = count - 1; j < count; j += 4) {
      int o0 = stride * nodes[j], o1 = stride * nodes[Math.min(j + 1, last)];
      int o2 = stride * nodes[Math.min(j + 2, last)], o3 = stride * nodes[Math.min(j + 3, last)];
      FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
      for (int i = 0; i < n; i += 2 * L) {
        FloatVector q0 = FloatVector.fromArray(F, q, i);
        a0 = term(q0, FloatVector.fromArray(F, v, o0 + i), a0, square);
        b0 = term(q0, FloatVector.fromArray(F, v, o1 + i), b0, square);
        c0 = term(q0, FloatVector.fromArray(F, v, o2 + i), c0, square);
        d0 = term(q0, FloatVector.fromArray(F, v, o3 + i), d0, square);
        FloatVector q1 = FloatVector.fromArray(F, q, i + L);
        a1 = term(q1, FloatVector.fromArray(F, v, o0 + i + L), a1, square);
        b1 = term(q1, FloatVector.fromArray(F, v, o1 + i + L), b1, square);
        c1 = term(q1, FloatVector.fromArray(F, v, o2 + i + L), c1, square);
        d1 = term(q1, FloatVector.fromArray(F, v, o3 + i + L), d1, square);
      }
      out[j] = sumLanes(a0.add(a1));
      if (j + 1 < count) out[j + 1] = sumLanes(b0.add(b1));
      if (j + 2 < count) out[j + 2] = sumLanes(c0.add(c1));
      if (j + 3 < count) out[j + 3] = sumLanes(d0.add(d1));
    }
    return Math.min(j, count);
  }

  /** One accumulation step: {@code s + q·v}, or {@code s + (q - v)²}; as the single-vector loops. */
  private static FloatVector term(FloatVector q, FloatVector v, FloatVector s, boolean square) {
    if (!square) return q.fma(v, s);
    FloatVector d = q.sub(v);
    return d.fma(d, s);
  }

  @Override
  public int dotInt8(byte[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    int sum = 0;
    int lanes = I.length();
    if (n >= 2 * lanes) {
      IntVector s0 = IntVector.zero(I), s1 = s0;
      for (int bound = n - 2 * lanes; i <= bound; i += 2 * lanes) {
        s0 = s0.add(widen(ByteVector.fromArray(B, q, i)).mul(widen(ByteVector.fromMemorySegment(B, v, offset + i, LE))));
        s1 = s1.add(widen(ByteVector.fromArray(B, q, i + lanes))
            .mul(widen(ByteVector.fromMemorySegment(B, v, offset + i + lanes, LE))));
      }
      sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) sum += q[i] * v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i);
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    int sum = 0;
    int lanes = I.length();
    if (n >= 2 * lanes) {
      IntVector s0 = IntVector.zero(I), s1 = s0;
      for (int bound = n - 2 * lanes; i <= bound; i += 2 * lanes) {
        IntVector d0 = widen(ByteVector.fromArray(B, q, i)).sub(widen(ByteVector.fromMemorySegment(B, v, offset + i, LE)));
        IntVector d1 = widen(ByteVector.fromArray(B, q, i + lanes))
            .sub(widen(ByteVector.fromMemorySegment(B, v, offset + i + lanes, LE)));
        s0 = s0.add(d0.mul(d0));
        s1 = s1.add(d1.mul(d1));
      }
      sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      int d = q[i] - v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i);
      sum += d * d;
    }
    return sum;
  }

  @Override
  public int dotInt8(byte[] q, byte[] v, int offset, int n) {
    return int8(q, v, offset, n, false);
  }

  @Override
  public int squareDistanceInt8(byte[] q, byte[] v, int offset, int n) {
    return int8(q, v, offset, n, true);
  }

  /** One int8 dot product, or squared distance, over an array (integer sums: exact in any order). */
  private static int int8(byte[] q, byte[] v, int offset, int n, boolean square) {
    int i = 0;
    int sum = 0;
    int lanes = I.length();
    if (n >= lanes) {
      IntVector s = IntVector.zero(I);
      for (int bound = I.loopBound(n); i < bound; i += lanes) {
        IntVector x = widen(ByteVector.fromArray(B, q, i));
        IntVector y = widen(ByteVector.fromArray(B, v, offset + i));
        s = s.add(square ? x.sub(y).mul(x.sub(y)) : x.mul(y));
      }
      sum = s.reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      int x = q[i], y = v[offset + i];
      sum += square ? (x - y) * (x - y) : x * y;
    }
    return sum;
  }

  @Override
  public void dotInt8(byte[] q, byte[] v, int stride, int[] nodes, int count, int n, int[] out) {
    int j = n >= I.length() && n < 1024 ? fourInt8Float(q, v, stride, nodes, count, n, out) : 0;
    for (; j < count; j++) out[j] = dotInt8(q, v, stride * nodes[j], n);
  }

  @Override
  public void dotInt8(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out) {
    int j = n >= I.length() ? (n < 1024 ? fourInt8Float(q, v, stride, nodes, count, n, out)
        : fourInt8(q, v, stride, nodes, count, n, out, false)) : 0;
    for (; j < count; j++) out[j] = dotInt8(q, v, stride * nodes[j], n);
  }

  @Override
  public void squareDistanceInt8(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out) {
    int j = n >= I.length() ? fourInt8(q, v, stride, nodes, count, n, out, true) : 0;
    for (; j < count; j++) out[j] = squareDistanceInt8(q, v, stride * nodes[j], n);
  }

  /**
   * Int8 dot products four at a time in float lanes: widening bytes straight to floats and one FMA
   * costs fewer instructions than an int multiply and add. Exact, hence equal to the int sums: every
   * product and partial sum is an integer of magnitude at most {@code n · 128²}, below 2^24 for
   * {@code n < 1024}.
   */
  private static int fourInt8Float(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out) {
    int j = 0;
    for (int last = count - 1; j < count; j += 4) {
      long o0 = stride * nodes[j], o1 = stride * nodes[Math.min(j + 1, last)];
      long o2 = stride * nodes[Math.min(j + 2, last)], o3 = stride * nodes[Math.min(j + 3, last)];
      FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
      int i = 0;
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector x = toFloats(ByteVector.fromArray(B, q, i));
        a = x.fma(toFloats(ByteVector.fromMemorySegment(B, v, o0 + i, LE)), a);
        b = x.fma(toFloats(ByteVector.fromMemorySegment(B, v, o1 + i, LE)), b);
        c = x.fma(toFloats(ByteVector.fromMemorySegment(B, v, o2 + i, LE)), c);
        d = x.fma(toFloats(ByteVector.fromMemorySegment(B, v, o3 + i, LE)), d);
      }
      int sa = (int) a.reduceLanes(VectorOperators.ADD), sb = (int) b.reduceLanes(VectorOperators.ADD);
      int sc = (int) c.reduceLanes(VectorOperators.ADD), sd = (int) d.reduceLanes(VectorOperators.ADD);
      for (; i < n; i++) {
        int x = q[i];
        sa += x * v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o0 + i);
        sb += x * v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o1 + i);
        sc += x * v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o2 + i);
        sd += x * v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o3 + i);
      }
      out[j] = sa;
      if (j + 1 < count) out[j + 1] = sb;
      if (j + 2 < count) out[j + 2] = sc;
      if (j + 3 < count) out[j + 3] = sd;
    }
    return Math.min(j, count);
  }

  /** {@link #fourInt8Float(byte[], MemorySegment, long, int[], int, int, int[])} over an array. */
  private static int fourInt8Float(byte[] q, byte[] v, int stride, int[] nodes, int count, int n, int[] out) {
    int j = 0;
    for (int last = count - 1; j < count; j += 4) {
      int o0 = stride * nodes[j], o1 = stride * nodes[Math.min(j + 1, last)];
      int o2 = stride * nodes[Math.min(j + 2, last)], o3 = stride * nodes[Math.min(j + 3, last)];
      FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
      int i = 0;
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector x = toFloats(ByteVector.fromArray(B, q, i));
        a = x.fma(toFloats(ByteVector.fromArray(B, v, o0 + i)), a);
        b = x.fma(toFloats(ByteVector.fromArray(B, v, o1 + i)), b);
        c = x.fma(toFloats(ByteVector.fromArray(B, v, o2 + i)), c);
        d = x.fma(toFloats(ByteVector.fromArray(B, v, o3 + i)), d);
      }
      int sa = (int) a.reduceLanes(VectorOperators.ADD), sb = (int) b.reduceLanes(VectorOperators.ADD);
      int sc = (int) c.reduceLanes(VectorOperators.ADD), sd = (int) d.reduceLanes(VectorOperators.ADD);
      for (; i < n; i++) {
        int x = q[i];
        sa += x * v[o0 + i];
        sb += x * v[o1 + i];
        sc += x * v[o2 + i];
        sd += x * v[o3 + i];
      }
      out[j] = sa;
      if (j + 1 < count) out[j + 1] = sb;
      if (j + 2 < count) out[j + 2] = sc;
      if (j + 3 < count) out[j + 3] = sd;
    }
    return Math.min(j, count);
  }

  private static FloatVector toFloats(ByteVector b) {
    return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
  }

  /** Int8 codes four at a time (integer sums: any order gives the single call's result). */
  private static int fourInt8(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out,
      boolean square) {
    int lanes = I.length();
    int j = 0;
    for (int last = count - 1; j < count; j += 4) {
      long o0 = stride * nodes[j], o1 = stride * nodes[Math.min(j + 1, last)];
      long o2 = stride * nodes[Math.min(j + 2, last)], o3 = stride * nodes[Math.min(j + 3, last)];
      IntVector a = IntVector.zero(I), b = a, c = a, d = a;
      int i = 0;
      for (int bound = I.loopBound(n); i < bound; i += lanes) {
        IntVector x = widen(ByteVector.fromArray(B, q, i));
        a = termInt8(x, widen(ByteVector.fromMemorySegment(B, v, o0 + i, LE)), a, square);
        b = termInt8(x, widen(ByteVector.fromMemorySegment(B, v, o1 + i, LE)), b, square);
        c = termInt8(x, widen(ByteVector.fromMemorySegment(B, v, o2 + i, LE)), c, square);
        d = termInt8(x, widen(ByteVector.fromMemorySegment(B, v, o3 + i, LE)), d, square);
      }
      int sa = a.reduceLanes(VectorOperators.ADD), sb = b.reduceLanes(VectorOperators.ADD);
      int sc = c.reduceLanes(VectorOperators.ADD), sd = d.reduceLanes(VectorOperators.ADD);
      for (; i < n; i++) {
        int x = q[i];
        sa += termInt8(x, v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o0 + i), square);
        sb += termInt8(x, v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o1 + i), square);
        sc += termInt8(x, v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o2 + i), square);
        sd += termInt8(x, v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, o3 + i), square);
      }
      out[j] = sa;
      if (j + 1 < count) out[j + 1] = sb;
      if (j + 2 < count) out[j + 2] = sc;
      if (j + 3 < count) out[j + 3] = sd;
    }
    return Math.min(j, count);
  }

  private static IntVector termInt8(IntVector q, IntVector v, IntVector s, boolean square) {
    IntVector t = square ? q.sub(v) : q;
    return s.add(t.mul(square ? t : v));
  }

  private static int termInt8(int q, int v, boolean square) {
    return square ? (q - v) * (q - v) : q * v;
  }

  private static IntVector widen(ByteVector b) {
    return (IntVector) b.convertShape(VectorOperators.B2I, I, 0);
  }

  @Override
  public int hamming(long[] q, MemorySegment v, long offset, int words) {
    // A few words per vector: scalar popcount (one instruction each) beats vector setup.
    int sum = 0;
    for (int i = 0; i < words; i++) sum += Long.bitCount(q[i] ^ v.get(ScalarVectorDistances.LONG, offset + 8L * i));
    return sum;
  }
}
