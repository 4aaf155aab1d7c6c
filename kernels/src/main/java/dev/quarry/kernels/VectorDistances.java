package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The similarity functions a vector index scores with: a query held on the heap against a stored
 * vector in a {@link MemorySegment} (a memory-mapped file or off-heap memory) at a byte offset.
 *
 * <p>Stored floats are little-endian fp32, stored codes are int8 or packed sign bits (64 to a
 * long, little-endian). Results are bit-for-bit reproducible for one backend: the float sums are
 * reduced in a fixed order, whether the code runs interpreted or compiled, so an index gives the
 * same answers before and after it is closed and reopened.
 */
public interface VectorDistances {

  /** {@code sum q[i] * v[i]} over {@code n} floats of {@code v} from byte {@code offset}. */
  float dot(float[] q, MemorySegment v, long offset, int n);

  /** {@code sum (q[i] - v[i])^2} over {@code n} floats of {@code v} from byte {@code offset}. */
  float squareDistance(float[] q, MemorySegment v, long offset, int n);

  /**
   * {@link #dot(float[], MemorySegment, long, int)} with the stored vector at float {@code offset}
   * of an array: the same operations in the same order, so the same result bit for bit. Array loads
   * compile to cheaper code than segment loads (about 1.6× here), which an index build, scoring
   * millions of pairs, can use.
   */
  float dot(float[] q, float[] v, int offset, int n);

  /** {@link #squareDistance(float[], MemorySegment, long, int)} over an array, bit for bit the same. */
  float squareDistance(float[] q, float[] v, int offset, int n);

  /**
   * {@link #dot(float[], MemorySegment, long, int)} for {@code count} stored vectors, the
   * {@code j}-th at byte {@code stride * nodes[j]}, into {@code out[j]}, each bit for bit what the
   * single call gives. A graph search reads scattered vectors and mostly waits on memory: a backend
   * that interleaves several vectors keeps several cache misses in flight.
   */
  default void dot(float[] q, MemorySegment v, long stride, int[] nodes, int count, int n, float[] out) {
    for (int j = 0; j < count; j++) out[j] = dot(q, v, stride * nodes[j], n);
  }

  /** {@link #squareDistance(float[], MemorySegment, long, int)} for many vectors, as the bulk {@code dot}. */
  default void squareDistance(float[] q, MemorySegment v, long stride, int[] nodes, int count, int n, float[] out) {
    for (int j = 0; j < count; j++) out[j] = squareDistance(q, v, stride * nodes[j], n);
  }

  /** The bulk {@code dot} over an array, vector {@code j} at float {@code stride * nodes[j]}. */
  default void dot(float[] q, float[] v, int stride, int[] nodes, int count, int n, float[] out) {
    for (int j = 0; j < count; j++) out[j] = dot(q, v, stride * nodes[j], n);
  }

  /** The bulk {@code squareDistance} over an array, vector {@code j} at float {@code stride * nodes[j]}. */
  default void squareDistance(float[] q, float[] v, int stride, int[] nodes, int count, int n, float[] out) {
    for (int j = 0; j < count; j++) out[j] = squareDistance(q, v, stride * nodes[j], n);
  }

  /** {@code sum q[i] * v[i]} over {@code n} signed bytes of {@code v} from byte {@code offset}. */
  int dotInt8(byte[] q, MemorySegment v, long offset, int n);

  /** {@code sum (q[i] - v[i])^2} over {@code n} signed bytes of {@code v} from byte {@code offset}. */
  int squareDistanceInt8(byte[] q, MemorySegment v, long offset, int n);

  /** {@link #dotInt8(byte[], MemorySegment, long, int)} over codes in an array from index {@code offset}. */
  int dotInt8(byte[] q, byte[] v, int offset, int n);

  /** {@link #squareDistanceInt8(byte[], MemorySegment, long, int)} over codes in an array from index {@code offset}. */
  int squareDistanceInt8(byte[] q, byte[] v, int offset, int n);

  /** {@link #dotInt8} for many stored codes, the {@code j}-th at byte {@code stride * nodes[j]}, as the bulk {@code dot}. */
  default void dotInt8(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out) {
    for (int j = 0; j < count; j++) out[j] = dotInt8(q, v, stride * nodes[j], n);
  }

  /** {@link #squareDistanceInt8} for many stored codes, as the bulk {@code dotInt8}. */
  default void squareDistanceInt8(byte[] q, MemorySegment v, long stride, int[] nodes, int count, int n, int[] out) {
    for (int j = 0; j < count; j++) out[j] = squareDistanceInt8(q, v, stride * nodes[j], n);
  }

  /** The bulk {@code dotInt8} over an array, code {@code j} at index {@code stride * nodes[j]}. */
  default void dotInt8(byte[] q, byte[] v, int stride, int[] nodes, int count, int n, int[] out) {
    for (int j = 0; j < count; j++) out[j] = dotInt8(q, v, stride * nodes[j], n);
  }

  /** The bulk {@code squareDistanceInt8} over an array, code {@code j} at index {@code stride * nodes[j]}. */
  default void squareDistanceInt8(byte[] q, byte[] v, int stride, int[] nodes, int count, int n, int[] out) {
    for (int j = 0; j < count; j++) out[j] = squareDistanceInt8(q, v, stride * nodes[j], n);
  }

  /** The number of differing bits between {@code words} longs of {@code q} and of {@code v} from {@code offset}. */
  int hamming(long[] q, MemorySegment v, long offset, int words);

  /** The backend that {@link KernelProvider} chose for this JVM (same property, same checks). */
  static VectorDistances get() {
    return VectorDistanceHolder.CHOSEN;
  }

  /** The scalar reference, whatever was chosen: the oracle for tests. */
  static VectorDistances scalar() {
    return VectorDistanceHolder.SCALAR;
  }
}
