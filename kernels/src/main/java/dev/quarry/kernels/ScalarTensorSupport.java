package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The plain-Java implementation of {@link TensorSupport}: the reference every other backend is
 * tested against, and the fallback where the Vector API is missing.
 *
 * <p>Loops are the textbook ones and sums run in float in natural order, so that a reader can
 * check each method against its definition; double is used only where float would lose accuracy
 * that the oracle must keep (layer-norm statistics, softmax normalizer, GELU's erf).
 */
public final class ScalarTensorSupport implements TensorSupport {

  /** Weights are little-endian fp32 at any alignment. */
  static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Below this GELU's exact value is -0 in float (|x| * Phi(x) < 1e-300), and -inf * 0 is NaN. */
  static final float GELU_ZERO_BELOW = -40f;

  /** Creates the (stateless) scalar backend; {@link KernelProvider#scalar()} shares one. */
  public ScalarTensorSupport() {}

  @Override
  public void matmul(float[] a, int aOffset, int m, int k, MemorySegment b, MemorySegment bias,
      float[] c, int cOffset, int n) {
    Bounds.matmul(a, aOffset, m, k, b, bias, c, cOffset, n);
    for (int i = 0; i < m; i++) {
      int cRow = cOffset + i * n;
      int aRow = aOffset + i * k;
      for (int j = 0; j < n; j++) {
        c[cRow + j] = 0f;
      }
      // i-p-j order reads b row by row; each c[i][j] still sums over p in natural order.
      for (int p = 0; p < k; p++) {
        float aip = a[aRow + p];
        long bRow = (long) p * n;
        for (int j = 0; j < n; j++) {
          c[cRow + j] += aip * b.getAtIndex(FLOAT_LE, bRow + j);
        }
      }
      if (bias != null) {
        for (int j = 0; j < n; j++) {
          c[cRow + j] += bias.getAtIndex(FLOAT_LE, j);
        }
      }
    }
  }

  @Override
  public PackedMatrix pack(MemorySegment b, MemorySegment bias, int k, int n) {
    Bounds.dimension("k", k);
    Bounds.dimension("n", n);
    Bounds.segment("b", b, (long) k * n);
    if (bias != null) {
      Bounds.segment("bias", bias, n);
    }
    return new PackedMatrix(k, n, 1, b, bias, null, null);
  }

  @Override
  public void matmul(float[] a, int aOffset, int m, PackedMatrix b, PackedMatrix.Activation act,
      float[] c, int cOffset, int from, int to) {
    Bounds.packedMatmul(a, aOffset, m, b, c, cOffset, from, to);
    if (b.source == null) {
      throw new IllegalArgumentException("b was packed by another backend");
    }
    int k = b.rows(), n = b.columns();
    for (int i = 0; i < m; i++) {
      int cRow = cOffset + i * n;
      int aRow = aOffset + i * k;
      for (int j = from; j < to; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[aRow + p] * b.source.getAtIndex(FLOAT_LE, (long) p * n + j);
        }
        if (b.bias != null) {
          s += b.bias.getAtIndex(FLOAT_LE, j);
        }
        c[cRow + j] = act == PackedMatrix.Activation.GELU ? gelu(s) : s;
      }
    }
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
      x[offset + i] = (float) (normalized * gamma.getAtIndex(FLOAT_LE, i)
          + beta.getAtIndex(FLOAT_LE, i));
    }
  }

  @Override
  public void add(float[] x, int xOffset, float[] y, int yOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("y", y, yOffset, n);
    for (int i = 0; i < n; i++) {
      x[xOffset + i] += y[yOffset + i];
    }
  }

  @Override
  public void gelu(float[] x, int offset, int n) {
    Bounds.array("x", x, offset, n);
    for (int i = 0; i < n; i++) {
      x[offset + i] = gelu(x[offset + i]);
    }
  }

  /** The exact GELU of one value, {@code x * Phi(x)}, computed in double. */
  static float gelu(float x) {
    if (x < GELU_ZERO_BELOW) {
      return -0f;
    }
    return (float) (x * Erf.normalCdf(x));
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
    Bounds.array("a", a, aOffset, n);
    Bounds.array("b", b, bOffset, n);
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[aOffset + i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
    Bounds.array("x", x, xOffset, n);
    Bounds.array("y", y, yOffset, n);
    for (int i = 0; i < n; i++) {
      y[yOffset + i] += alpha * x[xOffset + i];
    }
  }

  @Override
  public void scale(float[] x, int offset, int n, float alpha) {
    Bounds.array("x", x, offset, n);
    for (int i = 0; i < n; i++) {
      x[offset + i] *= alpha;
    }
  }

  @Override
  public void softmax(float[] x, int offset, int n) {
    Bounds.array("x", x, offset, n);
    if (n == 0) {
      return;
    }
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float e = (float) Math.exp(x[offset + i] - max);
      x[offset + i] = e;
      sum += e;
    }
    double inverse = 1 / sum;
    for (int i = 0; i < n; i++) {
      x[offset + i] = (float) (x[offset + i] * inverse);
    }
  }

  @Override
  public void attention(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] out, int outOffset, int outStride, int length, int headDim,
      float scale) {
    Bounds.attention(q, qOffset, k, kOffset, v, vOffset, inStride, out, outOffset, outStride,
        length, headDim);
    float[] scores = new float[length];
    for (int i = 0; i < length; i++) {
      int qRow = qOffset + i * inStride;
      for (int j = 0; j < length; j++) {
        int kRow = kOffset + j * inStride;
        float s = 0f;
        for (int d = 0; d < headDim; d++) {
          s += q[qRow + d] * k[kRow + d];
        }
        scores[j] = scale * s;
      }
      softmax(scores, 0, length);
      for (int d = 0; d < headDim; d++) {
        float o = 0f;
        for (int j = 0; j < length; j++) {
          o += scores[j] * v[vOffset + j * inStride + d];
        }
        out[outOffset + i * outStride + d] = o;
      }
    }
  }

  @Override
  public String toString() {
    return "ScalarTensorSupport";
  }
}
