package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The compute primitives a transformer encoder needs, implemented once per backend.
 *
 * <p>Activations live in heap {@code float[]} rows; weights are little-endian fp32
 * {@link MemorySegment}s (memory-mapped files or off-heap copies) of any alignment. Every method
 * works on one thread: callers split rows across threads. Results for one row never depend on the
 * other rows of the call (that is what makes a text's embedding independent of its batch).
 */
public interface TensorSupport {

  /**
   * {@code c[m×n] = a[m×k] · b[k×n] (+ bias[n])}, all row-major with row strides k, n and n.
   *
   * @param bias {@code n} floats, or {@code null} for none
   */
  void matmul(float[] a, int aOffset, int m, int k, MemorySegment b, MemorySegment bias,
      float[] c, int cOffset, int n);

  /** In place over one row of {@code n}: {@code (x - mean) / sqrt(var + epsilon) * gamma + beta}. */
  void layerNorm(float[] x, int offset, int n, MemorySegment gamma, MemorySegment beta, float epsilon);

  /** {@code x[i] += y[i]} for {@code n} elements (residual connections). */
  void add(float[] x, int xOffset, float[] y, int yOffset, int n);

  /** In place, the exact GELU: {@code x * (1 + erf(x / sqrt 2)) / 2}. */
  void gelu(float[] x, int offset, int n);

  /** {@code sum a[i] * b[i]}. */
  float dot(float[] a, int aOffset, float[] b, int bOffset, int n);

  /** {@code y[i] += alpha * x[i]}. */
  void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n);

  /** {@code x[i] *= alpha}. */
  void scale(float[] x, int offset, int n, float alpha);

  /** In place, numerically stable softmax over {@code n} elements. */
  void softmax(float[] x, int offset, int n);

  /**
   * One head of scaled dot-product attention over one unpadded sequence of {@code length} tokens:
   * {@code out[i] = sum_j softmax_j(scale * q[i]·k[j]) v[j]}, every token attending to every token.
   *
   * <p>{@code q}, {@code k}, {@code v} and {@code out} hold one row of {@code rowStride} floats per
   * token; the head's {@code headDim} columns start at {@code offset} in the first token's row.
   *
   * @param scores scratch space of at least {@code length} floats
   */
  void attention(float[] q, float[] k, float[] v, float[] out, int offset, int rowStride,
      int length, int headDim, float scale, float[] scores);
}
