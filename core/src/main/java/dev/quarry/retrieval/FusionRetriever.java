package dev.quarry.retrieval;

import java.util.ArrayList;
import java.util.List;

/**
 * Hybrid retrieval: runs several retrievers (dense, BM25, learned sparse...) for each query,
 * takes {@code depth} hits from each, and fuses them with reciprocal rank fusion or weighted,
 * normalised score fusion ({@link Fusion}).
 */
public final class FusionRetriever implements BatchRetriever {

  private final List<Retriever> retrievers;
  private final int depth;
  private final Fusion.Normalization normalization; // null: reciprocal rank fusion
  private final List<Double> weights;
  private final int rrfK;

  private FusionRetriever(List<Retriever> retrievers, int depth, int rrfK,
      Fusion.Normalization normalization, List<Double> weights) {
    if (retrievers.isEmpty()) throw new IllegalArgumentException("fusion needs at least one retriever");
    if (depth < 1) throw new IllegalArgumentException("fusion depth must be at least 1, got " + depth);
    this.retrievers = List.copyOf(retrievers);
    this.depth = depth;
    this.rrfK = rrfK;
    this.normalization = normalization;
    this.weights = weights == null ? null : List.copyOf(weights);
  }

  /** Reciprocal rank fusion (k = 60) of the top {@code depth} hits of each retriever. */
  public static FusionRetriever reciprocalRank(List<Retriever> retrievers, int depth) {
    return new FusionRetriever(retrievers, depth, Fusion.RRF_K, null, null);
  }

  /** Reciprocal rank fusion with another constant {@code k}. */
  public static FusionRetriever reciprocalRank(List<Retriever> retrievers, int depth, int k) {
    return new FusionRetriever(retrievers, depth, k, null, null);
  }

  /** Weighted fusion of normalised scores, one weight per retriever. */
  public static FusionRetriever weighted(List<Retriever> retrievers, List<Double> weights,
      Fusion.Normalization normalization, int depth) {
    if (weights.size() != retrievers.size()) {
      throw new IllegalArgumentException(retrievers.size() + " retrievers but " + weights.size() + " weights");
    }
    return new FusionRetriever(retrievers, depth, 0, normalization, weights);
  }

  /** Each retriever runs all queries at once (a dense one embeds them in one batch). */
  @Override
  public List<List<Hit>> searchAll(List<String> queries, int k) {
    BatchRetriever.checkK(k);
    int n = Math.max(depth, k);
    List<List<List<Hit>>> perRetriever = new ArrayList<>();
    for (Retriever r : retrievers) perRetriever.add(r.searchAll(queries, n));
    List<List<Hit>> out = new ArrayList<>(queries.size());
    for (int q = 0; q < queries.size(); q++) {
      List<List<Hit>> lists = new ArrayList<>();
      for (List<List<Hit>> results : perRetriever) lists.add(results.get(q));
      out.add(normalization == null
          ? Fusion.reciprocalRank(lists, rrfK, k)
          : Fusion.weighted(lists, weights, normalization, k));
    }
    return out;
  }

  @Override
  public void close() {
    for (Retriever r : retrievers) r.close();
  }
}
