package dev.quarry.index;

/**
 * How vectors are held for graph traversal. The float vectors are always kept as well: the
 * quantized encodings search a shortlist with cheap scores and rescore it exactly with floats.
 */
public enum VectorEncoding {
  /** fp32, scored exactly. */
  FLOAT32,
  /** int8 scalar quantization (one centre and scale fitted to the first batch added). */
  INT8,
  /**
   * One sign bit per component (relative to the per-component means of the first batch) and two
   * floats per vector, scored against a 4-bit query with popcounts; the graph itself is built
   * with exact float scores. Needs a large shortlist: see {@link VectorIndexConfig#BINARY_OVERSAMPLE}.
   */
  BINARY
}
