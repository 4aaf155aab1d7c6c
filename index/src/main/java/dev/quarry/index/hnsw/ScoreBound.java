package dev.quarry.index.hnsw;

/**
 * A cheap estimate from above of a node's score against one query: a search skips a node whose
 * bound cannot beat what it would have to, without reading its vector. An estimate, not a
 * guarantee: a node it underrates is missed as a result and as a path (see
 * {@code vectors.SignSketch} for how far it may err).
 */
@FunctionalInterface
public interface ScoreBound {
  float upper(int node);
}
