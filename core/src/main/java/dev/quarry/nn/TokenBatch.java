package dev.quarry.nn;

import dev.quarry.model.BertConfig;
import java.util.Arrays;

/**
 * Several tokenized texts concatenated without padding, as Hugging Face TEI batches them: sequence
 * {@code s} owns tokens {@code [starts[s], starts[s + 1])}. No compute is spent on padding, and a
 * text's result cannot depend on what else is in its batch.
 */
public record TokenBatch(int[] ids, int[] typeIds, int[] starts) {

  public TokenBatch {
    if (ids.length != typeIds.length) {
      throw new IllegalArgumentException(ids.length + " token ids but " + typeIds.length + " type ids");
    }
    if (starts.length == 0 || starts[0] != 0 || starts[starts.length - 1] != ids.length) {
      throw new IllegalArgumentException("sequence starts " + Arrays.toString(starts)
          + " must run from 0 to the token count " + ids.length);
    }
    for (int s = 1; s < starts.length; s++) {
      if (starts[s] <= starts[s - 1]) {
        throw new IllegalArgumentException("sequence " + (s - 1) + " is empty; every text has at least"
            + " its special tokens");
      }
    }
  }

  /** Concatenates per-text token and type ids. */
  public static TokenBatch of(int[][] ids, int[][] typeIds) {
    int[] starts = new int[ids.length + 1];
    for (int s = 0; s < ids.length; s++) starts[s + 1] = starts[s] + ids[s].length;
    int[] allIds = new int[starts[ids.length]];
    int[] allTypes = new int[allIds.length];
    for (int s = 0; s < ids.length; s++) {
      System.arraycopy(ids[s], 0, allIds, starts[s], ids[s].length);
      System.arraycopy(typeIds[s], 0, allTypes, starts[s], typeIds[s].length);
    }
    return new TokenBatch(allIds, allTypes, starts);
  }

  public int sequenceCount() {
    return starts.length - 1;
  }

  public int tokenCount() {
    return ids.length;
  }

  public int start(int sequence) {
    return starts[sequence];
  }

  public int length(int sequence) {
    return starts[sequence + 1] - starts[sequence];
  }

  /**
   * Checks that the batch can run through a model of {@code config}: no sequence longer than its
   * positions, no id outside its vocabularies (a tokenizer of another model).
   */
  public void checkFits(BertConfig config) {
    for (int s = 0; s < sequenceCount(); s++) {
      if (length(s) > config.maxPositions()) {
        throw new IllegalArgumentException("sequence " + s + " has " + length(s)
            + " tokens; the model has " + config.maxPositions() + " positions: truncate it");
      }
    }
    for (int t = 0; t < tokenCount(); t++) {
      int id = ids[t];
      int type = typeIds[t];
      if (id < 0 || id >= config.vocabSize() || type < 0 || type >= config.typeVocabSize()) {
        throw new IllegalArgumentException("token " + t + ": id " + id + " / type " + type
            + " is outside the model's vocabulary of " + config.vocabSize() + " / "
            + config.typeVocabSize() + "; the tokenizer does not belong to this model");
      }
    }
  }
}
