package dev.quarry.kernels;

import static jdk.incubator.vector.VectorOperators.LT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link TensorSupport} on the JDK Vector API ({@code jdk.incubator.vector}), at the CPU's
 * preferred vector width.
 *
 * <p>Loops follow one shape: a vector body (several accumulators where a sum is carried, one
 * reduction after the loop), then a scalar tail that applies the same per-element arithmetic
 * (FMA included) so a value does not depend on whether it fell in the body or the tail. Lengths
 * shorter than a couple of vectors go scalar. GEMM, GELU and attention live in their own classes.
 *
 * <p>Only {@link KernelProvider} creates it, after checking that the module is present and C2 is
 * on, since this class's constants already load vector classes.
 */
final class PanamaTensorSupport implements TensorSupport {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** Throws {@link UnsupportedOperationException} where vectors would be slower than scalar code. */
  PanamaTensorSupport() {
    if (F.vectorBitSize() < 128) {
      throw new UnsupportedOperationException("the preferred float vector is only "
          + F.vectorBitSize() + " bits wide (Panama kernels need at least 128)");
    }
  }

  @Override
  public void matmul(float[] a, int aOffset, int m, int k, MemorySegment b, MemorySegment bias,
      float[] c, int cOffset, int n) {
    Bounds.matmul(a, aOffset, m, k, b, bias, c, cOffset, n);
    PanamaMatmul.matmul(a, aOffset, m, k, b, bias, c, cOffset, n);
  }

  @Override
  public PackedMatrix pack(MemorySegment b, MemorySegment bias, int k, int n) {
    Bounds.dimension("k", k);
    Bounds.dimension("n", n);
    Bounds.segment("b", b, (long) k * n);
    if (bias != null) {
      Bounds.segment("bias", bias, n);
    }
    return PanamaPackedMatmul.pack(b, bias, k, n);
  }

  @Override
  public PackedMatrix pack(Int8Matrix b, MemorySegment bias) {
    if (bias != null) {
      Bounds.segment("bias", bias, b.columns());
    }
    return PanamaPackedMatmul.pack(b, bias);
  }

  @Override
  public void matmul(float[] a, int aOffset, int m, PackedMatrix b, PackedMatrix.Activation act,
      float[] c, int cOffset, int from, int to) {
    Bounds.packedMatmul(a, aOffset, m, b, c, cOffset, from, to);
    if (b.panels == null && b.codes == null) {
      throw new IllegalArgumentException("b was packed by another backend");
    }
    PanamaPackedMatmul.matmul(a, aOffset, m, b, act, c, cOffset, from, to);
  }

  @Override
  public void layerNorm(float[] x, int offset, int n, MemorySegment gamma, MemorySegment beta,
      float epsilon) {
    Bounds.array("x", x, offset, n);
    Bounds.segment("gamma", gamma, n);
    Bounds.segment("beta", beta, n);
    if (n == 0) {
      return;
    }
    float mean = sum(x, offset, n) / n;
    // Two passes (mean, then squared deviations) so that a large mean does not cancel the variance.
    float squares = squaredDeviations(x, offset, n, mean);
    float inverseStd = (float) (1 / Math.sqrt((double) squares / n + epsilon));
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      long byteOffset = (long) i * Float.BYTES;
      FloatVector g = FloatVector.fromMemorySegment(F, gamma, byteOffset, LE);
      FloatVector b = FloatVector.fromMemorySegment(F, beta, byteOffset, LE);
      FloatVector v = FloatVector.fromArray(F, x, offset + i);
      v.sub(mean).mul(inverseStd).fma(g, b).intoArray(x, offset + i);
    }
    for (; i < n; i++) {
      float normalized = (x[offset + i] - mean) * inverseStd;
      x[offset + i] = Math.fma(normalized, gamma.getAtIndex(ScalarTensorSupport.FLOAT_LE, i),
          beta.getAtIndex(ScalarTensorSupport.FLOAT_LE, i));
    }
  }

  /** The sum of {@code n} floats, as {@link #layerNorm} takes the mean. */
  static float sum(float[] x, int offset, int n) {
    int i = 0;
    float sum = 0f;
    if (n >= 4 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        s0 = s0.add(FloatVector.fromArray(F, x, offset + i));
        s1 = s1.add(FloatVector.fromArray(F, x, offset + i + L));
        s2 = s2.add(FloatVector.fromArray(F, x, offset + i + 2 * L));
        s3 = s3.add(FloatVector.fromArray(F, x, offset + i + 3 * L));
      }
      sum = PanamaExp.sumLanes(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < n; i++) {
      sum += x[offset + i];
    }
    return sum;
  }

  /** {@code sum (x[i] - mean)^2}, as {@link #layerNorm} takes the variance. */
  static float squaredDeviations(float[] x, int offset, int n, float mean) {
    int i = 0;
    float sum = 0f;
    if (n >= 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
        FloatVector d0 = FloatVector.fromArray(F, x, offset + i).sub(mean);
        FloatVector d1 = FloatVector.fromArray(F, x, offset + i + L).sub(mean);
        s0 = d0.fma(d0, s0);
        s1 = d1.fma(d1, s1);
      }
      sum = PanamaExp.sumLanes(s0.add(s1));
    }
    for (; i < n; i++) {
      float d = x[offset + i] - mean;
      sum = Math.fma(d, d, sum);
    }
    return sum;
  }

  @Override
  public void add(float[] x, int xOffset, float[] y, int yOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("y", y, yOffset, n);
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector.fromArray(F, x, xOffset + i).add(FloatVector.fromArray(F, y, yOffset + i))
          .intoArray(x, xOffset + i);
    }
    for (; i < n; i++) {
      x[xOffset + i] += y[yOffset + i];
    }
  }

  @Override
  public void gelu(float[] x, int offset, int n) {
    Bounds.array("x", x, offset, n);
    PanamaGelu.gelu(x, offset, n);
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
    Bounds.array("a", a, aOffset, n);
    Bounds.array("b", b, bOffset, n);
    return dotUnchecked(a, aOffset, b, bOffset, n);
  }

  static float dotUnchecked(float[] a, int aOffset, float[] b, int bOffset, int n) {
    int i = 0;
    float sum = 0f;
    // Below two vectors the setup and the lane reduction cost more than the loop saves.
    if (n > 2 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      // Four independent FMA chains hide the FMA latency.
      for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
        s0 = FloatVector.fromArray(F, a, aOffset + i)
            .fma(FloatVector.fromArray(F, b, bOffset + i), s0);
        s1 = FloatVector.fromArray(F, a, aOffset + i + L)
            .fma(FloatVector.fromArray(F, b, bOffset + i + L), s1);
        s2 = FloatVector.fromArray(F, a, aOffset + i + 2 * L)
            .fma(FloatVector.fromArray(F, b, bOffset + i + 2 * L), s2);
        s3 = FloatVector.fromArray(F, a, aOffset + i + 3 * L)
            .fma(FloatVector.fromArray(F, b, bOffset + i + 3 * L), s3);
      }
      for (int bound = F.loopBound(n); i < bound; i += L) {
        s0 = FloatVector.fromArray(F, a, aOffset + i)
            .fma(FloatVector.fromArray(F, b, bOffset + i), s0);
      }
      sum = PanamaExp.sumLanes(s0.add(s1).add(s2.add(s3)));
    }
    for (; i < n; i++) {
      sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
    }
    return sum;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("y", y, yOffset, n);
    int i = 0;
    FloatVector a = FloatVector.broadcast(F, alpha);
    for (int bound = F.loopBound(n); i < bound; i += L) {
      a.fma(FloatVector.fromArray(F, x, xOffset + i), FloatVector.fromArray(F, y, yOffset + i))
          .intoArray(y, yOffset + i);
    }
    for (; i < n; i++) {
      y[yOffset + i] = Math.fma(alpha, x[xOffset + i], y[yOffset + i]);
    }
  }

  @Override
  public void scale(float[] x, int offset, int n, float alpha) {
    Bounds.array("x", x, offset, n);
    scaleUnchecked(x, offset, n, alpha);
  }

  private static void scaleUnchecked(float[] x, int offset, int n, float alpha) {
    int i = 0;
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector.fromArray(F, x, offset + i).mul(alpha).intoArray(x, offset + i);
    }
    for (; i < n; i++) {
      x[offset + i] *= alpha;
    }
  }

  @Override
  public void softmax(float[] x, int offset, int n) {
    Bounds.array("x", x, offset, n);
    softmaxUnchecked(x, offset, n);
  }

  static void softmaxUnchecked(float[] x, int offset, int n) {
    if (n == 0) {
      return;
    }
    int bound = F.loopBound(n);
    float max = Float.NEGATIVE_INFINITY;
    int i = 0;
    if (bound > 0) {
      FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (; i < bound; i += L) {
        // compare + blend rather than max(), which C2 does not intrinsify here (measured).
        FloatVector v = FloatVector.fromArray(F, x, offset + i);
        m = m.blend(v, m.compare(LT, v));
      }
      for (float lane : m.toArray()) {
        max = Math.max(max, lane);
      }
    }
    for (; i < n; i++) {
      max = Math.max(max, x[offset + i]);
    }
    // Subtracting the maximum keeps exp from overflowing; the largest term becomes exp(0) = 1.
    float sum = 0f;
    i = 0;
    if (bound > 0) {
      FloatVector s = FloatVector.zero(F);
      for (; i < bound; i += L) {
        FloatVector e = PanamaExp.exp(FloatVector.fromArray(F, x, offset + i).sub(max));
        e.intoArray(x, offset + i);
        s = s.add(e);
      }
      sum = PanamaExp.sumLanes(s);
    }
    for (; i < n; i++) {
      float e = PanamaExp.exp(x[offset + i] - max);
      x[offset + i] = e;
      sum += e;
    }
    scaleUnchecked(x, offset, n, 1f / sum);
  }

  @Override
  public void attention(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] out, int outOffset, int outStride, int length, int headDim,
      float scale) {
    Bounds.attention(q, qOffset, k, kOffset, v, vOffset, inStride, out, outOffset, outStride,
        length, headDim);
    PanamaAttention.attention(q, qOffset, k, kOffset, v, vOffset, inStride, out, outOffset,
        outStride, length, headDim, scale);
  }

  @Override
  public String toString() {
    return "PanamaTensorSupport(" + F.vectorBitSize() + "-bit)";
  }
}
