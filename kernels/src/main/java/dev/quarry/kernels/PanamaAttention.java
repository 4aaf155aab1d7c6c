package dev.quarry.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head of scaled dot-product attention on the Vector API, two query rows at a time, without a
 * lane reduction per key.
 *
 * <p>A head is short (32 or 64 floats), so a dot product per key would spend more on reducing
 * lanes than on multiplying. Instead the head's keys are first transposed into
 * {@code keysT[d][j]}; then the scores of a query against {@code 4 × lanes} keys at a time are
 * {@code sum_d q[d] * keysT[d][j..]}, broadcast-and-FMA like a GEMM row. The weighted sum of values
 * runs the other way round, vectorized over the head's columns. Both steps take two query rows
 * together, as the GEMM's 2-row micro-kernel does: each loaded key or value vector feeds two FMAs,
 * and the eight accumulators hide the FMA latency. An odd last row is paired with itself.
 *
 * <p>Every output element is one chain of FMAs in key order (scores: in head-column order), the
 * same whichever row it is paired with and wherever its lane falls, so a token's output depends
 * only on its own sequence.
 */
final class PanamaAttention {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();

  private PanamaAttention() {}

  /** Per thread: the transposed keys, then two rows of scores, grown as needed and reused. */
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
    if (scratch[1].length < 2 * padded) {
      scratch[1] = new float[2 * padded];
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
    for (int i = 0; i < length; i += 2) {
      int i1 = Math.min(i + 1, length - 1);
      scores(q, qOffset + i * inStride, qOffset + i1 * inStride, keysT, padded, length, headDim,
          scale, scores);
      PanamaTensorSupport.softmaxUnchecked(scores, 0, length);
      PanamaTensorSupport.softmaxUnchecked(scores, padded, length);
      weightedValues(scores, padded, v, vOffset, inStride, length, headDim, out,
          outOffset + i * outStride, outOffset + i1 * outStride);
    }
  }

  /**
   * {@code scores[j] = scale * q[row0..]·k[j]} and {@code scores[padded + j] = scale *
   * q[row1..]·k[j]} for every key j.
   */
  private static void scores(float[] q, int row0, int row1, float[] keysT, int padded, int length,
      int headDim, float scale, float[] scores) {
    int j = 0;
    for (; j + 4 * L <= padded; j += 4 * L) {
      FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
      FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int d = 0, kt = j; d < headDim; d++, kt += padded) {
        FloatVector k0 = FloatVector.fromArray(F, keysT, kt);
        FloatVector k1 = FloatVector.fromArray(F, keysT, kt + L);
        FloatVector k2 = FloatVector.fromArray(F, keysT, kt + 2 * L);
        FloatVector k3 = FloatVector.fromArray(F, keysT, kt + 3 * L);
        FloatVector x = FloatVector.broadcast(F, q[row0 + d]);
        s00 = x.fma(k0, s00);
        s01 = x.fma(k1, s01);
        s02 = x.fma(k2, s02);
        s03 = x.fma(k3, s03);
        x = FloatVector.broadcast(F, q[row1 + d]);
        s10 = x.fma(k0, s10);
        s11 = x.fma(k1, s11);
        s12 = x.fma(k2, s12);
        s13 = x.fma(k3, s13);
      }
      storeScores(s00, scale, scores, j, length);
      storeScores(s01, scale, scores, j + L, length);
      storeScores(s02, scale, scores, j + 2 * L, length);
      storeScores(s03, scale, scores, j + 3 * L, length);
      storeScores(s10, scale, scores, padded + j, padded + length);
      storeScores(s11, scale, scores, padded + j + L, padded + length);
      storeScores(s12, scale, scores, padded + j + 2 * L, padded + length);
      storeScores(s13, scale, scores, padded + j + 3 * L, padded + length);
    }
    for (; j < padded; j += L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int d = 0, kt = j; d < headDim; d++, kt += padded) {
        FloatVector k0 = FloatVector.fromArray(F, keysT, kt);
        s0 = FloatVector.broadcast(F, q[row0 + d]).fma(k0, s0);
        s1 = FloatVector.broadcast(F, q[row1 + d]).fma(k0, s1);
      }
      storeScores(s0, scale, scores, j, length);
      storeScores(s1, scale, scores, padded + j, padded + length);
    }
  }

  /** {@code scale * s} into {@code scores[at..]}, lanes at or past {@code end} left out. */
  private static void storeScores(FloatVector s, float scale, float[] scores, int at, int end) {
    s.mul(scale).intoArray(scores, at, F.indexInRange(at, end));
  }

  /**
   * {@code out[out0 + d] = sum_j p[j] * v[j][d]} and {@code out[out1 + d] = sum_j p[padded + j] *
   * v[j][d]}, over the head's columns: four vectors of columns at a time, then two, then the rest
   * one at a time, masked.
   */
  private static void weightedValues(float[] p, int padded, float[] v, int offset, int rowStride,
      int length, int headDim, float[] out, int out0, int out1) {
    int d = 0;
    for (; d + 4 * L <= headDim; d += 4 * L) {
      FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
      FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int j = 0, vIndex = offset + d; j < length; j++, vIndex += rowStride) {
        FloatVector v0 = FloatVector.fromArray(F, v, vIndex);
        FloatVector v1 = FloatVector.fromArray(F, v, vIndex + L);
        FloatVector v2 = FloatVector.fromArray(F, v, vIndex + 2 * L);
        FloatVector v3 = FloatVector.fromArray(F, v, vIndex + 3 * L);
        FloatVector x = FloatVector.broadcast(F, p[j]);
        s00 = x.fma(v0, s00);
        s01 = x.fma(v1, s01);
        s02 = x.fma(v2, s02);
        s03 = x.fma(v3, s03);
        x = FloatVector.broadcast(F, p[padded + j]);
        s10 = x.fma(v0, s10);
        s11 = x.fma(v1, s11);
        s12 = x.fma(v2, s12);
        s13 = x.fma(v3, s13);
      }
      s00.intoArray(out, out0 + d);
      s01.intoArray(out, out0 + d + L);
      s02.intoArray(out, out0 + d + 2 * L);
      s03.intoArray(out, out0 + d + 3 * L);
      s10.intoArray(out, out1 + d);
      s11.intoArray(out, out1 + d + L);
      s12.intoArray(out, out1 + d + 2 * L);
      s13.intoArray(out, out1 + d + 3 * L);
    }
    // Two vectors (a 32-float head with 512-bit vectors): still four chains to hide FMA latency.
    for (; d + 2 * L <= headDim; d += 2 * L) {
      FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00;
      for (int j = 0, vIndex = offset + d; j < length; j++, vIndex += rowStride) {
        FloatVector v0 = FloatVector.fromArray(F, v, vIndex);
        FloatVector v1 = FloatVector.fromArray(F, v, vIndex + L);
        FloatVector x = FloatVector.broadcast(F, p[j]);
        s00 = x.fma(v0, s00);
        s01 = x.fma(v1, s01);
        x = FloatVector.broadcast(F, p[padded + j]);
        s10 = x.fma(v0, s10);
        s11 = x.fma(v1, s11);
      }
      s00.intoArray(out, out0 + d);
      s01.intoArray(out, out0 + d + L);
      s10.intoArray(out, out1 + d);
      s11.intoArray(out, out1 + d + L);
    }
    for (; d < headDim; d += L) {
      VectorMask<Float> columns = F.indexInRange(d, headDim);
      FloatVector s0 = FloatVector.zero(F), s1 = s0;
      for (int j = 0, vIndex = offset + d; j < length; j++, vIndex += rowStride) {
        FloatVector v0 = FloatVector.fromArray(F, v, vIndex, columns);
        s0 = FloatVector.broadcast(F, p[j]).fma(v0, s0);
        s1 = FloatVector.broadcast(F, p[padded + j]).fma(v0, s1);
      }
      s0.intoArray(out, out0 + d, columns);
      s1.intoArray(out, out1 + d, columns);
    }
  }
}
