package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The reference {@link VectorDistances}: plain loops, the oracle the Panama backend is tested against. */
final class ScalarVectorDistances implements VectorDistances {

  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @Override
  public float dot(float[] q, MemorySegment v, long offset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) sum = Math.fma(q[i], v.get(FLOAT, offset + 4L * i), sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment v, long offset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float d = q[i] - v.get(FLOAT, offset + 4L * i);
      sum = Math.fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public float dot(float[] q, float[] v, int offset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) sum = Math.fma(q[i], v[offset + i], sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, float[] v, int offset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float d = q[i] - v[offset + i];
      sum = Math.fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public int dotInt8(byte[] q, MemorySegment v, long offset, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) sum += q[i] * v.get(ValueLayout.JAVA_BYTE, offset + i);
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] q, MemorySegment v, long offset, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
      int d = q[i] - v.get(ValueLayout.JAVA_BYTE, offset + i);
      sum += d * d;
    }
    return sum;
  }

  @Override
  public int dotInt8(byte[] q, byte[] v, int offset, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) sum += q[i] * v[offset + i];
    return sum;
  }

  @Override
  public int squareDistanceInt8(byte[] q, byte[] v, int offset, int n) {
    int sum = 0;
    for (int i = 0; i < n; i++) {
      int d = q[i] - v[offset + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public int hamming(long[] q, MemorySegment v, long offset, int words) {
    int sum = 0;
    for (int i = 0; i < words; i++) sum += Long.bitCount(q[i] ^ v.get(LONG, offset + 8L * i));
    return sum;
  }
}
