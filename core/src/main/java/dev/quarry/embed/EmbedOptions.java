package dev.quarry.embed;

import dev.quarry.model.Pooling;

/**
 * How an {@link Embedder} runs its model; every field left unset follows the model's own
 * configuration.
 *
 * @param threads    worker threads for the encoder; 0 means all available processors
 * @param maxLength  tokens per text after truncation (special tokens included); 0 means the model's
 * @param pooling    pooling override; {@code null} means the model's
 * @param normalize  L2-normalise the output; {@code null} means the model's (normally true)
 * @param dimension  Matryoshka truncation to the first {@code dimension} components (renormalised
 *                   when normalising); 0 means the model's full dimension
 * @param prompt     text prepended to every input of {@link Embedder#embed}; {@code null} for none
 * @param promptName a prompt of the model's by name ({@code query}, {@code passage}/{@code document});
 *                   ignored when {@code prompt} is set
 * @param device     where the encoder runs; {@code null} means the CPU
 */
public record EmbedOptions(int threads, int maxLength, Pooling pooling, Boolean normalize,
    int dimension, String prompt, String promptName, Device device) {

  public EmbedOptions {
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    if (maxLength < 0) throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
    if (dimension < 0) throw new IllegalArgumentException("dimension must be >= 0, got " + dimension);
    if (device == null) device = Device.CPU;
  }

  /** Options on the CPU. */
  public EmbedOptions(int threads, int maxLength, Pooling pooling, Boolean normalize, int dimension,
      String prompt, String promptName) {
    this(threads, maxLength, pooling, normalize, dimension, prompt, promptName, Device.CPU);
  }

  /** Everything from the model's configuration, on all processors. */
  public static EmbedOptions defaults() {
    return new EmbedOptions(0, 0, null, null, 0, null, null, Device.CPU);
  }

  public EmbedOptions withThreads(int threads) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withMaxLength(int maxLength) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withPooling(Pooling pooling) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withNormalize(boolean normalize) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withDimension(int dimension) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withPrompt(String prompt) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  public EmbedOptions withPromptName(String promptName) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }

  /** Runs the encoder on {@code device} (the CPU when no GPU is usable, said once on stderr). */
  public EmbedOptions withDevice(Device device) {
    return new EmbedOptions(threads, maxLength, pooling, normalize, dimension, prompt, promptName, device);
  }
}
