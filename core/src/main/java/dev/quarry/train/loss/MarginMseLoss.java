package dev.quarry.train.loss;

/**
 * Margin-MSE distillation (Hofstätter et al. 2020, "Improving Efficient Neural Ranking Models with
 * Cross-Architecture Knowledge Distillation"), as sentence-transformers' {@code MarginMSELoss}: the
 * squared difference between the student's margin {@code dot(q, pos) - dot(q, neg)} and the
 * teacher's {@code scores[0] - scores[j]}, averaged. Dot product on the embeddings as given, as
 * sentence-transformers' default similarity.
 *
 * <p>An example with several negatives gives one margin per negative, and the mean is over all
 * margins of the batch: with the same number of negatives everywhere, this is
 * sentence-transformers' mean over its {@code (batch, negatives)} tensor.
 */
public final class MarginMseLoss extends DoubleLoss {

  @Override
  public String describe() {
    return "margin-mse";
  }

  @Override
  String name() {
    return "margin-mse";
  }

  @Override
  DataShape shape() {
    return DataShape.TEACHER_MARGIN;
  }

  @Override
  double evaluate(double[][] queries, double[][][] texts, float[][] scores, double[][] dQueries,
      double[][][] dTexts, int dim) {
    int margins = 0;
    for (double[][] t : texts) margins += t.length - 1;
    double total = 0;
    for (int i = 0; i < queries.length; i++) {
      double[] q = queries[i];
      double[] pos = texts[i][0];
      double dotPos = VectorMath.dot(q, pos);
      for (int j = 1; j < texts[i].length; j++) {
        double[] neg = texts[i][j];
        double error = dotPos - VectorMath.dot(q, neg) - ((double) scores[i][0] - scores[i][j]);
        total += error * error;
        double g = 2 * error / margins;
        VectorMath.axpy(g, pos, dQueries[i]);
        VectorMath.axpy(-g, neg, dQueries[i]);
        VectorMath.axpy(g, q, dTexts[i][0]);
        VectorMath.axpy(-g, q, dTexts[i][j]);
      }
    }
    return total / margins;
  }
}
