package dev.quarry.kernels;

/**
 * The plain-Java implementation of {@link TensorGradients}: the reference the vectorized backward
 * passes are tested against, itself tested against finite differences.
 *
 * <p>Loops follow the textbook formulas and every sum, product chain and intermediate (layer-norm
 * statistics, GELU's erf, attention's probabilities and gradients) runs in double, rounded to
 * float once per output, so that the oracle's own error stays far below the tolerances the other
 * backends are held to. The training layer norm does exactly the arithmetic of
 * {@link ScalarTensorSupport#layerNorm}, so that training and inference see the same activations.
 */
public final class ScalarTensorGradients implements TensorGradients {

  /** {@code 1 / sqrt(2 pi)}: the standard normal density at 0. */
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  /** Creates the (stateless) scalar backend; {@link KernelProvider#scalarGradients()} shares it. */
  public ScalarTensorGradients() {}

  @Override
  public float layerNorm(float[] x, int offset, int n, float[] gamma, float[] beta,
      float epsilon, float[] xhat, int xhatOffset) {
    Bounds.layerNormForTraining(x, offset, n, gamma, beta, xhat, xhatOffset);
    if (n == 0) {
      return 0f;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += x[offset + i];
    }
    double mean = sum / n;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double d = x[offset + i] - mean;
      squares += d * d;
    }
    double inverseStd = 1 / Math.sqrt(squares / n + epsilon);
    for (int i = 0; i < n; i++) {
      double normalized = (x[offset + i] - mean) * inverseStd;
      xhat[xhatOffset + i] = (float) normalized;
      x[offset + i] = (float) (normalized * gamma[i] + beta[i]);
    }
    return (float) inverseStd;
  }

  @Override
  public void layerNormBackward(float[] dy, int dyOffset, float[] xhat, int xhatOffset,
      float rstd, float[] gamma, int n, float[] dx, int dxOffset, float[] dGamma,
      float[] dBeta) {
    Bounds.layerNormBackward(dy, dyOffset, xhat, xhatOffset, gamma, n, dx, dxOffset, dGamma,
        dBeta);
    if (n == 0) {
      return;
    }
    // With g = dy * gamma: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)).
    double sumG = 0, sumGXhat = 0;
    for (int i = 0; i < n; i++) {
      double g = (double) dy[dyOffset + i] * gamma[i];
      sumG += g;
      sumGXhat += g * xhat[xhatOffset + i];
    }
    double meanG = sumG / n, meanGXhat = sumGXhat / n;
    // Element i of dy is read before element i of dx is written: dx may be dy.
    for (int i = 0; i < n; i++) {
      float d = dy[dyOffset + i];
      double xh = xhat[xhatOffset + i];
      dGamma[i] = (float) (dGamma[i] + (double) d * xh);
      dBeta[i] += d;
      dx[dxOffset + i] = (float) (rstd * ((double) d * gamma[i] - meanG - xh * meanGXhat));
    }
  }

  @Override
  public void geluBackward(float[] x, int xOffset, float[] dy, int dyOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("dy", dy, dyOffset, n);
    for (int i = 0; i < n; i++) {
      dy[dyOffset + i] = (float) (dy[dyOffset + i] * geluDerivative(x[xOffset + i]));
    }
  }

  /**
   * {@code gelu'(x) = Phi(x) + x phi(x)}, exactly 0 and 1 beyond +-40 (where the exact value rounds
   * to them anyway, and {@code x phi(x)} would be NaN at infinity).
   */
  static double geluDerivative(double x) {
    if (x < ScalarTensorSupport.GELU_ZERO_BELOW) {
      return 0;
    }
    if (x > -ScalarTensorSupport.GELU_ZERO_BELOW) {
      return 1;
    }
    return Erf.normalCdf(x) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
  }

  @Override
  public void attentionBackward(float[] q, int qOffset, float[] k, int kOffset, float[] v,
      int vOffset, int inStride, float[] dOut, int dOutOffset, int outStride, float[] dq,
      int dqOffset, float[] dk, int dkOffset, float[] dv, int dvOffset, int gradStride,
      int length, int headDim, float scale) {
    Bounds.attentionBackward(q, qOffset, k, kOffset, v, vOffset, inStride, dOut, dOutOffset,
        outStride, dq, dqOffset, dk, dkOffset, dv, dvOffset, gradStride, length, headDim);
    double[] p = new double[length];
    double[] dp = new double[length];
    double[] dqRow = new double[headDim];
    // dK and dV sum over every query: kept in double, written once at the end.
    double[] dkSum = new double[length * headDim];
    double[] dvSum = new double[length * headDim];
    for (int i = 0; i < length; i++) {
      int qRow = qOffset + i * inStride;
      int oRow = dOutOffset + i * outStride;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < length; j++) {
        int kRow = kOffset + j * inStride;
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += (double) q[qRow + d] * k[kRow + d];
        }
        p[j] = scale * s;
        max = Math.max(max, p[j]);
      }
      double sum = 0;
      for (int j = 0; j < length; j++) {
        p[j] = Math.exp(p[j] - max);
        sum += p[j];
      }
      // dP_ij = dO_i . V_j, and delta_i = sum_j P_ij dP_ij.
      double delta = 0;
      for (int j = 0; j < length; j++) {
        p[j] /= sum;
        int vRow = vOffset + j * inStride;
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += (double) dOut[oRow + d] * v[vRow + d];
        }
        dp[j] = s;
        delta += p[j] * s;
      }
      for (int d = 0; d < headDim; d++) {
        dqRow[d] = 0;
      }
      for (int j = 0; j < length; j++) {
        // dS_ij = P_ij (dP_ij - delta_i); the scale is applied when dQ and dK are written.
        double ds = p[j] * (dp[j] - delta);
        int kRow = kOffset + j * inStride;
        int acc = j * headDim;
        for (int d = 0; d < headDim; d++) {
          dqRow[d] += ds * k[kRow + d];
          dkSum[acc + d] += ds * q[qRow + d];
          dvSum[acc + d] += p[j] * dOut[oRow + d];
        }
      }
      int dqRowStart = dqOffset + i * gradStride;
      for (int d = 0; d < headDim; d++) {
        dq[dqRowStart + d] = (float) (scale * dqRow[d]);
      }
    }
    for (int j = 0; j < length; j++) {
      for (int d = 0; d < headDim; d++) {
        dk[dkOffset + j * gradStride + d] = (float) (scale * dkSum[j * headDim + d]);
        dv[dvOffset + j * gradStride + d] = (float) dvSum[j * headDim + d];
      }
    }
  }

  @Override
  public String toString() {
    return "ScalarTensorGradients";
  }
}
