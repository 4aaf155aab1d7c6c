package dev.quarry.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One ranking measure at a cut-off, computed as trec_eval computes it (and so as pytrec_eval, BEIR
 * and MTEB report it): a document is relevant when its judgment is at least 1, and documents
 * without a judgment count as not relevant.
 *
 * <ul>
 *   <li>{@code ndcg@k} (trec_eval {@code ndcg_cut.k}): linear gains, the judgment itself, discounted
 *       by {@code log2(rank + 1)}; the ideal ranking is all judged documents by judgment, cut at k.
 *   <li>{@code recall@k} ({@code recall.k}): relevant documents in the top k over all relevant ones.
 *   <li>{@code map@k} ({@code map_cut.k}): the precision at each relevant document in the top k,
 *       summed and divided by the number of relevant documents (not by k).
 *   <li>{@code p@k} ({@code P.k}): relevant documents in the top k over k, however many were retrieved.
 *   <li>{@code mrr@k}: the reciprocal rank of the first relevant document in the top k (BEIR's MRR;
 *       trec_eval's {@code recip_rank} has no cut-off).
 * </ul>
 * A query without relevant documents scores 0 on every measure.
 */
public record RankingMetric(Kind kind, int k) {

  /** The measures, by the names that reports use. */
  public enum Kind {
    NDCG("ndcg"), RECALL("recall"), MAP("map"), PRECISION("p"), MRR("mrr");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public RankingMetric {
    if (kind == null) throw new NullPointerException("kind");
    if (k < 1) throw new IllegalArgumentException("cut-off must be at least 1, got " + k);
  }

  public static RankingMetric ndcg(int k) {
    return new RankingMetric(Kind.NDCG, k);
  }

  public static RankingMetric recall(int k) {
    return new RankingMetric(Kind.RECALL, k);
  }

  public static RankingMetric map(int k) {
    return new RankingMetric(Kind.MAP, k);
  }

  public static RankingMetric precision(int k) {
    return new RankingMetric(Kind.PRECISION, k);
  }

  public static RankingMetric mrr(int k) {
    return new RankingMetric(Kind.MRR, k);
  }

  /** Every measure at every cut-off, grouped by measure: the set that BEIR and MTEB report. */
  public static List<RankingMetric> standard(int... cutOffs) {
    List<RankingMetric> out = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (int k : cutOffs) out.add(new RankingMetric(kind, k));
    }
    return out;
  }

  /** Parses a name such as {@code ndcg@10}. */
  public static RankingMetric parse(String name) {
    int at = name.indexOf('@');
    if (at > 0) {
      String label = name.substring(0, at).toLowerCase(Locale.ROOT);
      for (Kind kind : Kind.values()) {
        if (kind.label.equals(label)) {
          try {
            return new RankingMetric(kind, Integer.parseInt(name.substring(at + 1)));
          } catch (NumberFormatException e) {
            break;
          }
        }
      }
    }
    throw new IllegalArgumentException("metric \"" + name + "\" is not known; use ndcg@K, recall@K,"
        + " map@K, p@K or mrr@K");
  }

  /** {@code ndcg@10}, {@code recall@100}, ... */
  public String name() {
    return kind.label + "@" + k;
  }

  /** The trec_eval name of the measure, as {@code trec_eval -q} prints it ({@code ndcg_cut_10}). */
  public String trecEvalName() {
    return switch (kind) {
      case NDCG -> "ndcg_cut_" + k;
      case RECALL -> "recall_" + k;
      case MAP -> "map_cut_" + k;
      case PRECISION -> "P_" + k;
      case MRR -> "recip_rank_cut_" + k;
    };
  }

  /**
   * The measure for one query.
   *
   * @param ranking   retrieved document ids, best first, already in trec_eval order
   * @param judgments the query's judged documents and their grades (0 or less: not relevant)
   */
  public double compute(List<String> ranking, Map<String, Integer> judgments) {
    int relevantTotal = 0;
    for (int grade : judgments.values()) if (grade >= 1) relevantTotal++;
    if (relevantTotal == 0) return 0;
    int depth = Math.min(k, ranking.size());
    return switch (kind) {
      case NDCG -> ndcg(ranking, judgments, depth);
      case RECALL -> (double) relevantIn(ranking, judgments, depth) / relevantTotal;
      case PRECISION -> (double) relevantIn(ranking, judgments, depth) / k;
      case MAP -> averagePrecision(ranking, judgments, depth) / relevantTotal;
      case MRR -> reciprocalRank(ranking, judgments, depth);
    };
  }

  private static int grade(Map<String, Integer> judgments, String doc) {
    Integer g = judgments.get(doc);
    return g == null ? 0 : g;
  }

  private static int relevantIn(List<String> ranking, Map<String, Integer> judgments, int depth) {
    int found = 0;
    for (int i = 0; i < depth; i++) if (grade(judgments, ranking.get(i)) >= 1) found++;
    return found;
  }

  private double ndcg(List<String> ranking, Map<String, Integer> judgments, int depth) {
    double dcg = 0;
    for (int i = 0; i < depth; i++) {
      int g = grade(judgments, ranking.get(i));
      if (g > 0) dcg += g / log2(i + 2);
    }
    int[] ideal = judgments.values().stream().mapToInt(Integer::intValue).filter(g -> g > 0)
        .sorted().toArray();
    double idcg = 0;
    for (int i = 0; i < Math.min(k, ideal.length); i++) {
      idcg += ideal[ideal.length - 1 - i] / log2(i + 2);
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  private static double averagePrecision(List<String> ranking, Map<String, Integer> judgments,
      int depth) {
    double sum = 0;
    int found = 0;
    for (int i = 0; i < depth; i++) {
      if (grade(judgments, ranking.get(i)) >= 1) {
        found++;
        sum += (double) found / (i + 1);
      }
    }
    return sum;
  }

  private static double reciprocalRank(List<String> ranking, Map<String, Integer> judgments,
      int depth) {
    for (int i = 0; i < depth; i++) {
      if (grade(judgments, ranking.get(i)) >= 1) return 1.0 / (i + 1);
    }
    return 0;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }

  @Override
  public String toString() {
    return name();
  }
}
