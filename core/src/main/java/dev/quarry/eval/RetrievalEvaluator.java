package dev.quarry.eval;

import dev.quarry.retrieval.Hit;
import dev.quarry.retrieval.Retriever;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Scores retrieval runs against relevance judgments with trec_eval's semantics: each query's hits
 * are re-ordered by score, highest first, ties by document id descending (trec_eval's order, bytes
 * compared as {@code strcmp} does), whatever order the retriever returned them in; the average of a
 * measure is over every judged query, a query the run lacks counting 0 (trec_eval {@code -c}).
 *
 * <p>By default a hit whose document id equals the query id is dropped before scoring, as BEIR
 * does ({@code ignore_identical_ids}); data sets where queries are also documents need that.
 */
public final class RetrievalEvaluator {

  /** Queries per {@link Retriever#searchAll} call. */
  private static final int QUERY_BATCH = 64;

  /** trec_eval's order: score descending, then document id descending. */
  public static final Comparator<Hit> TREC_ORDER = (a, b) -> {
    // Compared as numbers, not with Float.compare: trec_eval holds -0.0 and 0.0 equal.
    if (a.score() != b.score()) return a.score() > b.score() ? -1 : 1;
    return compareCodePoints(b.id(), a.id());
  };

  private final Qrels qrels;
  private final List<RankingMetric> metrics;
  private final boolean ignoreSelfHits;

  /**
   * @param ignoreSelfHits drop hits whose document id is the query's own id (BEIR's default)
   */
  public RetrievalEvaluator(Qrels qrels, List<RankingMetric> metrics, boolean ignoreSelfHits) {
    if (metrics.isEmpty()) throw new IllegalArgumentException("no metrics to compute");
    this.qrels = qrels;
    this.metrics = List.copyOf(metrics);
    this.ignoreSelfHits = ignoreSelfHits;
  }

  public RetrievalEvaluator(Qrels qrels, List<RankingMetric> metrics) {
    this(qrels, metrics, true);
  }

  public List<RankingMetric> metrics() {
    return metrics;
  }

  /**
   * Scores a run: for each query id its hits, in any order. Queries of the run that have no
   * judgments are ignored, as trec_eval ignores them.
   */
  public RetrievalReport evaluate(Map<String, List<Hit>> run) {
    Map<String, double[]> perQuery = new LinkedHashMap<>();
    double[] sums = new double[metrics.size()];
    for (String query : qrels.queryIds()) {
      List<String> ranking = ranking(query, run.getOrDefault(query, List.of()));
      Map<String, Integer> judged = qrels.judgments(query);
      double[] values = new double[metrics.size()];
      for (int m = 0; m < values.length; m++) {
        values[m] = metrics.get(m).compute(ranking, judged);
        sums[m] += values[m];
      }
      perQuery.put(query, values);
    }
    Map<String, Double> averages = new LinkedHashMap<>();
    int n = perQuery.size();
    for (int m = 0; m < sums.length; m++) averages.put(metrics.get(m).name(), n == 0 ? 0 : sums[m] / n);
    return new RetrievalReport(metrics, averages, perQuery);
  }

  /**
   * Runs {@code retriever} on every judged query of {@code queries} (id to text) and scores it.
   * Queries go to {@link Retriever#searchAll} in batches so that progress can be reported.
   *
   * @param k        hits per query; the deepest cut-off of the metrics is what matters
   * @param progress told the number of queries done so far; may be null
   */
  public RetrievalReport evaluate(Retriever retriever, Map<String, String> queries, int k,
      IntConsumer progress) {
    List<String> ids = new ArrayList<>();
    for (String q : qrels.queryIds()) {
      if (!queries.containsKey(q)) {
        throw new IllegalArgumentException("query " + q + " is judged but has no text");
      }
      ids.add(q);
    }
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    for (int from = 0; from < ids.size(); from += QUERY_BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + QUERY_BATCH));
      List<List<Hit>> hits = retriever.searchAll(batch.stream().map(queries::get).toList(),
          ignoreSelfHits ? k + 1 : k);
      for (int i = 0; i < batch.size(); i++) run.put(batch.get(i), trimSelf(batch.get(i), hits.get(i), k));
      if (progress != null) progress.accept(from + batch.size());
    }
    return evaluate(run);
  }

  /** With self-hits ignored one more hit was asked for, so that k remain once it is dropped. */
  private List<Hit> trimSelf(String queryId, List<Hit> hits, int k) {
    if (!ignoreSelfHits) return hits;
    List<Hit> out = new ArrayList<>(Math.min(k, hits.size()));
    for (Hit h : hits) {
      if (out.size() == k) break;
      if (!h.id().equals(queryId)) out.add(h);
    }
    return out;
  }

  /** The document ids of {@code hits} in trec_eval order, without the query's own id if so set. */
  List<String> ranking(String queryId, List<Hit> hits) {
    List<Hit> sorted = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      if (Float.isNaN(h.score())) {
        throw new IllegalArgumentException("query " + queryId + ": document " + h.id()
            + " has a NaN score; the retriever is broken");
      }
      if (!(ignoreSelfHits && h.id().equals(queryId))) sorted.add(h);
    }
    sorted.sort(TREC_ORDER);
    List<String> ids = new ArrayList<>(sorted.size());
    for (Hit h : sorted) ids.add(h.id());
    return ids;
  }

  /**
   * Compares strings by code point, which is the order of their UTF-8 bytes, i.e. trec_eval's
   * {@code strcmp}; {@link String#compareTo} compares UTF-16 units and differs above U+FFFF.
   */
  static int compareCodePoints(String a, String b) {
    int i = 0, j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i), cb = b.codePointAt(j);
      if (ca != cb) return Integer.compare(ca, cb);
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
