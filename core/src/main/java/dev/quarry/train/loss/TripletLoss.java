package dev.quarry.train.loss;

/**
 * The triplet margin loss, as sentence-transformers' {@code TripletLoss} (Schroff et al. 2015,
 * "FaceNet"): {@code max(0, d(q, pos) - d(q, neg) + margin)}, averaged over the batch's triplets.
 * Every hard negative of an example makes one triplet with its query and positive, as if the
 * dataset held one row per negative.
 *
 * <p>The euclidean distance is exact; PyTorch's {@code pairwise_distance} adds 1e-6 to the
 * difference, so values can differ from sentence-transformers' by about that much. Where a query
 * and a text coincide the euclidean distance has no gradient and contributes zero.
 */
public final class TripletLoss extends DoubleLoss {

  /** The distance between embeddings. */
  public enum Distance {
    /** {@code |a - b|}, on the embeddings as given. */
    EUCLIDEAN,
    /** {@code 1 - cos(a, b)}. */
    COSINE
  }

  /** sentence-transformers' default margin, for either distance. */
  public static final double DEFAULT_MARGIN = 5;

  private final Distance distance;
  private final double margin;

  /** Euclidean distance, margin 5, as sentence-transformers. */
  public TripletLoss() {
    this(Distance.EUCLIDEAN, DEFAULT_MARGIN);
  }

  /**
   * @param margin how much closer than the negative the positive must be; with cosine distance,
   *     which lies in [0, 2], a margin well under 2 (e.g. 0.5) is what makes the loss reach zero
   */
  public TripletLoss(Distance distance, double margin) {
    if (distance == null) throw new IllegalArgumentException("distance is required");
    if (!(margin >= 0) || !Double.isFinite(margin)) {
      throw new IllegalArgumentException("margin must be finite and non-negative, got " + margin);
    }
    this.distance = distance;
    this.margin = margin;
  }

  public Distance distance() {
    return distance;
  }

  public double margin() {
    return margin;
  }

  @Override
  public String describe() {
    return "triplet(distance=" + distance.name().toLowerCase(java.util.Locale.ROOT) + ", margin="
        + VectorMath.format(margin) + ")";
  }

  @Override
  String name() {
    return "triplet";
  }

  @Override
  DataShape shape() {
    return DataShape.TRIPLET;
  }

  @Override
  double evaluate(double[][] queries, double[][][] texts, float[][] scores, double[][] dQueries,
      double[][][] dTexts, int dim) {
    int triplets = 0;
    for (double[][] t : texts) triplets += t.length - 1;
    return distance == Distance.EUCLIDEAN
        ? euclidean(queries, texts, dQueries, dTexts, dim, triplets)
        : cosine(queries, texts, dQueries, dTexts, triplets);
  }

  private double euclidean(double[][] queries, double[][][] texts, double[][] dQueries,
      double[][][] dTexts, int dim, int triplets) {
    double total = 0;
    double[] toPos = new double[dim];
    double[] toNeg = new double[dim];
    for (int i = 0; i < queries.length; i++) {
      double dp = difference(queries[i], texts[i][0], toPos);
      for (int j = 1; j < texts[i].length; j++) {
        double dn = difference(queries[i], texts[i][j], toNeg);
        double v = dp - dn + margin;
        if (v <= 0) continue;
        total += v;
        // d|q - x| / dq = (q - x) / |q - x|, and the opposite for x.
        if (dp > 0) {
          VectorMath.axpy(1.0 / (dp * triplets), toPos, dQueries[i]);
          VectorMath.axpy(-1.0 / (dp * triplets), toPos, dTexts[i][0]);
        }
        if (dn > 0) {
          VectorMath.axpy(-1.0 / (dn * triplets), toNeg, dQueries[i]);
          VectorMath.axpy(1.0 / (dn * triplets), toNeg, dTexts[i][j]);
        }
      }
    }
    return total / triplets;
  }

  /** Writes {@code q - x} into {@code out} and returns its length. */
  private static double difference(double[] q, double[] x, double[] out) {
    for (int k = 0; k < q.length; k++) out[k] = q[k] - x[k];
    return VectorMath.norm(out);
  }

  private double cosine(double[][] queries, double[][][] texts, double[][] dQueries,
      double[][][] dTexts, int triplets) {
    int b = queries.length;
    double[] qn = new double[b];
    double[][] qu = unitQueries(queries, qn);
    double[][] tn = new double[b][];
    double[][][] tu = unitTexts(texts, tn);
    double[][] gq = zerosLike(qu);
    double[][][] gt = zerosLike(tu);
    double total = 0;
    for (int i = 0; i < b; i++) {
      double cp = VectorMath.dot(qu[i], tu[i][0]);
      for (int j = 1; j < tu[i].length; j++) {
        double cn = VectorMath.dot(qu[i], tu[i][j]);
        // (1 - cp) - (1 - cn) + margin
        double v = cn - cp + margin;
        if (v <= 0) continue;
        total += v;
        double w = 1.0 / triplets;
        VectorMath.axpy(-w, tu[i][0], gq[i]);
        VectorMath.axpy(-w, qu[i], gt[i][0]);
        VectorMath.axpy(w, tu[i][j], gq[i]);
        VectorMath.axpy(w, qu[i], gt[i][j]);
      }
    }
    normalizeBackward(qu, qn, gq, tu, tn, gt, dQueries, dTexts);
    return total / triplets;
  }
}
