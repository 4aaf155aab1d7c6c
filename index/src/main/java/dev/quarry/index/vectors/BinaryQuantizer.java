package dev.quarry.index.vectors;

/**
 * One sign bit per component of the centred vector {@code o = x - mean}, plus two floats per
 * vector that turn popcounts into an estimate of a dot product (the RaBitQ estimator, Gao and
 * Long, SIGMOD 2024): with {@code s = sign(o)} in {-1, +1},
 * {@code <q, o> ≈ <q, s> · ‖o‖² / Σ|o_i|}, exact when {@code q} is {@code o} itself and unbiased
 * for directions spread around it. Without this scale, and without the norm, sign bits alone rank
 * Euclidean neighbours badly.
 *
 * <p>The mean is the per-component mean of the first batch added to an empty index; it is stored
 * with the codes and kept for good (later batches, reopens and rebuilds centre with it as it is),
 * so make the first batch representative: a single first vector would make a poor centre.
 * Centring matters: embedding components have non-zero means, and uncentred sign bits of them
 * are nearly the same for every vector.
 */
public record BinaryQuantizer(float[] means) {

  /** The per-component means of the first {@code count} vectors. */
  public static BinaryQuantizer fit(float[][] vectors, int count) {
    int dim = vectors[0].length;
    double[] sum = new double[dim];
    for (int i = 0; i < count; i++) for (int j = 0; j < dim; j++) sum[j] += vectors[i][j];
    float[] means = new float[dim];
    for (int j = 0; j < dim; j++) means[j] = (float) (sum[j] / count);
    return new BinaryQuantizer(means);
  }

  /** Longs per code. */
  public int words() {
    return (means.length + 63) / 64;
  }

  /**
   * Writes the sign bits of {@code x - mean} into {@code bits} (bit {@code i % 64} of word
   * {@code i / 64}, set where the component is above its mean) and returns the factors of the
   * estimator in {@code factors}: [0] the scale {@code ‖o‖² / Σ|o_i|} (0 for {@code o = 0}),
   * [1] {@code ‖o‖²}, [2] {@code <mean, o>}.
   */
  public void quantize(float[] x, long[] bits, float[] factors) {
    java.util.Arrays.fill(bits, 0L);
    double norm2 = 0, abs = 0, withMean = 0;
    for (int i = 0; i < x.length; i++) {
      double o = (double) x[i] - means[i];
      if (o > 0) bits[i >>> 6] |= 1L << (i & 63);
      norm2 += o * o;
      abs += Math.abs(o);
      withMean += o * means[i];
    }
    factors[0] = abs > 0 ? (float) (norm2 / abs) : 0f;
    factors[1] = (float) norm2;
    factors[2] = (float) withMean;
  }
}
