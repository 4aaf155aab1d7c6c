package dev.quarry.index.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8ScorerTest {

  /** Not a multiple of any vector length, so that the kernels' tails run too. */
  private static final int DIM = 100;
  private static final int COUNT = 300;

  private final float[][] vectors = new float[COUNT][DIM];
  private final float[] query = new float[DIM];
  private final Int8Quantizer quantizer;

  Int8ScorerTest() {
    Random random = new Random(5);
    for (float[] v : vectors) for (int i = 0; i < DIM; i++) v[i] = (float) random.nextGaussian() * 0.1f + 0.02f;
    for (int i = 0; i < DIM; i++) query[i] = (float) random.nextGaussian() * 0.1f + 0.02f;
    quantizer = Int8Quantizer.fit(vectors, COUNT);
  }

  private RecordStore store(RecordStore.Heap heap) {
    RecordStore store = new RecordStore(DIM + 4, heap);
    for (float[] v : vectors) {
      byte[] code = new byte[DIM];
      store.append(code, quantizer.quantize(v, code));
    }
    return store;
  }

  /**
   * The codes' integer dot product plus (centre / step) times the stored code's sum, or minus the
   * squared distance; then the size of the summed terms, to scale the tolerance of float sums.
   */
  private double[] reference(int node, boolean euclidean) {
    byte[] q = new byte[DIM];
    byte[] x = new byte[DIM];
    quantizer.quantize(query, q);
    int sum = quantizer.quantize(vectors[node], x);
    long dot = 0, square = 0;
    for (int i = 0; i < DIM; i++) {
      dot += q[i] * x[i];
      square += (q[i] - x[i]) * (q[i] - x[i]);
    }
    double correction = (double) quantizer.centre() / quantizer.step() * sum;
    return euclidean ? new double[] {-square, square} : new double[] {dot + correction, Math.abs(dot) + Math.abs(correction)};
  }

  @Test
  void scoresAreTheCodesProductsAlikeOnHeapAndOffAndInBatches() {
    RecordStore onHeap = store(RecordStore.Heap.BYTES);
    RecordStore offHeap = store(RecordStore.Heap.NONE);
    assertNotNull(onHeap.heapBytes());
    assertNull(offHeap.heapBytes());
    Random random = new Random(9);
    int[] nodes = new int[33];
    float[] batch = new float[nodes.length];
    for (boolean euclidean : new boolean[] {false, true}) {
      for (RecordStore store : new RecordStore[] {onHeap, offHeap}) {
        Int8Scorer scorer = new Int8Scorer(quantizer, query, euclidean, store);
        for (int node = 0; node < COUNT; node++) {
          double[] expected = reference(node, euclidean);
          assertEquals(expected[0], scorer.score(node), 1e-6 * expected[1] + 1e-6, "node " + node);
        }
        for (int round = 0; round < 30; round++) {
          int count = 1 + random.nextInt(nodes.length);
          for (int i = 0; i < count; i++) nodes[i] = random.nextInt(COUNT);
          scorer.score(nodes, count, batch);
          for (int i = 0; i < count; i++) {
            assertEquals(Float.floatToIntBits(scorer.score(nodes[i])), Float.floatToIntBits(batch[i]),
                (euclidean ? "Euclidean" : "dot") + ", node " + nodes[i]);
          }
        }
      }
    }
  }
}
