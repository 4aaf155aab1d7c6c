package dev.quarry.kernels;

/**
 * The backward passes of the encoder's element-wise and per-row operations, implemented once per
 * backend as {@link TensorSupport} implements their forward passes. Linear layers need no entry
 * here: their gradients are GEMMs, which {@link TensorSupport#matmul} already provides.
 *
 * <p>Everything works on heap {@code float[]} rows and one thread; callers split rows across
 * threads. Trainable parameters ({@code gamma}, {@code beta}) are {@code float[]} too, and their
 * gradients are accumulated ({@code +=}), so that a caller can sum over rows, micro-batches and
 * threads (each thread into its own buffer); they hold {@code n} floats from index 0.
 *
 * <p>{@link KernelProvider#tensorGradients()} gives the backend matching
 * {@link KernelProvider#tensorSupport()}, {@link KernelProvider#scalarGradients()} the reference.
 * Implementations are stateless apart from per-thread scratch, so one instance serves all threads.
 * Arguments are checked before anything is written.
 */
public interface TensorGradients {

  /**
   * LayerNorm's forward pass for training, over one row of {@code n}, in place: saves the
   * normalised row {@code xhat = (x - mean) * rstd} and returns {@code rstd = 1 / sqrt(var + eps)},
   * then writes {@code x = xhat * gamma + beta}.
   *
   * <p>{@code x} ends up exactly as {@link TensorSupport#layerNorm} of the same backend leaves it
   * (the same arithmetic), so training sees the activations inference computes. {@code xhat} must
   * not overlap {@code x}. An empty row ({@code n = 0}) writes nothing and returns 0.
   */
  float layerNorm(float[] x, int offset, int n, float[] gamma, float[] beta, float epsilon,
      float[] xhat, int xhatOffset);

  /**
   * LayerNorm's backward pass over one row: from {@code dy} (the gradient of the output), writes
   * {@code dx} and accumulates {@code dGamma += dy * xhat}, {@code dBeta += dy}. {@code xhat} and
   * {@code rstd} are what {@link #layerNorm} saved and returned. {@code dx} may be the same row as
   * {@code dy} (same array, same offset).
   */
  void layerNormBackward(float[] dy, int dyOffset, float[] xhat, int xhatOffset, float rstd,
      float[] gamma, int n, float[] dx, int dxOffset, float[] dGamma, float[] dBeta);

  /**
   * The exact GELU's backward pass, in place: {@code dy[i] *= gelu'(x[i])} where {@code x} is the
   * activation's input and {@code gelu'(x) = Phi(x) + x phi(x)} (normal distribution and density),
   * evaluated in double; exactly 0 below -40 and 1 above 40, including at the infinities.
   */
  void geluBackward(float[] x, int xOffset, float[] dy, int dyOffset, int n);

  /**
   * One head of attention's backward pass over one unpadded sequence, with the layout of the
   * strided {@link TensorSupport#attention(float[], int, float[], int, float[], int, int, float[],
   * int, int, int, int, float) attention}: given its inputs {@code q, k, v} (row stride
   * {@code inStride}), its {@code scale}, and {@code dOut}, the gradient of its output (row stride
   * {@code outStride}), writes (does not accumulate) the head's columns of {@code dq, dk, dv} (row
   * stride {@code gradStride}; one fused array with three offsets works, as for the input).
   *
   * <p>Only the head's {@code headDim} columns of each gradient row are written, so threads may
   * compute different heads of the same rows into the same arrays at once. The attention
   * probabilities are recomputed, not stored: memory stays linear in the length.
   */
  void attentionBackward(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] dOut, int dOutOffset, int outStride, float[] dq, int dqOffset,
      float[] dk, int dkOffset, float[] dv, int dvOffset, int gradStride, int length, int headDim,
      float scale);
}
