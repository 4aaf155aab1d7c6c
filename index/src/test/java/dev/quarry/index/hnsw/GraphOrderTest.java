package dev.quarry.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The storage order a commit writes nodes in. */
class GraphOrderTest {

  private static final int N = 3_000;
  private static final int DIM = 16;

  @Test
  void everyNodeOnceEntryFirstAndNeighboursStoredCloseTogether() {
    Random random = new Random(3);
    float[][] vectors = new float[N][DIM];
    for (float[] v : vectors) for (int i = 0; i < DIM; i++) v[i] = (float) random.nextGaussian();
    ScorerSource source = node -> other -> {
      float s = 0;
      for (int i = 0; i < DIM; i++) s -= (vectors[node][i] - vectors[other][i]) * (vectors[node][i] - vectors[other][i]);
      return s;
    };
    HnswGraph graph = new HnswGraph(8, N);
    HnswBuilder builder = new HnswBuilder(graph, source, 64, 1);
    // The last node is stored but never linked (an insert that failed), and nothing links to the
    // one before it: no search from the entry reaches either, and the order still holds both.
    for (int node = 0; node < N - 1; node++) builder.insert(node, N - 1);
    cutInLinks(graph, N - 2);

    int[] order = GraphOrder.hierarchical(graph, N);
    assertEquals(N, order.length);
    assertEquals(graph.entryNode(), order[0]);
    int[] rank = new int[N];
    java.util.Arrays.fill(rank, -1);
    for (int i = 0; i < N; i++) {
      assertEquals(-1, rank[order[i]], "node " + order[i] + " twice");
      rank[order[i]] = i;
    }
    // Edges whose ends are stored within a list's length of each other: a random order such as
    // the insertion order has few; the hierarchical order stores most of a cell's edges so.
    int[] list = new int[graph.maxConn(0)];
    int window = graph.maxConn(0);
    int inserted = 0;
    int stored = 0;
    int edges = 0;
    for (int node = 0; node < N; node++) {
      int n = graph.neighbors(node, 0, list);
      for (int j = 0; j < n; j++) {
        if (Math.abs(node - list[j]) <= window) inserted++;
        if (Math.abs(rank[node] - rank[list[j]]) <= window) stored++;
        edges++;
      }
    }
    System.out.printf("edges within %d places: insertion order %.3f, hierarchical %.3f%n", window,
        (double) inserted / edges, (double) stored / edges);
    assertTrue(stored > 6 * inserted, "hierarchical " + stored + " close edges against " + inserted);
  }

  private static void cutInLinks(HnswGraph graph, int victim) {
    int[] list = new int[graph.maxConn(0)];
    int[] kept = new int[list.length];
    for (int node = 0; node < N; node++) {
      int n = graph.neighbors(node, 0, list);
      int m = 0;
      for (int j = 0; j < n; j++) if (list[j] != victim) kept[m++] = list[j];
      if (m != n) graph.load(node, 0, kept, m);
    }
  }
}
