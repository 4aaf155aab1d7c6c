package dev.quarry.index.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryScorerTest {

  /** 200 dimensions: three whole words and a partial fourth. */
  private static final int DIM = 200;
  private static final int COUNT = 500;

  private final float[][] vectors = new float[COUNT][DIM];
  private final float[] query = new float[DIM];
  private final BinaryQuantizer quantizer;
  private final long[][] bits = new long[COUNT][];
  private final float[][] factors = new float[COUNT][3];

  BinaryScorerTest() {
    Random random = new Random(7);
    for (float[] v : vectors) for (int i = 0; i < DIM; i++) v[i] = (float) random.nextGaussian() + 0.3f * (i % 5);
    for (int i = 0; i < DIM; i++) query[i] = (float) random.nextGaussian() + 0.3f * (i % 5);
    quantizer = BinaryQuantizer.fit(vectors, COUNT);
    for (int n = 0; n < COUNT; n++) {
      bits[n] = new long[quantizer.words()];
      quantizer.quantize(vectors[n], bits[n], factors[n]);
    }
  }

  private RecordStore store(RecordStore.Heap heap) {
    RecordStore store = new RecordStore(8 * quantizer.words() + 8, heap);
    for (int n = 0; n < COUNT; n++) store.append(bits[n], factors[n][0], factors[n][2]);
    return store;
  }

  /**
   * The estimate summed over components, without bit planes or popcounts:
   * {@code weight · scale · Σ q̂_i s_i + bias}, with {@code q̂} the query centred and rounded to
   * 16 levels between its extremes and {@code s_i = ±1} the stored signs; and next to it the
   * size of the terms the float arithmetic sums, to scale the tolerance.
   */
  private double[] reference(int node, double weight) {
    double[] c = new double[DIM];
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < DIM; i++) {
      c[i] = query[i] - quantizer.means()[i];
      lo = Math.min(lo, c[i]);
      hi = Math.max(hi, c[i]);
    }
    double step = (hi - lo) / 15;
    double sum = 0, magnitude = 0;
    for (int i = 0; i < DIM; i++) {
      double quantized = lo + step * Math.round((c[i] - lo) / step);
      boolean positive = (bits[node][i >>> 6] & (1L << (i & 63))) != 0;
      sum += positive ? quantized : -quantized;
      magnitude += Math.abs(quantized);
    }
    double scale = weight * factors[node][0];
    return new double[] {scale * sum + factors[node][2], scale * magnitude};
  }

  @Test
  void popcountsGiveTheSummedEstimate() {
    BinaryScorer scorer = new BinaryScorer(quantizer, query, 2, store(RecordStore.Heap.LONGS));
    for (int n = 0; n < COUNT; n++) {
      double[] expected = reference(n, 2);
      // A few float roundings of the summed terms; a wrong plane weight or sign errs by whole steps.
      assertEquals(expected[0], scorer.score(n), 1e-6 * expected[1] + 1e-6, "node " + n);
    }
  }

  @Test
  void batchesHeapAndSegmentScoreBitForBitAlike() {
    RecordStore onHeap = store(RecordStore.Heap.LONGS);
    RecordStore offHeap = store(RecordStore.Heap.NONE);
    assertNotNull(onHeap.heapLongs());
    assertNull(offHeap.heapLongs());
    BinaryScorer heapScorer = new BinaryScorer(quantizer, query, 1, onHeap);
    BinaryScorer segmentScorer = new BinaryScorer(quantizer, query, 1, offHeap);
    int[] nodes = new int[37];
    float[] heapScores = new float[nodes.length];
    float[] segmentScores = new float[nodes.length];
    Random random = new Random(11);
    for (int round = 0; round < 50; round++) {
      int count = 1 + random.nextInt(nodes.length);
      for (int i = 0; i < count; i++) nodes[i] = random.nextInt(COUNT);
      heapScorer.score(nodes, count, heapScores);
      segmentScorer.score(nodes, count, segmentScores);
      for (int i = 0; i < count; i++) {
        float single = heapScorer.score(nodes[i]);
        assertEquals(Float.floatToIntBits(single), Float.floatToIntBits(heapScores[i]), "heap batch, node " + nodes[i]);
        assertEquals(Float.floatToIntBits(single), Float.floatToIntBits(segmentScores[i]), "segment batch, node " + nodes[i]);
        assertEquals(Float.floatToIntBits(single), Float.floatToIntBits(segmentScorer.score(nodes[i])), "segment, node " + nodes[i]);
      }
    }
  }
}
