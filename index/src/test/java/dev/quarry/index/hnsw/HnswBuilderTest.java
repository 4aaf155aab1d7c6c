package dev.quarry.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The builder's repair of nodes that no search can reach. */
class HnswBuilderTest {

  private static final int N = 2_000;
  private static final int DIM = 16;

  private final float[][] vectors = new float[N][DIM];
  private final ScorerSource source = node -> other -> dot(vectors[node], vectors[other]);

  HnswBuilderTest() {
    Random random = new Random(5);
    for (float[] v : vectors) {
      double norm = 0;
      for (int i = 0; i < DIM; i++) {
        v[i] = (float) random.nextGaussian();
        norm += v[i] * v[i];
      }
      for (int i = 0; i < DIM; i++) v[i] /= (float) Math.sqrt(norm);
    }
  }

  @Test
  void nodesCutOffFromTheEntryAreLinkedBackAndFound() {
    checkRepair(false);
  }

  @Test
  void fullListsGiveUpANeighbourThatIsLinkedElsewhere() {
    // Every list is then topped up to its limit, so no list near an orphan has room.
    checkRepair(true);
  }

  private void checkRepair(boolean refill) {
    HnswGraph graph = new HnswGraph(8, N);
    HnswBuilder builder = new HnswBuilder(graph, source, 64, 1);
    for (int node = 0; node < N; node++) builder.insert(node, N);
    assertEquals(0, builder.connectUnreachable(N), "a fresh random graph here has no orphans");

    int[] orphans = {17, 600, 601, 1999};
    for (int orphan : orphans) assertTrue(orphan != graph.entryNode(), "pick orphans other than the entry");
    for (int orphan : orphans) cutInLinks(graph, orphan, refill ? orphans : null);
    BitSet before = reachable(graph);
    for (int orphan : orphans) assertFalse(before.get(orphan), "node " + orphan + " should be cut off");

    assertEquals(orphans.length, builder.connectUnreachable(N));
    BitSet after = reachable(graph);
    assertEquals(N, after.cardinality(), "every node reachable from the entry again");
    int[] list = new int[graph.maxConn(0)];
    for (int node = 0; node < N; node++) {
      assertTrue(graph.neighbors(node, 0, list) <= graph.maxConn(0), "node " + node + " over its degree limit");
    }
    HnswSearcher searcher = new HnswSearcher(graph);
    int[] nodes = new int[64];
    float[] scores = new float[64];
    for (int orphan : orphans) {
      searcher.search(source.forNode(orphan), 64, null, N, Integer.MAX_VALUE);
      int count = searcher.results(nodes, scores);
      assertTrue(count > 0 && nodes[0] == orphan, "a search for node " + orphan + "'s own vector finds it first");
    }
  }

  /**
   * Removes {@code victim} from every level-0 list that holds it; with {@code refill}, then tops
   * every list up to its limit with the best nodes not yet in it (nor among {@code refill}), so
   * that no list has room.
   */
  private void cutInLinks(HnswGraph graph, int victim, int[] refill) {
    int max = graph.maxConn(0);
    int[] list = new int[max];
    for (int node = 0; node < N; node++) {
      int n = graph.neighbors(node, 0, list);
      float[] scores = graph.scoresOf(node, 0);
      int[] kept = new int[max];
      float[] keptScores = new float[max];
      int w = 0;
      for (int i = 0; i < n; i++) {
        if (list[i] == victim) continue;
        kept[w] = list[i];
        keptScores[w++] = scores[i];
      }
      if (w == n && refill == null) continue;
      while (refill != null && w < max) {
        int best = -1;
        for (int other = 0; other < N; other++) {
          if (other == node || contains(kept, w, other) || contains(refill, refill.length, other)) continue;
          if (best < 0 || dot(vectors[node], vectors[other]) > dot(vectors[node], vectors[best])) best = other;
        }
        float score = dot(vectors[node], vectors[best]);
        int at = w;
        while (at > 0 && keptScores[at - 1] < score) at--;
        System.arraycopy(kept, at, kept, at + 1, w - at);
        System.arraycopy(keptScores, at, keptScores, at + 1, w - at);
        kept[at] = best;
        keptScores[at] = score;
        w++;
      }
      graph.publish(node, 0, kept, keptScores, w);
    }
  }

  private static boolean contains(int[] nodes, int count, int node) {
    for (int i = 0; i < count; i++) if (nodes[i] == node) return true;
    return false;
  }

  private static BitSet reachable(HnswGraph graph) {
    BitSet seen = new BitSet(N);
    int[] queue = new int[N];
    int[] list = new int[graph.maxConn(0)];
    int head = 0, tail = 0;
    seen.set(graph.entryNode());
    queue[tail++] = graph.entryNode();
    while (head < tail) {
      int n = graph.neighbors(queue[head++], 0, list);
      for (int i = 0; i < n; i++) {
        if (!seen.get(list[i])) {
          seen.set(list[i]);
          queue[tail++] = list[i];
        }
      }
    }
    return seen;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
