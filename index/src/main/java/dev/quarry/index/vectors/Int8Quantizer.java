package dev.quarry.index.vectors;

import java.util.Arrays;

/**
 * int8 scalar quantization with one centre {@code c} and one step {@code s} for all components:
 * {@code x ≈ c + s·q}, {@code q} in [-127, 127]. Then
 * {@code x·y ≈ n·c² + c·s·(Σq_x + Σq_y) + s²·(q_x·q_y)}: an integer dot product plus a per-vector
 * correction {@code Σq}, stored after each code; squared distances need no correction.
 *
 * <p>The range is fitted to the 0.05% and 99.95% quantiles of a sample's components, so a few
 * outliers do not waste the 255 levels; values outside are clipped (the rescoring repairs order).
 */
public record Int8Quantizer(float centre, float step) {

  /** Fits the range to {@code vectors} (at most 20,000 of them are sampled). */
  public static Int8Quantizer fit(float[][] vectors, int count) {
    int stride = Math.max(1, count / 20_000);
    int dim = vectors[0].length;
    float[] sample = new float[((count + stride - 1) / stride) * dim];
    int n = 0;
    for (int i = 0; i < count; i += stride) {
      System.arraycopy(vectors[i], 0, sample, n, dim);
      n += dim;
    }
    Arrays.sort(sample, 0, n);
    float lo = sample[(int) (n * 0.0005)];
    float hi = sample[Math.min(n - 1, (int) (n * 0.9995))];
    if (!(hi > lo)) {
      hi = Math.max(Math.abs(lo), Math.abs(hi)) + 1e-6f;
      lo = -hi;
    }
    return new Int8Quantizer((lo + hi) / 2, (hi - lo) / 254);
  }

  /** Writes the code of {@code x} into {@code code}; returns its correction {@code Σq}. */
  public int quantize(float[] x, byte[] code) {
    int sum = 0;
    float inv = 1 / step;
    for (int i = 0; i < x.length; i++) {
      int q = Math.round((x[i] - centre) * inv);
      q = Math.max(-127, Math.min(127, q));
      code[i] = (byte) q;
      sum += q;
    }
    return sum;
  }
}
