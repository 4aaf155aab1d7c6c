package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorDistances} on the Vector API: four float accumulators, int8 widened to int lanes,
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
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] ROTATIONS = new VectorShuffle[Integer.numberOfTrailingZeros(L)];

  static {
    for (int j = 0, step = L / 2; step > 0; j++, step /= 2) {
      final int s = step;
      ROTATIONS[j] = VectorShuffle.fromOp(F, i -> (i + s) % L);
    }
  }

  PanamaVectorDistances() {
    // The int8 kernels widen bytes lane for lane into ints; a platform without a matching byte
    // species gets the scalar distances from the holder instead.
    if (B.length() != I.length()) {
      throw new IllegalStateException("no byte vector shape matches " + I + "; use the scalar distances");
    }
  }

  /** The sum of the lanes in a fixed pairwise order. */
  private static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> rotation : ROTATIONS) v = v.add(v.rearrange(rotation));
    return v.lane(0);
  }

  @Override
  public float dot(float[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        long at = offset + 4L * i;
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromMemorySegment(F, v, at, LE), s0);
        s1 = FloatVector.fromArray(F, q, i + L).fma(FloatVector.fromMemorySegment(F, v, at + 4L * L, LE), s1);
        s2 = FloatVector.fromArray(F, q, i + 2 * L).fma(FloatVector.fromMemorySegment(F, v, at + 8L * L, LE), s2);
        s3 = FloatVector.fromArray(F, q, i + 3 * L).fma(FloatVector.fromMemorySegment(F, v, at + 12L * L, LE), s3);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromMemorySegment(F, v, offset + 4L * i, LE), s0);
      }
      sum = sumLanes(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < n; i++) sum = Math.fma(q[i], v.get(ScalarVectorDistances.FLOAT, offset + 4L * i), sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, MemorySegment v, long offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        long at = offset + 4L * i;
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(FloatVector.fromMemorySegment(F, v, at, LE));
        FloatVector d1 = FloatVector.fromArray(F, q, i + L).sub(FloatVector.fromMemorySegment(F, v, at + 4L * L, LE));
        FloatVector d2 = FloatVector.fromArray(F, q, i + 2 * L).sub(FloatVector.fromMemorySegment(F, v, at + 8L * L, LE));
        FloatVector d3 = FloatVector.fromArray(F, q, i + 3 * L).sub(FloatVector.fromMemorySegment(F, v, at + 12L * L, LE));
        s0 = d0.fma(d0, s0);
        s1 = d1.fma(d1, s1);
        s2 = d2.fma(d2, s2);
        s3 = d3.fma(d3, s3);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector d = FloatVector.fromArray(F, q, i).sub(FloatVector.fromMemorySegment(F, v, offset + 4L * i, LE));
        s0 = d.fma(d, s0);
      }
      sum = sumLanes(s0.add(s1).add(s2.add(s3)));
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
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        int at = offset + i;
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, v, at), s0);
        s1 = FloatVector.fromArray(F, q, i + L).fma(FloatVector.fromArray(F, v, at + L), s1);
        s2 = FloatVector.fromArray(F, q, i + 2 * L).fma(FloatVector.fromArray(F, v, at + 2 * L), s2);
        s3 = FloatVector.fromArray(F, q, i + 3 * L).fma(FloatVector.fromArray(F, v, at + 3 * L), s3);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        s0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, v, offset + i), s0);
      }
      sum = sumLanes(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < n; i++) sum = Math.fma(q[i], v[offset + i], sum);
    return sum;
  }

  @Override
  public float squareDistance(float[] q, float[] v, int offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        int at = offset + i;
        FloatVector d0 = FloatVector.fromArray(F, q, i).sub(FloatVector.fromArray(F, v, at));
        FloatVector d1 = FloatVector.fromArray(F, q, i + L).sub(FloatVector.fromArray(F, v, at + L));
        FloatVector d2 = FloatVector.fromArray(F, q, i + 2 * L).sub(FloatVector.fromArray(F, v, at + 2 * L));
        FloatVector d3 = FloatVector.fromArray(F, q, i + 3 * L).sub(FloatVector.fromArray(F, v, at + 3 * L));
        s0 = d0.fma(d0, s0);
        s1 = d1.fma(d1, s1);
        s2 = d2.fma(d2, s2);
        s3 = d3.fma(d3, s3);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        FloatVector d = FloatVector.fromArray(F, q, i).sub(FloatVector.fromArray(F, v, offset + i));
        s0 = d.fma(d, s0);
      }
      sum = sumLanes(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < n; i++) {
      float d = q[i] - v[offset + i];
      sum = Math.fma(d, d, sum);
    }
    return sum;
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
