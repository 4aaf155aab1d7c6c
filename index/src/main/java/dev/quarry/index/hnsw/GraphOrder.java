package dev.quarry.index.hnsw;

/**
 * A storage order for a graph's nodes in which neighbours sit close together: breadth-first from
 * the entry node over level 0, so a node's neighbours are mostly numbered together. A search then
 * reads vectors from fewer pages, and its misses more often hit lines the prefetcher brought in.
 */
public final class GraphOrder {

  private GraphOrder() {}

  /** {@code order[i]} is the node stored at position i; every node of {@code 0..count-1} once. */
  public static int[] breadthFirst(HnswGraph graph, int count) {
    int[] order = new int[count];
    boolean[] seen = new boolean[count];
    int[] list = new int[graph.maxConn(0)];
    int tail = 0;
    int entry = graph.entryNode();
    for (int root = entry < 0 ? 0 : entry, next = 0; tail < count; root = next++) {
      if (seen[root]) continue;
      seen[root] = true;
      order[tail++] = root;
      for (int head = tail - 1; head < tail; head++) {
        int n = graph.neighbors(order[head], 0, list);
        for (int i = 0; i < n; i++) {
          int v = list[i];
          if (!seen[v]) {
            seen[v] = true;
            order[tail++] = v;
          }
        }
      }
    }
    return order;
  }
}
