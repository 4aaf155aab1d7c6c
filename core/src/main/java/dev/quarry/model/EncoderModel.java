package dev.quarry.model;

import dev.quarry.tokenizer.Tokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/**
 * A loaded embedding model: encoder weights, tokenizer and sentence configuration. Closing it
 * releases the mapped and off-heap memory its weights live in; using the weights afterwards fails
 * with an {@link IllegalStateException}, never a crash.
 *
 * @param tokenizerJson the {@code tokenizer.json} it was read from, copied verbatim when saving
 */
public record EncoderModel(String name, BertWeights weights, Tokenizer tokenizer,
    Path tokenizerJson, SentenceConfig sentence, Arena arena) implements AutoCloseable {

  public BertConfig config() {
    return weights.config();
  }

  @Override
  public void close() {
    arena.close();
  }
}
