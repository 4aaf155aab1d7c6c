package dev.quarry.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.model.Pooling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API's options, its thread safety, saving, and what it does with bad input. */
class EmbedderTest {

  static Embedder minilm;

  @BeforeAll
  static void open() throws Exception {
    minilm = Embedder.open("all-MiniLM-L6-v2", EmbedOptions.defaults().withThreads(2));
  }

  @AfterAll
  static void close() {
    minilm.close();
  }

  @Test
  void vectorsAreUnitLengthAndFinite() {
    for (float[] v : minilm.embed(List.of("hello", "", "   "))) {
      assertEquals(384, v.length);
      double norm = 0;
      for (float x : v) {
        assertTrue(Float.isFinite(x));
        norm += x * x;
      }
      assertEquals(1.0, norm, 1e-5);
    }
  }

  @Test
  void matryoshkaTruncatesThenRenormalises() throws Exception {
    float[] full = minilm.embed("Matryoshka embeddings nest smaller ones inside");
    try (Embedder small = Embedder.open(null, EmbedOptions.defaults().withDimension(128))) {
      float[] v = small.embed("Matryoshka embeddings nest smaller ones inside");
      assertEquals(128, v.length);
      double norm = 0;
      for (int i = 0; i < 128; i++) norm += full[i] * full[i];
      for (int i = 0; i < 128; i++) assertEquals(full[i] / Math.sqrt(norm), v[i], 1e-6);
    }
  }

  @Test
  void optionsOverrideTheModel() throws Exception {
    try (Embedder raw = Embedder.open(null, EmbedOptions.defaults().withNormalize(false).withPooling(Pooling.CLS))) {
      float[] v = raw.embed("not normalised");
      double norm = 0;
      for (float x : v) norm += x * x;
      assertTrue(Math.abs(norm - 1) > 1e-3, "CLS without normalisation should not be unit length");
    }
  }

  @Test
  void promptsAreAppliedByNameOrText() throws Exception {
    try (Embedder byText = Embedder.open(null, EmbedOptions.defaults().withPrompt("query: "))) {
      assertArrayEquals(minilm.embed("query: what is BERT"), byText.embed("what is BERT"));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Embedder.open(null, EmbedOptions.defaults().withPromptName("query")));
    assertTrue(e.getMessage().contains("has no prompts"), e.getMessage());
  }

  @Test
  void hugeTextIsTruncatedNotFatal() {
    String huge = "word ".repeat(210_000);
    assertEquals(1_050_000, huge.length());
    float[] v = minilm.embed(huge);
    float[] first256 = minilm.embed("word ".repeat(254).strip());
    assertArrayEquals(first256, v, "a 1 MB text should embed as its first 254 words");
  }

  @Test
  void unpairedSurrogatesAreReplaced() {
    float[] v = minilm.embed("broken \uD800 surrogate \uDC00 here");
    for (float x : v) assertTrue(Float.isFinite(x));
  }

  @Test
  void dimensionLargerThanTheModelIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Embedder.open(null, EmbedOptions.defaults().withDimension(1024)));
    assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("384"), e.getMessage());
  }

  @Test
  void unknownModelListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Embedder.open("no-such-model"));
    assertTrue(e.getMessage().contains("all-MiniLM-L6-v2") && e.getMessage().contains("bge-small-en-v1.5"),
        e.getMessage());
  }

  @Test
  void missingAndCorruptFilesAreNamed(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("absent.onnx");
    Exception e = assertThrows(java.nio.file.NoSuchFileException.class, () -> Embedder.open(missing.toString()));
    assertTrue(e.getMessage().contains("absent.onnx"), e.getMessage());

    Path corrupt = dir.resolve("corrupt.onnx");
    Files.write(corrupt, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 1, 2, 3});
    Files.copy(minilm.model().tokenizerJson(), dir.resolve("tokenizer.json"));
    e = assertThrows(Exception.class, () -> Embedder.open(corrupt.toString()));
    assertTrue(e.getMessage().contains("corrupt.onnx"), e.getMessage());

    Path truncated = dir.resolve("truncated.onnx");
    byte[] onnx = Files.readAllBytes(minilm.model().tokenizerJson().resolveSibling("model.onnx"));
    Files.write(truncated, java.util.Arrays.copyOf(onnx, onnx.length / 3));
    e = assertThrows(Exception.class, () -> Embedder.open(truncated.toString()));
    assertTrue(e.getMessage().contains("truncated.onnx"), e.getMessage());
  }

  @Test
  void closedEmbedderSaysSo() throws Exception {
    Embedder e = Embedder.open(null);
    e.close();
    IllegalStateException ex = assertThrows(IllegalStateException.class, () -> e.embed("after close"));
    assertTrue(ex.getMessage().contains("closed"));
  }

  @Test
  void manyThreadsAtOnceGiveTheSameVectors() throws Exception {
    List<String> texts = TestTexts.varied(40);
    float[][] expected = minilm.embed(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (String t : texts) futures.add(pool.submit(() -> minilm.embed(t)));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertArrayEquals(expected[i % texts.size()], futures.get(i).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void textsSpanningSeveralTokenizationBlocksKeepTheirOrder() {
    // 1,100 texts: two tokenization blocks of 1,024, each cut into chunks of 32 for the pool.
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 1100; i++) texts.add("sentence number " + i + (i % 3 == 0 ? " about proteins" : ""));
    float[][] all = minilm.embed(texts);
    assertEquals(texts.size(), all.length);
    for (int i : new int[] {0, 31, 32, 33, 1023, 1024, 1025, 1099}) {
      assertArrayEquals(minilm.embed(texts.get(i)), all[i], "text " + i);
    }
  }
}
