package dev.quarry.nn;

import dev.quarry.model.Pooling;

/** Turns the token vectors of one sequence into a single vector, and normalises vectors. */
public final class SentencePooling {

  private SentencePooling() {}

  /**
   * Pools the {@code length} rows of {@code hidden} (row width {@code width}) that start at row
   * {@code start}. Every row is a real token (batches are unpadded), so the mean is over the whole
   * sequence, special tokens included, as sentence-transformers computes it with the attention mask.
   */
  public static float[] pool(Pooling pooling, float[] hidden, int start, int length, int width) {
    float[] out = new float[width];
    int base = start * width;
    switch (pooling) {
      case CLS -> System.arraycopy(hidden, base, out, 0, width);
      case MEAN -> {
        for (int t = 0; t < length; t++) {
          for (int i = 0; i < width; i++) out[i] += hidden[base + t * width + i];
        }
        for (int i = 0; i < width; i++) out[i] /= length;
      }
      case MAX -> {
        System.arraycopy(hidden, base, out, 0, width);
        for (int t = 1; t < length; t++) {
          for (int i = 0; i < width; i++) out[i] = Math.max(out[i], hidden[base + t * width + i]);
        }
      }
    }
    return out;
  }

  /** Scales {@code v} to unit L2 norm in place; the zero vector stays zero (as {@code F.normalize} does). */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) sum += (double) x * x;
    double norm = Math.max(Math.sqrt(sum), 1e-12);
    for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / norm);
    return v;
  }
}
