package dev.quarry.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.index.store.CorruptIndexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HnswIndexTest {

  static final int DIM = 48;
  static final int N = 3000;
  static final int QUERIES = 60;

  @TempDir Path dir;

  /** A Gaussian mixture: 40 centres, points spread around them; ids are 1000 + ordinal. */
  static float[][] mixture(int n, int dim, long seed) {
    Random random = new Random(seed);
    float[][] centres = new float[40][dim];
    for (float[] c : centres) for (int j = 0; j < dim; j++) c[j] = (float) random.nextGaussian();
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int j = 0; j < dim; j++) out[i][j] = c[j] + 0.6f * (float) random.nextGaussian();
    }
    return out;
  }

  static long[] ids(int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) ids[i] = 1000 + i;
    return ids;
  }

  static double recall(HnswIndex index, FlatIndex flat, float[][] queries, int k, IdFilter filter) {
    int found = 0;
    int total = 0;
    for (float[] q : queries) {
      Set<Long> truth = new HashSet<>();
      for (SearchHit h : flat.search(q, k, filter)) truth.add(h.id());
      for (SearchHit h : index.search(q, k, index.config().efSearch(), filter)) if (truth.contains(h.id())) found++;
      total += truth.size();
    }
    return (double) found / total;
  }

  static FlatIndex flat(VectorIndexConfig config, float[][] base) {
    FlatIndex flat = new FlatIndex(config);
    for (int i = 0; i < base.length; i++) flat.add(1000 + i, base[i]);
    return flat;
  }

  @ParameterizedTest
  @EnumSource(Similarity.class)
  void recallAtTenIsHighForEveryEncodingAndSurvivesReopen(Similarity similarity) throws IOException {
    // Float32 at 256 dimensions is searched through its sign sketch; at 48 it has none.
    int[] dims = {DIM, 256, DIM};
    VectorEncoding[] encodings = {VectorEncoding.FLOAT32, VectorEncoding.FLOAT32, VectorEncoding.INT8};
    for (int c = 0; c < dims.length; c++) {
      VectorEncoding encoding = encodings[c];
      int dim = dims[c];
      float[][] base = mixture(N, dim, 1);
      float[][] queries = mixture(QUERIES, dim, 2);
      if (dim > DIM) {
        // Queries from the base's own clusters, as embeddings of a corpus's questions are: at 256
        // dimensions, queries from clusters of their own lie at right angles to every vector, and
        // the graph alone (no sketch) finds 0.918 of their neighbours for dot product.
        float[][] all = mixture(N + QUERIES, dim, 1);
        base = java.util.Arrays.copyOf(all, N);
        queries = java.util.Arrays.copyOfRange(all, N, N + QUERIES);
      }
      VectorIndexConfig config = VectorIndexConfig.of(dim, similarity).withEncoding(encoding);
      FlatIndex flat = flat(config, base);
      List<List<SearchHit>> before = new ArrayList<>();
      Path where = dir.resolve(similarity + "-" + encoding + "-" + dim);
      try (HnswIndex index = HnswIndex.create(config)) {
        index.addAll(ids(N), base, 2);
        double recall = recall(index, flat, queries, 10, null);
        System.out.printf("recall@10 %s/%s/%d-d %.3f%n", similarity, encoding, dim, recall);
        assertTrue(recall >= 0.95, similarity + "/" + encoding + "/" + dim + "-d recall@10 " + recall);
        for (float[] q : queries) before.add(index.search(q, 10));
        index.commit(where);
      }
      // Mapped or copied to the heap, the same vectors score bit for bit alike.
      for (Residency residency : Residency.values()) {
        try (HnswIndex reopened = HnswIndex.open(where, residency)) {
          assertEquals(N, reopened.size());
          for (int i = 0; i < queries.length; i++) {
            assertEquals(before.get(i), reopened.search(queries[i], 10),
                similarity + "/" + encoding + "/" + residency + " query " + i);
          }
        }
      }
    }
  }

  /**
   * Duplicated vectors score exactly alike: such hits come in id order, whatever the ordinals, so
   * the answer is the same from the exact index, the graph, and the graph as a commit lays it out.
   */
  @ParameterizedTest
  @EnumSource(VectorEncoding.class)
  void equalScoresComeInIdOrderBeforeAndAfterACommit(VectorEncoding encoding) throws IOException {
    int dim = encoding == VectorEncoding.BINARY ? 256 : DIM;
    float[][] base = mixture(1000, dim, 5);
    int copies = 200;
    // Ids fall as ordinals rise, and every copy of a vector gets a smaller id than its original.
    long[] ids = new long[base.length + copies];
    float[][] vectors = new float[ids.length][];
    for (int i = 0; i < base.length; i++) {
      ids[i] = 5000 - i;
      vectors[i] = base[i];
    }
    for (int c = 0; c < copies; c++) {
      ids[base.length + c] = 3000 - c;
      vectors[base.length + c] = base[c].clone();
    }
    VectorIndexConfig config = VectorIndexConfig.of(dim, Similarity.COSINE).withEncoding(encoding);
    FlatIndex flat = new FlatIndex(config);
    for (int i = 0; i < ids.length; i++) flat.add(ids[i], vectors[i]);
    List<List<SearchHit>> before = new ArrayList<>();
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids, vectors, 1);
      int pairs = 0;
      for (int c = 0; c < copies; c++) {
        List<SearchHit> exact = flat.search(base[c], 2);
        assertEquals(List.of(3000L - c, 5000L - c), List.of(exact.get(0).id(), exact.get(1).id()), "exact, copy " + c);
        assertEquals(exact.get(0).score(), exact.get(1).score());
        List<SearchHit> hits = index.search(base[c], 10);
        before.add(hits);
        // An approximate search may miss one of the pair; where it finds both, the copy comes first.
        List<Long> found = hits.stream().map(SearchHit::id).toList();
        int copy = found.indexOf(3000L - c);
        int original = found.indexOf(5000L - c);
        if (copy >= 0 && original >= 0) {
          pairs++;
          assertEquals(copy + 1, original, "copy " + c + ": " + hits);
        }
      }
      assertTrue(pairs >= copies * 9 / 10, "both of a pair found for only " + pairs + " of " + copies + " copies");
      index.commit(dir);
    }
    for (Residency residency : Residency.values()) {
      try (HnswIndex reopened = HnswIndex.open(dir, residency)) {
        for (int c = 0; c < copies; c++) assertEquals(before.get(c), reopened.search(base[c], 10), residency + " copy " + c);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Similarity.class)
  void binaryRecall(Similarity similarity) throws IOException {
    // Sign bits need many dimensions to say much: binary is tested at an embedding-like width.
    float[][] base = mixture(N, 256, 1);
    float[][] queries = mixture(QUERIES, 256, 2);
    VectorIndexConfig config = VectorIndexConfig.of(256, similarity).withEncoding(VectorEncoding.BINARY);
    List<List<SearchHit>> before = new ArrayList<>();
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(N), base, 2);
      double recall = recall(index, flat(config, base), queries, 10, null);
      System.out.printf("recall@10 %s/BINARY %.3f%n", similarity, recall);
      assertTrue(recall >= 0.95, similarity + "/BINARY recall@10 " + recall);
      for (float[] q : queries) before.add(index.search(q, 10));
      index.commit(dir);
    }
    try (HnswIndex reopened = HnswIndex.open(dir)) {
      for (int i = 0; i < queries.length; i++) assertEquals(before.get(i), reopened.search(queries[i], 10), "query " + i);
    }
  }

  /** Adds after a reopen prune with recomputed neighbour scores (the file keeps none), so recall holds. */
  @ParameterizedTest
  @EnumSource(Similarity.class)
  void addsAfterReopenKeepRecall(Similarity similarity) throws IOException {
    float[][] base = mixture(N, DIM, 12);
    float[][] queries = mixture(QUERIES, DIM, 13);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, similarity);
    FlatIndex flat = flat(config, base);
    int first = N / 4;
    // One thread throughout, so that the graphs, and the comparison, are reproducible.
    double oneGo;
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(N), base, 1);
      oneGo = recall(index, flat, queries, 10, null);
    }
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(first), java.util.Arrays.copyOf(base, first), 1);
      index.commit(dir);
    }
    long[] rest = new long[N - first];
    for (int i = 0; i < rest.length; i++) rest[i] = 1000 + first + i;
    try (HnswIndex reopened = HnswIndex.open(dir)) {
      reopened.addAll(rest, java.util.Arrays.copyOfRange(base, first, N), 1);
      double recall = recall(reopened, flat, queries, 10, null);
      System.out.printf("recall@10 %s after reopen and adds %.3f (built in one go %.3f)%n", similarity, recall, oneGo);
      assertTrue(recall >= 0.95, similarity + " recall@10 after reopen and adds " + recall);
      assertTrue(recall >= oneGo - 0.01, similarity + " recall@10 after reopen and adds " + recall + ", in one go " + oneGo);
    }
  }

  /**
   * An index opened from a directory commits back into it: adds and deletes land, and a crash at
   * every step of that second commit leaves the first one readable with all its vectors.
   */
  @Test
  void reopenedIndexCommitsBackIntoItsDirectoryCrashSafely() throws IOException {
    int n1 = 800;
    int n2 = 300;
    float[][] base = mixture(n1 + n2, DIM, 14);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, Similarity.EUCLIDEAN).withEncoding(VectorEncoding.INT8);
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(n1), java.util.Arrays.copyOf(base, n1), 2);
      index.commit(dir);
    }
    Set<Long> firstLive = new HashSet<>();
    for (int i = 0; i < n1; i++) firstLive.add(1000L + i);
    Set<Long> secondLive = new HashSet<>(firstLive);
    try (HnswIndex index = HnswIndex.open(dir)) {
      long[] added = new long[n2];
      for (int i = 0; i < n2; i++) secondLive.add(added[i] = 1000L + n1 + i);
      index.addAll(added, java.util.Arrays.copyOfRange(base, n1, n1 + n2), 2);
      for (int i = 0; i < n1; i += 20) {
        index.delete(1000 + i);
        secondLive.remove(1000L + i);
      }
      boolean renamed = false;
      int steps = 0;
      for (int failAt = 0; ; failAt++) {
        int[] seen = {0};
        boolean[] pastRename = {false};
        int target = failAt;
        boolean failed = false;
        try {
          index.commit(dir, (step, file) -> {
            if (seen[0]++ == target) throw new IOException("injected failure before " + step + " " + file);
            if (step == dev.quarry.index.store.WriteHook.Step.RENAME_MANIFEST) pastRename[0] = true;
          });
        } catch (IOException e) {
          failed = true;
          assertTrue(e.getMessage().startsWith("injected failure"), e.getMessage());
        }
        // Past the rename the new commit is the current one, even if a later step failed.
        renamed |= !failed || pastRename[0];
        assertHolds(dir, renamed ? secondLive : firstLive, base, "failing at step " + failAt);
        if (!failed) {
          steps = failAt;
          break;
        }
      }
      assertTrue(steps > 12, "only " + steps + " steps were exercised");
      assertTrue(recall(index, flatOf(config, base, secondLive), mixture(30, DIM, 15), 10, null) >= 0.95);
    }
    // Once more with deletes only: the vectors are written from the mapped files of the commit being replaced.
    try (HnswIndex index = HnswIndex.open(dir)) {
      index.delete(1001);
      secondLive.remove(1001L);
      index.commit(dir);
    }
    assertHolds(dir, secondLive, base, "after a deletes-only commit");
    String current = ".g" + latestGeneration(dir);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString())
          .filter(f -> f.matches(".*\\.g[0-9]+") && !f.endsWith(current)).toList(), "files of older commits are deleted");
    }
  }

  private static long latestGeneration(Path dir) throws IOException {
    try (var store = dev.quarry.index.store.IndexStore.openExisting(dir)) {
      return store.generation();
    }
  }

  private static FlatIndex flatOf(VectorIndexConfig config, float[][] base, Set<Long> live) {
    FlatIndex flat = new FlatIndex(config);
    for (long id : live) flat.add(id, base[(int) (id - 1000)]);
    return flat;
  }

  /** Opens {@code dir} fresh: exactly {@code live} ids, each with its own vector (an exact search for it scores 0). */
  private static void assertHolds(Path dir, Set<Long> live, float[][] base, String when) throws IOException {
    try (HnswIndex index = HnswIndex.open(dir)) {
      assertEquals(live.size(), index.size(), when);
      for (int i = 0; i < base.length; i++) {
        long id = 1000L + i;
        List<SearchHit> hits = index.search(base[i], 1, 10, IdFilter.ofIds(id));
        if (live.contains(id)) {
          assertEquals(1, hits.size(), when + ": id " + id + " is missing");
          assertEquals(0f, hits.get(0).score(), 0f, when + ": id " + id + " has another vector");
        } else {
          assertEquals(List.of(), hits, when + ": id " + id + " should not be there");
        }
      }
    }
  }

  @Test
  void singleThreadedBuildsAreReproducible() {
    float[][] base = mixture(500, DIM, 3);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, Similarity.EUCLIDEAN);
    try (HnswIndex a = HnswIndex.create(config); HnswIndex b = HnswIndex.create(config)) {
      a.addAll(ids(500), base, 1);
      for (int i = 0; i < 500; i++) b.add(1000 + i, base[i]);
      for (float[] q : mixture(20, DIM, 4)) assertEquals(a.search(q, 10), b.search(q, 10));
    }
  }

  @Test
  void deletesAreSkippedAndRebuildDropsThem() throws IOException {
    float[][] base = mixture(N, DIM, 5);
    float[][] queries = mixture(30, DIM, 6);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, Similarity.COSINE);
    FlatIndex flat = flat(config, base);
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(N), base, 2);
      for (int i = 0; i < N; i += 3) {
        index.delete(1000 + i);
        flat.delete(1000 + i);
      }
      var e = assertThrows(IllegalArgumentException.class, () -> index.delete(1000));
      assertTrue(e.getMessage().contains("1000"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> index.delete(-5));
      for (float[] q : queries) for (SearchHit h : index.search(q, 10)) assertTrue((h.id() - 1000) % 3 != 0);
      assertTrue(recall(index, flat, queries, 10, null) >= 0.95);
      index.commit(dir); // a third deleted: the commit rebuilds
      assertEquals(0, index.deletedCount());
      assertEquals(N - N / 3, index.size());
      assertTrue(recall(index, flat, queries, 10, null) >= 0.95);
      index.add(1000, base[0]); // a deleted id may come back
      assertEquals(1000, index.search(base[0], 1).get(0).id());
    }
    try (HnswIndex reopened = HnswIndex.open(dir)) {
      assertEquals(N - N / 3, reopened.size());
      assertTrue(recall(reopened, flat, queries, 10, null) >= 0.95);
    }
  }

  @Test
  void filtersAreHonouredSelectiveOnesExactly() {
    float[][] base = mixture(N, DIM, 7);
    float[][] queries = mixture(30, DIM, 8);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, Similarity.DOT_PRODUCT);
    FlatIndex flat = flat(config, base);
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(N), base, 1);
      IdFilter half = IdFilter.of(id -> id % 2 == 0);
      IdFilter rare = IdFilter.of(id -> id % 97 == 0);
      IdFilter few = IdFilter.ofIds(1003, 1500, 2999, 77);
      assertTrue(recall(index, flat, queries, 10, half) >= 0.95);
      assertEquals(1.0, recall(index, flat, queries, 10, rare), 1e-9);
      for (float[] q : queries) {
        for (SearchHit h : index.search(q, 10, 100, half)) assertEquals(0, h.id() % 2);
        assertEquals(3, index.search(q, 10, 100, few).size());
      }
    }
  }

  @Test
  void visitedCountIsTheWorkOfTheCallingThreadsLastSearch() throws Exception {
    float[][] base = mixture(N, DIM, 7);
    float[][] queries = mixture(30, DIM, 8);
    try (HnswIndex index = HnswIndex.create(VectorIndexConfig.of(DIM, Similarity.DOT_PRODUCT))) {
      index.addAll(ids(N), base, 1);
      long narrow = 0;
      long wide = 0;
      for (float[] q : queries) {
        index.search(q, 10, 10, null);
        int atTen = index.visitedCount();
        assertTrue(atTen >= 10 && atTen < N / 2, "ef 10 scored " + atTen + " of " + N);
        narrow += atTen;
        index.search(q, 10, 200, null);
        wide += index.visitedCount();
      }
      assertTrue(wide > 2 * narrow, "ef 200 scored " + wide + " nodes in all, ef 10 " + narrow);
      // Searched exactly: only the three ids that are in the index are scored.
      index.search(queries[0], 10, 100, IdFilter.ofIds(1003, 1500, 2999, 77));
      assertEquals(3, index.visitedCount());
      // Another thread's searches do not change this thread's count.
      Thread other = new Thread(() -> index.search(queries[1], 10, 200, null));
      other.start();
      other.join();
      assertEquals(3, index.visitedCount());
    }
  }

  @Test
  void badInputIsRefusedAndNothingIsAdded() {
    VectorIndexConfig config = VectorIndexConfig.of(4, Similarity.COSINE);
    try (HnswIndex index = HnswIndex.create(config)) {
      index.add(1, new float[] {1, 0, 0, 0});
      var e = assertThrows(IllegalArgumentException.class,
          () -> index.addAll(new long[] {2, 3}, new float[][] {{0, 1, 0, 0}, {1, 2, 3}}, 1));
      assertTrue(e.getMessage().contains("dimension 3") && e.getMessage().contains("id 3"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> index.add(4, new float[] {0, Float.NaN, 0, 0}));
      assertTrue(e.getMessage().contains("NaN"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> index.add(4, new float[] {0, Float.POSITIVE_INFINITY, 0, 0}));
      e = assertThrows(IllegalArgumentException.class, () -> index.add(5, new float[4]));
      assertTrue(e.getMessage().contains("zero vector"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> index.add(1, new float[] {0, 0, 1, 0}));
      assertThrows(IllegalArgumentException.class, () -> index.search(new float[] {1, 2}, 3));
      assertThrows(IllegalArgumentException.class, () -> index.search(new float[] {1, 0, 0, 0}, 0));
      assertEquals(1, index.size());
      assertEquals(1, index.search(new float[] {1, 1, 0, 0}, 5).size());
    }
    // Euclidean accepts the zero vector.
    try (HnswIndex index = HnswIndex.create(VectorIndexConfig.of(4, Similarity.EUCLIDEAN))) {
      index.add(9, new float[4]);
      assertEquals(9, index.search(new float[] {1, 1, 1, 1}, 1).get(0).id());
    }
  }

  @Test
  void truncatedOrForeignFilesAreRefused() throws IOException {
    try (HnswIndex index = HnswIndex.create(VectorIndexConfig.of(DIM, Similarity.EUCLIDEAN))) {
      index.addAll(ids(200), mixture(200, DIM, 9), 1);
      index.commit(dir);
    }
    Path graph;
    try (var files = Files.list(dir)) {
      graph = files.filter(p -> p.getFileName().toString().startsWith("graph.")).findFirst().orElseThrow();
    }
    byte[] original = Files.readAllBytes(graph);
    Files.write(graph, java.util.Arrays.copyOf(original, original.length / 2));
    var e = assertThrows(CorruptIndexException.class, () -> HnswIndex.open(dir));
    assertTrue(e.getMessage().contains(graph.getFileName().toString()), e.getMessage());
    Files.write(graph, original);
    try (HnswIndex ok = HnswIndex.open(dir)) {
      assertEquals(200, ok.size());
    }
    var noResidency = assertThrows(IllegalArgumentException.class, () -> HnswIndex.open(dir, null));
    assertTrue(noResidency.getMessage().contains("MAPPED or Residency.HEAP"), noResidency.getMessage());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThrows(IOException.class, () -> HnswIndex.open(empty));
    Files.writeString(empty.resolve("MANIFEST"), "hello, not a manifest at all, clearly foreign");
    e = assertThrows(CorruptIndexException.class, () -> HnswIndex.open(empty));
    assertTrue(e.getMessage().contains("not a Quarry manifest"), e.getMessage());
  }

  @Test
  void searchesRunWhileOneThreadAdds() throws Exception {
    float[][] base = mixture(N, DIM, 10);
    VectorIndexConfig config = VectorIndexConfig.of(DIM, Similarity.EUCLIDEAN);
    try (HnswIndex index = HnswIndex.create(config)) {
      index.addAll(ids(500), java.util.Arrays.copyOf(base, 500), 1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread[] readers = new Thread[2];
      final boolean[] stop = {false};
      for (int t = 0; t < readers.length; t++) {
        readers[t] = new Thread(() -> {
          Random r = new Random();
          try {
            while (!stop[0]) {
              List<SearchHit> hits = index.search(base[r.nextInt(N)], 10);
              assertFalse(hits.isEmpty());
            }
          } catch (Throwable e) {
            failure.set(e);
          }
        });
        readers[t].start();
      }
      for (int i = 500; i < N; i++) index.add(1000 + i, base[i]);
      stop[0] = true;
      for (Thread t : readers) t.join();
      if (failure.get() != null) throw new AssertionError(failure.get());
      assertTrue(recall(index, flat(config, base), mixture(30, DIM, 11), 10, null) >= 0.95);
    }
  }
}
