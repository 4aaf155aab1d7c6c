package dev.quarry.train.loss;

/**
 * What a loss needs of each {@link dev.quarry.train.data.TrainingExample}, so that a trainer can
 * reject a bad example by its index before encoding it. {@link Losses#shape} gives a loss's shape
 * and {@link Losses#check} applies it to an example.
 */
public enum DataShape {

  /** A query and its positive; hard negatives after the positive are optional; scores unused. */
  PAIR("a query and a positive, optionally hard negatives", 1, false),

  /** A query, its positive and at least one hard negative; scores unused. */
  TRIPLET("a query, a positive and at least one negative", 2, false),

  /** A query and one or more candidates, with a relevance score for each. */
  SCORED_LIST("a query and candidates with a score for each", 1, true),

  /** A query, its positive and at least one negative, with a teacher score for each text. */
  TEACHER_MARGIN("a query, a positive and at least one negative with a teacher score for each", 2,
      true),

  /** A loss from outside this package: at least one text, the loss checks the rest itself. */
  ANY("a query and at least one text", 1, false);

  private final String description;
  private final int minTexts;
  private final boolean needsScores;

  DataShape(String description, int minTexts, boolean needsScores) {
    this.description = description;
    this.minTexts = minTexts;
    this.needsScores = needsScores;
  }

  /** For help text, e.g. "a query, a positive and at least one negative". */
  public String description() {
    return description;
  }

  public int minTexts() {
    return minTexts;
  }

  public boolean needsScores() {
    return needsScores;
  }

  /**
   * Throws an {@link IllegalArgumentException} that names the example and the loss, e.g. "example
   * 12: the triplet loss needs a negative after the positive", if an example with {@code texts}
   * texts and these {@code scores} (may be {@code null}) does not fit this shape.
   */
  public void check(String loss, int example, int texts, float[] scores) {
    String prefix = "example " + example + ": the " + loss + " loss ";
    if (texts < 1) {
      throw new IllegalArgumentException(prefix + "needs at least one text (the positive)");
    }
    if (texts < minTexts) {
      throw new IllegalArgumentException(prefix + "needs a negative after the positive (got only "
          + "the positive; it needs " + description + ")");
    }
    if (!needsScores) return;
    if (scores == null) {
      throw new IllegalArgumentException(prefix + "needs a score for each text (" + description
          + "), got none");
    }
    if (scores.length != texts) {
      throw new IllegalArgumentException(prefix + "needs a score for each text: " + texts
          + " texts but " + scores.length + " scores");
    }
    for (int j = 0; j < texts; j++) {
      if (!Float.isFinite(scores[j])) {
        throw new IllegalArgumentException(prefix + "needs finite scores, score " + j + " is "
            + scores[j]);
      }
    }
  }
}
