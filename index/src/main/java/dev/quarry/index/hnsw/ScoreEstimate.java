package dev.quarry.index.hnsw;

/**
 * A cheap estimate of a node's score against one query, read without the node's vector. A search
 * learns how far it errs for the query from nodes it scores anyway, and then skips nodes whose
 * estimate, plus that error, cannot reach what it would have to (see {@link HnswSearcher}).
 */
@FunctionalInterface
public interface ScoreEstimate {
  float estimate(int node);
}
