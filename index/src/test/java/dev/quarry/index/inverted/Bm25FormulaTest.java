package dev.quarry.index.inverted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;

/** BM25 on a corpus small enough to check by hand, and Lucene's length rounding. */
class Bm25FormulaTest {

  @Test
  void tinyCorpusMatchesTheFormulaWorkedByHand() {
    InvertedIndex index = InvertedIndex.bm25(Bm25.defaults());
    index.add("d1", List.of("cat", "sat", "mat"));
    index.add("d2", List.of("cat", "cat", "dog"));
    index.add("d3", List.of("dog", "ran", "far", "away", "fast"));
    InvertedSearcher s = index.searcher();
    // N = 3, avgdl = 11 / 3. "cat": n = 2, idf = ln(1 + 1.5 / 2.5) = ln 1.6 = 0.470004.
    assertEquals(3, s.docCount());
    assertEquals(11 / 3.0, s.avgLength(), 1e-6);
    // d2: tf 2, dl 3: 0.470004 * 2 / (2 + 0.9 * (0.6 + 0.4 * 3 / (11/3))) = 0.470004 * 0.6497...
    double idfCat = Math.log(1.6);
    double k = 0.9 * (0.6 + 0.4 * 3 / (11 / 3.0));
    assertEquals(0.4700036, idfCat, 1e-6);
    assertEquals(0.9 * (0.6 + 0.4 * 9 / 11.0), k, 1e-12);
    List<SearchHit> hits = s.search(Map.of("cat", 1f), 10);
    assertEquals(List.of("d2", "d1"), hits.stream().map(SearchHit::id).toList());
    assertEquals(idfCat * 2 / (2 + k), hits.get(0).score(), 1e-6);
    assertEquals(idfCat * 1 / (1 + k), hits.get(1).score(), 1e-6);
    assertEquals(0.3316254, hits.get(0).score(), 1e-6); // worked by hand: 0.470004 * 2 / 2.834545
    // "dog far": d3 has both (dl 5), d2 has dog (dl 3); idf(dog) = ln 1.6, idf(far) = ln(1 + 2.5/1.5).
    double idfFar = Math.log(1 + 2.5 / 1.5);
    double k3 = 0.9 * (0.6 + 0.4 * 5 / (11 / 3.0));
    hits = s.search(InvertedSearcher.bagOfWords(List.of("dog", "far")), 10);
    assertEquals("d3", hits.get(0).id());
    assertEquals(idfCat / (1 + k3) + idfFar / (1 + k3), hits.get(0).score(), 1e-6);
    assertEquals(idfCat / (1 + k), hits.get(1).score(), 1e-6);
    // A repeated query term counts twice (Lucene rewrites it to a boost of 2).
    hits = s.search(InvertedSearcher.bagOfWords(List.of("cat", "cat")), 1);
    assertEquals(2 * idfCat * 2 / (2 + k), hits.get(0).score(), 1e-6);
    // A term no document has scores nothing.
    assertEquals(List.of(), s.search(Map.of("zebra", 1f), 10));
  }

  @Test
  void longDocumentsUseLucenesRoundedLengthUnlessExact() {
    for (boolean exact : new boolean[] {false, true}) {
      InvertedIndex index = InvertedIndex.bm25(new Bm25(1.2f, 0.75f, exact));
      String[] filler = new String[99];
      java.util.Arrays.fill(filler, "x");
      List<String> longDoc = new java.util.ArrayList<>(List.of(filler));
      longDoc.add("y");
      index.add("long", longDoc); // 100 terms: Lucene's byte holds 96..103 as 96
      index.add("short", List.of("x", "z"));
      InvertedSearcher s = index.searcher();
      double avgdl = 102 / 2.0;
      double dl = exact ? 100 : SmallFloat.byte4ToInt(SmallFloat.intToByte4(100));
      assertEquals(exact ? 100 : 96, (int) dl);
      double idf = Math.log(1 + 1.5 / 1.5);
      double expected = idf * 1 / (1 + 1.2 * (0.25 + 0.75 * dl / avgdl));
      assertEquals(expected, s.search(Map.of("y", 1f), 1).get(0).score(), 1e-6);
    }
  }

  @Test
  void lengthNormIsLucenesSmallFloat() {
    for (int i = 0; i < 100_000; i++) {
      assertEquals(SmallFloat.intToByte4(i), LengthNorm.encode(i), "length " + i);
    }
    Random r = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      int len = r.nextInt(Integer.MAX_VALUE);
      assertEquals(SmallFloat.intToByte4(len), LengthNorm.encode(len));
    }
    for (int b = 0; b < 256; b++) {
      assertEquals(SmallFloat.byte4ToInt((byte) b), LengthNorm.decode((byte) b));
    }
  }

  @Test
  void badParametersAndQueriesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Bm25(-1f, 0.4f, false));
    assertThrows(IllegalArgumentException.class, () -> new Bm25(Float.NaN, 0.4f, false));
    assertThrows(IllegalArgumentException.class, () -> new Bm25(0.9f, 1.5f, false));
    InvertedIndex index = InvertedIndex.bm25(Bm25.defaults());
    index.add("a", List.of("x"));
    assertThrows(IllegalArgumentException.class, () -> index.add("", List.of("x")));
    assertThrows(IllegalArgumentException.class, () -> index.add("b", List.of("")));
    assertThrows(IllegalStateException.class, () -> index.addImpacts("b", Map.of("x", 1f)));
    InvertedSearcher s = index.searcher();
    assertThrows(IllegalArgumentException.class, () -> s.search(Map.of("x", 1f), 0));
    assertThrows(IllegalArgumentException.class, () -> s.search(Map.of("x", Float.NaN), 1));
    assertThrows(IllegalArgumentException.class, () -> s.search(Map.of("x", -1f), 1));
    assertThrows(IllegalStateException.class, index::commit);
    InvertedIndex sparse = InvertedIndex.impacts(100);
    assertThrows(IllegalArgumentException.class, () -> sparse.addImpacts("a", Map.of("x", Float.POSITIVE_INFINITY)));
    assertThrows(IllegalArgumentException.class, () -> InvertedIndex.impacts(0));
  }
}
