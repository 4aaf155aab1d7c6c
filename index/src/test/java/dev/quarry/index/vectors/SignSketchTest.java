package dev.quarry.index.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.index.hnsw.ScoreEstimate;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sign sketch's score estimates, against exact dot products and distances. */
class SignSketchTest {

  private static final int DIM = 384;
  private static final int N = 2_000;
  private static final int QUERIES = 20;

  @Test
  void estimatesDotProductsAndDistancesWithoutBiasWithinTheSimHashSpread() {
    Random random = new Random(5);
    float[][] vectors = new float[N][];
    SignSketch sketch = new SignSketch(DIM);
    for (int i = 0; i < N; i++) {
      // Half of them near the first: close pairs, where a search's floor lies, as well as far ones.
      vectors[i] = i % 2 == 0 || i == 1 ? gaussian(random, DIM, 1 + random.nextInt(3)) : near(vectors[0], random);
      sketch.append(vectors[i]);
    }
    // The spread of the cosine estimate at right angles, where it is widest.
    double spread = Math.PI / 2 / Math.sqrt(DIM);
    for (boolean euclidean : new boolean[] {false, true}) {
      float[] errors = new float[QUERIES * N];
      for (int q = 0; q < QUERIES; q++) {
        float[] query = q % 2 == 0 ? gaussian(random, DIM, 1) : near(vectors[0], random);
        ScoreEstimate estimate = sketch.forQuery(query, euclidean);
        for (int i = 0; i < N; i++) {
          float exact = euclidean ? -squareDistance(query, vectors[i]) : dot(query, vectors[i]);
          // As a cosine: Euclidean errs by twice the dot product's error.
          float scale = (euclidean ? 2 : 1) * norm(query) * norm(vectors[i]);
          errors[q * N + i] = (estimate.estimate(i) - exact) / scale;
        }
      }
      // Over many queries the estimate is unbiased; for one query its errors share the query's signs.
      Arrays.sort(errors);
      float median = errors[errors.length / 2];
      assertTrue(Math.abs(median) < 0.02, "median error of the cosine estimate " + median);
      long wide = 0;
      for (float e : errors) if (Math.abs(e) > 2.5 * spread) wide++;
      assertTrue(wide < 0.02 * errors.length, wide + " of " + errors.length + " errors beyond 2.5 spreads");
      float p90 = errors[(int) (0.9 * errors.length)];
      assertTrue(p90 > 0.3 * spread, "errors this small need more than sign bits: 90th percentile " + p90);
    }
  }

  @Test
  void vectorsOfOneSignGetTheLargestEstimate() {
    Random random = new Random(6);
    SignSketch sketch = new SignSketch(DIM);
    float[][] vectors = new float[50][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = gaussian(random, DIM, 1);
      for (int d = 0; d < DIM; d++) vectors[i][d] = Math.abs(vectors[i][d]);
      sketch.append(vectors[i]);
    }
    for (int q = 0; q < vectors.length; q++) {
      ScoreEstimate estimate = sketch.forQuery(vectors[q], false);
      for (int i = 0; i < vectors.length; i++) {
        float largest = norm(vectors[q]) * norm(vectors[i]);
        assertEquals(largest, estimate.estimate(i), 1e-4f * largest, "vectors " + q + " and " + i);
      }
    }
  }

  @Test
  void sketchesVectorsStoredBackToBackAsItSketchesThemOneByOne() {
    Random random = new Random(7);
    int dim = 100; // not a multiple of 64: the last word is partial
    SignSketch one = new SignSketch(dim), all = new SignSketch(dim);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment records = arena.allocate((long) 50 * dim * Float.BYTES);
      for (int i = 0; i < 50; i++) {
        float[] v = gaussian(random, dim, 1);
        one.append(v);
        MemorySegment.copy(v, 0, records, RecordStore.FLOAT, (long) i * dim * Float.BYTES, dim);
      }
      all.appendAll(records, 50);
    }
    assertEquals(50, all.size());
    float[] query = gaussian(random, dim, 1);
    ScoreEstimate a = one.forQuery(query, false), b = all.forQuery(query, false);
    for (int i = 0; i < 50; i++) assertEquals(a.estimate(i), b.estimate(i), "vector " + i);
  }

  private static float[] near(float[] base, Random random) {
    float[] v = base.clone();
    for (int d = 0; d < v.length; d++) v[d] += (float) (0.8 * random.nextGaussian());
    return v;
  }

  private static float[] gaussian(Random random, int dim, double scale) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) v[i] = (float) (scale * random.nextGaussian());
    return v;
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return (float) s;
  }

  private static float norm(float[] a) {
    return (float) Math.sqrt(dot(a, a));
  }

  private static float squareDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) (a[i] - b[i]) * (a[i] - b[i]);
    return (float) s;
  }
}
