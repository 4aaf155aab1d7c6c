package dev.quarry.embed;

import java.util.Locale;

/** Where an {@link Embedder} runs its encoder. */
public enum Device {
  /** The Vector API encoder on the CPU's cores: the default, and the fallback when no GPU is usable. */
  CPU,
  /** The CUDA encoder on the first NVIDIA GPU (fp16 weights, fp32 accumulation). */
  CUDA;

  /** Parses {@code cpu} or {@code cuda}, case-insensitively. */
  public static Device parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "cpu" -> CPU;
      case "cuda", "gpu" -> CUDA;
      default -> throw new IllegalArgumentException("device \"" + name + "\" is not supported (cpu or cuda)");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
