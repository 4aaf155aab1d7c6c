package dev.quarry.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.model.BuiltinModels;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact dense search on a small corpus with the real default model, and its on-disk cache. */
class DenseRetrieverTest {

  private static final List<String> IDS = List.of("java", "cats", "rain", "bread", "chess");
  private static final List<String> TEXTS = List.of(
      "Java is a programming language that runs on the JVM.",
      "Cats sleep for most of the day.",
      "Heavy rain is expected over the weekend.",
      "Bake the bread at a high temperature for a crisp crust.",
      "The queen is the most powerful piece in chess.");

  private static Embedder embedder;

  @TempDir Path cache;

  @BeforeAll
  static void open() throws Exception {
    embedder = Embedder.open(BuiltinModels.DEFAULT, EmbedOptions.defaults().withThreads(2));
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  private DenseRetriever build(List<String> log) throws Exception {
    return DenseRetriever.build(embedder, IDS, TEXTS,
        DenseRetriever.Options.defaults().withCacheDirectory(cache).withLog(log::add));
  }

  @Test
  void ranksByCosineAsTheEmbedderComputesIt() throws Exception {
    DenseRetriever dense = build(new ArrayList<>());
    List<Hit> hits = dense.search("Which language runs on the JVM?", 10);
    assertEquals(5, hits.size(), "k larger than the corpus gives the whole corpus");
    assertEquals("java", hits.getFirst().id());
    float[] q = embedder.embedQueries(List.of("Which language runs on the JVM?"))[0];
    float[][] docs = embedder.embedDocuments(TEXTS);
    for (Hit h : hits) {
      float[] d = docs[IDS.indexOf(h.id())];
      double cosine = 0;
      for (int i = 0; i < d.length; i++) cosine += q[i] * d[i];
      assertEquals(cosine, h.score(), 1e-5, h.id());
    }
    for (int i = 1; i < hits.size(); i++) assertTrue(hits.get(i - 1).score() >= hits.get(i).score());
    assertEquals(hits.subList(0, 2), dense.search("Which language runs on the JVM?", 2));
    List<List<Hit>> all = dense.searchAll(List.of("a sleepy pet", "weather forecast"), 1);
    assertEquals("cats", all.get(0).getFirst().id());
    assertEquals("rain", all.get(1).getFirst().id());
  }

  @Test
  void tiesBreakByIdDescendingAtTheCut() {
    float[] scores = {0.5f, 0.9f, 0.5f, 0.5f, Float.NEGATIVE_INFINITY};
    List<String> ids = List.of("a", "b", "c", "d", "e");
    assertEquals(List.of(new Hit("b", 0.9f), new Hit("d", 0.5f), new Hit("c", 0.5f)),
        DenseRetriever.topK(scores, ids, 3));
    assertEquals(5, DenseRetriever.topK(scores, ids, 9).size());
    assertThrows(IllegalStateException.class,
        () -> DenseRetriever.topK(new float[] {0, Float.NaN}, ids.subList(0, 2), 1));
  }

  @Test
  void secondBuildReadsTheCache() throws Exception {
    List<String> log = new ArrayList<>();
    DenseRetriever first = build(log);
    assertFalse(first.loadedFromCache());
    assertTrue(Files.isRegularFile(first.cacheFile()));
    assertTrue(first.cacheFile().startsWith(cache.resolve("embeddings").resolve("all-MiniLM-L6-v2")));
    DenseRetriever second = build(log);
    assertTrue(second.loadedFromCache(), String.join("\n", log));
    assertEquals(first.cacheFile(), second.cacheFile());
    for (int i = 0; i < IDS.size(); i++) assertArrayEquals(first.vector(i), second.vector(i));
    try (var files = Files.list(first.cacheFile().getParent())) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void anotherCorpusIsAnotherCacheFile() throws Exception {
    DenseRetriever a = build(new ArrayList<>());
    List<String> changed = new ArrayList<>(TEXTS);
    changed.set(4, "The knight moves in an L shape.");
    DenseRetriever b = DenseRetriever.build(embedder, IDS, changed,
        DenseRetriever.Options.defaults().withCacheDirectory(cache));
    assertFalse(b.loadedFromCache());
    assertNotEquals(a.cacheFile(), b.cacheFile());
  }

  @Test
  void aCorruptCacheIsDetectedAndRebuilt() throws Exception {
    List<String> log = new ArrayList<>();
    DenseRetriever first = build(log);
    Path file = first.cacheFile();
    long size = Files.size(file);
    // Flip one byte in the middle of the vectors: only the checksum can tell.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, size / 2);
      b.flip();
      b.put(0, (byte) (b.get(0) ^ 0x40));
      ch.write(b, size / 2);
    }
    DenseRetriever rebuilt = build(log);
    assertFalse(rebuilt.loadedFromCache());
    assertTrue(log.stream().anyMatch(l -> l.contains("fails its checksum")), String.join("\n", log));
    for (int i = 0; i < IDS.size(); i++) assertArrayEquals(first.vector(i), rebuilt.vector(i), 1e-6f);
    assertTrue(build(log).loadedFromCache(), "the rebuilt file is whole again");

    // A truncated file (a writer killed mid-way, had it not written atomically) is rebuilt too.
    Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) size - 100));
    assertFalse(build(log).loadedFromCache());
    assertTrue(log.stream().anyMatch(l -> l.contains("bytes, not")), String.join("\n", log));
  }

  @Test
  void withoutACacheDirectoryNothingIsWritten() throws Exception {
    DenseRetriever dense = DenseRetriever.build(embedder, IDS, TEXTS,
        DenseRetriever.Options.defaults().withCacheDirectory(null));
    assertEquals(null, dense.cacheFile());
    try (var files = Files.list(cache)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void badCorporaAreRefused() {
    DenseRetriever.Options options = DenseRetriever.Options.defaults().withCacheDirectory(null);
    assertThrows(IllegalArgumentException.class, () -> DenseRetriever.build(embedder, List.of("a"), List.of(), options));
    assertThrows(IllegalArgumentException.class, () -> DenseRetriever.build(embedder, List.of(), List.of(), options));
    var e = assertThrows(IllegalArgumentException.class,
        () -> DenseRetriever.build(embedder, List.of("a", "a"), List.of("x", "y"), options));
    assertTrue(e.getMessage().contains("repeated document ids"), e.getMessage());
  }

  @Test
  void vectorsById() throws Exception {
    DenseRetriever dense = build(new ArrayList<>());
    float[][] v = dense.vectors(List.of("rain", "nope", "java"));
    assertArrayEquals(dense.vector(2), v[0]);
    assertEquals(null, v[1]);
    assertArrayEquals(dense.vector(0), v[2]);
  }
}
