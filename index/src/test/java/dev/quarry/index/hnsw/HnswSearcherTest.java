package dev.quarry.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The greedy descent through the upper levels, and nodes an estimate skips. */
class HnswSearcherTest {

  private static final int N = 3_000;
  private static final int DIM = 12;

  @Test
  void descentScoresEachNodeOnceAndEndsWhereAPlainGreedyWalkDoes() {
    Random random = new Random(11);
    float[][] vectors = gaussians(random);
    HnswGraph graph = build(vectors);
    assertTrue(graph.maxLevel() >= 2, "the test needs a few upper levels");

    HnswSearcher searcher = new HnswSearcher(graph);
    int entry = graph.entryNode();
    for (int q = 0; q < 200; q++) {
      float[] query = gaussian(random);
      Map<Integer, Integer> scored = new HashMap<>();
      NodeScorer counting = node -> {
        scored.merge(node, 1, Integer::sum);
        return dot(query, vectors[node]);
      };
      long reached = searcher.descend(counting, entry, counting.score(entry), graph.maxLevel(), 0, N);
      scored.forEach((node, times) -> assertEquals(1, times, "node " + node + " scored " + times + " times"));
      assertEquals(greedy(graph, query, vectors, entry), NodeHeap.nodeOf(reached), "query " + q);
    }
  }

  @Test
  void anExactEstimateSkipsNodesYetChangesNoResult() {
    Random random = new Random(12);
    float[][] vectors = gaussians(random);
    HnswGraph graph = build(vectors);

    HnswSearcher searcher = new HnswSearcher(graph);
    int ef = 20;
    long plainScored = 0, boundedScored = 0;
    for (int q = 0; q < 100; q++) {
      float[] query = gaussian(random);
      NodeScorer plain = node -> dot(query, vectors[node]);
      // An estimate equal to the score: the margin learnt is 0, and every node skipped would have
      // been dropped after scoring.
      int[] scored = new int[1];
      NodeScorer bounded = new NodeScorer() {
        @Override
        public float score(int node) {
          scored[0]++;
          return dot(query, vectors[node]);
        }

        @Override
        public ScoreEstimate estimate() {
          return node -> dot(query, vectors[node]);
        }
      };
      int[] plainNodes = new int[ef], boundedNodes = new int[ef];
      float[] plainScores = new float[ef], boundedScores = new float[ef];
      searcher.search(plain, ef, null, N, Integer.MAX_VALUE);
      plainScored += searcher.visitedCount();
      int n = searcher.results(plainNodes, plainScores);
      searcher.search(bounded, ef, null, N, Integer.MAX_VALUE);
      boundedScored += searcher.visitedCount();
      assertEquals(scored[0], searcher.visitedCount(), "visitedCount counts the nodes scored");
      assertEquals(n, searcher.results(boundedNodes, boundedScores));
      assertArrayEquals(plainNodes, boundedNodes, "query " + q);
    }
    assertTrue(boundedScored < 0.7 * plainScored, "scored " + boundedScored + " with the estimate, " + plainScored + " without");
  }

  @Test
  void anEstimateThatOnlyErrsHighLosesNoResult() {
    Random random = new Random(13);
    float[][] vectors = gaussians(random);
    HnswSearcher searcher = new HnswSearcher(build(vectors));
    int ef = 20;
    for (int q = 0; q < 50; q++) {
      float[] query = gaussian(random);
      NodeScorer plain = node -> dot(query, vectors[node]);
      // An upper bound, loose by 0 to 10: the errors' 90th percentile is about -1, and a margin
      // that negative would skip nodes whose scores reach the floor.
      NodeScorer high = new NodeScorer() {
        @Override
        public float score(int node) {
          return dot(query, vectors[node]);
        }

        @Override
        public ScoreEstimate estimate() {
          return node -> dot(query, vectors[node]) + 10 * new Random(node).nextFloat();
        }
      };
      int[] plainNodes = new int[ef], highNodes = new int[ef];
      float[] plainScores = new float[ef], highScores = new float[ef];
      searcher.search(plain, ef, null, N, Integer.MAX_VALUE);
      searcher.results(plainNodes, plainScores);
      searcher.search(high, ef, null, N, Integer.MAX_VALUE);
      searcher.results(highNodes, highScores);
      assertArrayEquals(plainNodes, highNodes, "query " + q);
    }
  }

  /** The descent without marks: every neighbour scored at every step. */
  private static int greedy(HnswGraph graph, float[] query, float[][] vectors, int entry) {
    int[] list = new int[graph.maxConn0];
    float best = dot(query, vectors[entry]);
    for (int level = graph.maxLevel(); level > 0; level--) {
      for (boolean moved = true; moved; ) {
        moved = false;
        int n = graph.neighbors(entry, level, list);
        for (int i = 0; i < n; i++) {
          float s = dot(query, vectors[list[i]]);
          if (s > best || (s == best && list[i] < entry)) {
            best = s;
            entry = list[i];
            moved = true;
          }
        }
      }
    }
    return entry;
  }

  /** A graph of M 6 over the vectors, built on one thread: the same every run. */
  private static HnswGraph build(float[][] vectors) {
    ScorerSource source = node -> other -> dot(vectors[node], vectors[other]);
    HnswGraph graph = new HnswGraph(6, N);
    HnswBuilder builder = new HnswBuilder(graph, source, 40, 3);
    for (int node = 0; node < N; node++) builder.insert(node, N);
    return graph;
  }

  private static float[][] gaussians(Random random) {
    float[][] vectors = new float[N][];
    for (int i = 0; i < N; i++) vectors[i] = gaussian(random);
    return vectors;
  }

  private static float[] gaussian(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) v[i] = (float) random.nextGaussian();
    return v;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
