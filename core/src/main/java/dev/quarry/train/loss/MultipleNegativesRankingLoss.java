package dev.quarry.train.loss;

/**
 * InfoNCE with in-batch negatives, as sentence-transformers' {@code MultipleNegativesRankingLoss}
 * (Henderson et al. 2017, "Efficient Natural Language Response Suggestion"): each query is scored
 * against every document in the batch (every example's positive and every example's hard
 * negatives) by {@code cosine * scale}, and the loss is the cross-entropy with its own positive as
 * the target, averaged over the queries.
 *
 * <p>With {@code symmetric}, as {@code MultipleNegativesSymmetricRankingLoss}, each positive is
 * also scored against every query with its own query as the target (hard negatives take no part
 * in that direction) and the loss is {@code (forward + backward) / 2}.
 *
 * <p>Examples may have different numbers of hard negatives; all of them join the candidates. The
 * scores are computed one query at a time, so memory stays linear in the batch, which matters for
 * the large batches of the cached (GradCache) variant.
 */
public final class MultipleNegativesRankingLoss extends DoubleLoss {

  /** sentence-transformers' default: temperature 0.05. */
  public static final double DEFAULT_SCALE = 20;

  private final double scale;
  private final boolean symmetric;

  /** Scale 20, one direction. */
  public MultipleNegativesRankingLoss() {
    this(DEFAULT_SCALE, false);
  }

  /**
   * @param scale multiplies the cosines before the softmax: {@code 1 / temperature}
   * @param symmetric also rank the queries for each positive, and average both directions
   */
  public MultipleNegativesRankingLoss(double scale, boolean symmetric) {
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
    }
    this.scale = scale;
    this.symmetric = symmetric;
  }

  public double scale() {
    return scale;
  }

  public boolean symmetric() {
    return symmetric;
  }

  @Override
  public String describe() {
    return "mnr(scale=" + VectorMath.format(scale) + (symmetric ? ", symmetric)" : ")");
  }

  @Override
  String name() {
    return "mnr";
  }

  @Override
  DataShape shape() {
    return DataShape.PAIR;
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

    // Candidates: all positives (candidate i is example i's positive), then all hard negatives.
    int count = b;
    for (double[][] t : tu) count += t.length - 1;
    double[][] cand = new double[count][];
    double[][] candGrad = new double[count][];
    for (int i = 0; i < b; i++) {
      cand[i] = tu[i][0];
      candGrad[i] = gt[i][0];
    }
    for (int i = 0, c = b; i < b; i++) {
      for (int j = 1; j < tu[i].length; j++, c++) {
        cand[c] = tu[i][j];
        candGrad[c] = gt[i][j];
      }
    }

    double weight = symmetric ? 0.5 / b : 1.0 / b;
    double forward = crossEntropy(qu, gq, cand, candGrad, weight);
    double backward = 0;
    if (symmetric) {
      double[][] pos = new double[b][];
      double[][] posGrad = new double[b][];
      for (int i = 0; i < b; i++) {
        pos[i] = tu[i][0];
        posGrad[i] = gt[i][0];
      }
      backward = crossEntropy(pos, posGrad, qu, gq, weight);
    }
    normalizeBackward(qu, qn, gq, tu, tn, gt, dQueries, dTexts);
    return symmetric ? (forward / b + backward / b) / 2 : forward / b;
  }

  /**
   * The summed cross-entropy of each anchor {@code a} against all {@code cand}, target candidate
   * {@code a}; adds {@code weight * d sum / d} (anchors, candidates) to the gradient rows.
   */
  private double crossEntropy(double[][] anchors, double[][] anchorGrad, double[][] cand,
      double[][] candGrad, double weight) {
    double total = 0;
    double[] logits = new double[cand.length];
    for (int a = 0; a < anchors.length; a++) {
      for (int c = 0; c < cand.length; c++) logits[c] = scale * VectorMath.dot(anchors[a], cand[c]);
      double lse = VectorMath.logSumExp(logits, cand.length);
      total += lse - logits[a];
      for (int c = 0; c < cand.length; c++) {
        // d CE / d logit = softmax - onehot; d logit / d cosine = scale.
        double g = (Math.exp(logits[c] - lse) - (c == a ? 1 : 0)) * scale * weight;
        VectorMath.axpy(g, cand[c], anchorGrad[a]);
        VectorMath.axpy(g, anchors[a], candGrad[c]);
      }
    }
    return total;
  }
}
