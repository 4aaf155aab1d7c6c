package dev.quarry.eval;

import java.io.IOException;
import java.io.Writer;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scores of one retrieval run: each measure averaged over the judged queries, and each query's
 * own values.
 *
 * @param averages by metric name ({@code ndcg@10}), in the order of {@code metrics}
 * @param perQuery by query id, the values in the order of {@code metrics}
 */
public record RetrievalReport(List<RankingMetric> metrics, Map<String, Double> averages,
    Map<String, double[]> perQuery) {

  public RetrievalReport {
    metrics = List.copyOf(metrics);
    averages = Collections.unmodifiableMap(averages);
    perQuery = Collections.unmodifiableMap(perQuery);
  }

  /** The average of a measure by name, e.g. {@code ndcg@10}. */
  public double average(String metric) {
    Double v = averages.get(metric);
    if (v == null) {
      throw new IllegalArgumentException("no " + metric + " in this report (it has "
          + averages.keySet() + ")");
    }
    return v;
  }

  public double average(RankingMetric metric) {
    return average(metric.name());
  }

  /** One query's value of a measure. */
  public double value(String queryId, RankingMetric metric) {
    double[] values = perQuery.get(queryId);
    int m = metrics.indexOf(metric);
    if (values == null || m < 0) {
      throw new IllegalArgumentException("no " + metric + " for query " + queryId);
    }
    return values[m];
  }

  /**
   * Writes the per-query values in {@code trec_eval -q}'s columns, tab-separated without its
   * padding: one {@code measure<TAB>query<TAB>value} line each, then the averages under the query
   * id {@code all}.
   */
  public void writePerQuery(Writer out) throws IOException {
    for (Map.Entry<String, double[]> e : perQuery.entrySet()) {
      for (int m = 0; m < metrics.size(); m++) {
        line(out, metrics.get(m).trecEvalName(), e.getKey(), e.getValue()[m]);
      }
    }
    for (RankingMetric metric : metrics) {
      line(out, metric.trecEvalName(), "all", averages.get(metric.name()));
    }
  }

  private static void line(Writer out, String measure, String query, double value)
      throws IOException {
    out.write(String.format(Locale.ROOT, "%s\t%s\t%.4f%n", measure, query, value));
  }
}
