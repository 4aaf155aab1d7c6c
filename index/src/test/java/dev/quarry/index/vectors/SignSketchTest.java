package dev.quarry.index.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.index.hnsw.ScoreBound;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sign sketch's score bounds, against exact dot products and distances. */
class SignSketchTest {

  private static final int DIM = 384;
  private static final int N = 2_000;

  @Test
  void boundsExactDotProductsOfIsotropicVectorsAtMostAsOftenAsTheMarginAllows() {
    Random random = new Random(5);
    float[][] vectors = new float[N][];
    SignSketch sketch = new SignSketch(DIM);
    for (int i = 0; i < N; i++) {
      // Half of them near the first: close pairs, where a search's floor lies, as well as far ones.
      vectors[i] = i % 2 == 0 || i == 1 ? gaussian(random, 1 + random.nextInt(3)) : near(vectors[0], random);
      sketch.append(vectors[i]);
    }
    assertEquals((float) (2 / Math.sqrt(DIM)), sketch.margin());
    for (boolean euclidean : new boolean[] {false, true}) {
      int below = 0;
      float[] errors = new float[20 * N];
      for (int q = 0; q < 20; q++) {
        float[] query = gaussian(random, 1);
        if (q % 2 == 1) query = near(vectors[0], random);
        ScoreBound bound = sketch.forQuery(query, euclidean);
        for (int i = 0; i < N; i++) {
          float exact = euclidean ? -squareDistance(query, vectors[i]) : dot(query, vectors[i]);
          float upper = bound.upper(i);
          if (upper < exact) below++;
          // The estimate itself (the bound less its margin) as a cosine, against the exact cosine.
          float scale = norm(query) * norm(vectors[i]);
          float estimate = euclidean ? (upper + square(query) + square(vectors[i])) / 2 : upper;
          errors[q * N + i] = estimate / scale - sketch.margin() - dot(query, vectors[i]) / scale;
        }
      }
      // Over many queries the estimate is unbiased; for one query its errors share the query's signs.
      Arrays.sort(errors);
      float median = errors[errors.length / 2];
      assertTrue(Math.abs(median) < 0.02, "median error of the cosine estimate " + median);
      // About 1.3 spreads of the estimate at right angles, less for closer pairs: some 10 % at most.
      double share = below / (20.0 * N);
      assertTrue(share < 0.10, (euclidean ? "euclidean" : "dot") + ": bound below the exact score for " + share);
      assertTrue(share > 0.001, "a margin this wide would skip little: " + share);
    }
  }

  @Test
  void neverRulesOutTheQueryItselfNorVectorsOfOneSign() {
    Random random = new Random(6);
    SignSketch sketch = new SignSketch(DIM);
    float[][] vectors = new float[100][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = gaussian(random, 1);
      if (i >= 50) for (int d = 0; d < DIM; d++) vectors[i][d] = Math.abs(vectors[i][d]);
      sketch.append(vectors[i]);
    }
    for (int q = 0; q < 50; q++) {
      for (boolean euclidean : new boolean[] {false, true}) {
        ScoreBound bound = sketch.forQuery(vectors[q], euclidean);
        assertTrue(bound.upper(q) >= (euclidean ? 0 : dot(vectors[q], vectors[q])), "vector " + q + " against itself");
      }
    }
    // All-positive vectors agree in every sign: the bound is the largest possible, so none is skipped.
    for (int q = 50; q < 100; q++) {
      ScoreBound bound = sketch.forQuery(vectors[q], false);
      for (int i = 50; i < 100; i++) assertTrue(bound.upper(i) >= dot(vectors[q], vectors[i]));
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
    ScoreBound a = one.forQuery(query, false), b = all.forQuery(query, false);
    for (int i = 0; i < 50; i++) assertEquals(a.upper(i), b.upper(i), "vector " + i);
  }

  private static float[] near(float[] base, Random random) {
    float[] v = base.clone();
    for (int d = 0; d < v.length; d++) v[d] += (float) (0.8 * random.nextGaussian());
    return v;
  }

  private static float[] gaussian(Random random, double scale) {
    return gaussian(random, DIM, scale);
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

  private static float square(float[] a) {
    return dot(a, a);
  }

  private static float norm(float[] a) {
    return (float) Math.sqrt(square(a));
  }

  private static float squareDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) (a[i] - b[i]) * (a[i] - b[i]);
    return (float) s;
  }
}
