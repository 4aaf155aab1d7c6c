package dev.quarry.index.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeHeapTest {

  private record Entry(float score, int node) {}

  /** Best first: higher score, then (on ties) lower node, the order a search returns. */
  private static final Comparator<Entry> BEST_FIRST =
      Comparator.comparingDouble((Entry e) -> -e.score()).thenComparingInt(Entry::node);

  @Test
  void boundedPushesKeepTheBestAsPushAndPopWould() {
    Random random = new Random(3);
    for (int capacity : new int[] {1, 2, 7, 40}) {
      NodeHeap heap = new NodeHeap(4, NodeHeap.MIN);
      List<Entry> all = new ArrayList<>();
      for (int node = 0; node < 2000; node++) {
        // Few distinct scores, so that ties (broken by node) are common.
        float score = random.nextInt(50) / 8f - 3;
        heap.pushBounded(score, node, capacity);
        all.add(new Entry(score, node));
      }
      all.sort(BEST_FIRST);
      List<Entry> expected = all.subList(0, capacity);
      assertEquals(capacity, heap.size());
      for (int i = capacity - 1; i >= 0; i--) {
        long top = heap.pop();
        assertEquals(expected.get(i), new Entry(NodeHeap.scoreOf(top), NodeHeap.nodeOf(top)), "capacity " + capacity + ", rank " + i);
      }
    }
  }
}
