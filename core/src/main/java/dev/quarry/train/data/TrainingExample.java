package dev.quarry.train.data;

import java.util.List;

/**
 * One training example: a query and the texts it is trained against.
 *
 * <ul>
 *   <li>a pair: {@code texts = [positive]}, no scores;
 *   <li>a triplet: {@code texts = [positive, negative, ...]} (hard negatives after the positive);
 *   <li>a list: {@code texts = candidates}, {@code scores} their relevance (ListNet) or a teacher's
 *       scores (MarginMSE: {@code [positive, negative]} with the teacher's two scores).
 * </ul>
 *
 * @param scores one per text, or {@code null}
 */
public record TrainingExample(String query, List<String> texts, float[] scores) {

  public TrainingExample {
    texts = List.copyOf(texts);
    if (scores != null && scores.length != texts.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but " + scores.length + " scores");
    }
  }
}
