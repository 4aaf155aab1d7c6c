package dev.quarry.index;

/**
 * How two vectors are compared. Scores are always "higher is more similar": the cosine, the dot
 * product, or minus the squared Euclidean distance.
 */
public enum Similarity {
  /** Cosine similarity; vectors are normalised on insert, so it is scored as a dot product. */
  COSINE,
  /** The raw dot product (vectors should be normalised by the caller for it to mean much). */
  DOT_PRODUCT,
  /** Minus the squared Euclidean distance. */
  EUCLIDEAN
}
