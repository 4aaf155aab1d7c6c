package dev.quarry.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Relevance judgments: for each query, the judged documents and their grades (0 not relevant,
 * 1 and above relevant, higher better). Queries keep the order in which they were first judged.
 */
public final class Qrels {

  private final Map<String, Map<String, Integer>> byQuery;

  private Qrels(Map<String, Map<String, Integer>> byQuery) {
    this.byQuery = byQuery;
  }

  /** Judgments from a map of query id to (document id to grade); copied. */
  public static Qrels of(Map<String, Map<String, Integer>> judgments) {
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    judgments.forEach((q, docs) -> copy.put(q, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
    return new Qrels(Collections.unmodifiableMap(copy));
  }

  /** The judged queries, in order. */
  public List<String> queryIds() {
    return List.copyOf(byQuery.keySet());
  }

  /** The judgments of one query; empty when it has none. */
  public Map<String, Integer> judgments(String queryId) {
    return byQuery.getOrDefault(queryId, Map.of());
  }

  public boolean isEmpty() {
    return byQuery.isEmpty();
  }

  /** How many queries have judgments. */
  public int queryCount() {
    return byQuery.size();
  }

  /** How many (query, document) judgments there are. */
  public int judgmentCount() {
    return byQuery.values().stream().mapToInt(Map::size).sum();
  }

  /** Collects judgments line by line. */
  public static final class Builder {
    private final Map<String, Map<String, Integer>> byQuery = new LinkedHashMap<>();

    /** Adds one judgment; a repeated (query, document) pair keeps the last grade, as trec_eval does. */
    public Builder add(String queryId, String docId, int grade) {
      byQuery.computeIfAbsent(queryId, q -> new LinkedHashMap<>()).put(docId, grade);
      return this;
    }

    public Qrels build() {
      return of(byQuery);
    }
  }
}
