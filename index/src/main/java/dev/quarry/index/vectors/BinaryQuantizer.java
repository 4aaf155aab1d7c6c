package dev.quarry.index.vectors;

/**
 * One bit per component: set where the component exceeds that component's mean over the first
 * batch (centring matters: embedding components have non-zero means). Compared by Hamming distance.
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

  public void quantize(float[] x, long[] bits) {
    java.util.Arrays.fill(bits, 0L);
    for (int i = 0; i < x.length; i++) if (x[i] > means[i]) bits[i >>> 6] |= 1L << (i & 63);
  }
}
