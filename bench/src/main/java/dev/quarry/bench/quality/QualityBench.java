package dev.quarry.bench.quality;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.eval.BeirDataset;
import dev.quarry.eval.RankingMetric;
import dev.quarry.eval.RetrievalEvaluator;
import dev.quarry.eval.RetrievalReport;
import dev.quarry.eval.StsBenchmark;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.retrieval.Bm25Retriever;
import dev.quarry.retrieval.DenseRetriever;
import dev.quarry.retrieval.FusionRetriever;
import dev.quarry.retrieval.TwoStageRetriever;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The slower quality reproductions: each model's nDCG@10 on SciFact (BEIR test split) beside the
 * published figure, plus its STS-B dev Spearman; BM25 (Anserini's settings) and, for each model,
 * the RRF hybrid with BM25 and BM25's top 100 reranked by the model. The corpus vectors are cached (see
 * {@link DenseRetriever}), so only the first run of a model pays for embedding the corpus.
 *
 * <pre>
 *   bench/run quality [--models a,b,...] [--data DIR] [--threads N] [--no-sts]
 * </pre>
 * Prints a table, then one summary line.
 */
public final class QualityBench {

  /** Published SciFact nDCG@10 (MTEB leaderboard for models, Anserini for BM25). */
  static final Map<String, Double> PUBLISHED = Map.of(
      "all-MiniLM-L6-v2", 0.6451, "bge-small-en-v1.5", 0.7127, "e5-small-v2", 0.6885,
      "bm25", 0.6789);
  static final double TOLERANCE = 0.005;

  private QualityBench() {}

  record Row(String system, String mode, RetrievalReport report, double published, double stsSpearman,
      double seconds, boolean cached) {}

  public static void main(String[] argv) throws Exception {
    List<String> models = List.of("all-MiniLM-L6-v2", "bge-small-en-v1.5", "e5-small-v2");
    Path data = null;
    int threads = 0;
    boolean sts = true;
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--models" -> models = Arrays.asList(argv[++i].split(","));
        case "--data" -> data = Path.of(argv[++i]);
        case "--threads" -> threads = Integer.parseInt(argv[++i]);
        case "--no-sts" -> sts = false;
        default -> {
          System.err.println("usage: bench/run quality [--models a,b,...] [--data DIR] [--threads N] [--no-sts]");
          System.exit(2);
        }
      }
    }
    Path shared = shared();
    if (data == null) data = shared.resolve("data/scifact");
    BeirDataset scifact = BeirDataset.load(data, "test");
    List<StsBenchmark.Pair> stsDev = sts ? StsBenchmark.read(shared.resolve("data/stsbenchmark/sts-dev.csv")) : null;
    RetrievalEvaluator evaluator = new RetrievalEvaluator(scifact.qrels(),
        RankingMetric.standard(1, 3, 5, 10, 100, 1000));

    List<Row> rows = new ArrayList<>();
    long bm25Start = System.nanoTime();
    Bm25Retriever bm25 = Bm25Retriever.build(scifact.docIds(), scifact.docTexts(), Bm25.defaults());
    rows.add(new Row("bm25 (k1 0.9, b 0.4)", "bm25",
        evaluator.evaluate(bm25, scifact.queries(), 1000, null), PUBLISHED.get("bm25"), Double.NaN,
        (System.nanoTime() - bm25Start) / 1e9, false));
    for (String model : models) {
      long start = System.nanoTime();
      EmbedOptions options = EmbedOptions.defaults().withThreads(threads);
      try (Embedder embedder = Embedder.open(model, options)) {
        System.err.printf(Locale.ROOT, "quality: %s, %d documents at %d tokens...%n", model,
            scifact.docIds().size(), embedder.tokenizer().maxLength());
        int[] last = {0};
        DenseRetriever dense = DenseRetriever.build(embedder, scifact.docIds(), scifact.docTexts(),
            DenseRetriever.Options.defaults().withLog(System.err::println).withProgress(done -> {
              if (done - last[0] >= 1024 || done == scifact.docIds().size()) {
                System.err.printf(Locale.ROOT, "quality: %s %d/%d documents (%.0f s)%n", model, done,
                    scifact.docIds().size(), (System.nanoTime() - start) / 1e9);
                last[0] = done;
              }
            }));
        RetrievalReport report = evaluator.evaluate(dense, scifact.queries(), 1000, null);
        double spearman = Double.NaN;
        if (stsDev != null) spearman = StsBenchmark.evaluate(embedder, stsDev).spearman();
        rows.add(new Row(model, "dense", report, PUBLISHED.getOrDefault(model, Double.NaN), spearman,
            (System.nanoTime() - start) / 1e9, dense.loadedFromCache()));
        long fusionStart = System.nanoTime();
        RetrievalReport hybrid = evaluator.evaluate(
            FusionRetriever.reciprocalRank(List.of(bm25, dense), 1000), scifact.queries(), 1000, null);
        rows.add(new Row("bm25 + " + model, "rrf", hybrid, Double.NaN, Double.NaN,
            (System.nanoTime() - fusionStart) / 1e9, true));
        long rerankStart = System.nanoTime();
        RetrievalReport twoStage = evaluator.evaluate(
            new TwoStageRetriever(bm25, 100, embedder::embedQueries, dense::vectors),
            scifact.queries(), 100, null);
        rows.add(new Row("bm25@100 > " + model, "2stage", twoStage, Double.NaN, Double.NaN,
            (System.nanoTime() - rerankStart) / 1e9, true));
        System.err.printf(Locale.ROOT, "quality: %s nDCG@10 %.4f%n", model, report.average("ndcg@10"));
      }
    }
    bm25.close();
    print(rows);
  }

  static void print(List<Row> rows) {
    System.out.printf(Locale.ROOT, "SciFact test (300 queries, 5,183 documents), exact search; %s, %d cores, %s%n",
        System.getProperty("java.vm.name") + " " + Runtime.version(),
        Runtime.getRuntime().availableProcessors(), LocalDate.now());
    String head = String.format(Locale.ROOT, "%-32s %-6s %8s %9s %7s %10s %7s %8s %9s %8s",
        "system", "mode", "nDCG@10", "published", "delta", "Recall@100", "MRR@10", "MAP@100",
        "STS-B dev", "seconds");
    System.out.println(head);
    System.out.println("-".repeat(head.length()));
    int within = 0, known = 0;
    for (Row r : rows) {
      double ndcg = r.report().average("ndcg@10");
      double delta = ndcg - r.published();
      if (!Double.isNaN(r.published())) {
        known++;
        if (Math.abs(delta) <= TOLERANCE) within++;
      }
      System.out.printf(Locale.ROOT, "%-32s %-6s %8.4f %9s %+7.4f %10.4f %7.4f %8.4f %9s %8.1f%s%n",
          r.system(), r.mode(), ndcg, Double.isNaN(r.published()) ? "-" : String.format(Locale.ROOT, "%.4f", r.published()),
          Double.isNaN(r.published()) ? 0 : delta, r.report().average("recall@100"),
          r.report().average("mrr@10"), r.report().average("map@100"),
          Double.isNaN(r.stsSpearman()) ? "-" : String.format(Locale.ROOT, "%.4f", r.stsSpearman()),
          r.seconds(), r.cached() ? " (corpus cached)" : "");
    }
    System.out.printf(Locale.ROOT, "quality: %d of %d published SciFact figures reproduced within %.3f nDCG@10%n",
        within, known, TOLERANCE);
  }

  private static Path shared() {
    String dir = System.getenv("QUARRY_SHARED");
    Path path = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of("..", "shared");
    if (!Files.isDirectory(path.resolve("data"))) {
      throw new IllegalStateException("the shared data folder is missing at " + path.toAbsolutePath()
          + "; set QUARRY_SHARED");
    }
    return path;
  }
}
