package dev.quarry.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reciprocal rank fusion, weighted fusion and two-stage reranking on hand-made lists. */
class FusionTest {

  @TempDir Path tmp;

  private static List<Hit> hits(String... idsAndScores) {
    List<Hit> out = new java.util.ArrayList<>();
    for (int i = 0; i < idsAndScores.length; i += 2) {
      out.add(new Hit(idsAndScores[i], Float.parseFloat(idsAndScores[i + 1])));
    }
    return out;
  }

  @Test
  void reciprocalRankFusionUsesOneBasedRanksAndZeroForAbsentDocuments() {
    List<Hit> dense = hits("a", "0.9", "b", "0.8", "c", "0.1");
    List<Hit> bm25 = hits("c", "12", "a", "7", "d", "3");
    List<Hit> fused = Fusion.reciprocalRank(List.of(dense, bm25), 60, 10);
    // a: 1/61 + 1/62; c: 1/63 + 1/61; b: 1/62; d: 1/63
    assertEquals(List.of("a", "c", "b", "d"), fused.stream().map(Hit::id).toList());
    assertEquals(1.0 / 61 + 1.0 / 62, fused.get(0).score(), 1e-7);
    assertEquals(1.0 / 63 + 1.0 / 61, fused.get(1).score(), 1e-7);
    assertEquals(1.0 / 62, fused.get(2).score(), 1e-7);
    assertEquals(1.0 / 63, fused.get(3).score(), 1e-7);
    assertEquals(2, Fusion.reciprocalRank(List.of(dense, bm25), 60, 2).size());
    // Equal fused scores keep first-seen order.
    List<Hit> tie = Fusion.reciprocalRank(List.of(hits("x", "1"), hits("y", "1")), 60, 2);
    assertEquals(List.of("x", "y"), tie.stream().map(Hit::id).toList());
  }

  @Test
  void weightedFusionNormalisesEachList() {
    List<Hit> dense = hits("a", "0.9", "b", "0.5", "c", "0.1");
    List<Hit> bm25 = hits("c", "20", "a", "10", "d", "0");
    List<Hit> fused = Fusion.weighted(List.of(dense, bm25), List.of(0.7, 0.3),
        Fusion.Normalization.MIN_MAX, 10);
    // a: 0.7 * 1 + 0.3 * 0.5; b: 0.7 * 0.5; c: 0.7 * 0 + 0.3 * 1; d: 0
    Map<String, Float> byId = new HashMap<>();
    for (Hit h : fused) byId.put(h.id(), h.score());
    assertEquals(0.85, byId.get("a"), 1e-6);
    assertEquals(0.35, byId.get("b"), 1e-6);
    assertEquals(0.30, byId.get("c"), 1e-6);
    assertEquals(0.0, byId.get("d"), 1e-6);
    assertEquals("a", fused.get(0).id());
    List<Hit> z = Fusion.weighted(List.of(hits("a", "3", "b", "1")), List.of(1.0),
        Fusion.Normalization.Z_SCORE, 2);
    assertEquals(1.0, z.get(0).score(), 1e-6);
    assertEquals(-1.0, z.get(1).score(), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> Fusion.weighted(List.of(dense), List.of(),
        Fusion.Normalization.NONE, 3));
    assertThrows(IllegalArgumentException.class, () -> Fusion.weighted(List.of(hits("a", "NaN")),
        List.of(1.0), Fusion.Normalization.NONE, 3));
  }

  @Test
  void fusionRetrieverAndTwoStageComposeRetrievers() throws Exception {
    List<String> ids = List.of("java", "cats", "rain");
    List<String> texts = List.of("Java runs on the JVM", "cats sleep all day long", "rain falls on cats");
    Bm25Retriever bm25 = Bm25Retriever.build(ids, texts, dev.quarry.index.inverted.Bm25.defaults());
    assertEquals(List.of("cats", "rain"), bm25.search("sleeping cats", 10).stream().map(Hit::id).toList());
    // A fake "dense" retriever that ranks by a fixed order.
    Retriever fixed = (query, k) -> hits("rain", "0.9", "java", "0.5").subList(0, Math.min(k, 2));
    FusionRetriever rrf = FusionRetriever.reciprocalRank(List.of(bm25, fixed), 100);
    assertEquals(List.of("rain", "cats", "java"),
        rrf.search("sleeping cats", 3).stream().map(Hit::id).toList());

    // Two-stage: BM25 proposes cats and rain; the vectors prefer rain.
    Map<String, float[]> vectors = Map.of("java", new float[] {1, 0}, "cats", new float[] {0.6f, 0.8f},
        "rain", new float[] {0, 2});
    TwoStageRetriever twoStage = new TwoStageRetriever(bm25, 10, qs -> new float[][] {{0, 1}},
        want -> want.stream().map(vectors::get).toArray(float[][]::new));
    List<Hit> reranked = twoStage.search("sleeping cats", 10);
    assertEquals(List.of("rain", "cats"), reranked.stream().map(Hit::id).toList());
    assertEquals(1.0, reranked.get(0).score(), 1e-6);
    assertEquals(0.8, reranked.get(1).score(), 1e-6);

    // The flat stored vectors: written, read back, searched exactly.
    Path dir = tmp.resolve("dense");
    StoredVectors.write(dir, List.copyOf(vectors.keySet()),
        vectors.values().toArray(float[][]::new), "test-model");
    StoredVectors stored = StoredVectors.read(dir);
    assertEquals("test-model", stored.model());
    FlatDenseRetriever flat = new FlatDenseRetriever(stored, qs -> new float[][] {{1, 0}});
    List<Hit> top = flat.search("anything", 2);
    assertEquals(List.of("java", "cats"), top.stream().map(Hit::id).toList());
    assertEquals(0.6, top.get(1).score(), 1e-6);
  }
}
