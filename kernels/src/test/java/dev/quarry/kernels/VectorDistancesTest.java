package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorDistancesTest {

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int[] SIZES = {1, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 97, 127, 128, 129, 384, 401, 768, 1031};

  private final VectorDistances panama = new PanamaVectorDistances();
  private final VectorDistances scalar = VectorDistances.scalar();

  @Test
  void floatsMatchTheScalarOracleOnOddSizesAndOffsets() {
    Random random = new Random(7);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : SIZES) {
        for (int shift : new int[] {0, 4, 12}) {
          float[] q = new float[n];
          MemorySegment v = arena.allocate(shift + 4L * n + 8);
          double dot = 0, dist = 0;
          for (int i = 0; i < n; i++) {
            q[i] = (float) random.nextGaussian();
            float x = (float) random.nextGaussian();
            v.set(FLOAT, shift + 4L * i, x);
            dot += (double) q[i] * x;
            dist += (double) (q[i] - x) * (q[i] - x);
          }
          float tolerance = 1e-4f * (float) Math.sqrt(n) * 4;
          assertEquals(scalar.dot(q, v, shift, n), panama.dot(q, v, shift, n), tolerance, "dot n=" + n);
          assertEquals(dot, panama.dot(q, v, shift, n), tolerance, "dot vs double n=" + n);
          assertEquals(scalar.squareDistance(q, v, shift, n), panama.squareDistance(q, v, shift, n),
              tolerance * (float) Math.max(1, dist / n), "distance n=" + n);
          assertEquals(dist, panama.squareDistance(q, v, shift, n), tolerance * Math.max(1, dist / n), "distance n=" + n);
          // The fixed reduction order makes repeated calls bit-identical.
          assertEquals(Float.floatToIntBits(panama.dot(q, v, shift, n)), Float.floatToIntBits(panama.dot(q, v, shift, n)));
        }
      }
    }
  }

  @Test
  void arrayVectorsScoreBitForBitAsStoredOnes() {
    // An index build scores from arrays, a search from the stored segment: the graph must not
    // depend on which, so both forms give identical floats, in each backend.
    Random random = new Random(17);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : SIZES) {
        int offset = 3;
        float[] q = new float[n];
        float[] array = new float[offset + n];
        MemorySegment v = arena.allocate(4L * (offset + n));
        for (int i = 0; i < n; i++) {
          q[i] = (float) random.nextGaussian();
          array[offset + i] = (float) random.nextGaussian();
          v.set(FLOAT, 4L * (offset + i), array[offset + i]);
        }
        for (VectorDistances d : new VectorDistances[] {scalar, panama}) {
          assertEquals(Float.floatToIntBits(d.dot(q, v, 4L * offset, n)), Float.floatToIntBits(d.dot(q, array, offset, n)),
              d + " dot n=" + n);
          assertEquals(Float.floatToIntBits(d.squareDistance(q, v, 4L * offset, n)),
              Float.floatToIntBits(d.squareDistance(q, array, offset, n)), d + " distance n=" + n);
        }
      }
    }
  }

  @Test
  void int8AndBitsMatchTheScalarOracleExactly() {
    Random random = new Random(11);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : SIZES) {
        byte[] q = new byte[n];
        random.nextBytes(q);
        q[0] = -128;
        MemorySegment v = arena.allocate(n + 3);
        for (int i = 0; i < n; i++) v.set(ValueLayout.JAVA_BYTE, 3 + i, (byte) (random.nextInt(256) - 128));
        v.set(ValueLayout.JAVA_BYTE, 3, (byte) -128);
        assertEquals(scalar.dotInt8(q, v, 3, n), panama.dotInt8(q, v, 3, n), "dotInt8 n=" + n);
        assertEquals(scalar.squareDistanceInt8(q, v, 3, n), panama.squareDistanceInt8(q, v, 3, n), "sqInt8 n=" + n);
        int words = (n + 63) / 64;
        long[] bits = random.longs(words).toArray();
        MemorySegment w = arena.allocate(8L * words + 8);
        int expected = 0;
        for (int i = 0; i < words; i++) {
          long x = random.nextLong();
          w.set(LONG, 8 + 8L * i, x);
          expected += Long.bitCount(bits[i] ^ x);
        }
        assertEquals(expected, panama.hamming(bits, w, 8, words));
        assertEquals(expected, scalar.hamming(bits, w, 8, words));
      }
    }
  }
}
