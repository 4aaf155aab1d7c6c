package dev.quarry.model;

import java.util.Arrays;
import java.util.Locale;

/** How token vectors become one text vector (sentence-transformers' pooling modes). */
public enum Pooling {
  /** The average of the token vectors, special tokens included (sentence-transformers' "mean"). */
  MEAN,
  /** The first token's vector ([CLS]). */
  CLS,
  /** The element-wise maximum over the tokens. */
  MAX;

  /** Parses {@code mean}, {@code cls} or {@code max}, case-insensitively. */
  public static Pooling parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pooling \"" + name + "\" is not supported (one of "
          + Arrays.toString(values()).toLowerCase(Locale.ROOT) + ")");
    }
  }

  /** The lower-case name used in configuration files and on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
