package dev.quarry.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fusion of several ranked lists for the same query into one. Ties in the fused score keep the
 * document that appeared first (walking the lists in order, each from its top), so the result is
 * deterministic.
 */
public final class Fusion {

  /** The usual constant of reciprocal rank fusion (Cormack, Clarke and Büttcher 2009). */
  public static final int RRF_K = 60;

  /** How weighted fusion makes the scores of different retrievers comparable. */
  public enum Normalization {
    /** {@code (s - min) / (max - min)} over the list (1 when all scores are equal). */
    MIN_MAX,
    /** {@code (s - mean) / stddev} over the list (0 when all scores are equal). */
    Z_SCORE,
    /** The raw scores. */
    NONE
  }

  private Fusion() {}

  /**
   * Reciprocal rank fusion: a document's score is the sum over lists of {@code 1 / (k + rank)},
   * rank counted from 1; a list that lacks the document contributes 0.
   */
  public static List<Hit> reciprocalRank(List<List<Hit>> lists, int k, int topK) {
    if (k < 0) throw new IllegalArgumentException("the RRF constant must not be negative, got " + k);
    Map<String, double[]> scores = new LinkedHashMap<>();
    for (List<Hit> list : lists) {
      for (int r = 0; r < list.size(); r++) {
        scores.computeIfAbsent(list.get(r).id(), id -> new double[1])[0] += 1.0 / (k + r + 1);
      }
    }
    return top(scores, topK);
  }

  /**
   * Weighted score fusion: each list's scores are normalised, multiplied by its weight and summed
   * per document; a list that lacks the document contributes 0.
   */
  public static List<Hit> weighted(List<List<Hit>> lists, List<Double> weights,
      Normalization normalization, int topK) {
    if (lists.size() != weights.size()) {
      throw new IllegalArgumentException(lists.size() + " result lists but " + weights.size() + " weights");
    }
    Map<String, double[]> scores = new LinkedHashMap<>();
    for (int l = 0; l < lists.size(); l++) {
      List<Hit> list = lists.get(l);
      double w = weights.get(l);
      if (!Double.isFinite(w)) throw new IllegalArgumentException("fusion weight " + l + " is " + w);
      if (list.isEmpty()) continue;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      for (Hit h : list) {
        if (!Float.isFinite(h.score())) {
          throw new IllegalArgumentException("document " + h.id() + " has score " + h.score());
        }
        min = Math.min(min, h.score());
        max = Math.max(max, h.score());
        sum += h.score();
      }
      double mean = sum / list.size();
      double var = 0;
      for (Hit h : list) var += (h.score() - mean) * (h.score() - mean);
      double std = Math.sqrt(var / list.size());
      for (Hit h : list) {
        double s = switch (normalization) {
          case MIN_MAX -> max > min ? (h.score() - min) / (max - min) : 1.0;
          case Z_SCORE -> std > 0 ? (h.score() - mean) / std : 0.0;
          case NONE -> h.score();
        };
        scores.computeIfAbsent(h.id(), id -> new double[1])[0] += w * s;
      }
    }
    return top(scores, topK);
  }

  private static List<Hit> top(Map<String, double[]> scores, int topK) {
    if (topK < 1) throw new IllegalArgumentException("k must be at least 1, got " + topK);
    List<Map.Entry<String, double[]>> entries = new ArrayList<>(scores.entrySet());
    // A stable sort: equal scores keep first-seen order.
    entries.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0]).reversed());
    List<Hit> out = new ArrayList<>(Math.min(topK, entries.size()));
    for (int i = 0; i < Math.min(topK, entries.size()); i++) {
      out.add(new Hit(entries.get(i).getKey(), (float) entries.get(i).getValue()[0]));
    }
    return out;
  }
}
