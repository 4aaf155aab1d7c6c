package dev.quarry.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head of scaled dot-product attention on the Vector API, without a lane reduction per key.
 *
 * <p>A head is short (32 or 64 floats), so a dot product per key would spend more on reducing
 * lanes than on multiplying. Instead the head's keys are first transposed into
 * {@code keysT[d][j]}; then the scores of one query against {@code 4 × lanes} keys at a time are
 * {@code sum_d q[d] * keysT[d][j..]}, broadcast-and-FMA like a GEMM row. The weighted sum of
 * values runs the other way round, vectorized over the head's columns, with four accumulators so
 * that consecutive keys do not wait on each other's FMA.
 */
final class PanamaAttention {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();

  private PanamaAttention() {}

  static void attention(float[] q, float[] k, float[] v, float[] out, int offset, int rowStride,
      int length, int headDim, float scale, float[] scores) {
    if (length == 0) {
      return;
    }
    // Keys padded with zeros to whole vectors, so the score loop needs no masked loads.
    int padded = (length + L - 1) / L * L;
    float[] keysT = new float[headDim * padded];
    for (int j = 0; j < length; j++) {
      int kRow = offset + j * rowStride;
      for (int d = 0; d < headDim; d++) {
        keysT[d * padded + j] = k[kRow + d];
      }
    }
    for (int i = 0; i < length; i++) {
      int qRow = offset + i * rowStride;
      scores(q, qRow, keysT, padded, length, headDim, scale, scores);
      PanamaTensorSupport.softmaxUnchecked(scores, 0, length);
      weightedValues(scores, v, offset, rowStride, length, headDim, out, qRow);
    }
  }

  /** {@code scores[j] = scale * q[qRow..]·k[j]} for every key j. */
  private static void scores(float[] q, int qRow, float[] keysT, int padded, int length,
      int headDim, float scale, float[] scores) {
    int j = 0;
    for (; j + 4 * L <= padded; j += 4 * L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      for (int d = 0, kt = j; d < headDim; d++, kt += padded) {
        FloatVector x = FloatVector.broadcast(F, q[qRow + d]);
        s0 = x.fma(FloatVector.fromArray(F, keysT, kt), s0);
        s1 = x.fma(FloatVector.fromArray(F, keysT, kt + L), s1);
        s2 = x.fma(FloatVector.fromArray(F, keysT, kt + 2 * L), s2);
        s3 = x.fma(FloatVector.fromArray(F, keysT, kt + 3 * L), s3);
      }
      s0.mul(scale).intoArray(scores, j, F.indexInRange(j, length));
      s1.mul(scale).intoArray(scores, j + L, F.indexInRange(j + L, length));
      s2.mul(scale).intoArray(scores, j + 2 * L, F.indexInRange(j + 2 * L, length));
      s3.mul(scale).intoArray(scores, j + 3 * L, F.indexInRange(j + 3 * L, length));
    }
    for (; j < padded; j += L) {
      FloatVector s = FloatVector.zero(F);
      for (int d = 0, kt = j; d < headDim; d++, kt += padded) {
        s = FloatVector.broadcast(F, q[qRow + d]).fma(FloatVector.fromArray(F, keysT, kt), s);
      }
      s.mul(scale).intoArray(scores, j, F.indexInRange(j, length));
    }
  }

  /** {@code out[outRow + d] = sum_j p[j] * v[j][d]} over the head's columns. */
  private static void weightedValues(float[] p, float[] v, int offset, int rowStride, int length,
      int headDim, float[] out, int outRow) {
    for (int d = 0; d < headDim; d += L) {
      VectorMask<Float> columns = F.indexInRange(d, headDim);
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      int vIndex = offset + d;
      int j = 0;
      for (; j + 4 <= length; j += 4, vIndex += 4 * rowStride) {
        s0 = FloatVector.broadcast(F, p[j])
            .fma(FloatVector.fromArray(F, v, vIndex, columns), s0);
        s1 = FloatVector.broadcast(F, p[j + 1])
            .fma(FloatVector.fromArray(F, v, vIndex + rowStride, columns), s1);
        s2 = FloatVector.broadcast(F, p[j + 2])
            .fma(FloatVector.fromArray(F, v, vIndex + 2 * rowStride, columns), s2);
        s3 = FloatVector.broadcast(F, p[j + 3])
            .fma(FloatVector.fromArray(F, v, vIndex + 3 * rowStride, columns), s3);
      }
      for (; j < length; j++, vIndex += rowStride) {
        s0 = FloatVector.broadcast(F, p[j]).fma(FloatVector.fromArray(F, v, vIndex, columns), s0);
      }
      s0.add(s1).add(s2.add(s3)).intoArray(out, outRow + d, columns);
    }
  }
}
