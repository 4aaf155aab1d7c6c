package dev.quarry.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.index.Similarity;
import dev.quarry.index.VectorEncoding;
import dev.quarry.index.VectorIndexConfig;
import dev.quarry.model.BuiltinModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** HNSW search agrees with the exact scan: on random unit vectors, and through the real model. */
class HnswRetrieverTest {

  private static final int N = 600;
  private static final int DIM = 32;
  private static final int QUERIES = 60;

  private static float[][] unitVectors(int n, Random random) {
    float[][] out = new float[n][DIM];
    for (float[] v : out) {
      double norm = 0;
      for (int j = 0; j < DIM; j++) {
        v[j] = (float) random.nextGaussian();
        norm += v[j] * v[j];
      }
      for (int j = 0; j < DIM; j++) v[j] /= (float) Math.sqrt(norm);
    }
    return out;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  @Test
  void topTenMatchesTheExactScan() {
    Random random = new Random(7);
    float[][] docs = unitVectors(N, random);
    float[][] queries = unitVectors(QUERIES, random);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) ids.add("doc" + i);
    Map<String, float[]> queryVectors = new HashMap<>();
    List<String> queryTexts = new ArrayList<>();
    for (int i = 0; i < QUERIES; i++) {
      queryTexts.add("q" + i);
      queryVectors.put("q" + i, queries[i]);
    }
    for (VectorEncoding encoding : new VectorEncoding[] {VectorEncoding.FLOAT32, VectorEncoding.INT8}) {
      VectorIndexConfig config = HnswRetriever.defaultConfig(DIM).withEncoding(encoding);
      List<Integer> progress = new ArrayList<>();
      try (HnswRetriever hnsw = new HnswRetriever(ids, i -> docs[i],
          qs -> qs.stream().map(queryVectors::get).toArray(float[][]::new), config, 2, progress::add)) {
        assertEquals(List.of(N), progress);
        List<List<Hit>> found = hnsw.searchAll(queryTexts, 10);
        int agree = 0;
        for (int q = 0; q < QUERIES; q++) {
          float[] scores = new float[N];
          for (int d = 0; d < N; d++) scores[d] = dot(queries[q], docs[d]);
          Set<String> exact = new HashSet<>();
          for (Hit h : DenseRetriever.topK(scores, ids, 10)) exact.add(h.id());
          List<Hit> hits = found.get(q);
          assertEquals(10, hits.size());
          for (int i = 0; i < hits.size(); i++) {
            Hit h = hits.get(i);
            if (exact.contains(h.id())) agree++;
            // The score is the exact scan's: the dot product (the cosine of these unit vectors).
            assertEquals(scores[Integer.parseInt(h.id().substring(3))], h.score(), 1e-5, h.id());
            if (i > 0) assertTrue(hits.get(i - 1).score() >= h.score(), "best first");
          }
        }
        double recall = agree / (10.0 * QUERIES);
        assertTrue(recall >= 0.95, encoding + ": recall@10 " + recall);
        assertEquals(found.get(3), hnsw.search("q3", 10));
      }
    }
  }

  @Test
  void dotProductUnlessToldOtherwise() {
    VectorIndexConfig config = HnswRetriever.defaultConfig(384);
    assertEquals(Similarity.DOT_PRODUCT, config.similarity());
    assertEquals(384, config.dimension());
    assertEquals(VectorIndexConfig.of(384, Similarity.DOT_PRODUCT), config);
  }

  @Test
  void closedOrEmptyIsRefused() {
    float[] v = {1, 0, 0};
    HnswRetriever hnsw = new HnswRetriever(List.of("a"), i -> v, qs -> new float[][] {v},
        HnswRetriever.defaultConfig(3), 1, null);
    assertEquals(List.of(new Hit("a", 1f)), hnsw.search("x", 5));
    assertThrows(IllegalArgumentException.class, () -> hnsw.search("x", 0));
    hnsw.close();
    assertThrows(IllegalStateException.class, () -> hnsw.search("x", 1));
    assertThrows(IllegalArgumentException.class, () -> new HnswRetriever(List.of(), i -> v,
        qs -> new float[][] {v}, HnswRetriever.defaultConfig(3), 1, null));
  }

  @Test
  void theRealModelRanksAsTheExactScanDoes() throws Exception {
    List<String> ids = List.of("java", "cats", "rain", "bread", "chess");
    List<String> texts = List.of(
        "Java is a programming language that runs on the JVM.",
        "Cats sleep for most of the day.",
        "Heavy rain is expected over the weekend.",
        "Bake the bread at a high temperature for a crisp crust.",
        "The queen is the most powerful piece in chess.");
    List<String> queries = List.of("Which language runs on the JVM?", "a sleepy pet", "weather forecast");
    try (Embedder embedder = Embedder.open(BuiltinModels.DEFAULT, EmbedOptions.defaults().withThreads(2))) {
      DenseRetriever dense = DenseRetriever.build(embedder, ids, texts,
          DenseRetriever.Options.defaults().withCacheDirectory(null));
      try (HnswRetriever hnsw = HnswRetriever.build(dense,
          HnswRetriever.defaultConfig(embedder.dimension()), 2, null)) {
        List<List<Hit>> exact = dense.searchAll(queries, 5);
        List<List<Hit>> approximate = hnsw.searchAll(queries, 5);
        for (int q = 0; q < queries.size(); q++) {
          assertEquals(5, approximate.get(q).size());
          for (int i = 0; i < 5; i++) {
            assertEquals(exact.get(q).get(i).id(), approximate.get(q).get(i).id(), queries.get(q));
            assertEquals(exact.get(q).get(i).score(), approximate.get(q).get(i).score(), 1e-5);
          }
        }
      }
    }
  }
}
