package dev.quarry.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TensorGradients} on the JDK Vector API, the backward counterpart of
 * {@link PanamaTensorSupport}, with the same loop shape: a vector body, then a scalar tail doing
 * the same per-element arithmetic (FMA included), sums reduced in lane order. GELU's derivative
 * lives in {@link PanamaGelu}, attention's backward pass in {@link PanamaAttentionBackward}.
 *
 * <p>The training layer norm reuses {@link PanamaTensorSupport}'s mean and variance and its
 * normalise-then-FMA, so it writes exactly what the inference layer norm writes.
 *
 * <p>Only {@link KernelProvider} creates it, after its checks, since this class's constants
 * already load vector classes.
 */
final class PanamaTensorGradients implements TensorGradients {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();

  PanamaTensorGradients() {}

  @Override
  public float layerNorm(float[] x, int offset, int n, float[] gamma, float[] beta,
      float epsilon, float[] xhat, int xhatOffset) {
    Bounds.layerNormForTraining(x, offset, n, gamma, beta, xhat, xhatOffset);
    if (n == 0) {
      return 0f;
    }
    float mean = PanamaTensorSupport.sum(x, offset, n) / n;
    float squares = PanamaTensorSupport.squaredDeviations(x, offset, n, mean);
    float inverseStd = (float) (1 / Math.sqrt((double) squares / n + epsilon));
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector normalized = FloatVector.fromArray(F, x, offset + i).sub(mean).mul(inverseStd);
      normalized.intoArray(xhat, xhatOffset + i);
      normalized.fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i))
          .intoArray(x, offset + i);
    }
    for (; i < n; i++) {
      float normalized = (x[offset + i] - mean) * inverseStd;
      xhat[xhatOffset + i] = normalized;
      x[offset + i] = Math.fma(normalized, gamma[i], beta[i]);
    }
    return inverseStd;
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
    // First pass: with g = dy * gamma, the sums of g and g * xhat; and the parameter gradients.
    int bound = F.loopBound(n);
    int i = 0;
    float sumG = 0f, sumGXhat = 0f;
    if (bound > 0) {
      FloatVector sg = FloatVector.zero(F), sgx = sg;
      for (; i < bound; i += L) {
        FloatVector d = FloatVector.fromArray(F, dy, dyOffset + i);
        FloatVector h = FloatVector.fromArray(F, xhat, xhatOffset + i);
        FloatVector g = d.mul(FloatVector.fromArray(F, gamma, i));
        sg = sg.add(g);
        sgx = g.fma(h, sgx);
        d.fma(h, FloatVector.fromArray(F, dGamma, i)).intoArray(dGamma, i);
        d.add(FloatVector.fromArray(F, dBeta, i)).intoArray(dBeta, i);
      }
      sumG = PanamaExp.sumLanes(sg);
      sumGXhat = PanamaExp.sumLanes(sgx);
    }
    for (; i < n; i++) {
      float d = dy[dyOffset + i], h = xhat[xhatOffset + i];
      float g = d * gamma[i];
      sumG += g;
      sumGXhat = Math.fma(g, h, sumGXhat);
      dGamma[i] = Math.fma(d, h, dGamma[i]);
      dBeta[i] += d;
    }
    // Second pass: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)); dx may be dy, element for
    // element.
    float meanG = sumG / n, minusMeanGXhat = -(sumGXhat / n);
    FloatVector slope = FloatVector.broadcast(F, minusMeanGXhat);
    for (i = 0; i < bound; i += L) {
      FloatVector g = FloatVector.fromArray(F, dy, dyOffset + i)
          .mul(FloatVector.fromArray(F, gamma, i));
      FloatVector.fromArray(F, xhat, xhatOffset + i).fma(slope, g).sub(meanG).mul(rstd)
          .intoArray(dx, dxOffset + i);
    }
    for (; i < n; i++) {
      float g = dy[dyOffset + i] * gamma[i];
      dx[dxOffset + i] = (Math.fma(xhat[xhatOffset + i], minusMeanGXhat, g) - meanG) * rstd;
    }
  }

  @Override
  public void geluBackward(float[] x, int xOffset, float[] dy, int dyOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("dy", dy, dyOffset, n);
    PanamaGelu.backward(x, xOffset, dy, dyOffset, n);
  }

  @Override
  public void attentionBackward(float[] q, int qOffset, float[] k, int kOffset, float[] v,
      int vOffset, int inStride, float[] dOut, int dOutOffset, int outStride, float[] dq,
      int dqOffset, float[] dk, int dkOffset, float[] dv, int dvOffset, int gradStride,
      int length, int headDim, float scale) {
    Bounds.attentionBackward(q, qOffset, k, kOffset, v, vOffset, inStride, dOut, dOutOffset,
        outStride, dq, dqOffset, dk, dkOffset, dv, dvOffset, gradStride, length, headDim);
    PanamaAttentionBackward.attentionBackward(q, qOffset, k, kOffset, v, vOffset, inStride, dOut,
        dOutOffset, outStride, dq, dqOffset, dk, dkOffset, dv, dvOffset, gradStride, length,
        headDim, scale);
  }

  @Override
  public String toString() {
    return "PanamaTensorGradients(" + F.vectorBitSize() + "-bit)";
  }
}
