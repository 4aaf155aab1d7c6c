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
  void bulkScoresAreBitForBitTheSingleOnes() {
    // A search scores a node's neighbours in one bulk call, the builder one at a time: the graph
    // and the results must not depend on which, for any count (four at a time plus a remainder).
    Random random = new Random(23);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : SIZES) {
        int records = 11;
        float[] q = new float[n];
        float[] array = new float[records * n];
        MemorySegment v = arena.allocate(4L * records * n);
        for (int i = 0; i < n; i++) q[i] = (float) random.nextGaussian();
        for (int i = 0; i < array.length; i++) {
          array[i] = (float) random.nextGaussian();
          v.set(FLOAT, 4L * i, array[i]);
        }
        int[] nodes = {7, 2, 2, 10, 0, 5, 9, 1, 3};
        for (VectorDistances d : new VectorDistances[] {scalar, panama}) {
          for (int count = 0; count <= nodes.length; count++) {
            float[] dots = new float[count], dists = new float[count], arrayDots = new float[count], arrayDists = new float[count];
            d.dot(q, v, 4L * n, nodes, count, n, dots);
            d.squareDistance(q, v, 4L * n, nodes, count, n, dists);
            d.dot(q, array, n, nodes, count, n, arrayDots);
            d.squareDistance(q, array, n, nodes, count, n, arrayDists);
            for (int j = 0; j < count; j++) {
              String where = d + " n=" + n + " count=" + count + " j=" + j;
              int dot = Float.floatToIntBits(d.dot(q, v, 4L * n * nodes[j], n));
              int dist = Float.floatToIntBits(d.squareDistance(q, v, 4L * n * nodes[j], n));
              assertEquals(dot, Float.floatToIntBits(dots[j]), "dot " + where);
              assertEquals(dot, Float.floatToIntBits(arrayDots[j]), "array dot " + where);
              assertEquals(dist, Float.floatToIntBits(dists[j]), "distance " + where);
              assertEquals(dist, Float.floatToIntBits(arrayDists[j]), "array distance " + where);
            }
          }
        }
      }
    }
  }

  @Test
  void bulkInt8ScoresAreTheSingleOnes() {
    Random random = new Random(29);
    try (Arena arena = Arena.ofConfined()) {
      for (int n : SIZES) {
        int records = 11;
        byte[] q = new byte[n];
        random.nextBytes(q);
        byte[] array = new byte[records * n];
        random.nextBytes(array);
        MemorySegment v = arena.allocate((long) records * n);
        MemorySegment.copy(array, 0, v, ValueLayout.JAVA_BYTE, 0, array.length);
        int[] nodes = {7, 2, 2, 10, 0, 5, 9, 1, 3};
        for (VectorDistances d : new VectorDistances[] {scalar, panama}) {
          for (int count = 0; count <= nodes.length; count++) {
            int[] dots = new int[count], dists = new int[count], arrayDots = new int[count], arrayDists = new int[count];
            d.dotInt8(q, v, n, nodes, count, n, dots);
            d.squareDistanceInt8(q, v, n, nodes, count, n, dists);
            d.dotInt8(q, array, n, nodes, count, n, arrayDots);
            d.squareDistanceInt8(q, array, n, nodes, count, n, arrayDists);
            for (int j = 0; j < count; j++) {
              String where = d + " n=" + n + " count=" + count + " j=" + j;
              int dot = scalar.dotInt8(q, v, (long) n * nodes[j], n), dist = scalar.squareDistanceInt8(q, v, (long) n * nodes[j], n);
              assertEquals(dot, dots[j], "dot " + where);
              assertEquals(dist, dists[j], "distance " + where);
              assertEquals(dot, arrayDots[j], "array dot " + where);
              assertEquals(dist, arrayDists[j], "array distance " + where);
              assertEquals(dot, d.dotInt8(q, array, n * nodes[j], n), "single array dot " + where);
              assertEquals(dist, d.squareDistanceInt8(q, array, n * nodes[j], n), "single array distance " + where);
            }
          }
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
