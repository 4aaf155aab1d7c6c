package dev.quarry.train.loss;

/**
 * A training objective over one batch of embeddings, with its gradient.
 *
 * <p>The batch is {@code b} examples: {@code queries[i]} is example {@code i}'s query embedding,
 * {@code texts[i][j]} the embedding of its {@code j}-th text (see
 * {@link dev.quarry.train.data.TrainingExample}: the positive first), {@code scores[i]} its
 * labels or teacher scores (or {@code null}). Embeddings are the model's output (pooled, and
 * normalised if the model normalises); a loss that compares by cosine normalises them itself.
 *
 * <p>{@link #compute} returns the loss (a mean over the batch) and writes {@code d loss / d
 * embedding} into {@code dQueries} and {@code dTexts}, arrays of the same shapes, overwriting them.
 * Arithmetic is in double, so that finite differences can check it.
 */
public interface Loss {

  double compute(float[][] queries, float[][][] texts, float[][] scores, float[][] dQueries,
      float[][][] dTexts);

  /** A short name for logs and checkpoints, e.g. {@code mnr(scale=20)}. */
  String describe();
}
