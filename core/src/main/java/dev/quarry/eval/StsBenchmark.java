package dev.quarry.eval;

import dev.quarry.embed.Embedder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Semantic textual similarity: sentence pairs with gold scores, and how well the cosine of a
 * model's embeddings correlates with them (Spearman and Pearson, as MTEB and sentence-transformers
 * report STS).
 */
public final class StsBenchmark {

  /** One pair and its gold similarity (0 to 5 in STS-B). */
  public record Pair(String first, String second, double score) {}

  /**
   * The correlations of one model on the pairs.
   *
   * @param cosines the cosine of each pair, in input order
   */
  public record Result(double spearman, double pearson, int pairs, double[] cosines) {}

  private StsBenchmark() {}

  /**
   * Reads an STS benchmark file as released: tab-separated genre, file, year, id, score,
   * sentence 1, sentence 2, then sometimes extra columns; no quoting ({@code "} is literal).
   *
   * @throws IOException a line with fewer than 7 fields or a score that is not a number (the
   *                     message names file and line), or a file without pairs
   */
  public static List<Pair> read(Path file) throws IOException {
    List<Pair> pairs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNo = 0;
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) continue;
        String[] f = line.split("\t", -1);
        if (f.length < 7) {
          throw new IOException(file + ":" + lineNo + ": expected at least 7 tab-separated fields"
              + " (genre, file, year, id, score, sentence 1, sentence 2), found " + f.length);
        }
        double score;
        try {
          score = Double.parseDouble(f[4].strip());
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + lineNo + ": score \"" + f[4] + "\" is not a number");
        }
        if (!Double.isFinite(score)) {
          throw new IOException(file + ":" + lineNo + ": score \"" + f[4] + "\" is not finite");
        }
        pairs.add(new Pair(f[5], f[6], score));
      }
    }
    if (pairs.size() < 2) {
      throw new IOException(file + ": " + pairs.size() + " sentence pairs; a correlation needs at least 2");
    }
    return pairs;
  }

  /**
   * Embeds both sentences of every pair with {@link Embedder#embed} (its configured prompt, if any)
   * and correlates their cosines with the gold scores.
   */
  public static Result evaluate(Embedder embedder, List<Pair> pairs) {
    List<String> sentences = new ArrayList<>(2 * pairs.size());
    for (Pair p : pairs) {
      sentences.add(p.first());
      sentences.add(p.second());
    }
    float[][] vectors = embedder.embed(sentences);
    double[] cosines = new double[pairs.size()];
    for (int i = 0; i < cosines.length; i++) cosines[i] = cosine(vectors[2 * i], vectors[2 * i + 1]);
    return correlate(pairs, cosines);
  }

  /** Correlates given similarities (one per pair, in order) with the gold scores. */
  public static Result correlate(List<Pair> pairs, double[] similarities) {
    double[] gold = pairs.stream().mapToDouble(Pair::score).toArray();
    return new Result(Correlation.spearman(similarities, gold), Correlation.pearson(similarities, gold),
        pairs.size(), similarities.clone());
  }

  /** The cosine in double precision; 0 for a zero vector rather than NaN. */
  public static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
