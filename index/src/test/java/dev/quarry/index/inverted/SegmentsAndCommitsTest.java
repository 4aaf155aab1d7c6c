package dev.quarry.index.inverted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.index.store.CorruptIndexException;
import dev.quarry.index.store.WriteHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Incremental adds, deletes, merges, and crash-safe commits of the inverted index. */
class SegmentsAndCommitsTest {

  @TempDir Path tmp;

  /** A random corpus with a Zipf-like vocabulary, long enough to span many postings blocks. */
  static List<List<String>> corpus(int docs, long seed) {
    Random r = new Random(seed);
    List<List<String>> out = new ArrayList<>();
    for (int d = 0; d < docs; d++) {
      int len = 1 + r.nextInt(60);
      List<String> terms = new ArrayList<>();
      for (int i = 0; i < len; i++) {
        terms.add("t" + (int) Math.floor(Math.pow(500, r.nextDouble()))); // t1 common, t499 rare
      }
      out.add(terms);
    }
    return out;
  }

  static List<Map<String, Float>> queries(int n, long seed) {
    Random r = new Random(seed);
    List<Map<String, Float>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> q = new ArrayList<>();
      int len = 1 + r.nextInt(8);
      for (int j = 0; j < len; j++) q.add("t" + (int) Math.floor(Math.pow(500, r.nextDouble())));
      out.add(InvertedSearcher.bagOfWords(q));
    }
    return out;
  }

  static List<List<SearchHit>> run(InvertedSearcher s, List<Map<String, Float>> queries, int k) {
    List<List<SearchHit>> out = new ArrayList<>();
    for (Map<String, Float> q : queries) {
      List<SearchHit> hits = s.search(q, k);
      assertEquals(s.searchExhaustive(q, k), hits);
      // doc numbers differ between layouts; ids and scores must not
      out.add(hits.stream().map(h -> new SearchHit(h.id(), 0, h.score())).toList());
    }
    return out;
  }

  @Test
  void segmentsDeletesAndMergesGiveTheSameResultsAsOneFreshSegment() {
    List<List<String>> docs = corpus(3000, 1);
    List<Map<String, Float>> queries = queries(200, 2);
    InvertedIndex incremental = InvertedIndex.bm25(Bm25.defaults());
    for (int d = 0; d < docs.size(); d++) {
      incremental.add("d" + d, docs.get(d));
      if (d % 700 == 699) incremental.flush();
    }
    for (int d = 0; d < docs.size(); d += 7) assertTrue(incremental.delete("d" + d));
    assertFalse(incremental.delete("d0"));
    assertFalse(incremental.delete("nope"));
    // Before merging, deleted documents still count in the statistics; results are still exact.
    InvertedSearcher before = incremental.searcher();
    assertEquals(docs.size() - (docs.size() + 6) / 7, before.numDocs());
    run(before, queries, 10);
    for (SearchHit h : before.search(Map.of("t1", 1f), 3000)) {
      assertTrue(Integer.parseInt(h.id().substring(1)) % 7 != 0, "deleted document returned");
    }
    incremental.forceMerge();

    InvertedIndex fresh = InvertedIndex.bm25(Bm25.defaults());
    for (int d = 0; d < docs.size(); d++) if (d % 7 != 0) fresh.add("d" + d, docs.get(d));
    assertEquals(run(fresh.searcher(), queries, 10), run(incremental.searcher(), queries, 10));
    assertEquals(run(fresh.searcher(), queries, 100), run(incremental.searcher(), queries, 100));
  }

  @Test
  void addingAnExistingIdReplacesTheDocument() {
    InvertedIndex index = InvertedIndex.bm25(Bm25.defaults());
    index.add("a", List.of("x"));
    index.add("a", List.of("y")); // replaces a buffered document
    index.flush();
    index.add("a", List.of("z")); // replaces a flushed one
    InvertedSearcher s = index.searcher();
    assertEquals(1, s.numDocs());
    assertEquals(List.of(), s.search(Map.of("x", 1f), 5));
    assertEquals(List.of(), s.search(Map.of("y", 1f), 5));
    assertEquals("a", s.search(Map.of("z", 1f), 5).get(0).id());
  }

  @Test
  void commitsSurviveReopeningAndCarryUnchangedSegments() throws IOException {
    List<List<String>> docs = corpus(1500, 3);
    List<Map<String, Float>> queries = queries(100, 4);
    Path dir = tmp.resolve("idx");
    try (InvertedIndex index = InvertedIndex.createBm25(dir, new Bm25(1.2f, 0.75f, true))) {
      for (int d = 0; d < 1000; d++) index.add("d" + d, docs.get(d));
      index.commit();
      for (int d = 1000; d < 1500; d++) index.add("d" + d, docs.get(d));
      index.delete("d3");
      index.commit();
      List<List<SearchHit>> expected = run(index.searcher(), queries, 10);
      try (InvertedIndex reopened = InvertedIndex.open(dir)) {
        assertEquals(new Bm25(1.2f, 0.75f, true), reopened.bm25());
        assertEquals(1499, reopened.size());
        assertEquals(expected, run(reopened.searcher(), queries, 10));
        reopened.forceMerge();
        reopened.commit();
      }
    }
    try (InvertedIndex merged = InvertedIndex.open(dir)) {
      assertEquals(1499, merged.searcher().maxDoc());
    }
    assertThrows(IOException.class, () -> InvertedIndex.createBm25(dir, Bm25.defaults()));
  }

  /** Fails the n-th disk step of a commit, for every n, and checks that the last commit survives. */
  @Test
  void aCommitThatFailsAtAnyStepLeavesThePreviousCommit() throws IOException {
    List<List<String>> docs = corpus(600, 5);
    List<Map<String, Float>> queries = queries(50, 6);
    Path dir = tmp.resolve("crash");
    // The reference: the state after the first commit, and after the second.
    List<List<SearchHit>> first;
    List<List<SearchHit>> second;
    try (InvertedIndex index = InvertedIndex.createBm25(dir, Bm25.defaults())) {
      for (int d = 0; d < 300; d++) index.add("d" + d, docs.get(d));
      index.commit();
      first = run(index.searcher(), queries, 10);
      for (int d = 300; d < 600; d++) index.add("d" + d, docs.get(d));
      index.delete("d1");
      second = run(index.searcher(), queries, 10);
    }
    int failures = 0;
    for (int failAt = 1; ; failAt++) {
      AtomicInteger steps = new AtomicInteger();
      int n = failAt;
      WriteHook hook = (step, file) -> {
        if (steps.incrementAndGet() == n) throw new IOException("injected failure before " + step + " " + file);
      };
      boolean failed;
      try (InvertedIndex index = InvertedIndex.open(dir, hook)) {
        for (int d = 300; d < 600; d++) index.add("d" + d, docs.get(d));
        index.delete("d1");
        try {
          index.commit();
          failed = false;
        } catch (IOException e) {
          failed = true;
        }
        if (failed) {
          // The failure left the directory as it was: a retry from the same writer must work.
          try (InvertedIndex reopened = InvertedIndex.open(dir)) {
            List<List<SearchHit>> got = run(reopened.searcher(), queries, 10);
            assertTrue(got.equals(first) || got.equals(second), "torn state after step " + n);
          }
          index.commit();
          try (InvertedIndex reopened = InvertedIndex.open(dir)) {
            assertEquals(second, run(reopened.searcher(), queries, 10), "retry after step " + n);
          }
        }
      }
      if (!failed) {
        try (InvertedIndex reopened = InvertedIndex.open(dir)) {
          assertEquals(second, run(reopened.searcher(), queries, 10), "a successful commit");
        }
      }
      if (!failed) break;
      failures++;
      // Put the first commit back for the next round.
      deleteTree(dir);
      try (InvertedIndex index = InvertedIndex.createBm25(dir, Bm25.defaults())) {
        for (int d = 0; d < 300; d++) index.add("d" + d, docs.get(d));
        index.commit();
      }
    }
    assertTrue(failures >= 8, "expected a failure at every disk step, got " + failures);
  }

  @Test
  void damagedFilesAreReportedNotMisread() throws IOException {
    Path dir = tmp.resolve("bad");
    try (InvertedIndex index = InvertedIndex.createBm25(dir, Bm25.defaults())) {
      index.add("a", List.of("x", "y"));
      index.commit();
    }
    Path seg;
    try (var files = Files.list(dir)) {
      seg = files.filter(p -> p.getFileName().toString().startsWith("seg0")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(seg);
    bytes[80] ^= 1;
    Files.write(seg, bytes);
    assertThrows(CorruptIndexException.class, () -> InvertedIndex.open(dir));
    assertThrows(IOException.class, () -> InvertedIndex.open(tmp.resolve("missing")));
    Files.createDirectories(tmp.resolve("empty"));
    assertThrows(IOException.class, () -> InvertedIndex.open(tmp.resolve("empty")));
  }

  @Test
  void learnedSparseImpactsArePrunedExactlyAndPersist() throws IOException {
    Random r = new Random(9);
    List<Map<String, Float>> docs = new ArrayList<>();
    for (int d = 0; d < 4000; d++) {
      Map<String, Float> v = new HashMap<>();
      int n = 5 + r.nextInt(60);
      for (int i = 0; i < n; i++) v.put("w" + (int) Math.pow(2000, r.nextDouble()), r.nextFloat() * 3);
      docs.add(v);
    }
    Path dir = tmp.resolve("sparse");
    try (InvertedIndex index = InvertedIndex.createImpacts(dir, 100)) {
      for (int d = 0; d < docs.size(); d++) index.addImpacts("d" + d, docs.get(d));
      index.commit();
    }
    try (InvertedIndex index = InvertedIndex.open(dir)) {
      assertTrue(index.isImpacts());
      InvertedSearcher s = index.searcher();
      for (int q = 0; q < 200; q++) {
        Map<String, Float> query = new HashMap<>();
        for (int i = 0; i < 1 + r.nextInt(20); i++) {
          query.put("w" + (int) Math.pow(2000, r.nextDouble()), r.nextFloat());
        }
        List<SearchHit> hits = s.search(query, 10);
        assertEquals(s.searchExhaustive(query, 10), hits);
        // The score is the dot product of the query with the quantized document weights.
        for (SearchHit h : hits) {
          Map<String, Float> doc = docs.get(Integer.parseInt(h.id().substring(1)));
          double dot = 0;
          for (var e : query.entrySet()) {
            Float w = doc.get(e.getKey());
            if (w != null) dot += e.getValue() * Math.round(w * 100) / 100.0;
          }
          assertEquals(dot, h.score(), 1e-4 * Math.max(1, dot));
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
