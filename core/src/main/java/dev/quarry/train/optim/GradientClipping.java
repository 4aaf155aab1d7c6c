package dev.quarry.train.optim;

import dev.quarry.train.Parameters;
import dev.quarry.train.Parameters.Parameter;

/**
 * Clipping by the global L2 norm of all gradients, as {@code torch.nn.utils.clip_grad_norm_}:
 * when the norm exceeds the limit every gradient is scaled by {@code maxNorm / (norm + 1e-6)}, so
 * one bad batch cannot throw the weights far. The coefficient is clamped to 1 as PyTorch clamps
 * it, which also scales (by a hair) a norm within 1e-6 below the limit.
 *
 * <p>The norm before clipping is returned for the trainer to log. A norm that is NaN or infinite
 * leaves the gradients untouched, so that the caller can see it and stop rather than step on
 * garbage.
 */
public final class GradientClipping {

  /** The limit sentence-transformers and the Hugging Face Trainer use ({@code max_grad_norm}). */
  public static final double DEFAULT_MAX_NORM = 1.0;

  private static final double EPS = 1e-6;

  private GradientClipping() {}

  /** Clips to {@link #DEFAULT_MAX_NORM}; returns the norm before clipping. */
  public static double clip(Parameters params) {
    return clip(params, DEFAULT_MAX_NORM);
  }

  /** Clips to {@code maxNorm}; returns the norm before clipping (if not finite, nothing scaled). */
  public static double clip(Parameters params, double maxNorm) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("max norm must be finite and > 0: " + maxNorm);
    }
    double norm = norm(params);
    if (!Double.isFinite(norm)) return norm;
    double coef = maxNorm / (norm + EPS);
    if (coef < 1.0) {
      float scale = (float) coef;
      for (Parameter p : params.all()) scale(p.grad(), scale);
    }
    return norm;
  }

  /** The global L2 norm of all gradients, summed in double. */
  public static double norm(Parameters params) {
    double sum = 0;
    for (Parameter p : params.all()) sum += sumOfSquares(p.grad());
    return Math.sqrt(sum);
  }

  /** Four independent accumulators, so the adds need not wait on one another. */
  private static double sumOfSquares(float[] g) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int n = g.length, i = 0;
    for (; i + 3 < n; i += 4) {
      double a = g[i], b = g[i + 1], c = g[i + 2], d = g[i + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    for (; i < n; i++) {
      double a = g[i];
      s0 += a * a;
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static void scale(float[] g, float s) {
    for (int i = 0; i < g.length; i++) g[i] *= s;
  }
}
