package dev.quarry.model;

import java.util.Map;

/**
 * How a model turns token vectors into a sentence embedding: what the sentence-transformers files
 * ({@code modules.json}, {@code 1_Pooling/config.json}, {@code sentence_bert_config.json},
 * {@code config_sentence_transformers.json}) say, or what a built-in model is known to use.
 *
 * @param maxLength tokens per text, special tokens included
 * @param prompts   named prompts, e.g. {@code query -> "query: "}
 */
public record SentenceConfig(Pooling pooling, boolean normalize, int maxLength, Map<String, String> prompts) {

  public SentenceConfig {
    prompts = Map.copyOf(prompts);
    if (maxLength <= 0) throw new IllegalArgumentException("maxLength must be positive, got " + maxLength);
  }

  /** The prompt for queries, or the empty string when the model has none. */
  public String queryPrompt() {
    return prompts.getOrDefault("query", "");
  }

  /** The prompt for documents ({@code passage} or {@code document}), or the empty string. */
  public String documentPrompt() {
    return prompts.getOrDefault("passage", prompts.getOrDefault("document", ""));
  }
}
