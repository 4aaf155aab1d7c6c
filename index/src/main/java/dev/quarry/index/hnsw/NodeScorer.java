package dev.quarry.index.hnsw;

/** Similarity of one fixed query to stored nodes, higher is more similar. */
@FunctionalInterface
public interface NodeScorer {
  float score(int node);
}
