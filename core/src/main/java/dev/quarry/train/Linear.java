package dev.quarry.train;

import dev.quarry.kernels.PackedMatrix;
import dev.quarry.kernels.PackedMatrix.Activation;
import dev.quarry.kernels.TensorSupport;
import dev.quarry.nn.Parallel;
import java.lang.foreign.MemorySegment;

/**
 * A linear layer's three GEMMs for training, {@code y = x·W + b} with {@code W} {@code [in, out]}:
 * the forward product, {@code dx = dy·Wᵀ} and {@code dW += xᵀ·dy}, all on the backend's packed
 * GEMM, so that training runs on the same micro-kernel as inference.
 *
 * <p>{@code W} and {@code Wᵀ} are packed once per optimizer step ({@link #repack}), not per call:
 * with gradient caching a step makes many forward and backward calls over the same weights.
 */
final class Linear {

  /** Below this many rows per thread, a GEMM is split by columns instead of rows. */
  private static final int COLUMN_SPLIT_BELOW = 48;

  private final TensorSupport ops;
  private final Parallel parallel;
  private final int in;
  private final int out;
  private PackedMatrix forward;
  private PackedMatrix transposed;

  Linear(TensorSupport ops, Parallel parallel, int in, int out) {
    this.ops = ops;
    this.parallel = parallel;
    this.in = in;
    this.out = out;
  }

  /** Lays out the current {@code weight [in, out]} and {@code bias [out]} for the GEMMs. */
  void repack(float[] weight, float[] bias) {
    forward = ops.pack(MemorySegment.ofArray(weight), MemorySegment.ofArray(bias), in, out);
    float[] t = new float[weight.length];
    transpose(weight, 0, in, out, t);
    transposed = ops.pack(MemorySegment.ofArray(t), null, out, in);
  }

  /** {@code y[rows × out] = x[rows × in]·W + b}. */
  void forward(float[] x, int rows, float[] y) {
    gemm(x, rows, forward, y);
  }

  /** {@code dx[rows × in] = dy[rows × out]·Wᵀ}. */
  void backwardInput(float[] dy, int rows, float[] dx) {
    gemm(dy, rows, transposed, dx);
  }

  /**
   * {@code dW += xᵀ·dy} and {@code db += Σ_rows dy}: the parameter gradients, summed over the
   * rows. {@code x} is {@code rows × in}, {@code dy} {@code rows × out}.
   */
  void backwardWeights(float[] x, float[] dy, int rows, float[] dWeight, float[] dBias) {
    float[] xt = new float[in * rows];
    transpose(x, 0, rows, in, xt);
    PackedMatrix dyPacked = ops.pack(MemorySegment.ofArray(dy), null, rows, out);
    float[] product = new float[in * out];
    parallel.forRows(in, (from, to) -> {
      ops.matmul(xt, from * rows, to - from, dyPacked, Activation.IDENTITY, product, from * out, 0, out);
      for (int i = from * out; i < to * out; i++) dWeight[i] += product[i];
    });
    sumRows(dy, rows, out, dBias);
  }

  private void gemm(float[] a, int rows, PackedMatrix b, float[] c) {
    if (rows < COLUMN_SPLIT_BELOW * parallel.threads()) {
      parallel.forColumns(b.columns(), b.columnBlock(),
          (from, to) -> ops.matmul(a, 0, rows, b, Activation.IDENTITY, c, 0, from, to));
    } else {
      parallel.forRows(rows, (from, to) -> ops.matmul(a, from * b.rows(), to - from, b,
          Activation.IDENTITY, c, from * b.columns(), 0, b.columns()));
    }
  }

  /** {@code sums[j] += Σ_i m[i][j]} over a {@code rows × cols} matrix, in double. */
  static void sumRows(float[] m, int rows, int cols, float[] sums) {
    double[] acc = new double[cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) acc[j] += m[i * cols + j];
    }
    for (int j = 0; j < cols; j++) sums[j] += (float) acc[j];
  }

  /** {@code dst[cols × rows] = src[rows × cols]ᵀ}, in tiles that stay in cache. */
  static void transpose(float[] src, int srcOffset, int rows, int cols, float[] dst) {
    final int tile = 32;
    for (int i0 = 0; i0 < rows; i0 += tile) {
      for (int j0 = 0; j0 < cols; j0 += tile) {
        int i1 = Math.min(rows, i0 + tile);
        int j1 = Math.min(cols, j0 + tile);
        for (int i = i0; i < i1; i++) {
          for (int j = j0; j < j1; j++) dst[j * rows + i] = src[srcOffset + i * cols + j];
        }
      }
    }
  }
}
