package dev.quarry.kernels;

import java.lang.foreign.Arena;
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

  /**
   * Lays out a weight matrix {@code b[k × n]} (little-endian fp32, row-major) and its bias once,
   * for {@link #matmul(float[], int, int, PackedMatrix, PackedMatrix.Activation, float[], int, int,
   * int)}. Done at model load; the result may hold a copy of {@code b} (see
   * {@link PackedMatrix#packedBytes()}).
   *
   * @param bias {@code n} floats, or {@code null} for none
   */
  PackedMatrix pack(MemorySegment b, MemorySegment bias, int k, int n);

  /**
   * {@link #pack(MemorySegment, MemorySegment, int, int)} for a matrix of 8-bit codes: the GEMM
   * then gives the same bits as over the {@link Int8Matrix#dequantize dequantized} matrix. A backend
   * may keep the codes instead of floats (the Panama one does, in a quarter of the memory); by
   * default the matrix is widened to floats once, here.
   *
   * @param bias {@code b.columns()} floats, or {@code null} for none
   */
  default PackedMatrix pack(Int8Matrix b, MemorySegment bias) {
    return pack(b.dequantize(Arena.ofAuto()), bias, b.rows(), b.columns());
  }

  /**
   * {@code c[i][j] = act(a[i]·b[:, j] + bias[j])} for rows {@code [0, m)} and columns
   * {@code [from, to)} of {@code c} (row stride {@code b.columns()}); {@code a} has row stride
   * {@code b.rows()}. Column ranges let several threads share one small {@code m}: {@code from}
   * must be a multiple of {@link PackedMatrix#columnBlock()}, {@code to} one too or
   * {@code b.columns()}. Each element is computed the same way whatever {@code m} and the range.
   *
   * @param b made by this backend's {@link #pack}
   */
  void matmul(float[] a, int aOffset, int m, PackedMatrix b, PackedMatrix.Activation act,
      float[] c, int cOffset, int from, int to);

  /**
   * {@code x = LayerNorm(x + residual)} over one row of {@code n}, in place; the same arithmetic
   * as {@link #add} then {@link #layerNorm}.
   */
  default void addLayerNorm(float[] x, int offset, float[] residual, int residualOffset, int n,
      MemorySegment gamma, MemorySegment beta, float epsilon) {
    add(x, offset, residual, residualOffset, n);
    layerNorm(x, offset, n, gamma, beta, epsilon);
  }

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
  default void attention(float[] q, float[] k, float[] v, float[] out, int offset, int rowStride,
      int length, int headDim, float scale, float[] scores) {
    Bounds.attention(q, k, v, out, offset, rowStride, length, headDim, scores);
    attention(q, offset, k, offset, v, offset, rowStride, out, offset, rowStride, length, headDim,
        scale);
  }

  /**
   * The same attention with the head's columns placed independently: token {@code t}'s query is
   * {@code q[qOffset + t * inStride ..]} (keys, values likewise), its output
   * {@code out[outOffset + t * outStride ..]}. One fused Q|K|V row per token is then three offsets
   * into one array. Scratch space is the backend's own, per thread.
   */
  void attention(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] out, int outOffset, int outStride, int length, int headDim,
      float scale);
}
