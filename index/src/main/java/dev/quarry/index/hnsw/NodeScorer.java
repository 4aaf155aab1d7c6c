package dev.quarry.index.hnsw;

/** Similarity of one fixed query to stored nodes, higher is more similar. */
@FunctionalInterface
public interface NodeScorer {
  float score(int node);

  /**
   * Scores {@code count} nodes into {@code scores}, each exactly as {@link #score(int)} would. A
   * search hands over all new neighbours of a node at once, so that a scorer can read several
   * vectors together and wait on memory once for them.
   */
  default void score(int[] nodes, int count, float[] scores) {
    for (int i = 0; i < count; i++) scores[i] = score(nodes[i]);
  }

  /** An estimate that lets a search skip nodes that cannot compete, or null: score every node. */
  default ScoreEstimate estimate() {
    return null;
  }
}
