package dev.quarry.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.eval.BeirDataset;
import dev.quarry.eval.RankingMetric;
import dev.quarry.eval.RetrievalEvaluator;
import dev.quarry.index.inverted.Bm25;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BM25 (k1 0.9, b 0.4) on SciFact test: nDCG@10 as Anserini reports it. */
class Bm25RetrieverSciFactTest {

  @Test
  void scifactNdcgAt10MatchesAnserini() throws Exception {
    Path dir = Path.of(System.getProperty("quarry.shared", "../../shared")).resolve("data/scifact");
    BeirDataset data = BeirDataset.load(dir, "test");
    try (Bm25Retriever bm25 = Bm25Retriever.build(data.docIds(), data.docTexts(), Bm25.defaults())) {
      var report = new RetrievalEvaluator(data.qrels(), List.of(RankingMetric.ndcg(10)))
          .evaluate(bm25, data.queries(), 10, null);
      double ndcg = report.average(RankingMetric.ndcg(10));
      System.out.printf("BM25 SciFact nDCG@10 = %.4f%n", ndcg);
      // Anserini's BEIR regression (flat index, Lucene analyzer): 0.6789.
      assertEquals(0.6789, ndcg, 0.005);
    }
  }
}
