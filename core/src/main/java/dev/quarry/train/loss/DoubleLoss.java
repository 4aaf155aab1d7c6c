package dev.quarry.train.loss;

import java.util.Arrays;

/**
 * The double-precision core of this package's losses. {@link #compute} copies the float batch to
 * double, checks it, runs {@link #evaluate} and writes the gradient back as float;
 * {@link #computeDouble} does the same in double throughout, for {@link MatryoshkaLoss} (whose
 * renormalised slices stay in double) and for finite-difference tests, which need perturbations
 * that float storage would round away.
 */
abstract class DoubleLoss implements Loss {

  /** The loss's name in error messages, e.g. {@code triplet}. */
  abstract String name();

  /** What each example must hold. */
  abstract DataShape shape();

  /**
   * The loss over a checked batch: every embedding has {@code dim} finite components and every
   * example fits {@link #shape()}. {@code dQueries} and {@code dTexts} arrive zeroed.
   */
  abstract double evaluate(double[][] queries, double[][][] texts, float[][] scores,
      double[][] dQueries, double[][][] dTexts, int dim);

  @Override
  public final double compute(float[][] queries, float[][][] texts, float[][] scores,
      float[][] dQueries, float[][][] dTexts) {
    double[][] q = queries == null ? null : new double[queries.length][];
    double[][][] t = texts == null ? null : new double[texts.length][][];
    for (int i = 0; q != null && i < q.length; i++) q[i] = toDouble(queries[i]);
    for (int i = 0; t != null && i < t.length; i++) {
      if (texts[i] == null) continue;
      t[i] = new double[texts[i].length][];
      for (int j = 0; j < t[i].length; j++) t[i][j] = toDouble(texts[i][j]);
    }
    int dim = validate(q, t, scores);
    checkGradientShapes(q, t, dQueries, dTexts);
    double[][] gq = zerosLike(q);
    double[][][] gt = zerosLike(t);
    double loss = evaluate(q, t, scores, gq, gt, dim);
    for (int i = 0; i < q.length; i++) {
      for (int k = 0; k < dim; k++) dQueries[i][k] = (float) gq[i][k];
      for (int j = 0; j < t[i].length; j++) {
        for (int k = 0; k < dim; k++) dTexts[i][j][k] = (float) gt[i][j][k];
      }
    }
    return loss;
  }

  /** {@link #compute} in double: the same checks, the gradient written to double arrays. */
  final double computeDouble(double[][] queries, double[][][] texts, float[][] scores,
      double[][] dQueries, double[][][] dTexts) {
    int dim = validate(queries, texts, scores);
    checkGradientShapes(queries, texts, dQueries, dTexts);
    for (double[] g : dQueries) Arrays.fill(g, 0);
    for (double[][] gs : dTexts) {
      for (double[] g : gs) Arrays.fill(g, 0);
    }
    return evaluate(queries, texts, scores, dQueries, dTexts, dim);
  }

  /**
   * Checks the batch and returns the embedding size: as many queries as text lists, every
   * embedding present, finite and as long as example 0's query, every example fitting
   * {@link #shape()}.
   */
  final int validate(double[][] queries, double[][][] texts, float[][] scores) {
    if (queries == null || texts == null) {
      throw new IllegalArgumentException("queries and texts are required");
    }
    if (queries.length != texts.length) {
      throw new IllegalArgumentException(queries.length + " queries but " + texts.length
          + " text lists; they must be one per example");
    }
    if (queries.length == 0) throw new IllegalArgumentException("empty batch");
    if (scores != null && scores.length != queries.length) {
      throw new IllegalArgumentException(queries.length + " examples but " + scores.length
          + " score rows");
    }
    if (queries[0] == null) {
      throw new IllegalArgumentException("example 0: query embedding is missing");
    }
    int dim = queries[0].length;
    if (dim == 0) throw new IllegalArgumentException("example 0: query embedding is empty");
    for (int i = 0; i < queries.length; i++) {
      checkEmbedding(queries[i], dim, i, "query embedding");
      shape().check(name(), i, texts[i] == null ? 0 : texts[i].length,
          scores == null ? null : scores[i]);
      for (int j = 0; j < texts[i].length; j++) {
        checkEmbedding(texts[i][j], dim, i, "text " + j + " embedding");
      }
    }
    return dim;
  }

  private static void checkEmbedding(double[] v, int dim, int example, String what) {
    String prefix = "example " + example + ": " + what;
    if (v == null) throw new IllegalArgumentException(prefix + " is missing");
    if (v.length != dim) {
      throw new IllegalArgumentException(prefix + " has " + v.length + " components but example "
          + "0's query has " + dim);
    }
    for (int k = 0; k < dim; k++) {
      if (!Double.isFinite(v[k])) {
        throw new IllegalArgumentException(prefix + " has " + v[k] + " at component " + k);
      }
    }
  }

  /** The float gradient arrays must have the embeddings' shapes. */
  private static void checkGradientShapes(double[][] q, double[][][] t, float[][] dQueries,
      float[][][] dTexts) {
    checkRows(q.length, dQueries == null ? -1 : dQueries.length, dTexts == null ? -1
        : dTexts.length);
    for (int i = 0; i < q.length; i++) {
      checkRow(i, "query", q[i].length, dQueries[i] == null ? -1 : dQueries[i].length);
      checkTexts(i, t[i].length, dTexts[i] == null ? -1 : dTexts[i].length);
      for (int j = 0; j < t[i].length; j++) {
        checkRow(i, "text " + j, t[i][j].length,
            dTexts[i][j] == null ? -1 : dTexts[i][j].length);
      }
    }
  }

  /** The double gradient arrays must have the embeddings' shapes. */
  private static void checkGradientShapes(double[][] q, double[][][] t, double[][] dQueries,
      double[][][] dTexts) {
    checkRows(q.length, dQueries == null ? -1 : dQueries.length, dTexts == null ? -1
        : dTexts.length);
    for (int i = 0; i < q.length; i++) {
      checkRow(i, "query", q[i].length, dQueries[i] == null ? -1 : dQueries[i].length);
      checkTexts(i, t[i].length, dTexts[i] == null ? -1 : dTexts[i].length);
      for (int j = 0; j < t[i].length; j++) {
        checkRow(i, "text " + j, t[i][j].length,
            dTexts[i][j] == null ? -1 : dTexts[i][j].length);
      }
    }
  }

  private static void checkRows(int examples, int queryRows, int textLists) {
    if (queryRows != examples || textLists != examples) {
      throw new IllegalArgumentException("gradient arrays have " + queryRows + " query rows and "
          + textLists + " text lists for " + examples + " examples (-1: missing)");
    }
  }

  private static void checkTexts(int example, int texts, int gradients) {
    if (gradients != texts) {
      throw new IllegalArgumentException("example " + example + ": " + texts + " texts but "
          + gradients + " text gradient rows (-1: missing)");
    }
  }

  private static void checkRow(int example, String what, int length, int gradient) {
    if (gradient != length) {
      throw new IllegalArgumentException("example " + example + ": the " + what
          + " gradient row has length " + gradient + ", expected " + length + " (-1: missing)");
    }
  }

  private static double[] toDouble(float[] v) {
    if (v == null) return null;
    double[] d = new double[v.length];
    for (int k = 0; k < v.length; k++) d[k] = v[k];
    return d;
  }

  static double[][] zerosLike(double[][] a) {
    double[][] z = new double[a.length][];
    for (int i = 0; i < a.length; i++) z[i] = new double[a[i].length];
    return z;
  }

  static double[][][] zerosLike(double[][][] a) {
    double[][][] z = new double[a.length][][];
    for (int i = 0; i < a.length; i++) z[i] = zerosLike(a[i]);
    return z;
  }

  /**
   * The embedding's norm, refusing a zero vector, whose direction (and so cosine) is undefined.
   */
  static double nonZeroNorm(double[] v, int example, String what) {
    double n = VectorMath.norm(v);
    if (n == 0) {
      throw new IllegalArgumentException("example " + example + ": " + what + " is all zeros; "
          + "its cosine is undefined");
    }
    return n;
  }

  /** Unit-length copies of every query; their norms go into {@code norms}. */
  static double[][] unitQueries(double[][] queries, double[] norms) {
    double[][] u = new double[queries.length][];
    for (int i = 0; i < queries.length; i++) {
      norms[i] = nonZeroNorm(queries[i], i, "query embedding");
      u[i] = VectorMath.scaled(queries[i], norms[i]);
    }
    return u;
  }

  /** Unit-length copies of every text; their norms go into {@code norms} (same shape). */
  static double[][][] unitTexts(double[][][] texts, double[][] norms) {
    double[][][] u = new double[texts.length][][];
    for (int i = 0; i < texts.length; i++) {
      norms[i] = new double[texts[i].length];
      u[i] = new double[texts[i].length][];
      for (int j = 0; j < texts[i].length; j++) {
        norms[i][j] = nonZeroNorm(texts[i][j], i, "text " + j + " embedding");
        u[i][j] = VectorMath.scaled(texts[i][j], norms[i][j]);
      }
    }
    return u;
  }

  /**
   * Turns gradients with respect to the unit vectors ({@code gqu}, {@code gtu}) into gradients
   * with respect to the raw embeddings, added to {@code dQueries} and {@code dTexts}.
   */
  static void normalizeBackward(double[][] qu, double[] qn, double[][] gqu, double[][][] tu,
      double[][] tn, double[][][] gtu, double[][] dQueries, double[][][] dTexts) {
    for (int i = 0; i < qu.length; i++) {
      VectorMath.addNormalizeBackward(gqu[i], qu[i], qn[i], dQueries[i]);
      for (int j = 0; j < tu[i].length; j++) {
        VectorMath.addNormalizeBackward(gtu[i][j], tu[i][j], tn[i][j], dTexts[i][j]);
      }
    }
  }
}
