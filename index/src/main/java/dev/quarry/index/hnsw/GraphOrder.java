package dev.quarry.index.hnsw;

import java.util.Arrays;

/**
 * A storage order for a graph's nodes in which neighbours sit close together, taken from the
 * graph's own hierarchy. Each level's nodes are grouped by the node one level up that they are
 * nearest to in hops (a breadth-first search from all of the upper nodes at once), and the groups
 * follow the upper level's order. Level 0 thus comes out as cells of about M nodes around each
 * level-1 node, cells of level-2 cells next to one another, and so on: a node's neighbours, which
 * lie near it in space, mostly lie near it in the file too, so a search reads its vectors from
 * fewer pages and more of its misses land on lines already fetched.
 */
public final class GraphOrder {

  private GraphOrder() {}

  /** {@code order[i]} is the node stored at position i; every node of {@code 0..count-1} once. */
  public static int[] hierarchical(HnswGraph graph, int count) {
    int entry = graph.entryNode();
    if (entry < 0 || count == 0) {
      int[] identity = new int[count];
      Arrays.setAll(identity, i -> i);
      return identity;
    }
    int[] seq = {entry};
    int[] cell = new int[count]; // the position in the level above of the node a node is grouped with
    int[] found = new int[count]; // nodes of the current level in the order the search reaches them
    int[] list = new int[graph.maxConn(0)];
    for (int level = graph.maxLevel(); level >= 0; level--) {
      Arrays.fill(cell, -1);
      int reached = 0;
      for (int i = 0; i < seq.length; i++) {
        cell[seq[i]] = i;
        found[reached++] = seq[i];
      }
      for (int head = 0; head < reached; head++) {
        int node = found[head];
        int n = graph.neighbors(node, level, list);
        for (int j = 0; j < n; j++) {
          int v = list[j];
          if (cell[v] < 0) {
            cell[v] = cell[node];
            found[reached++] = v;
          }
        }
      }
      // Nodes of this level no search from the entry reaches (pruning can leave a few) go last;
      // at level 0 so does any node not linked at all, so that the order holds every node.
      for (int node = 0; node < count; node++) {
        if (cell[node] < 0 && (graph.levelOf(node) >= level || level == 0)) {
          cell[node] = seq.length;
          found[reached++] = node;
        }
      }
      // A counting sort by cell, stable, so each cell keeps its upper node first.
      int[] start = new int[seq.length + 2];
      for (int i = 0; i < reached; i++) start[cell[found[i]] + 1]++;
      for (int c = 0; c <= seq.length; c++) start[c + 1] += start[c];
      int[] next = new int[reached];
      for (int i = 0; i < reached; i++) next[start[cell[found[i]]]++] = found[i];
      seq = next;
    }
    return seq;
  }
}
