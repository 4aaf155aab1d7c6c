package dev.quarry.train.loss;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Matryoshka representation learning (Kusupati et al. 2022), as sentence-transformers'
 * {@code MatryoshkaLoss}: for each dimension {@code d}, every embedding is cut to its first
 * {@code d} components and L2-renormalised, the inner loss is computed on those, and the total is
 * {@code sum(weight * inner)}. The gradient flows back through the renormalisation and the cut, so
 * that the leading components learn to stand on their own.
 *
 * <p>Any {@link Loss} may be wrapped; one from this package is evaluated in double throughout.
 */
public final class MatryoshkaLoss extends DoubleLoss {

  private final Loss inner;
  private final List<Integer> dims;
  private final List<Double> weights;

  /** Weight 1 for every dimension, as sentence-transformers' default. */
  public MatryoshkaLoss(Loss inner, List<Integer> dims) {
    this(inner, dims, dims == null ? null : Collections.nCopies(dims.size(), 1.0));
  }

  /**
   * @param dims the leading dimensions to train, e.g. {@code [384, 256, 128, 64]}; each at most the
   *     embedding size, which is checked when the loss is computed
   * @param weights one per dimension
   */
  public MatryoshkaLoss(Loss inner, List<Integer> dims, List<Double> weights) {
    if (inner == null) throw new IllegalArgumentException("inner loss is required");
    if (dims == null || dims.isEmpty()) {
      throw new IllegalArgumentException("matryoshka needs at least one dimension");
    }
    if (weights == null || weights.size() != dims.size()) {
      throw new IllegalArgumentException("matryoshka needs one weight per dimension: "
          + dims.size() + " dims but " + (weights == null ? "no" : weights.size()) + " weights");
    }
    for (Integer d : dims) {
      if (d == null || d <= 0) {
        throw new IllegalArgumentException("matryoshka dims must be positive, got " + dims);
      }
    }
    for (Double w : weights) {
      if (w == null || !(w >= 0) || !Double.isFinite(w)) {
        throw new IllegalArgumentException("matryoshka weights must be finite and non-negative, "
            + "got " + weights);
      }
    }
    this.inner = inner;
    this.dims = List.copyOf(dims);
    this.weights = List.copyOf(weights);
  }

  public Loss inner() {
    return inner;
  }

  public List<Integer> dims() {
    return dims;
  }

  public List<Double> weights() {
    return weights;
  }

  /**
   * Throws an {@link IllegalArgumentException} naming the dim and the size if a dim is larger
   * than {@code embeddingSize}; {@link #compute} checks this too.
   */
  public void requireFits(int embeddingSize) {
    for (int d : dims) {
      if (d > embeddingSize) {
        throw new IllegalArgumentException("matryoshka dim " + d
            + " is larger than the embedding size " + embeddingSize);
      }
    }
  }

  @Override
  public String describe() {
    List<String> w = new ArrayList<>();
    for (double x : weights) w.add(VectorMath.format(x));
    return "matryoshka(dims=" + dims + ", weights=[" + String.join(", ", w) + "], "
        + inner.describe() + ")";
  }

  @Override
  String name() {
    return inner instanceof DoubleLoss d ? d.name() : inner.describe();
  }

  @Override
  DataShape shape() {
    return inner instanceof DoubleLoss d ? d.shape() : DataShape.ANY;
  }

  @Override
  double evaluate(double[][] queries, double[][][] texts, float[][] scores, double[][] dQueries,
      double[][][] dTexts, int dim) {
    requireFits(dim);
    int b = queries.length;
    double total = 0;
    for (int m = 0; m < dims.size(); m++) {
      int d = dims.get(m);
      double weight = weights.get(m);
      double[] qn = new double[b];
      double[][] qu = new double[b][];
      double[][] tn = new double[b][];
      double[][][] tu = new double[b][][];
      for (int i = 0; i < b; i++) {
        qn[i] = sliceNorm(queries[i], d, i, "query embedding");
        qu[i] = unitSlice(queries[i], d, qn[i]);
        tn[i] = new double[texts[i].length];
        tu[i] = new double[texts[i].length][];
        for (int j = 0; j < texts[i].length; j++) {
          tn[i][j] = sliceNorm(texts[i][j], d, i, "text " + j + " embedding");
          tu[i][j] = unitSlice(texts[i][j], d, tn[i][j]);
        }
      }
      double[][] gq = zerosLike(qu);
      double[][][] gt = zerosLike(tu);
      total += weight * innerLoss(qu, tu, scores, gq, gt);
      for (int i = 0; i < b; i++) {
        scale(gq[i], weight);
        for (double[] g : gt[i]) scale(g, weight);
      }
      // Backward through the renormalisation; the cut leaves components d.. untouched.
      normalizeBackward(qu, qn, gq, tu, tn, gt, dQueries, dTexts);
    }
    return total;
  }

  private double innerLoss(double[][] q, double[][][] t, float[][] scores, double[][] gq,
      double[][][] gt) {
    if (inner instanceof DoubleLoss d) return d.computeDouble(q, t, scores, gq, gt);
    float[][] fq = toFloat(q);
    float[][][] ft = new float[t.length][][];
    for (int i = 0; i < t.length; i++) ft[i] = toFloat(t[i]);
    float[][] fgq = toFloat(gq);
    float[][][] fgt = new float[gt.length][][];
    for (int i = 0; i < gt.length; i++) fgt[i] = toFloat(gt[i]);
    double loss = inner.compute(fq, ft, scores, fgq, fgt);
    for (int i = 0; i < q.length; i++) {
      for (int k = 0; k < gq[i].length; k++) gq[i][k] = fgq[i][k];
      for (int j = 0; j < gt[i].length; j++) {
        for (int k = 0; k < gt[i][j].length; k++) gt[i][j][k] = fgt[i][j][k];
      }
    }
    return loss;
  }

  private static double sliceNorm(double[] v, int d, int example, String what) {
    double s = 0;
    for (int k = 0; k < d; k++) s += v[k] * v[k];
    if (s == 0) {
      throw new IllegalArgumentException("example " + example + ": the " + what + "'s first " + d
          + " components are all zero; matryoshka cannot renormalise them");
    }
    return Math.sqrt(s);
  }

  private static double[] unitSlice(double[] v, int d, double norm) {
    double[] u = new double[d];
    for (int k = 0; k < d; k++) u[k] = v[k] / norm;
    return u;
  }

  private static void scale(double[] v, double c) {
    for (int k = 0; k < v.length; k++) v[k] *= c;
  }

  private static float[][] toFloat(double[][] a) {
    float[][] f = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      f[i] = new float[a[i].length];
      for (int k = 0; k < a[i].length; k++) f[i][k] = (float) a[i][k];
    }
    return f;
  }
}
