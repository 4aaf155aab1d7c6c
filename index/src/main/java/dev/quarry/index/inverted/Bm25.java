package dev.quarry.index.inverted;

/**
 * BM25 as Lucene's {@code BM25Similarity} computes it, float for float:
 * {@code idf = ln(1 + (N - n + 0.5) / (n + 0.5))}, {@code avgdl = sumTotalTermFreq / N} and a
 * term's score {@code w - w / (1 + freq * normInverse)} with {@code w = boost * idf} and
 * {@code normInverse = 1 / (k1 * (1 - b + b * dl / avgdl))}, where N counts the documents with at
 * least one term. Lucene rounds {@code dl} through a one-byte norm ({@link LengthNorm});
 * {@code exactLengths} uses the true length instead.
 *
 * @param k1           term-frequency saturation, finite and not negative (Lucene's default 1.2,
 *                     Anserini's and Quarry's 0.9)
 * @param b            length normalisation in [0, 1] (0.4 here, 0.75 in Lucene)
 * @param exactLengths whether to use exact document lengths instead of Lucene's lossy byte
 */
public record Bm25(float k1, float b, boolean exactLengths) {

  public Bm25 {
    if (!Float.isFinite(k1) || k1 < 0) {
      throw new IllegalArgumentException("BM25 k1 must be finite and not negative, got " + k1);
    }
    if (Float.isNaN(b) || b < 0 || b > 1) {
      throw new IllegalArgumentException("BM25 b must be between 0 and 1, got " + b);
    }
  }

  /** k1 0.9, b 0.4 (Anserini's BEIR settings), Lucene's rounded lengths. */
  public static Bm25 defaults() {
    return new Bm25(0.9f, 0.4f, false);
  }

  public static float idf(long docFreq, long docCount) {
    return (float) Math.log(1 + (docCount - docFreq + 0.5D) / (docFreq + 0.5D));
  }

  public static float avgLength(long sumTotalTermFreq, long docCount) {
    return (float) (sumTotalTermFreq / (double) docCount);
  }

  /** {@code 1 / (k1 * (1 - b + b * length / avgdl))}, rounded as this BM25 rounds lengths. */
  public float normInverse(int length, float avgdl) {
    float dl = exactLengths ? (float) length : (float) LengthNorm.decode(LengthNorm.encode(length));
    return 1f / (k1 * ((1 - b) + b * dl / avgdl));
  }

  /** One term's score in one document. */
  public static float score(float weight, int freq, float normInverse) {
    return weight - weight / (1f + freq * normInverse);
  }
}
