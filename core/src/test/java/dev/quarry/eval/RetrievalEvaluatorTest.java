package dev.quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.retrieval.Hit;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The measures on cases small enough to work out by hand (the working is in the comments). */
class RetrievalEvaluatorTest {

  private static final double EPS = 1e-9;

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }

  /** Hits with descending scores, so that their order is the one given. */
  private static List<Hit> ranked(String... ids) {
    Hit[] hits = new Hit[ids.length];
    for (int i = 0; i < ids.length; i++) hits[i] = new Hit(ids[i], 1f - i / 100f);
    return List.of(hits);
  }

  private static RetrievalReport score(Qrels qrels, Map<String, List<Hit>> run, boolean ignoreSelf,
      RankingMetric... metrics) {
    return new RetrievalEvaluator(qrels, List.of(metrics), ignoreSelf).evaluate(run);
  }

  @Test
  void gradedRelevance() {
    // Judged a:2, b:1, c:0, d:1 (three relevant); ranked c, a, x, b (d never retrieved).
    Qrels qrels = new Qrels.Builder().add("q", "a", 2).add("q", "b", 1).add("q", "c", 0)
        .add("q", "d", 1).build();
    RetrievalReport r = score(qrels, Map.of("q", ranked("c", "a", "x", "b")), true,
        RankingMetric.ndcg(3), RankingMetric.ndcg(5), RankingMetric.recall(3), RankingMetric.recall(5),
        RankingMetric.precision(3), RankingMetric.precision(5), RankingMetric.map(3),
        RankingMetric.map(5), RankingMetric.mrr(1), RankingMetric.mrr(3));
    // Ideal gains 2, 1, 1: 2/log2(2) + 1/log2(3) + 1/log2(4).
    double idcg = 2 + 1 / log2(3) + 0.5;
    assertEquals(2 / log2(3) / idcg, r.average("ndcg@3"), EPS);
    assertEquals(0.4030302838, r.average("ndcg@3"), 1e-9);
    assertEquals((2 / log2(3) + 1 / log2(5)) / idcg, r.average("ndcg@5"), EPS);
    assertEquals(0.5405857679, r.average("ndcg@5"), 1e-9);
    assertEquals(1.0 / 3, r.average("recall@3"), EPS);
    assertEquals(2.0 / 3, r.average("recall@5"), EPS);
    assertEquals(1.0 / 3, r.average("p@3"), EPS);
    assertEquals(2.0 / 5, r.average("p@5"), EPS, "P@k divides by k even when fewer were retrieved");
    assertEquals((1.0 / 2) / 3, r.average("map@3"), EPS, "divided by all 3 relevant, not by those in the top 3");
    assertEquals((1.0 / 2 + 2.0 / 4) / 3, r.average("map@5"), EPS);
    assertEquals(0, r.average("mrr@1"), EPS);
    assertEquals(0.5, r.average("mrr@3"), EPS);
  }

  @Test
  void gradesAboveOneAreLinearGainsNotExponential() {
    // One document of grade 3 at rank 2, one of grade 1 at rank 1: DCG 1 + 3/log2(3); ideal 3 + 1/log2(3).
    Qrels qrels = new Qrels.Builder().add("q", "hi", 3).add("q", "lo", 1).build();
    RetrievalReport r = score(qrels, Map.of("q", ranked("lo", "hi")), true, RankingMetric.ndcg(10));
    assertEquals((1 + 3 / log2(3)) / (3 + 1 / log2(3)), r.average("ndcg@10"), EPS);
  }

  @Test
  void tiesRankByDocumentIdDescendingWhateverTheInputOrder() {
    // d2 scores highest; d1 and d3 tie, so d3 (the greater id) comes before d1.
    Qrels qrels = new Qrels.Builder().add("q", "d1", 1).build();
    List<Hit> hits = List.of(new Hit("d1", 0.5f), new Hit("d3", 0.5f), new Hit("d2", 0.9f));
    RetrievalEvaluator evaluator = new RetrievalEvaluator(qrels, List.of(RankingMetric.mrr(10),
        RankingMetric.mrr(2)));
    assertEquals(List.of("d2", "d3", "d1"), evaluator.ranking("q", hits));
    RetrievalReport r = evaluator.evaluate(Map.of("q", hits));
    assertEquals(1.0 / 3, r.average("mrr@10"), EPS);
    assertEquals(0, r.average("mrr@2"), EPS);
    // strcmp order, not numeric: "9" > "10", so "9" ranks first; -0.0 and 0.0 are one score.
    List<Hit> numeric = List.of(new Hit("10", 0f), new Hit("9", -0f), new Hit("100", 0f));
    assertEquals(List.of("9", "100", "10"), evaluator.ranking("q", numeric));
  }

  @Test
  void codePointOrderIsUtf8ByteOrder() {
    // U+FF5E is below U+1F600 in UTF-8 bytes, but above its surrogate pair in UTF-16 units.
    assertTrue(RetrievalEvaluator.compareCodePoints("\uFF5E", "\uD83D\uDE00") < 0);
    assertTrue("\uFF5E".compareTo("\uD83D\uDE00") > 0);
    assertTrue(RetrievalEvaluator.compareCodePoints("ab", "abc") < 0);
  }

  @Test
  void noRelevantRetrievedAndMissingQueriesScoreZeroAndCountInTheAverage() {
    Qrels qrels = new Qrels.Builder().add("found", "a", 1).add("missed", "b", 1)
        .add("absent", "c", 1).add("unjudgedOnly", "z", 0).build();
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    run.put("found", ranked("a"));
    run.put("missed", ranked("x", "y"));
    run.put("unjudgedOnly", ranked("z"));
    run.put("notInQrels", ranked("a"));
    RetrievalReport r = score(qrels, run, true, RankingMetric.ndcg(10), RankingMetric.recall(10),
        RankingMetric.map(10), RankingMetric.mrr(10), RankingMetric.precision(1));
    assertEquals(4, r.perQuery().size(), "every judged query, and only those");
    for (String m : List.of("ndcg@10", "recall@10", "map@10", "mrr@10", "p@1")) {
      assertEquals(0.25, r.average(m), EPS, m);
      assertEquals(0, r.value("missed", RankingMetric.parse(m)), EPS, m);
      assertEquals(0, r.value("absent", RankingMetric.parse(m)), EPS, m);
      assertEquals(0, r.value("unjudgedOnly", RankingMetric.parse(m)), EPS, m);
    }
  }

  @Test
  void selfHitsAreIgnoredByDefaultAndCountedWhenAsked() {
    // The query's own id ranks first (as when queries are also documents), the relevant doc second.
    Qrels qrels = new Qrels.Builder().add("q1", "d1", 1).add("q1", "q1", 1).build();
    Map<String, List<Hit>> run = Map.of("q1", ranked("q1", "d1", "d2"));
    RetrievalReport ignoring = score(qrels, run, true, RankingMetric.mrr(10), RankingMetric.precision(1),
        RankingMetric.recall(10));
    assertEquals(1, ignoring.average("mrr@10"), EPS);
    assertEquals(1, ignoring.average("p@1"), EPS);
    assertEquals(0.5, ignoring.average("recall@10"), EPS, "the judgment of q1 itself still counts");
    RetrievalReport counting = score(qrels, run, false, RankingMetric.mrr(10), RankingMetric.precision(1),
        RankingMetric.recall(10));
    assertEquals(1, counting.average("recall@10"), EPS);
  }

  @Test
  void nanScoresAreRefused() {
    Qrels qrels = new Qrels.Builder().add("q", "a", 1).build();
    var e = assertThrows(IllegalArgumentException.class, () -> score(qrels,
        Map.of("q", List.of(new Hit("a", Float.NaN))), true, RankingMetric.ndcg(10)));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
  }

  @Test
  void namesParseAndPerQueryOutputIsTrecEvalLike() throws Exception {
    assertEquals(RankingMetric.ndcg(10), RankingMetric.parse("nDCG@10"));
    assertEquals(RankingMetric.precision(5), RankingMetric.parse("p@5"));
    assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("ndcg"));
    assertThrows(IllegalArgumentException.class, () -> RankingMetric.parse("f1@3"));
    Qrels qrels = new Qrels.Builder().add("q", "a", 1).build();
    StringWriter out = new StringWriter();
    score(qrels, Map.of("q", ranked("a")), true, RankingMetric.ndcg(10)).writePerQuery(out);
    assertEquals(List.of("ndcg_cut_10\tq\t1.0000", "ndcg_cut_10\tall\t1.0000"),
        out.toString().lines().map(l -> l.replaceAll(" +\t", "\t")).toList());
  }
}
