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

  /** Per thread: the transposed keys, then the scores, grown as needed and reused. */
  private static final ThreadLocal<float[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

  static void attention(float[] q, int qOffset, float[] k, int kOffset, float[] v, int vOffset,
      int inStride, float[] out, int outOffset, int outStride, int length, int headDim,
      float scale) {
    if (length == 0) {
      return;
    }
    // Keys padded with zeros to whole vectors, so the score loop needs no masked loads.
    int padded = (length + L - 1) / L * L;
    float[][] scratch = SCRATCH.get();
    if (scratch[0].length < headDim * padded) {
      scratch[0] = new float[headDim * padded];
    }
    if (scratch[1].length < padded) {
      scratch[1] = new float[padded];
    }
    float[] keysT = scratch[0];
    float[] scores = scratch[1];
    for (int j = 0; j < length; j++) {
      int kRow = kOffset + j * inStride;
      for (int d = 0; d < headDim; d++) {
        keysT[d * padded + j] = k[kRow + d];
      }
    }
    for (int d = 0; d < headDim; d++) {
      for (int j = length; j < padded; j++) {
        keysT[d * padded + j] = 0f;
      }
    }
    for (int i = 0; i < length; i++) {
      scores(q, qOffset + i * inStride, keysT, padded, length, headDim, scale, scores);
      PanamaTensorSupport.softmaxUnchecked(scores, 0, length);
      weightedValues(scores, v, vOffset, inStride, length, headDim, out,
          outOffset + i * outStride);
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
