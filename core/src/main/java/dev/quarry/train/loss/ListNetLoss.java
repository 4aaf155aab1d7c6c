package dev.quarry.train.loss;

/**
 * ListNet's top-one listwise loss (Cao et al. 2007, "Learning to Rank: From Pairwise Approach to
 * Listwise Approach"), as sentence-transformers' {@code ListNetLoss}: per query, the cross-entropy
 * between the softmax of the given scores (the target) and the softmax of the model's scores over
 * the example's own candidates, averaged over the queries. The model's score is
 * {@code cosine * scale}; the target softmax uses the scores as given.
 *
 * <p>The scale defaults to 20 ({@code 1 / temperature} with temperature 0.05, as
 * {@link MultipleNegativesRankingLoss}): cosines lie in [-1, 1], so unscaled they could express
 * only a nearly flat distribution. A query with one candidate contributes zero.
 */
public final class ListNetLoss extends DoubleLoss {

  /** Temperature 0.05, as MNR's default. */
  public static final double DEFAULT_SCALE = 20;

  private final double scale;

  /** Scale 20. */
  public ListNetLoss() {
    this(DEFAULT_SCALE);
  }

  /** @param scale multiplies the cosines before the softmax: {@code 1 / temperature} */
  public ListNetLoss(double scale) {
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
    }
    this.scale = scale;
  }

  public double scale() {
    return scale;
  }

  @Override
  public String describe() {
    return "listnet(scale=" + VectorMath.format(scale) + ")";
  }

  @Override
  String name() {
    return "listnet";
  }

  @Override
  DataShape shape() {
    return DataShape.SCORED_LIST;
  }

  @Override
  double evaluate(double[][] queries, double[][][] texts, float[][] scores, double[][] dQueries,
      double[][][] dTexts, int dim) {
    int b = queries.length;
    double[] qn = new double[b];
    double[][] qu = unitQueries(queries, qn);
    double[][] tn = new double[b][];
    double[][][] tu = unitTexts(texts, tn);
    double[][] gq = zerosLike(qu);
    double[][][] gt = zerosLike(tu);
    double total = 0;
    for (int i = 0; i < b; i++) {
      int n = tu[i].length;
      double[] target = new double[n];
      for (int j = 0; j < n; j++) target[j] = scores[i][j];
      double targetLse = VectorMath.logSumExp(target, n);
      double[] logits = new double[n];
      for (int j = 0; j < n; j++) logits[j] = scale * VectorMath.dot(qu[i], tu[i][j]);
      double lse = VectorMath.logSumExp(logits, n);
      for (int j = 0; j < n; j++) {
        double t = Math.exp(target[j] - targetLse);
        double p = Math.exp(logits[j] - lse);
        // -sum t log p = sum t (lse - logit); d / d logit = p - t.
        total += t * (lse - logits[j]);
        double g = (p - t) * scale / b;
        VectorMath.axpy(g, tu[i][j], gq[i]);
        VectorMath.axpy(g, qu[i], gt[i][j]);
      }
    }
    normalizeBackward(qu, qn, gq, tu, tn, gt, dQueries, dTexts);
    return total / b;
  }
}
