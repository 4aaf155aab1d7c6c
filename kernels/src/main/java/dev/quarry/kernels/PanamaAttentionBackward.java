package dev.quarry.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head of attention's backward pass on the Vector API, recomputing the probabilities block by
 * block instead of storing the {@code length × length} matrix.
 *
 * <p>Queries are taken {@value #ROWS} at a time, so that every key, value and gradient vector
 * loaded is used for four rows. For a block, the scores {@code scale q_i·k_j} and
 * {@code dP_ij = dO_i·v_j} are computed as {@link PanamaAttention} computes scores (keys and
 * values transposed, vectorized over j, with the same per-lane arithmetic and softmax, so the
 * probabilities are those of the forward pass); then
 * {@code dS_ij = scale P_ij (dP_ij - sum_j' P_ij' dP_ij')}. The
 * gradients are broadcast-and-FMA over the head's columns, without a lane reduction:
 * {@code dQ_i = sum_j dS_ij k_j} against key rows, and {@code dK_j += sum_i dS_ij q_i},
 * {@code dV_j += sum_i P_ij dO_i} into per-thread accumulators that are copied out at the end.
 *
 * <p>Scratch is per thread and linear in the length: keys and values twice (transposed, and keys
 * as rows), the dK and dV accumulators, and a block's rows. Every buffer is padded with zeros to
 * whole vectors (keys to a multiple of the lanes, head columns likewise, the last block to four
 * rows), so no loop needs a mask or a scalar tail; padded query rows have zero queries and zero
 * upstream gradient, hence zero {@code dS} and zero contribution. Only the head's own columns of
 * {@code dq}, {@code dk}, {@code dv} are written, element by element, so that threads working on
 * other heads of the same rows are never overwritten.
 */
final class PanamaAttentionBackward {

  private static final VectorSpecies<Float> F = PanamaSpecies.FLOAT;
  private static final int L = F.length();

  /** Query rows per block: four accumulators in each inner loop, as in {@link PanamaAttention}. */
  private static final int ROWS = 4;

  private PanamaAttentionBackward() {}

  /** One thread's buffers, grown as needed and reused. */
  private static final class Scratch {
    float[] keysT = new float[0];
    float[] valuesT = new float[0];
    float[] keyRows = new float[0];
    float[] dK = new float[0];
    float[] dV = new float[0];
    float[] qBlock = new float[0];
    float[] oBlock = new float[0];
    float[] dqBlock = new float[0];
    float[] p = new float[0];
    float[] ds = new float[0];

    void ensure(int length, int keys, int headDim, int columns) {
      if (keysT.length < headDim * keys) {
        keysT = new float[headDim * keys];
        valuesT = new float[headDim * keys];
      }
      if (keyRows.length < length * columns) {
        keyRows = new float[length * columns];
        dK = new float[length * columns];
        dV = new float[length * columns];
      }
      if (qBlock.length < ROWS * columns) {
        qBlock = new float[ROWS * columns];
        oBlock = new float[ROWS * columns];
        dqBlock = new float[ROWS * columns];
      }
      if (p.length < ROWS * keys) {
        p = new float[ROWS * keys];
        ds = new float[ROWS * keys];
      }
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  static void attentionBackward(float[] q, int qOffset, float[] k, int kOffset, float[] v,
      int vOffset, int inStride, float[] dOut, int dOutOffset, int outStride, float[] dq,
      int dqOffset, float[] dk, int dkOffset, float[] dv, int dvOffset, int gradStride,
      int length, int headDim, float scale) {
    if (length == 0) {
      return;
    }
    int keys = (length + L - 1) / L * L;
    int columns = (headDim + L - 1) / L * L;
    Scratch s = SCRATCH.get();
    s.ensure(length, keys, headDim, columns);
    float[] keysT = s.keysT, valuesT = s.valuesT, keyRows = s.keyRows;
    for (int j = 0; j < length; j++) {
      int kRow = kOffset + j * inStride, vRow = vOffset + j * inStride;
      for (int d = 0; d < headDim; d++) {
        keysT[d * keys + j] = k[kRow + d];
        valuesT[d * keys + j] = v[vRow + d];
        keyRows[j * columns + d] = k[kRow + d];
      }
      Arrays.fill(keyRows, j * columns + headDim, (j + 1) * columns, 0f);
    }
    for (int d = 0; d < headDim; d++) {
      Arrays.fill(keysT, d * keys + length, (d + 1) * keys, 0f);
      Arrays.fill(valuesT, d * keys + length, (d + 1) * keys, 0f);
    }
    Arrays.fill(s.dK, 0, length * columns, 0f);
    Arrays.fill(s.dV, 0, length * columns, 0f);

    for (int i0 = 0; i0 < length; i0 += ROWS) {
      int rows = Math.min(ROWS, length - i0);
      block(q, qOffset + i0 * inStride, inStride, rows, headDim, columns, s.qBlock);
      block(dOut, dOutOffset + i0 * outStride, outStride, rows, headDim, columns, s.oBlock);
      scores(s.qBlock, s.oBlock, keysT, valuesT, keys, headDim, columns, scale, s.p, s.ds);
      for (int b = 0; b < rows; b++) {
        scoreGradients(s.p, s.ds, b * keys, keys, length, scale);
      }
      queryGradients(s.ds, keyRows, keys, length, columns, s.dqBlock);
      for (int b = 0; b < rows; b++) {
        System.arraycopy(s.dqBlock, b * columns, dq, dqOffset + (i0 + b) * gradStride, headDim);
      }
      keyValueGradients(s.qBlock, s.oBlock, s.p, s.ds, keys, length, columns, s.dK, s.dV);
    }

    for (int j = 0; j < length; j++) {
      System.arraycopy(s.dK, j * columns, dk, dkOffset + j * gradStride, headDim);
      System.arraycopy(s.dV, j * columns, dv, dvOffset + j * gradStride, headDim);
    }
  }

  /** Copies {@code rows} rows of a head into {@link #ROWS} rows of {@code columns}, zero-padded. */
  private static void block(float[] x, int offset, int stride, int rows, int headDim,
      int columns, float[] block) {
    for (int b = 0; b < rows; b++) {
      System.arraycopy(x, offset + b * stride, block, b * columns, headDim);
      Arrays.fill(block, b * columns + headDim, (b + 1) * columns, 0f);
    }
    Arrays.fill(block, rows * columns, ROWS * columns, 0f);
  }

  /**
   * For the block's rows b: {@code p[b][j] = scale q_b·k_j} and {@code ds[b][j] = dO_b·v_j}, over
   * every padded key (zero keys and values give zero).
   */
  private static void scores(float[] qBlock, float[] oBlock, float[] keysT, float[] valuesT,
      int keys, int headDim, int columns, float scale, float[] p, float[] ds) {
    for (int j = 0; j < keys; j += L) {
      FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
      FloatVector g0 = s0, g1 = s0, g2 = s0, g3 = s0;
      for (int d = 0, t = j; d < headDim; d++, t += keys) {
        FloatVector kt = FloatVector.fromArray(F, keysT, t);
        FloatVector vt = FloatVector.fromArray(F, valuesT, t);
        s0 = FloatVector.broadcast(F, qBlock[d]).fma(kt, s0);
        s1 = FloatVector.broadcast(F, qBlock[columns + d]).fma(kt, s1);
        s2 = FloatVector.broadcast(F, qBlock[2 * columns + d]).fma(kt, s2);
        s3 = FloatVector.broadcast(F, qBlock[3 * columns + d]).fma(kt, s3);
        g0 = FloatVector.broadcast(F, oBlock[d]).fma(vt, g0);
        g1 = FloatVector.broadcast(F, oBlock[columns + d]).fma(vt, g1);
        g2 = FloatVector.broadcast(F, oBlock[2 * columns + d]).fma(vt, g2);
        g3 = FloatVector.broadcast(F, oBlock[3 * columns + d]).fma(vt, g3);
      }
      s0.mul(scale).intoArray(p, j);
      s1.mul(scale).intoArray(p, keys + j);
      s2.mul(scale).intoArray(p, 2 * keys + j);
      s3.mul(scale).intoArray(p, 3 * keys + j);
      g0.intoArray(ds, j);
      g1.intoArray(ds, keys + j);
      g2.intoArray(ds, 2 * keys + j);
      g3.intoArray(ds, 3 * keys + j);
    }
  }

  /**
   * One row: scores become probabilities, and {@code dP} becomes
   * {@code dS = scale P (dP - sum_j P_j dP_j)}; the padding keys stay at zero.
   */
  private static void scoreGradients(float[] p, float[] ds, int row, int keys, int length,
      float scale) {
    PanamaTensorSupport.softmaxUnchecked(p, row, length);
    float delta = PanamaTensorSupport.dotUnchecked(p, row, ds, row, length);
    for (int j = 0; j < keys; j += L) {
      FloatVector probability = FloatVector.fromArray(F, p, row + j);
      FloatVector.fromArray(F, ds, row + j).sub(delta).mul(probability).mul(scale)
          .intoArray(ds, row + j);
    }
  }

  /** {@code dqBlock[b] = sum_j ds[b][j] k_j} for the block's four rows. */
  private static void queryGradients(float[] ds, float[] keyRows, int keys, int length,
      int columns, float[] dqBlock) {
    for (int c = 0; c < columns; c += L) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int j = 0, r = c; j < length; j++, r += columns) {
        FloatVector key = FloatVector.fromArray(F, keyRows, r);
        a0 = FloatVector.broadcast(F, ds[j]).fma(key, a0);
        a1 = FloatVector.broadcast(F, ds[keys + j]).fma(key, a1);
        a2 = FloatVector.broadcast(F, ds[2 * keys + j]).fma(key, a2);
        a3 = FloatVector.broadcast(F, ds[3 * keys + j]).fma(key, a3);
      }
      a0.intoArray(dqBlock, c);
      a1.intoArray(dqBlock, columns + c);
      a2.intoArray(dqBlock, 2 * columns + c);
      a3.intoArray(dqBlock, 3 * columns + c);
    }
  }

  /** {@code dK[j] += sum_b ds[b][j] q_b} and {@code dV[j] += sum_b p[b][j] dO_b} for every key. */
  private static void keyValueGradients(float[] qBlock, float[] oBlock, float[] p, float[] ds,
      int keys, int length, int columns, float[] dK, float[] dV) {
    for (int c = 0; c < columns; c += L) {
      FloatVector q0 = FloatVector.fromArray(F, qBlock, c);
      FloatVector q1 = FloatVector.fromArray(F, qBlock, columns + c);
      FloatVector q2 = FloatVector.fromArray(F, qBlock, 2 * columns + c);
      FloatVector q3 = FloatVector.fromArray(F, qBlock, 3 * columns + c);
      FloatVector o0 = FloatVector.fromArray(F, oBlock, c);
      FloatVector o1 = FloatVector.fromArray(F, oBlock, columns + c);
      FloatVector o2 = FloatVector.fromArray(F, oBlock, 2 * columns + c);
      FloatVector o3 = FloatVector.fromArray(F, oBlock, 3 * columns + c);
      for (int j = 0, r = c; j < length; j++, r += columns) {
        FloatVector gk = FloatVector.fromArray(F, dK, r);
        gk = FloatVector.broadcast(F, ds[j]).fma(q0, gk);
        gk = FloatVector.broadcast(F, ds[keys + j]).fma(q1, gk);
        gk = FloatVector.broadcast(F, ds[2 * keys + j]).fma(q2, gk);
        gk = FloatVector.broadcast(F, ds[3 * keys + j]).fma(q3, gk);
        gk.intoArray(dK, r);
        FloatVector gv = FloatVector.fromArray(F, dV, r);
        gv = FloatVector.broadcast(F, p[j]).fma(o0, gv);
        gv = FloatVector.broadcast(F, p[keys + j]).fma(o1, gv);
        gv = FloatVector.broadcast(F, p[2 * keys + j]).fma(o2, gv);
        gv = FloatVector.broadcast(F, p[3 * keys + j]).fma(o3, gv);
        gv.intoArray(dV, r);
      }
    }
  }
}
