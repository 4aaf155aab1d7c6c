package dev.quarry.cli;

/**
 * Appends JSON values to a {@link StringBuilder}: strings escaped per RFC 8259 and numbers in their
 * shortest round-tripping form, without building a tree first (output is written line by line).
 */
final class Json {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /**
   * Appends {@code s} as a JSON string. Quotes, backslashes and control characters are escaped;
   * so are lone surrogates, which UTF-8 cannot encode (the writer would turn them into '?').
   * Everything else is written as is.
   */
  static StringBuilder appendString(StringBuilder b, String s) {
    b.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20) {
            appendUnicodeEscape(b, c);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              b.append(c).append(s.charAt(++i));
            } else {
              appendUnicodeEscape(b, c);
            }
          } else if (Character.isLowSurrogate(c)) {
            appendUnicodeEscape(b, c);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }

  private static void appendUnicodeEscape(StringBuilder b, char c) {
    b.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15])
        .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
  }

  /**
   * Appends {@code [v0, v1, ...]} with each float in its shortest decimal form that reads back to
   * the same float (what {@link Float#toString} prints). JSON has no NaN or infinity, and an
   * embedding holding one is broken, so those fail instead of printing something unreadable.
   */
  static StringBuilder appendFloats(StringBuilder b, float[] values) {
    b.append('[');
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!Float.isFinite(v)) {
        throw new IllegalStateException("component " + i + " is " + v + ", which JSON cannot hold");
      }
      if (i > 0) b.append(", ");
      b.append(v);
    }
    return b.append(']');
  }

  /** Appends {@code [v0, v1, ...]}. */
  static StringBuilder appendInts(StringBuilder b, int[] values) {
    b.append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) b.append(", ");
      b.append(values[i]);
    }
    return b.append(']');
  }

  /** Appends {@code ["s0", "s1", ...]}. */
  static StringBuilder appendStrings(StringBuilder b, String[] values) {
    b.append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) b.append(", ");
      appendString(b, values[i]);
    }
    return b.append(']');
  }
}
