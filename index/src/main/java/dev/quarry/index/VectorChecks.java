package dev.quarry.index;

/** Validation and normalisation of caller vectors, with messages that name the input. */
final class VectorChecks {

  private VectorChecks() {}

  /**
   * A checked copy of {@code vector}, normalised for cosine.
   *
   * @param what names the input in messages ("vector for id 7", "query")
   */
  static float[] prepare(float[] vector, int dimension, Similarity similarity, String what) {
    if (vector == null) throw new IllegalArgumentException(what + " is null");
    if (vector.length != dimension) {
      throw new IllegalArgumentException(what + " has dimension " + vector.length + ", the index has " + dimension);
    }
    double norm = 0;
    for (int i = 0; i < vector.length; i++) {
      float x = vector[i];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(what + " has a non-finite component " + x + " at index " + i);
      }
      norm += (double) x * x;
    }
    float[] copy = vector.clone();
    if (similarity == Similarity.COSINE) {
      if (norm == 0) throw new IllegalArgumentException(what + " is the zero vector, which has no cosine; drop it or use EUCLIDEAN");
      float inv = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < copy.length; i++) copy[i] *= inv;
    } else if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException(what + " is too large: its squared norm overflows");
    }
    return copy;
  }
}
