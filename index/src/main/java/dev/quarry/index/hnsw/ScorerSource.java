package dev.quarry.index.hnsw;

/**
 * The graph builder's only view of the vectors: a scorer that takes a stored node as its query.
 * Whether vectors are float or quantized, on heap or mapped, is the source's business.
 */
@FunctionalInterface
public interface ScorerSource {
  NodeScorer forNode(int node);
}
