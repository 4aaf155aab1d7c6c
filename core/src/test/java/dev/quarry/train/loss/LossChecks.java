package dev.quarry.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

/**
 * Shared test helpers: random batches and the finite-difference gradient check, all in double
 * through {@link DoubleLoss#computeDouble}, so that the perturbation is not rounded to float.
 */
final class LossChecks {

  /**
   * The step of the five-point central difference, whose truncation error is O(h^4): with
   * h = 1e-4 both it and round-off (about 1e-16 * loss / h) stay near 1e-10, where the three-point
   * rule would leave about 1e-9 at its best step.
   */
  static final double STEP = 1e-4;
  /** Allowed |numeric - analytic| relative to the larger of the two. */
  static final double RELATIVE = 1e-7;
  /** Absolute floor for components whose gradient is (nearly) zero. */
  static final double ABSOLUTE = 1e-9;

  private LossChecks() {}

  /** A batch in double: queries, texts per example (positive first) and scores. */
  record Batch(double[][] queries, double[][][] texts, float[][] scores) {}

  /**
   * {@code b} examples of dimension {@code dim}, each with between {@code minTexts} and
   * {@code maxTexts} texts, Gaussian components; scores in [-3, 3] for every text.
   */
  static Batch random(long seed, int b, int dim, int minTexts, int maxTexts) {
    Random r = new Random(seed);
    double[][] q = new double[b][];
    double[][][] t = new double[b][][];
    float[][] s = new float[b][];
    for (int i = 0; i < b; i++) {
      q[i] = gaussian(r, dim);
      int n = minTexts + r.nextInt(maxTexts - minTexts + 1);
      t[i] = new double[n][];
      s[i] = new float[n];
      for (int j = 0; j < n; j++) {
        t[i][j] = gaussian(r, dim);
        s[i][j] = (float) (6 * r.nextDouble() - 3);
      }
    }
    return new Batch(q, t, s);
  }

  private static double[] gaussian(Random r, int dim) {
    double[] v = new double[dim];
    for (int k = 0; k < dim; k++) v[k] = r.nextGaussian();
    return v;
  }

  static double loss(DoubleLoss loss, Batch batch) {
    return loss.computeDouble(batch.queries(), batch.texts(), batch.scores(),
        DoubleLoss.zerosLike(batch.queries()), DoubleLoss.zerosLike(batch.texts()));
  }

  /**
   * Compares the analytic gradient with central differences of the loss for every component of
   * every embedding, and returns the largest relative error seen.
   */
  static double checkGradient(DoubleLoss loss, Batch batch) {
    double[][] gq = DoubleLoss.zerosLike(batch.queries());
    double[][][] gt = DoubleLoss.zerosLike(batch.texts());
    loss.computeDouble(batch.queries(), batch.texts(), batch.scores(), gq, gt);
    double worst = 0;
    double magnitude = 0;
    for (int i = 0; i < gq.length; i++) {
      worst = Math.max(worst, check(loss, batch, batch.queries()[i], gq[i], "query " + i));
      for (double g : gq[i]) magnitude += Math.abs(g);
      for (int j = 0; j < gt[i].length; j++) {
        worst = Math.max(worst, check(loss, batch, batch.texts()[i][j], gt[i][j],
            "example " + i + " text " + j));
        for (double g : gt[i][j]) magnitude += Math.abs(g);
      }
    }
    assertTrue(magnitude > 1e-3, "the gradient is (nearly) zero; the check would prove nothing");
    return worst;
  }

  private static double check(DoubleLoss loss, Batch batch, double[] v, double[] analytic,
      String what) {
    double worst = 0;
    for (int k = 0; k < v.length; k++) {
      double x = v[k];
      v[k] = x + 2 * STEP;
      double plus2 = loss(loss, batch);
      v[k] = x + STEP;
      double plus = loss(loss, batch);
      v[k] = x - STEP;
      double minus = loss(loss, batch);
      v[k] = x - 2 * STEP;
      double minus2 = loss(loss, batch);
      v[k] = x;
      double numeric = (-plus2 + 8 * plus - 8 * minus + minus2) / (12 * STEP);
      double error = Math.abs(numeric - analytic[k]);
      double scale = Math.max(Math.abs(numeric), Math.abs(analytic[k]));
      assertTrue(error <= RELATIVE * scale + ABSOLUTE, what + " component " + k + ": analytic "
          + analytic[k] + ", numeric " + numeric);
      if (scale > 1e-3) worst = Math.max(worst, error / scale);
    }
    return worst;
  }

  /**
   * The public float entry point on a float-representable copy of the batch must give the same
   * loss as the double one, and the double gradient rounded to float.
   */
  static void checkFloatMatchesDouble(DoubleLoss loss, Batch batch) {
    int b = batch.queries().length;
    float[][] fq = new float[b][];
    float[][][] ft = new float[b][][];
    float[][] gqf = new float[b][];
    float[][][] gtf = new float[b][][];
    double[][] dq = new double[b][];
    double[][][] dt = new double[b][][];
    for (int i = 0; i < b; i++) {
      fq[i] = toFloat(batch.queries()[i]);
      dq[i] = toDouble(fq[i]);
      gqf[i] = new float[fq[i].length];
      int n = batch.texts()[i].length;
      ft[i] = new float[n][];
      dt[i] = new double[n][];
      gtf[i] = new float[n][];
      for (int j = 0; j < n; j++) {
        ft[i][j] = toFloat(batch.texts()[i][j]);
        dt[i][j] = toDouble(ft[i][j]);
        gtf[i][j] = new float[ft[i][j].length];
      }
    }
    double[][] gq = DoubleLoss.zerosLike(dq);
    double[][][] gt = DoubleLoss.zerosLike(dt);
    double expected = loss.computeDouble(dq, dt, batch.scores(), gq, gt);
    double actual = loss.compute(fq, ft, batch.scores(), gqf, gtf);
    assertEquals(expected, actual, 0.0, "float and double entry points differ");
    for (int i = 0; i < b; i++) {
      for (int k = 0; k < gq[i].length; k++) assertEquals((float) gq[i][k], gqf[i][k]);
      for (int j = 0; j < gt[i].length; j++) {
        for (int k = 0; k < gt[i][j].length; k++) assertEquals((float) gt[i][j][k], gtf[i][j][k]);
      }
    }
  }

  static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int k = 0; k < v.length; k++) f[k] = (float) v[k];
    return f;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int k = 0; k < v.length; k++) d[k] = v[k];
    return d;
  }

  /** Runs the public float entry point with gradient arrays of the right shape. */
  static double computeFloat(Loss loss, float[][] q, float[][][] t, float[][] scores) {
    float[][] gq = new float[q.length][];
    for (int i = 0; i < q.length; i++) gq[i] = new float[q[i] == null ? 0 : q[i].length];
    float[][][] gt = new float[t.length][][];
    for (int i = 0; i < t.length; i++) {
      gt[i] = new float[t[i] == null ? 0 : t[i].length][];
      for (int j = 0; j < gt[i].length; j++) {
        gt[i][j] = new float[t[i][j] == null ? 0 : t[i][j].length];
      }
    }
    return loss.compute(q, t, scores, gq, gt);
  }

  /** One-line float vectors for hand-worked cases. */
  static float[] v(double... xs) {
    float[] f = new float[xs.length];
    for (int k = 0; k < xs.length; k++) f[k] = (float) xs[k];
    return f;
  }
}
