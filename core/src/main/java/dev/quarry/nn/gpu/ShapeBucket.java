package dev.quarry.nn.gpu;

/**
 * The shape a batch runs as on the GPU, rounded up so that a few captured CUDA graphs serve every
 * batch: token rows (GEMM rows), sequence slots, and the longest sequence (the attention grid).
 * Padding rows belong to no sequence and padding slots are empty, so rounding up changes no result.
 */
public record ShapeBucket(int tokens, int sequences, int maxLength) {

  /** The attention kernel's query tile: the bucket's longest sequence is a multiple of it. */
  static final int QUERY_TILE = 64;

  /** The smallest bucket holding {@code tokens} rows in {@code sequences} sequences, none longer than {@code maxLength}. */
  public static ShapeBucket of(int tokens, int sequences, int maxLength) {
    if (tokens <= 0 || sequences <= 0 || maxLength <= 0 || maxLength > tokens || sequences > tokens) {
      throw new IllegalArgumentException("no batch has " + tokens + " tokens in " + sequences
          + " sequences of at most " + maxLength);
    }
    return new ShapeBucket(roundTokens(tokens), nextPowerOfTwo(sequences),
        (maxLength + QUERY_TILE - 1) / QUERY_TILE * QUERY_TILE);
  }

  /** Powers of two up to 4096 rows (latency), then multiples of 2048 (throughput: padding stays under 50 %, then under 2048 rows). */
  static int roundTokens(int tokens) {
    if (tokens <= 4096) return Math.max(16, nextPowerOfTwo(tokens));
    return (tokens + 2047) / 2048 * 2048;
  }

  static int nextPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /** Whether a batch of this bucket fits in buffers sized for {@code capacity}. */
  public boolean fitsIn(ShapeBucket capacity) {
    return tokens <= capacity.tokens && sequences <= capacity.sequences;
  }
}
