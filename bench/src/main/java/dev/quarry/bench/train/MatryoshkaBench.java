package dev.quarry.bench.train;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.eval.BeirDataset;
import dev.quarry.eval.RankingMetric;
import dev.quarry.eval.RetrievalEvaluator;
import dev.quarry.nn.SentencePooling;
import dev.quarry.retrieval.Hit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nDCG@10 on a BEIR data set at several Matryoshka dimensions, for several models: each model
 * embeds the corpus and the queries once at full size; each dimension then keeps the first
 * components, renormalises them (as {@code --dim} does) and ranks every document exactly. Used to
 * compare a Matryoshka-trained model with plain truncation of the original.
 *
 * <pre>
 *   bench/run matryoshka --models all-MiniLM-L6-v2,DIR,... [--dims 384,256,128,64] [--data DIR]
 * </pre>
 */
public final class MatryoshkaBench {

  public static void main(String[] argv) throws Exception {
    List<String> models = List.of("all-MiniLM-L6-v2");
    int[] dims = {384, 256, 128, 64};
    Path data = Path.of("../shared/data/scifact");
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--models" -> models = Arrays.asList(argv[i + 1].split(","));
        case "--dims" -> dims = Arrays.stream(argv[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--data" -> data = Path.of(argv[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + argv[i]);
      }
    }
    BeirDataset dataset = BeirDataset.load(data, "test");
    RankingMetric ndcg = RankingMetric.ndcg(10);
    RetrievalEvaluator evaluator = new RetrievalEvaluator(dataset.qrels(), List.of(ndcg), true);
    List<String> queryIds = new ArrayList<>(dataset.queries().keySet());
    List<String> queryTexts = queryIds.stream().map(dataset.queries()::get).toList();

    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-40s", "model \\ nDCG@10 at dim"));
    for (int d : dims) header.append(String.format(Locale.ROOT, "%8d", d));
    System.out.println(header);
    for (String model : models) {
      float[][] docs;
      float[][] queries;
      try (Embedder embedder = Embedder.open(model, EmbedOptions.defaults())) {
        long start = System.nanoTime();
        docs = embedder.embedDocuments(dataset.docTexts());
        queries = embedder.embedQueries(queryTexts);
        System.err.printf(Locale.ROOT, "%s: corpus embedded in %.0f s%n", model, (System.nanoTime() - start) / 1e9);
      }
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-40s", model));
      for (int d : dims) {
        float[][] dv = truncate(docs, d);
        float[][] qv = truncate(queries, d);
        Map<String, List<Hit>> run = new HashMap<>();
        for (int q = 0; q < qv.length; q++) run.put(queryIds.get(q), top(qv[q], dv, dataset.docIds(), 100));
        row.append(String.format(Locale.ROOT, "%8.4f", evaluator.evaluate(run).average(ndcg)));
      }
      System.out.println(row);
    }
  }

  /** The first {@code d} components of each vector, scaled back to unit length. */
  static float[][] truncate(float[][] vectors, int d) {
    float[][] out = new float[vectors.length][];
    for (int i = 0; i < vectors.length; i++) out[i] = SentencePooling.normalize(Arrays.copyOf(vectors[i], d));
    return out;
  }

  /** The {@code k} documents of highest dot product with {@code query}, best first. */
  static List<Hit> top(float[] query, float[][] docs, List<String> ids, int k) {
    List<Hit> hits = new ArrayList<>(docs.length);
    for (int i = 0; i < docs.length; i++) {
      float s = 0;
      for (int j = 0; j < query.length; j++) s += query[j] * docs[i][j];
      hits.add(new Hit(ids.get(i), s));
    }
    hits.sort(RetrievalEvaluator.TREC_ORDER);
    return hits.subList(0, Math.min(k, hits.size()));
  }
}
