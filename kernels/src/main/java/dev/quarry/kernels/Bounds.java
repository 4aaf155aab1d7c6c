package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks shared by the backends, done once per call before any element is written, so
 * that a bad shape fails with a message naming the argument instead of half-updating the output.
 */
final class Bounds {

  private Bounds() {}

  /** Checks that {@code x[offset, offset + n)} exists. */
  static void array(String name, float[] x, int offset, long n) {
    if (x == null) {
      throw new NullPointerException(name + " is null");
    }
    if (offset < 0 || n < 0 || offset + n > x.length) {
      throw new IndexOutOfBoundsException(name + ": elements [" + offset + ", " + (offset + n)
          + ") do not fit in an array of " + x.length + " floats");
    }
  }

  /** Checks that {@code segment} holds at least {@code n} floats. */
  static void segment(String name, MemorySegment segment, long n) {
    if (segment == null) {
      throw new NullPointerException(name + " is null");
    }
    if (segment.byteSize() < n * Float.BYTES) {
      throw new IndexOutOfBoundsException(name + ": needs " + n + " floats (" + n * Float.BYTES
          + " bytes) but the segment has " + segment.byteSize() + " bytes");
    }
  }

  /** Checks a dimension. */
  static void dimension(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " is " + value + ": dimensions must be >= 0");
    }
  }

  /** Checks the arguments of {@link TensorSupport#matmul}. */
  static void matmul(float[] a, int aOffset, int m, int k, MemorySegment b, MemorySegment bias,
      float[] c, int cOffset, int n) {
    dimension("m", m);
    dimension("k", k);
    dimension("n", n);
    array("a", a, aOffset, (long) m * k);
    segment("b", b, (long) k * n);
    if (bias != null) {
      segment("bias", bias, n);
    }
    array("c", c, cOffset, (long) m * n);
  }

  /** Checks the arguments of the packed {@link TensorSupport#matmul}. */
  static void packedMatmul(float[] a, int aOffset, int m, PackedMatrix b, float[] c, int cOffset,
      int from, int to) {
    if (b == null) {
      throw new NullPointerException("b is null");
    }
    dimension("m", m);
    int n = b.columns();
    if (from < 0 || from > to || to > n || from % b.columnBlock() != 0
        || (to != n && to % b.columnBlock() != 0)) {
      throw new IllegalArgumentException("columns [" + from + ", " + to + ") of " + n
          + " are not a range of whole blocks of " + b.columnBlock());
    }
    array("a", a, aOffset, (long) m * b.rows());
    array("c", c, cOffset, (long) m * n);
  }

  /** Checks the arguments of the strided {@link TensorSupport#attention}. */
  static void attention(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] out, int outOffset, int outStride, int length, int headDim) {
    dimension("length", length);
    dimension("headDim", headDim);
    if (length == 0) {
      return;
    }
    if (headDim > inStride || headDim > outStride) {
      throw new IllegalArgumentException("attention: a head of " + headDim
          + " columns does not fit rows of " + inStride + " / " + outStride + " floats");
    }
    long in = (long) (length - 1) * inStride + headDim;
    array("q", q, qOffset, in);
    array("k", k, kOffset, in);
    array("v", v, vOffset, in);
    array("out", out, outOffset, (long) (length - 1) * outStride + headDim);
  }

  /** Checks the arguments of {@link TensorGradients#layerNorm}. */
  static void layerNormForTraining(float[] x, int offset, int n, float[] gamma, float[] beta,
      float[] xhat, int xhatOffset) {
    dimension("n", n);
    array("x", x, offset, n);
    array("gamma", gamma, 0, n);
    array("beta", beta, 0, n);
    array("xhat", xhat, xhatOffset, n);
  }

  /** Checks the arguments of {@link TensorGradients#layerNormBackward}. */
  static void layerNormBackward(float[] dy, int dyOffset, float[] xhat, int xhatOffset,
      float[] gamma, int n, float[] dx, int dxOffset, float[] dGamma, float[] dBeta) {
    dimension("n", n);
    array("dy", dy, dyOffset, n);
    array("xhat", xhat, xhatOffset, n);
    array("gamma", gamma, 0, n);
    array("dx", dx, dxOffset, n);
    array("dGamma", dGamma, 0, n);
    array("dBeta", dBeta, 0, n);
  }

  /** Checks the arguments of {@link TensorGradients#attentionBackward}. */
  static void attentionBackward(float[] q, int qOffset, float[] k, int kOffset, float[] v,
      int vOffset, int inStride, float[] dOut, int dOutOffset, int outStride, float[] dq,
      int dqOffset, float[] dk, int dkOffset, float[] dv, int dvOffset, int gradStride,
      int length, int headDim) {
    dimension("length", length);
    dimension("headDim", headDim);
    if (length == 0) {
      return;
    }
    if (headDim > inStride || headDim > outStride || headDim > gradStride) {
      throw new IllegalArgumentException("attentionBackward: a head of " + headDim
          + " columns does not fit rows of " + inStride + " / " + outStride + " / " + gradStride
          + " floats");
    }
    long in = (long) (length - 1) * inStride + headDim;
    array("q", q, qOffset, in);
    array("k", k, kOffset, in);
    array("v", v, vOffset, in);
    array("dOut", dOut, dOutOffset, (long) (length - 1) * outStride + headDim);
    long span = (long) (length - 1) * gradStride + headDim;
    array("dq", dq, dqOffset, span);
    array("dk", dk, dkOffset, span);
    array("dv", dv, dvOffset, span);
  }

  /** Checks the arguments of {@link TensorSupport#attention}. */
  static void attention(float[] q, float[] k, float[] v, float[] out, int offset, int rowStride,
      int length, int headDim, float[] scores) {
    dimension("length", length);
    dimension("headDim", headDim);
    if (length == 0) {
      return;
    }
    // offset is absolute (the first token's row start plus the head's first column).
    if (offset < 0 || headDim > rowStride) {
      throw new IllegalArgumentException("attention: a head of " + headDim + " columns at offset "
          + offset + " does not fit rows of " + rowStride + " floats");
    }
    long span = (long) (length - 1) * rowStride + offset + headDim;
    array("q", q, 0, span);
    array("k", k, 0, span);
    array("v", v, 0, span);
    array("out", out, 0, span);
    array("scores", scores, 0, length);
  }
}
